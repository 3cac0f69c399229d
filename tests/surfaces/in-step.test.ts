/**
 * Surfaces and the web remote together, as `serve` runs them: a control server with real
 * WebSockets, an X-Touch with an X-Touch Extender on its left, an MCU Pro as a second surface and
 * a learnt generic controller, all on the in-memory MIDI transport. Every one of them moves the
 * mix, and every other shows it; nobody fights a finger.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { remoteLayout } from '../../src/control/layout-info.js';
import { demoSession } from '../../src/model/demo-session.js';
import { loadSurfaceData, matchDevice, type SurfaceData } from '../../src/surfaces/loader.js';
import { SurfaceManager } from '../../src/surfaces/manager.js';
import { MemoryMidiBackend, type MemoryDevice } from '../../src/surfaces/transport/memory.js';
import { remoteFixtures, type RemoteConn, type TestServer } from '../helpers/remote.js';

const { start, open } = remoteFixtures();
let data: SurfaceData;
beforeAll(async () => {
  data = await loadSurfaceData();
});
const managers: SurfaceManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
});

interface Desk {
  s: TestServer;
  m: SurfaceManager;
  xt: MemoryDevice;
  xtouch: MemoryDevice;
  mcu: MemoryDevice;
  keys: MemoryDevice;
  web: RemoteConn;
}

async function desk(): Promise<Desk> {
  const s = await start();
  const backend = new MemoryMidiBackend();
  const xtouch = backend.plug('X-Touch:X-Touch MIDI 1 20:0');
  const xt = backend.plug('X-Touch-Ext:X-Touch-Ext MIDI 1 24:0');
  const mcu = backend.plug('MCU Pro USB v3.1');
  const keys = backend.plug('Keystation 49:Keystation 49 MIDI 1 32:0');
  const m = new SurfaceManager({
    ctx: { store: s.cs.store, registry: s.registry, layout: remoteLayout(demoSession(), s.registry.layout), meters: s.meters, clock: Date.now },
    backend,
    data,
    matchDevice: (p) => matchDevice(p, data.devices),
    pollMs: 60_000,
    tickMs: 60_000,
  });
  managers.push(m);
  await m.start();
  s.cs.attachSurfaces(m);
  const web = await open(s);
  await web.join();
  return { s, m, xt, xtouch, mcu, keys, web };
}

/** The last pitch bend a unit got on a channel, as a 14-bit value. */
function lastFader(dev: MemoryDevice, channel: number): number | undefined {
  let v: number | undefined;
  for (const b of dev.received) for (let i = 0; i + 2 < b.length; i++) if (b[i] === 0xe0 + channel) v = b[i + 1] | (b[i + 2] << 7);
  return v;
}

const pos14 = (s: TestServer, address: string): number => Math.round(s.registry.descriptor(address).taper.toPosition(s.cs.store.value(address)) * 16383);

