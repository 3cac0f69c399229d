import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasTool } from '../helpers/tools.js';
import { bytes, u16, u32, i16, i24, chunk, riff, fmt, GUID_TAIL, fmtExt } from '../helpers/wav-bytes.js';
import { decodeWav, encodeWav, readWavFile, WavWriter, type AudioData, type WavEncoding } from '../../src/audio/wav.js';
import { MixhostError } from '../../src/model/registry.js';

// ---------------------------------------------------------------------------------------------
// Hand-built files

function f32(v: number): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return [...b];
}
function f64(v: number): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return [...b];
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

/** 16-bit stereo, 3 frames: L = 0, 16384, −32768; R = 32767, −1, 1. */
const STEREO16 = [...i16(0), ...i16(32767), ...i16(16384), ...i16(-1), ...i16(-32768), ...i16(1)];

describe('decodeWav: known byte layouts', () => {
  it('decodes a hand-built 16-bit stereo file of 3 frames', () => {
    const a = decodeWav(riff(fmt(1, 2, 44100, 16), chunk('data', STEREO16)));
    expect(a.sampleRate).toBe(44100);
    expect(a.channels.length).toBe(2);
    expect(Array.from(a.channels[0])).toEqual([0, 0.5, -1]);
    expect(Array.from(a.channels[1])).toEqual([32767 / 32768, -1 / 32768, 1 / 32768].map(Math.fround));
    expect(a.warnings).toEqual([]);
  });

  it('decodes 8-bit unsigned as (x − 128) / 128', () => {
    const a = decodeWav(riff(fmt(1, 1, 8000, 8), chunk('data', [0, 128, 255, 64])));
    expect(Array.from(a.channels[0])).toEqual([-1, 0, 127 / 128, -0.5]);
  });

  it('decodes 24-bit as x / 8388608 with sign extension', () => {
    const a = decodeWav(riff(fmt(1, 1, 48000, 24), chunk('data', [...i24(8388607), ...i24(-8388608), ...i24(1), ...i24(-1)])));
    expect(Array.from(a.channels[0])).toEqual([8388607 / 8388608, -1, 1 / 8388608, -1 / 8388608].map(Math.fround));
  });

  it('decodes 32-bit integers as x / 2147483648', () => {
    const a = decodeWav(riff(fmt(1, 1, 48000, 32), chunk('data', [...u32(0x80000000), ...u32(0x40000000), ...u32(0xffffffff)])));
    expect(Array.from(a.channels[0])).toEqual([-1, 0.5, Math.fround(-1 / 2147483648)]);
  });

  it('decodes 32-bit and 64-bit IEEE float (format tag 3)', () => {
    const a = decodeWav(riff(fmt(3, 1, 48000, 32), chunk('data', [...f32(0.25), ...f32(-1.5)])));
    expect(Array.from(a.channels[0])).toEqual([0.25, -1.5]);
    const b = decodeWav(riff(fmt(3, 2, 96000, 64), chunk('data', [...f64(0.1), ...f64(-0.2)])));
    expect(b.sampleRate).toBe(96000);
    expect(b.channels[0][0]).toBe(Math.fround(0.1));
    expect(b.channels[1][0]).toBe(Math.fround(-0.2));
  });

  it('decodes WAVE_FORMAT_EXTENSIBLE PCM (6 channels, 24-bit) and float', () => {
    const frame = [0, 1, 2, 3, 4, 5].flatMap((c) => i24((c - 2) * 1000));
    const a = decodeWav(riff(fmtExt(1, 6, 48000, 24, 24, 0x3f), chunk('data', [...frame, ...frame])));
    expect(a.channels.length).toBe(6);
    for (let c = 0; c < 6; c++) expect(Array.from(a.channels[c])).toEqual([1, 1].map(() => Math.fround(((c - 2) * 1000) / 8388608)));
    const b = decodeWav(riff(fmtExt(3, 1, 44100, 32, 32, 4), chunk('data', f32(-0.75))));
    expect(Array.from(b.channels[0])).toEqual([-0.75]);
  });

  it('decodes 24 valid bits in a 32-bit container as left-justified 32-bit samples', () => {
    const a = decodeWav(riff(fmtExt(1, 1, 48000, 32, 24, 4), chunk('data', u32(0x40000000))));
    expect(Array.from(a.channels[0])).toEqual([0.5]);
  });

  it('accepts any channel count (a 3-channel plain PCM file)', () => {
    const a = decodeWav(riff(fmt(1, 3, 48000, 16), chunk('data', [...i16(1), ...i16(2), ...i16(3)])));
    expect(a.channels.map((c) => c[0] * 32768)).toEqual([1, 2, 3]);
  });
});

