/**
 * The monitor's translation check: each preset's measured response against the curve designed
 * from its section table, a few absolute facts per device, the loudness-matching trims, the mono
 * fold-down and the mono-below split, exact identity when off, click-free sample-counted
 * crossfades, and the shared DSP suite.
 */
import { describe, expect, it } from 'vitest';
import { FILTER_TYPES, designBiquad, newCoeffs, responseDb } from '../../src/engine/biquad.js';
import { PRESETS, TRANSLATION_PRESETS, TranslationFilter, XFADE_MS, presetResponseDb } from '../../src/engine/translation.js';
import { dspSuite, inPlace, runStereo, testSignal } from './dsp-suite.js';

const FS = 48000;
const index = (id: string): number => TRANSLATION_PRESETS.indexOf(id as (typeof TRANSLATION_PRESETS)[number]);

/** A filter set to a preset, ready for a fresh signal. */
function filter(id: string, mono = false, sr = FS): TranslationFilter {
  const f = new TranslationFilter(sr);
  f.set(index(id), mono);
  return f;
}

/** Impulse response of the left output with the impulse in both inputs. */
function impulseResponse(f: TranslationFilter, frames = FS): Float32Array {
  const l = new Float32Array(frames);
  const r = new Float32Array(frames);
  l[0] = 1;
  r[0] = 1;
  return runStereo(f, l, r, 256)[0];
}

/** |DTFT| of h at f, in dB. */
function dftDb(h: Float32Array, f: number, fs = FS): number {
  const w = (2 * Math.PI * f) / fs;
  let re = 0;
  let im = 0;
  for (let n = 0; n < h.length; n++) {
    re += h[n] * Math.cos(w * n);
    im -= h[n] * Math.sin(w * n);
  }
  return 10 * Math.log10(re * re + im * im);
}

/** The designed curve, computed here from the section table (sum of section responses + trim). */
function designedDb(id: string, f: number, fs = FS): number {
  const p = PRESETS[index(id)];
  const c = newCoeffs();
  let db = p.trimDb;
  for (const s of p.sections) {
    designBiquad(c, FILTER_TYPES.indexOf(s.type), s.freq, s.gainDb, s.q, fs);
    db += responseDb(c, f, fs);
  }
  return db;
}

function sine(freq: number, frames: number, amp = 0.5, phase = 0): Float32Array {
  return Float32Array.from({ length: frames }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / FS + phase));
}

function rmsDb(x: Float32Array, from: number): number {
  let s = 0;
  for (let i = from; i < x.length; i++) s += x[i] * x[i];
  return 10 * Math.log10(s / (x.length - from));
}

/** Largest second difference |x[i] − 2x[i−1] + x[i−2]| over [from, to). */
function maxCurvature(x: Float32Array, from: number, to: number): number {
  let m = 0;
  for (let i = Math.max(2, from); i < to; i++) m = Math.max(m, Math.abs(x[i] - 2 * x[i - 1] + x[i - 2]));
  return m;
}

describe('translation presets: the data', () => {
  it('has one preset per TRANSLATION_PRESETS entry, each change with its reason', () => {
    expect(PRESETS.map((p) => p.id)).toEqual([...TRANSLATION_PRESETS]);
    for (const p of PRESETS) {
      for (const s of p.sections) {
        expect(FILTER_TYPES, `${p.id}: section type`).toContain(s.type);
        expect(s.why.length, `${p.id}: section reason`).toBeGreaterThan(10);
      }
      expect(p.monoWhy.length).toBeGreaterThan(5);
      expect(p.trimWhy.length).toBeGreaterThan(5);
    }
    expect(PRESETS[0].sections).toEqual([]);
    expect(PRESETS[0].trimDb).toBe(0);
  });

  it('trims each preset to the K-weighted loudness of pink noise within ±0.5 dB', () => {
    // K-weighting at 48 kHz from the BS.1770 coefficient tables (Annex 1, Tables 1 and 2).
    const pre = [1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585];
    const rlb = [1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621];
    const steps = 1000;
    for (const p of PRESETS) {
      let flat = 0;
      let shaped = 0;
      // Pink noise: equal power per octave, so equal weight per step of log frequency, 20 Hz–20 kHz.
      for (let j = 0; j < steps; j++) {
        const f = 20 * Math.pow(1000, (j + 0.5) / steps);
        const k = Math.pow(10, (responseDb(pre, f, FS) + responseDb(rlb, f, FS)) / 10);
        flat += k;
        shaped += k * Math.pow(10, designedDb(p.id, f) / 10);
      }
      const changeDb = 10 * Math.log10(shaped / flat);
      expect(Math.abs(changeDb), `${p.id}: loudness change with the trim (dB)`).toBeLessThanOrEqual(0.5);
    }
  });
});

