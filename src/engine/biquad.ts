/**
 * Biquad coefficient design after R. Bristow-Johnson's "Cookbook formulae for audio EQ biquad
 * filter coefficients", plus first-order sections (bilinear transform of 1/(s+1) and s/(s+1))
 * for odd-order high-pass slopes. Coefficients are normalised (a0 = 1) and written into a
 * caller-owned array [b0, b1, b2, a1, a2], so design never allocates.
 *
 * Tilt (first order, Q ignored): a gentle tilt of the whole spectrum around the pivot f0, in
 * effect a low shelf and a high shelf of opposite half gains sharing one first-order section,
 *
 *   H(s) = (√K·s + ω0) / (s + √K·ω0),   K = 10^(G/20)
 *
 * |H| is −G/2 dB at DC, exactly 0 dB at ω0 (|j√K + 1| = |j + √K|) and +G/2 dB toward high
 * frequencies, monotonic in between (the transition spans about two decades around f0, so a
 * pivot in the middle of the audio band tilts the whole band). Bilinear transform prewarped at
 * f0: with t = tan(π f0/fs) and A = √K = 10^(G/40),
 *
 *   b0 = (A + t)/a0,  b1 = (t − A)/a0,  a1 = (A·t − 1)/a0,  a0 = 1 + A·t
 *
 * The digital response equals the analog one at the prewarped frequency tan(π f/fs)/t·ω0, so it
 * is exactly −G/2 dB at DC, 0 dB at f0 and +G/2 dB at Nyquist. At G = 0 it is an identity.
 */

export const FILTER_TYPES = ['peak', 'lowshelf', 'highshelf', 'lowpass', 'highpass', 'lowpass1', 'highpass1', 'tilt'] as const;
export type FilterType = (typeof FILTER_TYPES)[number];

/** Index of each filter type in FILTER_TYPES (the first five match the EQ band types). */
export const PEAK = 0;
export const LOWSHELF = 1;
export const HIGHSHELF = 2;
export const LOWPASS = 3;
export const HIGHPASS = 4;
export const LOWPASS1 = 5;
export const HIGHPASS1 = 6;
/** First-order tilt around `freq` (−gain/2 at DC, 0 dB at `freq`, +gain/2 at high frequencies). */
export const TILT = 7;

/** Coefficients [b0, b1, b2, a1, a2] of one section. */
export type Coeffs = Float64Array;

export function newCoeffs(): Coeffs {
  const c = new Float64Array(5);
  c[0] = 1;
  return c;
}

/**
 * Design one section into `out`. `type` is an index into FILTER_TYPES. Frequencies are clamped
 * to just under Nyquist; gain is ignored by pass filters, Q by first-order sections (and tilt).
 * For set-time use: it allocates its argument block. Paths that run while audio plays (glides)
 * call designBiquadFrom with a preallocated block instead.
 */
export function designBiquad(out: Coeffs, type: number, freq: number, gainDb: number, q: number, sampleRate: number): void {
  designBiquadFrom(out, type, Float64Array.of(freq, gainDb, q), sampleRate);
}

/** Design arguments [freq Hz, gain dB, Q], in a typed array. */
export type DesignArgs = Float64Array;

export function newDesignArgs(): DesignArgs {
  return new Float64Array(3);
}

/**
 * designBiquad with its frequency, gain and Q read from `p` ([freq, gainDb, q]): doubles passed
 * to a call that is not inlined are boxed, an allocation per call; a typed array is not.
 */
export function designBiquadFrom(out: Coeffs, type: number, p: DesignArgs, sampleRate: number): void {
  const freq = p[0];
  const gainDb = p[1];
  const q = p[2];
  const f = Math.min(Math.max(freq, 1), sampleRate * 0.4999);
  const w0 = (2 * Math.PI * f) / sampleRate;
  const cos = Math.cos(w0);
  const sin = Math.sin(w0);
  const alpha = sin / (2 * Math.max(q, 1e-3));
  const A = Math.pow(10, gainDb / 40);
  let b0: number, b1: number, b2: number, a0: number, a1: number, a2: number;
  switch (type) {
    case PEAK:
      b0 = 1 + alpha * A;
      b1 = -2 * cos;
      b2 = 1 - alpha * A;
      a0 = 1 + alpha / A;
      a1 = -2 * cos;
      a2 = 1 - alpha / A;
      break;
    case LOWSHELF: {
      const s = 2 * Math.sqrt(A) * alpha;
      b0 = A * (A + 1 - (A - 1) * cos + s);
      b1 = 2 * A * (A - 1 - (A + 1) * cos);
      b2 = A * (A + 1 - (A - 1) * cos - s);
      a0 = A + 1 + (A - 1) * cos + s;
      a1 = -2 * (A - 1 + (A + 1) * cos);
      a2 = A + 1 + (A - 1) * cos - s;
      break;
    }
    case HIGHSHELF: {
      const s = 2 * Math.sqrt(A) * alpha;
      b0 = A * (A + 1 + (A - 1) * cos + s);
      b1 = -2 * A * (A - 1 + (A + 1) * cos);
      b2 = A * (A + 1 + (A - 1) * cos - s);
      a0 = A + 1 - (A - 1) * cos + s;
      a1 = 2 * (A - 1 - (A + 1) * cos);
      a2 = A + 1 - (A - 1) * cos - s;
      break;
    }
    case LOWPASS:
      b0 = (1 - cos) / 2;
      b1 = 1 - cos;
      b2 = b0;
      a0 = 1 + alpha;
      a1 = -2 * cos;
      a2 = 1 - alpha;
      break;
    case HIGHPASS:
      b0 = (1 + cos) / 2;
      b1 = -(1 + cos);
      b2 = b0;
      a0 = 1 + alpha;
      a1 = -2 * cos;
      a2 = 1 - alpha;
      break;
    case LOWPASS1: {
      const k = Math.tan(w0 / 2);
      b0 = k;
      b1 = k;
      b2 = 0;
      a0 = 1 + k;
      a1 = k - 1;
      a2 = 0;
      break;
    }
    case HIGHPASS1: {
      const k = Math.tan(w0 / 2);
      b0 = 1;
      b1 = -1;
      b2 = 0;
      a0 = 1 + k;
      a1 = k - 1;
      a2 = 0;
      break;
    }
    case TILT: {
      const k = Math.tan(w0 / 2);
      b0 = A + k;
      b1 = k - A;
      b2 = 0;
      a0 = 1 + A * k;
      a1 = A * k - 1;
      a2 = 0;
      break;
    }
    default:
      throw new RangeError(`designBiquad: unknown filter type ${type}`);
  }
  out[0] = b0 / a0;
  out[1] = b1 / a0;
  out[2] = b2 / a0;
  out[3] = a1 / a0;
  out[4] = a2 / a0;
}

/** Magnitude in dB of a section's digital transfer function at `freq`. */
export function responseDb(c: ArrayLike<number>, freq: number, sampleRate: number): number {
  const w = (2 * Math.PI * freq) / sampleRate;
  const c1 = Math.cos(w);
  const s1 = Math.sin(w);
  const c2 = Math.cos(2 * w);
  const s2 = Math.sin(2 * w);
  const nr = c[0] + c[1] * c1 + c[2] * c2;
  const ni = -(c[1] * s1 + c[2] * s2);
  const dr = 1 + c[3] * c1 + c[4] * c2;
  const di = -(c[3] * s1 + c[4] * s2);
  return 10 * Math.log10((nr * nr + ni * ni) / (dr * dr + di * di));
}
