/**
 * WAV reading and writing.
 *
 * Reading (`decodeWav`): RIFF/WAVE, RF64 and BW64 (EBU Tech 3306 / ITU-R BS.2088, for files over
 * 4 GiB); chunks in any order; odd-sized chunks padded to even length (and tolerated when a
 * writer forgot the pad byte); format tag 1 (integer PCM, 8-bit unsigned, 16/24/32-bit signed,
 * or fewer valid bits left-justified in such a container), tag 3 (IEEE float, 32/64-bit) and
 * 0xFFFE (WAVE_FORMAT_EXTENSIBLE with the PCM or IEEE-float subformat GUID); any channel count.
 * Integers are scaled by the full scale of their container: 16-bit / 32768, 24-bit / 8388608,
 * 32-bit / 2147483648, 8-bit (x − 128) / 128, so −full scale maps to exactly −1.
 * A truncated `data` chunk decodes the whole frames present and says so in `warnings`.
 *
 * Writing (`encodeWav`, `WavWriter`): 16-bit and 24-bit integer PCM and 32-bit float. The header
 * follows what ffmpeg and sox write and what every DAW reads: plain format tag 1 for 16-bit mono
 * or stereo; WAVE_FORMAT_EXTENSIBLE (with a channel mask for the usual layouts) whenever there
 * are more than two channels or more than 16 bits, as the Microsoft specification asks; a
 * `fact` chunk for float. Integer conversion scales by 2^(bits−1), rounds half away from zero
 * and clips to [−2^(bits−1), 2^(bits−1) − 1], so decode→encode of integer data is exact.
 * Dither is off by default; `{ dither: 'tpdf' }` adds triangular dither of ±1 LSB from a seeded
 * generator, so a render stays bit-identical from run to run. NaN becomes 0 in integer formats;
 * float output is written as given.
 *
 * Error codes: E_WAV_NOT_WAV (not a RIFF/WAVE file), E_WAV_MALFORMED (missing or damaged chunks,
 * zero channels, absurd sample rate, inconsistent block size), E_WAV_UNSUPPORTED (an encoding
 * other than the ones above), E_AUDIO_ARG (invalid arguments to the writers), E_AUDIO_READ and
 * E_AUDIO_WRITE (file system errors).
 */
// Start-up: `mixhost measure` loads this module, so it imports neither node:crypto nor the
// node:fs/promises facade (each costs milliseconds to load); fs.promises is already there.
import { closeSync, fsyncSync, openSync, promises as fsp, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MixhostError } from '../model/errors.js';

export interface AudioData {
  sampleRate: number;
  /** One array per channel, all of the same length. */
  channels: Float32Array[];
  /** Problems that did not stop decoding (for example a truncated data chunk). */
  warnings?: string[];
}

export type WavEncoding = 'pcm16' | 'pcm24' | 'float32';

export interface WavEncodeOptions {
  /** 'none' (default) or 'tpdf': triangular dither of ±1 LSB before integer rounding. */
  dither?: 'none' | 'tpdf';
  /** Seed of the dither generator (any non-zero 32-bit integer). */
  ditherSeed?: number;
}

/** Sample rates outside this range are treated as a damaged header. */
export const MIN_WAV_RATE = 1000;
export const MAX_WAV_RATE = 1_536_000;

/** Format tag of integer PCM. */
export const TAG_PCM = 1;
const TAG_FLOAT = 3;
const TAG_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of the KSDATAFORMAT_SUBTYPE_* GUIDs; bytes 0..1 hold the format tag. */
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
const U32_UNKNOWN = 0xffffffff;

const TAG_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG audio',
  0x0055: 'MPEG Layer 3',
  0x0092: 'Dolby AC-3 (SPDIF)',
  0x0161: 'Windows Media Audio',
  0x2000: 'Dolby AC-3',
  0xf1ac: 'FLAC',
};

function fourcc(b: Uint8Array, off: number): string {
  return String.fromCharCode(b[off], b[off + 1], b[off + 2], b[off + 3]);
}

