/**
 * StereoWidth (mid/side width with bass mono) and CorrelationMeter: exact identities at 0, 100
 * and 200 %, the bass-mono high-pass against the Butterworth magnitude, de-zippering, block-size
 * invariance, the correlation of known signal pairs and the meter's time constant, and the
 * shared DSP suite.
 */
import { describe, expect, it } from 'vitest';
import { CorrelationMeter, MAX_BASS_MONO_HZ, MIN_BASS_MONO_HZ, RAMP_MS, StereoWidth } from '../../src/engine/width.js';
import { dspSuite, inPlace, runStereo, testSignal } from './dsp-suite.js';

const FS = 48000;

function make(widthPct: number, bassMonoHz = 0): StereoWidth {
  const w = new StereoWidth(FS);
  w.set(widthPct, bassMonoHz);
  return w;
}

function sine(amp: number, f: number, frames: number, phase = 0): Float32Array {
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = amp * Math.sin((2 * Math.PI * f * i) / FS + phase);
  return x;
}

/** Amplitude (dB re 1) of the component at f over [from, to) (whole periods of f). */
function toneDb(x: ArrayLike<number>, f: number, from: number, to: number): number {
  const w = (2 * Math.PI * f) / FS;
  let re = 0;
  let im = 0;
  for (let n = from; n < to; n++) {
    re += x[n] * Math.cos(w * n);
    im -= x[n] * Math.sin(w * n);
  }
  return 20 * Math.log10((2 * Math.hypot(re, im)) / (to - from));
}

function firstDifference(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** A noise generator (xorshift32), uniform in [−0.5, 0.5). */
function noise(frames: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    x[i] = s / 4294967296 - 0.5;
  }
  return x;
}

/** Butterworth 2nd-order high-pass magnitude (bilinear, prewarped at f0), in dB. */
function butterworthHpDb(f0: number, f: number): number {
  const r = Math.tan((Math.PI * f0) / FS) / Math.tan((Math.PI * f) / FS);
  return -10 * Math.log10(1 + r ** 4);
}

describe('StereoWidth: the M/S identities', () => {
  const [L, R] = testSignal(2, 24000, FS);

  it('100 % without bass mono is an exact identity, bit for bit', () => {
    const [l, r] = runStereo(make(100), L, R, 100);
    expect(firstDifference(l, L)).toBe(-1);
    expect(firstDifference(r, R)).toBe(-1);
    // Also when arriving at 100 % by a ramp, and after bass mono has faded out.
    const w = make(150, 200);
    const [l2, r2] = runStereo(w, L, R, 64, (pos) => {
      if (pos === 4800) w.set(100, 0);
    });
    const after = 4800 + Math.round((RAMP_MS * FS) / 1000);
    expect(firstDifference(l2.subarray(after), L.subarray(after))).toBe(-1);
    expect(firstDifference(r2.subarray(after), R.subarray(after))).toBe(-1);
  });

  it('0 % is mono: L′ = R′ = (L + R)/2 exactly', () => {
    const [l, r] = runStereo(make(0), L, R, 100);
    for (let i = 0; i < L.length; i++) {
      const m = Math.fround((L[i] + R[i]) / 2);
      if (l[i] !== m || r[i] !== m) throw new Error(`sample ${i}: ${l[i]}, ${r[i]} vs ${m}`);
    }
    expect(l).toEqual(r);
  });

  it('200 % doubles S: a pure side signal gains +6.02 dB exactly, a pure mid signal is unchanged', () => {
    const s = sine(0.25, 1000, 9600);
    const minus = s.map((v) => -v);
    const [l, r] = runStereo(make(200), s, minus);
    for (let i = 0; i < s.length; i++) {
      expect(l[i]).toBe(2 * s[i]);
      expect(r[i]).toBe(-2 * s[i]);
    }
    expect(toneDb(l, 1000, 0, 9600) - toneDb(s, 1000, 0, 9600)).toBeCloseTo(20 * Math.log10(2), 9);
    const [ml, mr] = runStereo(make(200), s, s);
    expect(firstDifference(ml, s)).toBe(-1);
    expect(firstDifference(mr, s)).toBe(-1);
    // In between: 150 % scales S by 1.5 (to float rounding).
    const [hl] = runStereo(make(150), s, minus);
    for (let i = 0; i < s.length; i++) expect(hl[i]).toBeCloseTo(1.5 * s[i], 6);
  });

  it('clamps the width to 0..200 %', () => {
    const s = sine(0.25, 1000, 4800);
    const minus = s.map((v) => -v);
    expect(runStereo(make(500), s, minus)[0]).toEqual(runStereo(make(200), s, minus)[0]);
    expect(runStereo(make(-50), s, minus)[0]).toEqual(runStereo(make(0), s, minus)[0]);
  });
});

