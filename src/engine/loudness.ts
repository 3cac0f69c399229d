/**
 * Loudness meter per ITU-R BS.1770-5 and EBU R 128 (Tech 3341 "EBU Mode", Tech 3342 LRA).
 *
 * Signal path per channel: K-weighting (pre-filter shelf + RLB high-pass, coefficients derived
 * for the sample rate) → square → summed into 10 ms ticks counted in samples, so any host block
 * size gives identical values. At the end of each tick the channel sums are weighted (G_i) into
 * one mean-square value kept in a ring of the last 3 s of ticks:
 * - momentary M = mean of the last 40 ticks (400 ms), short-term S = mean of the last 300 (3 s).
 *   Both are re-evaluated every tick: Tech 3341 tests 13/14 need a hop of ≤ 20 ms for max M to
 *   stay within ±0.1 LU (a 100 ms hop reads up to 0.45 LU low), so max M and max S use 10 ms.
 *   Before the first 400 ms / 3 s the missing part of the window counts as silence.
 * - every 100 ms (10 ticks) the complete 400 ms block power is stored for the integrated gating
 *   (75 % overlap; incomplete blocks are never used, as BS.1770 requires), and once 3 s are in,
 *   the short-term power is stored for LRA (10 Hz sampling, as Tech 3342 (2023) requires).
 * The stored series are typed arrays preallocated for 10 minutes that grow by doubling, so
 * `process` allocates only at those rare growth points.
 *
 * Gating: BS.1770's strict `>` against −70 LUFS and against (mean power above −70) − 10 LU; the
 * energies are averaged, never the loudness values. LRA: Tech 3342 MATLAB rule (≥ −70 LUFS,
 * ≥ power mean − 20 LU, sorted values at index round((n−1)·p/100) for p = 10 and 95).
 * Tech 3342 asks for ≥ 1.5 s of silence after a file before reading the final LRA; the caller
 * appends it if it wants that.
 *
 * Where WebAssembly SIMD runs, the K-weighting and the true peak run as the kernels of
 * loudness-wasm.ts, which give this file's and true-peak.ts's results bit for bit (same IEEE
 * operations in the same order); the code here stays the reference and the fallback.
 */

import { flushDenormal } from './block.js';
import { KERNEL_FRAMES, LoudnessKernels, loudnessKernelsAvailable } from './loudness-wasm.js';
import { foldedInterpolator, TruePeakDetector } from './true-peak.js';

export interface LoudnessResult {
  /** Gated (−70 LUFS absolute, −10 LU relative); -Infinity if nothing passes the gate. */
  integratedLufs: number;
  /** Max of the 400 ms values (evaluated every 10 ms). */
  momentaryMaxLufs: number;
  /** Max of the 3 s values (evaluated every 10 ms). */
  shortTermMaxLufs: number;
  /** Tech 3342 (2023); 0 when fewer than two short-term values pass the gates. */
  loudnessRangeLu: number;
  /** BS.1770 Annex 2 true peak; -Infinity for silence. */
  truePeakDbtp: number;
  /** -Infinity for silence. */
  samplePeakDbfs: number;
  durationS: number;
}

/** One biquad section [b0, b1, b2, a1, a2] (a0 = 1), the layout of biquad.ts `Coeffs`. */
export interface KWeightingCoeffs {
  pre: Float64Array;
  rlb: Float64Array;
}

/**
 * K-weighting at any rate: the analog parameters that reproduce the BS.1770 48 kHz table
 * (libebur128's reverse fit), mapped with the pre-warped bilinear transform. At 48 kHz this
 * gives the ITU table to all printed decimals.
 */
