import { afterAll, describe, expect, it } from 'vitest';
import { LoudnessHistory, HISTORY_SIX_HOURS } from '../../src/engine/loudness-history.js';
import { LoudnessMeter, lufsFromPower } from '../../src/engine/loudness.js';
import { feedSegments, seg, type Segment } from './ebu-cases.js';
import { mulberry32 as rng } from '../helpers/random.js';

const measured: string[] = [];
afterAll(() => {
  // eslint-disable-next-line no-console
  if (process.env.LOUDNESS_REPORT) console.log(measured.join('\n'));
});

const pw = (lufs: number): number => Math.pow(10, (lufs + 0.691) / 10);
const powerOf = (l: number): number => (Number.isFinite(l) ? pw(l) : 0);


/**
 * A programme-like series of per-step loudness values: phrases of 2–12 s at levels drawn around
 * −23 LUFS (±8 LU), 10 % pauses, plus ±1.5 LU flutter per step. M and S (mean of the last 30 M
 * powers) powers, one per 100 ms step.
 */
function programme(steps: number, seed: number): { m: Float64Array; s: Float64Array } {
  const r = rng(seed);
  const m = new Float64Array(steps);
  let k = 0;
  while (k < steps) {
    const len = 20 + Math.floor(r() * 100);
    const pause = r() < 0.1;
    const level = -23 + (r() - 0.5) * 16;
    for (let i = 0; i < len && k < steps; i++, k++) m[k] = pause ? 0 : pw(level + (r() - 0.5) * 3);
  }
  const s = new Float64Array(steps);
  let acc = 0;
  for (let i = 0; i < steps; i++) {
    acc += m[i];
    if (i >= 30) acc -= m[i - 30];
    s[i] = Math.max(0, acc / 30);
  }
  return { m, s };
}

/** Reference BS.1770 gating over a plain list of block powers. */
function gated(blocks: ArrayLike<number>): number {
  const abs = pw(-70);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < blocks.length; i++) if (blocks[i] > abs) (sum += blocks[i]), n++;
  if (n === 0) return Number.NEGATIVE_INFINITY;
  const gate = Math.max(abs, (sum / n) * 0.1);
  sum = 0;
  n = 0;
  for (let i = 0; i < blocks.length; i++) if (blocks[i] > gate) (sum += blocks[i]), n++;
  return n ? lufsFromPower(sum / n) : Number.NEGATIVE_INFINITY;
}

/**
 * Run a meter over `segments` in 100 ms chunks and feed a history from each step, the way the
 * master chain does: every step with `warmup: true`, or (`skip`) from the 4th step, with S = 0
 * until the 30th, into a default history.
 */
function meterAndHistory(fs: number, segments: readonly Segment[], skip: boolean): { meter: LoudnessMeter; h: LoudnessHistory } {
  const meter = new LoudnessMeter(fs, 2);
  const h = new LoudnessHistory(HISTORY_SIX_HOURS, { warmup: !skip });
  let step = 0;
  feedSegments(meter, segments, {
    chunk: meter.tickLen * 10,
    onChunk: (mt) => {
      step++;
      const tp = Math.pow(10, mt.result().truePeakDbtp / 20);
      if (!skip) h.push(powerOf(mt.momentaryLufs()), powerOf(mt.shortTermLufs()), tp);
      else if (step >= 4) h.push(powerOf(mt.momentaryLufs()), step >= 30 ? powerOf(mt.shortTermLufs()) : 0, tp);
    },
  });
  return { meter, h };
}

