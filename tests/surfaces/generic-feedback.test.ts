/**
 * Generic MIDI surface, feedback byte for byte: no echo, no drift (a value goes back exactly as it
 * came in), rings, LEDs and motor faders follow the other sources, bank changes re-send and park,
 * two surfaces and the web remote stay in step.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGenericSurface } from '../../src/surfaces/generic/driver.js';
import type { LearningSurface } from '../../src/surfaces/surface.js';
import type { DeviceSpec, Mapping, SurfaceProfile } from '../../src/surfaces/types.js';
import { fakeConnection, surfaceFixture, type FakeConnection, type SurfaceFixture } from '../helpers/surfaces.js';

const DEVICE: DeviceSpec = {
  id: 'motor-controller',
  name: 'Motor controller',
  protocol: 'generic',
  ports: ['motor'],
  capabilities: ['ledFeedback', 'ringFeedback', 'motorFaders'],
  controls: [
    { id: 'fader1', kind: 'fader', message: 'cc', channel: 1, number: 0 },
    { id: 'fader2', kind: 'fader', message: 'cc', channel: 1, number: 1 },
    { id: 'knob1', kind: 'knob', message: 'cc', channel: 1, number: 16 },
    { id: 'knob2', kind: 'knob', message: 'cc', channel: 1, number: 17 },
    { id: 'mute1', kind: 'button', message: 'note', channel: 1, number: 16 },
    { id: 'mute2', kind: 'button', message: 'note', channel: 1, number: 17 },
    { id: 'sel1', kind: 'button', message: 'note', channel: 1, number: 24 },
    { id: 'enc1', kind: 'encoder', message: 'cc', channel: 1, number: 20, encoding: 'twos-complement' },
    { id: 'slope', kind: 'knob', message: 'cc', channel: 1, number: 30 },
    { id: 'hires', kind: 'fader', message: 'cc14', channel: 1, number: 7 },
    { id: 'freq', kind: 'knob', message: 'nrpn14', channel: 1, number: 201 },
    { id: 'dark', kind: 'knob', message: 'cc', channel: 1, number: 40, feedback: false },
    { id: 'bank-left', kind: 'button', message: 'note', channel: 1, number: 46 },
    { id: 'bank-right', kind: 'button', message: 'note', channel: 1, number: 47 },
    { id: 'master-layer', kind: 'button', message: 'note', channel: 1, number: 50 },
  ],
};

const MAPPINGS: Mapping[] = [
  { control: 'fader1', target: 'strip:1:fader' },
  { control: 'fader2', target: 'strip:2:fader' },
  { control: 'knob1', target: 'strip:1:pan' },
  { control: 'knob2', target: 'strip:2:pan' },
  { control: 'mute1', target: 'strip:1:mute' },
  { control: 'mute2', target: 'strip:2:mute' },
  { control: 'sel1', target: 'strip:1:select' },
  { control: 'enc1', target: 'ch/1/pan' },
  { control: 'slope', target: 'ch/1/hpf/slope' },
  { control: 'hires', target: 'master/fader' },
  { control: 'freq', target: 'ch/1/eq/1/freq' },
  { control: 'dark', target: 'ch/10/pan' },
  { control: 'bank-left', target: 'action:bank-left' },
  { control: 'bank-right', target: 'action:bank-right' },
  { control: 'master-layer', target: 'action:layer:master' },
];

const PROFILE: SurfaceProfile = { id: 'motor.default', device: 'motor-controller', name: 'Motor', mappings: MAPPINGS };

const open: LearningSurface[] = [];
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  while (open.length > 0) open.pop()?.dispose();
  vi.useRealTimers();
});

function surface(f: SurfaceFixture, id: string, profile: SurfaceProfile = PROFILE): { s: LearningSurface; conn: FakeConnection } {
  const s = createGenericSurface(f.ctx, { id, device: DEVICE, profile });
  open.push(s);
  const conn = fakeConnection(`${id} port`);
  s.connect(0, conn);
  conn.sent.length = 0;
  return { s, conn };
}

/** A change from the web remote, then the end of the feedback tick. */
function web(f: SurfaceFixture, address: string, value: number): void {
  f.store.set(address, value, 'ws:1');
  vi.advanceTimersByTime(20);
}

