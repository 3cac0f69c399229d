/**
 * Streaming WAV reading: `WavFileReader` keeps the audio on disk and decodes it block by block,
 * so a render of a long multitrack holds a few hundred kilobytes per stem instead of the whole
 * stem.
 *
 * It reads what `decodeWav` (src/audio/wav.ts) reads, with the same results sample for sample,
 * the same warnings and the same error codes and messages: RIFF/WAVE, RF64 and BW64; chunks in
 * any order, odd-sized chunks with or without their pad byte; integer PCM of 8/16/24/32 bits,
 * IEEE float of 32/64 bits, WAVE_FORMAT_EXTENSIBLE; a truncated `data` chunk gives the whole
 * frames present and a warning. The chunk walk below mirrors the one in `decodeWav` step for
 * step, reading each chunk header from the file instead of from memory; the format parsing and
 * the sample conversion are the very functions `decodeWav` uses.
 *
 * 24-bit stereo PCM, the usual master format, has a faster path on little-endian hosts: two frames
 * are 12 bytes, read as three 32-bit words w0 w1 w2 (bytes L0 R0 L1 R1), and each sample is built
 * in the top 24 bits of an int32 exactly as `decodeChannel` builds it from single bytes:
 * L0 = w0 << 8, R0 = (w0 >>> 24) << 8 | w1 << 16, L1 = (w1 >>> 16) << 8 | w2 << 24,
 * R1 = w2 & ~0xff, each divided by 2^31 (the same values, a quarter of the loads). Where
 * WebAssembly SIMD runs, the bytes are read into a decoder's memory instead and decoded four
 * frames a step (src/audio/pcm-wasm.ts), to the same values bit for bit.
 *
 * Errors: E_AUDIO_READ for file system problems (in plain words: "file not found", "is a
 * directory"...), E_WAV_NOT_WAV / E_WAV_MALFORMED / E_WAV_UNSUPPORTED for the file's contents,
 * E_AUDIO_ARG for impossible arguments to `read` or `seek`.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MixhostError } from '../model/errors.js';
import { Pcm24StereoDecoder, pcmKernelsAvailable } from './pcm-wasm.js';
import { decodeChannel, fsReason, isChunkId, notWav, parseFmt, TAG_PCM, type Fmt } from './wav.js';

/** Size of the reusable read buffer; each disk read fetches at most this many bytes (whole frames). */
export const WAV_READ_BYTES = 1 << 18;

const U32_UNKNOWN = 0xffffffff;

/** Typed-array views read in the host's byte order; WAV is little-endian. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Decode `frames` frames of 24-bit stereo PCM from the start of `b` (whose `w` view starts at the
 * same byte) into `l` and `r` from index `at` (see the header comment).
 */
function decodePcm24Stereo(w: Int32Array, b: Uint8Array, frames: number, l: Float32Array, r: Float32Array, at: number): void {
  const pairs = frames >> 1;
  if ((frames & 1) !== 0) {
    // The odd last frame, byte by byte (first, so that the loop is the function's last code).
    const p = pairs * 12;
    const k = at + frames - 1;
    l[k] = ((b[p] << 8) | (b[p + 1] << 16) | (b[p + 2] << 24)) / 2147483648;
    r[k] = ((b[p + 3] << 8) | (b[p + 4] << 16) | (b[p + 5] << 24)) / 2147483648;
  }
  for (let i = 0, j = 0, k = at; i < pairs; i++, j += 3, k += 2) {
    const w0 = w[j];
    const w1 = w[j + 1];
    const w2 = w[j + 2];
    l[k] = (w0 << 8) / 2147483648;
    r[k] = (((w0 >>> 24) << 8) | (w1 << 16)) / 2147483648;
    l[k + 1] = (((w1 >>> 16) << 8) | (w2 << 24)) / 2147483648;
    r[k + 1] = (w2 & -256) / 2147483648;
  }
}

function readError(path: string, e: unknown): MixhostError {
  if (e instanceof MixhostError) return e;
  return new MixhostError('E_AUDIO_READ', `${path}: ${fsReason(e)}`);
}

/** Read up to `n` bytes at file position `pos` into `into` (from 0); returns the count read (short only at the end of the file). */
function preadInto(fd: number, into: Uint8Array, n: number, pos: number, path: string): number {
  let done = 0;
  while (done < n) {
    let r: number;
    try {
      r = readSync(fd, into, done, n - done, pos + done);
    } catch (e) {
      throw readError(path, e);
    }
    if (r === 0) break;
    done += r;
  }
  return done;
}

function fourccAt(b: Uint8Array, off: number): string {
  return String.fromCharCode(b[off], b[off + 1], b[off + 2], b[off + 3]);
}