export function kWeightingCoeffs(sampleRate: number): KWeightingCoeffs {
  const pre = new Float64Array(5);
  {
    const f0 = 1681.974450955533;
    const g = 3.999843853973347;
    const q = 0.7071752369554196;
    const k = Math.tan((Math.PI * f0) / sampleRate);
    const vh = Math.pow(10, g / 20);
    const vb = Math.pow(vh, 0.4996667741545416);
    const a0 = 1 + k / q + k * k;
    pre[0] = (vh + (vb * k) / q + k * k) / a0;
    pre[1] = (2 * (k * k - vh)) / a0;
    pre[2] = (vh - (vb * k) / q + k * k) / a0;
    pre[3] = (2 * (k * k - 1)) / a0;
    pre[4] = (1 - k / q + k * k) / a0;
  }
  const rlb = new Float64Array(5);
  {
    const f0 = 38.13547087602444;
    const q = 0.5003270373238773;
    const a0At = (fs: number): number => {
      const k = Math.tan((Math.PI * f0) / fs);
      return 1 + k / q + k * k;
    };
    const k = Math.tan((Math.PI * f0) / sampleRate);
    const a0 = a0At(sampleRate);
    // The table's numerator [1, −2, 1] is not divided by a0, so its passband gain is a0 at
    // 48 kHz (+0.043 dB). Keeping [1, −2, 1] at other rates (as libebur128 does) would shift
    // the whole response by up to −0.03 dB at 192 kHz; scaling keeps the 48 kHz gain.
    const g = a0At(48000) / a0;
    rlb[0] = g;
    rlb[1] = -2 * g;
    rlb[2] = g;
    rlb[3] = (2 * (k * k - 1)) / a0;
    rlb[4] = (1 - k / q + k * k) / a0;
  }
  return { pre, rlb };
}

/**
 * BS.1770 Table 3 / Annex 3 weights by channel count: L, R, C = 1; LFE = 0; side surrounds
 * (60°…120°) = 1.41; rear surrounds (beyond 120°) = 1.
 * 1–3: mono / L R / L R C; 4: L R Ls Rs; 5: L R C Ls Rs; 6: L R C LFE Ls Rs;
 * 7: L R C LFE Ls Rs Cs; 8: L R C LFE Ls Rs Lrs Rrs. Pass explicit weights for other orders.
 */
export function defaultChannelWeights(channels: number): number[] {
  switch (channels) {
    case 1:
      return [1];
    case 2:
      return [1, 1];
    case 3:
      return [1, 1, 1];
    case 4:
      return [1, 1, 1.41, 1.41];
    case 5:
      return [1, 1, 1, 1.41, 1.41];
    case 6:
      return [1, 1, 1, 0, 1.41, 1.41];
    case 7:
      return [1, 1, 1, 0, 1.41, 1.41, 1];
    case 8:
      return [1, 1, 1, 0, 1.41, 1.41, 1, 1];
    default:
      throw new RangeError(`loudness meter: 1 to 8 channels, got ${channels}`);
  }
}

/** Weighted mean square → LUFS (−0.691 cancels the K-filter gain at 997 Hz). */
export function lufsFromPower(p: number): number {
  return p > 0 ? -0.691 + 10 * Math.log10(p) : Number.NEGATIVE_INFINITY;
}

function powerFromLufs(l: number): number {
  return Math.pow(10, (l + 0.691) / 10);
}

const TICKS_PER_STEP = 10; // 100 ms gating / LRA step
const M_TICKS = 40; // 400 ms
const S_TICKS = 300; // 3 s
const INITIAL_STEPS = 6000; // 10 minutes of 100 ms steps
const ABS_GATE_POWER = powerFromLufs(-70);
/**
 * Relative error allowed between the running short-term sum and the sum taken afresh (each
 * has < 3.4e-14 of the window's energy; see `pushTick`).
 */
const S_SLACK = 1e-13;
/** Twice the unit roundoff (2^-52), doubled again as a margin: the error bound of one addition. */
const ADD_ERR = 4.5e-16;

export interface LoudnessMeterOptions {
  /**
   * 'wasm': the WebAssembly SIMD kernels (loudness-wasm.ts), an error if they cannot run;
   * 'js': the JavaScript reference; 'auto' (default): the kernels where they can run. Both give
   * bit-identical results.
   */
  kernels?: 'auto' | 'js' | 'wasm';
}

