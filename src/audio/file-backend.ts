/**
 * The `file` backend: WAV in, WAV out, as fast as the engine runs. The device inputs come from a
 * multichannel WAV (channel k = interface input k; missing channels and the time past its end
 * are silent) and every device output is written to a float32 WAV, which appears at its path
 * only when the run ends (written beside it and renamed, as `render` does). It runs `frames`
 * frames, or until stopped.
 *
 * It shares the render worker's code with the live backends, so a session played through
 * `file` gives exactly the samples it gives through `portaudio`: the bit-exact tests compare
 * the two.
 */
import { planar, yieldToLoop, type AudioBackend, type BackendCallbacks, type BackendInfo } from './backend.js';
import { WavWriter } from './wav.js';
import { WavFileReader } from './wav-reader.js';

export interface FileBackendOptions {
  readonly sampleRate: number;
  readonly blockSize: number;
  readonly inputChannels: number;
  readonly outputChannels: number;
  /** WAV written with every device output (float32). */
  readonly outFile?: string;
  /** WAV read as the device inputs. */
  readonly inFile?: string;
  /** Frames to run; default: the input file's length, else until stopped. */
  readonly frames?: number;
}

export class FileBackend implements AudioBackend {
  readonly info: BackendInfo;
  readonly inputs: Float32Array[];
  readonly outputs: Float32Array[];
  private running = false;
  private readonly reader: WavFileReader | undefined;
  private readonly writer: WavWriter | undefined;
  private readonly readBufs: Float32Array[];
  private readonly total: number;
  private closed = false;

  constructor(opts: FileBackendOptions) {
    this.info = {
      kind: 'file',
      device: opts.outFile ?? opts.inFile ?? 'file',
      sampleRate: opts.sampleRate,
      blockSize: opts.blockSize,
      inputChannels: opts.inputChannels,
      outputChannels: opts.outputChannels,
      ioLatencyFrames: 0,
      slackBlocks: Number.POSITIVE_INFINITY,
    };
    this.inputs = planar(opts.inputChannels, opts.blockSize);
    this.outputs = planar(opts.outputChannels, opts.blockSize);
    this.reader = opts.inFile !== undefined ? new WavFileReader(opts.inFile) : undefined;
    try {
      this.readBufs = planar(this.reader?.channels ?? 0, opts.blockSize);
      this.writer = opts.outFile !== undefined ? new WavWriter(opts.outFile, opts.sampleRate, opts.outputChannels, 'float32') : undefined;
    } catch (e) {
      this.reader?.close();
      throw e;
    }
    this.total = opts.frames ?? this.reader?.frames ?? Number.POSITIVE_INFINITY;
  }

  async run(cb: BackendCallbacks): Promise<void> {
    this.running = true;
    const n = this.info.blockSize;
    let done = 0;
    let lastYield = performance.now();
    while (this.running && done < this.total) {
      const frames = Math.min(n, this.total - done);
      if (this.reader) {
        const got = this.reader.read(this.readBufs, 0, frames);
        for (let c = 0; c < this.inputs.length; c++) {
          const dst = this.inputs[c];
          const src = c < this.readBufs.length ? this.readBufs[c] : undefined;
          for (let i = 0; i < n; i++) dst[i] = src !== undefined && i < got ? src[i] : 0;
        }
      }
      cb.cycle();
      this.writer?.write(this.outputs, frames);
      done += frames;
      const now = performance.now();
      if (now - lastYield >= 50) {
        lastYield = now;
        await yieldToLoop();
      }
    }
    this.running = false;
  }

  stop(): void {
    this.running = false;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.running = false;
    this.reader?.close();
    this.writer?.close();
  }
}
