import { describe, expect, it } from 'vitest';
import { resample } from '../../src/audio/resample.js';
import { MixhostError } from '../../src/model/registry.js';

function sine(n: number, f: number, rate: number, amp = 0.5, phase = 0): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * f * i) / rate + phase);
  return x;
}

/** Least-squares amplitude of a sinusoid of known frequency over y[a..b). */
function fitAmplitude(y: Float32Array, f: number, rate: number, a: number, b: number): number {
  let cc = 0;
  let ss = 0;
  let cs = 0;
  let yc = 0;
  let ys = 0;
  for (let n = a; n < b; n++) {
    const w = (2 * Math.PI * f * n) / rate;
    const c = Math.cos(w);
    const s = Math.sin(w);
    cc += c * c;
    ss += s * s;
    cs += c * s;
    yc += y[n] * c;
    ys += y[n] * s;
  }
  const det = cc * ss - cs * cs;
  return Math.hypot((yc * ss - ys * cs) / det, (ys * cc - yc * cs) / det);
}

/** Magnitude of the component at f over y[a..b) (Goertzel with a Blackman-Harris window). */
function toneLevel(y: Float32Array, f: number, rate: number, a: number, b: number): number {
  const n = b - a;
  const k = (2 * Math.PI * f) / rate;
  let re = 0;
  let im = 0;
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    const u = (2 * Math.PI * i) / (n - 1);
    const w = 0.35875 - 0.48829 * Math.cos(u) + 0.14128 * Math.cos(2 * u) - 0.01168 * Math.cos(3 * u);
    re += w * y[a + i] * Math.cos(k * (a + i));
    im -= w * y[a + i] * Math.sin(k * (a + i));
    wsum += w;
  }
  return (2 * Math.hypot(re, im)) / wsum;
}

function rms(y: Float32Array, a: number, b: number): number {
  let e = 0;
  for (let i = a; i < b; i++) e += y[i] * y[i];
  return Math.sqrt(e / (b - a));
}

const db = (x: number): number => 20 * Math.log10(x);

const PAIRS: Array<[number, number]> = [
  [44100, 48000],
  [48000, 44100],
  [48000, 96000],
  [22050, 48000],
  [96000, 44100],
  [44100, 47999], // no small rational ratio: the interpolated-table path
];

describe('resample: passband', () => {
  for (const [from, to] of PAIRS) {
    it(`${from} -> ${to}: sines keep amplitude (±0.01 dB), frequency and timing`, () => {
      const fn = Math.min(from, to) / 2;
      const amp = 0.5;
      let worstDb = 0;
      let worstErr = 0;
      for (const f of [50, 1000, 5000, 0.5 * fn, 0.9 * fn]) {
        const x = sine(from, f, from, amp, 0.3); // 1 s
        const y = resample(x, from, to);
        const a = Math.round(0.1 * to);
        const b = Math.round(0.9 * to);
        worstDb = Math.max(worstDb, Math.abs(db(fitAmplitude(y, f, to, a, b) / amp)));
        // The output must be the same sine sampled at n/to: this pins frequency and phase (a
        // frequency error of 1e-6 or a shift of a hundredth of a sample would exceed this).
        for (let n = a; n < b; n++) {
          const e = Math.abs(y[n] - amp * Math.sin((2 * Math.PI * f * n) / to + 0.3));
          if (e > worstErr) worstErr = e;
        }
      }
      expect(worstDb).toBeLessThan(0.01);
      expect(worstErr / amp).toBeLessThan(1e-4);
    });
  }
});

