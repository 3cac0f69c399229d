import { describe, expect, it } from 'vitest';
import { delayTimeMs, StereoDelay } from '../../src/engine/delay.js';
import { DELAY_DIVISIONS } from '../../src/model/params.js';
import { dspSuite, inPlace, runStereo } from './dsp-suite.js';

const FS = 48000;

const run = runStereo;

function impulse(frames: number, at = 0, value = 1): Float32Array {
  const x = new Float32Array(frames);
  x[at] = value;
  return x;
}

function sine(frames: number, freq: number, amp: number, fs = FS): Float32Array {
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / fs);
  return x;
}

/** Amplitude of the `freq` component over [start, start + len) (len holding whole cycles). */
function toneAmplitude(x: Float32Array, freq: number, start: number, len: number, fs = FS): number {
  let a = 0;
  let b = 0;
  for (let i = start; i < start + len; i++) {
    const w = (2 * Math.PI * freq * i) / fs;
    a += x[i] * Math.sin(w);
    b += x[i] * Math.cos(w);
  }
  return (2 / len) * Math.hypot(a, b);
}

function sum(x: Float32Array, start: number, end: number): number {
  let s = 0;
  for (let i = start; i < end; i++) s += x[i];
  return s;
}

function firstNonZero(x: Float32Array): number {
  return x.findIndex((v) => v !== 0);
}

const db = (r: number): number => 20 * Math.log10(Math.abs(r));

/** Analytic magnitude of the bilinear-transformed 2nd-order Butterworth low-pass (prewarped at fc). */
function butterworthLp(f: number, fc: number, fs = FS): number {
  const r = Math.tan((Math.PI * f) / fs) / Math.tan((Math.PI * fc) / fs);
  return 1 / Math.sqrt(1 + r ** 4);
}

/** A delay already set to time/feedback with the high-cut open. */
class StereoDelayWith extends StereoDelay {
  constructor(fs: number, ms: number, fbPct: number, pingpong = false) {
    super(fs);
    this.set(ms, fbPct, 20000, pingpong);
  }
}

describe('delayTimeMs', () => {
  it('returns the free time when not synced', () => {
    expect(delayTimeMs(false, 437.5, 120, 0)).toBe(437.5);
  });

  it('gives the tempo-based division lengths at 120 BPM', () => {
    const expected: Record<string, number> = {
      '1/4': 500,
      '1/8': 250,
      '1/8.': 375,
      '1/4.': 750,
      '1/16': 125,
      '1/2': 1000,
      '1/4T': 1000 / 3,
      '1/8T': 500 / 3,
    };
    DELAY_DIVISIONS.forEach((name, i) => {
      expect(delayTimeMs(true, 10, 120, i), name).toBeCloseTo(expected[name], 9);
    });
    expect(delayTimeMs(true, 10, 120, 7)).toBeCloseTo(166.67, 2);
  });

  it('scales with tempo and clamps to 1..2000 ms', () => {
    expect(delayTimeMs(true, 10, 90, 0)).toBeCloseTo(666.667, 3);
    expect(delayTimeMs(true, 10, 40, 5)).toBe(2000); // a half note at 40 BPM is 3000 ms
    expect(delayTimeMs(true, 10, 300, 4)).toBeCloseTo(50, 9);
    expect(delayTimeMs(true, 10, 1e6, 4)).toBe(1);
  });
});

