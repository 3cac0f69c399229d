/**
 * Loudness leveller: a slow automatic gain that moves the programme toward a loudness target,
 * like a broadcast AGC (not a compressor: it follows the 3 s loudness, not the waveform). Stereo.
 *
 * Measurement (of the input, before the gain). Each channel is K-weighted (BS.1770, the filters
 * of `kWeightingCoeffs`), squared and summed into 100 ms blocks counted in samples:
 *   P_b = (Σ_L z² + Σ_R z²) / N_b                                  (N_b = round(fs/10))
 *   S   = lufsFromPower(mean of the last 30 P_b)      short-term loudness (3 s), every 100 ms
 *   M   = lufsFromPower(mean of the last 4 P_b)       momentary loudness (400 ms)
 *
 * Hold. A 100 ms update is "quiet" when M < −70 LUFS or M < R − holdBelow, or when its block
 * alone is at or below −70 LUFS or below R − holdBelow − 10 LU (a stop: caught in 100 ms, before
 * the falling S asks for a boost; the margin keeps short gaps within speech from counting).
 * The reference R is the power mean of the last 300 admitted S values (30 s of programme that
 * was levelled; held updates are not admitted, so gaps and quiet passages never drag it down,
 * and a programme that stays more than holdBelow quieter than it is held, by design). The
 * leveller holds (gain frozen) while
 *   - fewer than 30 updates (3 s) have passed since the last quiet update (and since reset:
 *     nothing heard yet), so S never acts on a window that still contains the gap or the quiet
 *     passage: a song that starts after a gap continues from the held gain once its own 3 s
 *     are in;
 *   - or S < −70 LUFS, or S < R − holdBelow.
 * The momentary value detects a quiet passage within about 400 ms (the 3 s value would take
 * seconds and, meanwhile, ask for a boost; the gain can move by up to rate × 0.4 s before).
 *
 * Gain. At each update that does not hold, the desired gain is
 *   d = clamp(target − S, −maxCut, +maxBoost)                                            (dB)
 * and on hold d = the current gain (clamped to the limits, so changed limits still apply). The
 * applied gain then moves toward d by at most rate·N_b/fs dB during the next 100 ms, as a ramp
 * linear in dB within the block (a geometric per-sample factor, re-anchored exactly at every
 * update), so its change over any second is at most `rateDbPerS` and it never steps. At exactly
 * 0 dB the gain is exactly 1 (identity).
 *
 * Off is an exact bypass; switching crossfades linearly over FADE_MS (counted in samples). The
 * measurement runs while off (it is cheap), so switching on acts on a valid S at once; the gain
 * then starts from 0 dB and moves at the rate.
 *
 * Meters: the engine should publish `gainDb` (the applied leveller gain, dB; 0 when off) and
 * `holding` (true while the gain is frozen: silence, a gap, a quiet passage, or not yet 3 s of
 * programme); `shortTermLufs` and `referenceLufs` are there for a detail view.
 */
import { type DspBlock, flushDenormal, isSubnormal } from './block.js';
import { kWeightingCoeffs, lufsFromPower } from './loudness.js';

if (lufsFromPower(1) !== -0.691) throw new Error('leveller.ts: lufsFromPower changed; update the written-out copies');

/** On/off crossfade length. */
export const FADE_MS = 5;
/** Measurement and gain update period. */
export const LEVELLER_BLOCK_MS = 100;
/** Blocks in the short-term (3 s) and momentary (400 ms) windows. */
const S_BLOCKS = 30;
const M_BLOCKS = 4;
/** Admitted short-term values kept for the reference (30 s). */
const REF_VALUES = 300;
/** A single 100 ms block this far below the quiet threshold R − holdBelow is a stop (LU). */
const STOP_EXTRA_LU = 10;
/** Absolute gate (LUFS). */
export const LEVELLER_GATE_LUFS = -70;

const finite = (x: number, fallback: number): number => (Number.isFinite(x) ? x : fallback);
const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

