/**
 * ThreeBandSplit: Linkwitz-Riley 4th-order bands against their analytic magnitudes (bilinear,
 * prewarped at each crossover), the flat sum, the 24 dB/oct slopes, clamping, click-free and
 * block-size invariant frequency glides, and the shared DSP suite (two inputs, six outputs).
 */
import { describe, expect, it } from 'vitest';
import { MAX_CROSSOVER_FRACTION, MIN_CROSSOVER_HZ, MIN_RATIO, ThreeBandSplit } from '../../src/engine/crossover.js';
import { dspSuite, testSignal } from './dsp-suite.js';

type Bands = [low: Float32Array, mid: Float32Array, high: Float32Array];

/** Split a mono signal in blocks of `block`; `before(pos)` runs ahead of each block. */
function splitMono(s: ThreeBandSplit, x: Float32Array, block = 128, before?: (pos: number) => void): Bands {
  const out: Bands = [new Float32Array(x.length), new Float32Array(x.length), new Float32Array(x.length)];
  for (let pos = 0; pos < x.length; pos += block) {
    const n = Math.min(block, x.length - pos);
    before?.(pos);
    s.split([x], [out[0].subarray(pos)], [out[1].subarray(pos)], [out[2].subarray(pos)], n, pos);
  }
  return out;
}

function impulse(frames: number): Float32Array {
  const x = new Float32Array(frames);
  x[0] = 1;
  return x;
}

/** |DTFT| of h at f, in dB. */
function dftDb(h: ArrayLike<number>, f: number, fs: number): number {
  const w = (2 * Math.PI * f) / fs;
  let re = 0;
  let im = 0;
  // Rotating phasor (recomputed exactly every 4096 samples) instead of cos/sin per sample.
  let c = 1;
  let sn = 0;
  const cw = Math.cos(w);
  const sw = Math.sin(w);
  for (let n = 0; n < h.length; n++) {
    if ((n & 4095) === 0) {
      c = Math.cos(w * n);
      sn = Math.sin(w * n);
    }
    re += h[n] * c;
    im -= h[n] * sn;
    const nc = c * cw - sn * sw;
    sn = sn * cw + c * sw;
    c = nc;
  }
  return 10 * Math.log10(re * re + im * im);
}

/** Prewarped normalised frequency Ω = tan(π f/fs)/tan(π fc/fs). */
const omega = (f: number, fc: number, fs: number): number => Math.tan((Math.PI * f) / fs) / Math.tan((Math.PI * fc) / fs);
/** LR4 = Butterworth², so |LP4| = 1/(1 + Ω⁴) and |HP4| = Ω⁴/(1 + Ω⁴), in dB. */
const lp4Db = (f: number, fc: number, fs: number): number => -20 * Math.log10(1 + omega(f, fc, fs) ** 4);
const hp4Db = (f: number, fc: number, fs: number): number => {
  const o4 = omega(f, fc, fs) ** 4;
  return 20 * Math.log10(o4 / (1 + o4));
};
/** Analytic band magnitudes (the allpass in the low band has |H| = 1). */
function bandDb(band: number, f: number, f1: number, f2: number, fs: number): number {
  if (band === 0) return lp4Db(f, f1, fs);
  if (band === 1) return hp4Db(f, f1, fs) + lp4Db(f, f2, fs);
  return hp4Db(f, f1, fs) + hp4Db(f, f2, fs);
}

function logFreqs(lo: number, hi: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => lo * Math.pow(hi / lo, i / (count - 1)));
}