describe('StereoDelay echoes', () => {
  it('puts the first echo at exactly round(time * fs / 1000) samples', () => {
    for (const [fs, ms] of [
      [48000, 100],
      [48000, 10.51],
      [44100, 7.3],
      [96000, 1],
      [48000, 2000],
    ]) {
      const d = new StereoDelay(fs);
      d.set(ms, 0, 20000, false);
      const expected = Math.round((ms * fs) / 1000);
      const [l, r] = run(d, impulse(expected + 100), impulse(expected + 100));
      expect(firstNonZero(l), `${fs} Hz, ${ms} ms, left`).toBe(expected);
      expect(firstNonZero(r), `${fs} Hz, ${ms} ms, right`).toBe(expected);
    }
  });

  it('clamps the time to the line length given at construction', () => {
    const d = new StereoDelay(FS, 500);
    d.set(2000, 0, 20000, false);
    const [l] = run(d, impulse(FS), impulse(FS));
    expect(firstNonZero(l)).toBe(FS / 2);
  });

  it('gives the first echo unit gain, shaped only by the 20 kHz high-cut', () => {
    const d = new StereoDelay(FS);
    d.set(100, 0, 20000, false);
    const [l] = run(d, impulse(9600), impulse(9600));
    // The first sample of a 2nd-order low-pass impulse response is b0 = (1 - cos w0) / 2 / (1 + alpha).
    const w0 = (2 * Math.PI * 20000) / FS;
    const b0 = (1 - Math.cos(w0)) / 2 / (1 + Math.sin(w0) / (2 * Math.SQRT1_2));
    expect(Math.abs(db(l[4800] / b0))).toBeLessThan(0.05);
    // The whole echo carries the low-pass's DC gain, which is exactly 1.
    expect(Math.abs(db(sum(l, 4800, 9600)))).toBeLessThan(0.05);
  });

  it('makes the n-th echo feedback^(n-1) as loud (first 5 echoes, +-0.1 dB)', () => {
    for (const fbPct of [30, 50, 90]) {
      const fb = fbPct / 100;
      const d = new StereoDelay(FS);
      d.set(100, fbPct, 20000, false);
      // Impulse: the area of echo n (DC gain of n low-passes = 1) is fb^(n-1).
      const [l, r] = run(d, impulse(4800 * 6), impulse(4800 * 6));
      for (let n = 1; n <= 5; n++) {
        const expected = db(fb ** (n - 1));
        expect(Math.abs(db(sum(l, n * 4800, (n + 1) * 4800)) - expected), `fb ${fbPct} %, echo ${n} area, left`).toBeLessThan(0.1);
        expect(Math.abs(db(sum(r, n * 4800, (n + 1) * 4800)) - expected), `fb ${fbPct} %, echo ${n} area, right`).toBeLessThan(0.1);
      }
      // A 1 kHz burst: the peak amplitude of echo n is fb^(n-1) |H(1 kHz)|^n.
      const burst = sine(4800 * 6, 1000, 0.5);
      burst.fill(0, 2400);
      const [lb] = run(new StereoDelayWith(FS, 100, fbPct), burst, burst);
      for (let n = 1; n <= 5; n++) {
        const amp = toneAmplitude(lb, 1000, n * 4800 + 480, 1440);
        const expected = db(0.5 * fb ** (n - 1) * butterworthLp(1000, 20000) ** n);
        expect(Math.abs(db(amp) - expected), `fb ${fbPct} %, echo ${n} tone amplitude`).toBeLessThan(0.1);
      }
    }
  });

  it('attenuates a 10 kHz tone through a 2 kHz high-cut as the Butterworth response says', () => {
    for (const [f, fc] of [
      [10000, 2000],
      [2000, 2000],
      [10000, 20000],
      [5000, 1000],
    ]) {
      const d = new StereoDelay(FS);
      d.set(10, 0, fc, false);
      const [l, r] = run(d, sine(FS / 2, f, 0.5), sine(FS / 2, f, 0.5));
      const expected = db(0.5 * butterworthLp(f, fc));
      // Measure well after the echo's onset transient.
      expect(Math.abs(db(toneAmplitude(l, f, 9600, 4800)) - expected), `${f} Hz through ${fc} Hz, left`).toBeLessThan(0.1);
      expect(Math.abs(db(toneAmplitude(r, f, 9600, 4800)) - expected), `${f} Hz through ${fc} Hz, right`).toBeLessThan(0.1);
    }
    // The figure itself: about -30.6 dB at 10 kHz for a 2 kHz high-cut.
    expect(db(butterworthLp(10000, 2000))).toBeCloseTo(-30.63, 1);
  });
});

describe('StereoDelay ping-pong', () => {
  it('puts the first echo on the left, then alternates, from either input side', () => {
    const fb = 0.5;
    for (const side of ['left', 'right'] as const) {
      const x = impulse(4800 * 7);
      const z = new Float32Array(4800 * 7);
      const [l, r] = run(new StereoDelayWith(FS, 100, 50, true), side === 'left' ? x : z, side === 'left' ? z : x);
      expect(Math.min(firstNonZero(l), firstNonZero(r)), side).toBe(4800);
      for (let n = 1; n <= 6; n++) {
        const [hot, cold] = n % 2 === 1 ? [l, r] : [r, l];
        const expected = db(0.5 * fb ** (n - 1)); // mono sum (L + R) / 2
        expect(Math.abs(db(sum(hot, n * 4800, (n + 1) * 4800)) - expected), `${side} in, echo ${n}`).toBeLessThan(0.1);
        const leak = cold.subarray(n * 4800, (n + 1) * 4800).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expect(leak, `${side} in, echo ${n} on the other side`).toBe(0);
      }
    }
  });

  it('keeps the sides apart when ping-pong is off', () => {
    const x = impulse(4800 * 4);
    const [l, r] = run(new StereoDelayWith(FS, 100, 50, false), x, new Float32Array(4800 * 4));
    expect(r.every((v) => v === 0)).toBe(true);
    for (let n = 1; n <= 3; n++) expect(Math.abs(db(sum(l, n * 4800, (n + 1) * 4800)) - db(0.5 ** (n - 1)))).toBeLessThan(0.1);
  });
});

