import { describe, expect, it } from 'vitest';
import { Reverb } from '../../src/engine/reverb.js';
import { dspSuite, inPlace, runStereo } from './dsp-suite.js';

const FS = 48000;

const run = runStereo;

/** Stereo impulse response for a unit impulse on both inputs (a centred source). */
function impulseResponse(fs: number, decay: number, predelay: number, damping: number, seconds: number, at = 0): [Float32Array, Float32Array] {
  const r = new Reverb(fs);
  r.set(decay, predelay, damping);
  const x = new Float32Array(Math.round(seconds * fs));
  x[at] = 1;
  return run(r, x, x);
}

/**
 * Decay time from Schroeder backward integration of the energy: a least-squares line through
 * the energy decay curve between -5 and -35 dB, extrapolated to 60 dB (T30 x 2).
 */
function t30(x: Float32Array, fs: number, from = 0): number {
  const edc = new Float64Array(x.length);
  let acc = 0;
  for (let i = x.length - 1; i >= from; i--) {
    acc += x[i] * x[i];
    edc[i] = acc;
  }
  const total = edc[from];
  let n = 0, st = 0, sd = 0, stt = 0, std = 0;
  for (let i = from; i < x.length; i++) {
    const d = 10 * Math.log10(edc[i] / total);
    if (d > -5) continue;
    if (d < -35) break;
    const t = i / fs;
    n++;
    st += t;
    sd += d;
    stt += t * t;
    std += t * d;
  }
  const slope = (n * std - st * sd) / (n * stt - st * st); // dB per second
  return -60 / slope;
}

/** Band-pass (two cascaded RBJ constant-peak band-passes, about an octave wide). */
function band(x: Float32Array, f: number, fs: number): Float32Array {
  const w = (2 * Math.PI * f) / fs;
  const alpha = Math.sin(w) / (2 * Math.SQRT2);
  const a0 = 1 + alpha;
  const b0 = alpha / a0;
  const a1 = (-2 * Math.cos(w)) / a0;
  const a2 = (1 - alpha) / a0;
  let y = Float64Array.from(x);
  for (let pass = 0; pass < 2; pass++) {
    const out = new Float64Array(y.length);
    let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (let i = 0; i < y.length; i++) {
      const v = b0 * y[i] - b0 * x2 - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = y[i];
      y2 = y1;
      y1 = v;
      out[i] = v;
    }
    y = out;
  }
  return Float32Array.from(y);
}

/** 2nd-order Butterworth high-pass (RBJ, Q = 1/sqrt 2). */
function highpass(x: Float32Array, f: number, fs: number): Float32Array {
  const w = (2 * Math.PI * f) / fs;
  const cos = Math.cos(w);
  const alpha = Math.sin(w) / Math.SQRT2;
  const a0 = 1 + alpha;
  const b0 = (1 + cos) / 2 / a0;
  const b1 = -(1 + cos) / a0;
  const a1 = (-2 * cos) / a0;
  const a2 = (1 - alpha) / a0;
  const y = new Float32Array(x.length);
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = b0 * x[i] + b1 * x1 + b0 * x2 - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = x[i];
    y2 = y1;
    y1 = v;
    y[i] = v;
  }
  return y;
}

function energy(x: Float32Array, start = 0, end = x.length): number {
  let e = 0;
  for (let i = start; i < end; i++) e += x[i] * x[i];
  return e;
}

function noise(frames: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    x[i] = s / 4294967296 - 0.5; // uniform on [-0.5, 0.5): variance 1/12
  }
  return x;
}

describe('Reverb decay time', () => {
  for (const [fs, decay] of [
    [48000, 0.5],
    [48000, 2],
    [48000, 5],
    [44100, 2],
    [96000, 2],
  ]) {
    it(`measures RT60 = ${decay} s +-10 % at ${fs} Hz (Schroeder, T30 x 2, damping 0)`, () => {
      // 1.6 x RT60 of response: the curve is ~96 dB down at the end, so truncation cannot bend it.
      const [l, r] = impulseResponse(fs, decay, 0, 0, Math.max(1, 1.6 * decay));
      for (const [side, x] of [['left', l], ['right', r]] as const) {
        const rt = t30(x, fs);
        expect(Math.abs(rt / decay - 1), `${side}: measured ${rt.toFixed(3)} s`).toBeLessThan(0.1);
      }
    });
  }

  it('damping 100 % shortens the 8 kHz decay well below the 500 Hz decay; damping 0 keeps them equal', () => {
    const decay = 2;
    const rt = (damping: number, f: number): number => t30(band(impulseResponse(FS, decay, 0, damping, 3.2)[0], f, FS), FS);
    const flatLow = rt(0, 500);
    const flatHigh = rt(0, 8000);
    expect(Math.abs(flatHigh / flatLow - 1), `damping 0: 500 Hz ${flatLow.toFixed(3)} s, 8 kHz ${flatHigh.toFixed(3)} s`).toBeLessThan(0.15);
    const darkLow = rt(100, 500);
    const darkHigh = rt(100, 8000);
    // At least 40 % shorter (the design gives about 73 %: HF decay = 0.2 x RT60 above the shelf).
    expect(darkHigh / darkLow, `damping 100: 500 Hz ${darkLow.toFixed(3)} s, 8 kHz ${darkHigh.toFixed(3)} s`).toBeLessThan(0.6);
    // The low band stays near the set decay time.
    expect(Math.abs(darkLow / decay - 1)).toBeLessThan(0.1);
    // Half damping falls in between.
    const midHigh = rt(50, 8000);
    expect(midHigh).toBeLessThan(flatHigh * 0.85);
    expect(midHigh).toBeGreaterThan(darkHigh * 1.5);
  });
});