describe('decodeWav: chunk layout', () => {
  it('finds chunks in any order (LIST before fmt, data before fmt) and skips odd-sized chunks with their pad byte', () => {
    const list = chunk('LIST', bytes('INFOISFT', u32(5), 'abcd', [0], [0]));
    const odd = chunk('junk', [1, 2, 3]); // 3 bytes + 1 pad
    const a = decodeWav(riff(list, odd, chunk('data', STEREO16), fmt(1, 2, 48000, 16)));
    expect(a.sampleRate).toBe(48000);
    expect(Array.from(a.channels[0])).toEqual([0, 0.5, -1]);
  });

  it('tolerates a writer that left out the pad byte after an odd-sized chunk', () => {
    const a = decodeWav(riff(chunk('abcd', [9, 9, 9], false), fmt(1, 2, 48000, 16), chunk('data', STEREO16)));
    expect(Array.from(a.channels[0])).toEqual([0, 0.5, -1]);
  });

  it('decodes the whole frames of a truncated data chunk and warns', () => {
    const file = riff(fmt(1, 2, 48000, 16));
    const data = bytes('data', u32(40), STEREO16, [7, 7]); // declares 10 frames, 3.5 present
    const buf = bytes(file, data);
    new DataView(buf.buffer).setUint32(4, buf.length - 8 + 30, true);
    const a = decodeWav(buf, 'cut.wav');
    expect(a.channels[0].length).toBe(3);
    expect(Array.from(a.channels[1])).toEqual([32767 / 32768, -1 / 32768, 1 / 32768].map(Math.fround));
    expect(a.warnings?.length).toBe(1);
    expect(a.warnings?.[0]).toMatch(/^cut\.wav: data chunk truncated: declares 10 frames, decoded the 3 whole frames/);
  });

  it('reads to the end when a streaming writer left the data size at 0xFFFFFFFF', () => {
    const buf = bytes('RIFF', u32(0xffffffff), 'WAVE', fmt(1, 2, 48000, 16), 'data', u32(0xffffffff), STEREO16);
    const a = decodeWav(buf);
    expect(Array.from(a.channels[0])).toEqual([0, 0.5, -1]);
    expect(a.warnings?.[0]).toMatch(/written as a stream/);
  });

  it('reads to the end of an RF64 file that has no ds64 chunk and an unset data size', () => {
    const buf = bytes('RF64', u32(0xffffffff), 'WAVE', fmt(1, 2, 48000, 16), 'data', u32(0xffffffff), STEREO16);
    expect(Array.from(decodeWav(buf).channels[0])).toEqual([0, 0.5, -1]);
  });

  it('decodes RF64 with the data size taken from ds64', () => {
    const ds64 = chunk('ds64', [...u32(0), ...u32(0), ...u32(STEREO16.length), ...u32(0), ...u32(3), ...u32(0), ...u32(0)]);
    const buf = bytes('RF64', u32(0xffffffff), 'WAVE', ds64, fmt(1, 2, 48000, 16), 'data', u32(0xffffffff), STEREO16, [1, 2, 3, 4]);
    const a = decodeWav(buf);
    expect(a.channels[0].length).toBe(3);
    expect(Array.from(a.channels[0])).toEqual([0, 0.5, -1]);
    expect(a.warnings).toEqual([]);
  });
});