describe('StereoWidth: bass mono', () => {
  it('high-passes S at the corner (2nd-order Butterworth): 30 Hz and 2 kHz against the analytic magnitude ±0.1 dB', () => {
    for (const [f, corner] of [
      [30, 120],
      [2000, 120],
      [120, 120],
      [60, 300],
    ]) {
      // A pure side signal: L = s, R = −s, so L′ = HP(s).
      const s = sine(0.25, f, 2 * FS);
      const [l, r] = runStereo(make(100, corner), s, s.map((v) => -v));
      const got = toneDb(l, f, FS, 2 * FS) - toneDb(s, f, FS, 2 * FS);
      const want = butterworthHpDb(corner, f);
      // Required ±0.1 dB; measured within 1e-6 dB (the filter runs in float64).
      expect(Math.abs(got - want), `${f} Hz, corner ${corner} Hz: ${got.toFixed(3)} vs ${want.toFixed(3)} dB`).toBeLessThan(0.001);
      expect(toneDb(r, f, FS, 2 * FS)).toBeCloseTo(toneDb(l, f, FS, 2 * FS), 6);
    }
    // The figures themselves: 30 Hz under a 120 Hz corner is −24.1 dB, 2 kHz is 0.000 dB.
    expect(butterworthHpDb(120, 30)).toBeCloseTo(-24.1, 1);
    expect(Math.abs(butterworthHpDb(120, 2000))).toBeLessThan(0.001);
  });

  it('leaves the mid signal alone: a mono bass line is unchanged', () => {
    const s = sine(0.5, 40, FS);
    const [l, r] = runStereo(make(100, 200), s, s);
    expect(firstDifference(l, s)).toBe(-1);
    expect(firstDifference(r, s)).toBe(-1);
  });

  it('width and bass mono together: S′ = w·HP(S)', () => {
    const s = sine(0.25, 2000, 2 * FS);
    const [l] = runStereo(make(200, 120), s, s.map((v) => -v));
    const got = toneDb(l, 2000, FS, 2 * FS) - toneDb(s, 2000, FS, 2 * FS);
    expect(Math.abs(got - (20 * Math.log10(2) + butterworthHpDb(120, 2000)))).toBeLessThan(0.01);
    const b = sine(0.25, 30, 2 * FS);
    const [l0] = runStereo(make(0, 120), b, b.map((v) => -v));
    expect(Math.max(...l0.map(Math.abs))).toBe(0);
  });

  it('clamps the corner to 20..1000 Hz; 0 or less is off', () => {
    const s = sine(0.25, 30, 2 * FS);
    const m = s.map((v) => -v);
    const tone = (w: StereoWidth): number => toneDb(runStereo(w, s, m)[0], 30, FS, 2 * FS);
    expect(tone(make(100, 5))).toBeCloseTo(tone(make(100, MIN_BASS_MONO_HZ)), 6);
    expect(tone(make(100, 5000))).toBeCloseTo(tone(make(100, MAX_BASS_MONO_HZ)), 6);
    expect(firstDifference(runStereo(make(100, -10), s, m)[0], s)).toBe(-1);
  });
});

