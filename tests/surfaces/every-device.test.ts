/**
 * Every device file in devices/, with its default profile, driven control by control through
 * the in-memory MIDI transport and the surface manager (as `serve` runs them):
 * - Mackie Control units: every strip's fader (with the servo echo), touch, V-Pot, V-Select and
 *   strip buttons, the master fader, every global button the file declares, and what the
 *   capability flags promise (LCD text, colour strips, meters, the 7-segment displays).
 * - Generic controllers: every declared control moves what the default profile maps it to; a
 *   control the profile leaves free is learnt, then moves what it was learnt to.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSurfaceData, type SurfaceData } from '../../src/surfaces/loader.js';
import { SurfaceManager, type LearnResult } from '../../src/surfaces/manager.js';
import { RELATIVE } from '../../src/surfaces/midi/relative.js';
import { GLOBAL_NOTES } from '../../src/surfaces/mackie/notes.js';
import { MemoryMidiBackend, type MemoryDevice } from '../../src/surfaces/transport/memory.js';
import type { DeviceSpec, GenericControl, SurfaceProfile } from '../../src/surfaces/types.js';
import { surfaceFixture, testManager, type SurfaceFixture } from '../helpers/surfaces.js';

let data: SurfaceData;
beforeAll(async () => {
  data = await loadSurfaceData();
});

interface Rig {
  f: SurfaceFixture;
  m: SurfaceManager;
  dev: MemoryDevice;
  status(): { dropped: number; received: number; bank?: string; ignored?: number };
}

async function rig(device: DeviceSpec): Promise<Rig> {
  const f = surfaceFixture();
  const backend = new MemoryMidiBackend();
  const port = `${device.name} test port`;
  const dev = backend.plug(port);
  const m = testManager(f, backend, data, { surfaces: [{ device: device.id, port }], auto: false });
  await m.start();
  expect(m.status().surfaces[0].units[0].connected).toBe(true);
  return { f, m, dev, status: () => m.status().surfaces[0] as ReturnType<Rig['status']> };
}

const has = (d: DeviceSpec, c: string): boolean => (d.capabilities as readonly string[]).includes(c);
const sysexCmd = (dev: MemoryDevice, cmd: number): boolean => dev.received.some((b) => b[0] === 0xf0 && b[1] === 0 && b[2] === 0 && b[3] === 0x66 && b[5] === cmd);
const anyMessage = (dev: MemoryDevice, pred: (b: readonly number[], i: number) => boolean): boolean =>
  dev.received.some((b) => b.some((_, i) => pred(b, i)));

describe('every Mackie Control device file', () => {
  it('has devices to test', () => {
    expect([...data.devices.values()].filter((d) => d.protocol === 'mackie').length).toBeGreaterThanOrEqual(5);
  });

  for (const id of ['mackie-mcu-pro', 'mackie-mcu-xt', 'behringer-x-touch', 'behringer-x-touch-extender', 'behringer-x-touch-one', 'icon-platform-m-plus']) {
    it(`${id}: strips, master, global buttons and displays`, async () => {
      const device = data.devices.get(id) as DeviceSpec;
      const mk = device.mackie!;
      const { f, m, dev, status } = await rig(device);
      const v = (a: string): number => f.store.value(a);
      const d = (a: string) => f.registry.descriptor(a);
      const source = m.surfaces[0].source;
      // Displays at connect, by capability.
      expect(sysexCmd(dev, 0x12)).toBe(has(device, 'lcd'));
      expect(sysexCmd(dev, 0x72)).toBe(has(device, 'colorScribble'));
      expect(anyMessage(dev, (b, i) => b[i] === 0xb0 && (b[i + 1] === 0x4a || b[i + 1] === 0x4b))).toBe(has(device, 'assignmentDisplay'));
      expect(anyMessage(dev, (b, i) => b[i] === 0xb0 && b[i + 1] >= 0x40 && b[i + 1] <= 0x49)).toBe(has(device, 'timecodeDisplay'));

      for (let s = 0; s < mk.strips; s++) {
        const ch = `ch/${s + 1}`;
        // Fader: bottom, then top; each position echoed exactly (the servo loop).
        dev.send(0xe0 + s, 0x00, 0x00);
        dev.send(0xe0 + s, 0x7f, 0x7f);
        const top = mk.faderTop ?? 16383;
        expect(v(`${ch}/fader`)).toBeCloseTo(d(`${ch}/fader`).taper.fromPosition(Math.min(1, 16383 / top)), 9);
        expect(anyMessage(dev, (b, i) => b[i] === 0xe0 + s && b[i + 1] === 0x7f && b[i + 2] === 0x7f)).toBe(true);
        if (has(device, 'faderTouch')) {
          dev.send(0x90, 0x68 + s, 0x7f);
          expect(f.store.holder(`${ch}/fader`)).toBe(source);
          dev.send(0x90, 0x68 + s, 0x00);
          expect(f.store.holder(`${ch}/fader`)).toBeUndefined();
        }
        // V-Pot (pan mode): three ticks right, then V-Select back to the default.
        const pan0 = v(`${ch}/pan`);
        dev.send(0xb0, 0x10 + s, 0x03);
        expect(v(`${ch}/pan`)).toBeGreaterThan(pan0);
        dev.send(0x90, 0x20 + s, 0x7f);
        dev.send(0x90, 0x20 + s, 0x00);
        expect(v(`${ch}/pan`)).toBe(0);
        // Mute and solo toggle, with their LEDs.
        dev.send(0x90, 0x10 + s, 0x7f);
        dev.send(0x90, 0x10 + s, 0x00);
        expect(v(`${ch}/mute`)).toBe(1);
        expect(anyMessage(dev, (b, i) => b[i] === 0x90 && b[i + 1] === 0x10 + s && b[i + 2] === 0x7f)).toBe(true);
        dev.send(0x90, 0x08 + s, 0x7f);
        dev.send(0x90, 0x08 + s, 0x00);
        expect(v(`${ch}/solo`)).toBe(1);
        // Select lights this strip's select LED.
        dev.send(0x90, 0x18 + s, 0x7f);
        dev.send(0x90, 0x18 + s, 0x00);
        expect(anyMessage(dev, (b, i) => b[i] === 0x90 && b[i + 1] === 0x18 + s && b[i + 2] === 0x7f)).toBe(true);
      }
      if (has(device, 'masterFader')) {
        dev.send(0xe8, 0x00, 0x00);
        expect(v('master/fader')).toBe(d('master/fader').min);
      }
      if (has(device, 'meters')) {
        f.meterValues[f.ctx.meters!.layout.offsetOf('ch/1')] = -3; // peakL of ch 1
        m.tick(f.ctx.clock());
        expect(anyMessage(dev, (b, i) => b[i] === 0xd0 && b[i + 1] >> 4 === 0 && (b[i + 1] & 15) >= 0x0b)).toBe(true);
      }
      // Every global button the file declares: pressed and released; none is dropped.
      const before = status().dropped;
      const profile = m.surfaces[0].profile as SurfaceProfile;
      for (const name of mk.buttons) {
        const note = GLOBAL_NOTES[name];
        expect(note, name).toBeDefined();
        const ignoredBefore = status().ignored ?? 0;
        dev.send(0x90, note, 0x7f);
        dev.send(0x90, note, 0x00);
        const action = profile.mackie?.buttons[name];
        // A button the profile maps does something; the others are counted as ignored.
        if (action === undefined) expect(status().ignored, name).toBe(ignoredBefore + 1);
        else expect(status().ignored, `${name} -> ${action}`).toBe(ignoredBefore);
      }
      expect(status().dropped).toBe(before);
      await m.close();
    });
  }
});

/** The messages that move a generic control: to a position, a press, or a turn. */
function toPosition(c: GenericControl, pos: number): number[] {
  const ch = c.channel - 1;
  const n = c.number ?? 0;
  const v7 = Math.round(pos * 127);
  const v14 = Math.round(pos * 16383);
  switch (c.message) {
    case 'cc':
      return [0xb0 + ch, n, v7];
    case 'cc14':
      return [0xb0 + ch, n, v14 >> 7, 0xb0 + ch, n + 32, v14 & 127];
    case 'nrpn':
      return [0xb0 + ch, 99, n >> 7, 0xb0 + ch, 98, n & 127, 0xb0 + ch, 6, v7];
    case 'nrpn14':
      return [0xb0 + ch, 99, n >> 7, 0xb0 + ch, 98, n & 127, 0xb0 + ch, 6, v14 >> 7, 0xb0 + ch, 38, v14 & 127];
    case 'pitchbend':
      return [0xe0 + ch, v14 & 127, v14 >> 7];
    case 'program':
      return [0xc0 + ch, v7];
    case 'note':
      return pos > 0 ? [0x90 + ch, n, 127] : [0x80 + ch, n, 0];
  }
}

