/**
 * Loudness history of a programme: the meter's 100 ms steps kept for the whole programme, for
 * the live projection and the conformity report (per-minute values, plots).
 *
 * Input, once per 100 ms step (LoudnessMeter's gating hop, BS.1770-5 Annex 1 / EBU Tech 3341):
 * - `momentaryPower` m_k: the channel-weighted mean square Σ G_i·z_i of the last 400 ms, i.e. the
 *   BS.1770 gating block value (loudness l_k = −0.691 + 10·log10 m_k);
 * - `shortTermPower` s_k: the same over the last 3 s (the Tech 3342 LRA input, sampled at 10 Hz);
 * - `truePeakLin`: the largest true-peak sample of the step (linear).
 *
 * Integrated loudness of any stretch [from, to) of slots, exactly as LoudnessMeter does it:
 *   J_a = { k : m_k > Γa },  Γa = power(−70 LUFS)
 *   Γr = 0.1 · mean(m_k, k ∈ J_a)                  (−10 LU)
 *   I  = −0.691 + 10·log10 mean(m_k : m_k > max(Γa, Γr))
 * (strict `>`, energies averaged, never loudness values). LRA per Tech 3342 (2023) with the
 * MATLAB index rule: S values ≥ −70 LUFS and ≥ (power mean) − 20 LU, sorted, percentiles at
 * index round((n − 1)·p/100) for p = 10 and 95, LRA = 10·log10(v95 / v10).
 *
 * Warm-up: every pushed value is taken as a complete window unless `warmup` is set. A caller
 * that feeds the meter's steps from its reset either starts pushing at the 4th step (the first
 * full 400 ms block) with short-term power 0 until the 30th, or pushes every step with
 * `{ warmup: true }`: the history then keeps the first 3 momentary values out of the gating and
 * the first 29 short-term values out of the LRA, as LoudnessMeter does (BS.1770: incomplete
 * blocks are not used); they still count for the maxima and the plots.
 *
 * Memory and decimation: five Float64Arrays of `capacitySteps` slots (6 h of 100 ms steps by
 * default, 8.6 MB) allocated once; `push` never allocates. When they are full the resolution is
 * halved in place (no allocation either) and `stepSeconds` doubles, so any programme length fits:
 * - gating blocks and short-term values: every other one is KEPT (not averaged). Each kept value
 *   is still an exact 400 ms block / 3 s value, so gating and LRA stay BS.1770 / Tech 3342
 *   computations, on a sparser set: after one halving the blocks overlap by 50 % instead of
 *   75 % (200 ms hop) and S is sampled at 5 Hz (then 2.5, 1.25 Hz …). Both remain unbiased
 *   estimates of the same energies; averaging pairs instead would turn the 400 ms blocks into
 *   smoothed 500 ms windows and move the values the gates act on. Steady material reads the
 *   same; programme material moves by a few hundredths of an LU (see the tests).
 * - maxima (per-slot max M, max S) and the true peak: the max of the pair, so no peak is lost.
 * Slot j then holds the step k = j·f (f = stepSeconds / 0.1) for gating and LRA, and the maxima
 * of steps j·f … j·f + f − 1. Whole-programme max M / max S / true peak are also kept as exact
 * scalars.
 *
 * Queries (`integratedLufs`, `loudnessRangeLu`, ranges) are O(slots) and meant for display
 * rate or the end of a programme; `loudnessRangeLu` and `runningIntegratedLufs` allocate.
 *
 * Live values for the render thread: `liveIntegratedLufs` and `liveLoudnessRangeLu` read
 * histograms of every pushed step (0.01 LU bins from −70 to +10 LUFS, the grid of FFmpeg's
 * ebur128 filter, here with a count and a power sum per bin; 256 kB) in O(bins), without
 * allocating or sorting, and are not affected by the halving. The relative gates come from the
 * exact running power sums; the blocks in the one bin that holds the integrated gate are split
 * by proportion (taken as evenly spread in the bin), the short-term values in the bin of the LRA
 * gate go in or out together by their mean, and the LRA percentiles read their bin's mean
 * power, so the live values stay within 0.02 LU of the exact ones (the tests measure it).
 *
 * The render thread (LiveProjector, once a second) uses `pushSteps` (the steps of the last
 * second from a Float64Array), `liveRangeInto` and `liveArrays` (the arrays and the scalars, kept
 * current by every push): no number passes through a call there, since a number passed to or
 * returned from a call the compiler does not inline is boxed (allocated), and the helpers
 * (`clean`, `binOf`, `lufs`) are written out in them. `halve`, run once per doubling of the
 * programme and so never compiled ahead, moves the values as 16-bit words (see there).
 */

