import { describe, expect, it } from 'vitest';
import { DB_PER_LOG2, EXP2_LIMIT, FastMath, LOG2_FLOOR } from '../../src/engine/fastmath.js';

/** Deterministic uniform numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

describe('FastMath.log2', () => {
  const fm = new FastMath();

  it('is exact at powers of two and at 1', () => {
    for (let e = -99; e <= 127; e++) expect(fm.log2(2 ** e)).toBe(e);
    expect(fm.log2(1)).toBe(0);
  });

  it('is within 3.3e-7 of Math.log2 (2e-6 dB) over 200 dB of float32 levels', () => {
    const r = rng(11);
    let worst = 0;
    for (let i = 0; i < 200000; i++) {
      // Levels from −160 to +40 dBFS, rounded to float32 as audio samples are.
      const x = Math.fround(10 ** ((r() * 200 - 160) / 20));
      worst = Math.max(worst, Math.abs(fm.log2(x) - Math.log2(x)));
    }
    expect(worst).toBeLessThan(3.3e-7);
    expect(worst * DB_PER_LOG2).toBeLessThan(0.01);
  });

  it('is within float32 rounding of Math.log2 for double inputs', () => {
    const r = rng(5);
    let worst = 0;
    for (let i = 0; i < 100000; i++) {
      const x = 2 ** (r() * 40 - 20);
      worst = Math.max(worst, Math.abs(fm.log2(x) - Math.log2(x)));
    }
    // Polynomial error 3.3e-7 plus the float32 rounding of x (log2(1 + 6e-8) = 8.6e-8).
    expect(worst).toBeLessThan(4.2e-7);
  });

  it('is continuous and monotonic across the octave seams, float32 step by float32 step', () => {
    const f = new Float32Array(1);
    const bits = new Int32Array(f.buffer);
    for (const seam of [0.25, 1, 2, 1024]) {
      f[0] = seam;
      const start = bits[0] - 2000;
      let prev = -Infinity;
      for (let b = start; b < start + 4000; b++) {
        bits[0] = b;
        const v = fm.log2(f[0]);
        expect(v, `at ${f[0]}`).toBeGreaterThan(prev);
        prev = v;
      }
    }
    // Dense check inside one octave (polynomial monotonic between the seams).
    let prev = -Infinity;
    for (let x = 1; x < 2; x += 1e-5) {
      const v = fm.log2(x);
      expect(v).toBeGreaterThanOrEqual(prev);
      prev = v;
    }
  });

  it('clamps zero, negatives, NaN and huge values instead of returning NaN/Inf', () => {
    const floor = Math.log2(LOG2_FLOOR);
    for (const x of [0, -1, -0, NaN, -Infinity, 1e-40]) expect(Math.abs(fm.log2(x) - floor)).toBeLessThan(1e-6);
    expect(Number.isFinite(fm.log2(Infinity))).toBe(true);
    expect(fm.log2(Infinity)).toBeCloseTo(Math.log2(3.4e38), 5);
  });
});

describe('FastMath.exp2', () => {
  const fm = new FastMath();

  it('is exact at integers and gives exactly 1 at 0', () => {
    for (let n = -126; n <= 126; n++) expect(fm.exp2(n)).toBe(2 ** n);
    expect(fm.exp2(0)).toBe(1);
    expect(fm.exp2(-0)).toBe(1);
  });

  it('has relative error below 1e-7 (9e-7 dB) over ±100 octaves', () => {
    const r = rng(3);
    let worst = 0;
    for (let i = 0; i < 200000; i++) {
      const x = r() * 200 - 100;
      worst = Math.max(worst, Math.abs(fm.exp2(x) / 2 ** x - 1));
    }
    expect(worst).toBeLessThan(1e-7);
  });

  it('dbToGain and gainToDb match 10^(dB/20) and 20·log10 within 1e-5 dB', () => {
    for (let db = -120; db <= 24; db += 0.37) {
      expect(Math.abs(20 * Math.log10(fm.dbToGain(db)) - db)).toBeLessThan(1e-5);
      const g = Math.fround(10 ** (db / 20));
      expect(Math.abs(fm.gainToDb(g) - 20 * Math.log10(g))).toBeLessThan(1e-5);
    }
    expect(fm.dbToGain(0)).toBe(1);
  });

  it('clamps its argument and never returns NaN or Inf', () => {
    expect(fm.exp2(1e9)).toBe(2 ** EXP2_LIMIT);
    expect(fm.exp2(-1e9)).toBe(2 ** -EXP2_LIMIT);
    expect(fm.exp2(Infinity)).toBe(2 ** EXP2_LIMIT);
    expect(fm.exp2(NaN)).toBe(1);
  });
});
