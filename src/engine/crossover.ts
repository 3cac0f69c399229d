/**
 * Three-band Linkwitz-Riley crossover (4th order, 24 dB/oct) whose bands sum to an allpass.
 *
 * LR4 at a crossover frequency fc is two cascaded 2nd-order Butterworth sections (Q = 1/√2):
 *
 *   LP4(s) = 1/(s² + √2·s + 1)²,   HP4(s) = s⁴/(s² + √2·s + 1)²        (s = p/ωc)
 *
 * so both are −6.02 dB at fc, and
 *
 *   LP4 + HP4 = (1 + s⁴)/(s² + √2·s + 1)² = (s² − √2·s + 1)/(s² + √2·s + 1) = AP2(s),
 *
 * the 2nd-order allpass with the same poles (S. Linkwitz, "Active crossover networks for
 * noncoincident drivers", JAES 24(1), 1976; D. Bohn, "Linkwitz-Riley crossovers: a primer",
 * Rane note 160). The split at f1 < f2:
 *
 *   low  = AP2(f2)·LP4(f1)·x       (the allpass gives low the phase that mid + high have)
 *   rest = HP4(f1)·x
 *   mid  = LP4(f2)·rest
 *   high = HP4(f2)·rest
 *
 *   low + mid + high = AP2(f2)·(LP4(f1) + HP4(f1))·x = AP2(f2)·AP2(f1)·x
 *
 * an allpass: the bands sum to a flat magnitude. Every section is an RBJ cookbook biquad
 * (biquad.ts) made by the bilinear transform with the same prewarping, and the bilinear map is a
 * substitution, so the identity LP4 + HP4 = AP2 holds for the digital filters too. A low-pass and
 * a high-pass at the same frequency and Q share their denominator (1, a1, a2); their numerators
 * are g·(1, 2, 1) and h·(1, −2, 1), and the allpass is (a2, a1, 1)/(1, a1, a2). So a crossover is
 * four numbers: g, h, a1, a2.
 *
 * Run time: 9 sections per channel (transposed direct form II, float64 state); one loop per
 * channel computes all three bands, so the intermediate `rest` stays in double precision.
 *
 * Frequency changes glide in the log domain with a one-pole of SMOOTH_MS, redesigned every
 * SMOOTH_STEP samples at positions counted across blocks (as SmoothedBiquad does), so the output
 * is the same for every block size. f1 and f2 glide with the same factor, so their ratio moves
 * between its old and new values and stays ≥ MIN_RATIO. The first `setFrequencies` after
 * construction or `reset()` (until a block has been processed after it) jumps. The state is
 * flushed of denormals at every SMOOTH_STEP boundary (see smoothed-biquad.ts for why that is
 * enough: the poles here are far from zero).
 */
import { flushDenormal, isSubnormal } from './block.js';
import { HIGHPASS, LOWPASS, designBiquad, newCoeffs } from './biquad.js';
import { SMOOTH_MS, SMOOTH_STEP } from './smoothed-biquad.js';

const STEP_MASK = SMOOTH_STEP - 1;
/** Lowest crossover frequency. */
export const MIN_CROSSOVER_HZ = 20;
/** f2 is kept at least this factor above f1. */
export const MIN_RATIO = 1.5;
/** Highest f2, as a fraction of the sample rate. */
export const MAX_CROSSOVER_FRACTION = 0.45;
/** State values per channel: LP4(f1) 4, AP2(f2) 2, HP4(f1) 4, LP4(f2) 4, HP4(f2) 4. */
const STATES = 18;
const EPS_LOG = 1e-5;
/** Crossovers before the first `setFrequencies` (the master chain's defaults). */
const DEFAULT_F1 = 150;
const DEFAULT_F2 = 3500;
const BUTTERWORTH_Q = Math.SQRT1_2;

/** Clamp into [lo, hi]; NaN gives `fallback`. */
function clamp(x: number, lo: number, hi: number, fallback: number): number {
  if (x >= lo) return x <= hi ? x : hi;
  return x < lo ? lo : fallback;
}

export class ThreeBandSplit {
  readonly channels: number;
  readonly sampleRate: number;

  // Crossover at f1: LP numerator gain, HP numerator gain, shared denominator. Same at f2.
  // (NaN until the constructor designs them, so the fields are doubles from the start.)
  private g1 = NaN;
  private h1 = NaN;
  private p1 = NaN;
  private q1 = NaN;
  private g2 = NaN;
  private h2 = NaN;
  private p2 = NaN;
  private q2 = NaN;

  private readonly state: Float64Array;
  private readonly work = newCoeffs();
  private readonly maxF2: number;
  /** One-pole factor of the glide, applied once per SMOOTH_STEP samples. */
  private readonly glide: number;
  /** Sample position modulo SMOOTH_STEP, counted over all processed samples. */
  private pos = 0;

