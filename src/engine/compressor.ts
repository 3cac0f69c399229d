/**
 * Feed-forward compressor after D. Giannoulis, M. Massberg and J. D. Reiss, "Digital Dynamic
 * Range Compressor Design—A Tutorial and Analysis", J. Audio Eng. Soc. 60(6), 2012:
 *
 *   x_G = 20·log10|x|                                   level in dB (linked: max |x| over channels)
 *   y_G = x_G                          2(x_G − T) < −W  gain computer with quadratic soft knee
 *       = x_G + (1/R − 1)(x_G − T + W/2)² / (2W)   2|x_G − T| ≤ W     (their eq. 4)
 *       = T + (x_G − T)/R              2(x_G − T) > W
 *   x_L = x_G − y_G                                     gain reduction wanted (dB, ≥ 0)
 *   y_L[n] = α_A·y_L[n−1] + (1 − α_A)·x_L[n]  if x_L[n] > y_L[n−1]   smooth branching peak
 *          = α_R·y_L[n−1] + (1 − α_R)·x_L[n]  otherwise              detector in the log domain
 *   gain   = 10^((makeup − y_L)/20)
 *
 * with α = exp(−1/(τ·fs)): after a step of the wanted gain reduction, the applied gain reduction
 * covers 1 − 1/e (63.2 %) of the step in τ = attack (step up) or τ = release (step down).
 *
 * The detector reads the instantaneous peak |x| of every sample; the optional side-chain
 * high-pass (2nd order, Q = 0.7071) filters only what the detector sees, never the audio.
 *
 * Cost: where the detector signal is below the knee (|x| < 10^((T − W/2)/20)) and the detector
 * has released (y_L snapped to 0 once under 1e-6 dB, 1e-7 of gain), a sample costs a compare
 * and a multiply. Elsewhere the dB level and the gain come from the fast log2/exp2 of
 * fastmath.ts (errors below 3e-6 dB).
 *
 * Off is an exact bypass. Switching on or off crossfades linearly over FADE_MS (counted in
 * samples, so the result does not depend on the block size); switching on from fully off starts
 * the detector afresh. Makeup changes ramp linearly in dB over MAKEUP_RAMP_MS. The first `set`
 * after construction or reset applies everything at once.
 */
import { type DspBlock, flushDenormal, isSubnormal } from './block.js';
import { HIGHPASS, designBiquad, newCoeffs } from './biquad.js';
import { DB_PER_LOG2, EXP2_LIMIT, FastMath, LOG2_PER_DB, MANT_UNIT, exp2Fraction, log2Mantissa } from './fastmath.js';

/** On/off crossfade length. */
export const FADE_MS = 5;
/** Makeup gain changes ramp over this time. */
export const MAKEUP_RAMP_MS = 10;
/** The detector state is snapped to 0 below this gain reduction (dB): 1e-7 of gain. */
const SNAP_DB = 1e-6;
const SC_HPF_Q = 0.7071;
/** Makeup is clamped to ±this (the parameter range is 0..24 dB). */
const MAKEUP_LIMIT_DB = 96;

/**
 * Output level (dB) of the gain computer for an input level (dB): Giannoulis et al. eq. 4.
 * Ratio below 1 is taken as 1, a negative knee as 0.
 */
export function compressorCurveDb(inputDb: number, thresholdDb: number, ratio: number, kneeDb: number): number {
  const r = ratio > 1 ? ratio : 1;
  const w = kneeDb > 0 ? kneeDb : 0;
  const d = inputDb - thresholdDb;
  // `<=` so that a hard knee (W = 0) never reaches the 0/0 of the knee formula at x = T.
  if (2 * d <= -w) return inputDb;
  if (2 * d > w) return thresholdDb + d / r;
  const e = d + w / 2;
  return inputDb + ((1 / r - 1) * e * e) / (2 * w);
}

const finite = (x: number, fallback: number): number => (Number.isFinite(x) ? x : fallback);

// `process` spells these constants as literals (see there); make sure they still agree.
if (DB_PER_LOG2 !== 6.020599913279624 || LOG2_PER_DB !== 0.1660964047443681 || MANT_UNIT !== 1.1920928955078125e-7 || SNAP_DB !== 1e-6 || EXP2_LIMIT !== 126) {
  throw new Error('compressor.ts: literal constants out of date');
}

