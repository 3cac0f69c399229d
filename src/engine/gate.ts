/**
 * Noise gate and downward expander (one block, two modes), linked over its channels.
 *
 * Exact semantics (all times counted in samples, so any block size gives the same output):
 *
 * Level detector. Peak follower on the linked key k[n] = max over channels |x[n]|, instant
 * attack and exponential release with a fixed time constant (GATE_DETECTOR_RELEASE_MS):
 *   d[n] = k[n]                     if k[n] ≥ d[n−1]
 *        = d[n−1]·exp(−1/(τ_d·fs))  otherwise.
 * The short release bridges the zero crossings of a tone, so a steady tone reads as its peak
 * level (a 1 kHz sine ripples by less than 0.9 dB). After the signal drops, the detector needs
 * τ_d·D/8.69 ms to fall D dB (7.5 ms from 13 dB above the closing level), and hold counts from
 * there.
 *
 * Gain. The gain g (dB, −range ≤ g ≤ 0) moves toward its target at constant speeds in dB:
 * upward at range/attack dB per ms, downward at range/release dB per ms. So `attack` is the time
 * the gain takes to open fully from −range to 0 dB, and `release` the time to close from 0 dB to
 * the full range, both linear in dB. (For a range under 1 dB the speeds of a 1 dB range apply,
 * so a gain left behind by a range change still moves.)
 *
 * Gate mode. Two states with hysteresis:
 *  - closed → open when d > threshold;
 *  - open: every sample with d ≥ threshold − hysteresis re-arms the hold timer; once d has been
 *    below threshold − hysteresis for `hold` ms (hold samples), the gate closes.
 * Target: 0 dB when open, −range when closed. Between threshold − hysteresis and threshold the
 * gate keeps whichever state it is in.
 *
 * Expander mode. Target = (L − threshold)·(ratio − 1) dB for a detector level L (dB) below the
 * threshold, 0 dB at or above it, never below −range. Hysteresis does not apply. Hold: after the
 * level was last at or above the threshold, the gain does not fall for `hold` ms.
 *
 * `gainReductionDb` is the largest attenuation −g of the last process call (0 while bypassed).
 *
 * Off is an exact bypass; switching on or off crossfades linearly over FADE_MS. Switching on from
 * full bypass starts afresh in the open state with the hold running (and the first `set` after
 * construction or reset applies everything at once, in that same state): engaging a gate on a
 * live signal never dips it, and a quiet signal closes it after hold + release.
 */
import { type DspBlock, flushDenormal, isSubnormal } from './block.js';
import { DB_PER_LOG2, FastMath, LOG2_PER_DB, MANT_UNIT, exp2Fraction, log2Mantissa } from './fastmath.js';

/** Release time constant of the level detector. */
export const GATE_DETECTOR_RELEASE_MS = 5;
/** On/off crossfade length. */
export const FADE_MS = 5;
/** Mode indices (GATE_MODES of the parameter model). */
export const MODE_GATE = 0;
export const MODE_EXPANDER = 1;

/** Range is clamped to this (the parameter goes to 80 dB). */
const MAX_RANGE_DB = 120;

const finite = (x: number, fallback: number): number => (Number.isFinite(x) ? x : fallback);

// `process` spells these constants as literals (see there); make sure they still agree.
if (DB_PER_LOG2 !== 6.020599913279624 || LOG2_PER_DB !== 0.1660964047443681 || MANT_UNIT !== 1.1920928955078125e-7) {
  throw new Error('gate.ts: literal constants out of date');
}

export class Gate implements DspBlock {
  readonly channels: number;
  /** Largest attenuation (dB, ≥ 0) applied during the last process call. */
  gainReductionDb = 0;

  private readonly sampleRate: number;
  private readonly fm = new FastMath();
  private readonly fadeLen: number;
  private readonly detCoef: number;

  // Parameters as last set.
  private primed = false;
  private on = false;
  private mode = NaN;
  private thresholdDb = NaN;
  private rangeDb = NaN;
  private ratio = NaN;
  private attackMs = NaN;
  private holdMs = NaN;
  private releaseMs = NaN;
  private hysteresisDb = NaN;