describe('LoudnessHistory against LoudnessMeter', () => {
  // Loud, silent, gated-out quiet and medium passages: both gates act.
  const segments: Segment[] = [seg(20, -20), seg(5, null), seg(20, -36), seg(15, -26), seg(2, -12)];
  for (const fs of [48000, 44100]) {
    for (const skip of [false, true]) {
      it(`${fs} Hz, ${skip ? 'pushes from the first full block' : 'every step with warmup'}: I and LRA equal the meter's`, () => {
        const { meter, h } = meterAndHistory(fs, segments, skip);
        const r = meter.result();
        measured.push(`history vs meter @${fs} skip=${skip}: I ${h.integratedLufs()} / ${r.integratedLufs}, LRA ${h.loudnessRangeLu()} / ${r.loudnessRangeLu}`);
        expect(h.steps).toBe(skip ? 617 : 620);
        expect(Math.abs(h.integratedLufs() - r.integratedLufs)).toBeLessThan(1e-9);
        expect(Math.abs(h.loudnessRangeLu() - r.loudnessRangeLu)).toBeLessThan(1e-9);
        expect(r.loudnessRangeLu).toBeGreaterThan(5);
        expect(Math.abs(h.truePeakDbtp() - r.truePeakDbtp)).toBeLessThan(1e-9);
        // Max S at 100 ms equals the meter's 10 ms max for these steady segments to 0.01 LU.
        expect(Math.abs(h.shortTermMaxLufs() - r.shortTermMaxLufs)).toBeLessThan(0.01);
        // The −36 passage is below the relative gate: removing it changes nothing.
        expect(h.integratedLufs()).toBeGreaterThan(-24);
      });
    }
  }
});

