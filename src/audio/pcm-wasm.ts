/**
 * WebAssembly SIMD decoding of 24-bit stereo PCM (src/audio/wasm/pcm.wat) for `WavFileReader`:
 * four frames per step, the same float values as `decodePcm24Stereo` and `decodeChannel` bit for
 * bit (each sample is an exact int24 · 2^-23). The file's bytes are read straight into the
 * decoder's memory (`raw`) and the samples copied out with typed-array copies.
 */
import { compileKernel, instantiateKernel, type WasmKernel } from '../model/wasm.js';
import { PCM_WASM } from './wasm/pcm-bytes.js';

/** Compiled once at import; null where WebAssembly SIMD is not available. */
const MODULE: WasmKernel | null = compileKernel(PCM_WASM);

export function pcmKernelsAvailable(): boolean {
  return MODULE !== null;
}

type Pcm24x2 = (src: number, n: number, dstL: number, dstR: number) => void;

export class Pcm24StereoDecoder {
  /** Room for `frames` frames of file bytes (6 a frame). */
  readonly raw: Uint8Array;
  private readonly outL: Float32Array;
  private readonly outR: Float32Array;
  private readonly fn: Pcm24x2;
  private readonly lPtr: number;
  private readonly rPtr: number;
  /** The first `partK` samples of outL / outR (views kept for a repeated short decode). */
  private partK = -1;
  private partL: Float32Array;
  private partR: Float32Array;

  constructor(readonly frames: number) {
    if (MODULE === null) throw new Error('PCM kernels: WebAssembly SIMD is not available');
    // The vector step reads up to 8 bytes past its 24: 16 bytes of room after the input.
    const rawBytes = (frames * 6 + 16 + 15) & ~15;
    this.lPtr = rawBytes;
    this.rPtr = rawBytes + frames * 4;
    const inst = instantiateKernel(MODULE, this.rPtr + frames * 4);
    this.fn = inst.exports.pcm24x2 as Pcm24x2;
    this.raw = new Uint8Array(inst.memory, 0, frames * 6);
    this.outL = new Float32Array(inst.memory, this.lPtr, frames);
    this.outR = new Float32Array(inst.memory, this.rPtr, frames);
    this.partL = this.outL;
    this.partR = this.outR;
  }

  /** Decode the first `k` frames of `raw` into `l` and `r` from index `at`. */
  decode(k: number, l: Float32Array, r: Float32Array, at: number): void {
    this.fn(0, k, this.lPtr, this.rPtr);
    if (k === this.frames) {
      l.set(this.outL, at);
      r.set(this.outR, at);
      return;
    }
    if (k !== this.partK) {
      // Allocates two views, only when the length of a short read changes (the last read of a file).
      this.partK = k;
      this.partL = this.outL.subarray(0, k);
      this.partR = this.outR.subarray(0, k);
    }
    l.set(this.partL, at);
    r.set(this.partR, at);
  }
}
