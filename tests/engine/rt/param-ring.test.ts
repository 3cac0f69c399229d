import { describe, expect, it } from 'vitest';
import { createParamRing, ParamRingReader, ParamRingWriter } from '../../../src/engine/rt/param-ring.js';
import { createSharedState, MeterPublisher, MeterReader } from '../../../src/engine/rt/shared-state.js';

describe('parameter ring', () => {
  it('delivers changes in order, with their times', () => {
    const b = createParamRing(8);
    const w = new ParamRingWriter(b);
    const r = new ParamRingReader(b);
    const table = new Float64Array(10);
    expect(w.write(3, -6.5, 1000)).toBe(true);
    expect(w.write(3, -7.25, 1001)).toBe(true);
    expect(w.write(9, 1, 1002)).toBe(true);
    expect(r.drain(table)).toBe(3);
    expect(table[3]).toBe(-7.25);
    expect(table[9]).toBe(1);
    expect(r.stats[0]).toBe(1000);
    expect(r.drain(table)).toBe(0);
    expect(Number.isNaN(r.stats[0])).toBe(true);
  });

  it('wraps around its capacity many times without losing a change', () => {
    const b = createParamRing(4);
    const w = new ParamRingWriter(b);
    const r = new ParamRingReader(b);
    const table = new Float64Array(4);
    for (let k = 0; k < 1000; k++) {
      w.write(k % 4, k);
      if (k % 3 === 2) r.drain(table);
    }
    r.drain(table);
    w.flush();
    r.drain(table);
    expect(Array.from(table)).toEqual([996, 997, 998, 999]);
  });

  it('holds back changes when full (latest value per index) and hands them over on flush', () => {
    const b = createParamRing(4);
    const w = new ParamRingWriter(b);
    const r = new ParamRingReader(b);
    const table = new Float64Array(8);
    for (let i = 0; i < 4; i++) expect(w.write(i, i + 0.5)).toBe(true);
    expect(w.write(5, 1)).toBe(false);
    expect(w.write(5, 2)).toBe(false);
    expect(w.write(6, 3)).toBe(false);
    expect(w.pending).toBe(2);
    expect(r.deferred()).toBe(3);
    expect(r.drain(table)).toBe(4);
    expect(w.flush()).toBe(0);
    expect(r.drain(table)).toBe(2);
    expect(table[5]).toBe(2);
    expect(table[6]).toBe(3);
  });

  it('drops and counts out-of-range indices and non-finite values', () => {
    const b = createParamRing(8);
    const w = new ParamRingWriter(b);
    const r = new ParamRingReader(b);
    const table = new Float64Array(4);
    w.write(-1, 1);
    w.write(4, 1);
    w.write(2, Number.NaN);
    w.write(1, Number.POSITIVE_INFINITY);
    w.write(0, 5);
    expect(r.drain(table)).toBe(1);
    expect(r.stats[1]).toBe(4);
    expect(Array.from(table)).toEqual([5, 0, 0, 0]);
  });

  it('refuses a capacity that is not a power of two', () => {
    expect(() => createParamRing(100)).toThrow(/power of two/);
  });
});

describe('meter snapshot', () => {
  it('reads back exactly what was published, and counts snapshots', () => {
    const s = createSharedState(5);
    const p = new MeterPublisher(s);
    const rd = new MeterReader(s);
    const out = new Float32Array(5);
    p.publish(Float32Array.of(1, 2, 3, 4, 5));
    p.publish(Float32Array.of(-1, -2, -3, -4, -5.5));
    expect(rd.read(out)).toBe(true);
    expect(Array.from(out)).toEqual([-1, -2, -3, -4, -5.5]);
    expect(rd.published).toBe(2);
  });

  it('does not report a read that overlapped a write as consistent', () => {
    const s = createSharedState(2);
    const rd = new MeterReader(s);
    const seq = new Int32Array(s.meters, 0, 1);
    seq[0] = 1; // a write in progress, never finished
    expect(rd.read(new Float32Array(2), 3)).toBe(false);
  });
});
