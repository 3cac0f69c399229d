import { describe, expect, it } from 'vitest';
import { LoudnessMeter } from '../../src/engine/loudness.js';
import { designInterpolator, smoothnessGain, TP_TAPS, TruePeakDetector } from '../../src/engine/true-peak.js';

/** Deterministic uniform numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** The phase kernels of an oversampling factor, each TP_TAPS long. */
function phases(factor: number): Float64Array[] {
  const c = designInterpolator(factor);
  return Array.from({ length: factor - 1 }, (_, p) => c.subarray(p * TP_TAPS, (p + 1) * TP_TAPS));
}

/**
 * Every interpolated point without any skipping, with the detector's folded arithmetic in the
 * same order (so the maximum must come out bit for bit the same), over windows that start with
 * TP_TAPS − 1 zeros. NaN points are ignored, as the detector's comparisons ignore them.
 */
function referencePeak(x: Float32Array, fs: number): number {
  const factor = fs < 88200 ? 4 : fs < 176400 ? 2 : 1;
  const t = TP_TAPS;
  const half = t / 2;
  const c = designInterpolator(factor);
  const sm = new Float64Array(half);
  const df = new Float64Array(half);
  const mid = new Float64Array(half);
  for (let j = 0; j < half; j++) {
    if (factor === 4) {
      sm[j] = (c[j] + c[t - 1 - j]) / 2;
      df[j] = (c[j] - c[t - 1 - j]) / 2;
      mid[j] = c[t + j];
    } else if (factor === 2) {
      mid[j] = c[j];
    }
  }
  const w = new Float64Array(t - 1 + x.length);
  w.set(x, t - 1);
  let tp = 0;
  let sp = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > sp) sp = a;
    if (factor === 1) continue;
    const lo = i;
    const hi = i + t - 1;
    let s = 0;
    let d = 0;
    let p2 = 0;
    for (let j = 0; j < half; j++) {
      const xa = w[lo + j];
      const xb = w[hi - j];
      const u = xa + xb;
      s += sm[j] * u;
      d += df[j] * (xa - xb);
      p2 += mid[j] * u;
    }
    const q = (s < 0 ? -s : s) + (d < 0 ? -d : d);
    if (factor === 4 && q > tp) tp = q;
    if (p2 < 0) p2 = -p2;
    if (p2 > tp) tp = p2;
  }
  return tp > sp ? tp : sp;
}

function detect(x: Float32Array, fs: number, block: number): { tp: number; sp: number } {
  const d = new TruePeakDetector(fs, 1);
  for (let i = 0; i < x.length; i += block) d.process(0, x, i, Math.min(block, x.length - i));
  return { tp: d.truePeak(), sp: d.samplePeak() };
}

/** Programme-like test signals: smooth partials under an envelope (most points skippable), and harder ones. */
function signals(fs: number): Array<[string, Float32Array]> {
  const n = Math.round(fs * 1.5);
  const r = rng(fs);
  const make = (f: (i: number) => number): Float32Array => Float32Array.from({ length: n }, (_, i) => f(i));
  return [
    [
      'partials under an envelope',
      make((i) => {
        const t = i / fs;
        const env = 0.5 * (1 + Math.sin(2 * Math.PI * 1.3 * t));
        return env * (0.5 * Math.sin(2 * Math.PI * 110 * t) + 0.25 * Math.sin(2 * Math.PI * 1370 * t + 1) + 0.05 * Math.sin(2 * Math.PI * 7100 * t));
      }),
    ],
    // 10 ms fades, as in Tech 3341 cases 15–19 (an abrupt start would overshoot the crest).
    ['intersample overs (fs/4, 45°)', make((i) => 0.7 * Math.min(1, i / (fs / 100), (n - 1 - i) / (fs / 100)) * Math.sin((Math.PI / 2) * i + Math.PI / 4))],
    ['noise that grows', make((i) => (r() * 2 - 1) * (i / n))],
    ['impulses and silence', make((i) => (i % 1777 === 5 ? 0.3 + i / n : 0))],
    ['a clipped sine', make((i) => Math.max(-0.9, Math.min(0.9, 1.4 * Math.sin(i * 0.031))))],
    ['peaks at chunk edges', make((i) => (i % 1024 === 1023 || i % 64 === 0 ? 0.95 : 0.4 * Math.sin(i * 0.02)))],
  ];
}

