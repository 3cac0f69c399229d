/**
 * Generic MIDI surface, input: every message type moving a parameter to an exact value, the four
 * encoder encodings, takeover, buttons with their LED bytes, actions, garbage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGenericSurface } from '../../src/surfaces/generic/driver.js';
import type { LearningSurface } from '../../src/surfaces/surface.js';
import type { DeviceSpec, Mapping, SurfaceProfile } from '../../src/surfaces/types.js';
import { fakeConnection, surfaceFixture, type FakeConnection, type SurfaceFixture } from '../helpers/surfaces.js';

const DEVICE: DeviceSpec = {
  id: 'test-controller',
  name: 'Test controller',
  protocol: 'generic',
  ports: ['test controller'],
  capabilities: ['ledFeedback'],
  controls: [
    { id: 'fader1', kind: 'fader', message: 'cc', channel: 1, number: 0 },
    { id: 'fader2', kind: 'fader', message: 'cc', channel: 1, number: 1 },
    { id: 'knob1', kind: 'knob', message: 'cc', channel: 1, number: 16 },
    { id: 'hires', kind: 'fader', message: 'cc14', channel: 1, number: 7 },
    { id: 'nrpn1', kind: 'knob', message: 'nrpn', channel: 1, number: 200 },
    { id: 'nrpn2', kind: 'knob', message: 'nrpn14', channel: 1, number: 201 },
    { id: 'pb1', kind: 'fader', message: 'pitchbend', channel: 2 },
    { id: 'prog', kind: 'button', message: 'program', channel: 1 },
    { id: 'prog2', kind: 'button', message: 'program', channel: 2 },
    { id: 'enc-twos', kind: 'encoder', message: 'cc', channel: 1, number: 20, encoding: 'twos-complement' },
    { id: 'enc-offset', kind: 'encoder', message: 'cc', channel: 1, number: 21, encoding: 'binary-offset' },
    { id: 'enc-sm', kind: 'encoder', message: 'cc', channel: 1, number: 22, encoding: 'sign-magnitude' },
    { id: 'enc-smp', kind: 'encoder', message: 'cc', channel: 1, number: 23, encoding: 'sign-magnitude-positive' },
    { id: 'enc-switch', kind: 'encoder', message: 'cc', channel: 1, number: 24, encoding: 'twos-complement' },
    { id: 'enc-enum', kind: 'encoder', message: 'cc', channel: 1, number: 25, encoding: 'twos-complement' },
    { id: 'mute1', kind: 'button', message: 'note', channel: 1, number: 16 },
    { id: 'solo1', kind: 'button', message: 'note', channel: 1, number: 8 },
    { id: 'latch1', kind: 'button', message: 'cc', channel: 1, number: 64, latching: true },
    { id: 'dim', kind: 'button', message: 'cc', channel: 1, number: 65, ledOn: 1, ledOff: 0 },
    { id: 'bank-left', kind: 'button', message: 'note', channel: 1, number: 46 },
    { id: 'bank-right', kind: 'button', message: 'note', channel: 1, number: 47 },
  ],
};

const MAPPINGS: Mapping[] = [
  { control: 'fader1', target: 'strip:1:fader' },
  { control: 'fader2', target: 'strip:2:fader' },
  { control: 'knob1', target: 'strip:1:pan' },
  { control: 'hires', target: 'master/fader' },
  { control: 'nrpn1', target: 'ch/1/eq/1/gain' },
  { control: 'nrpn2', target: 'ch/1/eq/1/freq' },
  { control: 'pb1', target: 'ch/3/fader' },
  { control: 'prog', target: 'ch/1/eq/1/type' },
  { control: 'prog2', target: 'ch/1/eq/2/gain' },
  { control: 'enc-twos', target: 'ch/2/pan' },
  { control: 'enc-offset', target: 'ch/3/pan' },
  { control: 'enc-sm', target: 'ch/4/pan' },
  { control: 'enc-smp', target: 'ch/5/pan' },
  { control: 'enc-switch', target: 'ch/6/mute' },
  { control: 'enc-enum', target: 'ch/1/hpf/slope' },
  { control: 'mute1', target: 'strip:1:mute', button: 'toggle' },
  { control: 'solo1', target: 'strip:1:solo', button: 'momentary' },
  { control: 'latch1', target: 'ch/4/mute' },
  { control: 'dim', target: 'ch/7/mute', button: 'momentary' },
  { control: 'bank-left', target: 'action:bank-left' },
  { control: 'bank-right', target: 'action:bank-right' },
];

interface Rig {
  f: SurfaceFixture;
  s: LearningSurface;
  conn: FakeConnection;
}

const open: LearningSurface[] = [];
afterEach(() => {
  while (open.length > 0) open.pop()?.dispose();
});

function rig(profile: Partial<SurfaceProfile> = {}, device: DeviceSpec = DEVICE): Rig {
  const f = surfaceFixture();
  const s = createGenericSurface(f.ctx, {
    id: 'ctl',
    device,
    profile: { id: 'test.default', device: device.id, name: 'Test', takeover: 'jump', mappings: MAPPINGS, ...profile },
  });
  open.push(s);
  const conn = fakeConnection('Test Controller MIDI 1');
  s.connect(0, conn);
  conn.sent.length = 0;
  return { f, s, conn };
}

describe('generic surface: absolute controls, one per message type', () => {
  it('7-bit CC: B0 00 53 (83) puts strip 1 (ch 1) at position 83/127 = -3.858268 dB', () => {
    const { f, conn } = rig();
    conn.feed(0xb0, 0x00, 83);
    expect(f.store.value('ch/1/fader')).toBeCloseTo(-3.858268, 6);
    expect(conn.sent).toEqual([]); // no echo
  });

  it('14-bit CC: B0 07 60 B0 27 10 = 12304 -> master at 12304/16383 = +0.040896 dB, on the LSB', () => {
    const { f, conn } = rig();
    conn.feed(0xb0, 0x07, 0x60);
    expect(f.store.value('master/fader')).toBe(0);
    conn.feed(0xb0, 0x27, 0x10);
    expect(f.store.value('master/fader')).toBeCloseTo(0.040896, 6);
  });

  it('14-bit CC: an MSB alone is applied as MSB << 7 at the first tick after 20 ms', () => {
    const { f, s, conn } = rig();
    f.setTime(5000);
    conn.feed(0xb0, 0x07, 0x40);
    s.tick(5020);
    expect(f.store.value('master/fader')).toBe(0);
    s.tick(5021);
    // 8192 / 16383 -> -10 + (8192/16383 - 0.5) * 40 dB
    expect(f.store.value('master/fader')).toBeCloseTo(-9.998779, 6);
  });

  it('NRPN 7-bit: B0 63 01 B0 62 48 B0 06 64 -> NRPN 200 = 100 -> EQ 1 gain -15 + 30 * 100/127 = 8.622047 dB', () => {
    const { f, conn } = rig();
    conn.feed(0xb0, 0x63, 0x01, 0xb0, 0x62, 0x48, 0xb0, 0x06, 0x64);
    expect(f.store.value('ch/1/eq/1/gain')).toBeCloseTo(8.622047, 6);
    // Increment (CC 96) is one encoder tick: +0.01 of the travel = +0.3 dB.
    conn.feed(0xb0, 0x60, 0x00);
    expect(f.store.value('ch/1/eq/1/gain')).toBeCloseTo(8.922047, 6);
  });

  it('NRPN 14-bit: B0 63 01 B0 62 49 B0 06 40 B0 26 00 -> 8192 -> EQ 1 frequency 632.5889 Hz', () => {
    const { f, conn } = rig();
    conn.feed(0xb0, 0x63, 0x01, 0xb0, 0x62, 0x49, 0xb0, 0x06, 0x40);
    expect(f.store.value('ch/1/eq/1/freq')).toBe(60);
    conn.feed(0xb0, 0x26, 0x00);
    expect(f.store.value('ch/1/eq/1/freq')).toBeCloseTo(632.5889, 4);
  });

  it('pitch bend: E1 00 40 (8192) -> ch 3 at -9.998779 dB; E1 7F 7F -> +10 dB', () => {
    const { f, conn } = rig();
    conn.feed(0xe1, 0x00, 0x40);
    expect(f.store.value('ch/3/fader')).toBeCloseTo(-9.998779, 6);
    conn.feed(0xe1, 0x7f, 0x7f);
    expect(f.store.value('ch/3/fader')).toBe(10);
  });

  it('program change: C0 03 sets the EQ type enum to 3 (lowpass), C0 09 clamps to 4; on a continuous one number/127', () => {
    const { f, conn } = rig();
    conn.feed(0xc0, 0x03);
    expect(f.store.value('ch/1/eq/1/type')).toBe(3);
    conn.feed(0xc0, 0x09);
    expect(f.store.value('ch/1/eq/1/type')).toBe(4);
    conn.feed(0xc1, 0x40);
    expect(f.store.value('ch/1/eq/2/gain')).toBeCloseTo(-15 + (30 * 64) / 127, 9);
  });

  it('a mapping range: min 0.5 max 1 puts raw 0 at position 0.5 (-10 dB) and raw 127 at +10 dB', () => {
    const { f, conn } = rig({ mappings: [{ control: 'fader1', target: 'ch/9/fader', min: 0.5, max: 1 }] });
    conn.feed(0xb0, 0x00, 0x00);
    expect(f.store.value('ch/9/fader')).toBe(-10);
    conn.feed(0xb0, 0x00, 0x7f);
    expect(f.store.value('ch/9/fader')).toBe(10);
  });
});

describe('generic surface: relative encoders', () => {
  it('twos-complement: B0 14 03 = +3 ticks (pan 0 -> 6), B0 14 7E = -2 (-> 2)', () => {
    const { f, conn } = rig();
    conn.feed(0xb0, 0x14, 0x03);
    expect(f.store.value('ch/2/pan')).toBeCloseTo(6, 9);
    conn.feed(0xb0, 0x14, 0x7e);
    expect(f.store.value('ch/2/pan')).toBeCloseTo(2, 9);
  });

  it('binary-offset: B0 15 45 = +5 (pan 30 -> 40), B0 15 3D = -3 (-> 34)', () => {
    const { f, conn } = rig();
    conn.feed(0xb0, 0x15, 0x45);
    expect(f.store.value('ch/3/pan')).toBeCloseTo(40, 9);
    conn.feed(0xb0, 0x15, 0x3d);
    expect(f.store.value('ch/3/pan')).toBeCloseTo(34, 9);
  });

  it('sign-magnitude: B0 16 02 = +2 (pan 0 -> 4), B0 16 47 = -7 (-> -10)', () => {
    const { f, conn } = rig();
    conn.feed(0xb0, 0x16, 0x02);
    expect(f.store.value('ch/4/pan')).toBeCloseTo(4, 9);
    conn.feed(0xb0, 0x16, 0x47);
    expect(f.store.value('ch/4/pan')).toBeCloseTo(-10, 9);
  });

  it('sign-magnitude-positive: B0 17 42 = +2 (pan 0 -> 4), B0 17 07 = -7 (-> -10)', () => {
    const { f, conn } = rig();
    conn.feed(0xb0, 0x17, 0x42);
    expect(f.store.value('ch/5/pan')).toBeCloseTo(4, 9);
    conn.feed(0xb0, 0x17, 0x07);
    expect(f.store.value('ch/5/pan')).toBeCloseTo(-10, 9);
  });

  it('a step size: step 0.05 makes one tick 10 pan units; the travel ends clamp', () => {
    const { f, conn } = rig({ mappings: [{ control: 'enc-twos', target: 'ch/2/pan', step: 0.05 }] });
    conn.feed(0xb0, 0x14, 0x01);
    expect(f.store.value('ch/2/pan')).toBeCloseTo(10, 9);
    conn.feed(0xb0, 0x14, 0x3f); // +63 ticks: past the end
    expect(f.store.value('ch/2/pan')).toBe(100);
  });

  it('switches and enums move one step per tick, clamped', () => {
    const { f, conn } = rig();
    conn.feed(0xb0, 0x18, 0x01);
    expect(f.store.value('ch/6/mute')).toBe(1);
    conn.feed(0xb0, 0x18, 0x01);
    expect(f.store.value('ch/6/mute')).toBe(1);
    conn.feed(0xb0, 0x18, 0x7f);
    expect(f.store.value('ch/6/mute')).toBe(0);
    expect(f.store.value('ch/1/hpf/slope')).toBe(2);
    conn.feed(0xb0, 0x19, 0x7f);
    expect(f.store.value('ch/1/hpf/slope')).toBe(1);
    conn.feed(0xb0, 0x19, 0x7d); // -3: stops at 0
    expect(f.store.value('ch/1/hpf/slope')).toBe(0);
  });
});

describe('generic surface: takeover of controls without motors', () => {
  it('pickup: after the web moves the fader, the control must cross it before it acts', () => {
    const { f, conn } = rig({ takeover: undefined });
    // ch/1 starts at -4 dB (position 0.65): raw 83 (0.654) is within 1/127: it locks at once.
    conn.feed(0xb0, 0x00, 83);
    expect(f.store.value('ch/1/fader')).toBeCloseTo(-3.858268, 6);
    // The web remote puts it at -30 dB (position 0.25).
    f.store.set('ch/1/fader', -30, 'ws:1');
    conn.feed(0xb0, 0x00, 80, 0xb0, 0x00, 60, 0xb0, 0x00, 40, 0xb0, 0x00, 33);
    expect(f.store.value('ch/1/fader')).toBe(-30);
    conn.feed(0xb0, 0x00, 30); // 0.236: crosses 0.25, picked up
    expect(f.store.value('ch/1/fader')).toBeCloseTo(-32.204724, 6);
    conn.feed(0xb0, 0x00, 35);
    expect(f.store.value('ch/1/fader')).toBeCloseTo(-27.952756, 6);
  });

  it('pickup is per mapping: a mapping in jump mode follows at once', () => {
    const { f, conn } = rig({ takeover: 'pickup', mappings: [{ control: 'fader1', target: 'ch/1/fader', takeover: 'jump' }] });
    conn.feed(0xb0, 0x00, 30);
    expect(f.store.value('ch/1/fader')).toBeCloseTo(-32.204724, 6);
  });

  it('scaled: param at -10 dB (0.5), control 25 -> 38: 0.5 + (13/127)(0.5)/(102/127) = 0.563725 -> -7.450980 dB', () => {
    const { f, conn } = rig({ takeover: 'scaled' });
    f.store.set('ch/1/fader', -10, 'ws:1');
    conn.feed(0xb0, 0x00, 25);
    expect(f.store.value('ch/1/fader')).toBe(-10);
    conn.feed(0xb0, 0x00, 38);
    expect(f.store.value('ch/1/fader')).toBeCloseTo(-7.450980, 6);
  });

  it('a bank change makes the controls pick up their new strip', () => {
    const { f, conn } = rig({ takeover: 'pickup' });
    conn.feed(0xb0, 0x00, 83); // ch 1 locked
    conn.feed(0x90, 0x2f, 0x7f); // bank right: strip 1 = ch 3 (-12 dB, position 0.475)
    conn.feed(0xb0, 0x00, 100);
    expect(f.store.value('ch/3/fader')).toBe(-12);
    conn.feed(0xb0, 0x00, 50); // crosses 0.475
    expect(f.store.value('ch/3/fader')).toBeCloseTo(-30 + ((50 / 127 - 0.25) / 0.25) * 20, 6);
    expect(f.store.value('ch/1/fader')).toBeCloseTo(-3.858268, 6);
  });

  it('motor faders are never taken over: they follow at once', () => {
    const motor: DeviceSpec = { ...DEVICE, capabilities: ['motorFaders', 'ledFeedback'] };
    const { f, conn } = rig({ takeover: 'pickup' }, motor);
    conn.feed(0xb0, 0x00, 30);
    expect(f.store.value('ch/1/fader')).toBeCloseTo(-32.204724, 6);
    expect(conn.sent).toEqual([]); // and not sent back
  });
});

describe('generic surface: buttons', () => {
  it('toggle: press flips mute and lights the LED; release does nothing', () => {
    const { f, conn } = rig();
    conn.feed(0x90, 0x10, 0x7f);
    expect(f.store.value('ch/1/mute')).toBe(1);
    expect(conn.sent).toEqual([[0x90, 0x10, 0x7f]]);
    conn.feed(0x80, 0x10, 0x40);
    expect(f.store.value('ch/1/mute')).toBe(1);
    expect(conn.sent).toEqual([[0x90, 0x10, 0x7f]]);
    conn.feed(0x90, 0x10, 0x7f, 0x90, 0x10, 0x00); // press, release (velocity 0)
    expect(f.store.value('ch/1/mute')).toBe(0);
    expect(conn.sent).toEqual([[0x90, 0x10, 0x7f], [0x90, 0x10, 0x00]]);
  });

  it('momentary: on while held, LED on then off', () => {
    const { f, conn } = rig();
    conn.feed(0x90, 0x08, 0x7f);
    expect(f.store.value('ch/1/solo')).toBe(1);
    conn.feed(0x90, 0x08, 0x00);
    expect(f.store.value('ch/1/solo')).toBe(0);
    expect(conn.sent).toEqual([[0x90, 0x08, 0x7f], [0x90, 0x08, 0x00]]);
  });

  it('latching hardware: the state it sends is the state set', () => {
    const { f, conn } = rig();
    conn.feed(0xb0, 0x40, 0x7f);
    expect(f.store.value('ch/4/mute')).toBe(1);
    conn.feed(0xb0, 0x40, 0x00);
    expect(f.store.value('ch/4/mute')).toBe(0);
    expect(conn.sent).toEqual([[0xb0, 0x40, 0x7f], [0xb0, 0x40, 0x00]]);
  });

  it("a control's own LED values (ledOn 1) are used", () => {
    const { f, conn } = rig();
    conn.feed(0xb0, 0x41, 0x7f);
    expect(f.store.value('ch/7/mute')).toBe(1);
    expect(conn.sent).toEqual([[0xb0, 0x41, 0x01]]);
  });

  it('a refused press (the web holds the parameter) changes nothing, shows the standing state and counts as dropped', () => {
    const { f, s, conn } = rig();
    expect(f.store.touch('ch/1/mute', 'ws:1').ok).toBe(true);
    conn.feed(0x90, 0x10, 0x7f);
    expect(f.store.value('ch/1/mute')).toBe(0);
    expect(conn.sent).toEqual([[0x90, 0x10, 0x00]]);
    expect(s.status().dropped).toBe(1);
  });

  it('actions: bank right moves strip 1 to ch 3 (width 2 from the mappings), bank left back', () => {
    const { f, s, conn } = rig();
    conn.feed(0x90, 0x2f, 0x7f, 0x80, 0x2f, 0x00);
    expect(s.status().bank).toBe('Inputs 3-4, selected ch/1');
    conn.feed(0xb0, 0x00, 0x00, 0xb0, 0x01, 0x00);
    expect([f.store.value('ch/3/fader'), f.store.value('ch/4/fader'), f.store.value('ch/1/fader')]).toEqual([-90, -90, -4]);
    conn.feed(0x90, 0x2e, 0x7f);
    expect(s.status().bank).toBe('Inputs 1-2, selected ch/1');
  });
});

describe('generic surface: robustness and counters', () => {
  it('counts received, sent and dropped messages exactly', () => {
    const { s, conn } = rig();
    conn.feed(0x90, 0x10, 0x7f); // received 1, sent 1 (LED)
    conn.feed(0xb0, 0x70, 0x01); // unmapped CC: dropped
    conn.feed(0x42); // a data byte with no status: dropped by the parser
    conn.feed(0xd0, 0x10); // channel pressure: nothing a generic control sends
    conn.feed(0xb0, 0x06, 0x10); // data entry with no NRPN selected: plain CC 6, unmatched
    // sent: the six LEDs shown on connect, then the mute LED.
    expect(s.status()).toMatchObject({ received: 4, sent: 7, dropped: 4, units: [{ device: 'test-controller', port: 'Test Controller MIDI 1', connected: true }] });
  });

  it('garbage bytes never throw, leave every value finite, and valid messages still work after them', () => {
    const { f, s, conn } = rig();
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed >> 8;
    };
    for (let chunk = 0; chunk < 200; chunk++) {
      const bytes = Array.from({ length: 1 + (rand() % 64) }, () => rand() & 0xff);
      expect(() => conn.feed(...bytes)).not.toThrow();
      expect(() => s.tick(1_000_000 + chunk * 30)).not.toThrow();
    }
    for (const v of f.store.snapshot().values) expect(Number.isFinite(v)).toBe(true);
    const st = s.status();
    expect(st.received).toBeGreaterThan(100);
    expect(st.dropped).toBeGreaterThan(100);
    conn.feed(0xf7, 0xb0, 0x63, 0x7f, 0xb0, 0x62, 0x7f); // end any SysEx, deselect any NRPN
    const mute = f.store.value('ch/1/mute');
    conn.sent.length = 0;
    conn.feed(0x90, 0x10, 0x7f);
    expect(f.store.value('ch/1/mute')).toBe(1 - mute);
    expect(conn.sent).toEqual([[0x90, 0x10, mute === 0 ? 0x7f : 0x00]]);
  });

  it('a disconnected surface sends nothing and reconnects with everything it shows', () => {
    const { f, s, conn } = rig();
    conn.feed(0x90, 0x10, 0x7f);
    conn.unplug();
    s.disconnect(0);
    f.store.set('ch/1/mute', 0, 'ws:1');
    expect(s.status().units[0].connected).toBe(false);
    const again = fakeConnection('Test Controller MIDI 1');
    s.connect(0, again);
    // Every button with an LED: mute1 (off), solo1 (off), latch1, dim, bank-left/right (unlit).
    expect(again.sent).toEqual([
      [0x90, 0x10, 0x00],
      [0x90, 0x08, 0x00],
      [0xb0, 0x40, 0x00],
      [0xb0, 0x41, 0x00],
      [0x90, 0x2e, 0x00],
      [0x90, 0x2f, 0x00],
    ]);
  });
});
