import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/audio/wav.js';
import { FADE_MS, LIMITER_TAPS, TruePeakLimiter, limiterLatency, limiterOversampling, limiterPhase } from '../../src/engine/limiter.js';
import { LoudnessMeter } from '../../src/engine/loudness.js';
import { ffmpegEbur128 } from '../helpers/ebur128.js';
import { hasTool } from '../helpers/tools.js';
import { dspSuite, inPlace } from './dsp-suite.js';

const ffmpeg = hasTool('ffmpeg');
const dir = mkdtempSync(path.join(os.tmpdir(), 'mixhost-limiter-'));
const measured: string[] = [];
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  // eslint-disable-next-line no-console
  if (process.env.LIMITER_REPORT) console.log(measured.join('\n'));
});

const db = (x: number): number => 20 * Math.log10(x);

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

type Stereo = [Float32Array, Float32Array];

/**
 * The input classes of the issue, stereo, each starting and ending abruptly (an edge is a test
 * of its own): naive square waves at 0 and +6 dBFS, a kick/snare/hat pattern driven +12 dB into
 * a clip at 1.0, uniform white noise at +6 dBFS, a 20 Hz–20 kHz log sweep at +3 dBFS, and the
 * Tech 3341-style fs/4 at 45° and fs/6 at 60° sines at +6 dBFS.
 */
function inputCases(fs: number): [string, Stereo][] {
  const out: [string, Stereo][] = [];
  const len = (s: number): number => Math.round(s * fs);
  for (const f of [997, 5000, 11000, 19000]) {
    for (const a of [1, 2]) {
      const n = len(0.12);
      const l = new Float32Array(n);
      const r = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        l[i] = ((f * i) / fs) % 1 < 0.5 ? a : -a;
        r[i] = ((f * i) / fs + 0.3) % 1 < 0.5 ? a : -a;
      }
      out.push([`square ${f} Hz ${a === 1 ? '0' : '+6'} dBFS`, [l, r]]);
    }
  }
  {
    const n = len(0.6);
    const l = new Float32Array(n);
    const r = new Float32Array(n);
    const rnd = rng(5);
    const beat = Math.round(0.15 * fs);
    for (let i = 0; i < n; i++) {
      const tk = (i % (2 * beat)) / fs;
      const ts = ((i + beat) % (2 * beat)) / fs;
      const kick = Math.sin(2 * Math.PI * (50 * tk + 2.1 * (1 - Math.exp(-tk / 0.03)))) * Math.exp(-tk / 0.15);
      const snare = ((rnd() * 2 - 1) * 0.7 + 0.5 * Math.sin(2 * Math.PI * 190 * ts)) * Math.exp(-ts / 0.08);
      const hat = (rnd() * 2 - 1) * 0.2 * Math.exp(-((i % (beat / 2)) / fs) / 0.02);
      l[i] = Math.max(-1, Math.min(1, 4 * (0.6 * kick + 0.5 * snare + hat)));
      r[i] = Math.max(-1, Math.min(1, 4 * (0.6 * kick + 0.45 * snare - hat)));
    }
    out.push(['clipped drums', [l, r]]);
  }
  {
    const n = len(0.3);
    const rnd = rng(9);
    const l = new Float32Array(n);
    const r = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      l[i] = 2 * (2 * rnd() - 1);
      r[i] = 2 * (2 * rnd() - 1);
    }
    out.push(['white noise +6 dBFS', [l, r]]);
  }
  {
    const n = len(0.6);
    const l = new Float32Array(n);
    const a = Math.pow(10, 3 / 20);
    const dur = n / fs;
    const k = Math.log(1000);
    for (let i = 0; i < n; i++) l[i] = a * Math.sin(((2 * Math.PI * 20 * dur) / k) * (Math.exp((k * i) / n) - 1));
    out.push(['sweep 20 Hz-20 kHz +3 dBFS', [l, Float32Array.from(l)]]);
  }
  for (const [div, ph] of [[4, 45], [6, 60]]) {
    const n = len(0.12);
    const l = new Float32Array(n);
    for (let i = 0; i < n; i++) l[i] = 2 * Math.sin((2 * Math.PI * i) / div + (ph * Math.PI) / 180);
    out.push([`fs/${div} at ${ph} deg +6 dBFS`, [l, Float32Array.from(l)]]);
  }
  return out;
}