describe('StereoWidth: de-zippering and block size', () => {
  it('a width change ramps linearly over RAMP_MS', () => {
    const ramp = Math.round((RAMP_MS * FS) / 1000);
    const dc = new Float32Array(9600).fill(0.5);
    const w = make(100);
    // Pure side DC: L′ = w·0.5.
    const [l] = runStereo(w, dc, dc.map((v) => -v), 100, (pos) => {
      if (pos === 4800) w.set(0, 0);
    });
    expect(l[4799]).toBe(0.5);
    expect(l[4800 + ramp / 2 - 1]).toBeCloseTo(0.25, 6);
    expect(l[4800 + ramp - 1]).toBe(0);
    let maxStep = 0;
    for (let i = 1; i < l.length; i++) maxStep = Math.max(maxStep, Math.abs(l[i] - l[i - 1]));
    expect(maxStep).toBeCloseTo(0.5 / ramp, 6);
  });

  it('switching bass mono on and off crossfades; a corner change glides; all block-size invariant', () => {
    const [L, R] = testSignal(2, 4800 * 8, FS);
    const script: Array<[number, number]> = [
      [100, 0],
      [100, 150],
      [160, 400],
      [160, 0],
      [40, 80],
      [40, 80],
      [200, 20],
      [100, 0],
    ];
    const outs = [1, 64, 75, 960].map((bs) => {
      const w = new StereoWidth(FS);
      return runStereo(w, L, R, bs, (pos) => {
        if (pos % 4800 === 0) w.set(...script[pos / 4800]);
      });
    });
    for (let k = 1; k < outs.length; k++) {
      expect(firstDifference(outs[k][0], outs[0][0]), `block size #${k}, left`).toBe(-1);
      expect(firstDifference(outs[k][1], outs[0][1]), `block size #${k}, right`).toBe(-1);
    }
    // Back at 100 % without bass mono at the end: the input itself after the fade.
    const after = 7 * 4800 + Math.round((RAMP_MS * FS) / 1000);
    expect(firstDifference(outs[0][0].subarray(after), L.subarray(after))).toBe(-1);
  });

  it('bass mono switched on mid-signal fades in without a click', () => {
    const F = 200;
    const s = sine(0.5, F, FS);
    const w = make(200);
    const [l] = runStereo(w, s, s.map((v) => -v), 128, (pos) => {
      if (pos === 9600) w.set(200, 400);
      if (pos === 19200) w.set(200, 60);
    });
    let maxStep = 0;
    for (let i = 1; i < l.length; i++) maxStep = Math.max(maxStep, Math.abs(l[i] - l[i - 1]));
    // Never steeper than the loudest steady sine (200 %: amplitude 1.0).
    expect(maxStep).toBeLessThanOrEqual(1.01 * 2 * Math.sin((Math.PI * F) / FS) * 1.0);
    // Settled: HP at 400 Hz, then at 60 Hz (after the glide).
    expect(toneDb(l, F, 14400, 19200) - toneDb(s, F, 14400, 19200)).toBeCloseTo(20 * Math.log10(2) + butterworthHpDb(400, F), 2);
    expect(toneDb(l, F, 43200, 48000) - toneDb(s, F, 43200, 48000)).toBeCloseTo(20 * Math.log10(2) + butterworthHpDb(60, F), 2);
  });

  it('the first set after construction or reset applies at once', () => {
    const s = sine(0.25, 1000, 4800);
    const m = s.map((v) => -v);
    const w = new StereoWidth(FS);
    runStereo(w, s, m);
    w.set(0, 0);
    expect(Math.max(...runStereo(w, s, m)[0].map(Math.abs))).toBe(0);
    w.reset();
    w.set(200, 0);
    expect(runStereo(w, s, m)[0]).toEqual(s.map((v) => 2 * v));
  });
});