describe('StereoDelay parameter changes', () => {
  const f = 440;
  const amp = 0.5;
  const fade = Math.round(0.05 * FS); // the documented 50 ms crossfade
  // Largest step of a clean sine plus what a 50 ms crossfade between two phases can add (the
  // smoothstep weight moves at most 1.5/fade per sample; 2/fade allowed).
  const bound = amp * (2 * Math.sin((Math.PI * f) / FS) + 2 / fade) * 1.001;

  it('changes the delay time without a click, and lands on the new time', () => {
    const frames = FS * 2;
    const x = sine(frames, f, amp);
    const d = new StereoDelayWith(FS, 250, 0);
    const change = FS; // after 1 s
    const [l] = run(d, x, x, 128, (pos) => d.set(pos >= change ? 330 : 250, 0, 20000, false));
    // From 0.5 s on: past the echo's onset (where the high-cut rings on the tone's first cycle).
    let step = 0;
    for (let i = FS / 2; i < frames; i++) step = Math.max(step, Math.abs(l[i] - l[i - 1]));
    expect(step).toBeLessThan(bound);
    // Once the fade is over the output is that of a delay set to 330 ms all along.
    const [ref] = run(new StereoDelayWith(FS, 330, 0), x, x);
    let err = 0;
    for (let i = change + fade + 100; i < frames; i++) err = Math.max(err, Math.abs(l[i] - ref[i]));
    expect(err).toBeLessThan(1e-6);
    const d2 = Math.round(0.33 * FS);

    // An abrupt switch of the read position at the same moment would step far beyond the bound.
    const d1 = Math.round(0.25 * FS);
    let naive = 0;
    for (let i = change - 2400; i < change + 2400; i++) {
      const prev = x[i - 1 - (i - 1 >= change ? d2 : d1)];
      const cur = x[i - (i >= change ? d2 : d1)];
      naive = Math.max(naive, Math.abs(cur - prev));
    }
    expect(naive).toBeGreaterThan(5 * bound);
  });

  it('ramps feedback and routing changes without a click', () => {
    // 431 Hz: the tone is far from a zero crossing where the changes reach the line (at 0.8 s
    // and 1.2 s, against a 200 ms delay), so an unramped change would show as a step.
    const g = 431;
    const frames = FS * 2;
    const x = sine(frames, g, amp);
    const d = new StereoDelayWith(FS, 200, 0);
    const [l, r] = run(d, x, x, 128, (pos) => {
      if (pos >= FS * 0.8) d.set(200, 40, 20000, pos >= FS * 1.2);
    });
    // With feedback 0.4 the steady tone can reach amp / (1 - 0.4): allow that size of sine step.
    const loud = (amp * 2 * Math.sin((Math.PI * g) / FS) * 1.001) / (1 - 0.4);
    for (const y of [l, r]) {
      let step = 0;
      for (let i = FS / 2; i < frames; i++) step = Math.max(step, Math.abs(y[i] - y[i - 1]));
      expect(step).toBeLessThan(loud);
    }
  });
});

describe('StereoDelay tails', () => {
  it('lets a 95 % feedback tail die into exact silence (no rounding limit cycle)', () => {
    for (const pingpong of [false, true]) {
      const d = new StereoDelay(FS);
      d.set(1, 95, 1000, pingpong);
      const x = impulse(FS * 3);
      const [l, r] = run(d, x, x);
      // 0.45 dB lost per 1 ms pass: -400 dB (the settle level) within about 0.9 s.
      expect(l.subarray(FS * 1.5).every((v) => v === 0), `pingpong ${pingpong}, left`).toBe(true);
      expect(r.subarray(FS * 1.5).every((v) => v === 0), `pingpong ${pingpong}, right`).toBe(true);
      expect(l[FS / 10]).not.toBe(0);
    }
  });
});

dspSuite('StereoDelay', {
  inputs: 2,
  outputs: 2,
  configs: ['default', 'short-open', 'short-dark', 'short-dark-pingpong', 'long-max', 'long-dark'],
  make(sampleRate, config) {
    const d = new StereoDelay(sampleRate);
    if (config === 'default') d.set(delayTimeMs(true, 375, 120, 2), 35, 6000, false);
    else if (config === 'short-open') d.set(1, 0, 20000, false);
    else if (config === 'short-dark') d.set(1, 95, 1000, false);
    else if (config === 'short-dark-pingpong') d.set(1, 95, 1000, true);
    else if (config === 'long-max') d.set(2000, 95, 20000, true);
    else d.set(2000, 95, 1000, false);
    return inPlace(d);
  },
});