export class LoudnessMeter {
  readonly weights: Float64Array;
  /** Samples per 10 ms tick. */
  readonly tickLen: number;
  /** Pre-filter b0 b1 b2 a1 a2, then RLB a1 a2. */
  private readonly kc: Float64Array;
  /** Square of the RLB numerator scale (b = g·[1, −2, 1]), applied to the tick sums. */
  private readonly rlbGainSq: number;
  /** Per channel: pre-filter s1, s2, RLB s1, s2 (transposed direct form II). */
  private readonly state: Float64Array;
  /** Per-channel sum of K-weighted squares in the current tick. */
  private readonly acc: Float64Array;
  /** True peak on the JavaScript path (null with the kernels, which do it themselves). */
  private readonly tp: TruePeakDetector | null;
  /** The WebAssembly kernels (filters and true peak), or null for the JavaScript path. */
  private readonly wasm: LoudnessKernels | null;
  /** Which implementation runs. */
  readonly kernels: 'js' | 'wasm';

  private readonly ring = new Float64Array(S_TICKS);
  private ringPos = 0;
  private tickPos = 0;
  private ticks = 0;
  private frames = 0;
  /** Weighted sum of the tick being closed (a field, so that no double is passed to a call). */
  private tickEnergy = 0;
  private mPow = 0;
  /** The 3 s mean power of the last tick; stale while `sFresh` is false. */
  private sPow = 0;
  private sFresh = true;
  /** Running 3 s sum and a bound on its distance from the exact one (see `pushTick`). */
  private sRun = 0;
  private sErr = 0;
  private mMax = 0;
  private sMax = 0;

  private blocks: Float64Array = new Float64Array(INITIAL_STEPS);
  private nBlocks = 0;
  private shortTerms: Float64Array = new Float64Array(INITIAL_STEPS);
  private nShort = 0;

  constructor(
    readonly sampleRate: number,
    readonly channels: number,
    weights?: readonly number[],
    options: LoudnessMeterOptions = {},
  ) {
    if (!(Number.isInteger(channels) && channels >= 1 && channels <= 8)) {
      throw new RangeError(`loudness meter: 1 to 8 channels, got ${channels}`);
    }
    if (!(sampleRate >= 8000 && sampleRate <= 768000)) {
      throw new RangeError(`loudness meter: unsupported sample rate ${sampleRate}`);
    }
    const w = weights ?? defaultChannelWeights(channels);
    if (w.length !== channels || w.some((g) => !(g >= 0 && Number.isFinite(g)))) {
      throw new RangeError('loudness meter: one finite weight ≥ 0 per channel');
    }
    this.weights = Float64Array.from(w);
    this.tickLen = Math.max(1, Math.round(sampleRate / 100));
    const k = kWeightingCoeffs(sampleRate);
    this.kc = Float64Array.of(k.pre[0], k.pre[1], k.pre[2], k.pre[3], k.pre[4], k.rlb[3], k.rlb[4]);
    this.rlbGainSq = k.rlb[0] * k.rlb[0];
    this.state = new Float64Array(channels * 4);
    this.acc = new Float64Array(channels);
    const want = options.kernels ?? 'auto';
    if (want === 'wasm' && !loudnessKernelsAvailable()) throw new RangeError('loudness meter: WebAssembly SIMD kernels unavailable');
    this.wasm = want !== 'js' && loudnessKernelsAvailable() ? new LoudnessKernels(channels, this.kc, foldedInterpolator(sampleRate), this.tickLen) : null;
    this.tp = this.wasm ? null : new TruePeakDetector(sampleRate, channels);
    this.kernels = this.wasm ? 'wasm' : 'js';
  }

  /**
   * Arrays (one per channel) that a caller may fill and pass to `process`/`processRange` to
   * skip a copy, or null on the JavaScript path. Their content may change in any call.
   */
  inputs(): readonly Float32Array[] | null {
    return this.wasm ? this.wasm.inputs : null;
  }

  reset(): void {
    this.state.fill(0);
    this.acc.fill(0);
    this.tp?.reset();
    this.wasm?.reset();
    this.ring.fill(0);
    this.ringPos = 0;
    this.tickPos = 0;
    this.ticks = 0;
    this.frames = 0;
    this.tickEnergy = 0;
    this.mPow = 0;
    this.sPow = 0;
    this.sFresh = true;
    this.sRun = 0;
    this.sErr = 0;
    this.mMax = 0;
    this.sMax = 0;
    this.nBlocks = 0;
    this.nShort = 0;
  }

