/**
 * Projection of the integrated loudness at the end of a programme, for the live master meter.
 * Its cost does not grow with the programme's length. The render thread keeps a LiveProjector
 * (preallocated, results in fields, no allocation, once a second); `projectFromHistory` and
 * `projectIntegrated` are the same computations as functions returning objects, for reports.
 *
 * Question: if the rest of the programme sounds like the last minute (or, with a leveller, like
 * the leveller's target), where will the BS.1770 integrated loudness land?
 *
 * Model. Integrated loudness is the gated mean of 400 ms block powers (BS.1770-5 Annex 1):
 *   Γr = 0.1 · mean{ m : m > Γa },   I = −0.691 + 10·log10 mean{ m : m > max(Γa, Γr) },
 *   Γa = power(−70 LUFS). The future is N_f more blocks, N_f = remaining / block hop (100 ms;
 * for the running sums of a decimated history, its stepSeconds). Remaining time = expected duration −
 * elapsed; without an expected duration the programme is assumed to last as long again as it
 * has so far (remaining = elapsed: the projection then weighs past and future equally, the
 * neutral guess when nothing is known about the length).
 *
 * `projectFromHistory` and LiveProjector (exact under the assumption): the future blocks are
 * the blocks of the recent window (60 s) replicated with weight w = N_f / (recent slots), so
 * its pauses, level spread and gating behaviour carry over; with a leveller, every future block
 * is shifted by (target − I_recent) dB. Both gates are then applied to the combined weighted set
 * of the past blocks and the future ones, as BS.1770 will at the end: past blocks that the moved
 * relative gate drops or admits are dropped or admitted. The past is read from the history's
 * 0.01 LU histograms (exact except for the blocks in the one bin holding the gate, split by
 * proportion), so the cost does not grow with the programme.
 *
 * `projectIntegrated` (from running sums only, for a meter that keeps no history): the future is
 * N_f·φ blocks at exactly the recent level q (φ = fraction of the recent blocks that passed the
 * gates, so pauses do not count as programme). Energies are combined:
 *   A' = A + N_f·φ·q,  n_a' = n_a + N_f·φ  (sums above −70 LUFS; q only if above it)
 *   Γ' = max(Γa, 0.1 · A'/n_a')
 *   I' = −0.691 + 10·log10( (G + [q > Γ']·N_f·φ·q) / (n_g + [q > Γ']·N_f·φ) )
 * Approximation: the past gated set (G, n_g) is kept as it is; past blocks that lie between the
 * old and the new relative gate would change side, but those are ≥ 10 LU below the programme
 * mean and each weighs < 10 % of an average block, so the error stays small unless the level
 * changes a lot (the tests measure one such case). The point mass at q also ignores future blocks
 * that would fall under the gate. Use `projectFromHistory` when a history is available.
 *
 * Range: the short-term values of the recent window that pass the Tech 3342 gates give
 * P10 and P95 (index rule of the LRA). The low (high) projection assumes the rest sits
 * min(0, P10 − I_recent) (max(0, P95 − I_recent)) dB away from the assumed level: "what if
 * the rest is as quiet (loud) as the quiet (loud) part of the last minute". The range always
 * contains the projection. A silent recent window (no block above the gates) adds no future
 * blocks: silence never moves the projection, and a leveller cannot raise silence.
 */

import { lufsFromPower } from './loudness.js';
import { HISTOGRAM_BINS, HISTOGRAM_BINS_PER_LU, LoudnessHistory } from './loudness-history.js';

const ABS_GATE_POWER = Math.pow(10, (-70 + 0.691) / 10);
const STEP_S = 0.1;

export interface Projection {
  /** Where the integrated loudness lands if the rest sounds like the assumption; -Infinity if no programme yet. */
  projectedLufs: number;
  lowLufs: number;
  highLufs: number;
  /** Integrated loudness so far (with a history: its live value, within 0.02 LU). */
  currentLufs: number;
  /** Level assumed for the rest (recent integrated, or the leveller target). */
  assumedLufs: number;
  remainingS: number;
  /** One line for people: what the projection assumes. */
  basis: string;
}

