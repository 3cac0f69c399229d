/**
 * designBiquad / responseDb against the analytic transfer functions they come from: the analog
 * prototypes of R. Bristow-Johnson's cookbook, evaluated at the bilinear-transform frequency
 * s = j·tan(π f/fs)/tan(π f0/fs) (the cookbook prewarps at f0, so the digital response at f equals
 * the analog one at that s, exactly).
 */
import { describe, expect, it } from 'vitest';
import {
  FILTER_TYPES,
  HIGHPASS,
  HIGHPASS1,
  HIGHSHELF,
  LOWPASS,
  LOWPASS1,
  LOWSHELF,
  PEAK,
  TILT,
  type Coeffs,
  designBiquad,
  newCoeffs,
  responseDb,
} from '../../src/engine/biquad.js';

const RATES = [44100, 48000, 96000];
/** Points deeper than this in the stopband are skipped: dB of a near-zero loses meaning there. */
const FLOOR_DB = -100;
const TOL_DB = 0.01;
const HALF_POWER_DB = 10 * Math.log10(0.5);

/** |c2 s² + c1 s + c0|² at s = jW. */
function quad2(c2: number, c1: number, c0: number, W: number): number {
  const re = c0 - c2 * W * W;
  const im = c1 * W;
  return re * re + im * im;
}

/** 20·log10 |H(jW)| of the cookbook analog prototype of `type` (W in units of the corner). */
function analogDb(type: number, W: number, gainDb: number, q: number): number {
  const A = Math.pow(10, gainDb / 40);
  const rA = Math.sqrt(A);
  let num: number;
  let den: number;
  switch (type) {
    case PEAK: // (s² + s·A/Q + 1) / (s² + s/(A·Q) + 1)
      num = quad2(1, A / q, 1, W);
      den = quad2(1, 1 / (A * q), 1, W);
      break;
    case LOWSHELF: // A·(s² + (√A/Q)s + A) / (A·s² + (√A/Q)s + 1)
      num = A * A * quad2(1, rA / q, A, W);
      den = quad2(A, rA / q, 1, W);
      break;
    case HIGHSHELF: // A·(A·s² + (√A/Q)s + 1) / (s² + (√A/Q)s + A)
      num = A * A * quad2(A, rA / q, 1, W);
      den = quad2(1, rA / q, A, W);
      break;
    case LOWPASS: // 1 / (s² + s/Q + 1)
      num = 1;
      den = quad2(1, 1 / q, 1, W);
      break;
    case HIGHPASS: // s² / (s² + s/Q + 1)
      num = W * W * W * W;
      den = quad2(1, 1 / q, 1, W);
      break;
    case LOWPASS1: // 1 / (s + 1)
      num = 1;
      den = 1 + W * W;
      break;
    case HIGHPASS1: // s / (s + 1)
      num = W * W;
      den = 1 + W * W;
      break;
    case TILT: // (A·s + 1) / (s + A), A = 10^(G/40)
      num = A * A * W * W + 1;
      den = W * W + A * A;
      break;
    default:
      throw new Error(`no prototype for ${type}`);
  }
  return 10 * Math.log10(num / den);
}

/** 24 frequencies spread logarithmically from 20 Hz to 0.45·fs. */
function logFreqs(fs: number, count = 24): number[] {
  const hi = 0.45 * fs;
  return Array.from({ length: count }, (_, i) => 20 * Math.pow(hi / 20, i / (count - 1)));
}

interface Case {
  type: number;
  f0: number;
  gainDb: number;
  q: number;
}

const SHAPING_SETTINGS: ReadonlyArray<[gainDb: number, q: number]> = [
  [-15, 0.3],
  [6, Math.SQRT1_2],
  [15, 2],
  [-3, 10],
];
const PASS_Q = [0.3, Math.SQRT1_2, 2, 10];
const CORNERS = [40, 1000, 12000];

function cases(): Case[] {
  const out: Case[] = [];
  for (const f0 of CORNERS) {
    for (const type of [PEAK, LOWSHELF, HIGHSHELF]) for (const [gainDb, q] of SHAPING_SETTINGS) out.push({ type, f0, gainDb, q });
    for (const type of [LOWPASS, HIGHPASS]) for (const q of PASS_Q) out.push({ type, f0, gainDb: 0, q });
    for (const type of [LOWPASS1, HIGHPASS1]) out.push({ type, f0, gainDb: 0, q: 1 });
    for (const [gainDb, q] of SHAPING_SETTINGS) out.push({ type: TILT, f0, gainDb, q });
  }
  return out;
}

/** Largest |digital - analog| (dB) of `coeffs` (default: designed from `c`) over the test points. */
function worstError(c: Case, fs: number, given?: Coeffs): { err: number; points: number } {
  const coeffs = given ?? newCoeffs();
  if (!given) designBiquad(coeffs, c.type, c.f0, c.gainDb, c.q, fs);
  const t0 = Math.tan((Math.PI * c.f0) / fs);
  let err = 0;
  let points = 0;
  for (const f of logFreqs(fs)) {
    const want = analogDb(c.type, Math.tan((Math.PI * f) / fs) / t0, c.gainDb, c.q);
    if (want < FLOOR_DB) continue;
    err = Math.max(err, Math.abs(responseDb(coeffs, f, fs) - want));
    points++;
  }
  return { err, points };
}