describe('decodeWav: errors', () => {
  const cases: Array<[string, Uint8Array, string, RegExp]> = [
    ['empty', new Uint8Array(0), 'E_WAV_NOT_WAV', /^x\.wav: not a RIFF\/WAVE file$/],
    ['AIFF', bytes('FORM', u32(4), 'AIFF'), 'E_WAV_NOT_WAV', /looks like an AIFF file/],
    ['RIFF but not WAVE', bytes('RIFF', u32(4), 'AVI '), 'E_WAV_NOT_WAV', /not a RIFF\/WAVE file/],
    ['big-endian RIFX', bytes('RIFX', u32(4), 'WAVE'), 'E_WAV_NOT_WAV', /RIFX/],
    ['missing fmt', riff(chunk('data', STEREO16)), 'E_WAV_MALFORMED', /^x\.wav: missing fmt chunk$/],
    ['missing data', riff(fmt(1, 2, 48000, 16)), 'E_WAV_MALFORMED', /^x\.wav: missing data chunk$/],
    ['fmt too short', riff(chunk('fmt ', [1, 0, 2, 0]), chunk('data', STEREO16)), 'E_WAV_MALFORMED', /fmt chunk is too short/],
    ['zero channels', riff(fmt(1, 0, 48000, 16, 2), chunk('data', [])), 'E_WAV_MALFORMED', /zero channels/],
    ['sample rate 0', riff(fmt(1, 1, 0, 16), chunk('data', [])), 'E_WAV_MALFORMED', /absurd sample rate 0 Hz/],
    ['sample rate 5 MHz', riff(fmt(1, 1, 5_000_000, 16), chunk('data', [])), 'E_WAV_MALFORMED', /absurd sample rate 5000000 Hz/],
    ['bad block align', riff(fmt(1, 2, 48000, 16, 3), chunk('data', STEREO16)), 'E_WAV_MALFORMED', /block align 3 does not fit 2 channel/],
    ['A-law', riff(fmt(6, 1, 8000, 8), chunk('data', [1, 2])), 'E_WAV_UNSUPPORTED', /^x\.wav: unsupported WAV encoding: 8-bit A-law \(format tag 6\); use 16\/24\/32-bit PCM or 32\/64-bit float$/],
    ['IMA ADPCM', riff(fmt(0x11, 1, 8000, 4, 256), chunk('data', [1, 2])), 'E_WAV_UNSUPPORTED', /4-bit IMA ADPCM \(format tag 17\)/],
    ['16-bit float', riff(fmt(3, 1, 48000, 16), chunk('data', [0, 0])), 'E_WAV_UNSUPPORTED', /16-bit float \(format tag 3\)/],
    ['48-bit PCM', riff(fmt(1, 1, 48000, 48), chunk('data', [0, 0, 0, 0, 0, 0])), 'E_WAV_UNSUPPORTED', /48-bit PCM \(format tag 1\)/],
    ['extensible µ-law', riff(fmtExt(7, 1, 8000, 8, 8, 4), chunk('data', [1])), 'E_WAV_UNSUPPORTED', /8-bit µ-law \(extensible subformat 7\)/],
  ];
  for (const [what, buf, code, message] of cases) {
    it(what, () => {
      const e = errorOf(() => decodeWav(buf, 'x.wav'));
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
    });
  }

  it('an extensible file with an unknown subformat GUID', () => {
    const f = fmtExt(1, 1, 48000, 16, 16, 4);
    f[8 + 24 + 15] ^= 0xff; // damage the GUID tail
    const e = errorOf(() => decodeWav(riff(f, chunk('data', [0, 0])), 'x.wav'));
    expect(e.code).toBe('E_WAV_UNSUPPORTED');
    expect(e.message).toMatch(/unknown extensible subformat/);
  });
});

// ---------------------------------------------------------------------------------------------
// Encoding

function testAudio(channels: number, frames: number, rate = 48000): AudioData {
  const ch: Float32Array[] = [];
  for (let c = 0; c < channels; c++) {
    const x = new Float32Array(frames);
    for (let i = 0; i < frames; i++) x[i] = 0.9 * Math.sin(0.01 * (c + 1) * i + c) + (i % 7 === 0 ? 0.05 : 0);
    ch.push(x);
  }
  return { sampleRate: rate, channels: ch };
}