  process(channels: readonly Float32Array[], frames: number): void {
    this.processRange(channels, 0, frames);
  }

  /** Meter frames `start` … `start + frames − 1` of each channel array (same results as `process` on those frames). */
  processRange(channels: readonly Float32Array[], start: number, frames: number): void {
    if (this.tp === null) {
      this.processWasm(this.wasm as LoudnessKernels, channels, start, frames);
      return;
    }
    // True peak has no 10 ms structure: each channel in one call.
    for (let c = 0; c < this.channels; c++) this.tp.process(c, channels[c], start, frames);
    const stereo = this.channels === 2 && this.weights[0] !== 0 && this.weights[1] !== 0;
    const end = start + frames;
    let i = start;
    while (i < end) {
      const room = this.tickLen - this.tickPos;
      const n = end - i < room ? end - i : room;
      if (stereo) {
        this.filterSquare2(channels[0], channels[1], i, n);
      } else {
        for (let c = 0; c < this.channels; c++) {
          if (this.weights[c] !== 0) this.filterSquare(c, channels[c], i, n);
        }
      }
      i += n;
      this.tickPos += n;
      if (this.tickPos === this.tickLen) this.endTick();
    }
    this.frames += frames;
  }

  /**
   * K-weight `n` samples of channel `c` and add their squares to the tick sum. The coefficients
   * are read from `kc` inside the loop rather than held in locals: the compiled loop then keeps
   * its state in registers (with them all in locals it spills the recursion to the stack).
   */
  private filterSquare(c: number, x: Float32Array, start: number, n: number): void {
    const k = this.kc;
    const st = this.state;
    const o = c * 4;
    let p1 = st[o], p2 = st[o + 1], r1 = st[o + 2], r2 = st[o + 3];
    let sum = this.acc[c];
    const end = start + n;
    for (let i = start; i < end; i++) {
      const v = x[i];
      // Pre-filter [b0 b1 b2 a1 a2] = k[0 … 4] (transposed direct form II).
      const y = k[0] * v + p1;
      p1 = k[1] * v - k[3] * y + p2;
      p2 = k[2] * v - k[4] * y;
      // RLB numerator [1, −2, 1] (its scale g is applied as g² to the tick sum), a1 a2 = k[5 … 6].
      const z = y + r1;
      r1 = -2 * y - k[5] * z + r2;
      r2 = y - k[6] * z;
      sum += z * z;
    }
    st[o] = flushDenormal(p1);
    st[o + 1] = flushDenormal(p2);
    st[o + 2] = flushDenormal(r1);
    st[o + 3] = flushDenormal(r2);
    this.acc[c] = sum;
  }

  /**
   * `filterSquare` of channels 0 and 1 in one loop: the same operations per channel, in four
   * independent recursions for the processor to overlap (each alone is a chain of dependent
   * multiply-adds that leaves it idle most of the time).
   */
  private filterSquare2(x: Float32Array, xr: Float32Array, start: number, n: number): void {
    const k = this.kc;
    const st = this.state;
    let p1 = st[0], p2 = st[1], r1 = st[2], r2 = st[3];
    let q1 = st[4], q2 = st[5], s1 = st[6], s2 = st[7];
    let sum = this.acc[0];
    let sumR = this.acc[1];
    const end = start + n;
    for (let i = start; i < end; i++) {
      const v = x[i];
      const w = xr[i];
      const y = k[0] * v + p1;
      const yr = k[0] * w + q1;
      p1 = k[1] * v - k[3] * y + p2;
      q1 = k[1] * w - k[3] * yr + q2;
      p2 = k[2] * v - k[4] * y;
      q2 = k[2] * w - k[4] * yr;
      const z = y + r1;
      const zr = yr + s1;
      r1 = -2 * y - k[5] * z + r2;
      s1 = -2 * yr - k[5] * zr + s2;
      r2 = y - k[6] * z;
      s2 = yr - k[6] * zr;
      sum += z * z;
      sumR += zr * zr;
    }
    st[0] = flushDenormal(p1);
    st[1] = flushDenormal(p2);
    st[2] = flushDenormal(r1);
    st[3] = flushDenormal(r2);
    st[4] = flushDenormal(q1);
    st[5] = flushDenormal(q2);
    st[6] = flushDenormal(s1);
    st[7] = flushDenormal(s2);
    this.acc[0] = sum;
    this.acc[1] = sumR;
  }

