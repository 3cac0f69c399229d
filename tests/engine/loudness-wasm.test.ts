import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesModulePath, bytesModuleText, compileWat, WASM_KERNELS } from '../../src/cli/write-wasm.js';
import { LoudnessMeter, type LoudnessResult } from '../../src/engine/loudness.js';
import { KERNEL_FRAMES, loudnessKernelsAvailable } from '../../src/engine/loudness-wasm.js';

/** Deterministic uniform numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

type Signal = (fs: number, n: number, ch: number) => Float32Array;

const amp = (db: number): number => 10 ** (db / 20);

/** Test signals, one per channel (`ch` varies them between channels). */
const SIGNALS: Record<string, Signal> = {
  noise: (fs, n, ch) => {
    const r = rng(17 + ch);
    return Float32Array.from({ length: n }, () => r() - 0.5);
  },
  // EBU Tech 3341-style programme: 1 kHz at −36, −23 and −20 dBFS with silences between.
  'EBU tones': (fs, n, ch) =>
    Float32Array.from({ length: n }, (_, i) => {
      const t = i / fs;
      const seg = Math.floor(t / 0.7) % 4;
      const a = seg === 0 ? amp(-36) : seg === 1 ? amp(-23) : seg === 2 ? 0 : amp(-20);
      return a * Math.sin(2 * Math.PI * 1000 * t + ch);
    }),
  silence: (fs, n) => new Float32Array(n),
  // A steady tone: the 3 s value sits at its maximum tick after tick (the running-sum test).
  'steady tone': (fs, n, ch) => Float32Array.from({ length: n }, (_, i) => amp(-20 - ch) * Math.sin((2 * Math.PI * 997 * i) / fs)),
  // fs/4 at 45°: every sample 3 dB below the crest, so the interpolated points decide the true peak.
  'intersample overs': (fs, n, ch) =>
    Float32Array.from({ length: n }, (_, i) => (0.5 + 0.1 * ch) * Math.min(1, i / 500) * Math.sin((Math.PI / 2) * i + Math.PI / 4)),
  // Values near the bottom of float32 and of the filters' flush, a tone, then a fade into them.
  tiny: (fs, n, ch) =>
    Float32Array.from({ length: n }, (_, i) => {
      const f = i / n;
      const s = Math.sin(i * 0.013 + ch);
      if (f < 0.3) return 1e-38 * s + (i % 97 === 0 ? 1e-44 : 0);
      if (f < 0.5) return 0.25 * s;
      return 0.25 * s * Math.exp(-(f - 0.5) * 400);
    }),
  'NaN and infinities': (fs, n, ch) => {
    const r = rng(5 + ch);
    const x = Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(i * 0.05) + 0.05 * (r() - 0.5));
    x[Math.floor(n * 0.3)] = Number.NaN;
    if (ch === 0) x[Math.floor(n * 0.6)] = Number.POSITIVE_INFINITY;
    if (ch === 1) x[Math.floor(n * 0.7)] = Number.NEGATIVE_INFINITY;
    return x;
  },
};

function make(sig: string, fs: number, seconds: number, channels: number): Float32Array[] {
  const n = Math.round(fs * seconds);
  return Array.from({ length: channels }, (_, c) => SIGNALS[sig](fs, n, c));
}

interface Run {
  result: LoudnessResult;
  /** Momentary and short-term values read after every call. */
  live: number[];
}

function meter(kernels: 'js' | 'wasm', fs: number, x: Float32Array[], block: number, weights?: number[]): Run {
  const m = new LoudnessMeter(fs, x.length, weights, { kernels });
  expect(m.kernels).toBe(kernels);
  const live: number[] = [];
  for (let i = 0; i < x[0].length; i += block) {
    m.processRange(x, i, Math.min(block, x[0].length - i));
    live.push(m.momentaryLufs(), m.shortTermLufs());
  }
  return { result: m.result(), live };
}

/** The kernels' results and live readings equal the JavaScript path's bit for bit. */
function expectSame(fs: number, x: Float32Array[], block: number, what: string, weights?: number[]): LoudnessResult {
  const js = meter('js', fs, x, block, weights);
  const wasm = meter('wasm', fs, x, block, weights);
  expect(wasm.result, what).toEqual(js.result);
  for (const k of Object.keys(js.result) as Array<keyof LoudnessResult>) {
    expect(Object.is(wasm.result[k], js.result[k]), `${what}: ${k}`).toBe(true);
  }
  let differ = 0;
  for (let i = 0; i < js.live.length; i++) if (!Object.is(js.live[i], wasm.live[i])) differ++;
  expect(differ, `${what}: live readings that differ`).toBe(0);
  return js.result;
}