/**
 * Either `history` (the exact projection, `projectFromHistory`) or the running sums
 * (`gatedPowerSum`, `gatedCount`, `recentLufs`, `elapsedS`).
 */
export interface ProjectionInput {
  /** The programme so far; when given, the sums and `recentLufs` are taken from it. */
  history?: LoudnessHistory;
  /** Gating state so far: sum and count of the block powers above both gates. */
  gatedPowerSum?: number;
  gatedCount?: number;
  /** Sum and count above −70 LUFS only (sets the relative gate better); default: the gated ones. */
  absPowerSum?: number;
  absCount?: number;
  /** Integrated loudness of the last 60 s (gated within them); -Infinity when silent. */
  recentLufs?: number;
  /** Fraction (0..1) of the recent blocks that passed the gates; default 1. */
  recentGatedFraction?: number;
  /** Short-term values (LUFS) of the recent window, for the range. Without them low = high. */
  recentShortTermLufs?: ArrayLike<number>;
  /** Programme time so far (s); with a history, default its duration. */
  elapsedS?: number;
  /** Expected programme length (s); unknown when absent or ≤ 0. */
  expectedDurationS?: number;
  /** Set when a leveller holds the programme at this loudness. */
  levellerTargetLufs?: number;
  /** Seconds per gating block (0.1, or the history's stepSeconds after decimation). */
  blockStepS?: number;
}

export interface HistoryProjectionOptions {
  /** Programme time so far (s); default the history's duration. */
  elapsedS?: number;
  /** Expected programme length (s); unknown when absent or ≤ 0. */
  expectedDurationS?: number;
  levellerTargetLufs?: number;
  /** Length of the recent window that stands for the rest; default 60 s. */
  recentS?: number;
}

function powerOf(l: number): number {
  return Math.pow(10, (l + 0.691) / 10);
}

function fmt(l: number): string {
  return Number.isFinite(l) ? l.toFixed(1) : '-inf';
}

/** Seconds still to come: expected − elapsed, or as long again as so far. */
function remainingOf(elapsedS: number, expectedDurationS: number | undefined): { remainingS: number; how: string } {
  const e = elapsedS > 0 ? elapsedS : 0;
  if (expectedDurationS !== undefined && expectedDurationS > 0 && Number.isFinite(expectedDurationS)) {
    return { remainingS: Math.max(0, expectedDurationS - e), how: `expected duration ${expectedDurationS.toFixed(0)} s` };
  }
  return { remainingS: e, how: 'assumed to last as long again as so far' };
}

/**
 * P10 and P95 (Tech 3342 index rule, after its −70 LUFS / −20 LU gates) of short-term values,
 * as offsets below / above `centre`; zeros when fewer than two values pass.
 */
export function recentSpreadLu(shortTermLufs: ArrayLike<number>, centre: number): { downLu: number; upLu: number } {
  const vals: number[] = [];
  let sum = 0;
  for (let i = 0; i < shortTermLufs.length; i++) {
    const l = shortTermLufs[i];
    if (l >= -70 && Number.isFinite(l)) {
      vals.push(l);
      sum += powerOf(l);
    }
  }
  if (vals.length < 2) return { downLu: 0, upLu: 0 };
  const gate = lufsFromPower((sum / vals.length) * 0.01);
  return spreadOfSorted(vals.filter((l) => l >= gate).sort((a, b) => a - b), centre);
}

/** P10 / P95 offsets from `centre` of values already gated and sorted ascending. */
function spreadOfSorted(kept: ArrayLike<number>, centre: number): { downLu: number; upLu: number } {
  const k = kept.length;
  if (k < 2 || !Number.isFinite(centre)) return { downLu: 0, upLu: 0 };
  const p10 = kept[Math.round((k - 1) * 0.1)];
  const p95 = kept[Math.round((k - 1) * 0.95)];
  return { downLu: Math.min(0, p10 - centre), upLu: Math.max(0, p95 - centre) };
}