/** Limit a stereo signal (fresh limiter), returning the output aligned with the input. */
function limitStereo(fs: number, x: Stereo, ceiling: number, releaseMs = 100, block = 333): Stereo {
  const lim = new TruePeakLimiter(2, fs);
  lim.set(true, ceiling, releaseMs);
  const n = x[0].length + lim.latency;
  const l = new Float32Array(n);
  const r = new Float32Array(n);
  l.set(x[0]);
  r.set(x[1]);
  for (let p = 0; p < n; p += block) {
    const m = Math.min(block, n - p);
    lim.process([l.subarray(p, p + m), r.subarray(p, p + m)], m);
  }
  return [l.subarray(lim.latency), r.subarray(lim.latency)];
}

function meterTp(fs: number, y: readonly Float32Array[]): number {
  const m = new LoudnessMeter(fs, y.length);
  m.process(y, y[0].length);
  return m.result().truePeakDbtp;
}

/** Largest gain reduction a second limiter with the same ceiling applies to `y`. */
function secondPassGr(fs: number, y: Stereo, ceiling: number): number {
  const lim = new TruePeakLimiter(2, fs);
  lim.set(true, ceiling, 100);
  const l = Float32Array.from(y[0]);
  const r = Float32Array.from(y[1]);
  let worst = 0;
  for (let p = 0; p < l.length; p += 256) {
    const m = Math.min(256, l.length - p);
    lim.process([l.subarray(p, p + m), r.subarray(p, p + m)], m);
    worst = Math.max(worst, lim.gainReductionDb);
  }
  return worst;
}

function sine(amp: number, freq: number, fs: number, n: number, phase = 0): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / fs + phase);
  return x;
}

const CEILINGS = [-1, -2, -0.1];

describe('TruePeakLimiter: the ceiling holds on every input class', () => {
  for (const fs of [44100, 48000, 96000]) {
    it(`${fs} Hz: true peak ≤ ceiling + 0.1 dB by our meter${ffmpeg ? ' and by ffmpeg ebur128' : ''}; a second pass finds nothing to limit`, () => {
      const gap = Math.round(0.02 * fs);
      const parts: Stereo[] = [];
      let worstOurs = -Infinity;
      let worstName = '';
      let worstSecond = 0;
      for (const [name, x] of inputCases(fs)) {
        for (const c of CEILINGS) {
          const y = limitStereo(fs, x, c);
          const margin = meterTp(fs, y) - c;
          expect(margin, `${name}, ceiling ${c}: our meter's true peak above the ceiling (dB)`).toBeLessThanOrEqual(0.1);
          if (margin > worstOurs) {
            worstOurs = margin;
            worstName = `${name} @ ${c}`;
          }
          // The guarantee in its exact form: the limiter's own detector, run on the output,
          // reads at most the ceiling (float32 rounding of the output leaves ~1e-6 dB).
          if (fs === 48000) worstSecond = Math.max(worstSecond, secondPassGr(fs, y, c));
          // For ffmpeg: every segment scaled to a 0 dBTP ceiling, separated by silence.
          const k = Math.pow(10, -c / 20);
          const s: Stereo = [new Float32Array(y[0].length + gap), new Float32Array(y[0].length + gap)];
          for (let ch = 0; ch < 2; ch++) for (let i = 0; i < y[0].length; i++) s[ch][i + gap] = y[ch][i] * k;
          parts.push(s);
        }
      }
      measured.push(`${fs} Hz: our meter, worst true peak − ceiling ${worstOurs.toFixed(3)} dB (${worstName})`);
      if (fs === 48000) {
        measured.push(`${fs} Hz: second pass, largest gain reduction ${worstSecond.toExponential(2)} dB`);
        expect(worstSecond).toBeLessThan(1e-5);
      }
      if (ffmpeg) {
        const total = parts.reduce((a, p) => a + p[0].length, 0) + gap;
        expect(total / fs).toBeLessThanOrEqual(10);
        const file: Stereo = [new Float32Array(total), new Float32Array(total)];
        let at = 0;
        for (const p of parts) {
          file[0].set(p[0], at);
          file[1].set(p[1], at);
          at += p[0].length;
        }
        const wav = path.join(dir, `limited-${fs}.wav`);
        writeFileSync(wav, encodeWav({ sampleRate: fs, channels: file }, 'float32'));
        const tp = ffmpegEbur128(wav, dir).tp;
        measured.push(`${fs} Hz: ffmpeg, worst true peak − ceiling ${tp.toFixed(3)} dB (all cases, ${(total / fs).toFixed(1)} s)`);
        expect(tp, 'ffmpeg true peak of the outputs scaled to a 0 dBTP ceiling').toBeLessThanOrEqual(0.1);
        // And the scaled file really reaches the ceiling (a limiter that just turned everything
        // down would pass the line above).
        expect(tp).toBeGreaterThan(-0.3);
      }
    });
  }
});