const FULL_SCALE: Record<WavEncoding, number> = { pcm16: 32768, pcm24: 8388608, float32: 0 };

describe('encodeWav', () => {
  for (const enc of ['pcm16', 'pcm24', 'float32'] as const) {
    for (const nch of [1, 2, 6]) {
      it(`round trips ${enc} with ${nch} channel(s)`, () => {
        const a = testAudio(nch, 1001, 44100);
        const back = decodeWav(encodeWav(a, enc));
        expect(back.sampleRate).toBe(44100);
        expect(back.channels.length).toBe(nch);
        let worst = 0;
        for (let c = 0; c < nch; c++) {
          expect(back.channels[c].length).toBe(1001);
          for (let i = 0; i < 1001; i++) worst = Math.max(worst, Math.abs(back.channels[c][i] - a.channels[c][i]));
        }
        if (enc === 'float32') expect(worst).toBe(0);
        else {
          expect(worst).toBeLessThanOrEqual(0.5 / FULL_SCALE[enc] + 1e-12); // rounding: half an LSB
          expect(worst).toBeGreaterThan(0); // the test signal is not on the integer grid
        }
      });
    }
  }

  it('round trips integer data exactly, and rounds half away from zero', () => {
    const lsb = 1 / 32768;
    const x = Float32Array.from([0, lsb, -lsb, 0.5 * lsb, -0.5 * lsb, 1.5 * lsb, -1.5 * lsb, 0.49 * lsb, -1, 0.999969482421875]);
    const back = decodeWav(encodeWav({ sampleRate: 48000, channels: [x] }, 'pcm16')).channels[0];
    expect(Array.from(back).map((v) => v * 32768)).toEqual([0, 1, -1, 1, -1, 2, -2, 0, -32768, 32767]);
  });

  it('clips out-of-range values and NaN in integer formats', () => {
    const x = Float32Array.from([2, -2, 1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    const b16 = decodeWav(encodeWav({ sampleRate: 48000, channels: [x] }, 'pcm16')).channels[0];
    expect(Array.from(b16).map((v) => v * 32768)).toEqual([32767, -32768, 32767, 0, 32767, -32768]);
    const b24 = decodeWav(encodeWav({ sampleRate: 48000, channels: [x] }, 'pcm24')).channels[0];
    expect(Array.from(b24).map((v) => v * 8388608)).toEqual([8388607, -8388608, 8388607, 0, 8388607, -8388608]);
  });

  it('writes plain PCM for 16-bit mono/stereo: the classic 44-byte header', () => {
    const buf = encodeWav({ sampleRate: 44100, channels: [new Float32Array(3), new Float32Array(3)] }, 'pcm16');
    const dv = new DataView(buf.buffer);
    expect(buf.length).toBe(44 + 12);
    expect(new TextDecoder().decode(buf.subarray(0, 4))).toBe('RIFF');
    expect(dv.getUint32(4, true)).toBe(buf.length - 8);
    expect(dv.getUint16(20, true)).toBe(1); // format tag
    expect(dv.getUint32(28, true)).toBe(44100 * 4); // byte rate
    expect(dv.getUint16(32, true)).toBe(4); // block align
    expect(new TextDecoder().decode(buf.subarray(36, 40))).toBe('data');
    expect(dv.getUint32(40, true)).toBe(12);
  });

  it('writes WAVE_FORMAT_EXTENSIBLE above 16 bits or 2 channels, with a fact chunk for float', () => {
    const f = encodeWav({ sampleRate: 48000, channels: [new Float32Array(5), new Float32Array(5)] }, 'float32');
    const dv = new DataView(f.buffer);
    expect(dv.getUint32(16, true)).toBe(40); // fmt size
    expect(dv.getUint16(20, true)).toBe(0xfffe);
    expect(dv.getUint16(34, true)).toBe(32); // bits
    expect(dv.getUint16(38, true)).toBe(32); // valid bits
    expect(dv.getUint32(40, true)).toBe(3); // FL | FR
    expect(dv.getUint16(44, true)).toBe(3); // IEEE float subformat
    expect(new TextDecoder().decode(f.subarray(60, 64))).toBe('fact');
    expect(dv.getUint32(68, true)).toBe(5);
    expect(f.length).toBe(80 + 40);
    const six = encodeWav(testAudio(6, 2), 'pcm16');
    expect(new DataView(six.buffer).getUint16(20, true)).toBe(0xfffe);
    expect(new DataView(six.buffer).getUint32(40, true)).toBe(0x3f); // 5.1
  });

  it('pads an odd-sized data chunk', () => {
    const buf = encodeWav({ sampleRate: 48000, channels: [new Float32Array(1)] }, 'pcm24');
    expect(buf.length % 2).toBe(0);
    const dv = new DataView(buf.buffer);
    expect(dv.getUint32(4, true)).toBe(buf.length - 8);
    expect(dv.getUint32(buf.length - 8, true)).toBe(3); // data size excludes the pad byte
  });

  it('TPDF dither: reproducible, within ±1.5 LSB, unbiased, and different from plain rounding', () => {
    const x = new Float32Array(20000).fill(0.3 / 32768); // a third of an LSB: rounds to 0 without dither
    const opts = { dither: 'tpdf' as const, ditherSeed: 1234 };
    const e1 = encodeWav({ sampleRate: 48000, channels: [x] }, 'pcm16', opts);
    const e2 = encodeWav({ sampleRate: 48000, channels: [x] }, 'pcm16', opts);
    expect(Buffer.from(e1).equals(Buffer.from(e2))).toBe(true);
    const d = decodeWav(e1).channels[0];
    let sum = 0;
    let worst = 0;
    for (const v of d) {
      sum += v * 32768;
      worst = Math.max(worst, Math.abs(v * 32768 - 0.3));
    }
    expect(worst).toBeLessThanOrEqual(1.5 + 1e-9);
    expect(sum / d.length).toBeCloseTo(0.3, 1); // the mean survives dithering (±0.05 LSB)
    const plain = decodeWav(encodeWav({ sampleRate: 48000, channels: [x] }, 'pcm16')).channels[0];
    expect(plain.every((v) => v === 0)).toBe(true);
  });

  it('rejects unequal channel lengths, no channels, and non-integer or absurd rates', () => {
    expect(errorOf(() => encodeWav({ sampleRate: 48000, channels: [new Float32Array(3), new Float32Array(2)] }, 'pcm16')).code).toBe('E_AUDIO_ARG');
    expect(errorOf(() => encodeWav({ sampleRate: 48000, channels: [] }, 'pcm16')).code).toBe('E_AUDIO_ARG');
    expect(errorOf(() => encodeWav({ sampleRate: 44100.5, channels: [new Float32Array(1)] }, 'pcm16')).code).toBe('E_AUDIO_ARG');
    expect(errorOf(() => encodeWav({ sampleRate: 10, channels: [new Float32Array(1)] }, 'pcm16')).code).toBe('E_AUDIO_ARG');
    expect(errorOf(() => encodeWav({ sampleRate: 48000, channels: [new Float32Array(1)] }, 'pcm8' as WavEncoding)).code).toBe('E_AUDIO_ARG');
  });
});

// ---------------------------------------------------------------------------------------------
// Files

const dir = mkdtempSync(join(tmpdir(), 'mixhost-wav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('WavWriter', () => {
  it('streams in pieces to a temporary file and renames it onto the target at close', () => {
    const target = join(dir, 'render.wav');
    const a = testAudio(2, 30000);
    const w = new WavWriter(target, 48000, 2, 'pcm24');
    expect(existsSync(target)).toBe(false);
    expect(existsSync(w.tempPath)).toBe(true);
    expect(w.tempPath.startsWith(dir)).toBe(true);
    // Pieces smaller and larger than the writer's internal buffer.
    let at = 0;
    for (const n of [1, 127, 20000, 9872]) {
      w.write(a.channels.map((c) => c.subarray(at, at + n)), n);
      at += n;
    }
    expect(w.framesWritten).toBe(30000);
    expect(existsSync(target)).toBe(false);
    w.close();
    expect(existsSync(target)).toBe(true);
    expect(existsSync(w.tempPath)).toBe(false);
    const file = readFileSync(target);
    const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
    expect(dv.getUint32(4, true)).toBe(file.length - 8);
    const back = decodeWav(file);
    const mem = decodeWav(encodeWav(a, 'pcm24'));
    expect(back.sampleRate).toBe(48000);
    for (let c = 0; c < 2; c++) expect(Buffer.from(back.channels[c].buffer).equals(Buffer.from(mem.channels[c].buffer))).toBe(true);
  });

  it('writes only whole frames of the given count and pads odd data', () => {
    const target = join(dir, 'odd.wav');
    const w = new WavWriter(target, 44100, 1, 'pcm24');
    w.write([Float32Array.from([0.5, 0.25, 0.125])], 1);
    w.close();
    const file = readFileSync(target);
    expect(file.length % 2).toBe(0);
    expect(Array.from(decodeWav(file).channels[0])).toEqual([0.5]);
  });

  it('abort leaves neither the target nor the temporary file', () => {
    const target = join(dir, 'aborted.wav');
    const w = new WavWriter(target, 48000, 1, 'float32');
    w.write([new Float32Array(100)], 100);
    w.abort();
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('aborted'))).toEqual([]);
  });

  it('a failed render does not touch an existing file at the target', () => {
    const target = join(dir, 'keep.wav');
    writeFileSync(target, 'old');
    const w = new WavWriter(target, 48000, 1, 'pcm16');
    w.write([new Float32Array(10)], 10);
    expect(() => w.write([new Float32Array(10), new Float32Array(10)], 10)).toThrow(MixhostError);
    w.abort();
    expect(readFileSync(target, 'utf8')).toBe('old');
  });

  it('errors: missing folder (E_AUDIO_WRITE), wrong channel count or short arrays (E_AUDIO_ARG)', () => {
    const e = errorOf(() => new WavWriter(join(dir, 'no', 'such', 'x.wav'), 48000, 2, 'pcm16'));
    expect(e.code).toBe('E_AUDIO_WRITE');
    expect(e.message).toMatch(/x\.wav: cannot write: folder not found$/);
    const w = new WavWriter(join(dir, 'args.wav'), 48000, 2, 'pcm16');
    expect(errorOf(() => w.write([new Float32Array(4)], 4)).code).toBe('E_AUDIO_ARG');
    expect(errorOf(() => w.write([new Float32Array(4), new Float32Array(3)], 4)).code).toBe('E_AUDIO_ARG');
    expect(errorOf(() => w.write([new Float32Array(4), new Float32Array(4)], 1.5)).code).toBe('E_AUDIO_ARG');
    w.abort();
  });
});