import { lufsFromPower } from './loudness.js';

/** Seconds per meter step (the BS.1770 gating hop: 400 ms blocks, 75 % overlap). */
export const HISTORY_STEP_S = 0.1;
/** Default capacity: 6 hours of 100 ms steps. */
export const HISTORY_SIX_HOURS = 216000;
/** Steps whose 400 ms window is not full when fed from a meter reset (steps 0, 1, 2). */
const M_WARMUP = 3;
/** Steps whose 3 s window is not full (steps 0 … 28). */
const S_WARMUP = 29;
const ABS_GATE_POWER = Math.pow(10, (-70 + 0.691) / 10);
/** Live histograms: 0.01 LU bins from −70 to +10 LUFS (louder values go in the top bin). */
export const HISTOGRAM_BINS = 8000;
export const HISTOGRAM_BINS_PER_LU = 100;
const BINS = HISTOGRAM_BINS;
const BINS_PER_LU = HISTOGRAM_BINS_PER_LU;

const lufs = lufsFromPower;

function dbLin(x: number): number {
  return x > 0 ? 20 * Math.log10(x) : Number.NEGATIVE_INFINITY;
}

/** Histogram bin of a power at or above −70 LUFS. */
function binOf(p: number): number {
  const b = Math.floor((lufs(p) + 70) * BINS_PER_LU);
  return b < 0 ? 0 : b >= BINS ? BINS - 1 : b;
}

/** Index of the most significant 16-bit word of a double in a Uint16Array view, and the step to the next one. */
const MS_WORD = new Uint16Array(new Float64Array([2]).buffer)[3] === 0x4000 ? 3 : 0;
const NEXT_WORD = MS_WORD === 3 ? -1 : 1;

/**
 * One array of `halve`, in place on its 16-bit view: slot j = slot 2j, or with `max` the larger
 * of slots 2j and 2j + 1 (values ≥ +0: the first word that differs, from the most significant,
 * decides; equal keeps 2j + 1), for j < half.
 */
function halve16(w: Uint16Array, half: number, max: boolean): void {
  for (let j = 0; j < half; j++) {
    const a = 8 * j;
    let src = a;
    if (max) {
      src = a + 4;
      for (let q = 0, i = MS_WORD; q < 4; q++, i += NEXT_WORD) {
        if (w[a + i] !== w[a + 4 + i]) {
          if (w[a + i] > w[a + 4 + i]) src = a;
          break;
        }
      }
    }
    const d = 4 * j;
    w[d] = w[src];
    w[d + 1] = w[src + 1];
    w[d + 2] = w[src + 2];
    w[d + 3] = w[src + 3];
  }
}

export interface LoudnessHistoryOptions {
  /**
   * True when the first push is the meter's first 100 ms step after a reset: the first 3 M
   * values and the first 29 S values are then incomplete windows and are left out of the gating
   * and the LRA. False (default) when every pushed value is a complete window.
   */
  warmup?: boolean;
}

/** Sums of the gating so far (for `projectIntegrated`). */
export interface GatingState {
  /** Sum and count of the block powers above −70 LUFS. */
  absPowerSum: number;
  absCount: number;
  /** Sum and count of the block powers above both gates (integrated = their mean). */
  gatedPowerSum: number;
  gatedCount: number;
}

