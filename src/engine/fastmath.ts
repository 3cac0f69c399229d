/**
 * Fast base-2 logarithm and exponential for the dynamics processors, where a log and an exp per
 * sample would otherwise be the main cost.
 *
 * Both work on the IEEE-754 single-precision bit pattern through a Float32Array/Int32Array pair
 * over the same four bytes, which each instance owns (one per DSP block, allocated once): no
 * shared mutable state, no allocation per call, no endianness question, and the store and the
 * load always have the same width so the CPU forwards the store instead of stalling.
 *
 *  - log2(x): x is rounded to float32 (relative error 6e-8, i.e. 5e-7 dB), split into exponent e
 *    and mantissa m = 1 + u in [1, 2), and log2(m) = u·P(u) with P a degree-6 near-minimax
 *    polynomial constrained to give exactly 1 at u = 1, so the result is continuous (and
 *    monotonic) across octaves. Absolute error below 3.3e-7 for float32 x, 4.2e-7 with the
 *    rounding of a double x (2.5e-6 dB); log2(2^k) is exactly k.
 *    No branch on the mantissa: audio mantissas are random, and a data-dependent branch would be
 *    mispredicted half the time.
 *  - exp2(x): x = n + t with n = round(x), t in [−½, ½]; 2^t = 1 + t·Q(t) with Q a degree-4
 *    near-minimax polynomial (continuous where n steps), times 2^n written straight into the
 *    exponent bits. Relative error below 1e-7 (9e-7 dB), about one float32 ulp. exp2(0) is
 *    exactly 1.
 *
 * Both are far inside the 0.01 dB that gain computers and meters need and cost a few
 * multiply-adds (no division, no call into libm). Inputs outside the domains are clamped, never
 * turned into NaN or Infinity.
 */

/** 20·log10(2): dB per octave of amplitude. */
export const DB_PER_LOG2 = 20 * Math.log10(2);
/** 1 / DB_PER_LOG2: octaves of amplitude per dB. */
export const LOG2_PER_DB = 1 / DB_PER_LOG2;
/** Smallest argument log2 takes (−600 dB); smaller values, zero, negatives and NaN are raised to it. */
export const LOG2_FLOOR = 1e-30;
/** Largest argument log2 takes (about float32 max); larger values are lowered to it. */
export const LOG2_CEIL = 3.4e38;
/** exp2 clamps its argument to ±EXP2_LIMIT (the float32 normal exponent range). */
export const EXP2_LIMIT = 126;

/** 2^−23: one unit of the float32 mantissa. */
export const MANT_UNIT = 1 / 8388608;

/**
 * log2(1 + u) for u in [0, 1): the mantissa part of log2, u·(c1 + u·(c2 + … + u·c7)) with the
 * coefficients of a fit of the absolute error (max 3.3e-7) constrained to c1 + … + c7 = 1.
 * Pure arithmetic, small enough for the compiler to inline into a sample loop that extracts the
 * bits itself. The coefficients are literals on purpose: module-level constants are loaded from
 * memory (and unboxed) on every use in optimised code, which made this a third slower.
 */
export function log2Mantissa(u: number): number {
  const p = 0.19302963756281552 + u * (-0.07853495872280125 + u * 0.015209105216245744);
  return u * (1.4426664401037543 + u * (-0.7205542364131692 + u * (0.473324186741648 + u * (-0.3251401744884932 + u * p))));
}

/**
 * 2^t for t in [−½, ½]: the fractional part of exp2, 1 + t·(c1 + … + t·c5) with the
 * coefficients of a fit of the relative error (max 9.2e-8) constrained so that p(½) = 2·p(−½),
 * which keeps exp2 continuous where its integer part steps. Exactly 1 at t = 0. Literals for
 * the same reason as above.
 */
export function exp2Fraction(t: number): number {
  return 1 + t * (0.6931469776189805 + t * (0.24022242123812343 + t * (0.055507337360944944 + t * (0.00967151012981661 + t * 0.0013264720407391148))));
}

/**
 * The bit-pattern views for the fast functions. Hot loops copy `f32` and `i32` into locals and
 * inline the steps of `log2`/`exp2` themselves (method calls with their clamps cost about half as
 * much again as the arithmetic); the methods are the reference for those steps.
 */
export class FastMath {
  readonly f32 = new Float32Array(1);
  readonly i32 = new Int32Array(this.f32.buffer);

  /** log2(x) for x in [LOG2_FLOOR, LOG2_CEIL] (clamped to that range; NaN counts as tiny). */
  log2(x: number): number {
    // The negated comparison also catches NaN.
    const v = !(x >= LOG2_FLOOR) ? LOG2_FLOOR : x > LOG2_CEIL ? LOG2_CEIL : x;
    this.f32[0] = v;
    const bits = this.i32[0];
    return (bits >> 23) - 127 + log2Mantissa((bits & 0x7fffff) * MANT_UNIT);
  }

  /** 2^x for x in [−EXP2_LIMIT, EXP2_LIMIT] (clamped; NaN gives 1). */
  exp2(x: number): number {
    const v = x > EXP2_LIMIT ? EXP2_LIMIT : x < -EXP2_LIMIT ? -EXP2_LIMIT : x === x ? x : 0;
    const n = Math.round(v);
    // 2^n straight into the exponent field.
    this.i32[0] = (n + 127) << 23;
    return exp2Fraction(v - n) * this.f32[0];
  }

  /** 20·log10(x), with the clamping of log2. */
  gainToDb(x: number): number {
    return DB_PER_LOG2 * this.log2(x);
  }

  /** 10^(db/20), with the clamping of exp2 (about ±758 dB). */
  dbToGain(db: number): number {
    return this.exp2(db * LOG2_PER_DB);
  }
}