function firstDifference(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const RATES = [44100, 48000, 96000];
const SETTINGS: ReadonlyArray<[f1: number, f2: number]> = [
  [150, 3500],
  [40, 1000],
  [1000, 12000],
  [20, 30],
];
/** Impulse response length: the 20 Hz LR4 at 96 kHz rings for about 0.3 s before −200 dB. */
const IR_LEN = 1 << 17;

describe('ThreeBandSplit: flat sum', () => {
  for (const fs of RATES) {
    it(`low + mid + high is flat within ±0.01 dB from 20 Hz to 20 kHz (${fs} Hz)`, () => {
      let worst = 0;
      for (const [f1, f2] of SETTINGS) {
        const s = new ThreeBandSplit(1, fs);
        s.setFrequencies(f1, f2);
        const [lo, mi, hi] = splitMono(s, impulse(IR_LEN), 1000);
        const sum = new Float64Array(IR_LEN);
        for (let i = 0; i < IR_LEN; i++) sum[i] = lo[i] + mi[i] + hi[i];
        // The tail has died out: the impulse response was long enough.
        let tail = 0;
        for (let i = IR_LEN - 1000; i < IR_LEN; i++) tail = Math.max(tail, Math.abs(sum[i]));
        expect(tail, `${f1}/${f2}: tail`).toBeLessThan(1e-9);
        const freqs = [...logFreqs(20, 20000, 40), f1, f2, Math.sqrt(f1 * f2)];
        for (const f of freqs) worst = Math.max(worst, Math.abs(dftDb(sum, f, fs)));
      }
      // Measured: below 4e-7 dB (float32 rounding of each band); 0.01 dB is the requirement.
      expect(worst).toBeLessThan(0.01);
      expect(worst).toBeLessThan(1e-4);
    });
  }
});

describe('ThreeBandSplit: band magnitudes', () => {
  for (const fs of RATES) {
    it(`each band follows the analytic LR4 magnitude within ±0.01 dB, and is −6.02 dB at its crossovers (${fs} Hz)`, () => {
      for (const [f1, f2] of SETTINGS.slice(0, 3)) {
        const s = new ThreeBandSplit(1, fs);
        s.setFrequencies(f1, f2);
        const bands = splitMono(s, impulse(IR_LEN / 2), 1000);
        let points = 0;
        for (let b = 0; b < 3; b++) {
          for (const f of logFreqs(20, 20000, 30)) {
            const want = bandDb(b, f, f1, f2, fs);
            if (want < -80) continue;
            expect(Math.abs(dftDb(bands[b], f, fs) - want), `${f1}/${f2} band ${b} at ${f.toFixed(1)} Hz`).toBeLessThan(0.01);
            points++;
          }
        }
        expect(points).toBeGreaterThan(40);
        // At the crossovers: the two adjacent bands are each at −6.02 dB (the far crossover adds
        // at most 0.0003 dB at these spacings, so the analytic value itself is −6.02 ± 0.001).
        const half = 20 * Math.log10(0.5);
        for (const [b, f] of [
          [0, f1],
          [1, f1],
          [1, f2],
          [2, f2],
        ]) {
          expect(Math.abs(bandDb(b, f, f1, f2, fs) - half), `analytic band ${b} at ${f} Hz`).toBeLessThan(0.001);
          expect(Math.abs(dftDb(bands[b], f, fs) - half), `band ${b} at ${f} Hz`).toBeLessThan(0.01);
        }
      }
    });
  }

  it('24 dB/oct slopes: the low band at 2·f1 and 4·f1, the high band at f2/2 and f2/4, against the asymptote', () => {
    const fs = 48000;
    const [f1, f2] = [150, 3500];
    const s = new ThreeBandSplit(1, fs);
    s.setFrequencies(f1, f2);
    const [lo, , hi] = splitMono(s, impulse(IR_LEN / 2), 1000);
    // Asymptote of 1/(1 + Ω⁴): −80·log10 Ω, 24.08 dB per octave of the prewarped Ω (at 3.5 kHz
    // the warping alone moves f2/4 by 0.6 dB from the unwarped octave count).
    const asymptote = (f: number, fc: number): number => -80 * Math.log10(f > fc ? omega(f, fc, fs) : 1 / omega(f, fc, fs));
    for (const octaves of [1, 2]) {
      const k = 2 ** octaves;
      const low = dftDb(lo, k * f1, fs);
      const high = dftDb(hi, f2 / k, fs);
      expect(Math.abs(low - lp4Db(k * f1, f1, fs)), `low at ${k}·f1`).toBeLessThan(0.01);
      expect(Math.abs(high - bandDb(2, f2 / k, f1, f2, fs)), `high at f2/${k}`).toBeLessThan(0.01);
      // One octave: −24.6 dB (0.5 dB above the asymptote's −24.08 is the "+1" of 1 + Ω⁴); two: −48.2.
      expect(Math.abs(low - asymptote(k * f1, f1)), `low at ${k}·f1: ${low.toFixed(2)} dB`).toBeLessThan(octaves === 1 ? 1 : 0.1);
      expect(Math.abs(high - asymptote(f2 / k, f2)), `high at f2/${k}: ${high.toFixed(2)} dB`).toBeLessThan(octaves === 1 ? 1 : 0.1);
    }
    // The slope between the two octaves is 24 dB/oct within 0.1 dB.
    expect(dftDb(lo, 2 * f1, fs) - dftDb(lo, 4 * f1, fs)).toBeGreaterThan(23.5);
    expect(dftDb(lo, 4 * f1, fs) - dftDb(lo, 8 * f1, fs)).toBeCloseTo(24.08, 1);
  });

  it('stereo channels are split independently and identically', () => {
    const fs = 48000;
    const x = testSignal(2, 9600, fs);
    const st = new ThreeBandSplit(2, fs);
    st.setFrequencies(300, 3000);
    const bands = [0, 1, 2].map(() => [new Float32Array(9600), new Float32Array(9600)]);
    st.split(x, bands[0], bands[1], bands[2], 9600);
    for (let c = 0; c < 2; c++) {
      const mono = new ThreeBandSplit(1, fs);
      mono.setFrequencies(300, 3000);
      const ref = splitMono(mono, x[c], 9600);
      for (let b = 0; b < 3; b++) expect(firstDifference(bands[b][c], ref[b]), `channel ${c} band ${b}`).toBe(-1);
    }
  });
});

describe('ThreeBandSplit: settings', () => {
  it('clamps: f1 ≥ 20 Hz, f2 ≥ 1.5·f1, f2 ≤ 0.45·fs; NaN keeps the last value', () => {
    const fs = 48000;
    const s = new ThreeBandSplit(2, fs);
    expect([s.f1, s.f2].map(Math.round)).toEqual([150, 3500]);
    s.setFrequencies(5, 10);
    expect(s.f1).toBeCloseTo(MIN_CROSSOVER_HZ, 9);
    expect(s.f2).toBeCloseTo(MIN_RATIO * MIN_CROSSOVER_HZ, 9);
    s.setFrequencies(1000, 900);
    expect(s.f1).toBeCloseTo(1000, 9);
    expect(s.f2).toBeCloseTo(1500, 9);
    s.setFrequencies(400, 30000);
    expect(s.f2).toBeCloseTo(MAX_CROSSOVER_FRACTION * fs, 6);
    s.setFrequencies(20000, 22000);
    expect(s.f2).toBeCloseTo(MAX_CROSSOVER_FRACTION * fs, 6);
    expect(s.f1).toBeCloseTo((MAX_CROSSOVER_FRACTION * fs) / MIN_RATIO, 6);
    s.setFrequencies(250, 2500);
    s.setFrequencies(Number.NaN, Number.NaN);
    expect(s.f1).toBeCloseTo(250, 9);
    expect(s.f2).toBeCloseTo(2500, 9);
    expect(() => new ThreeBandSplit(3 as 1, fs)).toThrow(RangeError);
  });

  it('the first setting applies at once; later changes glide and arrive within 0.2 s', () => {
    const fs = 48000;
    const s = new ThreeBandSplit(1, fs);
    splitMono(s, new Float32Array(4800));
    s.setFrequencies(300, 3000);
    const at = (f: number, block: Float32Array): number => dftDb(block, f, fs);
    let [lo] = splitMono(s, impulse(1 << 15), 1000);
    expect(at(300, lo)).toBeCloseTo(20 * Math.log10(0.5), 2);
    s.setFrequencies(600, 3000);
    [lo] = splitMono(s, impulse(1 << 15), 1000);
    // Right after the change the low band's −6 dB point is still near 300 Hz, not at 600 Hz.
    expect(at(600, lo)).toBeLessThan(-10);
    splitMono(s, new Float32Array(fs / 5));
    [lo] = splitMono(s, impulse(1 << 15), 1000);
    expect(Math.abs(at(600, lo) - lp4Db(600, 600, fs))).toBeLessThan(0.01);
    // After reset() the next setting applies at once again.
    s.reset();
    s.setFrequencies(100, 3000);
    [lo] = splitMono(s, impulse(1 << 15), 1000);
    expect(Math.abs(at(100, lo) - lp4Db(100, 100, fs))).toBeLessThan(0.01);
  });

  it('frequency changes are click-free: the band sum of a sine keeps its steps', () => {
    const fs = 48000;
    const F = 1000;
    const amp = 0.5;
    const x = new Float32Array(48000);
    for (let i = 0; i < x.length; i++) x[i] = amp * Math.cos((2 * Math.PI * F * i) / fs);
    const s = new ThreeBandSplit(1, fs);
    s.setFrequencies(150, 3500);
    // The sine's band moves from mid to low and then to high as the crossovers sweep past it.
    const [lo, mi, hi] = splitMono(s, x, 100, (pos) => {
      if (pos === 9600) s.setFrequencies(1000, 12000);
      if (pos === 9600 * 2) s.setFrequencies(200, 400);
      if (pos === 9600 * 3) s.setFrequencies(40, 20000);
    });
    // From 0.1 s on (after the onset of the sine): no sample step beyond that of a steady sine at
    // the largest level the sum reaches (the sum is an allpass only while the crossovers rest;
    // during a sweep through the sine's frequency it bulges by about 0.5 dB).
    let peak = 0;
    let worst = 0;
    for (let i = 4800; i < x.length; i++) {
      peak = Math.max(peak, Math.abs(lo[i] + mi[i] + hi[i]));
      worst = Math.max(worst, Math.abs(lo[i] + mi[i] + hi[i] - (lo[i - 1] + mi[i - 1] + hi[i - 1])));
    }
    expect(20 * Math.log10(peak / amp)).toBeLessThan(1);
    expect(worst).toBeLessThanOrEqual(1.05 * 2 * Math.sin((Math.PI * F) / fs) * peak);
    // The sine really changed band: in the high band before the third change, in mid at the end.
    let midPeak = 0;
    for (let i = x.length - 4800; i < x.length; i++) midPeak = Math.max(midPeak, Math.abs(mi[i]));
    expect(midPeak).toBeGreaterThan(0.99 * amp);
    let highPeak = 0;
    for (let i = 3 * 9600 - 1000; i < 3 * 9600; i++) highPeak = Math.max(highPeak, Math.abs(hi[i]));
    // (High band at 200/400 Hz: HP4(400 Hz) at 1 kHz is −0.22 dB.)
    expect(Math.abs(20 * Math.log10(highPeak / amp) - bandDb(2, F, 200, 400, fs))).toBeLessThan(0.05);
  });

  it('is block-size invariant while the frequencies glide', () => {
    const fs = 48000;
    const x = testSignal(1, 4800 * 8, fs)[0];
    const script: Array<[number, number]> = [
      [150, 3500],
      [400, 2000],
      [40, 12000],
      [1000, 1200],
      [20, 20000],
      [250, 5000],
      [250, 5000],
      [100, 8000],
    ];
    const outs = [1, 64, 75, 960].map((bs) => {
      const s = new ThreeBandSplit(1, fs);
      return splitMono(s, x, bs, (pos) => {
        if (pos % 4800 === 0) s.setFrequencies(...script[pos / 4800]);
      });
    });
    for (let k = 1; k < outs.length; k++) {
      for (let b = 0; b < 3; b++) expect(firstDifference(outs[k][b], outs[0][b]), `block size #${k}, band ${b}`).toBe(-1);
    }
  });
});

const CONFIGS: Record<string, [number, number]> = {
  default: [150, 3500],
  'lowest crossovers': [20, 30],
  'highest crossovers': [20000, 24000],
  'wide apart': [20, 20000],
};

dspSuite(
  'ThreeBandSplit',
  {
    inputs: 2,
    outputs: 6,
    configs: Object.keys(CONFIGS),
    make(sampleRate, config) {
      const s = new ThreeBandSplit(2, sampleRate);
      s.setFrequencies(...CONFIGS[config]);
      return {
        process: (inputs, outputs, frames) => s.split(inputs, [outputs[0], outputs[1]], [outputs[2], outputs[3]], [outputs[4], outputs[5]], frames),
        subnormalStates: () => s.subnormalStates(),
      };
    },
  },
  [44100, 48000, 96000],
);
