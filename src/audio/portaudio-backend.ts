/**
 * The `portaudio` backend: an audio interface through naudiodon2's PortAudio binding (see
 * portaudio-binding.ts for the binding and its quirks), float32 samples, one duplex stream (or
 * an output-only stream when no input is routed).
 *
 * The loop, per block: `read` a block of interleaved input (the promise settles when the
 * device has captured it), de-interleave it, let the engine render, interleave the outputs into
 * one reused buffer and `write` it (naudiodon copies it into its queue). The device's clock
 * paces the loop through those two promises: nothing here sleeps or polls.
 *
 * Buffering: `queue` blocks sit between this loop and PortAudio's callback in each direction
 * (naudiodon's queue; DEFAULT_QUEUE by default), and the output is primed with that many blocks of silence
 * before the stream starts (without priming a duplex stream deadlocks: PortAudio's callback
 * waits for output while the loop waits for input).
 *
 * Failures: PortAudio's status flags (under- and overflows) come back as strings and are
 * counted as xruns; a read that carries a status instead of data leaves that block's inputs
 * silent. A device that stops calling back (unplugged; a JACK server gone) leaves the pending
 * promise unsettled: a watchdog notices that no block has passed for `stallMs` and `run`
 * rejects with BackendLost. `close()` asks PortAudio to abort and gives up after a timeout.
 */
import { BackendLost, planar, type AudioBackend, type BackendCallbacks, type BackendInfo } from './backend.js';
import type { NativeAudioIO, NativeStreamOptions, PortAudioBinding } from './portaudio-binding.js';

export interface PortAudioBackendOptions {
  readonly binding: PortAudioBinding;
  readonly deviceIndex: number;
  readonly deviceName: string;
  readonly sampleRate: number;
  readonly blockSize: number;
  readonly inputChannels: number;
  readonly outputChannels: number;
  /** The device's own latencies (PortAudio's default low latencies), seconds. */
  readonly deviceInputLatency?: number;
  readonly deviceOutputLatency?: number;
  /** Blocks queued in each direction between this loop and PortAudio (default DEFAULT_QUEUE). */
  readonly queue?: number;
  /** No block for this long means the device is gone (default: the larger of 300 ms and 16 blocks). */
  readonly stallMs?: number;
  /** How long close() waits for PortAudio before abandoning the stream (default 2000 ms). */
  readonly closeTimeoutMs?: number;
}

/** PortAudio's status words that are xruns ("priming output" is not). */
const XRUN = /underflow|overflow/;

/**
 * Blocks of output queued between the render loop and PortAudio's callback (`--queue`). Each
 * block more is a block period more latency and as much more margin against a late block.
 */
export const DEFAULT_QUEUE = 2;
export const MAX_QUEUE = 8;

export const MIN_BLOCK = 32;
export const MAX_BLOCK = 1024;
export const MAX_CHANNELS = 64;

export class PortAudioBackend implements AudioBackend {
  readonly info: BackendInfo;
  readonly inputs: Float32Array[];
  readonly outputs: Float32Array[];
  private readonly io: NativeAudioIO;
  private readonly outBuf: Buffer;
  private readonly outView: Float32Array;
  private readonly inScratch: Buffer;
  private readonly inView: Float32Array;
  private readonly queue: number;
  private readonly stallMs: number;
  private readonly closeTimeoutMs: number;
  private running = false;
  private dead = false;
  private closed = false;
  private lastProgress = 0;

