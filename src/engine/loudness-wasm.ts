/**
 * The WebAssembly SIMD kernels of `LoudnessMeter` (src/engine/wasm/loudness.wat): the
 * K-weighting with its 10 ms sums of squares, and the true peak with exact skipping, for a pair
 * of channels at once in the two f64 lanes of a v128. Every lane performs the JavaScript
 * reference's IEEE double operations in the same order (no fused multiply-add, no
 * reassociation), so the results are bit-identical to it; the reference stays in loudness.ts and
 * true-peak.ts, and runs wherever WebAssembly SIMD is missing.
 *
 * Why it is faster. The K-weighting is two recursive biquads per channel: each output sample
 * waits for the previous one (a chain of ≈ 4 dependent floating-point operations), so the
 * processor idles most of the time. One instruction stream now carries both channels, and the
 * true-peak statistics of the same samples (max |x|, max |second difference|, which the
 * reference gathers in a pass of its own) fill the idle slots for free.
 *
 * True peak, exact skipping (the argument of true-peak.ts `TruePeakDetector`, in runs of 32
 * windows): with M the largest |x| and D2 the largest |x[i−2] − 2·x[i−1] + x[i]| over the 63
 * frames that the windows of a run span, no point of the run exceeds (M + H·D2 + ρ·M)·(1 + ρ)
 * (H = `smoothnessGain`, ρ = 1e-9 the rounding allowance). The statistics ignore NaN samples:
 * a window that holds a NaN gives NaN points, which the reference's comparisons ignore too, and
 * every other window is bounded by the statistics of its own frames. A run whose bound does not
 * exceed max(true peak so far, sample peak so far) cannot raise `truePeak()`, in either
 * channel; the others are computed, from the last 31 frames of history and the input.
 *
 * Memory: one instance per meter with its own memory (no growth, so the views stay valid):
 * the header of the .wat file, then per pair the filter state and 32 frames of history, the
 * scratch of the true-peak runs, the tick sums, and the input arrays (`inputs`), which a caller
 * may fill itself to skip the copy.
 */
import { compileKernel, instantiateKernel } from '../model/wasm.js';
import type { FoldedInterpolator } from './true-peak.js';
import { LOUDNESS_WASM } from './wasm/loudness-bytes.js';

type KWeight = (
  st: number,
  hist: number,
  inL: number,
  inR: number,
  n: number,
  tickLeft: number,
  tickLen: number,
  ticks: number,
  stride: number,
  halves: number,
  flushEnd: number,
) => number;
type Peaks = (hist: number, inL: number, inR: number, n: number, halves: number, work: number) => void;

/** Compiled once at import; null where WebAssembly SIMD is not available. */
const MODULE = compileKernel(LOUDNESS_WASM);

/** Whether the kernels can run here (WebAssembly with SIMD). */
export function loudnessKernelsAvailable(): boolean {
  return MODULE !== null;
}

/** Frames per channel of the input arrays: longer calls are processed in pieces this long. */
export const KERNEL_FRAMES = 1 << 15;

// Header offsets (bytes), as in loudness.wat.
const KC = 0;
const MID = 64;
const SUM = 192;
const DIFF = 320;
const TP = 448;
const SP = 456;
const SMOOTH = 464;
const FACTOR = 472;
const HEADER = 512;
const STATE_BYTES = 80;
const HIST_BYTES = 32 * 16;
const HALVES_BYTES = (KERNEL_FRAMES / 32 + 1) * 32;
const WORK_BYTES = 64 * 16;

export class LoudnessKernels {
  /** One array per channel, KERNEL_FRAMES long, in the kernels' memory. */
  readonly inputs: readonly Float32Array[];
  /** Sums of squares of the ticks completed by the last `run`: tick k, channel c at k·stride + c. */
  readonly tickSums: Float64Array;
  readonly stride: number;
  private readonly pairs: number;
  private readonly header: Float64Array;
  private readonly bytes: Uint8Array;
  private readonly kweight: KWeight;
  private readonly peaks: Peaks;
  private readonly statePtr: number;
  private readonly histPtr: number;
  private readonly halvesPtr: number;
  private readonly workPtr: number;
  private readonly ticksPtr: number;
  private readonly inputPtr: number;
  private readonly kc: Float64Array;
  private readonly interp: FoldedInterpolator;