/**
 * Projection of the final integrated loudness: exact from a history, or from the running
 * gating sums (see the header for the approximation).
 */
export function projectIntegrated(input: ProjectionInput): Projection {
  if (input.history) {
    return projectFromHistory(input.history, {
      elapsedS: input.elapsedS,
      expectedDurationS: input.expectedDurationS,
      levellerTargetLufs: input.levellerTargetLufs,
    });
  }
  const recentLufs = input.recentLufs ?? Number.NEGATIVE_INFINITY;
  const elapsedS = input.elapsedS ?? 0;
  const step = input.blockStepS !== undefined && input.blockStepS > 0 ? input.blockStepS : STEP_S;
  const g = input.gatedPowerSum !== undefined && input.gatedPowerSum > 0 ? input.gatedPowerSum : 0;
  const ng = input.gatedCount !== undefined && input.gatedCount > 0 ? input.gatedCount : 0;
  const a = input.absPowerSum !== undefined && input.absPowerSum > 0 ? input.absPowerSum : g;
  const na = input.absCount !== undefined && input.absCount > 0 ? input.absCount : ng;
  const current = ng > 0 ? lufsFromPower(g / ng) : Number.NEGATIVE_INFINITY;
  const { remainingS, how } = remainingOf(elapsedS, input.expectedDurationS);
  const recentLive = recentLufs > -70 && Number.isFinite(recentLufs);
  const leveller = input.levellerTargetLufs !== undefined && Number.isFinite(input.levellerTargetLufs);
  const assumed = !recentLive ? Number.NEGATIVE_INFINITY : leveller ? (input.levellerTargetLufs as number) : recentLufs;
  const phi = input.recentGatedFraction === undefined ? 1 : Math.min(1, Math.max(0, input.recentGatedFraction));
  const nf = recentLive ? (remainingS / step) * phi : 0;

  const at = (levelLufs: number): number => {
    const q = powerOf(levelLufs);
    if (!(nf > 0) || !(q > ABS_GATE_POWER)) return current;
    const absMean = (a + nf * q) / (na + nf);
    const rel = absMean * 0.1;
    const gate = rel > ABS_GATE_POWER ? rel : ABS_GATE_POWER;
    const inFuture = q > gate;
    const sum = g + (inFuture ? nf * q : 0);
    const cnt = ng + (inFuture ? nf : 0);
    return cnt > 0 ? lufsFromPower(sum / cnt) : Number.NEGATIVE_INFINITY;
  };

  const projected = Number.isFinite(assumed) ? at(assumed) : current;
  let low = projected;
  let high = projected;
  if (Number.isFinite(assumed) && input.recentShortTermLufs) {
    const { downLu, upLu } = recentSpreadLu(input.recentShortTermLufs, recentLufs);
    low = Math.min(projected, at(assumed + downLu));
    high = Math.max(projected, at(assumed + upLu));
  }
  return {
    projectedLufs: projected,
    lowLufs: low,
    highLufs: high,
    currentLufs: current,
    assumedLufs: assumed,
    remainingS,
    basis: basisText(assumed, leveller, recentLive, remainingS, how),
  };
}

function basisText(assumed: number, leveller: boolean, recentLive: boolean, remainingS: number, how: string): string {
  if (!recentLive) return `recent minute silent: the rest adds nothing (${remainingS.toFixed(0)} s to go, ${how})`;
  const what = leveller ? `leveller target ${fmt(assumed)} LUFS` : `recent ${fmt(assumed)} LUFS`;
  return `rest at ${what} for ${remainingS.toFixed(0)} s (${how})`;
}

/** Steps a LiveProjector holds between two updates (the master chain stages 10 a second). */
export const LIVE_STAGE_STEPS = 64;

