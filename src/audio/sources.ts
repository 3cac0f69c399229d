/**
 * Turns a session's channel sources into interface-input streams for an offline render:
 * WAV files (relative to the session file), built-in demo stems, or silence for live inputs.
 *
 * Memory: WAV stems at the render's sample rate are streamed from disk (src/audio/wav-reader.ts)
 * in blocks of STREAM_BLOCK_FRAMES frames, so a long multitrack costs a small buffer per file
 * whatever its length. Only stems at another rate are held in memory, whole: the resampler works
 * on whole buffers. The demo stems are synthesized into memory too (32 seconds each).
 *
 * Sample rates: the render runs at the session's `sampleRate`, else at the first file's rate,
 * else 48 kHz. A file at another rate is converted with the windowed-sinc resampler
 * (src/audio/resample.ts) and a note says so. Channel fitting: a mono channel takes the chosen
 * `channel` of a file, or the average of all its channels; a stereo channel takes the file's
 * first two channels (or `channel` and the next), and a mono file on both sides.
 *
 * A file feeding several inputs is opened once; its inputs share one reader and one block of
 * decoded frames, so while they move together (as in a render) each block is read from disk once.
 */
import path from 'node:path';
import { inputCount, type MixLayout } from '../model/layout.js';
import { MixhostError } from '../model/registry.js';
import type { Session } from '../model/session.js';
import { DEMO_STEMS, synthDemoStem, type DemoStem } from './demo-stems.js';
import { resample } from './resample.js';
import { WavFileReader } from './wav-reader.js';

export const DEFAULT_SAMPLE_RATE = 48000;
/** Length of the built-in demo material: 16 bars at 120 BPM. */
export const DEMO_SECONDS = 32;
/** Frames decoded per disk read of a streamed stem (the block its inputs share). */
export const STREAM_BLOCK_FRAMES = 8192;

/** One interface input's samples, read in order. */
export interface InputStream {
  /**
   * Write the next `n` samples into `dst[at .. at + n)` (`at` defaults to 0) and advance;
   * past the end of the source the samples are zeros. Allocates nothing.
   */
  read(dst: Float32Array, n: number, at?: number): void;
  /** Back to the first sample. */
  rewind(): void;
}

export interface RenderInputs {
  readonly sampleRate: number;
  /** One stream per interface input (a stereo channel has two). */
  readonly inputs: InputStream[];
  /** Length of the longest source, in frames. */
  readonly frames: number;
  /** Things a person should know (resampling, live inputs rendered silent...). */
  readonly notes: string[];
  /** Close the files being streamed. Closing twice is harmless. */
  close(): void;
}

type Source = Session['channels'][number]['source'];

/**
 * Frames of one source, per file channel, handed out a stretch at a time: `fetch(pos, want)`
 * makes frames from `pos` on readable at `data[c][at ..]` and says how many (1 to `want`).
 */
interface FrameSource {
  readonly frames: number;
  readonly data: readonly Float32Array[];
  at: number;
  fetch(pos: number, want: number): number;
  close(): void;
}

/** A source already in memory (demo stems, resampled stems). */
class MemorySource implements FrameSource {
  at = 0;
  readonly frames: number;

  constructor(readonly data: readonly Float32Array[]) {
    this.frames = data[0]?.length ?? 0;
  }

  fetch(pos: number, want: number): number {
    this.at = pos;
    return Math.min(want, this.frames - pos);
  }

  close(): void {}
}

/** A WAV file read from disk a block at a time; the last block read is kept for every input of the file. */
class StreamSource implements FrameSource {
  at = 0;
  readonly frames: number;
  readonly data: readonly Float32Array[];
  private start = 0;
  private count = 0;

  constructor(private readonly reader: WavFileReader) {
    this.frames = reader.frames;
    const size = Math.max(1, Math.min(STREAM_BLOCK_FRAMES, reader.frames));
    this.data = Array.from({ length: reader.channels }, () => new Float32Array(size));
  }

  fetch(pos: number, want: number): number {
    if (pos < this.start || pos >= this.start + this.count) {
      if (this.reader.position !== pos) this.reader.seek(pos);
      this.count = this.reader.read(this.data, 0, STREAM_BLOCK_FRAMES);
      this.start = pos;
    }
    this.at = pos - this.start;
    return Math.min(want, this.start + this.count - pos);
  }

  close(): void {
    this.reader.close();
  }
}

/** Reads one file channel of a source, or (channel −1) the average of all of them. */
class SourceInput implements InputStream {
  private pos = 0;

  constructor(
    private readonly src: FrameSource,
    private readonly channel: number,
  ) {}

  read(dst: Float32Array, n: number, at = 0): void {
    const src = this.src;
    for (let done = 0; done < n; ) {
      const p = this.pos + done;
      if (p >= src.frames) {
        dst.fill(0, at + done, at + n);
        break;
      }
      const k = src.fetch(p, n - done);
      const from = src.at;
      const o = at + done;
      if (this.channel >= 0) {
        const x = src.data[this.channel];
        for (let i = 0; i < k; i++) dst[o + i] = x[from + i];
      } else {
        // Accumulate in the Float32Array channel by channel, as the in-memory mixdown always did,
        // so the rounding (and the render) stays the same sample for sample.
        const nch = src.data.length;
        dst.fill(0, o, o + k);
        for (let c = 0; c < nch; c++) {
          const x = src.data[c];
          for (let i = 0; i < k; i++) dst[o + i] += x[from + i] / nch;
        }
      }
      done += k;
    }
    this.pos += n;
  }