describe('resample: stopband', () => {
  it('rejects a 23 kHz sine going from 48 kHz to 44.1 kHz by at least 100 dB', () => {
    const x = sine(48000, 23000, 48000, 1);
    const y = resample(x, 48000, 44100);
    const a = 4410;
    const b = 44100 - 4410;
    expect(db(toneLevel(y, 44100 - 23000, 44100, a, b))).toBeLessThan(-100);
    expect(db(rms(y, a, b) / Math.SQRT1_2)).toBeLessThan(-100); // everything, not just the alias
  });

  it('rejects the band just above the target Nyquist (22.1 kHz, 48k -> 44.1k) by at least 100 dB', () => {
    const y = resample(sine(48000, 22100, 48000, 1), 48000, 44100);
    expect(db(rms(y, 4410, 39690) / Math.SQRT1_2)).toBeLessThan(-100);
  });

  it('rejects 30 kHz going from 96 kHz to 44.1 kHz by at least 100 dB', () => {
    const y = resample(sine(96000, 30000, 96000, 1), 96000, 44100);
    expect(db(rms(y, 4410, 39690) / Math.SQRT1_2)).toBeLessThan(-100);
  });

  it('leaves no image when upsampling: 21 kHz at 44.1k -> 48k has nothing at 23.1 kHz', () => {
    const y = resample(sine(44100, 21000, 44100, 1), 44100, 48000);
    expect(db(toneLevel(y, 44100 - 21000, 48000, 4800, 43200))).toBeLessThan(-100);
  });

  it('a passband sine still measures full level with the same detector (the detector works)', () => {
    const y = resample(sine(48000, 15000, 48000, 1), 48000, 44100);
    expect(Math.abs(db(toneLevel(y, 15000, 44100, 4410, 39690)))).toBeLessThan(0.05);
  });
});

describe('resample: DC, alignment, length', () => {
  it('passes DC with gain 1 (within 1e-5)', () => {
    for (const [from, to] of PAIRS) {
      const y = resample(new Float32Array(from).fill(0.5), from, to);
      let worst = 0;
      for (let n = Math.round(0.05 * to); n < Math.round(0.95 * to); n++) worst = Math.max(worst, Math.abs(y[n] / 0.5 - 1));
      expect(worst, `${from} -> ${to}`).toBeLessThan(1e-5);
    }
  });

  it('keeps an impulse at its time: input sample k peaks at output k·to/from ± 0.5', () => {
    for (const [from, to] of PAIRS) {
      for (const k of [1000, 1001, 3333, 7777]) {
        const x = new Float32Array(10000);
        x[k] = 1;
        const y = resample(x, from, to);
        let peak = 0;
        for (let n = 1; n < y.length; n++) if (y[n] > y[peak]) peak = n;
        expect(Math.abs(peak - (k * to) / from), `${from} -> ${to}, k = ${k}`).toBeLessThanOrEqual(0.5);
      }
    }
  });

  it('has round(n·to/from) samples', () => {
    for (const [from, to] of PAIRS) {
      for (const n of [0, 1, 2, 7, 1000, 44101]) {
        expect(resample(new Float32Array(n), from, to).length).toBe(Math.round((n * to) / from));
      }
    }
    expect(resample(new Float32Array(3), 48000, 8000).length).toBe(1); // round(0.5) = 1
  });

  it('is continuous across its internal blocks (a 10 s sine stays exact)', () => {
    const f = 997;
    const y = resample(sine(441000, f, 44100, 0.5), 44100, 48000);
    let worst = 0;
    for (let n = 4800; n < y.length - 4800; n++) worst = Math.max(worst, Math.abs(y[n] - 0.5 * Math.sin((2 * Math.PI * f * n) / 48000)));
    expect(worst).toBeLessThan(5e-6);
  });

  it('returns a copy when the rates are equal', () => {
    const x = sine(100, 1000, 48000);
    const y = resample(x, 48000, 48000);
    expect(y).not.toBe(x);
    expect(Array.from(y)).toEqual(Array.from(x));
  });

  it('rejects invalid rates with E_AUDIO_ARG', () => {
    for (const [from, to] of [
      [0, 48000],
      [48000, -1],
      [Number.NaN, 48000],
      [48000, Number.POSITIVE_INFINITY],
    ]) {
      let err: unknown;
      try {
        resample(new Float32Array(10), from, to);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MixhostError);
      expect((err as MixhostError).code).toBe('E_AUDIO_ARG');
    }
  });
});