describe('Reverb pre-delay', () => {
  it('starts the response exactly at the pre-delay (documented offset: 0 samples)', () => {
    for (const [fs, ms] of [
      [48000, 0],
      [48000, 1],
      [48000, 20.01],
      [48000, 50],
      [48000, 200],
      [44100, 33.3],
      [96000, 120],
    ]) {
      const at = 77; // the impulse arrives mid-block
      const expected = at + Math.round((ms * fs) / 1000);
      const [l, r] = impulseResponse(fs, 1.8, ms, 50, 0.3, at);
      expect(l.findIndex((v) => v !== 0), `${fs} Hz, ${ms} ms, left`).toBe(expected);
      expect(r.findIndex((v) => v !== 0), `${fs} Hz, ${ms} ms, right`).toBe(expected);
      // ...and it is a real onset, not a stray sample: the next 5 ms carry energy.
      expect(energy(l, expected, expected + fs / 200)).toBeGreaterThan(1e-3);
    }
  });

  it('changes pre-delay without a click (no broadband burst on a steady tone)', () => {
    const f = 440;
    const frames = FS * 4;
    const change = FS * 2.5;
    const tone = (i: number): number => (i < 0 ? 0 : 0.5 * Math.sin((2 * Math.PI * f * i) / FS));
    const x = Float32Array.from({ length: frames }, (_, i) => tone(i));
    const d1 = Math.round(0.01 * FS);
    const d2 = Math.round(0.15 * FS);
    const setFor = (r: Reverb) => (pos: number) => r.set(0.5, pos >= change ? 150 : 10, 50);
    const still = new Reverb(FS);
    still.set(0.5, 10, 50);
    const moved = new Reverb(FS);
    moved.set(0.5, 10, 50);
    // An abrupt pre-delay switch is the same as a reverb without pre-delay fed the tone with the
    // delay jumping at once: build that signal to show what a click would look like here.
    const jumped = Float32Array.from({ length: frames }, (_, i) => tone(i - (i >= change ? d2 : d1)));
    const abrupt = new Reverb(FS);
    abrupt.set(0.5, 0, 50);
    const [ref] = run(still, x, x);
    const [l] = run(moved, x, x, 128, setFor(moved));
    const [jl] = run(abrupt, jumped, jumped);
    // The response to a 440 Hz tone carries almost nothing above 4 kHz; a click is broadband.
    const hfPeak = (y: Float32Array): number => {
      const h = highpass(highpass(y, 4000, FS), 4000, FS);
      let m = 0;
      for (let i = FS * 2; i < frames; i++) m = Math.max(m, Math.abs(h[i]));
      return m;
    };
    const quiet = hfPeak(ref);
    expect(hfPeak(l)).toBeLessThan(3 * quiet);
    expect(hfPeak(jl)).toBeGreaterThan(30 * quiet);
  });
});

describe('Reverb decay changes', () => {
  it('ramps a decay change in mid-tail and then decays at the new rate', () => {
    const frames = FS * 6;
    const x = new Float32Array(frames);
    x[0] = 1;
    const change = FS / 4;
    const ref = new Reverb(FS);
    ref.set(0.5, 0, 0);
    const [lr] = run(ref, x, x);
    const r = new Reverb(FS);
    r.set(0.5, 0, 0);
    const [l] = run(r, x, x, 128, (pos) => r.set(pos >= change ? 4 : 0.5, 0, 0));
    // Identical before the change; right after it the outputs part gradually (a 50 ms ramp).
    expect(l.subarray(0, change).every((v, i) => v === lr[i])).toBe(true);
    const rms = Math.sqrt(energy(lr, change - 480, change) / 480);
    let early = 0;
    for (let i = change; i < change + 48; i++) early = Math.max(early, Math.abs(l[i] - lr[i]));
    expect(early).toBeLessThan(0.02 * rms);
    // Once the ramp is over, the tail decays with the new RT60.
    const rt = t30(l, FS, change + FS / 10);
    expect(Math.abs(rt / 4 - 1), `measured ${rt.toFixed(3)} s`).toBeLessThan(0.1);
  });
});

