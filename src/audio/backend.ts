/**
 * Audio backends behind one interface, driven from the render thread.
 *
 * A backend owns one block of device inputs and one of device outputs (planar Float32Arrays of
 * `blockSize` frames, one per device channel). `run(cb)` loops until `stop()`: for each block it
 * fills `inputs` from the device, calls `cb.cycle()` (which reads `inputs` and writes
 * `outputs`), and hands `outputs` to the device. The pace is the device's (portaudio), a clock's
 * (null), or none at all (file: as fast as the disk allows).
 *
 * `run` resolves when stopped and rejects with a BackendLost error when the device fails (an
 * error from PortAudio, or a stall: no block for `stallMs`); the render worker then keeps the
 * engine going on a clock and opens the device again when it can.
 */

export type BackendKind = 'null' | 'file' | 'portaudio';

export interface BackendInfo {
  readonly kind: BackendKind;
  /** Device name (portaudio), file name (file), or 'null'. */
  readonly device: string;
  readonly sampleRate: number;
  readonly blockSize: number;
  readonly inputChannels: number;
  readonly outputChannels: number;
  /**
   * Frames between a sample arriving at a device input and leaving a device output through the
   * backend's own buffering (not counting the engine's look-ahead): 0 for null and file.
   */
  readonly ioLatencyFrames: number;
  /**
   * Blocks of output queued ahead of the device (the same buffering the latency counts): a block
   * may take this many block periods to render before the device runs dry (a deadline miss).
   * 1 for null; Infinity for file.
   */
  readonly slackBlocks: number;
}

export interface BackendCallbacks {
  /** Render one block: read the backend's `inputs`, write its `outputs`. */
  cycle(): void;
  /** The device reported an under- or overflow (PortAudio's words). */
  xrun(what: string): void;
}

export interface AudioBackend {
  readonly info: BackendInfo;
  readonly inputs: readonly Float32Array[];
  readonly outputs: readonly Float32Array[];
  run(cb: BackendCallbacks): Promise<void>;
  /** Ask `run` to end after the current block. */
  stop(): void;
  /** Release the device. Never hangs: a device that does not answer is abandoned after a timeout. */
  close(): Promise<void>;
}

/** The device failed while running: the worker reports it and reopens. */
export class BackendLost extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendLost';
  }
}

export function planar(channels: number, frames: number): Float32Array[] {
  return Array.from({ length: channels }, () => new Float32Array(frames));
}

/** A promise that settles on the next turn of the event loop (lets messages and timers in). */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