describe('TranslationFilter: measured responses', () => {
  const FREQS = [60, 300, 1500, 8000];
  for (const id of TRANSLATION_PRESETS) {
    it(`${id}: magnitude at ${FREQS.join(', ')} Hz matches the designed curve within 0.02 dB`, () => {
      const h = impulseResponse(filter(id));
      for (const f of FREQS) {
        const want = designedDb(id, f);
        expect(Math.abs(dftDb(h, f) - want), `${id} at ${f} Hz (designed ${want.toFixed(2)} dB)`).toBeLessThan(0.02);
        expect(Math.abs(presetResponseDb(index(id), f, FS) - want)).toBeLessThan(1e-9);
      }
    });
  }

  it('phone: no bass, mids near unity, no top (measured)', () => {
    const h = impulseResponse(filter('phone'));
    expect(dftDb(h, 100)).toBeLessThanOrEqual(-20);
    expect(dftDb(h, 200)).toBeLessThanOrEqual(-20);
    expect(Math.abs(dftDb(h, 1500))).toBeLessThanOrEqual(6);
    expect(dftDb(h, 2000)).toBeGreaterThan(3);
    expect(dftDb(h, 16000)).toBeLessThanOrEqual(-10);
  });

  it('laptop: nothing below 100 Hz, a mid bump (measured)', () => {
    const h = impulseResponse(filter('laptop'));
    expect(dftDb(h, 60)).toBeLessThanOrEqual(-30);
    expect(dftDb(h, 100)).toBeLessThanOrEqual(-15);
    expect(dftDb(h, 1000)).toBeGreaterThanOrEqual(2.5);
  });

  it('earbuds: deep bass rolled off, presence peak (measured)', () => {
    const h = impulseResponse(filter('earbuds'));
    expect(dftDb(h, 20)).toBeLessThanOrEqual(-10);
    expect(dftDb(h, 3000)).toBeGreaterThanOrEqual(2.5);
  });

  it('car: cabin gain below 80 Hz, duller top (measured)', () => {
    const h = impulseResponse(filter('car'));
    expect(dftDb(h, 45)).toBeGreaterThanOrEqual(3);
    expect(dftDb(h, 12000)).toBeLessThanOrEqual(-1.5);
  });

  it('club: sub emphasis, HF roll-off (measured)', () => {
    const h = impulseResponse(filter('club'));
    expect(dftDb(h, 50)).toBeGreaterThanOrEqual(3);
    expect(dftDb(h, 12000)).toBeLessThanOrEqual(-2.5);
  });

  it('follows the sample rate (phone at 44.1 and 96 kHz)', () => {
    for (const sr of [44100, 96000]) {
      const h = impulseResponse(filter('phone', false, sr), sr);
      for (const f of [100, 1500, 8000]) expect(Math.abs(dftDb(h, f, sr) - designedDb('phone', f, sr)), `${sr} Hz, ${f} Hz`).toBeLessThan(0.02);
    }
  });
});