export class LoudnessHistory {
  /** Slots allocated (even). */
  readonly capacity: number;
  readonly warmup: boolean;
  /** Kept gating-block power per slot (step j·f). */
  private readonly m: Float64Array;
  /** Kept short-term power per slot (step j·f). */
  private readonly s: Float64Array;
  /** Max momentary / short-term power and max true peak (linear) over the slot's steps. */
  private readonly mMax: Float64Array;
  private readonly sMax: Float64Array;
  private readonly tp: Float64Array;
  /** The same five arrays as 16-bit words, for `halve`. */
  private readonly m16: Uint16Array;
  private readonly s16: Uint16Array;
  private readonly mMax16: Uint16Array;
  private readonly sMax16: Uint16Array;
  private readonly tp16: Uint16Array;
  private n = 0;
  /** Steps per slot. */
  private factor = 1;
  /** Steps already in the last slot (0 … factor); `factor` means a new push opens a slot. */
  private sub = 0;
  private total = 0;
  // (Doubles start as NaN and get their values in the constructor, so their fields hold doubles
  // from the start and compiled code never meets a change of the object layout.)
  private mMaxAll = NaN;
  private sMaxAll = NaN;
  private tpAll = NaN;
  /** Live histograms: count and power sum per bin of the blocks above −70 LUFS … */
  private readonly hmCnt = new Float64Array(BINS);
  private readonly hmSum = new Float64Array(BINS);
  /** … and of the short-term values at or above −70 LUFS, with the exact running sums. */
  private readonly hsCnt = new Float64Array(BINS);
  private readonly hsSum = new Float64Array(BINS);
  private readonly scratch2 = new Float64Array(2);
  private readonly scratch4 = new Float64Array(4);
  private readonly one = new Float64Array(3);
  /** Scalars for LiveProjector (see liveArrays), rewritten by every change. */
  private readonly liveInts = new Int32Array(5);
  private readonly liveSums = new Float64Array(2);
  private mAbsSum = NaN;
  private mAbsCnt = 0;
  private sAbsSum = NaN;
  private sAbsCnt = 0;

  constructor(capacitySteps: number = HISTORY_SIX_HOURS, options: LoudnessHistoryOptions = {}) {
    if (!(Number.isFinite(capacitySteps) && capacitySteps >= 2)) {
      throw new RangeError(`loudness history: capacity of at least 2 steps, got ${capacitySteps}`);
    }
    const cap = Math.ceil(capacitySteps / 2) * 2;
    this.capacity = cap;
    this.warmup = options.warmup ?? false;
    this.m = new Float64Array(cap);
    this.s = new Float64Array(cap);
    this.mMax = new Float64Array(cap);
    this.sMax = new Float64Array(cap);
    this.tp = new Float64Array(cap);
    this.m16 = new Uint16Array(this.m.buffer);
    this.s16 = new Uint16Array(this.s.buffer);
    this.mMax16 = new Uint16Array(this.mMax.buffer);
    this.sMax16 = new Uint16Array(this.sMax.buffer);
    this.tp16 = new Uint16Array(this.tp.buffer);
    this.clear();
  }

  /** Forget everything (same as `clear`). */
  reset(): void {
    this.clear();
  }

  /** Forget everything; the capacity stays allocated. */
  clear(): void {
    this.n = 0;
    this.factor = 1;
    this.sub = 1;
    this.total = 0;
    this.mMaxAll = 0;
    this.sMaxAll = 0;
    this.tpAll = 0;
    this.hmCnt.fill(0);
    this.hmSum.fill(0);
    this.hsCnt.fill(0);
    this.hsSum.fill(0);
    this.mAbsSum = 0;
    this.mAbsCnt = 0;
    this.sAbsSum = 0;
    this.sAbsCnt = 0;
    this.pushSteps(this.one, 0); // publishes the scalars
  }

  /** Record one 100 ms step. Never allocates. */
  push(momentaryPower: number, shortTermPower: number, truePeakLin: number): void {
    const one = this.one;
    one[0] = momentaryPower;
    one[1] = shortTermPower;
    one[2] = truePeakLin;
    this.pushSteps(one, 1);
  }