  private raw1 = NaN;
  private raw2 = NaN;
  private tLog1 = Math.log(DEFAULT_F1);
  private tLog2 = Math.log(DEFAULT_F2);
  private log1 = this.tLog1;
  private log2 = this.tLog2;
  private moving = false;
  private fresh = true;
  private touched = false;

  constructor(channels: 1 | 2, sampleRate: number) {
    if (channels !== 1 && channels !== 2) throw new RangeError(`ThreeBandSplit: 1 or 2 channels, got ${channels}`);
    if (!(sampleRate > 0)) throw new RangeError(`ThreeBandSplit: bad sample rate ${sampleRate}`);
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.state = new Float64Array(STATES * channels);
    this.maxF2 = MAX_CROSSOVER_FRACTION * sampleRate;
    this.glide = Math.exp(-(SMOOTH_STEP * 1000) / (SMOOTH_MS * sampleRate));
    this.target(DEFAULT_F1, DEFAULT_F2);
    this.jump();
  }

  /** Target crossover frequencies (Hz) after clamping. */
  get f1(): number {
    return Math.exp(this.tLog1);
  }

  get f2(): number {
    return Math.exp(this.tLog2);
  }

  /**
   * Crossover frequencies: f1 is clamped to [MIN_CROSSOVER_HZ, MAX·fs/MIN_RATIO], then f2 to
   * [MIN_RATIO·f1, MAX_CROSSOVER_FRACTION·fs] (f1 wins when they collide). NaN keeps the last
   * value. Changes glide (see the header).
   */
  setFrequencies(f1Hz: number, f2Hz: number): void {
    if (f1Hz === this.raw1 && f2Hz === this.raw2) return;
    this.raw1 = f1Hz;
    this.raw2 = f2Hz;
    this.target(f1Hz, f2Hz);
    this.touched = true;
    if (this.fresh) this.jump();
    else this.moving = this.log1 !== this.tLog1 || this.log2 !== this.tLog2;
  }

  /**
   * Split `frames` samples of each input channel, read from `offset` on, into the three bands
   * (written from index 0). The band arrays must be distinct from each other; a band array may
   * be the input only when `offset` is 0.
   */
  split(input: readonly Float32Array[], low: readonly Float32Array[], mid: readonly Float32Array[], high: readonly Float32Array[], frames: number, offset = 0): void {
    if (this.touched) this.fresh = false;
    const ch = this.channels;
    let i = 0;
    while (i < frames) {
      const pos = this.pos;
      if (pos === 0 && this.moving) this.step();
      let n = frames - i;
      // While gliding, stop at the next boundary so that the coefficients move there.
      if (this.moving && n > SMOOTH_STEP - pos) n = SMOOTH_STEP - pos;
      for (let c = 0; c < ch; c++) this.run(input[c], low[c], mid[c], high[c], c, i, i + n, offset, pos);
      i += n;
      this.pos = (pos + n) & STEP_MASK;
    }
  }

  reset(): void {
    this.state.fill(0);
    this.pos = 0;
    this.fresh = true;
    this.touched = false;
    this.jump();
  }

  subnormalStates(): number {
    let n = 0;
    for (let i = 0; i < this.state.length; i++) if (isSubnormal(this.state[i])) n++;
    return n;
  }