describe('LoudnessHistory gating and ranges', () => {
  it('integratedLufs(from, to) gates within the stretch; matches a reference on random programmes', () => {
    const { m, s } = programme(6000, 7);
    const h = new LoudnessHistory();
    for (let i = 0; i < m.length; i++) h.push(m[i], s[i], 0.1);
    expect(h.integratedLufs()).toBe(gated(m));
    for (const [a, b] of [[0, 600], [600, 1200], [3000, 6000], [123, 4567]]) {
      expect(h.integratedLufs(a, b)).toBe(gated(m.subarray(a, b)));
    }
    expect(h.integratedLufs(10, 10)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('warmup keeps the first 3 M and 29 S values out, and the maxima still see them', () => {
    const h = new LoudnessHistory(100, { warmup: true });
    h.push(pw(-10), pw(-5), 0); // incomplete windows, louder than the rest
    h.push(pw(-10), pw(-5), 0);
    h.push(pw(-10), pw(-5), 0);
    for (let i = 0; i < 40; i++) h.push(pw(-23), i < 26 ? pw(-5) : pw(i < 33 ? -30 : -20), 0);
    expect(h.integratedLufs()).toBeCloseTo(-23, 12);
    expect(h.momentaryMaxLufs()).toBeCloseTo(-10, 12);
    expect(h.shortTermMaxLufs()).toBeCloseTo(-5, 12);
    // LRA values: steps 29..42 → 4 at −30 and 10 at −20: P10 −30, P95 −20.
    expect(h.loudnessRangeLu()).toBeCloseTo(10, 12);
    expect(h.isGatingBlock(2)).toBe(false);
    expect(h.isGatingBlock(3)).toBe(true);
  });

  it('silence and bad input read as silence: −∞, LRA 0, never NaN', () => {
    const h = new LoudnessHistory(10);
    for (let i = 0; i < 50; i++) h.push(i % 2 ? 0 : Number.NaN, -1, Number.POSITIVE_INFINITY);
    expect(h.integratedLufs()).toBe(Number.NEGATIVE_INFINITY);
    expect(h.liveIntegratedLufs()).toBe(Number.NEGATIVE_INFINITY);
    expect(h.loudnessRangeLu()).toBe(0);
    expect(h.liveLoudnessRangeLu()).toBe(0);
    expect(h.truePeakDbtp()).toBe(Number.NEGATIVE_INFINITY);
    expect(h.momentaryMaxLufs()).toBe(Number.NEGATIVE_INFINITY);
  });

  it('runningIntegratedLufs equals integratedLufs(0, end) at every end', () => {
    const { m, s } = programme(5000, 11);
    const h = new LoudnessHistory();
    for (let i = 0; i < m.length; i++) h.push(m[i], s[i], 0);
    const ends = [5000, 1, 37, 100, 999, 1000, 2500, 4000, 0, 4999];
    const run = h.runningIntegratedLufs(ends);
    ends.forEach((e, i) => {
      const exact = h.integratedLufs(0, e);
      if (exact === Number.NEGATIVE_INFINITY) expect(run[i]).toBe(exact);
      else expect(Math.abs(run[i] - exact)).toBeLessThan(1e-9);
    });
  });

  it('forEachStep pools two programmes into one gating', () => {
    const a = programme(1500, 3);
    const b = programme(900, 4);
    const ha = new LoudnessHistory();
    const hb = new LoudnessHistory();
    const both = new LoudnessHistory();
    for (let i = 0; i < 1500; i++) ha.push(a.m[i], a.s[i], 0.2), both.push(a.m[i], a.s[i], 0.2);
    for (let i = 0; i < 900; i++) hb.push(b.m[i], b.s[i], 0.3), both.push(b.m[i], b.s[i], 0.3);
    const pooled = new LoudnessHistory();
    ha.forEachStep((m, s, tp) => pooled.push(m, s, tp));
    hb.forEachStep((m, s, tp) => pooled.push(m, s, tp));
    expect(pooled.integratedLufs()).toBe(both.integratedLufs());
    expect(pooled.loudnessRangeLu()).toBe(both.loudnessRangeLu());
    expect(pooled.truePeakDbtp()).toBeCloseTo(20 * Math.log10(0.3), 12);
  });
});

describe('LoudnessHistory decimation', () => {
  it('halves in place: keeps every other M and S, maxima of the pairs, any length fits', () => {
    const h = new LoudnessHistory(100);
    // Step k carries M = S = k + 1 (increasing), true peak (k + 1) / 1000.
    for (let k = 0; k < 1000; k++) h.push(k + 1, k + 1, (k + 1) / 1000);
    // 100 → halve at 100, 200, 400, 800 pushes: factor 16, 50 + ceil(200 / 16) slots.
    expect(h.stepSeconds).toBeCloseTo(1.6, 12);
    expect(h.steps).toBe(63);
    expect(h.pushes).toBe(1000);
    expect(h.durationS).toBeCloseTo(100, 9);
    for (const j of [0, 1, 17, 49, 50, 62]) {
      expect(h.momentaryLufsAt(j)).toBeCloseTo(lufsFromPower(j * 16 + 1), 9);
      expect(h.shortTermLufsAt(j)).toBeCloseTo(lufsFromPower(j * 16 + 1), 9);
      const lastStep = Math.min(999, j * 16 + 15);
      expect(h.momentaryMaxLufs(j, j + 1)).toBeCloseTo(lufsFromPower(lastStep + 1), 9);
      expect(h.truePeakDbtp(j, j + 1)).toBeCloseTo(20 * Math.log10((lastStep + 1) / 1000), 9);
    }
    expect(h.truePeakDbtp()).toBeCloseTo(0, 12);
    expect(h.momentaryMaxLufs()).toBeCloseTo(lufsFromPower(1000), 12);
    expect(h.slotAt(16 * 0.1 * 5)).toBe(5);
    expect(h.slotTimeS(5)).toBeCloseTo(8.1, 9);
  });

  it('a steady level survives decimation exactly; a programme moves by hundredths of an LU', () => {
    const steady = new LoudnessHistory(1000);
    for (let k = 0; k < 9000; k++) steady.push(pw(-23), pw(-23), 0.5);
    expect(steady.stepSeconds).toBeCloseTo(1.6, 12);
    expect(steady.integratedLufs()).toBeCloseTo(-23, 10);

    let worstI = 0;
    let worstLra = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const { m, s } = programme(36000, seed); // one hour
      const full = new LoudnessHistory(40000);
      const dec = new LoudnessHistory(10000); // halved twice: 400 ms hop, S at 2.5 Hz
      for (let i = 0; i < m.length; i++) {
        full.push(m[i], s[i], 0);
        dec.push(m[i], s[i], 0);
      }
      expect(dec.stepSeconds).toBeCloseTo(0.4, 12);
      worstI = Math.max(worstI, Math.abs(dec.integratedLufs() - full.integratedLufs()));
      worstLra = Math.max(worstLra, Math.abs(dec.loudnessRangeLu() - full.loudnessRangeLu()));
      // The live values read every step, whatever the halving.
      expect(Math.abs(dec.liveIntegratedLufs() - full.integratedLufs())).toBeLessThan(0.02);
    }
    measured.push(`decimation ×4 over 1 h programmes: |ΔI| ≤ ${worstI.toFixed(4)} LU, |ΔLRA| ≤ ${worstLra.toFixed(4)} LU`);
    expect(worstI).toBeLessThan(0.05);
    expect(worstI).toBeGreaterThan(0); // the sparser block set is not the same set
    expect(worstLra).toBeLessThan(0.3);
  });
});

describe('LoudnessHistory render-thread entry points', () => {
  it('pushSteps records like push; liveArrays carries the scalars after every push, clear and halving', () => {
    const { m, s } = programme(5000, 11);
    const a = new LoudnessHistory(1000, { warmup: true });
    const b = new LoudnessHistory(1000, { warmup: true });
    const view = b.liveArrays();
    const batch = new Float64Array(3 * 37);
    let k = 0;
    const check = (): void => {
      expect(Array.from(view.counts)).toEqual([b.steps, Math.round(b.stepSeconds * 10), b.pushes, Math.ceil(3 / (b.stepSeconds * 10)), Math.ceil(29 / (b.stepSeconds * 10))]);
      expect(b.liveIntegratedLufs()).toBe(a.liveIntegratedLufs());
      expect(b.liveLoudnessRangeLu()).toBe(a.liveLoudnessRangeLu());
    };
    while (k < m.length) {
      const n = Math.min(37, m.length - k);
      for (let j = 0; j < n; j++, k++) {
        a.push(m[k], s[k], k % 7);
        batch[3 * j] = m[k];
        batch[3 * j + 1] = s[k];
        batch[3 * j + 2] = k % 7;
      }
      b.pushSteps(batch, n);
      check();
    }
    expect(b.stepSeconds).toBeCloseTo(0.8, 12); // halved three times on the way
    const sa: number[] = [];
    const sb: number[] = [];
    a.forEachStep((x, y, z) => sa.push(x, y, z));
    b.forEachStep((x, y, z) => sb.push(x, y, z));
    expect(sb).toEqual(sa);
    expect(b.maxima()).toEqual(a.maxima());
    // The exact sums of every block above −70 LUFS, as the gating of an unhalved history has them.
    const full = new LoudnessHistory(10000, { warmup: true });
    for (let i = 0; i < m.length; i++) full.push(m[i], s[i], 0);
    expect(view.sums[0]).toBe(full.gatingState().absPowerSum);
    expect(view.sums[1]).toBe(full.gatingState().absCount);
    b.clear();
    expect(Array.from(view.counts)).toEqual([0, 1, 0, 3, 29]);
    expect(Array.from(view.sums)).toEqual([0, 0]);
  });

  it('halving keeps the exact maximum of each pair, for values of every magnitude', () => {
    // The maxima are compared as bit patterns: check them against Math.max over zeros,
    // subnormals, tiny, ordinary and huge values, equal neighbours included.
    const r = rng(5);
    const pool = [0, 5e-324, 2.2e-308, 1e-300, 1e-12, 0.5, 1, 1.0000000000000002, 3, 1e15, 1e300, Number.MAX_VALUE];
    const steps = 4096;
    const vals = Float64Array.from({ length: steps }, () => (r() < 0.5 ? pool[Math.floor(r() * pool.length)] : Math.pow(10, (r() - 0.5) * 600)));
    const h = new LoudnessHistory(256);
    for (let k = 0; k < steps; k++) h.push(vals[k], vals[(k * 7) % steps], vals[(k * 13) % steps]);
    const f = Math.round(h.stepSeconds * 10);
    expect(f).toBe(16);
    for (let j = 0; j < h.steps; j++) {
      let mm = 0;
      let sm = 0;
      let tm = 0;
      for (let k = j * f; k < Math.min(steps, (j + 1) * f); k++) {
        mm = Math.max(mm, vals[k]);
        sm = Math.max(sm, vals[(k * 7) % steps]);
        tm = Math.max(tm, vals[(k * 13) % steps]);
      }
      expect(h.momentaryMaxLufs(j, j + 1)).toBe(lufsFromPower(mm));
      expect(h.shortTermMaxLufs(j, j + 1)).toBe(lufsFromPower(sm));
      expect(h.truePeakDbtp(j, j + 1)).toBe(tm > 0 ? 20 * Math.log10(tm) : Number.NEGATIVE_INFINITY);
      // The kept M and S are the first step of the slot's group.
      expect(h.momentaryLufsAt(j)).toBe(lufsFromPower(vals[j * f]));
      expect(h.shortTermLufsAt(j)).toBe(lufsFromPower(vals[(j * f * 7) % steps]));
    }
  });
});

describe('LoudnessHistory live values (histograms)', () => {
  it('liveIntegratedLufs and liveLoudnessRangeLu stay within 0.02 LU of the exact values', () => {
    let worstI = 0;
    let worstL = 0;
    for (const seed of [21, 22, 23, 24, 25, 26]) {
      const { m, s } = programme(12000, seed);
      const h = new LoudnessHistory();
      for (let i = 0; i < m.length; i++) {
        h.push(m[i], s[i], 0);
        if (i % 997 === 996) {
          worstI = Math.max(worstI, Math.abs(h.liveIntegratedLufs() - h.integratedLufs()));
          worstL = Math.max(worstL, Math.abs(h.liveLoudnessRangeLu() - h.loudnessRangeLu()));
        }
      }
    }
    measured.push(`live histograms: |ΔI| ≤ ${worstI.toExponential(2)} LU, |ΔLRA| ≤ ${worstL.toExponential(2)} LU`);
    expect(worstI).toBeLessThan(0.02);
    expect(worstL).toBeLessThan(0.02);
  });

  it('live values equal the exact ones for a steady level and with warmup', () => {
    const h = new LoudnessHistory(1000, { warmup: true });
    for (let i = 0; i < 3; i++) h.push(pw(-5), pw(-5), 0);
    for (let i = 0; i < 600; i++) h.push(pw(-18), i < 26 ? pw(-5) : pw(i % 2 ? -18 : -28), 0);
    expect(h.liveIntegratedLufs()).toBeCloseTo(h.integratedLufs(), 10);
    expect(h.liveIntegratedLufs()).toBeCloseTo(-18, 10);
    expect(Math.abs(h.liveLoudnessRangeLu() - h.loudnessRangeLu())).toBeLessThan(0.01);
    expect(h.loudnessRangeLu()).toBeCloseTo(10, 10);
  });

  it('clear() forgets everything', () => {
    const h = new LoudnessHistory(10);
    for (let i = 0; i < 100; i++) h.push(pw(-20), pw(-20), 1);
    h.clear();
    expect(h.steps).toBe(0);
    expect(h.stepSeconds).toBeCloseTo(0.1, 12);
    expect(h.liveIntegratedLufs()).toBe(Number.NEGATIVE_INFINITY);
    h.push(pw(-30), pw(-30), 0.5);
    expect(h.integratedLufs()).toBeCloseTo(-30, 12);
    expect(h.truePeakDbtp()).toBeCloseTo(20 * Math.log10(0.5), 12);
  });
});