export class LoudnessLeveller implements DspBlock {
  readonly channels = 2;
  /** Gain applied at the end of the last process call (dB); 0 while bypassed. */
  gainDb = NaN;
  /** Whether the gain is frozen (see the header); false while bypassed. */
  holding = false;
  /** The hold decision of the last update (true until 3 s of programme are in). */
  private holdState = true;

  private readonly sampleRate: number;
  private readonly blockLen: number;
  /** blockLen again, in a field that holds a double (NaN first): a divisor the compiler never takes for a small integer. */
  private readonly blockLenD: number = NaN;
  private readonly fadeLen: number;
  private readonly pre: Float64Array;
  private readonly rlb: Float64Array;

  // Parameters.
  private primed = false;
  private on = false;
  // (NaN until the constructor sets the defaults: double fields from the start, whatever the
  // values `set` brings later, so compiled code never meets a change of the object's layout.)
  private target = NaN;
  private maxBoost = NaN;
  private maxCut = NaN;
  private stepDb = NaN;
  private holdBelow = NaN;

  // K-weighting state: pre-filter s1, s2 and RLB s1, s2 per channel (transposed direct form II).
  private p1a = 0;
  private p2a = 0;
  private r1a = 0;
  private r2a = 0;
  private p1b = 0;
  private p2b = 0;
  private r1b = 0;
  private r2b = 0;
  private acc = 0;
  private blockPos = 0;

  // Block powers (3 s), reference values (30 s).
  private readonly blocks = new Float64Array(S_BLOCKS);
  private blockIdx = 0;
  private readonly ref = new Float64Array(REF_VALUES);
  private refIdx = 0;
  private refCount = 0;
  /** Updates since the last quiet one (capped at S_BLOCKS); 0 after reset: nothing heard yet. */
  private sinceQuiet = 0;
  private sLufs = -Infinity;
  private rLufs = -Infinity;

  // Gain: dB value at the last update (exact anchor), the ramp to the next one.
  // (NaN until the constructor's clearGain, so these fields hold doubles from the start and the
  // compiled code never meets a change of their layout.)
  private anchorDb = NaN;
  private rampEndDb = NaN;
  private gLin = NaN;
  private mul = NaN;
  private rampLeft = 0;
  /** Crossfade position in samples: 0 = bypassed, fadeLen = fully on. */
  private fadePos = 0;

  constructor(sampleRate: number) {
    if (!(sampleRate >= 8000 && sampleRate <= 768000)) throw new RangeError(`LoudnessLeveller: bad sample rate ${sampleRate}`);
    this.sampleRate = sampleRate;
    this.blockLen = Math.max(1, Math.round((sampleRate * LEVELLER_BLOCK_MS) / 1000));
    this.blockLenD = this.blockLen;
    this.fadeLen = Math.max(1, Math.round((FADE_MS * sampleRate) / 1000));
    const k = kWeightingCoeffs(sampleRate);
    this.pre = k.pre;
    this.rlb = k.rlb;
    this.target = -23;
    this.maxBoost = 0;
    this.maxCut = 0;
    this.stepDb = 0;
    this.holdBelow = 20;
    this.clearGain();
  }

  /**
   * Target (LUFS), the largest boost and cut (dB, ≥ 0), the largest rate of gain change (dB/s),
   * and how far below the programme's reference loudness (LU) a passage counts as quiet.
   */
  set(on: boolean, targetLufs: number, maxBoostDb: number, maxCutDb: number, rateDbPerS: number, holdBelowLu: number): void {
    this.target = clamp(finite(targetLufs, -23), -70, 0);
    this.maxBoost = clamp(finite(maxBoostDb, 0), 0, 60);
    this.maxCut = clamp(finite(maxCutDb, 0), 0, 60);
    this.stepDb = (clamp(finite(rateDbPerS, 1), 0, 100) * this.blockLen) / this.sampleRate;
    this.holdBelow = clamp(finite(holdBelowLu, 20), 0, 100);
    const bypassed = !this.on && this.fadePos === 0;
    if (!this.primed) this.fadePos = on ? this.fadeLen : 0;
    else if (on && bypassed) this.clearGain();
    this.primed = true;
    this.on = on;
  }