function move(dev: MemoryDevice, c: GenericControl, end = 0.3): void {
  if (c.kind === 'encoder') {
    for (let i = 0; i < 3; i++) dev.sendBytes([0xb0 + c.channel - 1, c.number ?? 0, RELATIVE[c.encoding!].encode(1)]);
  } else if (c.kind === 'button') {
    dev.sendBytes(toPosition(c, 1));
    if (!c.latching) dev.sendBytes(toPosition(c, 0));
  } else if (c.message === 'program') {
    dev.sendBytes(toPosition(c, 2 / 127));
  } else {
    // A sweep from bottom to top and back to `end`: it crosses every value, so pick-up takes it.
    for (const p of [0, 0.5, 1, end]) dev.sendBytes(toPosition(c, p));
  }
}

describe('every generic device file', () => {
  for (const id of ['korg-nanokontrol2', 'akai-midimix', 'novation-launch-control-xl', 'behringer-x-touch-mini', 'generic-8-fader']) {
    it(`${id}: every control moves what it is mapped to, or what it is learnt to`, async () => {
      const device = data.devices.get(id) as DeviceSpec;
      const controls = device.controls ?? [];
      expect(controls.length).toBeGreaterThan(8);
      const { f, m, dev, status } = await rig(device);
      const profile = m.surfaces[0].profile as SurfaceProfile;
      const mapped = new Map((profile.mappings ?? []).map((x) => [x.control, x.target]));
      let learnt = 0;
      // Last to first (a select button then always selects another strip than the one selected),
      // and the bank and layer buttons at the end, so that the strips stay where they started.
      const isAction = (c: GenericControl): boolean => mapped.get(c.id)?.startsWith('action:') === true;
      const order = [...[...controls].reverse().filter((c) => !isAction(c)), ...controls.filter(isAction)];
      for (const c of order) {
        const target = mapped.get(c.id);
        const droppedBefore = status().dropped;
        if (target !== undefined) {
          const seq = f.store.seq;
          const bank = status().bank;
          const sent = dev.received.length;
          move(dev, c);
          m.tick(f.ctx.clock() + 1000);
          const acted = f.store.seq > seq || status().bank !== bank || dev.received.length > sent;
          // Actions that leave the bank where it is (a layer already shown) are accepted silently.
          if (!target.startsWith('action:')) expect(acted, `${c.id} -> ${target}`).toBe(true);
          expect(status().dropped, c.id).toBe(droppedBefore);
          continue;
        }
        // Free: learn it to a parameter of its kind, then it moves that parameter.
        const address = c.kind === 'button' ? 'ch/5/solo' : c.message === 'program' ? 'ch/5/eq/1/type' : 'ch/5/eq/2/gain';
        const results: LearnResult[] = [];
        m.learn(address, (r) => results.push(r));
        move(dev, c);
        f.setTime(f.ctx.clock() + 400);
        m.tick(f.ctx.clock());
        expect(results, c.id).toEqual([{ ok: true, surface: m.surfaces[0].id, control: c.id, address }]);
        const before = f.store.value(address);
        move(dev, c, 0.8);
        m.tick(f.ctx.clock() + 1000);
        expect(f.store.value(address), `${c.id} learnt to ${address}`).not.toBe(before);
        m.unlearn(address);
        learnt++;
      }
      expect(learnt + mapped.size).toBeGreaterThanOrEqual(controls.length);
      await m.close();
    });
  }

  it('generic-midi (no declared controls): a CC, a note and a pitch bend are learnt and then move their parameters', async () => {
    const { f, m, dev } = await rig(data.devices.get('generic-midi') as DeviceSpec);
    const cases: Array<[string, number[], number[]]> = [
      ['ch/7/fader', [0xb1, 74, 10, 0xb1, 74, 30], [0xb1, 74, 0, 0xb1, 74, 127]],
      ['ch/7/mute', [0x99, 36, 100, 0x89, 36, 0], [0x99, 36, 100, 0x89, 36, 0]],
      ['ch/7/pan', [0xe2, 0, 32, 0xe2, 0, 40], [0xe2, 0, 0, 0xe2, 0x7f, 0x7f]],
    ];
    for (const [address, learnMsg, moveMsg] of cases) {
      const results: LearnResult[] = [];
      m.learn(address, (r) => results.push(r));
      dev.sendBytes(learnMsg);
      f.setTime(f.ctx.clock() + 400);
      m.tick(f.ctx.clock());
      expect(results[0], address).toMatchObject({ ok: true, address });
      const before = f.store.value(address);
      dev.sendBytes(moveMsg);
      expect(f.store.value(address), address).not.toBe(before);
    }
    await m.close();
  });
});
