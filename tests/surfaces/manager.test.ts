/**
 * The surface manager over the in-memory MIDI backend: no MIDI, hot plug, ports that vanish and
 * come back, grouping of Mackie units, learn-only controllers, learn and its file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadSurfaceData, type SurfaceData } from '../../src/surfaces/loader.js';
import { SurfaceManager, slug, type LearnResult, type ManagerOptions, type SurfaceConfig } from '../../src/surfaces/manager.js';
import { MemoryMidiBackend } from '../../src/surfaces/transport/memory.js';
import { surfaceFixture, testManager, type SurfaceFixture } from '../helpers/surfaces.js';

let data: SurfaceData;
beforeAll(async () => {
  data = await loadSurfaceData();
});

const managers: SurfaceManager[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const m of managers.splice(0)) await m.close();
});

function manager(f: SurfaceFixture, backend: MemoryMidiBackend, extra: Partial<ManagerOptions> = {}): SurfaceManager {
  const m = testManager(f, backend, data, extra);
  managers.push(m);
  return m;
}

const codes = (m: SurfaceManager): string[] => m.reports.map((r) => r.code);
const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'mixhost-surfaces-'));

describe('SurfaceManager', () => {
  it('no MIDI subsystem is a state: said once, and ports that appear later are opened without a restart', async () => {
    const f = surfaceFixture();
    const backend = new MemoryMidiBackend();
    backend.setUnavailable('no ALSA sequencer');
    const m = manager(f, backend);
    await m.start();
    m.poll();
    m.poll();
    expect(codes(m).filter((c) => c === 'E_MIDI_UNAVAILABLE')).toHaveLength(1);
    expect(m.status()).toMatchObject({ available: false, reason: 'no ALSA sequencer', surfaces: [] });

    backend.setUnavailable(undefined);
    const pad = backend.plug('nanoKONTROL2:nanoKONTROL2 MIDI 1 28:0');
    m.poll();
    expect(m.status().available).toBe(true);
    expect(m.surfaces.map((s) => s.id)).toEqual(['korg-nanokontrol2']);
    // Fader 1 (CC 0) moves ch 1 as soon as the port is open (picked up on the way: no motor).
    pad.send(0xb0, 0x00, 0);
    pad.send(0xb0, 0x00, 127);
    expect(f.store.value('ch/1/fader')).toBe(f.registry.descriptor('ch/1/fader').max);
  });

  it('a unit that is unplugged goes offline and is opened again when it comes back', async () => {
    const f = surfaceFixture();
    const backend = new MemoryMidiBackend();
    const pad = backend.plug('nanoKONTROL2 MIDI 1');
    const m = manager(f, backend);
    await m.start();
    expect(m.status().surfaces[0].units[0]).toMatchObject({ connected: true });
    pad.unplug();
    m.poll();
    expect(m.status().surfaces[0].units[0]).toMatchObject({ connected: false });
    expect(codes(m)).toContain('E_MIDI_PORT_GONE');
    pad.replug();
    m.poll();
    expect(m.status().surfaces[0].units[0]).toMatchObject({ connected: true });
    pad.send(0xb0, 0x01, 127);
    pad.send(0xb0, 0x01, 0);
    expect(f.store.value('ch/2/fader')).toBe(f.registry.descriptor('ch/2/fader').min);
    // Still one surface: the unit came back to its place.
    expect(m.surfaces).toHaveLength(1);
  });

  it('a port that cannot be opened is said once and tried again at the next look', async () => {
    const f = surfaceFixture();
    const backend = new MemoryMidiBackend();
    backend.plug('nanoKONTROL2 MIDI 1');
    const open = backend.open.bind(backend);
    let fail = 2;
    backend.open = (i, o) => {
      if (fail-- > 0) throw new Error('device busy');
      return open(i, o);
    };
    const m = manager(f, backend);
    await m.start();
    m.poll();
    expect(codes(m).filter((c) => c === 'E_MIDI_OPEN')).toHaveLength(1);
    expect(m.status().surfaces[0].units[0].connected).toBe(false);
    m.poll();
    expect(m.status().surfaces[0].units[0].connected).toBe(true);
  });

  it('Mackie units found together form one surface, the extender left of the main unit', async () => {
    const f = surfaceFixture();
    const backend = new MemoryMidiBackend();
    const main = backend.plug('X-Touch:X-Touch MIDI 1 20:0');
    const m = manager(f, backend);
    await m.start();
    expect(m.status().surfaces.map((s) => s.units.map((u) => u.device))).toEqual([['behringer-x-touch']]);
    // The extender is plugged in later: the surface is re-formed with it, on the left.
    const ext = backend.plug('X-Touch-Ext:X-Touch-Ext MIDI 1 24:0');
    m.poll();
    expect(m.status().surfaces.map((s) => s.units.map((u) => u.device))).toEqual([['behringer-x-touch-extender', 'behringer-x-touch']]);
    expect(m.status().surfaces[0].units.every((u) => u.connected)).toBe(true);
    // Strip 1 of the extender is ch 1, strip 1 of the main unit is ch 9.
    ext.send(0xe0, 0x00, 0x00);
    main.send(0xe0, 0x7f, 0x7f);
    expect(f.store.value('ch/1/fader')).toBe(f.registry.descriptor('ch/1/fader').min);
    expect(f.store.value('ch/9/fader')).toBe(f.registry.descriptor('ch/9/fader').max);
    // Both were greeted with the device query in their own model byte.
    expect(ext.received[0]).toEqual([0xf0, 0x00, 0x00, 0x66, 0x15, 0x00, 0xf7]);
    expect(main.received.some((b) => b.join() === [0xf0, 0x00, 0x00, 0x66, 0x14, 0x00, 0xf7].join())).toBe(true);
  });

  it('two main units make two surfaces; an extender joins one of them, on its left', async () => {
    const f = surfaceFixture();
    const backend = new MemoryMidiBackend();
    backend.plug('X-Touch:X-Touch MIDI 1 20:0');
    backend.plug('MCU Pro USB v3.1');
    backend.plug('X-Touch-Ext:X-Touch-Ext MIDI 1 24:0');
    const m = manager(f, backend);
    await m.start();
    const shape = m.status().surfaces.map((s) => s.units.map((u) => u.device));
    expect(shape).toHaveLength(2);
    expect(shape.map((u) => u.length).sort()).toEqual([1, 2]);
    expect(shape.flat().sort()).toEqual(['behringer-x-touch', 'behringer-x-touch-extender', 'mackie-mcu-pro']);
    // The surface with the extender has it on the left.
    const withExt = shape.find((u) => u.includes('behringer-x-touch-extender'));
    expect(withExt?.[0]).toBe('behringer-x-touch-extender');
    // --surface entries: a second main unit starts a second surface too.
    const m2 = manager(surfaceFixture(), new MemoryMidiBackend(), {
      auto: false,
      surfaces: [{ device: 'behringer-x-touch-extender' }, { device: 'behringer-x-touch' }, { device: 'mackie-mcu-pro' }, { device: 'mackie-mcu-xt' }],
    });
    await m2.start();
    expect(m2.status().surfaces.map((s) => s.units.map((u) => u.device))).toEqual([
      ['behringer-x-touch-extender', 'behringer-x-touch'],
      ['mackie-mcu-pro', 'mackie-mcu-xt'],
    ]);
  });

  it('--surface entries: listed mode opens only them, by port pattern, with the profile asked for', async () => {
    const f = surfaceFixture();
    const backend = new MemoryMidiBackend();
    const box = backend.plug('USB MIDI Interface MIDI 1');
    backend.plug('nanoKONTROL2 MIDI 1');
    const configs: SurfaceConfig[] = [{ device: 'generic-8-fader', port: 'usb midi' }];
    const m = manager(f, backend, { surfaces: configs, auto: false });
    await m.start();
    expect(m.status().surfaces.map((s) => [s.id, s.units[0].port])).toEqual([['generic-8-fader', 'USB MIDI Interface MIDI 1']]);
    box.send(0xb0, 20, 127); // fader 1 of the generic 8-fader layout, picked up on the way down
    box.send(0xb0, 20, 0);
    expect(f.store.value('ch/1/fader')).toBe(f.registry.descriptor('ch/1/fader').min);
  });

  it('refuses an unknown device or profile in --surface with a clear code', () => {
    const f = surfaceFixture();
    expect(() => manager(f, new MemoryMidiBackend(), { surfaces: [{ device: 'x-touh' }] })).toThrow(expect.objectContaining({ code: 'E_DEVICE_UNKNOWN' }));
    expect(() => manager(f, new MemoryMidiBackend(), { surfaces: [{ device: 'behringer-x-touch', profile: 'korg-nanokontrol2.default' }] })).toThrow(
      expect.objectContaining({ code: 'E_PROFILE_UNKNOWN' }),
    );
  });

  it('a port no device file knows becomes a learn-only controller; learn binds it and the file keeps it across restarts', async () => {
    const dir = tmp();
    const learnFile = path.join(dir, 'show.learn.json');
    const f = surfaceFixture();
    const backend = new MemoryMidiBackend();
    const keys = backend.plug('Keystation 49:Keystation 49 MIDI 1 32:0');
    backend.plug('Midi Through:Midi Through Port-0 14:0'); // never opened
    const m = manager(f, backend, { learnFile });
    await m.start();
    expect(m.surfaces.map((s) => s.id)).toEqual([slug('Keystation 49:Keystation 49 MIDI 1 32:0')]);
    expect(m.surfaces[0].id).toBe('keystation-49-keystation-49-midi-1');

    const results: LearnResult[] = [];
    m.learn('ch/3/fader', (r) => results.push(r));
    expect(m.status().learning).toBe('ch/3/fader');
    // A modulation wheel: CC 1, absolute. Learn looks at the control for a moment (250 ms).
    keys.send(0xb0, 0x01, 20);
    keys.send(0xb0, 0x01, 40);
    m.tick(f.ctx.clock() + 300);
    f.setTime(f.ctx.clock() + 300);
    m.tick(f.ctx.clock());
    expect(results).toEqual([{ ok: true, surface: 'keystation-49-keystation-49-midi-1', control: expect.stringMatching(/^cc:1:1/), address: 'ch/3/fader' }]);
    keys.send(0xb0, 0x01, 127);
    keys.send(0xb0, 0x01, 0);
    expect(f.store.value('ch/3/fader')).toBe(f.registry.descriptor('ch/3/fader').min);
    await m.flush();
    const saved = JSON.parse(readFileSync(learnFile, 'utf8')) as { version: number; surfaces: Record<string, Array<{ control: string; target: string }>> };
    expect(saved.version).toBe(1);
    expect(saved.surfaces['keystation-49-keystation-49-midi-1']).toEqual([expect.objectContaining({ target: 'ch/3/fader', control: expect.stringMatching(/^cc:1:1/) })]);
    await m.close();

    // A restart: the mapping is there before anything is learnt.
    const f2 = surfaceFixture();
    const backend2 = new MemoryMidiBackend();
    const keys2 = backend2.plug('Keystation 49:Keystation 49 MIDI 1 32:0');
    const m2 = manager(f2, backend2, { learnFile });
    await m2.start();
    keys2.send(0xb0, 0x01, 0);
    keys2.send(0xb0, 0x01, 127);
    expect(f2.store.value('ch/3/fader')).toBe(f2.registry.descriptor('ch/3/fader').max);
    // Unlearn removes it from the surface and the file.
    expect(m2.unlearn('ch/3/fader')).toBe(1);
    await m2.flush();
    expect(JSON.parse(readFileSync(learnFile, 'utf8')).surfaces['keystation-49-keystation-49-midi-1']).toEqual([]);
    const before = f2.store.value('ch/3/fader');
    keys2.send(0xb0, 0x01, 60);
    keys2.send(0xb0, 0x01, 0);
    expect(f2.store.value('ch/3/fader')).toBe(before);
  });

  it('learn ends: nothing to learn with, cancelled by a second learn, timed out after 30 s', async () => {
    vi.useFakeTimers();
    const f = surfaceFixture();
    const backend = new MemoryMidiBackend();
    const m = manager(f, backend);
    await m.start();
    const results: LearnResult[] = [];
    m.learn('ch/1/fader', (r) => results.push(r));
    expect(results.at(-1)).toMatchObject({ ok: false, code: 'E_LEARN_NONE' });
    backend.plug('Some Pad MIDI 1');
    m.poll();
    m.learn('ch/1/fader', (r) => results.push(r));
    m.learn('ch/2/fader', (r) => results.push(r));
    expect(results.at(-1)).toMatchObject({ ok: false, code: 'E_LEARN_CANCELLED' });
    vi.advanceTimersByTime(29_999);
    expect(results).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(results.at(-1)).toMatchObject({ ok: false, code: 'E_LEARN_TIMEOUT' });
    expect(m.status().learning).toBeUndefined();
  });

  it('a broken learn file stops the start with E_LEARN_FILE and is not overwritten', async () => {
    const dir = tmp();
    const learnFile = path.join(dir, 'broken.learn.json');
    writeFileSync(learnFile, '{"version": 1, "surfaces": ');
    const m = manager(surfaceFixture(), new MemoryMidiBackend(), { learnFile });
    await expect(m.start()).rejects.toMatchObject({ code: 'E_LEARN_FILE' });
    expect(readFileSync(learnFile, 'utf8')).toBe('{"version": 1, "surfaces": ');
    writeFileSync(learnFile, '{"version": 2, "surfaces": {}}');
    const m2 = manager(surfaceFixture(), new MemoryMidiBackend(), { learnFile });
    await expect(m2.start()).rejects.toMatchObject({ code: 'E_LEARN_FILE' });
  });

  it('names a surface source for "held by"', async () => {
    const f = surfaceFixture();
    const backend = new MemoryMidiBackend();
    backend.plug('nanoKONTROL2 MIDI 1');
    const m = manager(f, backend);
    await m.start();
    expect(m.nameOf('midi:korg-nanokontrol2')).toBe('Korg nanoKONTROL2 (CC mode)');
    expect(m.nameOf('ws:1')).toBeUndefined();
  });
});
