/**
 * What the render thread shares with the control plane besides the parameter ring: the meter
 * snapshot and the status counters, both in SharedArrayBuffers.
 *
 * Meters: the render thread copies the engine's meter array into the snapshot after each
 * block under a sequence lock (the counter is odd while a copy is in progress). The control
 * plane samples it at its own pace (30-60 Hz) and retries a read that overlapped a write;
 * neither side ever waits for the other.
 *
 * Status: one Float64 slot per counter (STATUS below), written only by the render thread
 * (plain stores: each slot is read as a whole, and the control plane only displays them).
 * Commands from the control plane that are not parameter changes (stop) go through an Int32
 * control word, read by the render thread once per block.
 */

/** Slots of the status block. */
export const STATUS = {
  /** RenderState below. */
  state: 0,
  blocks: 1,
  /**
   * Blocks handed to the device later than it needed them: processing took longer than the
   * backend's slack (the blocks of output queued ahead of the device; one block on `null`).
   */
  deadlineMisses: 2,
  /** Under- and overflows reported by the device. */
  xruns: 3,
  /** Processing time over block time, averaged over about a second. */
  cpuLoad: 4,
  /** The largest single block's processing time over block time in about the last second. */
  cpuPeak: 5,
  /** The longest block's processing time since the start, ms. */
  processMaxMs: 6,
  /** DSP units muted after throwing (engine.faultCount). */
  faults: 7,
  /** Output blocks zeroed because a sample was NaN or infinite. */
  nonFinite: 8,
  /** Parameter changes dropped by the render side (bad index or value). */
  rejected: 9,
  /** Control-to-audio time of the most recent change, ms: written on the main thread until the block with it was handed to the device. */
  controlLastMs: 10,
  /** The largest control-to-audio time since the start, ms. */
  controlMaxMs: 11,
  /** Times the device was lost (error or stall). */
  deviceLosses: 12,
  /** Times the device was opened again after a loss. */
  reopens: 13,
  sampleRate: 14,
  blockSize: 15,
  /** Frames from a device input to a device output, the master's look-ahead included. */
  latencyFrames: 16,
  /** Device input and output channels open. */
  inputChannels: 17,
  outputChannels: 18,
  /** Shared-clock ms of the last block handed to the device. */
  lastBlockTime: 19,
  /** Sum of control-to-audio times (one per block that applied changes, from its oldest change) and their count (for the mean). */
  controlSumMs: 20,
  controlCount: 21,
  /** Blocks whose processing took longer than one block period (load above 100 % for that block). */
  overBudget: 22,
  /** Garbage collections on the render thread, and the longest one, ms. */
  gcCount: 23,
  gcMaxMs: 24,
  /** Parameter changes applied. */
  applied: 25,
} as const;
export const STATUS_SLOTS = 28;

export const RenderState = {
  starting: 0,
  running: 1,
  /** The device failed; the engine keeps running on a clock while the device is retried. */
  reopening: 2,
  stopped: 3,
  failed: 4,
} as const;
export const RENDER_STATE_NAMES = ['starting', 'running', 'reopening', 'stopped', 'failed'] as const;

/** Control words (Int32), written by the control plane. */
export const CONTROL = {
  /** Non-zero: stop at the next block. */
  stop: 0,
  /** Incremented by the control plane to wake a render thread sleeping on its clock. */
  wake: 1,
} as const;
const CONTROL_INTS = 4;

export interface SharedStateBuffers {
  readonly meters: SharedArrayBuffer;
  readonly meterCount: number;
  readonly status: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
}

export function createSharedState(meterCount: number): SharedStateBuffers {
  return {
    // 8 bytes of sequence counter (an Int32, padded), then the meters.
    meters: new SharedArrayBuffer(8 + meterCount * 4),
    meterCount,
    status: new SharedArrayBuffer(STATUS_SLOTS * 8),
    control: new SharedArrayBuffer(CONTROL_INTS * 4),
  };
}

/** Render side: publish meters; allocation-free. */
export class MeterPublisher {
  private readonly seq: Int32Array;
  private readonly dst: Float32Array;

  constructor(b: SharedStateBuffers) {
    this.seq = new Int32Array(b.meters, 0, 1);
    this.dst = new Float32Array(b.meters, 8, b.meterCount);
  }

  publish(src: Float32Array): void {
    const seq = this.seq;
    const dst = this.dst;
    Atomics.add(seq, 0, 1);
    const n = Math.min(src.length, dst.length);
    for (let i = 0; i < n; i++) dst[i] = src[i];
    Atomics.add(seq, 0, 1);
  }
}

/** Control side: read a consistent copy of the meters. */
export class MeterReader {
  private readonly seq: Int32Array;
  private readonly src: Float32Array;

  constructor(b: SharedStateBuffers) {
    this.seq = new Int32Array(b.meters, 0, 1);
    this.src = new Float32Array(b.meters, 8, b.meterCount);
  }

  get size(): number {
    return this.src.length;
  }

  /**
   * Copy the latest complete snapshot into `dst`. Returns false if every try overlapped a
   * write (then `dst` holds a copy that may mix two blocks: still meters, never garbage).
   */
  read(dst: Float32Array, tries = 8): boolean {
    for (let t = 0; t < tries; t++) {
      const s1 = Atomics.load(this.seq, 0);
      if ((s1 & 1) !== 0) continue;
      dst.set(this.src.subarray(0, Math.min(dst.length, this.src.length)));
      if (Atomics.load(this.seq, 0) === s1) return true;
    }
    return false;
  }

  /** Snapshots published so far (twice the sequence number). */
  get published(): number {
    return Atomics.load(this.seq, 0) >>> 1;
  }
}
