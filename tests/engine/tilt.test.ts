/**
 * The first-order tilt filter (filter type TILT, master EQ type index 5): its magnitude against
 * the analog prototype H(s) = (√K·s + ω0)/(s + √K·ω0), monotonic, 0 dB = identity, smoothing
 * through SmoothedBiquad, and the Equalizer's type index mapping.
 */
import { describe, expect, it } from 'vitest';
import { FILTER_TYPES, HIGHPASS, LOWPASS1, PEAK, TILT, designBiquad, newCoeffs, responseDb } from '../../src/engine/biquad.js';
import { EQ_FILTER_TYPE, Equalizer } from '../../src/engine/filters.js';
import { isShapingType } from '../../src/engine/smoothed-biquad.js';
import { dspSuite, inPlace, testSignal } from './dsp-suite.js';

interface Block {
  process(buffers: readonly Float32Array[], frames: number): void;
}

function runInPlace(block: Block, signals: Float32Array[], blockSize: number, before?: (pos: number) => void): void {
  const frames = signals[0].length;
  const views: Float32Array[] = signals.map(() => new Float32Array(0));
  for (let pos = 0; pos < frames; pos += blockSize) {
    const n = Math.min(blockSize, frames - pos);
    before?.(pos);
    for (let c = 0; c < signals.length; c++) views[c] = signals[c].subarray(pos, pos + n);
    block.process(views, n);
  }
}

function impulseResponse(block: Block, frames: number): Float32Array {
  const x = new Float32Array(frames);
  x[0] = 1;
  runInPlace(block, [x], 128);
  return x;
}

/** |DTFT| of h at f, in dB. */
function dftDb(h: Float32Array, f: number, fs: number): number {
  const w = (2 * Math.PI * f) / fs;
  let re = 0;
  let im = 0;
  for (let n = 0; n < h.length; n++) {
    re += h[n] * Math.cos(w * n);
    im -= h[n] * Math.sin(w * n);
  }
  return 10 * Math.log10(re * re + im * im);
}

/** 20·log10|H(jω)| of the analog tilt at the analog frequency f (no warping). */
function analogTiltDb(gainDb: number, pivot: number, f: number): number {
  const K = Math.pow(10, gainDb / 20);
  const W = f / pivot;
  return 10 * Math.log10((K * W * W + 1) / (W * W + K));
}

function firstDifference(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function logFreqs(lo: number, hi: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => lo * Math.pow(hi / lo, i / (count - 1)));
}

const EQ_TILT = 5;