  // Derived values and the level/gain state start as NaN; the first `set` writes them all before
  // `process` reads any. A field that only ever held small integers (a −40 dB threshold, a 0 dB
  // gain) is kept by V8 as a tagged integer, and the sample loop would convert it at every use;
  // a NaN start gives the field a double representation for good.
  private expander = false;
  private thrDb = NaN;
  private openLin = NaN;
  private closeLin = NaN;
  /** −range in dB (the closed gain) and its linear value. */
  private floorDb = NaN;
  private floorLin = NaN;
  /** Expander: below this detector level the target is certainly −range (no log needed). */
  private expFloorLin = NaN;
  private expSlope = NaN;
  private up = NaN;
  private down = NaN;
  private holdLen = 0;

  // State.
  private det = NaN;
  private open = false;
  private holdLeft = 0;
  private g = NaN;
  private fadePos = 0;

  constructor(channels: number, sampleRate: number) {
    if (channels !== 1 && channels !== 2) throw new RangeError(`Gate: 1 or 2 channels, got ${channels}`);
    if (!(sampleRate > 0)) throw new RangeError(`Gate: bad sample rate ${sampleRate}`);
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.fadeLen = Math.max(1, Math.round((FADE_MS * sampleRate) / 1000));
    this.detCoef = Math.exp(-1000 / (GATE_DETECTOR_RELEASE_MS * sampleRate));
  }