  /** One channel over band indices [start, end) (input index + offset); `pos` is start's phase. */
  private run(x: Float32Array, lo: Float32Array, mi: Float32Array, hi: Float32Array, c: number, start: number, end: number, offset: number, pos: number): void {
    const g1 = this.g1, h1 = this.h1, p1 = this.p1, q1 = this.q1;
    const g2 = this.g2, h2 = this.h2, p2 = this.p2, q2 = this.q2;
    const st = this.state;
    const o = STATES * c;
    // LP4(f1): a, b; AP2(f2): r; HP4(f1): d, e; LP4(f2): k, l; HP4(f2): m, n.
    let a1 = st[o], a2 = st[o + 1], b1 = st[o + 2], b2 = st[o + 3], r1 = st[o + 4], r2 = st[o + 5];
    let d1 = st[o + 6], d2 = st[o + 7], e1 = st[o + 8], e2 = st[o + 9];
    let k1 = st[o + 10], k2 = st[o + 11], l1 = st[o + 12], l2 = st[o + 13];
    let m1 = st[o + 14], m2 = st[o + 15], n1 = st[o + 16], n2 = st[o + 17];
    let i = start;
    let edge = start + SMOOTH_STEP - pos;
    for (;;) {
      const stop = edge < end ? edge : end;
      for (; i < stop; i++) {
        const v = x[i + offset];
        // Low: LP4(f1), then the allpass at f2.
        let u = g1 * v;
        const ya = u + a1;
        a1 = u + u - p1 * ya + a2;
        a2 = u - q1 * ya;
        u = g1 * ya;
        const yb = u + b1;
        b1 = u + u - p1 * yb + b2;
        b2 = u - q1 * yb;
        const yr = q2 * yb + r1;
        r1 = p2 * (yb - yr) + r2;
        r2 = yb - q2 * yr;
        lo[i] = yr;
        // Rest: HP4(f1).
        u = h1 * v;
        const yd = u + d1;
        d1 = -(u + u) - p1 * yd + d2;
        d2 = u - q1 * yd;
        u = h1 * yd;
        const ye = u + e1;
        e1 = -(u + u) - p1 * ye + e2;
        e2 = u - q1 * ye;
        // Mid: LP4(f2) of the rest.
        u = g2 * ye;
        const yk = u + k1;
        k1 = u + u - p2 * yk + k2;
        k2 = u - q2 * yk;
        u = g2 * yk;
        const yl = u + l1;
        l1 = u + u - p2 * yl + l2;
        l2 = u - q2 * yl;
        mi[i] = yl;
        // High: HP4(f2) of the rest.
        u = h2 * ye;
        const ym = u + m1;
        m1 = -(u + u) - p2 * ym + m2;
        m2 = u - q2 * ym;
        u = h2 * ym;
        const yn = u + n1;
        n1 = -(u + u) - p2 * yn + n2;
        n2 = u - q2 * yn;
        hi[i] = yn;
      }
      if (stop === edge) {
        a1 = flushDenormal(a1); a2 = flushDenormal(a2); b1 = flushDenormal(b1); b2 = flushDenormal(b2);
        r1 = flushDenormal(r1); r2 = flushDenormal(r2);
        d1 = flushDenormal(d1); d2 = flushDenormal(d2); e1 = flushDenormal(e1); e2 = flushDenormal(e2);
        k1 = flushDenormal(k1); k2 = flushDenormal(k2); l1 = flushDenormal(l1); l2 = flushDenormal(l2);
        m1 = flushDenormal(m1); m2 = flushDenormal(m2); n1 = flushDenormal(n1); n2 = flushDenormal(n2);
      }
      if (stop === end) break;
      edge += SMOOTH_STEP;
    }
    st[o] = a1; st[o + 1] = a2; st[o + 2] = b1; st[o + 3] = b2; st[o + 4] = r1; st[o + 5] = r2;
    st[o + 6] = d1; st[o + 7] = d2; st[o + 8] = e1; st[o + 9] = e2;
    st[o + 10] = k1; st[o + 11] = k2; st[o + 12] = l1; st[o + 13] = l2;
    st[o + 14] = m1; st[o + 15] = m2; st[o + 16] = n1; st[o + 17] = n2;
  }

  private target(f1Hz: number, f2Hz: number): void {
    const f1 = clamp(f1Hz, MIN_CROSSOVER_HZ, this.maxF2 / MIN_RATIO, Math.exp(this.tLog1));
    const f2 = clamp(clamp(f2Hz, 0, this.maxF2, Math.exp(this.tLog2)), MIN_RATIO * f1, this.maxF2, this.maxF2);
    this.tLog1 = Math.log(f1);
    this.tLog2 = Math.log(f2);
  }

  /** One glide step, at a SMOOTH_STEP boundary. */
  private step(): void {
    const k = this.glide;
    const d1 = this.log1 - this.tLog1;
    const d2 = this.log2 - this.tLog2;
    if (d1 < EPS_LOG && d1 > -EPS_LOG && d2 < EPS_LOG && d2 > -EPS_LOG) {
      this.log1 = this.tLog1;
      this.log2 = this.tLog2;
      this.moving = false;
    } else {
      this.log1 = this.tLog1 + d1 * k;
      this.log2 = this.tLog2 + d2 * k;
    }
    this.design();
  }

  private jump(): void {
    this.log1 = this.tLog1;
    this.log2 = this.tLog2;
    this.moving = false;
    this.design();
  }

  private design(): void {
    const c = this.work;
    const fs = this.sampleRate;
    const f1 = Math.exp(this.log1);
    const f2 = Math.exp(this.log2);
    designBiquad(c, LOWPASS, f1, 0, BUTTERWORTH_Q, fs);
    this.g1 = c[0];
    this.p1 = c[3];
    this.q1 = c[4];
    designBiquad(c, HIGHPASS, f1, 0, BUTTERWORTH_Q, fs);
    this.h1 = c[0];
    designBiquad(c, LOWPASS, f2, 0, BUTTERWORTH_Q, fs);
    this.g2 = c[0];
    this.p2 = c[3];
    this.q2 = c[4];
    designBiquad(c, HIGHPASS, f2, 0, BUTTERWORTH_Q, fs);
    this.h2 = c[0];
  }
}
