/**
 * The `null` audio backend: no device; a clock asks the engine for blocks at the real-time rate
 * and the output is discarded. Used when there is no sound card, and for soak runs.
 * Blocks are paced by wall-clock time: if the process falls behind by more than one block,
 * the missed deadline is counted and the clock resynchronises instead of bursting.
 */
export interface BlockSource {
  /** Render one block of `frames` samples. */
  render(frames: number): void;
}

export interface BackendStats {
  readonly blocks: number;
  readonly deadlineMisses: number;
  /** Time spent rendering divided by the audio time rendered (0..1 means keeping up). */
  readonly cpuLoad: number;
}

export class NullBackend {
  private timer: NodeJS.Timeout | undefined;
  private blocks = 0;
  private misses = 0;
  private busyMs = 0;

  constructor(
    readonly sampleRate: number,
    readonly blockSize: number,
  ) {}

  start(source: BlockSource): void {
    if (this.timer) return;
    const blockMs = (this.blockSize / this.sampleRate) * 1000;
    let next = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      if (now - next > blockMs * 2) {
        this.misses++;
        next = now;
      }
      while (next <= now) {
        const t0 = performance.now();
        source.render(this.blockSize);
        this.busyMs += performance.now() - t0;
        this.blocks++;
        next += blockMs;
      }
    }, Math.max(1, Math.floor(blockMs)));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  stats(): BackendStats {
    const audioMs = (this.blocks * this.blockSize * 1000) / this.sampleRate;
    return { blocks: this.blocks, deadlineMisses: this.misses, cpuLoad: audioMs > 0 ? this.busyMs / audioMs : 0 };
  }
}