  set(
    on: boolean,
    mode: number,
    thresholdDb: number,
    rangeDb: number,
    ratio: number,
    attackMs: number,
    holdMs: number,
    releaseMs: number,
    hysteresisDb: number,
  ): void {
    if (
      this.primed &&
      on === this.on &&
      mode === this.mode &&
      thresholdDb === this.thresholdDb &&
      rangeDb === this.rangeDb &&
      ratio === this.ratio &&
      attackMs === this.attackMs &&
      holdMs === this.holdMs &&
      releaseMs === this.releaseMs &&
      hysteresisDb === this.hysteresisDb
    ) {
      return;
    }
    const msToSamples = this.sampleRate / 1000;
    const t = finite(thresholdDb, -80);
    const range = Math.min(Math.max(0, finite(rangeDb, 0)), MAX_RANGE_DB);
    const hyst = Math.max(0, finite(hysteresisDb, 0));
    const r = Math.max(1, finite(ratio, 1));
    this.expander = Math.round(finite(mode, 0)) === MODE_EXPANDER;
    this.thrDb = t;
    this.openLin = Math.pow(10, t / 20);
    this.closeLin = Math.pow(10, (t - hyst) / 20);
    this.floorDb = -range;
    this.floorLin = Math.pow(10, -range / 20);
    this.expSlope = r - 1;
    this.expFloorLin = this.expSlope > 0 ? Math.pow(10, (t - range / this.expSlope) / 20) : 0;
    // Speeds in dB per sample; a transition shorter than one sample is instant.
    const speedRange = Math.max(range, 1);
    const atk = finite(attackMs, 0) * msToSamples;
    const rel = finite(releaseMs, 0) * msToSamples;
    this.up = atk > 1 ? speedRange / atk : Infinity;
    this.down = rel > 1 ? speedRange / rel : Infinity;
    this.holdLen = Math.max(0, Math.round(finite(holdMs, 0) * msToSamples));

    const bypassed = !this.on && this.fadePos === 0;
    if (!this.primed) {
      this.fadePos = on ? this.fadeLen : 0;
      this.clearState();
    } else if (on && bypassed) this.clearState();

    this.primed = true;
    this.on = on;
    this.mode = mode;
    this.thresholdDb = thresholdDb;
    this.rangeDb = rangeDb;
    this.ratio = ratio;
    this.attackMs = attackMs;
    this.holdMs = holdMs;
    this.releaseMs = releaseMs;
    this.hysteresisDb = hysteresisDb;
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
    // Literals, checked against the named constants at module load: a local copied from a
    // module binding stays tagged, and the loop re-checks and unboxes it at every use.
    const dbPerLog2 = 6.020599913279624; // DB_PER_LOG2
    const log2PerDb = 0.1660964047443681; // LOG2_PER_DB
    const mantUnit = 1.1920928955078125e-7; // MANT_UNIT
    const expander = this.expander;
    const detCoef = this.detCoef;
    const openLin = this.openLin;
    const closeLin = this.closeLin;
    const floorDb = this.floorDb;
    const floorLin = this.floorLin;
    const expFloorLin = this.expFloorLin;
    const expSlope = this.expSlope;
    const thr = this.thrDb;
    const up = this.up;
    const down = this.down;
    const holdLen = this.holdLen;
    const invFade = 1 / fadeLen;
    const fadeStep = on ? 1 : -1;
    let det = this.det;
    let open = this.open;
    let holdLeft = this.holdLeft;
    let g = this.g;
    let minG = 0;

    for (let i = 0; i < frames; i++) {
      const xa = L[i];
      const xb = R[i];
      // Math.abs compiles to a bit mask; `x < 0 ? -x : x` would be a jump on the sign of the
      // sample, which mispredicts half the time. (They differ only for −0, which no comparison
      // here tells from +0.)
      let k = Math.abs(xa);
      if (stereo) {
        const kb = Math.abs(xb);
        if (kb > k) k = kb;
      }
      if (k >= det) det = k;
      else {
        // The release is the loop's recursion, so its latency sets the pace: flush only near
        // the subnormal range. At or above 1e-13 (ulp ≥ 2^-96 > 2e-30) adding and removing
        // 1e-30 is an exact identity, so this equals flushDenormal on every sample, bit for
        // bit, while the usual path is a single multiply (the test is predictable).
        const y = det * detCoef;
        det = y < 1e-13 ? flushDenormal(y) : y;
      }

      let target: number;
      if (!expander) {
        if (open) {
          if (det >= closeLin) holdLeft = holdLen;
          else if (holdLeft > 0) holdLeft--;
          else open = false;
        } else if (det > openLin) {
          open = true;
          holdLeft = holdLen;
        }
        target = open ? 0 : floorDb;
      } else if (det >= openLin) {
        target = 0;
        holdLeft = holdLen;
      } else {
        if (holdLeft > 0) holdLeft--;
        if (det <= expFloorLin) target = floorDb;
        else {
          // expFloorLin < det < threshold: positive and finite, so no clamping is needed.
          f32[0] = det;
          const bits = i32[0];
          const level = dbPerLog2 * ((bits >> 23) - 127 + log2Mantissa((bits & 0x7fffff) * mantUnit));
          target = (level - thr) * expSlope;
          if (target < floorDb) target = floorDb;
        }
      }

      // Constant-speed movement in dB toward the target; no fall while the hold runs.
      if (g < target) {
        g += up;
        if (g > target) g = target;
      } else if (g > target && holdLeft === 0) {
        g -= down;
        if (g < target) g = target;
      }
      if (g < minG) minG = g;

      let gl: number;
      if (g === 0) gl = 1;
      else if (g === floorDb) gl = floorLin;
      else {
        // −120 ≤ g < 0 (range is clamped): 2^(g/6.02) by the inlined fast exp2.
        const v = g * log2PerDb;
        const n = Math.round(v);
        i32[0] = (n + 127) << 23;
        gl = exp2Fraction(v - n) * f32[0];
      }
      if (fadePos !== fadeLen || !on) {
        fadePos += fadeStep;
        if (fadePos < 0) fadePos = 0;
        gl = 1 + fadePos * invFade * (gl - 1);
      }
      L[i] = xa * gl;
      if (stereo) R[i] = xb * gl;
    }

    this.det = det;
    this.open = open;
    this.holdLeft = holdLeft;
    this.g = g;
    this.fadePos = fadePos;
    this.gainReductionDb = 0 - minG;
  }

  reset(): void {
    this.clearState();
    this.gainReductionDb = 0;
    this.fadePos = this.on ? this.fadeLen : 0;
    this.primed = false;
  }

  subnormalStates(): number {
    return (isSubnormal(this.det) ? 1 : 0) + (isSubnormal(this.g) ? 1 : 0);
  }

  /** Fresh start: detector empty, gate open at 0 dB with the hold running. */
  private clearState(): void {
    this.det = 0;
    this.open = true;
    this.holdLeft = this.holdLen;
    this.g = 0;
  }
}