  /**
   * Record `count` steps given as (momentaryPower, shortTermPower, truePeakLin) triples in
   * `steps`, as `push` does. The render thread's entry point (see the header): no number passes
   * in or out, no allocation.
   */
  pushSteps(steps: Float64Array, count: number): void {
    for (let k = 0; k < count; k++) {
      // clean() and binOf(), written out (see the header).
      const x = steps[3 * k];
      const y = steps[3 * k + 1];
      const z = steps[3 * k + 2];
      const mp = x > 0 && x < Infinity ? x : 0;
      const sp = y > 0 && y < Infinity ? y : 0;
      const tp = z > 0 && z < Infinity ? z : 0;
      if (this.sub === this.factor) {
        if (this.n === this.capacity) this.halve();
        const j = this.n++;
        this.m[j] = mp;
        this.s[j] = sp;
        this.mMax[j] = mp;
        this.sMax[j] = sp;
        this.tp[j] = tp;
        this.sub = 1;
      } else {
        const j = this.n - 1;
        if (mp > this.mMax[j]) this.mMax[j] = mp;
        if (sp > this.sMax[j]) this.sMax[j] = sp;
        if (tp > this.tp[j]) this.tp[j] = tp;
        this.sub++;
      }
      if (mp > ABS_GATE_POWER && !(this.warmup && this.total < M_WARMUP)) {
        const f = Math.floor((-0.691 + 10 * Math.log10(mp) + 70) * BINS_PER_LU);
        const b = f < 0 ? 0 : f >= BINS ? BINS - 1 : f;
        this.hmCnt[b]++;
        this.hmSum[b] += mp;
        this.mAbsSum += mp;
        this.mAbsCnt++;
      }
      if (sp >= ABS_GATE_POWER && !(this.warmup && this.total < S_WARMUP)) {
        const f = Math.floor((-0.691 + 10 * Math.log10(sp) + 70) * BINS_PER_LU);
        const b = f < 0 ? 0 : f >= BINS ? BINS - 1 : f;
        this.hsCnt[b]++;
        this.hsSum[b] += sp;
        this.sAbsSum += sp;
        this.sAbsCnt++;
      }
      this.total++;
      if (mp > this.mMaxAll) this.mMaxAll = mp;
      if (sp > this.sMaxAll) this.sMaxAll = sp;
      if (tp > this.tpAll) this.tpAll = tp;
    }
    // The scalars LiveProjector reads (firstBlock() and firstShort() written out).
    const c = this.liveInts;
    const f = this.factor;
    c[0] = this.n;
    c[1] = f;
    c[2] = this.total;
    c[3] = this.warmup ? ((M_WARMUP + f - 1) / f) | 0 : 0;
    c[4] = this.warmup ? ((S_WARMUP + f - 1) / f) | 0 : 0;
    this.liveSums[0] = this.mAbsSum;
    this.liveSums[1] = this.mAbsCnt;
  }

  /** `liveLoudnessRangeLu()` into out[0]: no number passes in or out (see the header). */
  liveRangeInto(out: Float64Array): void {
    let lra = 0;
    if (this.sAbsCnt >= 2) {
      const gate = (this.sAbsSum / this.sAbsCnt) * 0.01;
      const cnt = this.hsCnt;
      const sums = this.hsSum;
      let first = 0;
      if (gate > ABS_GATE_POWER) {
        const f = Math.floor((-0.691 + 10 * Math.log10(gate) + 70) * BINS_PER_LU);
        const gb = f < 0 ? 0 : f >= BINS ? BINS - 1 : f;
        first = cnt[gb] > 0 && sums[gb] / cnt[gb] >= gate ? gb : gb + 1;
      }
      let k = 0;
      for (let b = first; b < BINS; b++) k += cnt[b];
      if (k >= 2) {
        const i10 = Math.round((k - 1) * 0.1);
        const i95 = Math.round((k - 1) * 0.95);
        let lo = 0;
        let hi = 0;
        let seen = 0;
        for (let b = first; b < BINS; b++) {
          const c = cnt[b];
          if (c === 0) continue;
          if (lo === 0 && seen + c > i10) lo = sums[b] / c;
          if (seen + c > i95) {
            hi = sums[b] / c;
            break;
          }
          seen += c;
        }
        lra = lo > 0 && hi > 0 ? 10 * Math.log10(hi / lo) : 0;
      }
    }
    out[0] = lra;
  }

  /**
   * Halve the resolution in place: keep the even slots' M and S, max the pairs' maxima. This
   * runs once per doubling of the programme, too rarely to be compiled, so it moves the values
   * as 16-bit words (small integers: even interpreted, no number objects are created) and
   * compares the maxima by their bit patterns, which order non-negative doubles as their values
   * (IEEE 754; every stored value is +0 or positive).
   */
  private halve(): void {
    const half = this.capacity >> 1;
    halve16(this.m16, half, false);
    halve16(this.s16, half, false);
    halve16(this.mMax16, half, true);
    halve16(this.sMax16, half, true);
    halve16(this.tp16, half, true);
    this.n = half;
    this.factor *= 2;
  }

  /** Slots stored (including a partly filled last one). */
  get steps(): number {
    return this.n;
  }

  /** Seconds per slot: 0.1 until the first halving, then 0.2, 0.4 … */
  get stepSeconds(): number {
    return this.factor / 10;
  }

  /** 100 ms steps pushed since the last reset. */
  get pushes(): number {
    return this.total;
  }