  process(buffers: readonly Float32Array[], frames: number): void {
    // At least one piece (an empty one when frames = 0), so the meters are always refreshed.
    let i = 0;
    do {
      const room = this.blockLen - this.blockPos;
      const n = frames - i < room ? frames - i : room;
      this.run(buffers[0], buffers[1], i, n);
      i += n;
    } while (i < frames);
  }

  /**
   * Measure (always) and apply the gain (unless bypassed) to `n` samples from `start`, within
   * one 100 ms block; at the block's end, the update. Then the meters. The update runs ten times
   * a second, too rarely to be compiled on its own for many seconds (and uncompiled code boxes
   * every number it computes), so it is written out here, in the sample loop's method.
   */
  private run(L: Float32Array, R: Float32Array, start: number, n: number): void {
    const p = this.pre;
    const r = this.rlb;
    const pb0 = p[0], pb1 = p[1], pb2 = p[2], pa1 = p[3], pa2 = p[4];
    const rb0 = r[0], rb1 = r[1], rb2 = r[2], ra1 = r[3], ra2 = r[4];
    let p1a = this.p1a, p2a = this.p2a, r1a = this.r1a, r2a = this.r2a;
    let p1b = this.p1b, p2b = this.p2b, r1b = this.r1b, r2b = this.r2b;
    let acc = this.acc;
    const on = this.on;
    const fading = this.fadePos !== 0; // (not inside `||`: see the update below)
    const apply = on || fading;
    let g = this.gLin;
    const mul = this.mul;
    let rampLeft = this.rampLeft;
    const fadeLen = this.fadeLen;
    const invFade = 1 / fadeLen;
    const fadeStep = on ? 1 : -1;
    let fadePos = this.fadePos;
    const end = start + n;
    for (let i = start; i < end; i++) {
      const xa = L[i];
      const xb = R[i];
      const ya = pb0 * xa + p1a;
      p1a = flushDenormal(pb1 * xa - pa1 * ya + p2a);
      p2a = flushDenormal(pb2 * xa - pa2 * ya);
      const za = rb0 * ya + r1a;
      r1a = flushDenormal(rb1 * ya - ra1 * za + r2a);
      r2a = flushDenormal(rb2 * ya - ra2 * za);
      const yb = pb0 * xb + p1b;
      p1b = flushDenormal(pb1 * xb - pa1 * yb + p2b);
      p2b = flushDenormal(pb2 * xb - pa2 * yb);
      const zb = rb0 * yb + r1b;
      r1b = flushDenormal(rb1 * yb - ra1 * zb + r2b);
      r2b = flushDenormal(rb2 * yb - ra2 * zb);
      acc += za * za + zb * zb;
      if (!apply) continue;
      // (Both sides computed: the first ramp would otherwise reach new code.)
      const ramping = rampLeft > 0;
      const gm = g * mul;
      g = ramping ? gm : g;
      rampLeft = ramping ? rampLeft - 1 : rampLeft;
      let k = g;
      if (fadePos !== fadeLen || !on) {
        fadePos += fadeStep;
        if (fadePos < 0) fadePos = 0;
        k = 1 + fadePos * invFade * (g - 1);
      }
      L[i] = xa * k;
      R[i] = xb * k;
    }
    this.p1a = p1a;
    this.p2a = p2a;
    this.r1a = r1a;
    this.r2a = r2a;
    this.p1b = p1b;
    this.p2b = p2b;
    this.r1b = r1b;
    this.r2b = r2b;
    this.acc = acc;
    if (apply) {
      this.gLin = g;
      this.rampLeft = rampLeft;
      this.fadePos = fadePos;
    }
    this.blockPos += n;
    if (this.blockPos === this.blockLen) {
      // The 100 ms update: loudness values, hold decision, and the gain ramp of the next block.
      const pb = this.acc / this.blockLen;
      this.acc = 0;
      this.blockPos = 0;
      const blk = this.blocks;
      blk[this.blockIdx] = pb;
      this.blockIdx = this.blockIdx + 1 === S_BLOCKS ? 0 : this.blockIdx + 1;
      let sum3 = 0;
      let sum04 = 0;
      for (let k = 1; k <= S_BLOCKS; k++) {
        let idx = this.blockIdx - k;
        if (idx < 0) idx += S_BLOCKS;
        sum3 += blk[idx];
        if (k === M_BLOCKS) sum04 = sum3;
      }
      // lufsFromPower, written out (log10(0) = −Infinity). Every operation below runs on every
      // update, both sides of each decision computed and one kept: an operation first reached
      // after the method was compiled (the first loud block, the first admitted value) would
      // throw the compiled code away.
      const sL = -0.691 + 10 * Math.log10(sum3 / S_BLOCKS);
      const mL = -0.691 + 10 * Math.log10(sum04 / M_BLOCKS);
      this.sLufs = sL;
      const gate = LEVELLER_GATE_LUFS;
      const refGate = this.rLufs - this.holdBelow;
      const relGate = this.refCount > 0 ? refGate : -Infinity;
      const bL = -0.691 + 10 * Math.log10(pb);
      const bAbove = bL > gate;
      const bStop = bL < relGate - STOP_EXTRA_LU;
      const mUnder = mL < gate;
      const mQuiet = mL < relGate;
      const quiet = !bAbove || bStop || mUnder || mQuiet;
      const since = this.sinceQuiet;
      const next = since + 1;
      const short = since < S_BLOCKS;
      this.sinceQuiet = quiet ? 0 : short ? next : S_BLOCKS;
      const young = this.sinceQuiet < S_BLOCKS;
      const sAbove = sL >= gate;
      const sQuiet = sL < relGate;
      const hold = young || !sAbove || sQuiet;

      // Re-anchor the gain exactly where the last ramp ended.
      const now = this.rampEndDb;
      this.anchorDb = now;
      this.gLin = Math.pow(10, now / 20);
      // Admitted (not holding): the short-term value joins the reference ring (30 s), whose
      // unwritten slots are 0, so the sum over all of them is the sum over the values in it.
      const ref = this.ref;
      const ri = this.refIdx;
      const ri1 = ri + 1 === REF_VALUES ? 0 : ri + 1;
      const count = this.refCount;
      const count1 = count < REF_VALUES ? count + 1 : count;
      const sp = sum3 / S_BLOCKS;
      const kept = ref[ri];
      ref[ri] = hold ? kept : sp;
      this.refIdx = hold ? ri : ri1;
      this.refCount = hold ? count : count1;
      let sum = 0;
      for (let k = 0; k < REF_VALUES; k++) sum += ref[k];
      const rL = -0.691 + 10 * Math.log10(sum / count1);
      const rPrev = this.rLufs;
      this.rLufs = hold ? rPrev : rL;
      const keep = Math.min(Math.max(now, -this.maxCut), this.maxBoost);
      const follow = Math.min(Math.max(this.target - sL, -this.maxCut), this.maxBoost);
      const desired = hold ? keep : follow;
      this.holdState = hold;
      const delta = Math.min(Math.max(desired - now, -this.stepDb), this.stepDb);
      const moving = delta !== 0;
      const end = now + delta;
      const len = this.blockLen;
      const mul = Math.pow(10, delta / (20 * this.blockLenD));
      this.rampEndDb = moving ? end : now;
      this.mul = moving ? mul : 1;
      this.rampLeft = moving ? len : 0;
    }
    // Meters: the gain at the current sample of the ramp (dB), and the hold state.
    const fadingNow = this.fadePos !== 0;
    const active = on || fadingNow;
    const left = this.rampLeft;
    const endDb = this.rampEndDb;
    const atDb = this.anchorDb + ((this.blockLen - left) / this.blockLenD) * (endDb - this.anchorDb);
    this.gainDb = active ? (left === 0 ? endDb : atDb) : 0;
    this.holding = active && this.holdState;
  }