  /** Open the stream (it starts in `run`). Throws the binding's error if PortAudio refuses. */
  constructor(opts: PortAudioBackendOptions) {
    const { sampleRate, blockSize, inputChannels, outputChannels } = opts;
    if (!(blockSize >= MIN_BLOCK && blockSize <= MAX_BLOCK && Number.isInteger(blockSize))) throw new RangeError(`block size ${blockSize}: ${MIN_BLOCK} to ${MAX_BLOCK} frames`);
    if (inputChannels > MAX_CHANNELS || outputChannels > MAX_CHANNELS) throw new RangeError(`at most ${MAX_CHANNELS} inputs and outputs`);
    if (outputChannels < 1) throw new RangeError('at least one output');
    this.queue = opts.queue ?? DEFAULT_QUEUE;
    this.stallMs = opts.stallMs ?? Math.max(300, (16 * blockSize * 1000) / sampleRate);
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 2000;
    const dir = (channelCount: number): NativeStreamOptions => ({
      deviceId: opts.deviceIndex,
      channelCount,
      sampleFormat: 1,
      sampleRate,
      framesPerBuffer: blockSize,
      maxQueue: this.queue,
      closeOnError: true,
    });
    this.io = opts.binding.create(inputChannels > 0 ? { inOptions: dir(inputChannels), outOptions: dir(outputChannels) } : { outOptions: dir(outputChannels) });
    const inLat = Math.round((opts.deviceInputLatency ?? 0) * sampleRate);
    const outLat = Math.round((opts.deviceOutputLatency ?? 0) * sampleRate);
    this.info = {
      kind: 'portaudio',
      device: opts.deviceName,
      sampleRate,
      blockSize,
      inputChannels,
      outputChannels,
      // Capture (one block, plus the device's input latency), then the output queue that was
      // primed (queue blocks) and PortAudio's output buffer (one block, plus the device's latency).
      ioLatencyFrames: inLat + outLat + (inputChannels > 0 ? blockSize : 0) + (this.queue + 1) * blockSize,
      // The blocks queued ahead of the device: naudiodon's queue and PortAudio's own buffer (as
      // counted in the latency above).
      slackBlocks: this.queue + 1,
    };
    this.inputs = planar(inputChannels, blockSize);
    this.outputs = planar(outputChannels, blockSize);
    this.outBuf = Buffer.alloc(blockSize * outputChannels * 4);
    this.outView = new Float32Array(this.outBuf.buffer, this.outBuf.byteOffset, blockSize * outputChannels);
    this.inScratch = Buffer.alloc(Math.max(4, blockSize * inputChannels * 4));
    this.inView = new Float32Array(this.inScratch.buffer, this.inScratch.byteOffset, blockSize * inputChannels);
  }

  run(cb: BackendCallbacks): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const watchdog = setInterval(() => {
        if (!this.running || this.dead) return;
        const idle = performance.now() - this.lastProgress;
        if (idle > this.stallMs) {
          this.dead = true;
          clearInterval(watchdog);
          reject(new BackendLost(`${this.info.device}: no audio for ${Math.round(idle)} ms (the device stopped)`));
        }
      }, Math.max(20, this.stallMs / 4));
      this.loop(cb).then(
        () => {
          clearInterval(watchdog);
          if (!this.dead) resolve();
        },
        (e: unknown) => {
          clearInterval(watchdog);
          if (this.dead) return;
          this.dead = true;
          reject(e instanceof BackendLost ? e : new BackendLost(`${this.info.device}: ${e instanceof Error ? e.message : String(e)}`));
        },
      );
    });
  }

  private async loop(cb: BackendCallbacks): Promise<void> {
    const io = this.io;
    const inCh = this.info.inputChannels;
    const inBytes = this.info.blockSize * inCh * 4;
    this.outView.fill(0);
    for (let i = 0; i < this.queue; i++) {
      await io.write(this.outBuf);
    }
    this.running = true;
    this.lastProgress = performance.now();
    io.start();
    while (this.running && !this.dead) {
      if (inCh > 0) {
        const r = await io.read(inBytes);
        if (this.dead) return;
        if (r.err !== undefined) {
          if (XRUN.test(r.err)) cb.xrun(r.err);
          this.clearInputs();
        } else if (r.buf === undefined || r.buf.length < inBytes) {
          if (r.finished) throw new BackendLost(`${this.info.device}: the input stream ended`);
          cb.xrun('short input block');
          this.clearInputs();
        } else this.deinterleave(r.buf);
      }
      cb.cycle();
      this.interleave();
      const e = await io.write(this.outBuf);
      if (this.dead) return;
      if (e !== undefined && XRUN.test(e)) cb.xrun(e);
      this.lastProgress = performance.now();
    }
  }

  private clearInputs(): void {
    for (let c = 0; c < this.inputs.length; c++) this.inputs[c].fill(0);
  }

  private deinterleave(buf: Buffer): void {
    // Copy into an aligned scratch buffer first: a Buffer from the binding need not be
    // 4-byte aligned, and a view on it per block would be an allocation.
    this.inScratch.set(buf.subarray(0, this.inScratch.length));
    const v = this.inView;
    const ch = this.inputs.length;
    const n = this.info.blockSize;
    for (let c = 0; c < ch; c++) {
      const dst = this.inputs[c];
      for (let i = 0, k = c; i < n; i++, k += ch) dst[i] = v[k];
    }
  }

  private interleave(): void {
    const v = this.outView;
    const ch = this.outputs.length;
    const n = this.info.blockSize;
    for (let c = 0; c < ch; c++) {
      const src = this.outputs[c];
      for (let i = 0, k = c; i < n; i++, k += ch) v[k] = src[i];
    }
  }

  stop(): void {
    this.running = false;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.running = false;
    this.dead = true;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.closeTimeoutMs);
    });
    try {
      await Promise.race([this.io.quit('ABORT').catch(() => undefined), gaveUp]);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}