describe('tilt filter type', () => {
  it('is filter type 7, named tilt, and a shaping type (0 dB is skipped)', () => {
    expect(TILT).toBe(7);
    expect(FILTER_TYPES[TILT]).toBe('tilt');
    expect(isShapingType(TILT)).toBe(true);
    expect(EQ_FILTER_TYPE[EQ_TILT]).toBe(TILT);
  });

  // The bilinear transform maps the digital frequency f to the analog tan(π f/fs)/tan(π f0/fs)·f0,
  // which is never below f. The tilt's magnitude is monotonic and saturates, so the digital value
  // at f lies between the analog value at f and the asymptote ±G/2: the error is at most the
  // analog distance to the asymptote. For G = ±6 dB, f0 = 1 kHz that is 0.017 dB at 20 kHz; at
  // 20 Hz (warping 1e-4 relative) and at the pivot (prewarped) it is below 1e-5 dB. Hence 0.05 dB.
  for (const fs of [44100, 48000, 96000]) {
    for (const g of [6, -6]) {
      it(`${g > 0 ? '+' : ''}${g} dB around 1 kHz at ${fs} Hz: 20 Hz, pivot and 20 kHz within ±0.05 dB of the analog formula`, () => {
        const eq = new Equalizer(1, fs, 1);
        eq.setOn(true);
        eq.setBand(0, EQ_TILT, 1000, g, 1);
        const h = impulseResponse(eq, 1 << 14);
        for (const f of [20, 1000, 20000]) {
          const want = analogTiltDb(g, 1000, f);
          expect(Math.abs(dftDb(h, f, fs) - want), `${f} Hz: measured vs ${want.toFixed(4)} dB`).toBeLessThan(0.05);
        }
        // The anchors themselves: ±G/2 at the ends (to the asymptote's 0.02 dB), 0 dB at the pivot.
        expect(dftDb(h, 1000, fs)).toBeCloseTo(0, 4);
        expect(Math.abs(dftDb(h, 20, fs) + g / 2)).toBeLessThan(0.02);
        expect(Math.abs(dftDb(h, 20000, fs) - g / 2)).toBeLessThan(0.02);
        // Digitally exact: ±G/2 at DC and Nyquist (the bilinear map sends them to 0 and ∞).
        const c = newCoeffs();
        designBiquad(c, TILT, 1000, g, 1, fs);
        expect(responseDb(c, 0, fs)).toBeCloseTo(-g / 2, 9);
        expect(responseDb(c, fs / 2, fs)).toBeCloseTo(g / 2, 9);
        expect(responseDb(c, 1000, fs)).toBeCloseTo(0, 9);
      });
    }
  }

  it('the 0.05 dB check is sensitive: a 6 % pivot error or the wrong sign fails it', () => {
    const fs = 48000;
    const eq = new Equalizer(1, fs, 1);
    eq.setBand(0, EQ_TILT, 1060, 6, 1);
    const h = impulseResponse(eq, 1 << 14);
    expect(Math.abs(dftDb(h, 1000, fs) - analogTiltDb(6, 1000, 1000))).toBeGreaterThan(0.05);
    expect(Math.abs(analogTiltDb(-6, 1000, 20) - analogTiltDb(6, 1000, 20))).toBeGreaterThan(5);
  });

  it('matches the prewarped analog prototype within ±0.001 dB at 30 frequencies (impulse response)', () => {
    const fs = 48000;
    for (const [f0, g] of [
      [200, 9],
      [1000, -4],
      [5000, 15],
    ]) {
      const eq = new Equalizer(1, fs, 1);
      eq.setBand(0, EQ_TILT, f0, g, 0.3);
      const h = impulseResponse(eq, 1 << 15);
      const t0 = Math.tan((Math.PI * f0) / fs);
      for (const f of logFreqs(20, 0.45 * fs, 30)) {
        const warped = (Math.tan((Math.PI * f) / fs) / t0) * f0;
        expect(Math.abs(dftDb(h, f, fs) - analogTiltDb(g, f0, warped)), `${f0} Hz ${g} dB at ${f.toFixed(1)} Hz`).toBeLessThan(0.001);
        expect(eq.responseDb(f)).toBeCloseTo(analogTiltDb(g, f0, warped), 9);
      }
    }
  });

  it('is monotonic: rising for positive gain, falling for negative, from 10 Hz to Nyquist', () => {
    const fs = 48000;
    const c = newCoeffs();
    for (const g of [0.5, 6, 15, -0.5, -6, -15]) {
      designBiquad(c, TILT, 700, g, 1, fs);
      let prev = responseDb(c, 10, fs);
      let steps = 0;
      for (const f of logFreqs(10, fs / 2, 400).slice(1)) {
        const v = responseDb(c, f, fs);
        if (g > 0) expect(v, `${g} dB at ${f} Hz`).toBeGreaterThan(prev);
        else expect(v, `${g} dB at ${f} Hz`).toBeLessThan(prev);
        prev = v;
        steps++;
      }
      expect(steps).toBe(399);
      // Total swing: G (from −G/2 to +G/2), within the 10 Hz end's distance to its asymptote.
      expect(Math.abs(responseDb(c, fs / 2, fs) - responseDb(c, 10, fs) - g)).toBeLessThan(0.01 * Math.abs(g));
    }
  });

  it('0 dB is an exact identity: in the design, and bit for bit at run time (also after returning to 0 dB)', () => {
    const c = newCoeffs();
    designBiquad(c, TILT, 1000, 0, 1, 48000);
    expect(c[0]).toBe(1);
    expect(c[1]).toBe(c[3]);
    expect(c[2]).toBe(0);
    expect(c[4]).toBe(0);

    const eq = new Equalizer(2, 48000, 2);
    eq.setOn(true);
    eq.setBand(0, EQ_TILT, 1000, 0, 1);
    eq.setBand(1, EQ_TILT, 150, 0, 4);
    expect(eq.responseDb(20)).toBe(0);
    const x = testSignal(2, 48000, 48000);
    const y = x.map((ch) => ch.slice());
    runInPlace(eq, y, 128);
    y.forEach((ch, i) => expect(firstDifference(ch, x[i])).toBe(-1));

    // +6 dB for 0.25 s, then back to 0 dB: after the glide and the drain, the input itself again.
    const z = x.map((ch) => ch.slice());
    runInPlace(eq, z, 128, (pos) => eq.setBand(0, EQ_TILT, 1000, pos >= 4800 && pos < 16800 ? 6 : 0, 1));
    expect(firstDifference(z[0].subarray(4800, 16800), x[0].subarray(4800, 16800))).toBeGreaterThanOrEqual(0);
    const quiet = 16800 + 24000;
    expect(firstDifference(z[0].subarray(quiet), x[0].subarray(quiet))).toBe(-1);
    expect(firstDifference(z[1].subarray(quiet), x[1].subarray(quiet))).toBe(-1);
  });

  it('gain and pivot changes glide (no step larger than the sine’s own) and stay block-size invariant', () => {
    const fs = 48000;
    const F = 8000;
    const amp = 0.25;
    const x = new Float32Array(24000);
    for (let i = 0; i < x.length; i++) x[i] = amp * Math.cos((2 * Math.PI * F * i) / fs);
    const outs = [1, 64, 75, 960].map((bs) => {
      const eq = new Equalizer(1, fs, 1);
      eq.setBand(0, EQ_TILT, 1000, -12, 1);
      const y = x.slice();
      runInPlace(eq, [y], bs, (pos) => {
        if (pos === 4800) eq.setBand(0, EQ_TILT, 1000, 12, 1);
        if (pos === 14400) eq.setBand(0, EQ_TILT, 300, 12, 1);
        if (pos === 19200) eq.setBand(0, PEAK, 1000, 6, 1);
      });
      return y;
    });
    for (let k = 1; k < outs.length; k++) expect(firstDifference(outs[k], outs[0]), `block size #${k}`).toBe(-1);
    const y = outs[0];
    // From −6 dB to +6 dB at 8 kHz: the steps stay within those of the loudest steady sine.
    const loud = amp * Math.pow(10, 6.2 / 20);
    let maxStep = 0;
    for (let i = 1; i < y.length; i++) maxStep = Math.max(maxStep, Math.abs(y[i] - y[i - 1]));
    expect(maxStep).toBeLessThanOrEqual(1.1 * 2 * Math.sin((Math.PI * F) / fs) * loud);
    // Settled levels before and after the gain change: the design's magnitude at 8 kHz (RMS over
    // whole periods of 6 samples is amp/√2 exactly for a sampled sine).
    const level = (from: number, to: number): number => {
      let e = 0;
      for (let i = from; i < to; i++) e += y[i] * y[i];
      return 20 * Math.log10(Math.sqrt((2 * e) / (to - from)) / amp);
    };
    const c = newCoeffs();
    designBiquad(c, TILT, 1000, -12, 1, fs);
    expect(level(3600, 4800)).toBeCloseTo(responseDb(c, F, fs), 2);
    designBiquad(c, TILT, 1000, 12, 1, fs);
    expect(level(13200, 14400)).toBeCloseTo(responseDb(c, F, fs), 2);
  });
});