interface DataLayout {
  fmt: Fmt;
  dataOff: number;
  frames: number;
  warnings: string[];
}

/** Walk the chunks of the file open on `fd` (`len` bytes) exactly as `decodeWav` walks a buffer. */
function scanWav(fd: number, len: number, name: string): DataLayout {
  const head = new Uint8Array(16);
  const hv = new DataView(head.buffer);
  if (len < 12) throw notWav(name, head.subarray(0, preadInto(fd, head, len, 0, name)));
  preadInto(fd, head, 12, 0, name);
  const riff = fourccAt(head, 0);
  const rf64 = riff === 'RF64' || riff === 'BW64';
  if ((riff !== 'RIFF' && !rf64) || fourccAt(head, 8) !== 'WAVE') throw notWav(name, head.subarray(0, 12));
  const warnings: string[] = [];
  const riffField = hv.getUint32(4, true);

  let fmt: Fmt | undefined;
  let dataOff = -1;
  let dataSize = 0;
  let dataDeclared = 0;
  let ds64Data = -1;
  let off = 12;
  while (off + 8 <= len) {
    preadInto(fd, head, 8, off, name);
    const id = fourccAt(head, 0);
    const size = hv.getUint32(4, true);
    const body = off + 8;
    if (id === 'ds64' && size >= 16 && body + 16 <= len) {
      preadInto(fd, head, 16, body, name);
      ds64Data = hv.getUint32(8, true) + hv.getUint32(12, true) * 2 ** 32;
    } else if (id === 'fmt ' && !fmt) {
      if (body + size > len) throw new MixhostError('E_WAV_MALFORMED', `${name}: fmt chunk is truncated`);
      // parseFmt looks at no more than the first 40 bytes (the WAVE_FORMAT_EXTENSIBLE size).
      const fb = new Uint8Array(40);
      preadInto(fd, fb, Math.min(size, 40), body, name);
      fmt = parseFmt(fb, new DataView(fb.buffer), 0, size, name);
    } else if (id === 'data' && dataOff < 0) {
      let declared = size;
      if (rf64 && size === U32_UNKNOWN && ds64Data >= 0) declared = ds64Data;
      else if (size === U32_UNKNOWN || (size === 0 && (riffField === 0 || riffField === U32_UNKNOWN))) {
        declared = len - body;
        warnings.push(`${name}: data size not set (file written as a stream); reading to the end of the file`);
      }
      dataOff = body;
      dataDeclared = declared;
      dataSize = Math.min(declared, len - body);
      if (body + declared >= len) break;
    }
    let next = body + size + (size & 1);
    if (size & 1 && next - 1 < len) {
      // The pad-byte check of decodeWav on a 5-byte window starting one byte before `next`.
      const w = head.subarray(0, preadInto(fd, head, Math.min(5, len - (next - 1)), next - 1, name));
      if (!isChunkId(w, 1) && isChunkId(w, 0)) next -= 1;
    }
    if (next <= off) break;
    off = next;
  }
  if (!fmt) throw new MixhostError('E_WAV_MALFORMED', `${name}: missing fmt chunk`);
  if (dataOff < 0) throw new MixhostError('E_WAV_MALFORMED', `${name}: missing data chunk`);

  const frameBytes = fmt.channels * fmt.bytesPerSample;
  const frames = Math.floor(dataSize / frameBytes);
  if (dataDeclared > dataSize) {
    warnings.push(
      `${name}: data chunk truncated: declares ${Math.floor(dataDeclared / frameBytes)} frames, decoded the ${frames} whole frames present`,
    );
  } else if (dataSize % frameBytes !== 0) {
    warnings.push(`${name}: data chunk ends with a partial frame (${dataSize % frameBytes} bytes ignored)`);
  }
  return { fmt, dataOff, frames, warnings };
}

/**
 * A WAV file open for reading in blocks. The header is read and checked by the constructor;
 * `read` then decodes the next frames straight from disk through one reusable buffer, so it
 * allocates nothing per call. Not safe to share between concurrent readers of different
 * positions: one position per reader.
 */
export class WavFileReader {
  readonly sampleRate: number;
  /** Channels in the file. */
  readonly channels: number;
  /** Whole frames in the data chunk. */
  readonly frames: number;
  /** Problems that did not stop reading (a truncated data chunk...), as `decodeWav` reports them. */
  readonly warnings: readonly string[];
  private readonly fd: number;
  private isOpen = true;
  private pos = 0;
  private readonly tag: number;
  private readonly bps: number;
  private readonly frameBytes: number;
  private readonly dataOff: number;
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  /** The buffer as 32-bit words, for the 24-bit stereo path; null for other formats. */
  private readonly words: Int32Array | null;
  /** The WebAssembly decoder of 24-bit stereo (whose memory holds `buf`), or null. */
  private readonly pcm24: Pcm24StereoDecoder | null;
  /** Frames that fit the buffer. */
  private readonly bufFrames: number;

