import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav, type AudioData } from '../../src/audio/wav.js';
import { WAV_READ_BYTES, WavFileReader } from '../../src/audio/wav-reader.js';
import { MixhostError } from '../../src/model/registry.js';
import { bytes, u16, u32, i16, chunk, riff, fmt, fmtExt } from '../helpers/wav-bytes.js';

// ---------------------------------------------------------------------------------------------
// Hand-built files (builders in tests/helpers/wav-bytes.ts)

function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'mixhost-wav-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
function put(buf: Uint8Array, name = `f${fileNo++}.wav`): string {
  const p = join(dir, name);
  writeFileSync(p, buf);
  return p;
}

/**
 * Every sample of `got` equal to `want` bit for bit (so −0 differs from 0), except that any NaN
 * equals any NaN: the engine may canonicalize NaN payloads differently from call to call.
 * Names the first difference.
 */
function expectSame(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const b = new Uint32Array(want.buffer, want.byteOffset, want.length);
  let first = -1;
  for (let i = 0; i < a.length && first < 0; i++) if (a[i] !== b[i] && !(got[i] !== got[i] && want[i] !== want[i])) first = i;
  expect(first, `${what}: first difference at sample ${first}: ${got[first]} vs ${want[first]}`).toBe(-1);
}

/** Read the whole file in blocks of `block` frames. */
function readAll(r: WavFileReader, block: number): Float32Array[] {
  const out = Array.from({ length: r.channels }, () => new Float32Array(r.frames));
  let at = 0;
  for (;;) {
    const got = r.read(out, at, Math.min(block, r.frames - at + 3)); // ask past the end too
    if (got === 0) break;
    expect(got).toBeLessThanOrEqual(block);
    at += got;
  }
  expect(at).toBe(r.frames);
  return out;
}

function errorOf(fn: () => unknown): MixhostError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MixhostError);
    return e as MixhostError;
  }
  throw new Error('expected an error');
}

const openFds = (): number => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : -1);

// ---------------------------------------------------------------------------------------------

const FRAMES = 2501;
const ENCODINGS: Array<[string, (ch: number) => Uint8Array, number]> = [
  ['8-bit PCM', (ch) => fmt(1, ch, 8000, 8), 1],
  ['16-bit PCM', (ch) => fmt(1, ch, 44100, 16), 2],
  ['24-bit PCM', (ch) => fmt(1, ch, 48000, 24), 3],
  ['20 valid bits in 24', (ch) => fmt(1, ch, 48000, 20, ch * 3), 3],
  ['32-bit PCM', (ch) => fmt(1, ch, 96000, 32), 4],
  ['32-bit float', (ch) => fmt(3, ch, 48000, 32), 4],
  ['64-bit float', (ch) => fmt(3, ch, 88200, 64), 8],
  ['extensible 24-bit PCM', (ch) => fmtExt(1, ch, 48000, 24, 24, 0), 3],
  ['extensible 24 in 32-bit', (ch) => fmtExt(1, ch, 48000, 32, 24, 0), 4],
  ['extensible 32-bit float', (ch) => fmtExt(3, ch, 192000, 32, 32, 0), 4],
  ['extensible 64-bit float', (ch) => fmtExt(3, ch, 48000, 64, 64, 0), 8],
];

describe('WavFileReader equals decodeWav', () => {
  let seed = 1;
  for (const [what, fmtOf, bps] of ENCODINGS) {
    for (const nch of [1, 2, 6]) {
      it(`${what}, ${nch} channel(s): blocks of 1, 7, 1000 and all at once, and seeks`, () => {
        // A LIST chunk first and an odd chunk after the data, so the chunk walk has work to do.
        const list = chunk('LIST', bytes('INFOISFT', u32(5), 'abcd', [0], [0]));
        const file = riff(list, fmtOf(nch), chunk('data', noise(FRAMES * nch * bps, seed++)), chunk('odd ', [1, 2, 3]));
        const path = put(file);
        const want = decodeWav(file, path);
        expect(want.channels[0].length).toBe(FRAMES);
        const r = new WavFileReader(path);
        try {
          expect(r.sampleRate).toBe(want.sampleRate);
          expect(r.channels).toBe(nch);
          expect(r.frames).toBe(FRAMES);
          expect(r.warnings).toEqual(want.warnings);
          for (const block of [1, 7, 1000, FRAMES]) {
            r.seek(0);
            const got = readAll(r, block);
            for (let c = 0; c < nch; c++) expectSame(got[c], want.channels[c], `block ${block}, channel ${c + 1}`);
          }
          // Seeks anywhere, reads that end past the end, and an offset into the output arrays.
          const dst = Array.from({ length: nch }, () => new Float32Array(50).fill(99));
          for (const at of [1234, 0, FRAMES - 1, 17, FRAMES - 37, 2000]) {
            r.seek(at);
            expect(r.position).toBe(at);
            const n = r.read(dst, 5, 45);
            expect(n).toBe(Math.min(45, FRAMES - at));
            expect(r.position).toBe(at + n);
            for (let c = 0; c < nch; c++) {
              expect(Array.from(dst[c].subarray(0, 5))).toEqual([99, 99, 99, 99, 99]);
              expectSame(dst[c].subarray(5, 5 + n), want.channels[c].subarray(at, at + n), `seek ${at}, channel ${c + 1}`);
            }
          }
          r.seek(FRAMES);
          expect(r.read(dst, 0, 10)).toBe(0);
        } finally {
          r.close();
        }
      });
    }
  }

  it('a read larger than the reusable buffer goes through in pieces (6-channel 64-bit float)', () => {
    const frames = Math.ceil((2.5 * WAV_READ_BYTES) / 48);
    const file = riff(fmt(3, 6, 48000, 64), chunk('data', noise(frames * 48, 77)));
    const path = put(file);
    const want = decodeWav(file, path);
    const r = new WavFileReader(path);
    const got = Array.from({ length: 6 }, () => new Float32Array(frames + 10));
    expect(r.read(got, 10, frames + 100)).toBe(frames);
    r.close();
    for (let c = 0; c < 6; c++) expectSame(got[c].subarray(10), want.channels[c], `channel ${c + 1}`);
  });
});