/**
 * The projection from a history for the render thread: `projectFromHistory` with preallocated
 * scratch (sized from the recent window at construction), inputs and results in fields, and no
 * allocation in `update`. It also holds the steps staged since the last update (`staged`,
 * `pending`), pushes them into the history first, and reads the live integrated loudness and
 * loudness range, so one call a second refreshes every live value.
 *
 * `update` keeps every number inside itself: it passes none to a helper and gets none back
 * (the history's scalars come through `liveArrays`), since a number crossing a call that the
 * compiler did not inline is boxed (allocated); LoudnessHistory.liveBlocksAbove, gateInto,
 * gatedShortTermLufs and slotAt are written out in it, the sort of the recent short-term values
 * replaced by an in-place selection of P10 and P95 (the same values). It runs once a second,
 * too rarely to be compiled early in a show by itself: `warmUpLiveProjection` compiles it.
 */
export class LiveProjector {
  /** Live integrated loudness of every step so far (LUFS; −Infinity until a block passes). */
  integratedLufs = Number.NEGATIVE_INFINITY;
  /** Live loudness range (LU). */
  rangeLu = NaN;
  /** Projection and its range (LUFS; −Infinity until there is programme). */
  projectedLufs = Number.NEGATIVE_INFINITY;
  lowLufs = Number.NEGATIVE_INFINITY;
  highLufs = Number.NEGATIVE_INFINITY;
  /** Level assumed for the rest (−Infinity when the recent window is silent) and time still to come (s). */
  assumedLufs = Number.NEGATIVE_INFINITY;
  remainingS = NaN;

  /** Inputs, set when they change: the leveller target (NaN: no leveller) … */
  levellerTargetLufs = Number.NaN;
  /** … the expected programme length (s; NaN or ≤ 0: unknown) … */
  expectedDurationS = Number.NaN;
  /** … and the programme time so far (s; NaN: the history's duration). */
  elapsedS = Number.NaN;

  /** Steps not yet in the history, as (momentaryPower, shortTermPower, truePeakLin) triples. */
  readonly staged = new Float64Array(3 * LIVE_STAGE_STEPS);
  /** Number of steps in `staged`. */
  pending = 0;

  private readonly blocks: Float64Array;
  private readonly shortTerms: Float64Array;
  private readonly binCounts: Float64Array;
  private readonly binSums: Float64Array;
  private readonly counts: Int32Array;
  private readonly sums: Float64Array;
  /** The recent window's gated short-term values (LUFS), for P10 / P95. */
  private readonly kept: Float64Array;
  private readonly shifts = new Float64Array(4);
  private readonly values = new Float64Array(4);
  private readonly io = new Float64Array(1);

  constructor(
    readonly history: LoudnessHistory,
    /** Length of the recent window that stands for the rest (s). */
    readonly recentS = 60,
  ) {
    if (!(recentS > 0 && recentS < Number.POSITIVE_INFINITY)) throw new RangeError(`LiveProjector: bad recent window ${recentS} s`);
    const a = history.liveArrays();
    this.blocks = a.blocks;
    this.shortTerms = a.shortTerms;
    this.binCounts = a.binCounts;
    this.binSums = a.binSums;
    this.counts = a.counts;
    this.sums = a.sums;
    // The window [slotAt(duration − recentS), steps) holds at most ceil(recentS / 0.1) + 2 slots.
    this.kept = new Float64Array(Math.min(history.capacity, Math.ceil(recentS / STEP_S) + 3));
    // rangeLu and remainingS start as NaN, so their fields hold doubles from the start.
    this.reset();
  }

  /** Clear the results and the staged steps (the inputs stay). */
  reset(): void {
    this.pending = 0;
    this.integratedLufs = Number.NEGATIVE_INFINITY;
    this.rangeLu = 0;
    this.projectedLufs = Number.NEGATIVE_INFINITY;
    this.lowLufs = Number.NEGATIVE_INFINITY;
    this.highLufs = Number.NEGATIVE_INFINITY;
    this.assumedLufs = Number.NEGATIVE_INFINITY;
    this.remainingS = 0;
  }