describe('smoothnessGain (the bound behind exact skipping)', () => {
  it('bounds every phase at 4× and 2× over random windows: |y| ≤ max|x_a, x_a+1| + H·max|Δ²x|', () => {
    const r = rng(3);
    let worst = 0;
    for (const factor of [4, 2]) {
      for (const k of phases(factor)) {
        const h = smoothnessGain(k);
        expect(h).toBeGreaterThan(0.3);
        expect(h).toBeLessThan(0.5);
        for (let trial = 0; trial < 3000; trial++) {
          const w = new Float64Array(TP_TAPS);
          const kind = trial % 3;
          const f = r() * 0.49;
          const ph = r() * 2 * Math.PI;
          for (let j = 0; j < TP_TAPS; j++) {
            // Sines up to 0.49·fs, white noise, or a sine with a step.
            w[j] = kind === 0 ? Math.sin(2 * Math.PI * f * j + ph) : kind === 1 ? r() * 2 - 1 : Math.sin(0.05 * j + ph) + (j > 20 ? 0.5 : 0);
          }
          let y = 0;
          for (let j = 0; j < TP_TAPS; j++) y += k[j] * w[j];
          let d2 = 0;
          for (let j = 0; j + 2 < TP_TAPS; j++) d2 = Math.max(d2, Math.abs(w[j] - 2 * w[j + 1] + w[j + 2]));
          const near = Math.max(Math.abs(w[TP_TAPS / 2 - 1]), Math.abs(w[TP_TAPS / 2]));
          expect(Math.abs(y)).toBeLessThanOrEqual(near + h * d2 + 1e-12);
          if (d2 > 0) worst = Math.max(worst, (Math.abs(y) - near) / (h * d2));
        }
      }
    }
    // The bound is not loose by orders of magnitude: some windows use a good part of it.
    expect(worst).toBeGreaterThan(0.2);
  });

  it('gives no bound for a kernel that is not a normalised in-between interpolator', () => {
    const k = new Float64Array(TP_TAPS);
    k[3] = 1; // a plain delay of 12 samples: its centroid is not between the middle samples
    expect(smoothnessGain(k)).toBe(Number.POSITIVE_INFINITY);
    const half = phases(4)[1].map((v) => v * 2); // DC gain 2
    expect(smoothnessGain(half)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('TruePeakDetector with exact skipping', () => {
  for (const fs of [44100, 48000, 96000, 192000]) {
    it(`${fs} Hz: equals the full evaluation bit for bit, for block sizes 1, 7, 64, 1000, 1025 and 20000`, () => {
      for (const [what, x] of signals(fs)) {
        const want = referencePeak(x, fs);
        for (const block of fs === 48000 ? [1, 7, 64, 1000, 1025, 20000] : [7, 1025]) {
          const got = detect(x, fs, block);
          expect(got.tp, `${what}, block ${block}`).toBe(want);
          expect(got.sp, `${what}, block ${block}`).toBe(x.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
        }
      }
    });
  }

  it('reads above the sample peak where the waveform peaks between samples', () => {
    const x = signals(48000)[1][1];
    const r = detect(x, 48000, 512);
    // fs/4 at 45°: every sample sits at 0.7·√½, 3.01 dB below the crest halfway between two.
    expect(r.sp).toBeCloseTo(0.7 * Math.SQRT1_2, 6);
    expect(20 * Math.log10(r.tp / r.sp)).toBeGreaterThan(2.97);
    expect(20 * Math.log10(r.tp / r.sp)).toBeLessThan(3.06);
  });

  it('a NaN or an infinite sample changes nothing but itself', () => {
    const x = signals(48000)[0][1].slice(0, 30000);
    x[12345] = Number.NaN;
    expect(detect(x, 48000, 1000).tp).toBe(referencePeak(x, 48000));
    expect(Number.isNaN(detect(x, 48000, 1000).tp)).toBe(false);
    x[23456] = Number.POSITIVE_INFINITY;
    expect(detect(x, 48000, 333).sp).toBe(Number.POSITIVE_INFINITY);
  });

  it('resetPeaks restarts the maxima but keeps the window history', () => {
    const fs = 48000;
    const x = signals(fs)[2][1];
    const step = 4800;
    const d = new TruePeakDetector(fs, 1);
    for (let s = 0; s < x.length; s += step) {
      d.resetPeaks();
      d.process(0, x, s, Math.min(step, x.length - s));
      // The points of this stretch need the samples before it: evaluate with the whole prefix.
      const upTo = Math.min(s + step, x.length);
      const c = designInterpolator(4);
      let want = 0;
      for (let i = s; i < upTo; i++) {
        want = Math.max(want, Math.abs(x[i]));
        for (let p = 0; p < 3; p++) {
          let acc = 0;
          for (let j = 0; j < TP_TAPS; j++) {
            const k = i - TP_TAPS + 1 + j;
            acc += c[p * TP_TAPS + j] * (k >= 0 ? x[k] : 0);
          }
          want = Math.max(want, Math.abs(acc));
        }
      }
      expect(Math.abs(d.truePeak() - want), `stretch at ${s}`).toBeLessThan(1e-12);
    }
  });
});

describe('LoudnessMeter.processRange', () => {
  it('metering ranges of larger arrays equals metering copies of them', () => {
    const fs = 48000;
    const [l, r] = [signals(fs)[0][1], signals(fs)[2][1]];
    const a = new LoudnessMeter(fs, 2);
    const b = new LoudnessMeter(fs, 2);
    const bufs = [new Float32Array(777), new Float32Array(777)];
    for (let i = 0; i < l.length; i += 777) {
      const n = Math.min(777, l.length - i);
      a.processRange([l, r], i, n);
      bufs[0].set(l.subarray(i, i + n));
      bufs[1].set(r.subarray(i, i + n));
      b.process(bufs, n);
    }
    expect(a.result()).toEqual(b.result());
    expect(a.momentaryLufs()).toBe(b.momentaryLufs());
    expect(Number.isFinite(a.result().truePeakDbtp)).toBe(true);
  });
});