/** 16-bit stereo, 3 frames: L = 0, 16384, −32768; R = 32767, −1, 1. */
const STEREO16 = [...i16(0), ...i16(32767), ...i16(16384), ...i16(-1), ...i16(-32768), ...i16(1)];

describe('WavFileReader: chunk layouts and warnings as decodeWav', () => {
  const truncated = ((): Uint8Array => {
    const buf = bytes(riff(fmt(1, 2, 48000, 16)), 'data', u32(40), STEREO16, [7, 7]); // declares 10 frames, 3.5 present
    new DataView(buf.buffer).setUint32(4, buf.length - 8 + 30, true);
    return buf;
  })();
  const ds64 = chunk('ds64', [...u32(0), ...u32(0), ...u32(STEREO16.length), ...u32(0), ...u32(3), ...u32(0), ...u32(0)]);
  const cases: Array<[string, Uint8Array, number, RegExp | undefined]> = [
    ['data before fmt, LIST and odd chunks', riff(chunk('LIST', bytes('INFOISFT', u32(5), 'abcd', [0], [0])), chunk('junk', [1, 2, 3]), chunk('data', STEREO16), fmt(1, 2, 48000, 16)), 3, undefined],
    ['a missing pad byte after an odd chunk', riff(chunk('abcd', [9, 9, 9], false), fmt(1, 2, 48000, 16), chunk('data', STEREO16)), 3, undefined],
    ['a truncated data chunk', truncated, 3, /data chunk truncated: declares 10 frames, decoded the 3 whole frames/],
    ['a data size left at 0xFFFFFFFF by a streaming writer', bytes('RIFF', u32(0xffffffff), 'WAVE', fmt(1, 2, 48000, 16), 'data', u32(0xffffffff), STEREO16), 3, /written as a stream/],
    ['RF64 without ds64', bytes('RF64', u32(0xffffffff), 'WAVE', fmt(1, 2, 48000, 16), 'data', u32(0xffffffff), STEREO16), 3, /written as a stream/],
    ['RF64 with the data size in ds64 and bytes after the data', bytes('RF64', u32(0xffffffff), 'WAVE', ds64, fmt(1, 2, 48000, 16), 'data', u32(0xffffffff), STEREO16, [1, 2, 3, 4]), 3, undefined],
    ['a partial last frame', riff(fmt(1, 2, 48000, 16), chunk('data', [...STEREO16, 5, 5])), 3, /ends with a partial frame \(2 bytes ignored\)/],
    ['an empty data chunk', riff(fmt(1, 2, 48000, 16), chunk('data', [])), 0, undefined],
  ];
  for (const [what, file, frames, warning] of cases) {
    it(what, () => {
      const path = put(file);
      const want = decodeWav(file, path);
      const r = new WavFileReader(path);
      expect(r.frames).toBe(frames);
      expect(r.warnings).toEqual(want.warnings);
      if (warning) expect(r.warnings.join('\n')).toMatch(warning);
      else expect(r.warnings).toEqual([]);
      const got = readAll(r, 2);
      r.close();
      for (let c = 0; c < 2; c++) expectSame(got[c], want.channels[c], `channel ${c + 1}`);
      if (frames === 3) expect(Array.from(got[0])).toEqual([0, 0.5, -1]);
    });
  }
});