export class Compressor implements DspBlock {
  readonly channels: number;
  /** Largest gain reduction (dB, ≥ 0, makeup not included) applied during the last process call. */
  gainReductionDb = 0;

  private readonly sampleRate: number;
  private readonly fm = new FastMath();
  private readonly sc = newCoeffs();
  private readonly fadeLen: number;
  private readonly makeupRampLen: number;

  // Parameters as last set (for the cheap unchanged check).
  private primed = false;
  private on = false;
  private thresholdDb = NaN;
  private ratio = NaN;
  private kneeDb = NaN;
  private attackMs = NaN;
  private releaseMs = NaN;
  private makeupDb = NaN;
  private scOn = false;
  private scFreq = NaN;

  // Derived coefficients. They start as NaN (every one is written by the first `set`, before
  // `process` reads it) so that V8 gives the fields a double representation from the start:
  // a field that only ever held small integers (a −24 dB threshold, 0 dB makeup) is kept as a
  // tagged integer, and the sample loop would convert it to a double at every use.
  /** Linear detector level below which the gain computer asks for no reduction. */
  private kneeLowLin = Infinity;
  private thrDb = NaN;
  private kneeLowDb = NaN;
  private kneeHighDb = NaN;
  /** 1 − 1/R: dB of reduction per dB above threshold. */
  private slope = NaN;
  /** slope / (2W): the quadratic knee's coefficient. */
  private kneeCoef = NaN;
  private alphaA = NaN;
  private alphaR = NaN;
  private makeupLin = NaN;
  private makeupTarget = NaN;

  // State.
  private yL = 0;
  private s1a = 0;
  private s2a = 0;
  private s1b = 0;
  private s2b = 0;
  // (NaN for the same reason; the first `set` writes both before they are read.)
  private makeupCur = NaN;
  private makeupStep = NaN;
  private makeupLeft = 0;
  /** Crossfade position in samples: 0 = bypassed, fadeLen = fully on. */
  private fadePos = 0;

  constructor(channels: number, sampleRate: number) {
    if (channels !== 1 && channels !== 2) throw new RangeError(`Compressor: 1 or 2 channels, got ${channels}`);
    if (!(sampleRate > 0)) throw new RangeError(`Compressor: bad sample rate ${sampleRate}`);
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.fadeLen = Math.max(1, Math.round((FADE_MS * sampleRate) / 1000));
    this.makeupRampLen = Math.max(1, Math.round((MAKEUP_RAMP_MS * sampleRate) / 1000));
  }

  set(
    on: boolean,
    thresholdDb: number,
    ratio: number,
    kneeDb: number,
    attackMs: number,
    releaseMs: number,
    makeupDb: number,
    scHpfOn: boolean,
    scHpfFreq: number,
  ): void {
    if (
      this.primed &&
      on === this.on &&
      thresholdDb === this.thresholdDb &&
      ratio === this.ratio &&
      kneeDb === this.kneeDb &&
      attackMs === this.attackMs &&
      releaseMs === this.releaseMs &&
      makeupDb === this.makeupDb &&
      scHpfOn === this.scOn &&
      scHpfFreq === this.scFreq
    ) {
      return;
    }
    const fs = this.sampleRate;

    if (thresholdDb !== this.thresholdDb || ratio !== this.ratio || kneeDb !== this.kneeDb) {
      const t = finite(thresholdDb, 0);
      const r = Math.max(1, finite(ratio, 1));
      const w = Math.max(0, finite(kneeDb, 0));
      this.thrDb = t;
      this.slope = 1 - 1 / r;
      this.kneeLowDb = t - w / 2;
      this.kneeHighDb = t + w / 2;
      this.kneeCoef = w > 0 ? this.slope / (2 * w) : 0;
      // Ratio 1 never reduces: skip the gain computer entirely.
      this.kneeLowLin = this.slope > 0 ? Math.pow(10, this.kneeLowDb / 20) : Infinity;
    }
    if (attackMs !== this.attackMs) this.alphaA = timeConstantAlpha(attackMs, fs);
    if (releaseMs !== this.releaseMs) this.alphaR = timeConstantAlpha(releaseMs, fs);
    if (scHpfFreq !== this.scFreq) designBiquad(this.sc, HIGHPASS, finite(scHpfFreq, 100), 0, SC_HPF_Q, fs);
    if (scHpfOn && !this.scOn) this.clearSideChain();

    const m = Math.min(Math.max(finite(makeupDb, 0), -MAKEUP_LIMIT_DB), MAKEUP_LIMIT_DB);
    this.makeupLin = Math.pow(10, m / 20);
    this.makeupTarget = m;
    const bypassed = !this.on && this.fadePos === 0;
    if (!this.primed) this.fadePos = on ? this.fadeLen : 0;
    // Starting from full bypass: the detector begins afresh (its state is stale).
    else if (on && bypassed) this.clearDetector();
    if (!this.primed || bypassed) {
      // Nothing audible depends on the makeup yet (or the on-fade covers it): jump.
      this.makeupCur = m;
      this.makeupLeft = 0;
    } else if (makeupDb !== this.makeupDb) {
      this.makeupStep = (m - this.makeupCur) / this.makeupRampLen;
      this.makeupLeft = this.makeupRampLen;
    }

    this.primed = true;
    this.on = on;
    this.thresholdDb = thresholdDb;
    this.ratio = ratio;
    this.kneeDb = kneeDb;
    this.attackMs = attackMs;
    this.releaseMs = releaseMs;
    this.makeupDb = makeupDb;
    this.scOn = scHpfOn;
    this.scFreq = scHpfFreq;
  }