  /** `kc`: pre-filter b0 b1 b2 a1 a2, then RLB a1 a2 (as `LoudnessMeter` holds them). */
  constructor(
    readonly channels: number,
    kc: Float64Array,
    interp: FoldedInterpolator,
    tickLen: number,
  ) {
    if (MODULE === null) throw new Error('loudness kernels: WebAssembly SIMD is not available');
    this.pairs = (channels + 1) >> 1;
    this.stride = 2 * this.pairs;
    this.kc = kc;
    this.interp = interp;
    const maxTicks = Math.floor(KERNEL_FRAMES / tickLen) + 1;
    this.statePtr = HEADER;
    this.histPtr = this.statePtr + this.pairs * STATE_BYTES;
    this.halvesPtr = this.histPtr + this.pairs * HIST_BYTES;
    this.workPtr = this.halvesPtr + HALVES_BYTES;
    this.ticksPtr = this.workPtr + WORK_BYTES;
    this.inputPtr = this.ticksPtr + maxTicks * this.stride * 8;
    const inst = instantiateKernel(MODULE, this.inputPtr + this.stride * KERNEL_FRAMES * 4);
    this.kweight = inst.exports.kweight as KWeight;
    this.peaks = inst.exports.peaks as Peaks;
    const buf = inst.memory;
    this.bytes = new Uint8Array(buf);
    this.header = new Float64Array(buf, 0, HEADER / 8);
    this.tickSums = new Float64Array(buf, this.ticksPtr, maxTicks * this.stride);
    this.inputs = Array.from({ length: channels }, (_, c) => new Float32Array(buf, this.inputPtr + c * KERNEL_FRAMES * 4, KERNEL_FRAMES));
    this.reset();
  }

  /** Clear all state (filters, history, peaks). */
  reset(): void {
    this.bytes.fill(0);
    const h = this.header;
    h.set(this.kc, KC / 8);
    h.set(this.interp.mid, MID / 8);
    h.set(this.interp.sum, SUM / 8);
    h.set(this.interp.diff, DIFF / 8);
    h[SMOOTH / 8] = this.interp.smooth;
    new Int32Array(h.buffer, FACTOR, 1)[0] = this.interp.factor;
  }

  /** Whether `channels` are this object's `inputs` (then `run` reads them in place). */
  owns(channels: readonly Float32Array[]): boolean {
    for (let c = 0; c < this.channels; c++) if (channels[c] !== this.inputs[c]) return false;
    return true;
  }

  /** Copy frames `start` … `start + n − 1` of each channel to the start of `inputs`. */
  copyIn(channels: readonly Float32Array[], start: number, n: number): void {
    for (let c = 0; c < this.channels; c++) {
      const src = channels[c];
      const dst = this.inputs[c];
      for (let i = 0; i < n; i++) dst[i] = src[start + i];
    }
  }

  /**
   * K-weight and scan frames `at` … `at + n − 1` of `inputs` (at + n ≤ KERNEL_FRAMES). The open
   * tick ends after `tickLeft` frames, then every `tickLen`; `flush`: the reference's call ends
   * here (its filter state is flushed). Returns the ticks completed, whose sums are in `tickSums`.
   */
  run(at: number, n: number, tickLeft: number, tickLen: number, flush: boolean): number {
    let ticks = 0;
    const frames = KERNEL_FRAMES * 4;
    for (let p = 0; p < this.pairs; p++) {
      const inL = this.inputPtr + 2 * p * frames + at * 4;
      const inR = inL + frames;
      const hist = this.histPtr + p * HIST_BYTES;
      ticks = this.kweight(
        this.statePtr + p * STATE_BYTES,
        hist,
        inL,
        inR,
        n,
        tickLeft,
        tickLen,
        this.ticksPtr + p * 16,
        this.stride * 8,
        this.halvesPtr,
        flush ? 1 : 0,
      );
      this.peaks(hist, inL, inR, n, this.halvesPtr, this.workPtr);
    }
    return ticks;
  }

  /** Largest absolute input sample since reset (linear). */
  samplePeak(): number {
    return this.header[SP / 8];
  }

  /** Largest absolute oversampled value since reset (linear), never below the sample peak. */
  truePeak(): number {
    const tp = this.header[TP / 8];
    const sp = this.header[SP / 8];
    return tp > sp ? tp : sp;
  }
}
