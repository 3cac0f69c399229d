/**
 * The contract every DSP block keeps. A block processes `frames` samples of each of its
 * channel buffers in place. `process` must not allocate, must give the same output whatever the
 * block size when its parameters do not change, must turn silence into silence, and must never
 * produce NaN or Infinity.
 */
export interface DspBlock {
  /** Channels processed in place (1 = mono, 2 = stereo). */
  readonly channels: number;
  process(buffers: readonly Float32Array[], frames: number): void;
  /** Clear all internal state (filter memories, envelopes, delay lines). */
  reset(): void;
  /**
   * Number of internal state values that are currently subnormal doubles (0 < |x| < 2.2e-308).
   * Subnormal arithmetic is up to 100 times slower on x86; blocks flush their recursive state so
   * this stays 0.
   */
  subnormalStates(): number;
}

/** Smallest normal double; anything non-zero below it is subnormal. */
export const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * Denormal guard for recursive state: adding and removing a tiny constant flushes any value
 * below about 1e-46 to an exact zero, costs two additions and no branch, and gives the same
 * result whatever the block size.
 */
export const DENORMAL_GUARD = 1e-30;

// The literal is written out so the compiled loop does not reload a module constant per call.

export function flushDenormal(x: number): number {
  return x + 1e-30 - 1e-30;
}

export function isSubnormal(x: number): boolean {
  return x !== 0 && Math.abs(x) < MIN_NORMAL;
}

/** Count subnormal values in a list of numbers and typed arrays (for `subnormalStates`). */
export function countSubnormals(...values: ReadonlyArray<number | ArrayLike<number>>): number {
  let n = 0;
  for (const v of values) {
    if (typeof v === 'number') {
      if (isSubnormal(v)) n++;
    } else {
      for (let i = 0; i < v.length; i++) if (isSubnormal(v[i])) n++;
    }
  }
  return n;
}

/** Time constant (ms) to the one-pole coefficient that reaches 1 − 1/e of a step in that time. */
export function onePoleCoeff(ms: number, sampleRate: number): number {
  if (!(ms > 0)) return 0;
  return Math.exp(-1000 / (ms * sampleRate));
}

/**
 * Compare the table values at `indices` with `cache`, copy them over, and say whether any
 * moved. Lets a strip call a block's setter only when its parameters change: a call that
 * passes numbers to a function the compiler does not inline boxes them (allocates), so
 * steady-state blocks make no such calls at all.
 */
export function changed(table: Float64Array, indices: Int32Array, cache: Float64Array): boolean {
  let moved = false;
  for (let i = 0; i < indices.length; i++) {
    const v = table[indices[i]];
    if (v !== cache[i]) {
      cache[i] = v;
      moved = true;
    }
  }
  return moved;
}

/** A cache for `changed`: NaN everywhere, so the first comparison always reports a change. */
export function changeCache(size: number): Float64Array {
  return new Float64Array(size).fill(Number.NaN);
}
