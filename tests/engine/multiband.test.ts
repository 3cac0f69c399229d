/**
 * MultibandCompressor: flat when idle, each band's static curve against compressorCurveDb, band
 * independence, exact bypass and crossfades, gain-reduction reporting, long blocks, and the
 * shared DSP suite.
 */
import { describe, expect, it } from 'vitest';
import { compressorCurveDb } from '../../src/engine/compressor.js';
import { FADE_MS, MultibandCompressor } from '../../src/engine/multiband.js';
import { dspSuite, inPlace, runStereo, testSignal } from './dsp-suite.js';

const FS = 48000;

type Band = [on: boolean, threshold: number, ratio: number, knee: number, attack: number, release: number, makeup: number];
const UNITY: Band = [true, 0, 1, 6, 10, 100, 0];

function make(crossovers: [number, number], bands: Band[] = [UNITY, UNITY, UNITY], on = true, maxBlock = 512): MultibandCompressor {
  const m = new MultibandCompressor(FS, maxBlock);
  m.setOn(on);
  m.setCrossovers(...crossovers);
  bands.forEach((b, i) => m.setBand(i, ...b));
  return m;
}

function sine(amp: number, f: number, frames: number, phase = 0): Float32Array {
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = amp * Math.sin((2 * Math.PI * f * i) / FS + phase);
  return x;
}

/** |DTFT| of h at f, in dB. */
function dftDb(h: ArrayLike<number>, f: number, fs = FS): number {
  const w = (2 * Math.PI * f) / fs;
  let re = 0;
  let im = 0;
  for (let n = 0; n < h.length; n++) {
    re += h[n] * Math.cos(w * n);
    im -= h[n] * Math.sin(w * n);
  }
  return 10 * Math.log10(re * re + im * im);
}

/** Amplitude (dB re 1) of the component at f over a window holding whole periods of it. */
function toneDb(x: Float32Array, f: number, from: number, to: number): number {
  const w = (2 * Math.PI * f) / FS;
  let re = 0;
  let im = 0;
  for (let n = from; n < to; n++) {
    re += x[n] * Math.cos(w * n);
    im -= x[n] * Math.sin(w * n);
  }
  return 20 * Math.log10((2 * Math.hypot(re, im)) / (to - from));
}

function peak(x: Float32Array, from: number, to: number): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