  /**
   * The arrays the live projection reads on the render thread (LiveProjector), never
   * reallocated and not to be written: kept block and short-term powers per slot (valid below
   * `steps`), the momentary histogram of every pushed block above −70 LUFS (count and power sum
   * per bin; HISTOGRAM_BINS bins of 1/HISTOGRAM_BINS_PER_LU LU from −70 LUFS), and the scalars,
   * current after every push: `counts` = [steps, stepsPerSlot, pushes, firstGatingSlot,
   * firstRangeSlot], `sums` = [liveAbsPowerSum, liveAbsCount]. (Arrays, not getters: reading
   * them calls nothing, so nothing depends on what the compiler inlines.)
   */
  liveArrays(): { blocks: Float64Array; shortTerms: Float64Array; binCounts: Float64Array; binSums: Float64Array; counts: Int32Array; sums: Float64Array } {
    return { blocks: this.m, shortTerms: this.s, binCounts: this.hmCnt, binSums: this.hmSum, counts: this.liveInts, sums: this.liveSums };
  }

  /** Programme time covered: pushes × 100 ms. */
  get durationS(): number {
    return this.total / 10;
  }

  /** End time (s) of the gating block kept in slot j. */
  slotTimeS(j: number): number {
    return (j * this.factor + 1) / 10;
  }

  /** First slot whose kept step starts at or after `seconds` (rounded to 100 ms); 0 … steps. */
  slotAt(seconds: number): number {
    const k = Math.round(seconds / HISTORY_STEP_S);
    if (!(k > 0)) return 0;
    const j = Math.ceil(k / this.factor);
    return j < this.n ? j : this.n;
  }

  /** First slot whose block enters the gating: ceil(M_WARMUP / factor), in integers. */
  private firstBlock(): number {
    return this.warmup ? ((M_WARMUP + this.factor - 1) / this.factor) | 0 : 0;
  }

  /** First slot whose short-term value enters the LRA: ceil(S_WARMUP / factor), in integers. */
  private firstShort(): number {
    return this.warmup ? ((S_WARMUP + this.factor - 1) / this.factor) | 0 : 0;
  }

  /** True when slot j's block is a complete 400 ms block (enters the gating). */
  isGatingBlock(j: number): boolean {
    return j >= this.firstBlock() && j < this.n;
  }

  /** Momentary loudness of slot j's kept step (LUFS). */
  momentaryLufsAt(j: number): number {
    return lufs(this.m[j]);
  }

  /** Short-term loudness of slot j's kept step (LUFS). */
  shortTermLufsAt(j: number): number {
    return lufs(this.s[j]);
  }

  private lo(from: number): number {
    return from > 0 ? Math.floor(from) : 0;
  }

  private hi(to: number): number {
    return to < this.n ? Math.floor(to) : this.n;
  }

  /**
   * Both BS.1770 gates over slots [from, to) into `out`: [sum, count] above −70 LUFS, then
   * [sum, count] above both gates. No allocation.
   */
  private gateInto(from: number, to: number, out: Float64Array): void {
    const fb = this.firstBlock();
    const a = this.lo(from) > fb ? this.lo(from) : fb;
    const b = this.hi(to);
    const m = this.m;
    let absSum = 0;
    let absCnt = 0;
    for (let j = a; j < b; j++) {
      if (m[j] > ABS_GATE_POWER) {
        absSum += m[j];
        absCnt++;
      }
    }
    const rel = absCnt > 0 ? (absSum / absCnt) * 0.1 : 0;
    const gate = rel > ABS_GATE_POWER ? rel : ABS_GATE_POWER;
    let sum = 0;
    let cnt = 0;
    if (absCnt > 0) {
      for (let j = a; j < b; j++) {
        if (m[j] > gate) {
          sum += m[j];
          cnt++;
        }
      }
    }
    out[0] = absSum;
    out[1] = absCnt;
    out[2] = sum;
    out[3] = cnt;
  }

  /** Gating sums over slots [from, to) (both BS.1770 gates applied within that stretch). */
  gatingState(from = 0, to: number = this.n): GatingState {
    const g = this.scratch4;
    this.gateInto(from, to, g);
    return { absPowerSum: g[0], absCount: g[1], gatedPowerSum: g[2], gatedCount: g[3] };
  }