  process(buffers: readonly Float32Array[], frames: number): void {
    const on = this.on;
    const fadeLen = this.fadeLen;
    let fadePos = this.fadePos;
    if (!on && fadePos === 0) {
      this.gainReductionDb = 0;
      return;
    }
    const stereo = this.channels === 2;
    const L = buffers[0];
    const R = stereo ? buffers[1] : L;
    // Bit views for the inlined fast log2/exp2 (see fastmath.ts), and module constants as
    // locals: optimised code reloads module-level constants from memory on every use.
    const f32 = this.fm.f32;
    const i32 = this.fm.i32;
    // Written as literals (checked against the named constants at module load): a local copied
    // from a module binding stays a tagged value, and the loop re-checks and unboxes it at every
    // use; a literal is an immediate.
    const dbPerLog2 = 6.020599913279624; // DB_PER_LOG2
    const log2PerDb = 0.1660964047443681; // LOG2_PER_DB
    const mantUnit = 1.1920928955078125e-7; // MANT_UNIT
    const snap = 1e-6; // SNAP_DB
    const expLimit = -126; // -EXP2_LIMIT
    const sc = this.scOn;
    const c = this.sc;
    const b0 = c[0];
    const b1 = c[1];
    const b2 = c[2];
    const a1 = c[3];
    const a2 = c[4];
    const lowLin = this.kneeLowLin;
    const lowDb = this.kneeLowDb;
    const highDb = this.kneeHighDb;
    const thr = this.thrDb;
    const slope = this.slope;
    const kneeCoef = this.kneeCoef;
    const bR = 1 - this.alphaR;
    const bAR = 0.5 * (this.alphaR - this.alphaA); // ½·((1 − α_A) − (1 − α_R))
    const makeupLin = this.makeupLin;
    const invFade = 1 / fadeLen;
    const fadeStep = on ? 1 : -1;
    let s1a = this.s1a;
    let s2a = this.s2a;
    let s1b = this.s1b;
    let s2b = this.s2b;
    let yL = this.yL;
    let makeupCur = this.makeupCur;
    let makeupLeft = this.makeupLeft;
    const makeupStep = this.makeupStep;
    const makeupTarget = this.makeupTarget;
    let maxGr = 0;

    for (let i = 0; i < frames; i++) {
      const xa = L[i];
      const xb = R[i];
      // Detector input: linked peak of both channels, optionally side-chain filtered.
      let a: number;
      if (sc) {
        const ya = b0 * xa + s1a;
        s1a = flushDenormal(b1 * xa - a1 * ya + s2a);
        s2a = flushDenormal(b2 * xa - a2 * ya);
        a = Math.abs(ya);
        if (stereo) {
          const yb = b0 * xb + s1b;
          s1b = flushDenormal(b1 * xb - a1 * yb + s2b);
          s2b = flushDenormal(b2 * xb - a2 * yb);
          const m = Math.abs(yb);
          if (m > a) a = m;
        }
      } else {
        // Math.abs compiles to a bit mask; `x < 0 ? -x : x` is a jump on the sign of the
        // sample, a coin toss that mispredicts half the time. (The two differ only for −0,
        // which no comparison below can tell from +0, and the log below is never reached for it.)
        a = Math.abs(xa);
        if (stereo) {
          const m = Math.abs(xb);
          if (m > a) a = m;
        }
      }
      // Gain computer: wanted gain reduction x_L in dB.
      let xL = 0;
      if (a > lowLin) {
        // a > lowLin > 0: a normal float32 (or +Inf, which reads as 2^128): no clamping needed.
        f32[0] = a;
        const bits = i32[0];
        const xG = dbPerLog2 * ((bits >> 23) - 127 + log2Mantissa((bits & 0x7fffff) * mantUnit));
        if (xG >= highDb) xL = (xG - thr) * slope;
        else if (xG > lowDb) {
          const k = xG - lowDb;
          xL = kneeCoef * k * k;
        }
      }
      // Smooth branching peak detector, written without a branch: yL += (1 − α)·(xL − yL) with
      // α = α_A when xL > yL, else α_R; max(d, 0) = (d + |d|)/2. On programme material the
      // comparison is a coin toss per sample, and a mispredicted branch costs more than the
      // three extra operations.
      const d = xL - yL;
      yL += bR * d + bAR * (d + Math.abs(d));
      if (yL < snap) yL = 0;
      if (yL > maxGr) maxGr = yL;

      let g: number;
      if (yL === 0 && makeupLeft === 0) g = makeupLin;
      else {
        if (makeupLeft > 0) {
          makeupLeft--;
          makeupCur = makeupLeft === 0 ? makeupTarget : makeupCur + makeupStep;
        }
        // exp2 of the gain in octaves; makeup is clamped in `set`, so only the bottom can overflow.
        let v = (makeupCur - yL) * log2PerDb;
        if (v < expLimit) v = expLimit;
        const n = Math.round(v);
        i32[0] = (n + 127) << 23;
        g = exp2Fraction(v - n) * f32[0];
      }

      if (fadePos !== fadeLen || !on) {
        // Crossfade between the dry and the compressed signal (same samples, one gain).
        fadePos += fadeStep;
        if (fadePos < 0) fadePos = 0;
        g = 1 + fadePos * invFade * (g - 1);
      }
      L[i] = xa * g;
      if (stereo) R[i] = xb * g;
    }

    this.s1a = s1a;
    this.s2a = s2a;
    this.s1b = s1b;
    this.s2b = s2b;
    this.yL = yL;
    this.makeupCur = makeupCur;
    this.makeupLeft = makeupLeft;
    this.fadePos = fadePos;
    this.gainReductionDb = maxGr;
  }

  reset(): void {
    this.clearDetector();
    this.gainReductionDb = 0;
    this.makeupLeft = 0;
    this.makeupCur = this.makeupTarget;
    this.fadePos = this.on ? this.fadeLen : 0;
    this.primed = false;
  }

  subnormalStates(): number {
    let n = 0;
    if (isSubnormal(this.yL)) n++;
    if (isSubnormal(this.s1a)) n++;
    if (isSubnormal(this.s2a)) n++;
    if (isSubnormal(this.s1b)) n++;
    if (isSubnormal(this.s2b)) n++;
    if (isSubnormal(this.makeupCur)) n++;
    return n;
  }

  private clearDetector(): void {
    this.yL = 0;
    this.clearSideChain();
  }

  private clearSideChain(): void {
    this.s1a = 0;
    this.s2a = 0;
    this.s1b = 0;
    this.s2b = 0;
  }
}

/** α = exp(−1/(τ·fs)) for τ in ms; 0 (instant) for τ ≤ 0 or NaN. */
function timeConstantAlpha(ms: number, sampleRate: number): number {
  return ms > 0 ? Math.exp(-1000 / (ms * sampleRate)) : 0;
}