describe('generic feedback: no echo, no drift', () => {
  it('a fader at raw 93 is not sent back; after a bank round trip 93 goes back, exactly', () => {
    const f = surfaceFixture();
    const { conn } = surface(f, 'a');
    conn.feed(0xb0, 0x00, 93);
    expect(conn.sent).toEqual([]);
    conn.feed(0x90, 0x2f, 0x7f, 0x80, 0x2f, 0x00); // bank right: strips 1-2 = ch 3-4
    expect(conn.sent).toEqual([
      [0xb0, 0x00, 60], // ch 3 at -12 dB: position 0.475
      [0xb0, 0x01, 76], // ch 4 at -6 dB: 0.6
      [0xb0, 0x10, 83], // ch 3 pan 30: 0.65
      [0xb0, 0x11, 64], // ch 4 pan 0: 0.5
      [0x90, 0x10, 0x00],
      [0x90, 0x11, 0x00],
      [0x90, 0x18, 0x00], // ch 3 is not the selected strip (ch 1 is)
    ]);
    conn.sent.length = 0;
    conn.feed(0x90, 0x2e, 0x7f); // bank left: back to ch 1-2
    expect(conn.sent.slice(0, 7)).toEqual([
      [0xb0, 0x00, 93],
      [0xb0, 0x01, 76], // ch 2 at -6 dB
      [0xb0, 0x10, 64],
      [0xb0, 0x11, 64],
      [0x90, 0x10, 0x00],
      [0x90, 0x11, 0x00],
      [0x90, 0x18, 0x7f], // ch 1 selected
    ]);
  });

  it('a knob on a 3-step enum at raw 93 (step 1) gets 93 back, not the re-quantised 64', () => {
    const f = surfaceFixture();
    const { conn } = surface(f, 'a');
    conn.feed(0xb0, 0x1e, 93);
    expect(f.store.value('ch/1/hpf/slope')).toBe(1);
    expect(conn.sent).toEqual([]);
    web(f, 'ch/1/hpf/slope', 2);
    web(f, 'ch/1/hpf/slope', 1);
    expect(conn.sent).toEqual([
      [0xb0, 0x1e, 127],
      [0xb0, 0x1e, 93],
    ]);
    // A surface that never saw the knob's 93 shows step 1 at its own quantisation: 64.
    const other = surface(f, 'b');
    web(f, 'ch/1/hpf/slope', 0);
    web(f, 'ch/1/hpf/slope', 1);
    expect(other.conn.sent).toEqual([
      [0xb0, 0x1e, 0],
      [0xb0, 0x1e, 64],
    ]);
  });

  it('an absolute knob move is not sent back to it; an encoder turn sends the rings of both controls on that pan', () => {
    const f = surfaceFixture();
    const { conn } = surface(f, 'a');
    conn.feed(0xb0, 0x10, 0x5f); // knob1 = ch 1 pan at 95/127
    expect(f.store.value('ch/1/pan')).toBeCloseTo(49.606299, 6);
    // Not knob1 itself; the encoder's ring on the same pan follows.
    expect(conn.sent).toEqual([[0xb0, 0x14, 95]]);
    conn.sent.length = 0;
    conn.feed(0xb0, 0x14, 0x01); // enc1 +1 tick on the same pan: 0.75 + 0.01 -> raw round(0.7598 * 127) = 96
    expect(f.store.value('ch/1/pan')).toBeCloseTo(51.606299, 6);
    expect(conn.sent).toEqual([
      [0xb0, 0x14, 96],
      [0xb0, 0x10, 96],
    ]);
  });
});