describe('TranslationFilter: mono', () => {
  const input = testSignal(2, 24000, FS, 0.7, 11);

  it('off with mono folds to L\' = R\' = ½(L + R), bit for bit', () => {
    const [l, r] = runStereo(filter('off', true), input[0], input[1], 100);
    let diffs = 0;
    for (let i = 0; i < l.length; i++) {
      const m = Math.fround((input[0][i] + input[1][i]) * 0.5);
      if (!Object.is(l[i], m) || !Object.is(r[i], m)) diffs++;
    }
    expect(diffs).toBe(0);
    // The channels differ, so the fold really happened.
    expect(input[0].some((v, i) => v !== input[1][i])).toBe(true);
  });

  it('a mono preset (phone) gives identical channels; a centred source keeps its level', () => {
    const [l, r] = runStereo(filter('phone'), input[0], input[1], 128);
    expect(l.findIndex((v, i) => !Object.is(v, r[i]))).toBe(-1);
    const s = sine(1500, 24000);
    const [cl] = runStereo(filter('phone'), s, s);
    const [sl] = runStereo(filter('phone', false), s, s);
    expect(cl).toEqual(sl);
    expect(Math.abs(rmsDb(cl, 4800) - rmsDb(s, 4800) - designedDb('phone', 1500))).toBeLessThan(0.05);
  });

  it('club folds to mono below 120 Hz only: the side is gone at 40 Hz and intact at 2 kHz', () => {
    for (const [f, lo, hi] of [
      [40, -Infinity, -20],
      [2000, -0.1, 0.1],
    ] as const) {
      const s = sine(f, 48000);
      const neg = s.map((v) => -v);
      const [midOut] = runStereo(filter('club'), s, s);
      const [sideL, sideR] = runStereo(filter('club'), s, neg);
      const d = rmsDb(sideL, 24000) - rmsDb(midOut, 24000);
      expect(d, `side relative to mid at ${f} Hz (dB)`).toBeGreaterThan(lo);
      expect(d, `side relative to mid at ${f} Hz (dB)`).toBeLessThan(hi);
      // Pure side stays anti-phase.
      expect(Math.abs(rmsDb(sideL, 24000) - rmsDb(sideR, 24000))).toBeLessThan(1e-3);
    }
  });
});