  /** Push the staged steps into the history. */
  flush(): void {
    this.history.pushSteps(this.staged, this.pending);
    this.pending = 0;
  }

  /** Push the staged steps, then recompute every result. O(bins + recent window), no allocation. */
  update(): void {
    const h = this.history;
    const io = this.io;
    h.pushSteps(this.staged, this.pending);
    this.pending = 0;
    h.liveRangeInto(io);
    this.rangeLu = io[0];

    const blocks = this.blocks;
    const counts = this.counts;
    const n = counts[0];
    const fb = counts[3];
    const durationS = counts[2] / 10;
    // history.slotAt(max(0, duration − recentS)), written out.
    const k0 = Math.round(Math.max(0, durationS - this.recentS) / STEP_S);
    let from = 0;
    if (k0 > 0) {
      const j = Math.ceil(k0 / counts[1]);
      from = j < n ? j : n;
    }
    const a = from > fb ? from : fb;
    const recentBlocks = n > a ? n - a : 0;

    // Integrated loudness of the recent window (history.integratedLufs(from, n)).
    let absSum = 0;
    let absCnt = 0;
    for (let j = a; j < n; j++) {
      if (blocks[j] > ABS_GATE_POWER) {
        absSum += blocks[j];
        absCnt++;
      }
    }
    const rel = absCnt > 0 ? (absSum / absCnt) * 0.1 : 0;
    const relGate = rel > ABS_GATE_POWER ? rel : ABS_GATE_POWER;
    let rSum = 0;
    let rCnt = 0;
    if (absCnt > 0) {
      for (let j = a; j < n; j++) {
        if (blocks[j] > relGate) {
          rSum += blocks[j];
          rCnt++;
        }
      }
    }
    const rq = rSum / rCnt;
    const recent = rCnt > 0 && rq > 0 ? -0.691 + 10 * Math.log10(rq) : Number.NEGATIVE_INFINITY;

    const el = this.elapsedS;
    const elapsed = el === el ? el : durationS;
    const e = elapsed > 0 ? elapsed : 0;
    const x = this.expectedDurationS;
    const remainingS = x > 0 && Number.isFinite(x) ? Math.max(0, x - e) : e;
    const recentLive = Number.isFinite(recent) && recentBlocks > 0;
    const target = this.levellerTargetLufs;
    const leveller = Number.isFinite(target);
    const assumed = !recentLive ? Number.NEGATIVE_INFINITY : leveller ? target : recent;
    const w = recentLive ? remainingS / STEP_S / recentBlocks : 0;
    const baseShift = recentLive ? assumed - recent : 0;
    const shifts = this.shifts;
    shifts[1] = baseShift;
    shifts[2] = baseShift;
    shifts[3] = baseShift;

    if (recentLive) {
      // P10 and P95 of the recent short-term values that pass the LRA gates
      // (history.gatedShortTermLufs, then spreadOfSorted), by selection in place.
      const fs = counts[4];
      const v = this.shortTerms;
      const sa = from > fs ? from : fs;
      let sum = 0;
      let cnt = 0;
      for (let j = sa; j < n; j++) {
        if (v[j] >= ABS_GATE_POWER) {
          sum += v[j];
          cnt++;
        }
      }
      const kept = this.kept;
      let k = 0;
      if (cnt > 0) {
        const gate = (sum / cnt) * 0.01;
        const len = kept.length;
        for (let j = sa; j < n && k < len; j++) {
          if (v[j] >= ABS_GATE_POWER && v[j] >= gate) kept[k++] = -0.691 + 10 * Math.log10(v[j]);
        }
      }
      if (k >= 2) {
        const i10 = Math.round((k - 1) * 0.1);
        const i95 = Math.round((k - 1) * 0.95);
        // Quickselect (Hoare partition, median-of-three pivot): rank i95 in [0, k), which leaves
        // the i95 smallest values below it; then rank i10 among those.
        let p95 = 0;
        for (let pass = 0; pass < 2; pass++) {
          const want = pass === 0 ? i95 : i10;
          let lo = 0;
          let hi = pass === 0 ? k - 1 : i95 - 1;
          while (lo < hi) {
            const p0 = kept[lo];
            const p1 = kept[(lo + hi) >> 1];
            const p2 = kept[hi];
            const pv = p0 < p1 ? (p1 < p2 ? p1 : p0 < p2 ? p2 : p0) : p0 < p2 ? p0 : p1 < p2 ? p2 : p1;
            let i = lo;
            let j = hi;
            while (i <= j) {
              while (kept[i] < pv) i++;
              while (kept[j] > pv) j--;
              if (i <= j) {
                const t = kept[i];
                kept[i] = kept[j];
                kept[j] = t;
                i++;
                j--;
              }
            }
            if (want <= j) hi = j;
            else if (want >= i) lo = i;
            else break;
          }
          if (pass === 0) {
            p95 = kept[i95];
            if (i10 === i95) break;
          }
        }
        const p10 = kept[i10];
        shifts[2] = baseShift + Math.min(0, p10 - recent);
        shifts[3] = baseShift + Math.max(0, p95 - recent);
      }
    }

    // Gated loudness of the past plus the future blocks: 0 = no future (the live integrated
    // value), 1 = the assumed rest, 2 and 3 = the quiet and the loud rest.
    const cnts = this.binCounts;
    const sums = this.binSums;
    const values = this.values;
    for (let ev = 0; ev < 4; ev++) {
      if (ev > 0 && !(w > 0)) {
        values[ev] = values[0];
        continue;
      }
      const we = ev === 0 ? 0 : w;
      const scale = Math.pow(10, shifts[ev] / 10);
      let gSum = this.sums[0];
      let gCnt = this.sums[1];
      for (let j = from; j < n && we > 0; j++) {
        const p = (j >= fb ? blocks[j] : 0) * scale;
        if (p > ABS_GATE_POWER) {
          gSum += we * p;
          gCnt += we;
        }
      }
      if (gCnt === 0) {
        values[ev] = Number.NEGATIVE_INFINITY;
        continue;
      }
      const r = (gSum / gCnt) * 0.1;
      const gate = r > ABS_GATE_POWER ? r : ABS_GATE_POWER;
      // history.liveBlocksAbove(gate): the bin holding the gate split by proportion.
      let sum = this.sums[0];
      let cnt = this.sums[1];
      if (gate > ABS_GATE_POWER) {
        const gl = -0.691 + 10 * Math.log10(gate);
        const f = Math.floor((gl + 70) * HISTOGRAM_BINS_PER_LU);
        const gb = f < 0 ? 0 : f >= HISTOGRAM_BINS ? HISTOGRAM_BINS - 1 : f;
        sum = 0;
        cnt = 0;
        if (cnts[gb] > 0) {
          let frac = gb + 1 - (gl + 70) * HISTOGRAM_BINS_PER_LU;
          frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
          sum += frac * sums[gb];
          cnt += frac * cnts[gb];
        }
        for (let b = gb + 1; b < HISTOGRAM_BINS; b++) {
          sum += sums[b];
          cnt += cnts[b];
        }
      }
      for (let j = from; j < n && we > 0; j++) {
        const p = (j >= fb ? blocks[j] : 0) * scale;
        if (p > gate) {
          sum += we * p;
          cnt += we;
        }
      }
      const q = sum / cnt;
      values[ev] = cnt > 0 && q > 0 ? -0.691 + 10 * Math.log10(q) : Number.NEGATIVE_INFINITY;
    }

    const projected = values[1];
    this.integratedLufs = values[0];
    this.projectedLufs = projected;
    this.lowLufs = recentLive ? Math.min(projected, values[2]) : projected;
    this.highLufs = recentLive ? Math.max(projected, values[3]) : projected;
    this.assumedLufs = assumed;
    this.remainingS = remainingS;
  }
}