  /**
   * BS.1770 integrated loudness of slots [from, to): −70 LUFS absolute and −10 LU relative
   * gates, mean of block powers. Without decimation this equals LoudnessMeter.integratedLufs.
   * -Infinity when no block passes. O(slots), no allocation.
   */
  integratedLufs(from = 0, to: number = this.n): number {
    const g = this.scratch4;
    this.gateInto(from, to, g);
    return g[3] > 0 ? lufs(g[2] / g[3]) : Number.NEGATIVE_INFINITY;
  }

  /**
   * Tech 3342 loudness range of the short-term values of slots [from, to), with
   * LoudnessMeter.loudnessRangeLu's gates and index rule; 0 when fewer than two values pass.
   */
  loudnessRangeLu(from = 0, to: number = this.n): number {
    const v = this.gatedShortTermLufs(from, to);
    const k = v.length;
    return k < 2 ? 0 : v[Math.round((k - 1) * 0.95)] - v[Math.round((k - 1) * 0.1)];
  }

  /**
   * Short-term values (LUFS) of slots [from, to) that pass the LRA gates (≥ −70 LUFS,
   * ≥ power mean − 20 LU), sorted ascending; for percentiles of a stretch.
   */
  gatedShortTermLufs(from = 0, to: number = this.n): Float64Array {
    const a = Math.max(this.lo(from), this.firstShort());
    const b = this.hi(to);
    const v = this.s;
    let sum = 0;
    let cnt = 0;
    for (let j = a; j < b; j++) {
      if (v[j] >= ABS_GATE_POWER) {
        sum += v[j];
        cnt++;
      }
    }
    if (cnt === 0) return new Float64Array(0);
    const gate = (sum / cnt) * 0.01;
    const out = new Float64Array(cnt);
    let k = 0;
    for (let j = a; j < b; j++) {
      if (v[j] >= ABS_GATE_POWER && v[j] >= gate) out[k++] = lufs(v[j]);
    }
    return out.subarray(0, k).sort();
  }

  private maxOf(arr: Float64Array, all: number, from: number, to: number): number {
    if (from <= 0 && to >= this.n) return all;
    const b = this.hi(to);
    let mx = 0;
    for (let j = this.lo(from); j < b; j++) if (arr[j] > mx) mx = arr[j];
    return mx;
  }

  /** Highest momentary loudness over slots [from, to) (at 100 ms resolution). */
  momentaryMaxLufs(from = 0, to: number = this.n): number {
    return lufs(this.maxOf(this.mMax, this.mMaxAll, from, to));
  }

  /** Highest short-term loudness over slots [from, to). */
  shortTermMaxLufs(from = 0, to: number = this.n): number {
    return lufs(this.maxOf(this.sMax, this.sMaxAll, from, to));
  }

  /** Highest true peak over slots [from, to) in dBTP; -Infinity for silence. */
  truePeakDbtp(from = 0, to: number = this.n): number {
    return dbLin(this.maxOf(this.tp, this.tpAll, from, to));
  }