  /**
   * The kernels' path: pieces of up to KERNEL_FRAMES frames (the whole call when the caller
   * filled `inputs()`), the ticks each completes closed in order after it.
   */
  private processWasm(k: LoudnessKernels, channels: readonly Float32Array[], start: number, frames: number): void {
    const inPlace = k.owns(channels) && start + frames <= KERNEL_FRAMES;
    const end = start + frames;
    const tickLen = this.tickLen;
    const w = this.weights;
    const sums = k.tickSums;
    const stride = k.stride;
    for (let i = start; i < end; ) {
      const n = inPlace ? frames : end - i < KERNEL_FRAMES ? end - i : KERNEL_FRAMES;
      if (!inPlace) k.copyIn(channels, i, n);
      const done = k.run(inPlace ? start : 0, n, tickLen - this.tickPos, tickLen, i + n === end);
      for (let t = 0; t < done; t++) {
        // As `endTick`; a channel of weight 0 adds 0 · 0 there (it is never filtered).
        let e = 0;
        for (let c = 0; c < this.channels; c++) if (w[c] !== 0) e += w[c] * sums[t * stride + c];
        this.tickEnergy = e;
        this.pushTick();
      }
      this.tickPos = (this.tickPos + n) % tickLen;
      i += n;
    }
    this.frames += frames;
  }

  private endTick(): void {
    let e = 0;
    for (let c = 0; c < this.channels; c++) {
      e += this.weights[c] * this.acc[c];
      this.acc[c] = 0;
    }
    this.tickPos = 0;
    this.tickEnergy = e;
    this.pushTick();
  }

  /**
   * Close a tick of weighted energy `tickEnergy`: into the ring, then the 400 ms and 3 s values.
   * The windows are summed afresh, newest to oldest, rather than kept as running sums, which
   * would drift and never return to an exact zero after silence. The 3 s sum (300 additions)
   * is needed only when it may be a new maximum, every 10th tick (LRA series, and to restart
   * the running sum below) and when `shortTermLufs` is read; otherwise a running sum R and a
   * bound E on its rounding error show that it cannot be: each addition errs by at most
   * 2^-53 of its result, so E grows by ADD_ERR·(|R + new| + old) per tick (old ≥ 0 bounds the
   * result of the subtraction when it goes below zero), and the fresh sum is within
   * 299·2^-53 < S_SLACK / 2 of the exact one, so it is ≤ (R + E)·(1 + S_SLACK).
   */
  private pushTick(): void {
    const ring = this.ring;
    const v = (this.tickEnergy * this.rlbGainSq) / this.tickLen;
    const old = ring[this.ringPos];
    ring[this.ringPos] = v;
    this.ringPos = this.ringPos + 1 === S_TICKS ? 0 : this.ringPos + 1;
    this.ticks++;
    // Newest to oldest: ringPos − 1 down to 0, then S_TICKS − 1 down to ringPos.
    let s = 0;
    let idx = this.ringPos;
    for (let k = 0; k < M_TICKS; k++) {
      idx = idx === 0 ? S_TICKS - 1 : idx - 1;
      s += ring[idx];
    }
    this.mPow = s / M_TICKS;
    if (this.mPow > this.mMax) this.mMax = this.mPow;
    const grown = this.sRun + v;
    this.sRun = grown - old;
    this.sErr += ADD_ERR * (Math.abs(grown) + old);
    const step = this.ticks % TICKS_PER_STEP === 0;
    if (step || !(((this.sRun + this.sErr) * (1 + S_SLACK)) / S_TICKS <= this.sMax)) {
      for (let k = M_TICKS; k < S_TICKS; k++) {
        idx = idx === 0 ? S_TICKS - 1 : idx - 1;
        s += ring[idx];
      }
      this.sPow = s / S_TICKS;
      this.sFresh = true;
      this.sRun = s;
      this.sErr = S_SLACK * s;
      if (this.sPow > this.sMax) this.sMax = this.sPow;
    } else {
      this.sFresh = false;
    }
    if (step) {
      if (this.ticks >= M_TICKS) {
        if (this.nBlocks === this.blocks.length) this.blocks = grow(this.blocks);
        this.blocks[this.nBlocks++] = this.mPow;
      }
      if (this.ticks >= S_TICKS) {
        if (this.nShort === this.shortTerms.length) this.shortTerms = grow(this.shortTerms);
        this.shortTerms[this.nShort++] = this.sPow;
      }
    }
  }