describe('readWavFile', () => {
  it('reads a file', async () => {
    const p = join(dir, 'read.wav');
    writeFileSync(p, riff(fmt(1, 2, 44100, 16), chunk('data', STEREO16)));
    const a = await readWavFile(p);
    expect(Array.from(a.channels[0])).toEqual([0, 0.5, -1]);
  });

  it('E_AUDIO_READ with plain words for a missing file and for a folder', async () => {
    const missing = join(dir, 'missing.wav');
    await expect(readWavFile(missing)).rejects.toMatchObject({ code: 'E_AUDIO_READ', message: `${missing}: file not found` });
    const sub = join(dir, 'folder.wav');
    mkdirSync(sub);
    await expect(readWavFile(sub)).rejects.toMatchObject({ code: 'E_AUDIO_READ', message: `${sub}: is a directory` });
  });

  it('decoding errors name the file', async () => {
    const p = join(dir, 'text.wav');
    writeFileSync(p, 'hello, this is not audio');
    await expect(readWavFile(p)).rejects.toMatchObject({ code: 'E_WAV_NOT_WAV', message: `${p}: not a RIFF/WAVE file` });
  });
});

// ---------------------------------------------------------------------------------------------
// Against ffmpeg, an independent implementation

const hasFfmpeg = existsSync('/usr/bin/ffmpeg') || hasTool('ffmpeg');
if (!hasFfmpeg) console.warn('ffmpeg not found at /usr/bin/ffmpeg: the ffmpeg cross-checks are skipped');

