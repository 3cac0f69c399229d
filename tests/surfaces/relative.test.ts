import { describe, expect, it } from 'vitest';
import { RELATIVE } from '../../src/surfaces/midi/relative.js';
import { RELATIVE_ENCODINGS } from '../../src/surfaces/types.js';

describe('relative encoders: the reference table, row by row', () => {
  it('twos-complement (REAPER Relative 1): +1 = 01, -1 = 7F, v < 64 ? v : v - 128', () => {
    const r = RELATIVE['twos-complement'];
    expect([r.encode(1), r.encode(-1)]).toEqual([0x01, 0x7f]);
    expect([0x01, 0x7f, 0x00, 0x3f, 0x40, 0x41, 0x70].map(r.decode)).toEqual([1, -1, 0, 63, -64, -63, -16]);
    for (let v = 0; v < 128; v++) expect(r.decode(v)).toBe(v < 64 ? v : v - 128);
  });

  it('binary-offset (REAPER Relative 2): +1 = 41, -1 = 3F, v - 64, 40 = no move', () => {
    const r = RELATIVE['binary-offset'];
    expect([r.encode(1), r.encode(-1), r.encode(0)]).toEqual([0x41, 0x3f, 0x40]);
    expect([0x41, 0x3f, 0x40, 0x00, 0x7f, 0x45].map(r.decode)).toEqual([1, -1, 0, -64, 63, 5]);
    for (let v = 0; v < 128; v++) expect(r.decode(v)).toBe(v - 64);
  });

  it('sign-magnitude, sign = negative (Mackie, REAPER Relative 3): +1 = 01, -1 = 41, v < 64 ? v : 64 - v', () => {
    const r = RELATIVE['sign-magnitude'];
    expect([r.encode(1), r.encode(-1)]).toEqual([0x01, 0x41]);
    // LCdoc: B0 10 01 = one tick clockwise, B0 17 47 = seven ticks counter-clockwise.
    expect([r.decode(0x01), r.decode(0x47)]).toEqual([1, -7]);
    // Ardour's MCU capture (V-Pot 3): 41 44 4C 01 04 0F.
    expect([0x41, 0x44, 0x4c, 0x01, 0x04, 0x0f].map(r.decode)).toEqual([-1, -4, -12, 1, 4, 15]);
    for (let v = 1; v < 128; v++) if (v !== 64) expect(r.decode(v)).toBe(v < 64 ? v : 64 - v);
  });

  it('sign-magnitude zero magnitudes mean one tick (devices that send 0 for 1, as Ardour reads them)', () => {
    const r = RELATIVE['sign-magnitude'];
    expect(r.decode(0x00)).toBe(1);
    expect(r.decode(0x40)).toBe(-1);
  });

  it('sign-magnitude, sign = positive (HUI): +1 = 41, -1 = 01, v > 64 ? v - 64 : -v; 00 and 40 are no move', () => {
    const r = RELATIVE['sign-magnitude-positive'];
    expect([r.encode(1), r.encode(-1), r.encode(0)]).toEqual([0x41, 0x01, 0x00]);
    expect([0x41, 0x01, 0x4f, 0x0f, 0x7f, 0x3f].map(r.decode)).toEqual([1, -1, 15, -15, 63, -63]);
    expect(Object.is(r.decode(0x00), 0)).toBe(true);
    expect(r.decode(0x40)).toBe(0);
    for (let v = 1; v < 128; v++) if (v !== 64) expect(r.decode(v)).toBe(v > 64 ? v - 64 : -v);
  });

  it('round trips every delta -63..63 in all four encodings (sign-magnitude has no zero)', () => {
    for (const name of RELATIVE_ENCODINGS) {
      const r = RELATIVE[name];
      for (let d = -63; d <= 63; d++) {
        const v = r.encode(d);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(127);
        const expected = name === 'sign-magnitude' && d === 0 ? 1 : d;
        expect(r.decode(v), `${name} ${d}`).toBe(expected);
      }
    }
  });

  it('encodes only what one message can carry: deltas are rounded and clamped', () => {
    expect(RELATIVE['twos-complement'].encode(100)).toBe(63);
    expect(RELATIVE['twos-complement'].encode(-100)).toBe(0x40);
    expect(RELATIVE['binary-offset'].encode(-64)).toBe(0x00);
    expect(RELATIVE['binary-offset'].encode(99)).toBe(0x7f);
    expect(RELATIVE['sign-magnitude'].encode(-99)).toBe(0x7f);
    expect(RELATIVE['sign-magnitude-positive'].encode(2.6)).toBe(0x43);
    expect(RELATIVE['twos-complement'].encode(Number.NaN)).toBe(0);
  });

  it('masks the value to 7 bits', () => {
    expect(RELATIVE['twos-complement'].decode(0x17f)).toBe(-1);
    expect(RELATIVE['binary-offset'].decode(0x141)).toBe(1);
  });
});