describe('TruePeakLimiter: behaviour', () => {
  const fs = 48000;

  it('is transparent below the ceiling: a −10 dBFS sine comes out delayed by `latency`, unchanged', () => {
    const x = sine(Math.pow(10, -10 / 20), 1000, fs, fs);
    const lim = new TruePeakLimiter(2, fs);
    lim.set(true, -1, 100);
    const [l, r] = [Float32Array.from(x), Float32Array.from(x)];
    let gr = 0;
    for (let p = 0; p < x.length; p += 100) {
      lim.process([l.subarray(p, p + 100), r.subarray(p, p + 100)], 100);
      gr = Math.max(gr, lim.gainReductionDb);
    }
    let err = 0;
    for (let i = 0; i < x.length; i++) {
      const want = i >= lim.latency ? x[i - lim.latency] : 0;
      err = Math.max(err, Math.abs(l[i] - want), Math.abs(r[i] - want));
    }
    expect(err).toBeLessThan(1e-6);
    expect(gr).toBe(0);
  });

  it('reports its latency, fixed per rate, and an impulse comes out exactly that late (on and off)', () => {
    expect([44100, 48000, 96000].map(limiterLatency)).toEqual([118, 126, 222]);
    expect([44100, 48000, 88200, 96000, 192000].map(limiterOversampling)).toEqual([8, 8, 4, 4, 4]);
    for (const rate of [44100, 48000, 96000]) {
      for (const on of [true, false]) {
        const lim = new TruePeakLimiter(1, rate);
        lim.set(on, -1, 50);
        expect(lim.latency).toBe(limiterLatency(rate));
        const x = new Float32Array(1000);
        x[10] = 0.5;
        lim.process([x], 1000);
        const at = x.findIndex((v) => v !== 0);
        expect(at - 10, `${rate} Hz, ${on ? 'on' : 'off'}`).toBe(lim.latency);
        expect(x[at]).toBe(0.5);
        expect(x.filter((v) => v !== 0)).toHaveLength(1);
      }
      // Parameters never change the latency.
      const a = new TruePeakLimiter(2, rate);
      a.set(true, -12, 1);
      const b = new TruePeakLimiter(2, rate);
      b.set(true, 0, 2000);
      expect(a.latency).toBe(b.latency);
    }
  });

  it('holds a +6 dBFS 1 kHz sine at the ceiling (±0.1 dB) and releases with the time constant, in dB', () => {
    const ceiling = -1;
    const release = 100;
    const lim = new TruePeakLimiter(2, fs);
    lim.set(true, ceiling, release);
    const loudLen = fs; // 1 s at +6 dBFS, then 3 s at −20 dBFS (same phase)
    const n = 4 * fs;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = (i < loudLen ? 2 : 0.1) * Math.sin((2 * Math.PI * 1000 * i) / fs);
    const l = Float32Array.from(x);
    const r = Float32Array.from(x);
    const grBlocks: number[] = [];
    for (let p = 0; p < n; p += 480) {
      lim.process([l.subarray(p, p + 480), r.subarray(p, p + 480)], 480);
      grBlocks.push(lim.gainReductionDb);
    }
    const D = lim.latency;
    // Steady state: the output's sample peak and true peak over the second half of the loud part.
    const steady = l.subarray(D + fs / 2, D + loudLen - 10);
    const samplePeak = db(steady.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
    const tp = meterTp(fs, [steady]);
    measured.push(`+6 dBFS 1 kHz, ceiling −1: sample peak ${samplePeak.toFixed(4)} dBFS, true peak ${tp.toFixed(4)} dBTP`);
    expect(Math.abs(samplePeak - ceiling)).toBeLessThan(0.1);
    expect(Math.abs(tp - ceiling)).toBeLessThan(0.1);
    expect(Math.abs(grBlocks[60] - 7)).toBeLessThan(0.1); // 20·log10(2) + 1 = 7.02 dB

    // Gain reduction per sample after the loud part, from output / delayed input.
    const grAt = (t: number): number => {
      // The largest |x| sample within ±0.5 ms of t (a crest of the quiet sine).
      const c = loudLen + Math.round(t * fs);
      let best = c;
      for (let i = c - 24; i <= c + 24; i++) if (Math.abs(x[i]) > Math.abs(x[best])) best = i;
      return -db(l[best + D] / x[best]);
    };
    const gr0 = -db(l[loudLen - 12 + D] / x[loudLen - 12]);
    const f1 = grAt(release / 1000) / gr0;
    const f2 = grAt((2 * release) / 1000) / gr0;
    measured.push(`release ${release} ms from ${gr0.toFixed(3)} dB: GR(τ)/GR0 ${f1.toFixed(3)} (e^-1 = 0.368), GR(2τ)/GR0 ${f2.toFixed(3)} (0.135)`);
    expect(Math.abs(f1 / Math.exp(-1) - 1)).toBeLessThan(0.2);
    expect(Math.abs(f2 / Math.exp(-2) - 1)).toBeLessThan(0.2);
    // And it comes back to exactly unity gain (snapped below 1e-7 dB, after about 18·τ).
    for (let i = n - fs / 2; i < n; i += 7) expect(l[i]).toBe(x[i - D]);
  });

  it('a stereo pair is linked, and mono gives the same samples as a stereo pair of equal channels', () => {
    const x = sine(1.5, 440, fs, fs / 2);
    const mono = new TruePeakLimiter(1, fs);
    mono.set(true, -3, 50);
    const m = Float32Array.from(x);
    mono.process([m], m.length);
    const [l, r] = limitStereo(fs, [x, x], -3, 50, m.length);
    for (let i = 0; i + mono.latency < m.length; i++) expect(m[i + mono.latency]).toBe(l[i]);
    // Loud left, quiet right: the right channel gets the same gain as the left.
    const [l2, r2] = limitStereo(fs, [x, sine(0.1, 440, fs, fs / 2)], -3, 50);
    const i = fs / 4 + 30;
    expect(r2[i] / (0.1 * Math.sin((2 * Math.PI * 440 * i) / fs))).toBeCloseTo(l2[i] / x[i], 5);
    expect(r.length).toBe(l.length);
  });

  it('off passes a +6 dBFS signal unchanged but delayed; switching crossfades in FADE_MS without a step', () => {
    const x = sine(2, 1000, fs, fs);
    const lim = new TruePeakLimiter(1, fs);
    lim.set(false, -1, 100);
    const y = Float32Array.from(x);
    lim.process([y], y.length);
    for (let i = lim.latency; i < y.length; i += 97) expect(y[i]).toBe(x[i - lim.latency]);
    expect(lim.gainReductionDb).toBe(0);

    // On for 0.5 s, then off: the gain y/x moves from the limited value to 1 over the fade.
    const on = new TruePeakLimiter(1, fs);
    on.set(true, -1, 100);
    const z = Float32Array.from(x);
    const half = fs / 2;
    on.process([z.subarray(0, half)], half);
    on.set(false, -1, 100);
    on.process([z.subarray(half)], fs - half);
    const D = on.latency;
    const fadeLen = Math.round((FADE_MS * fs) / 1000);
    const gain = (i: number): number => z[i] / x[i - D];
    const g0 = gain(half - 3);
    expect(db(g0)).toBeCloseTo(-7.02, 1);
    let prev = g0;
    for (let i = half; i < half + fadeLen; i++) {
      if (Math.abs(x[i - D]) < 0.2) continue;
      const g = gain(i);
      expect(g).toBeGreaterThanOrEqual(prev - 1e-6); // monotonic toward 1
      expect(g - prev).toBeLessThan(3 / fadeLen); // no step
      prev = g;
    }
    expect(gain(half + fadeLen + 5)).toBe(1);
  });

  it('tones up to 0.45·fs with their crests between the detector\'s grid points: exact output peak ≤ ceiling', () => {
    // A steady sine leaves the limiter as G·x with a constant G, so its exact true peak is G·A.
    // fs/4 and 0.4·fs put every crest at the same offsets from the grid; the phases sweep those
    // offsets through the gaps between grid points (1/8 sample at 48 kHz, 1/4 at 96 kHz), where a
    // plain oversampled maximum reads 0.04–0.45 dB low.
    const ceiling = -1;
    for (const [rate, floor] of [[48000, -0.25], [96000, -0.8]]) {
      let worst = -Infinity;
      let least = Infinity;
      for (const ratio of [0.25, 0.4, 0.45]) {
        for (let k = 0; k < 16; k++) {
          const phase = (k / 16) * ((2 * Math.PI) / limiterOversampling(rate));
          const n = Math.round(0.1 * rate);
          const x = new Float32Array(n);
          for (let i = 0; i < n; i++) x[i] = 2 * Math.sin(2 * Math.PI * ratio * i + phase);
          const lim = new TruePeakLimiter(1, rate);
          // A short release, so the deeper reduction of the abrupt onset is gone by the end.
          lim.set(true, ceiling, 5);
          const y = Float32Array.from(x);
          lim.process([y], n);
          // Steady gain: output over delayed input at the largest input sample near the end.
          let best = n - 40;
          for (let i = n - 40; i < n - 20; i++) if (Math.abs(x[i - lim.latency]) > Math.abs(x[best - lim.latency])) best = i;
          const out = db((y[best] / x[best - lim.latency]) * 2);
          worst = Math.max(worst, out - ceiling);
          least = Math.min(least, out - ceiling);
        }
      }
      measured.push(`${rate} Hz, tones 0.25–0.45·fs, crests off the grid: exact output peak − ceiling from ${least.toFixed(3)} to ${worst.toFixed(3)} dB`);
      // (Exact but for the interpolator's own passband error, ±0.04 dB at most.)
      expect(worst).toBeLessThanOrEqual(0.01);
      // It reads high on the safe side, by at most the |Δ²|/8 bound (larger at 4×).
      expect(least).toBeGreaterThan(floor);
    }
  });

  it('interpolator: every phase flat within ±0.04 dB up to 0.45·fs, −6 dB or less at Nyquist for the half-sample phase', () => {
    for (const factor of [8, 4]) {
      for (let p = 1; p < factor; p++) {
        const c = limiterPhase(factor, p);
        const mag = (f: number): number => {
          let re = 0;
          let im = 0;
          for (let j = 0; j < LIMITER_TAPS; j++) {
            re += c[j] * Math.cos(2 * Math.PI * f * j);
            im += c[j] * Math.sin(2 * Math.PI * f * j);
          }
          return 10 * Math.log10(re * re + im * im);
        };
        for (let f = 0; f <= 0.45; f += 0.01) expect(Math.abs(mag(f)), `${factor}× phase ${p} at ${f.toFixed(2)}`).toBeLessThan(0.04);
        if (2 * p === factor) expect(mag(0.5)).toBeLessThan(-100);
      }
    }
  });

  it('a lower ceiling set mid-stream holds for everything that enters the look-ahead after it', () => {
    // −8 dBFS noise passes a −1 dBTP ceiling untouched (and mostly skips the FIR as quiet);
    // then the ceiling drops to −12.
    const rnd = rng(3);
    const n = fs;
    const x: Stereo = [new Float32Array(n), new Float32Array(n)];
    for (let i = 0; i < n; i++) {
      x[0][i] = 0.4 * (2 * rnd() - 1);
      x[1][i] = 0.4 * (2 * rnd() - 1);
    }
    const lim = new TruePeakLimiter(2, fs);
    lim.set(true, -1, 50);
    const y: Stereo = [Float32Array.from(x[0]), Float32Array.from(x[1])];
    const half = n / 2;
    lim.process([y[0].subarray(0, half), y[1].subarray(0, half)], half);
    lim.set(true, -12, 50);
    lim.process([y[0].subarray(half), y[1].subarray(half)], n - half);
    const after = [y[0].subarray(half + lim.latency), y[1].subarray(half + lim.latency)];
    expect(meterTp(fs, after)).toBeLessThanOrEqual(-12 + 0.1);
    expect(secondPassGr(fs, after as Stereo, -12)).toBeLessThan(1e-5);
  });

  it('gainReductionDb is 0 when bypassed and on silence; reset makes the block new', () => {
    const lim = new TruePeakLimiter(2, fs);
    lim.set(true, -1, 100);
    const a = sine(2, 1000, fs, 4800);
    lim.process([a, Float32Array.from(a)], 4800);
    expect(lim.gainReductionDb).toBeGreaterThan(6);
    lim.reset();
    lim.set(true, -1, 100);
    const z = [new Float32Array(4800), new Float32Array(4800)];
    lim.process(z, 4800);
    expect(lim.gainReductionDb).toBe(0);
    expect(z[0].every((v) => v === 0)).toBe(true);
    expect(() => new TruePeakLimiter(3, fs)).toThrow(RangeError);
    expect(() => new TruePeakLimiter(2, 0)).toThrow(RangeError);
  });
});

const CONFIGS: Record<string, [boolean, number, number]> = {
  default: [true, -1, 100],
  off: [false, -1, 100],
  fast: [true, -0.1, 1],
  deep: [true, -20, 2000],
};

dspSuite(
  'TruePeakLimiter',
  {
    inputs: 2,
    outputs: 2,
    configs: Object.keys(CONFIGS),
    make(sampleRate, config) {
      const lim = new TruePeakLimiter(2, sampleRate);
      lim.set(...CONFIGS[config]);
      return inPlace(lim);
    },
  },
  [44100, 48000, 96000],
);