/**
 * Run the live path (LoudnessHistory.pushSteps and liveRangeInto, LiveProjector.update) on a
 * small synthetic programme and forget it, so that the JIT has compiled it before a show
 * starts: it runs once a second, which would leave it uncompiled for tens of seconds, and
 * uncompiled code allocates a number object for every intermediate value. Every cycle of four
 * updates takes every branch (no programme yet and silence, a quiet programme under the
 * −70 LUFS gate with its duration passed, a programme with pauses with a leveller and a known
 * duration, and without), so whenever the compiler snapshots the type feedback it has seen
 * them all and the compiled code is not thrown away later in a show. A history of its own (64
 * slots, so it halves) and a 6.1 s recent window (so the window moves from the first update
 * and, once halved, starts between slots, as after hours of a show). A few milliseconds the
 * first time, well under one once compiled.
 */
export function warmUpLiveProjection(rounds = WARM_ROUNDS): void {
  const h = new LoudnessHistory(64);
  const p = new LiveProjector(h, 6.1);
  const st = p.staged;
  let k = 0;
  let s = 0;
  for (let round = 0; round < rounds; round++) {
    const kind = round % 4;
    if (kind === 0) {
      h.clear();
      p.reset();
      k = 0;
      s = 0;
    }
    const level = kind === 1 ? -66 : -23;
    p.levellerTargetLufs = kind === 2 ? -16 : Number.NaN;
    p.expectedDurationS = kind === 1 ? 1 : kind === 2 ? 3600 : Number.NaN;
    for (let j = 0; j < LIVE_STAGE_STEPS; j++, k++) {
      const m = kind === 0 || k % 17 === 0 ? 0 : powerOf(level + 9 * Math.sin(k * 0.37) + 3 * Math.sin(k * 2.1));
      s = 0.9 * s + 0.1 * m;
      st[3 * j] = m;
      st[3 * j + 1] = k < 29 ? 0 : s;
      st[3 * j + 2] = 0.5 + 0.4 * Math.sin(k);
    }
    p.pending = LIVE_STAGE_STEPS;
    p.update();
  }
}