  /** The 3 s value of the last tick, summed as `pushTick` sums it. */
  private freshShortTerm(): void {
    const ring = this.ring;
    let s = 0;
    let idx = this.ringPos;
    for (let k = 0; k < S_TICKS; k++) {
      idx = idx === 0 ? S_TICKS - 1 : idx - 1;
      s += ring[idx];
    }
    this.sPow = s / S_TICKS;
    this.sFresh = true;
  }

  /** Current 400 ms value, updated every 10 ms; -Infinity when silent. */
  momentaryLufs(): number {
    return lufsFromPower(this.mPow);
  }

  /** Current 3 s value, updated every 10 ms; -Infinity when silent. */
  shortTermLufs(): number {
    if (!this.sFresh) this.freshShortTerm();
    return lufsFromPower(this.sPow);
  }

  /** Gated integrated loudness of everything since reset (O(blocks) per call). */
  integratedLufs(): number {
    const b = this.blocks;
    const n = this.nBlocks;
    let sum = 0;
    let cnt = 0;
    for (let j = 0; j < n; j++) {
      if (b[j] > ABS_GATE_POWER) {
        sum += b[j];
        cnt++;
      }
    }
    if (cnt === 0) return Number.NEGATIVE_INFINITY;
    const rel = (sum / cnt) * 0.1; // −10 LU
    const gate = rel > ABS_GATE_POWER ? rel : ABS_GATE_POWER;
    sum = 0;
    cnt = 0;
    for (let j = 0; j < n; j++) {
      if (b[j] > gate) {
        sum += b[j];
        cnt++;
      }
    }
    return cnt === 0 ? Number.NEGATIVE_INFINITY : lufsFromPower(sum / cnt);
  }

  /** Tech 3342 loudness range (allocates a sorted copy; call it at display rate, not per block). */
  loudnessRangeLu(): number {
    const v = this.shortTerms;
    const n = this.nShort;
    let sum = 0;
    let cnt = 0;
    for (let j = 0; j < n; j++) {
      if (v[j] >= ABS_GATE_POWER) {
        sum += v[j];
        cnt++;
      }
    }
    if (cnt < 2) return 0;
    const gate = (sum / cnt) * 0.01; // −20 LU
    const kept = new Float64Array(cnt);
    let k = 0;
    for (let j = 0; j < n; j++) {
      if (v[j] >= ABS_GATE_POWER && v[j] >= gate) kept[k++] = v[j];
    }
    if (k < 2) return 0;
    const sorted = kept.subarray(0, k).sort();
    const lo = sorted[Math.round((k - 1) * 0.1)];
    const hi = sorted[Math.round((k - 1) * 0.95)];
    return 10 * Math.log10(hi / lo);
  }

  result(): LoudnessResult {
    const peaks = this.tp ?? (this.wasm as LoudnessKernels);
    const tp = peaks.truePeak();
    const sp = peaks.samplePeak();
    return {
      integratedLufs: this.integratedLufs(),
      momentaryMaxLufs: lufsFromPower(this.mMax),
      shortTermMaxLufs: lufsFromPower(this.sMax),
      loudnessRangeLu: this.loudnessRangeLu(),
      truePeakDbtp: tp > 0 ? 20 * Math.log10(tp) : Number.NEGATIVE_INFINITY,
      samplePeakDbfs: sp > 0 ? 20 * Math.log10(sp) : Number.NEGATIVE_INFINITY,
      durationS: this.frames / this.sampleRate,
    };
  }
}

function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