describe('Reverb stereo image', () => {
  it('gives decorrelated left and right responses of equal energy for a centred impulse', () => {
    for (const [decay, damping] of [
      [1.8, 50],
      [5, 0],
      [0.5, 100],
    ]) {
      const [l, r] = impulseResponse(FS, decay, 20, damping, 1.6 * decay);
      const el = energy(l);
      const er = energy(r);
      let c = 0;
      for (let i = 0; i < l.length; i++) c += l[i] * r[i];
      const rho = c / Math.sqrt(el * er);
      expect(Math.abs(rho), `decay ${decay}, damping ${damping}: correlation`).toBeLessThan(0.3);
      expect(Math.abs(10 * Math.log10(el / er)), `decay ${decay}, damping ${damping}: L/R energy, dB`).toBeLessThan(1);
    }
  });

  it('keeps a side source toward its side, tail included, while spreading it to both outputs', () => {
    const r = new Reverb(FS);
    r.set(2, 0, 50);
    const x = new Float32Array(FS * 3);
    x[0] = 1;
    const [l, rr] = run(r, x, new Float32Array(FS * 3));
    const whole = 10 * Math.log10(energy(l) / energy(rr));
    expect(whole).toBeGreaterThan(1.5);
    expect(whole).toBeLessThan(6);
    // The network is reciprocal (symmetric matrix, same vectors in and out), so in the late tail a
    // path and its reverse add coherently on the source's own side: 3 dB, the diffuse-field value.
    const late = 10 * Math.log10(energy(l, FS / 2) / energy(rr, FS / 2));
    expect(late).toBeGreaterThan(2);
    expect(late).toBeLessThan(4);
  });
});

describe('Reverb stability', () => {
  it('stays bounded through 60 s of noise at a 20 s decay (level as the impulse response predicts)', () => {
    const decay = 20;
    // Predicted steady-state level: noise variance times the energy of the (centred) response,
    // taken over 30 s (90 dB down).
    const [hl, hr] = impulseResponse(FS, decay, 0, 0, 30);
    const sigma2 = 1 / 12;
    const predicted = [Math.sqrt(sigma2 * energy(hl)), Math.sqrt(sigma2 * energy(hr))];
    const x = noise(FS * 60, 9);
    const r = new Reverb(FS);
    r.set(decay, 0, 0);
    const out = run(r, x, x);
    out.forEach((y, c) => {
      // Each 10 s window from 30 s on (past the build-up) sits within 1 dB of the prediction.
      for (let t = 30; t < 60; t += 10) {
        const rms = Math.sqrt(energy(y, t * FS, (t + 10) * FS) / (10 * FS));
        expect(Math.abs(20 * Math.log10(rms / predicted[c])), `channel ${c}, ${t}..${t + 10} s`).toBeLessThan(1);
      }
      let peak = 0;
      for (const v of y) peak = Math.max(peak, Math.abs(v));
      // The stated bound: 8 times the predicted RMS (about 8.6 here, from noise peaking at 0.5).
      expect(peak, `channel ${c} peak`).toBeLessThan(8 * predicted[c]);
      expect(predicted[c]).toBeLessThan(1.2);
    });
  });
});

describe('Reverb tails', () => {
  it('lets the tail die into exact silence (no rounding limit cycle)', () => {
    // Damping 50 puts each loss filter's pole near z = 1, the case where rounding alone would
    // hold a tiny value forever. -400 dB at a 2 s decay is reached after about 13.3 s.
    const [l, r] = impulseResponse(FS, 2, 0, 50, 16);
    expect(l.subarray(FS * 14).every((v) => v === 0)).toBe(true);
    expect(r.subarray(FS * 14).every((v) => v === 0)).toBe(true);
    expect(l[FS * 10]).not.toBe(0);
  });
});

dspSuite(
  'Reverb',
  {
    inputs: 2,
    outputs: 2,
    configs: ['default', 'short-bright-nopre', 'long-dark-maxpre', 'long-bright', 'short-dark-maxpre'],
    make(sampleRate, config) {
      const r = new Reverb(sampleRate);
      if (config === 'default') r.set(1.8, 20, 50);
      else if (config === 'short-bright-nopre') r.set(0.2, 0, 0);
      else if (config === 'long-dark-maxpre') r.set(20, 200, 100);
      else if (config === 'long-bright') r.set(20, 0, 0);
      else r.set(0.2, 200, 100);
      return inPlace(r);
    },
  },
  [48000, 44100],
);