  /** Short-term loudness of the input at the last update (LUFS). */
  get shortTermLufs(): number {
    return this.sLufs;
  }

  /** The reference loudness of the programme (LUFS; −Infinity until something is admitted). */
  get referenceLufs(): number {
    return this.rLufs;
  }

  reset(): void {
    this.p1a = this.p2a = this.r1a = this.r2a = 0;
    this.p1b = this.p2b = this.r1b = this.r2b = 0;
    this.acc = 0;
    this.blockPos = 0;
    this.blocks.fill(0);
    this.blockIdx = 0;
    this.ref.fill(0);
    this.refIdx = 0;
    this.refCount = 0;
    this.sinceQuiet = 0;
    this.sLufs = -Infinity;
    this.rLufs = -Infinity;
    this.clearGain();
    this.holdState = true;
    this.holding = false;
    this.fadePos = this.on ? this.fadeLen : 0;
    this.primed = false;
  }

  subnormalStates(): number {
    let n = 0;
    for (const v of [this.p1a, this.p2a, this.r1a, this.r2a, this.p1b, this.p2b, this.r1b, this.r2b, this.acc, this.gLin]) {
      if (isSubnormal(v)) n++;
    }
    return n;
  }

  private clearGain(): void {
    this.anchorDb = 0;
    this.rampEndDb = 0;
    this.gLin = 1;
    this.mul = 1;
    this.rampLeft = 0;
    this.gainDb = 0;
  }
}

