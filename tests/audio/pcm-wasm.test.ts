import { describe, expect, it } from 'vitest';
import { Pcm24StereoDecoder, pcmKernelsAvailable } from '../../src/audio/pcm-wasm.js';
import { decodeChannel, TAG_PCM } from '../../src/audio/wav.js';

/** Deterministic uniform numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** The byte-by-byte decoding of `decodeWav` for both channels of 24-bit stereo bytes. */
function reference(bytes: Uint8Array, frames: number): [Float32Array, Float32Array] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const l = new Float32Array(frames);
  const r = new Float32Array(frames);
  decodeChannel(bytes, dv, 0, 6, frames, TAG_PCM, 3, l);
  decodeChannel(bytes, dv, 3, 6, frames, TAG_PCM, 3, r);
  return [l, r];
}

function sameBits(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let differ = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) differ++;
  return differ;
}

describe('WebAssembly 24-bit stereo PCM decoding', () => {
  it('runs here (WebAssembly SIMD)', () => {
    expect(pcmKernelsAvailable()).toBe(true);
  });

  it('equals the byte-by-byte decoder bit for bit: random bytes, every frame count 1 … 21 and a full buffer', () => {
    const cap = 4099;
    const d = new Pcm24StereoDecoder(cap);
    const r = rng(11);
    for (const frames of [...Array.from({ length: 21 }, (_, i) => i + 1), 1000, 4097, cap]) {
      for (let i = 0; i < frames * 6; i++) d.raw[i] = Math.floor(r() * 256);
      const [wl, wr] = reference(d.raw, frames);
      // Decoded after 3 samples already in the outputs, which must stay.
      const l = new Float32Array(frames + 5).fill(7);
      const rr = new Float32Array(frames + 5).fill(7);
      d.decode(frames, l, rr, 3);
      expect(sameBits(l.subarray(3, 3 + frames), wl), `${frames} frames, left`).toBe(0);
      expect(sameBits(rr.subarray(3, 3 + frames), wr), `${frames} frames, right`).toBe(0);
      expect([l[0], l[2], l[3 + frames], rr[1], rr[4 + frames]]).toEqual([7, 7, 7, 7, 7]);
    }
  });

  it('the extremes: −1 (0x800000), 1 − 2^-23 (0x7fffff), ±2^-23 and 0', () => {
    const words = [0x800000, 0x7fffff, 0x000001, 0xffffff, 0x000000, 0x800001, 0x400000, 0xc00000];
    const d = new Pcm24StereoDecoder(words.length / 2);
    words.forEach((w, i) => {
      d.raw[3 * i] = w & 0xff;
      d.raw[3 * i + 1] = (w >> 8) & 0xff;
      d.raw[3 * i + 2] = (w >> 16) & 0xff;
    });
    const l = new Float32Array(4);
    const r = new Float32Array(4);
    d.decode(4, l, r, 0);
    expect(Array.from(l)).toEqual([-1, 2 ** -23, 0, 0.5]);
    expect(Array.from(r)).toEqual([1 - 2 ** -23, -(2 ** -23), -1 + 2 ** -23, -0.5]);
    expect(Object.is(l[2], 0)).toBe(true);
  });
});