  rewind(): void {
    this.pos = 0;
  }
}

/** An input with no signal offline (no source, or a live input). */
class SilentInput implements InputStream {
  read(dst: Float32Array, n: number, at = 0): void {
    dst.fill(0, at, at + n);
  }

  rewind(): void {}
}

/**
 * Fill `dst[k][0 .. n)` from `inputs[k]` for sources that loop: at frame `length` of the loop
 * (the end of the longest source, say) every input starts over together, even in the middle of
 * a block. `pos` is the frame of the loop the block starts at; returns the position after it.
 */
export function readLooping(inputs: readonly InputStream[], dst: readonly Float32Array[], n: number, pos: number, length: number): number {
  if (!(length >= 1)) throw new MixhostError('E_AUDIO_ARG', `a loop of ${length} frames`);
  for (let done = 0; done < n; ) {
    if (pos >= length) pos = rewindAll(inputs);
    const k = Math.min(n - done, length - pos);
    for (let j = 0; j < inputs.length; j++) inputs[j].read(dst[j], k, done);
    done += k;
    pos += k;
  }
  return pos >= length ? rewindAll(inputs) : pos;
}

function rewindAll(inputs: readonly InputStream[]): number {
  for (let j = 0; j < inputs.length; j++) inputs[j].rewind();
  return 0;
}

/** The file channel (0-based, or −1 for the average of all) feeding each side of a channel. */
function fit(fileChannels: number, stereo: boolean, channel: number | undefined, label: string): number[] {
  if (channel !== undefined && (channel < 1 || channel > fileChannels)) {
    throw new MixhostError('E_AUDIO_FORMAT', `${label}: channel ${channel} asked for, but the file has ${fileChannels}`);
  }
  if (stereo) {
    if (channel !== undefined) {
      if (channel >= fileChannels) throw new MixhostError('E_AUDIO_FORMAT', `${label}: a stereo channel needs channels ${channel} and ${channel + 1}, but the file has ${fileChannels}`);
      return [channel - 1, channel];
    }
    return fileChannels >= 2 ? [0, 1] : [0, 0];
  }
  if (channel !== undefined) return [channel - 1];
  return [fileChannels === 1 ? 0 : -1];
}

/** Decode a whole file into memory through its reader (for the resampler). */
function readWhole(reader: WavFileReader): Float32Array[] {
  const chans = Array.from({ length: reader.channels }, () => new Float32Array(reader.frames));
  reader.seek(0);
  reader.read(chans, 0, reader.frames);
  return chans;
}

export async function loadRenderInputs(session: Session, layout: MixLayout, sessionDir: string, forcedRate?: number): Promise<RenderInputs> {
  const notes: string[] = [];
  const readers = new Map<string, WavFileReader>();
  const sources = new Map<string, FrameSource>();
  const closeAll = (): void => {
    for (const r of readers.values()) r.close();
  };
  try {
    const channels = session.channels;
    // Open every file once (a file may feed several channels); only its header is read here.
    for (const c of channels) {
      const src: Source = c.source;
      if (src && 'file' in src && !readers.has(src.file)) {
        const reader = new WavFileReader(path.resolve(sessionDir, src.file));
        readers.set(src.file, reader);
        notes.push(...reader.warnings);
      }
    }
    const firstFile = readers.values().next().value as WavFileReader | undefined;
    const sampleRate = forcedRate ?? session.sampleRate ?? firstFile?.sampleRate ?? DEFAULT_SAMPLE_RATE;
    for (const [name, reader] of readers) {
      if (reader.sampleRate === sampleRate) {
        sources.set(name, new StreamSource(reader));
        continue;
      }
      notes.push(`${name}: resampled from ${reader.sampleRate} Hz to ${sampleRate} Hz`);
      const whole = readWhole(reader);
      reader.close();
      sources.set(name, new MemorySource(whole.map((x) => resample(x, reader.sampleRate, sampleRate))));
    }
    const demos = new Map<DemoStem, MemorySource>();
    const inputs: InputStream[] = [];
    let frames = 0;
    channels.forEach((c, i) => {
      const stereo = layout.channels[i]?.stereo ?? false;
      const label = `channels[${i}]`;
      const src: Source = c.source;
      let from: FrameSource | undefined;
      let picks: number[] = [];
      if (!src) from = undefined;
      else if ('file' in src) {
        from = sources.get(src.file)!;
        picks = fit(from.data.length, stereo, src.channel, `${label} (${src.file})`);
      } else if ('demo' in src) {
        const name = src.demo as DemoStem;
        if (!DEMO_STEMS.includes(name)) throw new MixhostError('E_SESSION_INVALID', `${label}.source.demo: unknown demo stem '${src.demo}'`);
        const stem = demos.get(name) ?? new MemorySource(synthDemoStem(name, sampleRate, DEMO_SECONDS));
        demos.set(name, stem);
        from = stem;
        picks = fit(stem.data.length, stereo, undefined, label);
      } else {
        notes.push(`${label}: live input ${src.input} is silent in an offline render`);
      }
      if (!from) {
        const silent = new SilentInput();
        inputs.push(silent);
        if (stereo) inputs.push(silent);
        return;
      }
      frames = Math.max(frames, from.frames);
      for (const k of picks) inputs.push(new SourceInput(from, k));
    });
    if (inputs.length !== inputCount(layout)) throw new Error(`internal: ${inputs.length} inputs for a layout of ${inputCount(layout)}`);
    return { sampleRate, inputs, frames, notes, close: closeAll };
  } catch (e) {
    closeAll();
    throw e;
  }
}
