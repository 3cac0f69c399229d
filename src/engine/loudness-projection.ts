/**
 * Projection of the integrated loudness at the end of a programme, for the live master meter
 * (pure functions). Their cost does not grow with the programme's length, so the render thread
 * may call them once a second; they allocate only a few small objects (the result, the recent
 * window's sorted short-term values).
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
 * `projectFromHistory` (exact under the assumption): the future blocks are the blocks of the
 * recent window (60 s) replicated with weight w = N_f / (recent slots), so its pauses, level
 * spread and gating behaviour carry over; with a leveller, every future block is shifted by
 * (target − I_recent) dB. Both gates are then applied to the combined weighted set of the past
 * blocks and the future ones, as BS.1770 will at the end: past blocks that the moved relative
 * gate drops or admits are dropped or admitted. The past is read from the history's 0.01 LU
 * histograms (exact except for the blocks in the one bin holding the gate, split by proportion),
 * so the cost does not grow with the programme.
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
import type { LoudnessHistory } from './loudness-history.js';

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

/**
 * BS.1770 gating of every block pushed so far (the history's histograms) plus the recent
 * window's blocks replicated with weight `w` (in 100 ms steps) and scaled by `scale`.
 * O(bins + recent window).
 */
function gatedWithFuture(h: LoudnessHistory, recentFrom: number, w: number, scale: number, tmp: Float64Array): number {
  const n = h.steps;
  let absSum = h.liveAbsPowerSum;
  let absCnt = h.liveAbsCount;
  if (w > 0) {
    for (let j = recentFrom; j < n; j++) {
      const p = h.blockPower(j) * scale;
      if (p > ABS_GATE_POWER) {
        absSum += w * p;
        absCnt += w;
      }
    }
  }
  if (absCnt === 0) return Number.NEGATIVE_INFINITY;
  const rel = (absSum / absCnt) * 0.1;
  const gate = rel > ABS_GATE_POWER ? rel : ABS_GATE_POWER;
  h.liveBlocksAbove(gate, tmp);
  let sum = tmp[0];
  let cnt = tmp[1];
  if (w > 0) {
    for (let j = recentFrom; j < n; j++) {
      const p = h.blockPower(j) * scale;
      if (p > gate) {
        sum += w * p;
        cnt += w;
      }
    }
  }
  return cnt > 0 ? lufsFromPower(sum / cnt) : Number.NEGATIVE_INFINITY;
}

/**
 * Projection from a history: the recent window's blocks stand for the rest (see the header).
 * The past enters through the history's live histograms, so the cost is O(bins + recent window)
 * whatever the programme's length (cheap enough for the render thread once a second; it
 * allocates only a few small objects), and the past counts at full 100 ms resolution even after
 * the history halved.
 */
export function projectFromHistory(history: LoudnessHistory, options: HistoryProjectionOptions = {}): Projection {
  const recentS = options.recentS !== undefined && options.recentS > 0 ? options.recentS : 60;
  const n = history.steps;
  const recentFrom = history.slotAt(Math.max(0, history.durationS - recentS));
  let recentBlocks = 0;
  for (let j = recentFrom; j < n; j++) if (history.isGatingBlock(j)) recentBlocks++;
  const current = history.liveIntegratedLufs();
  const recent = history.integratedLufs(recentFrom, n);
  const { remainingS, how } = remainingOf(options.elapsedS ?? history.durationS, options.expectedDurationS);
  const recentLive = Number.isFinite(recent) && recentBlocks > 0;
  const leveller = options.levellerTargetLufs !== undefined && Number.isFinite(options.levellerTargetLufs);
  const assumed = !recentLive ? Number.NEGATIVE_INFINITY : leveller ? (options.levellerTargetLufs as number) : recent;
  // Future blocks in 100 ms steps, spread over the recent slots.
  const w = recentLive ? remainingS / STEP_S / recentBlocks : 0;
  const tmp = new Float64Array(2);

  const at = (shiftLu: number): number => (w > 0 ? gatedWithFuture(history, recentFrom, w, Math.pow(10, shiftLu / 10), tmp) : current);
  const baseShift = recentLive ? assumed - recent : 0;
  const projected = at(baseShift);
  let low = projected;
  let high = projected;
  if (recentLive) {
    const { downLu, upLu } = spreadOfSorted(history.gatedShortTermLufs(recentFrom, n), recent);
    low = Math.min(projected, at(baseShift + downLu));
    high = Math.max(projected, at(baseShift + upLu));
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

/**
 * Gain change (LU, = dB) between where the programme lands and the target: target − projected;
 * null when nothing is projected yet (silence).
 */
export function correctionNeededLu(targetLufs: number, projectedLufs: number): number | null {
  const d = targetLufs - projectedLufs;
  return Number.isFinite(d) ? d : null;
}