describe('loudness WebAssembly kernels', () => {
  it('the committed kernel modules are the compiled .wat sources', async () => {
    for (const kernel of WASM_KERNELS) {
      const bytes = await compileWat(kernel);
      expect(bytes.length).toBeGreaterThan(100);
      expect(readFileSync(bytesModulePath(kernel), 'utf8'), `src/${kernel}-bytes.ts is stale: run npm run wasm`).toBe(bytesModuleText(kernel, bytes));
    }
  });

  it('run here (WebAssembly SIMD), and LoudnessMeter uses them by default', () => {
    expect(loudnessKernelsAvailable()).toBe(true);
    expect(new LoudnessMeter(48000, 2).kernels).toBe('wasm');
    expect(new LoudnessMeter(48000, 2, undefined, { kernels: 'js' }).inputs()).toBeNull();
  });

  it('every signal, stereo 48 kHz, blocks of 7, 1000, 8192 and more than the kernel holds: bit-identical to the JavaScript path', () => {
    const fs = 48000;
    for (const sig of Object.keys(SIGNALS)) {
      const x = make(sig, fs, 4, 2);
      for (const block of [7, 1000, 8192, KERNEL_FRAMES + 7232]) {
        const r = expectSame(fs, x, block, `${sig}, block ${block}`);
        if (sig === 'silence') expect(r.truePeakDbtp).toBe(Number.NEGATIVE_INFINITY);
        if (sig === 'EBU tones') expect(r.momentaryMaxLufs).toBeCloseTo(-20, 1);
        if (sig === 'NaN and infinities') expect(r.samplePeakDbfs).toBe(Number.POSITIVE_INFINITY);
        // The points between samples decide it: the interpolation ran (3 dB above the samples).
        if (sig === 'intersample overs') expect(r.truePeakDbtp - r.samplePeakDbfs).toBeGreaterThan(2.9);
      }
    }
  });

  it('1, 3, 6 (LFE weight 0) and 8 channels, and explicit weights with a zero: bit-identical', () => {
    const fs = 48000;
    for (const sig of ['noise', 'EBU tones', 'intersample overs']) {
      for (const ch of [1, 3, 6, 8]) expectSame(fs, make(sig, fs, 3.5, ch), 1001, `${sig}, ${ch} channels`);
      expectSame(fs, make(sig, fs, 3.5, 2), 999, `${sig}, weights [0, 1.41]`, [0, 1.41]);
      expectSame(fs, make(sig, fs, 3.5, 3), 999, `${sig}, weights [0.5, 0, 2]`, [0.5, 0, 2]);
    }
  });

  it('8, 44.1, 96 and 192 kHz (4×, 2× and no oversampling): bit-identical', () => {
    for (const fs of [8000, 44100, 96000, 192000]) {
      for (const sig of ['noise', 'EBU tones', 'intersample overs', 'NaN and infinities']) {
        const r = expectSame(fs, make(sig, fs, 3.5, 2), 4410, `${sig} at ${fs} Hz`);
        if (sig === 'intersample overs' && fs < 176400) expect(r.truePeakDbtp).toBeGreaterThan(r.samplePeakDbfs);
        if (sig === 'intersample overs' && fs >= 176400) expect(r.truePeakDbtp).toBe(r.samplePeakDbfs);
      }
    }
  });

  it('blocks of 1 and 2 frames: bit-identical', () => {
    const fs = 48000;
    for (const sig of ['noise', 'intersample overs', 'tiny']) {
      for (const block of [1, 2]) expectSame(fs, make(sig, fs, 0.6, 2), block, `${sig}, block ${block}`);
    }
  });

  it('filling inputs() in place equals the JavaScript path on the same calls', () => {
    const fs = 48000;
    const x = make('noise', fs, 5, 2);
    const js = new LoudnessMeter(fs, 2, undefined, { kernels: 'js' });
    const wasm = new LoudnessMeter(fs, 2);
    const bufs = wasm.inputs();
    if (bufs === null) throw new Error('no kernels');
    expect(bufs).toHaveLength(2);
    expect(bufs[0].length).toBe(KERNEL_FRAMES);
    const read = 20000;
    for (let at = 0; at < x[0].length; at += read) {
      const n = Math.min(read, x[0].length - at);
      bufs[0].set(x[0].subarray(at, at + n));
      bufs[1].set(x[1].subarray(at, at + n));
      // Ranges of the filled arrays, as `mixhost measure` calls them.
      for (let i = 0; i < n; i += 6000) {
        const m = Math.min(6000, n - i);
        js.processRange(x, at + i, m);
        wasm.processRange(bufs, i, m);
        expect(wasm.momentaryLufs()).toBe(js.momentaryLufs());
      }
    }
    expect(wasm.result()).toEqual(js.result());
    expect(wasm.result().integratedLufs).toBeCloseTo(js.result().integratedLufs, 12);
  });

  it('reset makes a used meter equal to a new one', () => {
    const fs = 48000;
    const x = make('intersample overs', fs, 2, 2);
    const y = make('noise', fs, 2, 2);
    const used = new LoudnessMeter(fs, 2);
    used.process(x, x[0].length);
    used.reset();
    used.process(y, y[0].length);
    const fresh = new LoudnessMeter(fs, 2);
    fresh.process(y, y[0].length);
    expect(used.result()).toEqual(fresh.result());
    expect(used.result().truePeakDbtp).toBeLessThan(0);
  });

  it('the 3 s maximum, computed only when it can grow, equals the maximum of the 3 s values of every tick', () => {
    const fs = 48000;
    for (const kernels of ['js', 'wasm'] as const) {
      for (const sig of ['steady tone', 'EBU tones', 'noise']) {
        const x = make(sig, fs, 8, 2);
        const m = new LoudnessMeter(fs, 2, undefined, { kernels });
        let max = Number.NEGATIVE_INFINITY;
        // One tick per call: each reading is that tick's 3 s value.
        for (let i = 0; i < x[0].length; i += m.tickLen) {
          m.processRange(x, i, Math.min(m.tickLen, x[0].length - i));
          max = Math.max(max, m.shortTermLufs());
        }
        expect(m.result().shortTermMaxLufs, `${kernels}, ${sig}`).toBe(max);
        // Sines at −20 and −21 dBFS: mean squares a²/2 summed (K-weighting is +0.691 dB at 997 Hz).
        if (sig === 'steady tone') expect(max).toBeCloseTo(10 * Math.log10((amp(-20) ** 2 + amp(-21) ** 2) / 2), 1);
      }
    }
  });
});
