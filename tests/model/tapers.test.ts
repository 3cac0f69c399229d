import { describe, expect, it } from 'vitest';
import {
  FADER_MAX_DB,
  FADER_OFF_DB,
  dbToGain,
  enumTaper,
  faderTaper,
  gainToDb,
  linearTaper,
  logTaper,
  panTaper,
  switchTaper,
  zeroLogTaper,
  type Taper,
} from '../../src/model/tapers.js';
import { ParamRegistry } from '../../src/model/registry.js';
import { defaultLayout } from '../../src/model/layout.js';

const STEPS = 4096;

/** Every taper: position -> value -> position round trips, and value is monotonic in position. */
function checkTaper(t: Taper, min: number, max: number, tol = 1e-9): void {
  let prev = -Infinity;
  for (let i = 0; i <= STEPS; i++) {
    const p = i / STEPS;
    const v = t.fromPosition(p);
    expect(v, `${t.name}: value at ${p} is within range`).toBeGreaterThanOrEqual(min - 1e-12);
    expect(v).toBeLessThanOrEqual(max + 1e-12);
    expect(v, `${t.name}: monotonic at position ${p}`).toBeGreaterThanOrEqual(prev);
    prev = v;
    expect(Math.abs(t.toPosition(v) - p), `${t.name}: round trip at position ${p}`).toBeLessThanOrEqual(tol);
  }
  // value -> position -> value over the value range, too
  for (let i = 0; i <= STEPS; i++) {
    const v = min + ((max - min) * i) / STEPS;
    const back = t.fromPosition(t.toPosition(v));
    expect(Math.abs(back - v), `${t.name}: value round trip at ${v}`).toBeLessThanOrEqual(Math.max(1e-9, Math.abs(v) * 1e-12));
  }
  expect(t.toPosition(min)).toBe(0);
  expect(t.toPosition(max)).toBe(1);
  expect(t.fromPosition(0)).toBe(min);
  expect(t.fromPosition(1)).toBe(max);
  // out of range clamps
  expect(t.toPosition(max + 1000)).toBe(1);
  expect(t.fromPosition(7)).toBe(max);
  expect(t.fromPosition(-3)).toBe(min);
}

describe('tapers', () => {
  it('fader law: round trip, monotonic, anchors', () => {
    checkTaper(faderTaper, FADER_OFF_DB, FADER_MAX_DB);
    expect(faderTaper.toPosition(0)).toBe(0.75);
    expect(faderTaper.fromPosition(0.75)).toBe(0);
    expect(faderTaper.fromPosition(0.5)).toBe(-10);
    expect(faderTaper.fromPosition(0.25)).toBe(-30);
    expect(faderTaper.fromPosition(0.0625)).toBe(-60);
    expect(faderTaper.fromPosition(1)).toBe(10);
    expect(faderTaper.toPosition(-Infinity)).toBe(0);
  });
  it('fader law is strictly increasing (no flat spots)', () => {
    for (let i = 1; i <= STEPS; i++) expect(faderTaper.fromPosition(i / STEPS)).toBeGreaterThan(faderTaper.fromPosition((i - 1) / STEPS));
  });
  it('linear, log, zero-log', () => {
    checkTaper(linearTaper(-15, 15), -15, 15);
    checkTaper(logTaper(20, 20000), 20, 20000);
    checkTaper(logTaper(0.3, 10), 0.3, 10);
    checkTaper(logTaper(1, 50), 1, 50);
    checkTaper(zeroLogTaper(1, 2000), 0, 2000);
    // log frequency: 632.46 Hz (geometric mean) sits at the centre
    expect(logTaper(20, 20000).fromPosition(0.5)).toBeCloseTo(Math.sqrt(20 * 20000), 9);
    // each decade takes a third of the travel
    expect(logTaper(20, 20000).toPosition(200)).toBeCloseTo(1 / 3, 12);
  });
  it('pan: centre is exact', () => {
    checkTaper(panTaper, -100, 100);
    expect(panTaper.fromPosition(0.5)).toBe(0);
    expect(Object.is(panTaper.fromPosition(0.5), 0)).toBe(true);
    expect(panTaper.toPosition(0)).toBe(0.5);
    expect(panTaper.fromPosition(0.25)).toBe(-50);
  });
  it('enums and switches snap to steps', () => {
    const e = enumTaper(5);
    for (let k = 0; k < 5; k++) {
      expect(e.fromPosition(e.toPosition(k))).toBe(k);
    }
    let prev = -1;
    for (let i = 0; i <= STEPS; i++) {
      const v = e.fromPosition(i / STEPS);
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(prev);
      prev = v;
    }
    expect(e.fromPosition(0.49)).toBe(2);
    expect(switchTaper.fromPosition(0.6)).toBe(1);
    expect(switchTaper.fromPosition(0.4)).toBe(0);
  });
  it('NaN never leaks out of a taper', () => {
    for (const t of [faderTaper, panTaper, logTaper(20, 20000), linearTaper(0, 1), enumTaper(3), zeroLogTaper(1, 200)]) {
      expect(Number.isNaN(t.fromPosition(Number.NaN))).toBe(false);
      expect(Number.isNaN(t.toPosition(Number.NaN))).toBe(false);
    }
  });
  it('rejects impossible ranges', () => {
    expect(() => logTaper(0, 10)).toThrow(RangeError);
    expect(() => linearTaper(5, 5)).toThrow(RangeError);
    expect(() => enumTaper(1)).toThrow(RangeError);
  });
  it('dB conversions', () => {
    expect(dbToGain(0)).toBe(1);
    expect(dbToGain(FADER_OFF_DB)).toBe(0);
    expect(dbToGain(-6.0206)).toBeCloseTo(0.5, 5);
    expect(gainToDb(0.5)).toBeCloseTo(-6.0206, 4);
  });
});

describe('every descriptor of the default layout', () => {
  const reg = new ParamRegistry(defaultLayout());
  it('has a default inside its range that round-trips through its taper', () => {
    for (const d of reg.descriptors) {
      expect(d.default, d.address).toBeGreaterThanOrEqual(d.min);
      expect(d.default, d.address).toBeLessThanOrEqual(d.max);
      const back = d.taper.fromPosition(d.taper.toPosition(d.default));
      expect(Math.abs(back - d.default), d.address).toBeLessThanOrEqual(Math.abs(d.default) * 1e-12 + 1e-9);
      expect(d.taper.fromPosition(0), d.address).toBe(d.min);
      expect(d.taper.fromPosition(1), d.address).toBe(d.max);
    }
  });
});