describe('surfaces and the web remote in step', () => {
  it('the X-Touch with its extender, a second surface and the web remote follow each other', async () => {
    const { s, m, xt, xtouch, mcu, web } = await desk();
    expect(m.status().surfaces.map((x) => x.units.map((u) => u.device))).toEqual(
      expect.arrayContaining([['behringer-x-touch-extender', 'behringer-x-touch'], ['mackie-mcu-pro']]),
    );
    // A move on the X-Touch's strip 1 (ch 9, as the extender shows ch 1-8): echoed to it byte
    // for byte; the web remote has it (the MCU Pro shows ch 1-8: nothing for it).
    xtouch.send(0xe0, 0x11, 0x5a);
    const v = 0x11 | (0x5a << 7);
    expect(lastFader(xtouch, 0)).toBe(v);
    const change = await web.next('change');
    expect(change).toMatchObject({ address: 'ch/9/fader', source: 'midi:behringer-x-touch' });
    expect(change.value).toBeCloseTo(s.registry.descriptor('ch/9/fader').taper.fromPosition(v / 16383), 9);

    // The extender's strip 3 is ch 3, which the MCU Pro shows too: its motor follows.
    xt.send(0xe2, 0x00, 0x60);
    await expect.poll(() => lastFader(mcu, 2)).toBe(0x60 << 7);
    expect((await web.next('change')).address).toBe('ch/3/fader');

    // The web remote moves ch 5: both surfaces that show it move their motors there.
    expect(s.cs.store.value('ch/5/fader')).not.toBe(-12);
    web.send({ type: 'set', address: 'ch/5/fader', value: -12 });
    await expect.poll(() => s.cs.store.value('ch/5/fader')).toBe(-12);
    const want = pos14(s, 'ch/5/fader');
    await expect.poll(() => lastFader(mcu, 4)).toBe(want);
    await expect.poll(() => lastFader(xt, 4)).toBe(want);
  });

  it('no fights: a finger on the tablet holds the fader against the surface, a finger on the surface holds it against the tablet', async () => {
    const { s, xt, web } = await desk();
    // The web holds ch 2; the extender's fader 2 is moved: refused, and it goes back.
    web.send({ type: 'touch', address: 'ch/2/fader' });
    await expect.poll(() => s.cs.store.holder('ch/2/fader')).toMatch(/^ws:/);
    const before = s.cs.store.value('ch/2/fader');
    xt.send(0x90, 0x69, 0x7f); // touch strip 2
    xt.send(0xe1, 0x7f, 0x7f);
    expect(s.cs.store.value('ch/2/fader')).toBe(before);
    xt.send(0x90, 0x69, 0x00); // release: back to where the tablet has it
    expect(lastFader(xt, 1)).toBe(pos14(s, 'ch/2/fader'));
    web.send({ type: 'release', address: 'ch/2/fader' });

    // The extender holds ch 4 (touched): the tablet's set is refused and names the surface.
    xt.send(0x90, 0x6b, 0x7f);
    web.drain();
    web.send({ type: 'set', address: 'ch/4/fader', value: 3, id: 7 });
    const err = await web.next('error');
    expect(err).toMatchObject({ code: 'E_CONTROL_HELD', id: 7 });
    const leases = await web.next('leases');
    expect(leases.leases).toContainEqual(expect.objectContaining({ address: 'ch/4/fader', source: 'midi:behringer-x-touch', name: expect.stringContaining('X-Touch') }));
    // While the finger is on it, the web's changes never reach that motor.
    const sent = xt.received.length;
    s.cs.store.force('ch/4/fader', -30, 'session');
    expect(xt.received.slice(sent).some((b) => b[0] === 0xe3)).toBe(false);
    xt.send(0x90, 0x6b, 0x00);
    expect(lastFader(xt, 3)).toBe(pos14(s, 'ch/4/fader'));
  });

  it('a generic controller learnt from the web remote moves the mix, and the Mackie motors follow it', async () => {
    const { s, keys, mcu, web } = await desk();
    web.send({ type: 'learn', address: 'ch/6/fader', id: 1 });
    expect(await web.next('learn')).toMatchObject({ state: 'armed', address: 'ch/6/fader', id: 1 });
    keys.send(0xb0, 0x07, 10);
    keys.send(0xb0, 0x07, 20);
    await new Promise((r) => setTimeout(r, 300));
    managers[0].tick(Date.now());
    const learnt = await web.next('learn');
    expect(learnt).toMatchObject({ state: 'learnt', address: 'ch/6/fader', control: 'cc:1:7', id: 1 });
    // Picked up on the way: a sweep down to 0 then up to 100.
    for (const v of [127, 0, 100]) keys.send(0xb0, 0x07, v);
    const want = s.registry.descriptor('ch/6/fader').taper.fromPosition(100 / 127);
    expect(s.cs.store.value('ch/6/fader')).toBeCloseTo(want, 9);
    await expect.poll(() => lastFader(mcu, 5)).toBe(Math.round((100 / 127) * 16383));
    await expect.poll(() => web.queue.some((q) => q.type === 'change' && q.address === 'ch/6/fader' && Math.abs(q.value - want) < 1e-9)).toBe(true);
  });

  it('learn armed from the page and cancelled from it', async () => {
    const { web } = await desk();
    web.send({ type: 'learn', address: 'ch/1/mute', id: 2 });
    expect(await web.next('learn')).toMatchObject({ state: 'armed', address: 'ch/1/mute', id: 2 });
    expect(managers[0].status().learning).toBe('ch/1/mute');
    web.send({ type: 'learn-cancel' });
    expect(await web.next('learn')).toMatchObject({ state: 'ended', code: 'E_LEARN_CANCELLED', id: 2 });
    expect(managers[0].status().learning).toBeUndefined();
  });
});
