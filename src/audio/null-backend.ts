/**
 * The `null` backend: no device. A clock asks for blocks at the real-time rate and the output
 * is discarded; inputs are silent. Used when there is no sound card, for soak runs, and by the
 * render worker to keep the engine (meters, loudness history) going while a lost device is
 * being reopened.
 *
 * Pacing: the render thread sleeps until each block's deadline with `Atomics.wait` (sub-
 * millisecond, no timer allocation), and lets its event loop turn every ~20 ms so messages
 * and timers still run. If it falls more than two blocks behind (the machine was suspended,
 * or a block took far too long) the miss is counted and the clock starts again from now
 * instead of bursting to catch up.
 */
import { planar, yieldToLoop, type AudioBackend, type BackendCallbacks, type BackendInfo } from './backend.js';

export interface NullBackendOptions {
  readonly sampleRate: number;
  readonly blockSize: number;
  readonly inputChannels?: number;
  readonly outputChannels?: number;
  /** Device name shown in status (default 'null'). */
  readonly label?: string;
}

export class NullBackend implements AudioBackend {
  readonly info: BackendInfo;
  readonly inputs: Float32Array[];
  readonly outputs: Float32Array[];
  /** Times the clock fell behind by more than two blocks and was restarted. */
  slips = 0;
  private running = false;
  private readonly sleeper = new Int32Array(new SharedArrayBuffer(4));

  constructor(opts: NullBackendOptions) {
    this.info = {
      kind: 'null',
      device: opts.label ?? 'null',
      sampleRate: opts.sampleRate,
      blockSize: opts.blockSize,
      inputChannels: opts.inputChannels ?? 0,
      outputChannels: opts.outputChannels ?? 2,
      ioLatencyFrames: 0,
      slackBlocks: 1,
    };
    this.inputs = planar(this.info.inputChannels, opts.blockSize);
    this.outputs = planar(this.info.outputChannels, opts.blockSize);
  }

  async run(cb: BackendCallbacks): Promise<void> {
    this.running = true;
    const blockMs = (this.info.blockSize / this.info.sampleRate) * 1000;
    let next = performance.now();
    let lastYield = next;
    while (this.running) {
      let now = performance.now();
      if (now - next > 2 * blockMs) {
        this.slips++;
        cb.xrun('clock slipped');
        next = now;
      }
      while (next > now && this.running) {
        Atomics.wait(this.sleeper, 0, 0, next - now);
        now = performance.now();
      }
      if (!this.running) break;
      cb.cycle();
      next += blockMs;
      if (now - lastYield >= 20) {
        lastYield = now;
        await yieldToLoop();
      }
    }
  }

  stop(): void {
    this.running = false;
  }

  async close(): Promise<void> {
    this.running = false;
  }
}