describe('generic feedback: other sources', () => {
  it('the web moving mapped parameters sends ring, LED, motor fader, 14-bit CC and NRPN bytes', () => {
    const f = surfaceFixture();
    const { conn } = surface(f, 'a');
    web(f, 'ch/2/pan', 50); // knob2: position 0.75 -> 95
    web(f, 'ch/1/mute', 1);
    web(f, 'ch/1/fader', -10); // fader1: 0.5 -> 64 (63.5 rounds up)
    web(f, 'master/fader', 10); // hires: 16383 = 7F 7F, MSB then LSB
    web(f, 'ch/1/eq/1/freq', 1000); // log position 0.566323 -> 9278 = 48 3E
    web(f, 'ch/10/pan', 20); // a control with feedback off: nothing
    web(f, 'ch/20/pan', 20); // not mapped: nothing
    expect(conn.sent).toEqual([
      [0xb0, 0x11, 95],
      [0x90, 0x10, 0x7f],
      [0xb0, 0x00, 64],
      [0xb0, 0x07, 0x7f, 0xb0, 0x27, 0x7f],
      [0xb0, 0x63, 0x01, 0xb0, 0x62, 0x49, 0xb0, 0x06, 0x48, 0xb0, 0x26, 0x3e],
    ]);
    expect(conn.sent.length).toBe(5);
  });

  it('a value the device already shows is not sent again', () => {
    const f = surfaceFixture();
    const { conn } = surface(f, 'a');
    conn.feed(0xb0, 0x11, 95); // knob2 -> ch 2 pan 49.606
    web(f, 'ch/2/pan', 49.7); // still raw 95 on the knob
    expect(conn.sent).toEqual([]);
    web(f, 'ch/2/pan', 52);
    expect(conn.sent).toEqual([[0xb0, 0x11, 97]]);
  });

  it('a stream of web moves within one tick: the first at once, then only the latest', () => {
    const f = surfaceFixture();
    const { conn } = surface(f, 'a');
    for (let v = 1; v <= 10; v++) f.store.set('ch/2/pan', v * 10, 'ws:1');
    expect(conn.sent).toEqual([[0xb0, 0x11, 70]]); // pan 10: 0.55 -> 69.85 -> 70
    vi.advanceTimersByTime(10);
    expect(conn.sent).toEqual([
      [0xb0, 0x11, 70],
      [0xb0, 0x11, 127],
    ]);
  });

  it('two surfaces and the web remote stay in step', () => {
    const f = surfaceFixture();
    const a = surface(f, 'a');
    const b = surface(f, 'b');
    const seen: string[] = [];
    f.store.changes$.subscribe((e) => seen.push(`${e.source} ${e.address} ${e.value.toFixed(4)}`));
    a.conn.feed(0xb0, 0x00, 100); // A's fader: ch 1
    vi.advanceTimersByTime(20);
    expect(a.conn.sent).toEqual([]);
    expect(b.conn.sent).toEqual([[0xb0, 0x00, 100]]);
    b.conn.feed(0x90, 0x10, 0x7f); // B mutes ch 1
    vi.advanceTimersByTime(20);
    expect(b.conn.sent).toEqual([
      [0xb0, 0x00, 100],
      [0x90, 0x10, 0x7f],
    ]);
    expect(a.conn.sent).toEqual([[0x90, 0x10, 0x7f]]);
    expect(seen).toEqual(['midi:a ch/1/fader 1.4961', 'midi:b ch/1/mute 1.0000']);
  });

  it('a fader the web holds is not moved by the surface: the standing value is sent back to it', () => {
    const f = surfaceFixture();
    const { s, conn } = surface(f, 'a');
    expect(f.store.touch('ch/1/fader', 'ws:1').ok).toBe(true);
    conn.feed(0xb0, 0x00, 20);
    expect(f.store.value('ch/1/fader')).toBe(-4);
    expect(conn.sent).toEqual([[0xb0, 0x00, 83]]); // -4 dB: position 0.65
    expect(s.status().dropped).toBe(1);
  });
});

describe('generic feedback: bank and layer changes', () => {
  it('a strip with no parameter for a control is parked: ring at 0, LED off', () => {
    const f = surfaceFixture();
    const { conn } = surface(f, 'a');
    conn.feed(0x90, 0x32, 0x7f); // layer master: strip 1 = master, strip 2 = monitor (fader only)
    expect(conn.sent).toEqual([
      [0xb0, 0x00, 95], // master fader 0 dB: 0.75
      [0xb0, 0x01, 76], // monitor level -6 dB
      [0xb0, 0x10, 64], // master balance centre
      [0xb0, 0x11, 0x00], // parked: the monitor has no pan
      [0x90, 0x10, 0x00],
      [0x90, 0x11, 0x00], // parked: no mute
      [0x90, 0x18, 0x00], // strip 1 (the master) is not the selected strip
      [0x90, 0x32, 0x7f], // the layer button lights
    ]);
  });

  it('a select button selects its strip and lights; the bank moves its LED', () => {
    const f = surfaceFixture();
    const { conn } = surface(f, 'a');
    conn.feed(0x90, 0x2f, 0x7f); // strip 1 = ch 3
    conn.sent.length = 0;
    conn.feed(0x90, 0x18, 0x7f);
    expect(conn.sent).toEqual([[0x90, 0x18, 0x7f]]);
    conn.sent.length = 0;
    conn.feed(0x90, 0x2e, 0x7f); // strip 1 = ch 1: not selected now
    expect(conn.sent).toContainEqual([0x90, 0x18, 0x00]);
  });

  it('controls on fixed parameters are not re-sent by a bank change', () => {
    const f = surfaceFixture();
    const { conn } = surface(f, 'a');
    conn.feed(0x90, 0x2f, 0x7f);
    const ccs = conn.sent.filter((m) => m[0] === 0xb0).map((m) => m[1]);
    expect(ccs).toEqual([0x00, 0x01, 0x10, 0x11]);
  });
});