describe('CorrelationMeter', () => {
  const measure = (l: Float32Array, r: Float32Array, block = 128, windowMs = 300): number => {
    const c = new CorrelationMeter(FS, windowMs);
    for (let pos = 0; pos < l.length; pos += block) {
      const n = Math.min(block, l.length - pos);
      c.measure(l.subarray(pos, pos + n), r.subarray(pos, pos + n), n);
    }
    return c.value;
  };

  it('identical channels: +1; inverted: −1 (±1e-6)', () => {
    const x = noise(FS, 3);
    expect(Math.abs(measure(x, x) - 1)).toBeLessThan(1e-6);
    expect(Math.abs(measure(x, x.map((v) => -v)) + 1)).toBeLessThan(1e-6);
    const s = sine(0.3, 440, FS);
    expect(Math.abs(measure(s, s.map((v) => 0.1 * v)) - 1)).toBeLessThan(1e-6);
  });

  it('independent noises: |ρ| < 0.05 over 1 s', () => {
    for (const [a, b] of [
      [1, 2],
      [5, 9],
      [11, 12345],
    ]) {
      expect(Math.abs(measure(noise(FS, a), noise(FS, b)))).toBeLessThan(0.05);
    }
  });

  it('a sine pair 90° apart: about 0; 60° apart: cos 60° = 0.5', () => {
    for (const f of [100, 1000, 5000]) {
      const a = sine(0.5, f, FS);
      expect(Math.abs(measure(a, sine(0.5, f, FS, Math.PI / 2))), `${f} Hz`).toBeLessThan(0.01);
      expect(measure(a, sine(0.2, f, FS, Math.PI / 3))).toBeCloseTo(0.5, 2);
    }
  });

  it('silence reads 0, as does one silent channel; the state decays to exact zeros', () => {
    const z = new Float32Array(FS);
    expect(measure(z, z)).toBe(0);
    expect(measure(noise(FS, 4), z)).toBe(0);
    const c = new CorrelationMeter(FS);
    const x = noise(4800, 6);
    c.measure(x, x, 4800);
    expect(c.value).toBeCloseTo(1, 6);
    for (let k = 0; k < 20 * 375; k++) {
      c.measure(z, z, 128);
      expect(c.subnormalStates()).toBe(0);
    }
    expect(c.value).toBe(0);
    c.reset();
    expect(c.value).toBe(0);
  });

  it('time constant: from −1 to +1 the reading crosses 0 after τ·ln 2 (±3 %)', () => {
    // Same energies throughout; P_LR goes from −E to +E as 1 − 2·e^(−t/τ).
    for (const tau of [300, 50]) {
      const c = new CorrelationMeter(FS, tau);
      const x = sine(0.5, 1000, FS);
      c.measure(x, x.map((v) => -v), FS);
      expect(c.value).toBeCloseTo(-1, 6);
      let n = 0;
      const one = new Float32Array(1);
      while (c.value < 0) {
        one[0] = x[n % FS];
        c.measure(one, one, 1);
        n++;
      }
      const ms = (n / FS) * 1000;
      expect(Math.abs(ms / (tau * Math.LN2) - 1), `crossed at ${ms.toFixed(1)} ms`).toBeLessThan(0.03);
    }
  });

  it('reads the same whatever the block size', () => {
    const a = noise(FS, 7);
    const b = noise(FS, 8).map((v, i) => v + a[i]);
    const ref = measure(a, b, 1);
    for (const bs of [64, 1000, FS]) expect(measure(a, b, bs)).toBe(ref);
    // Correlated by construction: ρ = 1/√2 for equal-power independent parts.
    expect(ref).toBeCloseTo(Math.SQRT1_2, 1);
  });
});

const CONFIGS: Record<string, [number, number]> = {
  default: [100, 0],
  'width 0': [0, 0],
  'width 200': [200, 0],
  'bass mono 300 Hz': [100, 300],
  'width 200, bass mono 20 Hz': [200, 20],
  'width 50, bass mono 1000 Hz': [50, 1000],
};

dspSuite(
  'StereoWidth',
  {
    inputs: 2,
    outputs: 2,
    configs: Object.keys(CONFIGS),
    make(sampleRate, config) {
      const w = new StereoWidth(sampleRate);
      w.set(...CONFIGS[config]);
      return inPlace(w);
    },
  },
  [44100, 48000, 96000],
);