export function isChunkId(b: Uint8Array, off: number): boolean {
  if (off + 4 > b.length) return false;
  for (let i = 0; i < 4; i++) if (b[off + i] < 0x20 || b[off + i] > 0x7e) return false;
  return true;
}

export function notWav(name: string, b: Uint8Array): MixhostError {
  let hint = '';
  if (b.length >= 4) {
    const id = fourcc(b, 0);
    if (id === 'FORM') hint = ' (it looks like an AIFF file)';
    else if (id === 'fLaC') hint = ' (it looks like a FLAC file)';
    else if (id === 'OggS') hint = ' (it looks like an Ogg file)';
    else if (id === 'RIFX') hint = ' (big-endian RIFX WAV is not supported)';
    else if (id.startsWith('ID3') || (b[0] === 0xff && (b[1] & 0xe0) === 0xe0)) hint = ' (it looks like an MP3 file)';
  }
  return new MixhostError('E_WAV_NOT_WAV', `${name}: not a RIFF/WAVE file${hint}`);
}

export interface Fmt {
  tag: number; // effective tag (PCM or float) after resolving EXTENSIBLE
  rawTag: number;
  channels: number;
  sampleRate: number;
  bits: number;
  bytesPerSample: number; // container size
}

export function parseFmt(b: Uint8Array, dv: DataView, off: number, size: number, name: string): Fmt {
  if (size < 16) throw new MixhostError('E_WAV_MALFORMED', `${name}: fmt chunk is too short (${size} bytes, need 16)`);
  const rawTag = dv.getUint16(off, true);
  const channels = dv.getUint16(off + 2, true);
  const sampleRate = dv.getUint32(off + 4, true);
  const blockAlign = dv.getUint16(off + 12, true);
  const bits = dv.getUint16(off + 14, true);
  let tag = rawTag;
  if (rawTag === TAG_EXTENSIBLE) {
    if (size < 40) throw new MixhostError('E_WAV_MALFORMED', `${name}: WAVE_FORMAT_EXTENSIBLE fmt chunk is too short (${size} bytes, need 40)`);
    const sub = off + 24;
    tag = dv.getUint16(sub, true);
    let known = true;
    for (let i = 0; i < GUID_TAIL.length; i++) if (b[sub + 2 + i] !== GUID_TAIL[i]) known = false;
    if (!known || (tag !== TAG_PCM && tag !== TAG_FLOAT)) {
      const what = known ? `${bits}-bit ${TAG_NAMES[tag] ?? 'unknown'} (extensible subformat ${tag})` : `${bits}-bit unknown extensible subformat`;
      throw new MixhostError('E_WAV_UNSUPPORTED', `${name}: unsupported WAV encoding: ${what}; use 16/24/32-bit PCM or 32/64-bit float`);
    }
  }
  const unsupported = (): MixhostError => {
    const kind = tag === TAG_PCM ? 'PCM' : tag === TAG_FLOAT ? 'float' : (TAG_NAMES[tag] ?? 'unknown encoding');
    return new MixhostError(
      'E_WAV_UNSUPPORTED',
      `${name}: unsupported WAV encoding: ${bits}-bit ${kind} (format tag ${rawTag}); use 16/24/32-bit PCM or 32/64-bit float`,
    );
  };
  if (tag !== TAG_PCM && tag !== TAG_FLOAT) throw unsupported();
  if (channels === 0) throw new MixhostError('E_WAV_MALFORMED', `${name}: the fmt chunk declares zero channels`);
  if (sampleRate < MIN_WAV_RATE || sampleRate > MAX_WAV_RATE) {
    throw new MixhostError('E_WAV_MALFORMED', `${name}: absurd sample rate ${sampleRate} Hz (expected ${MIN_WAV_RATE} to ${MAX_WAV_RATE})`);
  }
  if (bits === 0) throw new MixhostError('E_WAV_MALFORMED', `${name}: the fmt chunk declares 0 bits per sample`);
  // The container size comes from the block alignment when that is consistent, so fewer valid
  // bits (e.g. 20 in 24, 24 in 32) decode as left-justified samples of the container.
  const minBytes = Math.ceil(bits / 8);
  let bytesPerSample = minBytes;
  if (blockAlign !== channels * minBytes) {
    if (blockAlign % channels === 0 && blockAlign / channels >= minBytes) bytesPerSample = blockAlign / channels;
    else {
      throw new MixhostError(
        'E_WAV_MALFORMED',
        `${name}: block align ${blockAlign} does not fit ${channels} channel(s) of ${bits}-bit samples`,
      );
    }
  }
  if (tag === TAG_PCM && (bytesPerSample < 1 || bytesPerSample > 4)) throw unsupported();
  if (tag === TAG_FLOAT && !((bytesPerSample === 4 && bits === 32) || (bytesPerSample === 8 && bits === 64))) throw unsupported();
  return { tag, rawTag, channels, sampleRate, bits, bytesPerSample };
}