/** Rounds of `warmUpLiveProjection` (64 steps each): enough for V8 to optimise the live path. */
const WARM_ROUNDS = 24;

/**
 * Projection from a history: the recent window's blocks stand for the rest (see the header).
 * The past enters through the history's live histograms, so the cost is O(bins + recent window)
 * whatever the programme's length, and the past counts at full 100 ms resolution even after
 * the history halved. Allocates its scratch and the result; the render thread keeps a
 * LiveProjector instead.
 */
export function projectFromHistory(history: LoudnessHistory, options: HistoryProjectionOptions = {}): Projection {
  const recentS = options.recentS !== undefined && options.recentS > 0 ? options.recentS : 60;
  const p = new LiveProjector(history, recentS);
  const el = options.elapsedS;
  p.elapsedS = el === undefined ? Number.NaN : el > 0 ? el : 0;
  p.expectedDurationS = options.expectedDurationS ?? Number.NaN;
  p.levellerTargetLufs = options.levellerTargetLufs ?? Number.NaN;
  p.update();
  const { how } = remainingOf(options.elapsedS ?? history.durationS, options.expectedDurationS);
  const leveller = Number.isFinite(p.levellerTargetLufs);
  const recentLive = Number.isFinite(p.assumedLufs);
  return {
    projectedLufs: p.projectedLufs,
    lowLufs: p.lowLufs,
    highLufs: p.highLufs,
    currentLufs: p.integratedLufs,
    assumedLufs: p.assumedLufs,
    remainingS: p.remainingS,
    basis: basisText(p.assumedLufs, leveller, recentLive, p.remainingS, how),
  };
}

/**
 * Gain change (LU, = dB) between where the programme lands and the target: target − projected;
 * null when nothing is projected yet (silence).
 */
export function correctionNeededLu(targetLufs: number, projectedLufs: number): number | null {
  const d = targetLufs - projectedLufs;
  return Number.isFinite(d) ? d : null;
}