  /** Open `path` and read its header. `path` also names the file in messages. */
  constructor(readonly path: string) {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw readError(path, e);
    }
    try {
      let len: number;
      try {
        const st = fstatSync(fd);
        // Opening a folder for reading succeeds on some systems; say what readFile would.
        if (st.isDirectory()) throw new MixhostError('E_AUDIO_READ', `${path}: is a directory`);
        len = st.size;
      } catch (e) {
        throw readError(path, e);
      }
      const l = scanWav(fd, len, path);
      this.sampleRate = l.fmt.sampleRate;
      this.channels = l.fmt.channels;
      this.frames = l.frames;
      this.warnings = l.warnings;
      this.tag = l.fmt.tag;
      this.bps = l.fmt.bytesPerSample;
      this.frameBytes = l.fmt.channels * l.fmt.bytesPerSample;
      this.dataOff = l.dataOff;
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    this.fd = fd;
    this.bufFrames = Math.max(1, Math.min(this.frames, Math.floor(WAV_READ_BYTES / this.frameBytes)));
    const pcm24Stereo = this.tag === TAG_PCM && this.bps === 3 && this.channels === 2;
    this.pcm24 = pcm24Stereo && pcmKernelsAvailable() ? new Pcm24StereoDecoder(this.bufFrames) : null;
    this.buf = this.pcm24 ? this.pcm24.raw : Buffer.alloc(this.bufFrames * this.frameBytes);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.words =
      pcm24Stereo && this.pcm24 === null && LITTLE_ENDIAN && this.buf.byteOffset % 4 === 0
        ? new Int32Array(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength >> 2)
        : null;
  }

  /** The frame the next `read` starts at. */
  get position(): number {
    return this.pos;
  }

  /**
   * Decode up to `frames` frames from the current position into `dst` (one array per file
   * channel) starting at index `offset`, and advance. Returns the frames read: fewer than asked
   * at the end of the file, 0 once there.
   */
  read(dst: readonly Float32Array[], offset: number, frames: number): number {
    if (!this.isOpen) throw new MixhostError('E_AUDIO_READ', `${this.path}: read after close`);
    if (dst.length !== this.channels) {
      throw new MixhostError('E_AUDIO_ARG', `${this.path}: ${dst.length} output arrays given, the file has ${this.channels} channels`);
    }
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(frames) || frames < 0) {
      throw new MixhostError('E_AUDIO_ARG', `${this.path}: invalid read of ${frames} frames at offset ${offset}`);
    }
    const n = Math.min(frames, this.frames - this.pos);
    if (n <= 0) return 0;
    for (let c = 0; c < dst.length; c++) {
      if (dst[c].length < offset + n) {
        throw new MixhostError('E_AUDIO_ARG', `${this.path}: output array ${c + 1} holds ${dst[c].length} samples, ${offset + n} needed`);
      }
    }
    const nch = this.channels;
    const bps = this.bps;
    const stride = this.frameBytes;
    for (let done = 0; done < n; ) {
      const k = Math.min(this.bufFrames, n - done);
      const bytes = k * stride;
      const got = preadInto(this.fd, this.buf, bytes, this.dataOff + (this.pos + done) * stride, this.path);
      if (got < bytes) throw new MixhostError('E_AUDIO_READ', `${this.path}: the file got shorter while it was being read`);
      if (this.pcm24 !== null) this.pcm24.decode(k, dst[0], dst[1], offset + done);
      else if (this.words !== null) decodePcm24Stereo(this.words, this.buf, k, dst[0], dst[1], offset + done);
      else for (let c = 0; c < nch; c++) decodeChannel(this.buf, this.view, c * bps, stride, k, this.tag, bps, dst[c], offset + done);
      done += k;
    }
    this.pos += n;
    return n;
  }

  /** Move to frame `frame` (0 to `frames`). */
  seek(frame: number): void {
    if (!Number.isInteger(frame) || frame < 0 || frame > this.frames) {
      throw new MixhostError('E_AUDIO_ARG', `${this.path}: cannot seek to frame ${frame} of ${this.frames}`);
    }
    this.pos = frame;
  }

  /** Close the file; further reads fail. Closing twice is harmless. */
  close(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    try {
      closeSync(this.fd);
    } catch {
      // the descriptor is gone either way
    }
  }
}