/** Decode a WAV file held in memory. `name` is used in error messages (usually the file name). */
export function decodeWav(buf: Uint8Array, name = 'input'): AudioData {
  const b = buf;
  if (b.length < 12) throw notWav(name, b);
  const riff = fourcc(b, 0);
  const rf64 = riff === 'RF64' || riff === 'BW64';
  if ((riff !== 'RIFF' && !rf64) || fourcc(b, 8) !== 'WAVE') throw notWav(name, b);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const warnings: string[] = [];
  const riffField = dv.getUint32(4, true);

  let fmt: Fmt | undefined;
  let dataOff = -1;
  let dataSize = 0;
  let dataDeclared = 0;
  let ds64Data = -1;
  let off = 12;
  while (off + 8 <= b.length) {
    const id = fourcc(b, off);
    const size = dv.getUint32(off + 4, true);
    const body = off + 8;
    if (id === 'ds64' && size >= 16 && body + 16 <= b.length) {
      ds64Data = dv.getUint32(body + 8, true) + dv.getUint32(body + 12, true) * 2 ** 32;
    } else if (id === 'fmt ' && !fmt) {
      if (body + size > b.length) throw new MixhostError('E_WAV_MALFORMED', `${name}: fmt chunk is truncated`);
      fmt = parseFmt(b, dv, body, size, name);
    } else if (id === 'data' && dataOff < 0) {
      let declared = size;
      if (rf64 && size === U32_UNKNOWN && ds64Data >= 0) declared = ds64Data;
      else if (size === U32_UNKNOWN || (size === 0 && (riffField === 0 || riffField === U32_UNKNOWN))) {
        // A writer that streamed to a pipe could not go back to fill in the sizes.
        declared = b.length - body;
        warnings.push(`${name}: data size not set (file written as a stream); reading to the end of the file`);
      }
      dataOff = body;
      dataDeclared = declared;
      dataSize = Math.min(declared, b.length - body);
      if (body + declared >= b.length) break; // nothing can follow the data we have
    }
    let next = body + size + (size & 1);
    // Some writers omit the pad byte after an odd-sized chunk: accept the unpadded position when
    // only it starts a plausible chunk.
    if (size & 1 && !isChunkId(b, next) && isChunkId(b, next - 1)) next -= 1;
    if (next <= off) break;
    off = next;
  }
  if (!fmt) throw new MixhostError('E_WAV_MALFORMED', `${name}: missing fmt chunk`);
  if (dataOff < 0) throw new MixhostError('E_WAV_MALFORMED', `${name}: missing data chunk`);

  const nch = fmt.channels;
  const bps = fmt.bytesPerSample;
  const frameBytes = nch * bps;
  const frames = Math.floor(dataSize / frameBytes);
  if (dataDeclared > dataSize) {
    warnings.push(
      `${name}: data chunk truncated: declares ${Math.floor(dataDeclared / frameBytes)} frames, decoded the ${frames} whole frames present`,
    );
  } else if (dataSize % frameBytes !== 0) {
    warnings.push(`${name}: data chunk ends with a partial frame (${dataSize % frameBytes} bytes ignored)`);
  }

  const channels: Float32Array[] = [];
  for (let c = 0; c < nch; c++) channels.push(new Float32Array(frames));
  for (let c = 0; c < nch; c++) decodeChannel(b, dv, dataOff + c * bps, frameBytes, frames, fmt.tag, bps, channels[c]);
  return { sampleRate: fmt.sampleRate, channels, warnings };
}