describe('designBiquad against the analog prototypes (bilinear, prewarped at f0)', () => {
  for (const fs of RATES) {
    for (let type = 0; type < FILTER_TYPES.length; type++) {
      it(`${FILTER_TYPES[type]} at ${fs} Hz matches within ±${TOL_DB} dB at 24 frequencies`, () => {
        const list = cases().filter((c) => c.type === type);
        expect(list.length).toBeGreaterThan(0);
        for (const c of list) {
          const { err, points } = worstError(c, fs);
          // Only the deep stopband of low- and high-passes may be skipped, never most of the curve.
          expect(points, `${JSON.stringify(c)}: points compared`).toBeGreaterThanOrEqual(12);
          expect(err, `${JSON.stringify(c)}: worst error (dB)`).toBeLessThan(TOL_DB);
        }
      });
    }
  }

  it('the comparison is sensitive: a 1 % error in Q or f0 is caught', () => {
    const c: Case = { type: PEAK, f0: 1000, gainDb: 12, q: 2 };
    const wrongQ = newCoeffs();
    designBiquad(wrongQ, c.type, c.f0, c.gainDb, c.q * 1.01, 48000);
    expect(worstError(c, 48000, wrongQ).err).toBeGreaterThan(TOL_DB);
    const wrongF = newCoeffs();
    designBiquad(wrongF, c.type, c.f0 * 1.01, c.gainDb, c.q, 48000);
    expect(worstError(c, 48000, wrongF).err).toBeGreaterThan(TOL_DB);
  });
});

describe('published anchor values', () => {
  const c = newCoeffs();
  for (const fs of RATES) {
    it(`peak: exactly +G dB at f0, 0 dB far away (${fs} Hz)`, () => {
      for (const [g, q] of SHAPING_SETTINGS) {
        designBiquad(c, PEAK, 1000, g, q, fs);
        expect(responseDb(c, 1000, fs)).toBeCloseTo(g, 9);
      }
      designBiquad(c, PEAK, 1000, 12, 2, fs);
      expect(Math.abs(responseDb(c, 1, fs))).toBeLessThan(1e-4);
    });

    it(`shelves: G/2 dB at f0, G on the shelf, 0 dB on the other side (${fs} Hz)`, () => {
      for (const [g, q] of SHAPING_SETTINGS) {
        designBiquad(c, LOWSHELF, 1000, g, q, fs);
        expect(responseDb(c, 1000, fs)).toBeCloseTo(g / 2, 9);
        expect(responseDb(c, 1, fs)).toBeCloseTo(g, 3);
        designBiquad(c, HIGHSHELF, 1000, g, q, fs);
        expect(responseDb(c, 1000, fs)).toBeCloseTo(g / 2, 9);
        // At Nyquist the bilinear map puts s at infinity: the shelf gain exactly.
        expect(responseDb(c, fs / 2, fs)).toBeCloseTo(g, 6);
      }
    });

    it(`Butterworth (Q = 1/√2) low- and high-pass: -3.0103 dB at f0; |H(f0)| = Q in general (${fs} Hz)`, () => {
      for (const type of [LOWPASS, HIGHPASS]) {
        designBiquad(c, type, 1000, 0, Math.SQRT1_2, fs);
        expect(responseDb(c, 1000, fs)).toBeCloseTo(HALF_POWER_DB, 9);
        expect(HALF_POWER_DB).toBeCloseTo(-3.0103, 4);
        designBiquad(c, type, 1000, 0, 2, fs);
        expect(responseDb(c, 1000, fs)).toBeCloseTo(20 * Math.log10(2), 9);
      }
      // Second-order roll-off: 12 dB per octave far into the stopband.
      designBiquad(c, HIGHPASS, 4000, 0, Math.SQRT1_2, fs);
      expect(responseDb(c, 125, fs) - responseDb(c, 62.5, fs)).toBeCloseTo(20 * Math.log10(4), 2);
    });

    it(`first-order sections: -3.0103 dB at f0, 6 dB per octave (${fs} Hz)`, () => {
      for (const type of [LOWPASS1, HIGHPASS1]) {
        designBiquad(c, type, 500, 0, 1, fs);
        expect(responseDb(c, 500, fs)).toBeCloseTo(HALF_POWER_DB, 9);
      }
      designBiquad(c, HIGHPASS1, 4000, 0, 1, fs);
      expect(responseDb(c, 62.5, fs) - responseDb(c, 31.25, fs)).toBeCloseTo(20 * Math.log10(2), 2);
    });
  }

  it('clamps corners above Nyquist and rejects unknown types', () => {
    for (let type = 0; type < FILTER_TYPES.length; type++) {
      designBiquad(c, type, 40000, 15, 10, 48000);
      for (const v of c) expect(Number.isFinite(v)).toBe(true);
    }
    expect(() => designBiquad(c, FILTER_TYPES.length, 1000, 0, 1, 48000)).toThrow(RangeError);
  });
});