/**
 * Run a throwaway leveller (8 kHz) over a synthetic programme that takes every path of the
 * 100 ms update (silence, a loud and a quiet passage, admitted and holding, ramps up and down,
 * switched off and on), so the JIT compiles `run` with the type feedback of all of them before a
 * show. A path first taken in compiled code throws that code away, and V8 can then keep the
 * method uncompiled (boxing every number) for a long while. About a millisecond once compiled.
 */
export function warmUpLeveller(): void {
  const lv = new LoudnessLeveller(8000);
  // As if 3 s of programme had been heard: the first update already follows and ramps, so the
  // gain arithmetic meets fractional values before the compiler takes its snapshot (0 dB steps
  // alone would let it assume small integers, and the first real ramp would throw the code away).
  (lv as unknown as { sinceQuiet: number }).sinceQuiet = S_BLOCKS;
  const l = new Float32Array(800);
  const r = new Float32Array(800);
  const bufs = [l, r];
  let phase = 0;
  for (let k = 0; k < 1200; k++) {
    // The first calls are whole 100 ms blocks, each ending in an update, and switch the
    // leveller off and on, so the compiler's first snapshot has seen every path; then short
    // pieces (64 and 37 samples), as a render thread's blocks.
    if (k === 0 || k === 4) lv.set(true, -20, 12, 12, 6, 20);
    if (k === 2 || k === 900) lv.set(false, -20, 12, 12, 6, 20);
    if (k === 1000) lv.set(true, -30, 6, 6, 3, 10);
    const n = k < 12 ? 800 : k % 3 === 0 ? 37 : 64;
    // About 8 s at 8 kHz: 3 s loud, 0.5 s silent, 1.5 s quiet, then loud again.
    const t = phase / 8000;
    const amp = t < 3 ? 0.3 : t < 3.5 ? 0 : t < 5 ? 0.003 : 0.5;
    for (let i = 0; i < n; i++, phase++) {
      l[i] = amp * Math.sin(phase * 0.37);
      r[i] = amp * 0.8 * Math.sin(phase * 0.23);
    }
    lv.process(bufs, n);
  }
}