/** Decode one channel of interleaved samples starting at byte `start` into `out` from index `at`. */
export function decodeChannel(b: Uint8Array, dv: DataView, start: number, stride: number, frames: number, tag: number, bps: number, out: Float32Array, at = 0): void {
  let p = start;
  if (tag === TAG_FLOAT) {
    if (bps === 4) for (let i = 0; i < frames; i++, p += stride) out[at + i] = dv.getFloat32(p, true);
    else for (let i = 0; i < frames; i++, p += stride) out[at + i] = dv.getFloat64(p, true);
    return;
  }
  switch (bps) {
    case 1:
      for (let i = 0; i < frames; i++, p += stride) out[at + i] = (b[p] - 128) / 128;
      break;
    case 2:
      for (let i = 0; i < frames; i++, p += stride) out[at + i] = dv.getInt16(p, true) / 32768;
      break;
    case 3:
      for (let i = 0; i < frames; i++, p += stride) {
        // Assemble in the top 24 bits of an int32 so the sign extends for free.
        out[at + i] = ((b[p] << 8) | (b[p + 1] << 16) | (b[p + 2] << 24)) / 2147483648;
      }
      break;
    default:
      for (let i = 0; i < frames; i++, p += stride) out[at + i] = dv.getInt32(p, true) / 2147483648;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

interface Layout {
  channels: number;
  sampleRate: number;
  bytesPerSample: number;
  float: boolean;
  extensible: boolean;
}

const BYTES: Record<WavEncoding, number> = { pcm16: 2, pcm24: 3, float32: 4 };

function layoutOf(sampleRate: number, channels: number, encoding: WavEncoding): Layout {
  const bytesPerSample = BYTES[encoding];
  if (bytesPerSample === undefined) throw new MixhostError('E_AUDIO_ARG', `unknown WAV encoding '${String(encoding)}' (use pcm16, pcm24 or float32)`);
  if (!Number.isInteger(channels) || channels < 1 || channels > 65535) {
    throw new MixhostError('E_AUDIO_ARG', `cannot write a WAV file with ${channels} channels`);
  }
  if (!Number.isInteger(sampleRate) || sampleRate < MIN_WAV_RATE || sampleRate > MAX_WAV_RATE) {
    throw new MixhostError('E_AUDIO_ARG', `cannot write a WAV file at ${sampleRate} Hz (a whole number from ${MIN_WAV_RATE} to ${MAX_WAV_RATE} is needed)`);
  }
  const float = encoding === 'float32';
  return { channels, sampleRate, bytesPerSample, float, extensible: channels > 2 || bytesPerSample > 2 };
}

/**
 * Speaker positions (dwChannelMask) for the usual layouts: mono FC, stereo FL FR, 3.0, quad,
 * 5.0, 5.1, 7.1; 0 ("not specified") for any other count.
 */
const CHANNEL_MASKS: Record<number, number> = { 1: 0x4, 2: 0x3, 3: 0x7, 4: 0x33, 5: 0x37, 6: 0x3f, 8: 0x63f };

/** Size of the header written by writeHeader (with `junk` a 36-byte reserve for an RF64 ds64). */
function headerSize(l: Layout, junk: boolean): number {
  return 12 + (junk ? 36 : 0) + 8 + (l.extensible ? 40 : 16) + (l.float ? 12 : 0) + 8;
}

/**
 * Write the header for `frames` frames into `dv` at 0. With `junk`, a JUNK chunk reserves room
 * for a ds64 chunk, so a long render can become RF64 at close without moving the audio.
 * Returns the header size.
 */
function writeHeader(dv: DataView, l: Layout, frames: number, junk: boolean): number {
  const u8 = new Uint8Array(dv.buffer, dv.byteOffset, dv.byteLength);
  const put = (off: number, s: string): void => {
    for (let i = 0; i < 4; i++) u8[off + i] = s.charCodeAt(i);
  };
  const hs = headerSize(l, junk);
  const blockAlign = l.channels * l.bytesPerSample;
  const dataBytes = frames * blockAlign;
  const riffSize = hs - 8 + dataBytes + (dataBytes & 1);
  const big = riffSize > U32_UNKNOWN;
  if (big && !junk) throw new MixhostError('E_AUDIO_ARG', 'audio too long for a WAV file held in memory (over 4 GiB)');
  put(0, big ? 'RF64' : 'RIFF');
  dv.setUint32(4, big ? U32_UNKNOWN : riffSize, true);
  put(8, 'WAVE');
  let o = 12;
  if (junk) {
    put(o, big ? 'ds64' : 'JUNK');
    dv.setUint32(o + 4, 28, true);
    for (let i = 0; i < 28; i++) u8[o + 8 + i] = 0;
    if (big) {
      dv.setUint32(o + 8, riffSize % 2 ** 32, true);
      dv.setUint32(o + 12, Math.floor(riffSize / 2 ** 32), true);
      dv.setUint32(o + 16, dataBytes % 2 ** 32, true);
      dv.setUint32(o + 20, Math.floor(dataBytes / 2 ** 32), true);
      dv.setUint32(o + 24, frames % 2 ** 32, true);
      dv.setUint32(o + 28, Math.floor(frames / 2 ** 32), true);
    }
    o += 36;
  }
  put(o, 'fmt ');
  dv.setUint32(o + 4, l.extensible ? 40 : 16, true);
  const tag = l.float ? TAG_FLOAT : TAG_PCM;
  dv.setUint16(o + 8, l.extensible ? TAG_EXTENSIBLE : tag, true);
  dv.setUint16(o + 10, l.channels, true);
  dv.setUint32(o + 12, l.sampleRate, true);
  dv.setUint32(o + 16, l.sampleRate * blockAlign, true);
  dv.setUint16(o + 20, blockAlign, true);
  dv.setUint16(o + 22, l.bytesPerSample * 8, true);
  o += 24;
  if (l.extensible) {
    dv.setUint16(o, 22, true); // cbSize
    dv.setUint16(o + 2, l.bytesPerSample * 8, true); // valid bits
    dv.setUint32(o + 4, CHANNEL_MASKS[l.channels] ?? 0, true);
    dv.setUint16(o + 8, tag, true);
    for (let i = 0; i < GUID_TAIL.length; i++) u8[o + 10 + i] = GUID_TAIL[i];
    o += 24;
  }
  if (l.float) {
    put(o, 'fact');
    dv.setUint32(o + 4, 4, true);
    dv.setUint32(o + 8, big ? U32_UNKNOWN : frames, true);
    o += 12;
  }
  put(o, 'data');
  dv.setUint32(o + 4, big ? U32_UNKNOWN : dataBytes, true);
  return hs;
}

/** xorshift32 step; state must be a non-zero 32-bit integer. */
function xorshift32(s: number): number {
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  return s | 0;
}

/**
 * Sample-format conversion into a byte buffer, shared by encodeWav and WavWriter. Keeps the
 * dither generator state between calls so a streamed render equals an in-memory one.
 */
class SampleConverter {
  private seed: number;
  private readonly dither: boolean;

  constructor(
    private readonly bytesPerSample: number,
    options: WavEncodeOptions | undefined,
  ) {
    this.dither = options?.dither === 'tpdf' && bytesPerSample < 4;
    this.seed = (options?.ditherSeed ?? 0x9e3779b9) | 0 || 1;
  }

  /** Convert frames [from, from+count) of each channel, interleaved, into `dv` at `off`. */
  convert(channels: readonly Float32Array[], from: number, count: number, dv: DataView, off: number): void {
    const nch = channels.length;
    const bps = this.bytesPerSample;
    const stride = nch * bps;
    if (bps === 4) {
      for (let c = 0; c < nch; c++) {
        const x = channels[c];
        let p = off + c * 4;
        for (let i = 0; i < count; i++, p += stride) dv.setFloat32(p, x[from + i], true);
      }
      return;
    }
    const scale = bps === 2 ? 32768 : 8388608;
    const lo = -scale;
    const hi = scale - 1;
    // Interleave frame by frame so the dither sequence does not depend on the channel count split.
    let s = this.seed;
    for (let i = 0; i < count; i++) {
      let p = off + i * stride;
      for (let c = 0; c < nch; c++, p += bps) {
        let v = channels[c][from + i] * scale;
        if (this.dither) {
          s = xorshift32(s);
          const r1 = (s >>> 0) / 4294967296;
          s = xorshift32(s);
          const r2 = (s >>> 0) / 4294967296;
          v += r1 - r2; // triangular on (−1, 1) LSB
        }
        // Round half away from zero; NaN fails both comparisons below and is caught here.
        let q = v >= 0 ? Math.floor(v + 0.5) : -Math.floor(0.5 - v);
        if (q !== q) q = 0;
        else if (q > hi) q = hi;
        else if (q < lo) q = lo;
        if (bps === 2) dv.setInt16(p, q, true);
        else {
          dv.setUint8(p, q & 0xff);
          dv.setUint8(p + 1, (q >> 8) & 0xff);
          dv.setUint8(p + 2, (q >> 16) & 0xff);
        }
      }
    }
    this.seed = s;
  }
}

function checkChannels(channels: readonly Float32Array[], frames: number, what: string): void {
  for (let c = 0; c < channels.length; c++) {
    if (channels[c].length < frames) {
      throw new MixhostError('E_AUDIO_ARG', `${what}: channel ${c + 1} has ${channels[c].length} samples, ${frames} needed`);
    }
  }
}

/** Encode audio as a complete WAV file in memory. */
export function encodeWav(audio: AudioData, encoding: WavEncoding, options?: WavEncodeOptions): Uint8Array {
  const chans = audio.channels;
  const l = layoutOf(audio.sampleRate, chans.length, encoding);
  const frames = chans[0].length;
  for (let c = 1; c < chans.length; c++) {
    if (chans[c].length !== frames) {
      throw new MixhostError('E_AUDIO_ARG', `cannot encode WAV: channel ${c + 1} has ${chans[c].length} samples, channel 1 has ${frames}`);
    }
  }
  const hs = headerSize(l, false);
  const dataBytes = frames * l.channels * l.bytesPerSample;
  const out = new Uint8Array(hs + dataBytes + (dataBytes & 1));
  const dv = new DataView(out.buffer);
  writeHeader(dv, l, frames, false);
  new SampleConverter(l.bytesPerSample, options).convert(chans, 0, frames, dv, hs);
  return out;
}

/** Frames converted per write to disk; larger writes go through in pieces of this size. */
const WRITER_FRAMES = 8192;

/**
 * Streaming WAV writer for long renders. Audio goes to a temporary file next to the target,
 * which is renamed onto the target only by `close()`, so a failed render never leaves a partial
 * file at the target path (`abort()` removes the temporary file). `write` reuses one buffer and
 * allocates nothing. Files that grow past 4 GiB are written as RF64.
 */
export class WavWriter {
  readonly tempPath: string;
  private fd: number;
  private readonly layout: Layout;
  private readonly conv: SampleConverter;
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  private readonly hs: number;
  private frames = 0;
  private pos: number;
  private open = true;

  constructor(
    readonly path: string,
    sampleRate: number,
    channels: number,
    readonly encoding: WavEncoding,
    options?: WavEncodeOptions,
  ) {
    this.layout = layoutOf(sampleRate, channels, encoding);
    this.conv = new SampleConverter(this.layout.bytesPerSample, options);
    this.buf = new Uint8Array(WRITER_FRAMES * channels * this.layout.bytesPerSample);
    this.view = new DataView(this.buf.buffer);
    this.hs = headerSize(this.layout, true);
    const tag = Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
    this.tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.${tag}.part`);
    try {
      this.fd = openSync(this.tempPath, 'wx');
    } catch (e) {
      throw writeError(path, e);
    }
    const header = new Uint8Array(this.hs);
    writeHeader(new DataView(header.buffer), this.layout, 0, true);
    this.pos = 0;
    this.put(header, this.hs);
  }

  /** Frames written so far. */
  get framesWritten(): number {
    return this.frames;
  }

  /** Append `frames` frames from one array per channel. */
  write(channels: readonly Float32Array[], frames: number): void {
    if (!this.open) throw new MixhostError('E_AUDIO_WRITE', `${this.path}: write after close`);
    if (channels.length !== this.layout.channels) {
      throw new MixhostError('E_AUDIO_ARG', `${this.path}: ${channels.length} channels given, the file has ${this.layout.channels}`);
    }
    if (!Number.isInteger(frames) || frames < 0) throw new MixhostError('E_AUDIO_ARG', `${this.path}: invalid frame count ${frames}`);
    checkChannels(channels, frames, this.path);
    const frameBytes = this.layout.channels * this.layout.bytesPerSample;
    for (let done = 0; done < frames; ) {
      const n = Math.min(WRITER_FRAMES, frames - done);
      this.conv.convert(channels, done, n, this.view, 0);
      this.put(this.buf, n * frameBytes);
      done += n;
    }
    this.frames += frames;
  }

  /** Finish the header, flush to disk and move the file onto the target path. */
  close(): void {
    if (!this.open) return;
    try {
      const dataBytes = this.frames * this.layout.channels * this.layout.bytesPerSample;
      if (dataBytes & 1) {
        this.buf[0] = 0;
        this.put(this.buf, 1);
      }
      const header = new Uint8Array(this.hs);
      writeHeader(new DataView(header.buffer), this.layout, this.frames, true);
      writeSync(this.fd, header, 0, this.hs, 0);
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.open = false;
      renameSync(this.tempPath, this.path);
    } catch (e) {
      this.abort();
      throw writeError(this.path, e);
    }
  }

  /** Give up: close and delete the temporary file; the target path is left untouched. */
  abort(): void {
    if (this.open) {
      this.open = false;
      try {
        closeSync(this.fd);
      } catch {
        // already closed or never valid: nothing more to release
      }
    }
    try {
      unlinkSync(this.tempPath);
    } catch {
      // already gone
    }
  }

  private put(bytes: Uint8Array, n: number): void {
    try {
      let done = 0;
      while (done < n) {
        const w = writeSync(this.fd, bytes, done, n - done, this.pos);
        done += w;
        this.pos += w;
      }
    } catch (e) {
      this.abort();
      throw writeError(this.path, e);
    }
  }
}

const FS_REASONS: Record<string, string> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOSPC: 'no space left on device',
  ENOTDIR: 'a parent of the path is not a directory',
  EROFS: 'read-only file system',
};

export function fsReason(e: unknown): string {
  const code = (e as { code?: string } | null)?.code;
  return (code && FS_REASONS[code]) || (e instanceof Error ? e.message : String(e));
}

function writeError(path: string, e: unknown): MixhostError {
  if (e instanceof MixhostError) return e;
  const code = (e as { code?: string } | null)?.code;
  // For a write, a missing file means the folder is missing.
  const reason = code === 'ENOENT' ? 'folder not found' : fsReason(e);
  return new MixhostError('E_AUDIO_WRITE', `${path}: cannot write: ${reason}`);
}

/** Read and decode a WAV file. File system errors become `E_AUDIO_READ`. */
export async function readWavFile(path: string): Promise<AudioData> {
  let bytes: Uint8Array;
  try {
    bytes = await fsp.readFile(path);
  } catch (e) {
    throw new MixhostError('E_AUDIO_READ', `${path}: ${fsReason(e)}`);
  }
  return decodeWav(bytes, path);
}