describe('WavFileReader: errors', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['5 bytes of MP3', bytes('ID3', [4, 0])],
    ['AIFF', bytes('FORM', u32(4), 'AIFF')],
    ['RIFF but not WAVE', bytes('RIFF', u32(4), 'AVI ')],
    ['big-endian RIFX', bytes('RIFX', u32(4), 'WAVE')],
    ['missing fmt', riff(chunk('data', STEREO16))],
    ['missing data', riff(fmt(1, 2, 48000, 16))],
    ['fmt too short', riff(chunk('fmt ', [1, 0, 2, 0]), chunk('data', STEREO16))],
    ['fmt truncated', bytes('RIFF', u32(30), 'WAVE', 'fmt ', u32(16), [1, 0, 2, 0])],
    ['zero channels', riff(fmt(1, 0, 48000, 16, 2), chunk('data', []))],
    ['sample rate 0', riff(fmt(1, 1, 0, 16), chunk('data', []))],
    ['bad block align', riff(fmt(1, 2, 48000, 16, 3), chunk('data', STEREO16))],
    ['A-law', riff(fmt(6, 1, 8000, 8), chunk('data', [1, 2]))],
    ['16-bit float', riff(fmt(3, 1, 48000, 16), chunk('data', [0, 0]))],
    ['48-bit PCM', riff(fmt(1, 1, 48000, 48), chunk('data', [0, 0, 0, 0, 0, 0]))],
    ['extensible µ-law', riff(fmtExt(7, 1, 8000, 8, 8, 4), chunk('data', [1]))],
    ['extensible fmt too short', riff(chunk('fmt ', [...u16(0xfffe), ...u16(1), ...u32(48000), ...u32(96000), ...u16(2), ...u16(16)]), chunk('data', [0, 0]))],
  ];
  for (const [what, buf] of cases) {
    it(`${what}: the same code and message as decodeWav, and the file is closed`, () => {
      const path = put(buf);
      let want: MixhostError | undefined;
      try {
        decodeWav(buf, path);
      } catch (e) {
        want = e as MixhostError;
      }
      expect(want).toBeInstanceOf(MixhostError);
      const before = openFds();
      const e = errorOf(() => new WavFileReader(path));
      expect(openFds()).toBe(before);
      expect(e.code).toBe(want!.code);
      expect(e.message).toBe(want!.message);
      expect(e.code).toMatch(/^E_WAV_/);
    });
  }

  it('E_AUDIO_READ in plain words for a missing file and for a folder', () => {
    const missing = join(dir, 'nope.wav');
    const e = errorOf(() => new WavFileReader(missing));
    expect(e.code).toBe('E_AUDIO_READ');
    expect(e.message).toBe(`${missing}: file not found`);
    const sub = join(dir, 'folder.wav');
    mkdirSync(sub);
    const before = openFds();
    const d = errorOf(() => new WavFileReader(sub));
    expect(openFds()).toBe(before);
    expect(d.code).toBe('E_AUDIO_READ');
    expect(d.message).toBe(`${sub}: is a directory`);
  });

  it('E_AUDIO_READ when the file gets shorter while open, and after close', () => {
    const file = riff(fmt(1, 1, 48000, 16), chunk('data', noise(2000, 5)));
    const path = put(file);
    const r = new WavFileReader(path);
    const dst = [new Float32Array(1000)];
    expect(r.read(dst, 0, 10)).toBe(10);
    truncateSync(path, 500);
    const e = errorOf(() => r.read(dst, 0, 1000));
    expect(e.code).toBe('E_AUDIO_READ');
    expect(e.message).toMatch(/got shorter/);
    r.close();
    r.close(); // twice is harmless
    expect(errorOf(() => r.read(dst, 0, 1)).code).toBe('E_AUDIO_READ');
  });

  it('E_AUDIO_ARG for impossible reads and seeks', () => {
    const path = put(riff(fmt(1, 2, 48000, 16), chunk('data', STEREO16)));
    const r = new WavFileReader(path);
    const two = [new Float32Array(3), new Float32Array(3)];
    expect(errorOf(() => r.read([new Float32Array(3)], 0, 3)).code).toBe('E_AUDIO_ARG');
    expect(errorOf(() => r.read([new Float32Array(3), new Float32Array(2)], 0, 3)).code).toBe('E_AUDIO_ARG');
    expect(errorOf(() => r.read(two, 1, 3)).code).toBe('E_AUDIO_ARG');
    expect(errorOf(() => r.read(two, 0, -1)).code).toBe('E_AUDIO_ARG');
    expect(errorOf(() => r.read(two, 0.5, 1)).code).toBe('E_AUDIO_ARG');
    expect(errorOf(() => r.seek(4)).code).toBe('E_AUDIO_ARG');
    expect(errorOf(() => r.seek(-1)).code).toBe('E_AUDIO_ARG');
    expect(errorOf(() => r.seek(1.5)).code).toBe('E_AUDIO_ARG');
    // Nothing was consumed by the refused calls.
    expect(r.position).toBe(0);
    expect(r.read(two, 0, 3)).toBe(3);
    r.close();
  });
});

describe('WavFileReader: decodeWav results on a known file', () => {
  it('decodes the hand-built 16-bit stereo file of 3 frames', () => {
    const path = put(riff(fmt(1, 2, 44100, 16), chunk('data', STEREO16)));
    const r = new WavFileReader(path);
    const got: AudioData = { sampleRate: r.sampleRate, channels: readAll(r, 1) };
    r.close();
    expect(got.sampleRate).toBe(44100);
    expect(Array.from(got.channels[0])).toEqual([0, 0.5, -1]);
    expect(Array.from(got.channels[1])).toEqual([32767 / 32768, -1 / 32768, 1 / 32768].map(Math.fround));
  });
});