function ffmpeg(...args: string[]): Buffer {
  return execFileSync('/usr/bin/ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], { maxBuffer: 1 << 28 });
}

/** ffmpeg's own decoding of a file, as interleaved 32-bit float. */
function ffmpegFloat(path: string): Float32Array {
  const raw = ffmpeg('-i', path, '-f', 'f32le', '-c:a', 'pcm_f32le', '-');
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

function interleave(a: AudioData): Float32Array {
  const n = a.channels[0].length;
  const nch = a.channels.length;
  const out = new Float32Array(n * nch);
  for (let i = 0; i < n; i++) for (let c = 0; c < nch; c++) out[i * nch + c] = a.channels[c][i];
  return out;
}

describe('WAV files against ffmpeg', () => {
  const SRC = 'aevalsrc=0.8*sin(2*PI*440*t)|0.5*sin(2*PI*1234.5*t+1)-0.3|0.9*sin(2*PI*50*t)|0.25|-0.7*sin(2*PI*9000*t)|0.6*sin(2*PI*17000*t):s=44100:d=0.25';
  for (const codec of ['pcm_u8', 'pcm_s16le', 'pcm_s24le', 'pcm_s32le', 'pcm_f32le', 'pcm_f64le']) {
    for (const layout of ['mono', 'stereo', '5.1']) {
      it.skipIf(!hasFfmpeg)(`decodes ffmpeg's ${codec} ${layout} exactly as ffmpeg does`, () => {
        const p = join(dir, `ff-${codec}-${layout}.wav`);
        ffmpeg('-y', '-f', 'lavfi', '-i', SRC, '-af', `aformat=channel_layouts=${layout === '5.1' ? '5.1' : layout}`, '-c:a', codec, p);
        const ours = decodeWav(readFileSync(p), p);
        expect(ours.sampleRate).toBe(44100);
        expect(ours.channels.length).toBe(layout === 'mono' ? 1 : layout === 'stereo' ? 2 : 6);
        expect(ours.channels[0].length).toBe(11025);
        const ref = ffmpegFloat(p);
        const mine = interleave(ours);
        expect(mine.length).toBe(ref.length);
        let worst = 0;
        for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(mine[i] - ref[i]));
        expect(worst).toBe(0);
      });
    }
  }

  it.skipIf(!hasFfmpeg)('decodes ffmpeg output streamed through a pipe (sizes left unset)', () => {
    const piped = ffmpeg('-f', 'lavfi', '-i', 'sine=f=1000:d=0.1:sample_rate=48000', '-c:a', 'pcm_s16le', '-f', 'wav', '-');
    const a = decodeWav(piped, 'pipe.wav');
    expect(a.channels[0].length).toBe(4800);
    expect(a.warnings?.[0]).toMatch(/written as a stream/);
  });

  for (const enc of ['pcm16', 'pcm24', 'float32'] as const) {
    it.skipIf(!hasFfmpeg)(`ffmpeg reads our ${enc} files (1, 2 and 6 channels) to the same values`, () => {
      for (const nch of [1, 2, 6]) {
        const a = testAudio(nch, 777, 96000);
        const p = join(dir, `ours-${enc}-${nch}.wav`);
        writeFileSync(p, encodeWav(a, enc));
        // No complaint from ffmpeg about the header (channel mask, sizes, fact chunk). A plain
        // format-1 header has no channel mask, so ffmpeg notes that it guessed the layout.
        const check = spawnSync('/usr/bin/ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'warning', '-i', p, '-f', 'null', '-'], { encoding: 'utf8' });
        expect(check.status).toBe(0);
        const guessed = enc === 'pcm16' && nch <= 2 ? `Guessed Channel Layout for Input Stream #0.0 : ${nch === 1 ? 'mono' : 'stereo'}\n` : '';
        expect(check.stderr).toBe(guessed);
        const ref = ffmpegFloat(p);
        const mine = interleave(decodeWav(readFileSync(p)));
        expect(ref.length).toBe(777 * nch);
        let worst = 0;
        for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(mine[i] - ref[i]));
        expect(worst).toBe(0);
      }
    });
  }
});