function firstDifference(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const db = (x: number): number => 20 * Math.log10(x);

describe('MultibandCompressor: idle is flat', () => {
  const idle: Record<string, Band[]> = {
    'ratio 1 everywhere': [UNITY, UNITY, UNITY],
    'threshold far above the signal': [
      [true, 0, 4, 0, 1, 50, 0],
      [true, 0, 8, 0, 1, 50, 0],
      [true, 0, 20, 0, 1, 50, 0],
    ],
    'bands switched off': [
      [false, -60, 20, 0, 1, 50, 12],
      [false, -60, 20, 0, 1, 50, 12],
      [false, -60, 20, 0, 1, 50, 12],
    ],
  };
  for (const [name, bands] of Object.entries(idle)) {
    it(`${name}: the impulse response is flat within 0.1 dB from 20 Hz to 20 kHz`, () => {
      let worst = 0;
      for (const xo of [
        [150, 3500],
        [40, 12000],
      ] as [number, number][]) {
        const m = make(xo, bands);
        // An impulse of 0.25 keeps every band far below a 0 dBFS threshold.
        const x = new Float32Array(1 << 16);
        x[0] = 0.25;
        const [l, r] = runStereo(m, x, x, 256);
        for (let k = 0; k < 40; k++) {
          const f = 20 * Math.pow(1000, k / 39);
          worst = Math.max(worst, Math.abs(dftDb(l, f) - db(0.25)), Math.abs(dftDb(r, f) - db(0.25)));
        }
        expect(Array.from(m.gainReductionDb)).toEqual([0, 0, 0]);
      }
      // Measured: below 1e-5 dB (the bands sum to an allpass; float32 rounding only).
      expect(worst).toBeLessThan(0.1);
      expect(worst).toBeLessThan(1e-4);
    });
  }
});

describe('MultibandCompressor: per-band static curve', () => {
  // Sines well inside each band of 150 Hz / 4 kHz crossovers: the neighbouring bands leak at
  // most −56 dB of them (LR4), which moves a tone compressed by up to 15 dB by about 0.1 dB.
  // (17 kHz rather than 18: 18/48 puts only 8 sample phases on the sine, and the detector would
  // see its sampled peak up to 0.7 dB low.)
  const cases: Array<[band: number, f: number]> = [
    [0, 25],
    [1, 800],
    [2, 17000],
  ];
  for (const [band, f] of cases) {
    it(`band ${band}: a ${f} Hz sine is compressed by compressorCurveDb at its peak level (±0.5 dB), the others untouched`, () => {
      const [T, R, W] = [-20, 4, 6];
      let worst = 0;
      for (let level = -30; level <= 0; level += 5) {
        const bands: Band[] = [UNITY, UNITY, UNITY];
        // Fast attack and slow release: the detector holds each cycle's peak.
        bands[band] = [true, T, R, W, 0.05, 1000, 0];
        const m = make([150, 4000], bands);
        const x = sine(10 ** (level / 20), f, FS);
        const [l, r] = runStereo(m, x, x, 128);
        // The last 4 periods of 25 Hz (a whole number of periods of every test frequency).
        const from = FS - 7680;
        const got = db(peak(l, from, FS) / peak(x, from, FS));
        const want = compressorCurveDb(level, T, R, W) - level;
        worst = Math.max(worst, Math.abs(got - want));
        expect(Math.abs(got - want), `${level} dBFS: ${got.toFixed(3)} vs ${want.toFixed(3)} dB`).toBeLessThan(0.5);
        expect(db(peak(r, from, FS) / peak(l, from, FS))).toBeCloseTo(0, 6);
        expect(m.gainReductionDb[band]).toBeCloseTo(-want, 1);
        for (let b = 0; b < 3; b++) if (b !== band) expect(m.gainReductionDb[b]).toBe(0);
      }
      // Measured: at most 0.13 dB (crossover leakage of the uncompressed neighbours).
      expect(worst).toBeLessThan(0.2);
    });
  }

  it('makeup adds its dB to its band only', () => {
    const bands: Band[] = [UNITY, [true, 0, 1, 6, 10, 100, 6], UNITY];
    const m = make([150, 4000], bands);
    const x = new Float32Array(FS);
    const a = sine(0.1, 25, FS);
    const b = sine(0.1, 800, FS);
    const c = sine(0.1, 18000, FS);
    for (let i = 0; i < FS; i++) x[i] = a[i] + b[i] + c[i];
    const [l] = runStereo(m, x, x);
    // 23040 samples: whole periods of all three tones. The mid band's −62 dB leakage at 25 Hz,
    // doubled by the makeup, moves that tone by at most 0.007 dB.
    const from = FS - 23040;
    expect(toneDb(l, 800, from, FS) - db(0.1)).toBeCloseTo(6, 1);
    expect(Math.abs(toneDb(l, 25, from, FS) - db(0.1))).toBeLessThan(0.02);
    expect(Math.abs(toneDb(l, 18000, from, FS) - db(0.1))).toBeLessThan(0.02);
  });
});

describe('MultibandCompressor: band independence', () => {
  /** Three tones at −20 dBFS, one per band; one second analysed (whole periods of each). */
  function threeTones(): Float32Array {
    const x = new Float32Array(2 * FS);
    const a = sine(0.1, 25, 2 * FS);
    const b = sine(0.1, 800, 2 * FS, 1);
    const c = sine(0.1, 18000, 2 * FS, 2);
    for (let i = 0; i < x.length; i++) x[i] = a[i] + b[i] + c[i];
    return x;
  }
  const tones = [25, 800, 18000];

  for (let band = 0; band < 3; band++) {
    it(`compressing band ${band} by ~15 dB leaves the other bands' tones within 0.1 dB`, () => {
      const x = threeTones();
      const [idle] = runStereo(make([150, 4000]), x, x);
      const bands: Band[] = [UNITY, UNITY, UNITY];
      bands[band] = [true, -40, 10, 0, 1, 100, 0];
      const m = make([150, 4000], bands);
      const [l] = runStereo(m, x, x);
      for (let k = 0; k < 3; k++) {
        const change = toneDb(l, tones[k], FS, 2 * FS) - toneDb(idle, tones[k], FS, 2 * FS);
        if (k === band) expect(change, `its own tone at ${tones[k]} Hz`).toBeLessThan(-12);
        else expect(Math.abs(change), `tone at ${tones[k]} Hz: ${change.toFixed(4)} dB`).toBeLessThan(0.1);
      }
      expect(m.gainReductionDb[band]).toBeGreaterThan(12);
    });
  }
});

describe('MultibandCompressor: switching', () => {
  const heavy: Band[] = [
    [true, -40, 20, 0, 0.1, 50, 12],
    [true, -40, 20, 0, 0.1, 50, 12],
    [true, -40, 20, 0, 0.1, 50, 12],
  ];

  it('off is an exact bypass (no crossover phase shift), even with every band set hard', () => {
    const x = testSignal(2, 24000, FS);
    const m = make([150, 3500], heavy, false);
    const [l, r] = runStereo(m, x[0], x[1], 100);
    expect(firstDifference(l, x[0])).toBe(-1);
    expect(firstDifference(r, x[1])).toBe(-1);
    expect(Array.from(m.gainReductionDb)).toEqual([0, 0, 0]);
  });

  it('switching off crossfades over FADE_MS and is then exact; switching on fades in without a click', () => {
    const fade = Math.round((FADE_MS * FS) / 1000);
    const F = 1000;
    const x = sine(0.5, F, 4 * 9600);
    const m = make([150, 3500], heavy, true);
    const [l] = runStereo(m, x, x, 64, (pos) => {
      if (pos === 9600) m.setOn(false);
      if (pos === 19200) m.setOn(true);
    });
    // Compressed before the switch, the input itself from the end of the fade on.
    expect(firstDifference(l.subarray(9600 - 960, 9600), x.subarray(9600 - 960, 9600))).toBe(0);
    expect(firstDifference(l.subarray(9600 + fade, 19200), x.subarray(9600 + fade, 19200))).toBe(-1);
    expect(firstDifference(l.subarray(9600, 9600 + fade), x.subarray(9600, 9600 + fade))).toBe(0);
    // No step beyond that of the louder of the two sines (dry 0.5, compressed +12 dB makeup).
    const loud = Math.max(peak(l, 4800, 9600), 0.5);
    let worst = 0;
    for (let i = 4800; i < l.length; i++) worst = Math.max(worst, Math.abs(l[i] - l[i - 1]));
    expect(worst).toBeLessThanOrEqual(1.1 * 2 * Math.sin((Math.PI * F) / FS) * loud);
    // Back on: compressed again after the fade, like before the switch.
    expect(Math.abs(db(peak(l, 4 * 9600 - 960, 4 * 9600) / peak(l, 9600 - 960, 9600)))).toBeLessThan(0.05);
  });

  it('the first setOn after construction or reset applies at once', () => {
    const x = testSignal(2, 4800, FS);
    const m = new MultibandCompressor(FS, 256);
    m.setOn(false);
    let [l] = runStereo(m, x[0], x[1]);
    expect(firstDifference(l, x[0])).toBe(-1);
    m.reset();
    m.setOn(true);
    m.setBand(1, ...heavy[1]);
    [l] = runStereo(m, x[0], x[1]);
    const ref = make([150, 3500], [UNITY, heavy[1], UNITY], true, 256);
    const [want] = runStereo(ref, x[0], x[1]);
    expect(firstDifference(l, want)).toBe(-1);
  });

  it('gives the same output for blocks longer than maxBlock (processed in pieces) and any block size', () => {
    const x = testSignal(2, 24000, FS);
    const run = (maxBlock: number, block: number) => {
      const m = make([200, 2500], [heavy[0], [true, -30, 4, 6, 5, 80, 3], UNITY], true, maxBlock);
      return runStereo(m, x[0], x[1], block, (pos) => {
        if (pos === 9600) m.setOn(false);
        if (pos === 14400) m.setOn(true);
        if (pos === 19200) m.setCrossovers(400, 6000);
      });
    };
    const ref = run(4800, 4800);
    for (const [maxBlock, block] of [
      [64, 4800],
      [1, 480],
      [1000, 1],
      [333, 960],
    ]) {
      const got = run(maxBlock, block);
      expect(firstDifference(got[0], ref[0]), `maxBlock ${maxBlock}, block ${block}`).toBe(-1);
      expect(firstDifference(got[1], ref[1]), `maxBlock ${maxBlock}, block ${block}`).toBe(-1);
    }
  });

  it('rejects a band index out of range', () => {
    const m = new MultibandCompressor(FS, 128);
    expect(() => m.setBand(3, ...UNITY)).toThrow(RangeError);
    expect(() => m.setBand(-1, ...UNITY)).toThrow(RangeError);
    expect(() => new MultibandCompressor(FS, 0)).toThrow(RangeError);
  });
});

const CONFIGS: Record<string, (m: MultibandCompressor) => void> = {
  default: (m) => {
    m.setOn(true);
    m.setCrossovers(150, 3500);
    m.setBand(0, true, -20, 2, 6, 30, 250, 0);
    m.setBand(1, true, -20, 2, 6, 15, 150, 0);
    m.setBand(2, true, -20, 2, 6, 5, 80, 0);
  },
  'heavy compression': (m) => {
    m.setOn(true);
    m.setCrossovers(150, 3500);
    for (let b = 0; b < 3; b++) m.setBand(b, true, -60, 20, 0, 0.1, 10, 12);
  },
  off: (m) => {
    m.setOn(false);
    for (let b = 0; b < 3; b++) m.setBand(b, true, -60, 20, 0, 0.1, 10, 12);
  },
  'extreme crossovers low': (m) => {
    m.setOn(true);
    m.setCrossovers(20, 30);
    for (let b = 0; b < 3; b++) m.setBand(b, true, -30, 4, 6, 1, 50, 6);
  },
  'extreme crossovers high': (m) => {
    m.setOn(true);
    m.setCrossovers(20000, 24000);
    for (let b = 0; b < 3; b++) m.setBand(b, true, -30, 4, 6, 1, 50, 6);
  },
};

dspSuite(
  'MultibandCompressor',
  {
    inputs: 2,
    outputs: 2,
    configs: Object.keys(CONFIGS),
    make(sampleRate, config) {
      // maxBlock 256: the suite's 1000-frame blocks go through in pieces.
      const m = new MultibandCompressor(sampleRate, 256);
      CONFIGS[config](m);
      return inPlace(m);
    },
  },
  [44100, 48000, 96000],
);