describe('Equalizer type index mapping', () => {
  it('index 5 is the tilt (filter type 7), not the first-order low-pass; 0..4 unchanged; others a peak', () => {
    const fs = 48000;
    const c = newCoeffs();
    const eq = new Equalizer(1, fs, 1);
    for (let index = 0; index <= 5; index++) {
      const type = index === 5 ? TILT : index;
      eq.setBand(0, index, 2000, 6, 0.8);
      designBiquad(c, type, 2000, 6, 0.8, fs);
      for (const f of [30, 500, 2000, 9000, 18000]) expect(eq.responseDb(f), `index ${index} at ${f} Hz`).toBeCloseTo(responseDb(c, f, fs), 9);
    }
    eq.setBand(0, 5, 2000, 6, 0.8);
    designBiquad(c, LOWPASS1, 2000, 6, 0.8, fs);
    expect(Math.abs(eq.responseDb(18000) - responseDb(c, 18000, fs))).toBeGreaterThan(10);
    expect(eq.responseDb(18000)).toBeGreaterThan(2.9);
    // Out of range or NaN: a peak.
    for (const bad of [6, -1, Number.NaN]) {
      eq.setBand(0, bad, 2000, 6, 0.8);
      designBiquad(c, PEAK, 2000, 6, 0.8, fs);
      expect(eq.responseDb(2000), `index ${bad}`).toBeCloseTo(6, 9);
    }
    // The strip's list is the first five of the master's.
    expect(EQ_FILTER_TYPE.slice(0, 5)).toEqual([0, 1, 2, 3, HIGHPASS]);
  });
});

const TILT_CONFIGS: Record<string, (eq: Equalizer) => void> = {
  default: (eq) => {
    eq.setOn(true);
    eq.setBand(0, EQ_TILT, 1000, 4, 1);
    eq.setBand(1, 0, 3000, -3, 1);
  },
  flat: (eq) => eq.setBand(0, EQ_TILT, 1000, 0, 1),
  off: (eq) => {
    eq.setOn(false);
    eq.setBand(0, EQ_TILT, 1000, 12, 1);
  },
};
for (const f of [20, 20000]) {
  for (const g of [15, -15]) {
    TILT_CONFIGS[`tilt ${f} Hz ${g} dB`] = (eq) => {
      eq.setBand(0, EQ_TILT, f, g, 1);
      eq.setBand(1, EQ_TILT, f, g, 10);
    };
  }
}

dspSuite(
  'Equalizer with tilt bands',
  {
    inputs: 2,
    outputs: 2,
    configs: Object.keys(TILT_CONFIGS),
    make(sampleRate, config) {
      const eq = new Equalizer(2, sampleRate, 2);
      TILT_CONFIGS[config](eq);
      return inPlace(eq);
    },
  },
  [44100, 48000, 96000],
);