  /**
   * Running integrated loudness (from slot 0) at each of the given slot ends (exclusive, any
   * order): the value a live meter showed at that point. O((n + ends) log n) with a Fenwick tree
   * over the blocks ranked by power, so thousands of points over a long programme stay cheap.
   * The sums run in another order than `integratedLufs`, so values agree to ~1e-12 LU.
   */
  runningIntegratedLufs(ends: ArrayLike<number>): Float64Array {
    const out = new Float64Array(ends.length);
    const first = this.firstBlock();
    const n = this.n;
    const cnt = Math.max(0, n - first);
    // Rank every complete block by power.
    const order = new Int32Array(cnt);
    for (let i = 0; i < cnt; i++) order[i] = i;
    const m = this.m;
    order.sort((x, y) => m[first + x] - m[first + y]);
    const sorted = new Float64Array(cnt);
    const rank = new Int32Array(cnt);
    for (let r = 0; r < cnt; r++) {
      sorted[r] = m[first + order[r]];
      rank[order[r]] = r;
    }
    const fSum = new Float64Array(cnt + 1);
    const fCnt = new Int32Array(cnt + 1);
    const byEnd = Array.from(ends, (e, i) => [Math.max(0, Math.min(n, Math.floor(e))), i] as const).sort((x, y) => x[0] - y[0]);
    let absSum = 0;
    let absCnt = 0;
    let totalSum = 0;
    let totalCnt = 0;
    let pos = first;
    for (const [end, idx] of byEnd) {
      for (; pos < end; pos++) {
        const p = m[pos];
        if (!(p > ABS_GATE_POWER)) continue;
        absSum += p;
        absCnt++;
        for (let r = rank[pos - first] + 1; r <= cnt; r += r & -r) {
          fSum[r] += p;
          fCnt[r]++;
        }
        totalSum += p;
        totalCnt++;
      }
      if (absCnt === 0) {
        out[idx] = Number.NEGATIVE_INFINITY;
        continue;
      }
      const rel = (absSum / absCnt) * 0.1;
      const gate = rel > ABS_GATE_POWER ? rel : ABS_GATE_POWER;
      // Ranks [0, r0) hold powers ≤ gate: subtract their inserted sums from the total.
      let lo = 0;
      let hi = cnt;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid] > gate) hi = mid;
        else lo = mid + 1;
      }
      let belowSum = 0;
      let belowCnt = 0;
      for (let r = lo; r > 0; r -= r & -r) {
        belowSum += fSum[r];
        belowCnt += fCnt[r];
      }
      const c = totalCnt - belowCnt;
      out[idx] = c > 0 ? lufs((totalSum - belowSum) / c) : Number.NEGATIVE_INFINITY;
    }
    return out;
  }

  /**
   * Integrated loudness of every step pushed so far, from the histograms: O(bins), no
   * allocation, for the render thread. Within 0.02 LU of `integratedLufs` (exact when the
   * relative gate lies below −70 LUFS or no block shares its bin). Covers every step pushed,
   * whatever the halving.
   */
  liveIntegratedLufs(): number {
    if (this.mAbsCnt === 0) return Number.NEGATIVE_INFINITY;
    const out = this.scratch2;
    this.liveBlocksAbove((this.mAbsSum / this.mAbsCnt) * 0.1, out);
    return out[1] > 0 ? lufs(out[0] / out[1]) : Number.NEGATIVE_INFINITY;
  }

  /**
   * Sum (out[0]) and count (out[1]) of the pushed blocks with power above `gatePower` (at least
   * the −70 LUFS gate), from the histograms: O(bins), no allocation. The bin holding the gate is
   * split by proportion; every other bin is exact.
   */
  liveBlocksAbove(gatePower: number, out: Float64Array): void {
    if (!(gatePower > ABS_GATE_POWER)) {
      out[0] = this.mAbsSum;
      out[1] = this.mAbsCnt;
      return;
    }
    const gb = binOf(gatePower);
    const cnt = this.hmCnt;
    const sums = this.hmSum;
    let sum = 0;
    let n = 0;
    if (cnt[gb] > 0) {
      // The part of the gate's bin above the gate, taking its blocks as evenly spread in it.
      let frac = gb + 1 - (lufs(gatePower) + 70) * BINS_PER_LU;
      frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
      sum += frac * sums[gb];
      n += frac * cnt[gb];
    }
    for (let b = gb + 1; b < BINS; b++) {
      sum += sums[b];
      n += cnt[b];
    }
    out[0] = sum;
    out[1] = n;
  }

  /**
   * Loudness range of every step pushed so far, from the histograms: O(bins), no allocation,
   * no sort, for the render thread. Within 0.02 LU of `loudnessRangeLu`.
   */
  liveLoudnessRangeLu(): number {
    const out = this.scratch2;
    this.liveRangeInto(out);
    return out[0];
  }

  /**
   * Call `fn(momentaryPower, shortTermPower, truePeakLin)` for every slot in order, with the
   * slot's kept M and S and its true peak; warm-up slots give M (and S) = 0. Pushing these
   * into another history (warmup off) pools programmes, e.g. for an album's integrated value.
   */
  forEachStep(fn: (momentaryPower: number, shortTermPower: number, truePeakLin: number) => void): void {
    const fm = this.firstBlock();
    const fs = this.firstShort();
    for (let j = 0; j < this.n; j++) fn(j >= fm ? this.m[j] : 0, j >= fs ? this.s[j] : 0, this.tp[j]);
  }

  /** Whole-programme maxima and true peak, exact whatever the decimation. */
  maxima(): { momentaryMaxLufs: number; shortTermMaxLufs: number; truePeakDbtp: number } {
    return { momentaryMaxLufs: lufs(this.mMaxAll), shortTermMaxLufs: lufs(this.sMaxAll), truePeakDbtp: dbLin(this.tpAll) };
  }
}