describe('TranslationFilter: identity and crossfades', () => {
  const input = testSignal(2, 24000, FS, 4, 5);
  const fadeLen = Math.round((XFADE_MS * FS) / 1000);

  it('off without mono is an exact identity, also after a round trip through phone', () => {
    const f = filter('off');
    const [l, r] = runStereo(f, input[0], input[1], 77);
    expect(l.findIndex((v, i) => !Object.is(v, input[0][i]))).toBe(-1);
    expect(r.findIndex((v, i) => !Object.is(v, input[1][i]))).toBe(-1);

    const g = filter('phone');
    const [l2] = runStereo(g, input[0], input[1], 128, (pos) => {
      if (pos === 2048) g.set(0, false);
    });
    const settled = 2048 + fadeLen;
    expect(l2.subarray(2048, 2060).some((v, i) => v !== input[0][2048 + i])).toBe(true);
    expect(l2.findIndex((v, i) => i >= settled && !Object.is(v, input[0][i]))).toBe(-1);
  });

  it(`crossfades linearly over ${XFADE_MS} ms, counted in samples`, () => {
    // L = 1, R = 0: off gives L = 1, mono gives L = 0.5, so the fade is visible sample by sample.
    const n = 4096;
    const one = new Float32Array(n).fill(1);
    const zero = new Float32Array(n);
    const at = 1000;
    for (const block of [1, 100, 1000]) {
      const f = filter('off');
      const [l, r] = runStereo(f, one, zero, block, (pos) => {
        if (pos === at) f.set(0, true);
      });
      expect(fadeLen).toBe(960);
      expect(l[at - 1]).toBe(1);
      for (const j of [0, 1, 479, 958, 959]) expect(l[at + j], `block ${block}, fade sample ${j}`).toBeCloseTo(1 - (0.5 * (j + 1)) / fadeLen, 6);
      expect(r[at + 479]).toBeCloseTo((0.5 * 480) / fadeLen, 6);
      expect(l.subarray(at + fadeLen).every((v) => v === 0.5)).toBe(true);
    }
  });

  it('gives the same samples for any block size across preset changes, even mid-fade', () => {
    const first = 128 * 40;
    const second = first + 128 * 3; // during the first crossfade
    const runs = [1, 64, 128].map((block) => {
      const f = filter('earbuds');
      return runStereo(f, input[0], input[1], block, (pos) => {
        if (pos === first) f.set(index('phone'), false);
        if (pos === second) f.set(index('club'), true);
      });
    });
    for (const [l, r] of runs.slice(1)) {
      expect(l.findIndex((v, i) => !Object.is(v, runs[0][0][i]))).toBe(-1);
      expect(r.findIndex((v, i) => !Object.is(v, runs[0][1][i]))).toBe(-1);
    }
    // The queued change happens: the end is club in mono (identical channels).
    const [l, r] = runs[0];
    const end = second + 3 * fadeLen;
    expect(l.subarray(end).every((v, i) => Object.is(v, r[end + i]))).toBe(true);
    expect(l.subarray(first, end).some((v, i) => v !== r[first + i])).toBe(true);
  });

  it('switches without clicks: the second difference stays within 3x its steady-state size', () => {
    // A step (a hard switch) makes |x[i] − 2x[i−1] + x[i−2]| jump far above a 300 Hz sine's
    // (ω²·A ≈ 8e-4): 36 to 500 times the steady value when switched in one sample.
    const n = 48000;
    for (const [from, to, mono] of [
      ['off', 'phone', false],
      ['phone', 'club', false],
      ['car', 'laptop', false],
      ['off', 'off', true],
      ['club', 'earbuds', true],
    ] as const) {
      const l = sine(300, n);
      const r = sine(300, n, 0.5, 2); // not in phase: the mono fold changes the level
      const steadyA = runStereo(filter(from), l, r)[0];
      const steadyB = runStereo(filter(to, mono), l, r)[0];
      const f = filter(from);
      const at = 128 * 188;
      let calls = 0;
      const [out] = runStereo(f, l, r, 128, (pos) => {
        if (pos === at) {
          f.set(index(to), mono);
          calls++;
        }
      });
      expect(calls).toBe(1);
      const bound = Math.max(maxCurvature(steadyA, 12000, n), maxCurvature(steadyB, 12000, n));
      expect(maxCurvature(out, at - 10, at + fadeLen + 10), `${from} -> ${to}${mono ? ' mono' : ''}`).toBeLessThanOrEqual(bound * 3);
    }
  });

  it('reset clears the state and the next set applies at once', () => {
    const f = filter('phone');
    runStereo(f, input[0], input[1]);
    f.reset();
    f.set(index('car'), false);
    const s = sine(1000, 4800);
    const [a] = runStereo(f, s, s);
    const [b] = runStereo(filter('car'), s, s);
    expect(a).toEqual(b);
    expect(f.responseDb(45)).toBeCloseTo(designedDb('car', 45), 9);
  });
});

const CONFIGS = ['default', ...TRANSLATION_PRESETS.filter((p) => p !== 'off'), ...TRANSLATION_PRESETS.map((p) => `${p}:mono`)];

dspSuite(
  'TranslationFilter',
  {
    inputs: 2,
    outputs: 2,
    configs: CONFIGS,
    make(sr, config) {
      const [id, mono] = config === 'default' ? ['off', ''] : config.split(':');
      const f = new TranslationFilter(sr);
      f.set(index(id), mono === 'mono');
      return inPlace(f);
    },
  },
  [44100, 48000, 96000],
);
