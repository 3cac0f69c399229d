/**
 * The run-time filters: impulse responses against the designed magnitudes, the high-pass slopes
 * against Butterworth, bypass and crossfades, parameter glides without clicks, and the shared
 * DSP suite.
 */
import { describe, expect, it } from 'vitest';
import {
  HIGHPASS,
  HIGHPASS1,
  HIGHSHELF,
  LOWPASS,
  LOWPASS1,
  LOWSHELF,
  PEAK,
  designBiquad,
  newCoeffs,
  responseDb,
} from '../../src/engine/biquad.js';
import { Equalizer, HighPass, HPF_ORDER } from '../../src/engine/filters.js';
import { BiquadCascade, FADE_MS } from '../../src/engine/smoothed-biquad.js';
import { dspSuite, inPlace, testSignal } from './dsp-suite.js';

interface Block {
  readonly channels: number;
  process(buffers: readonly Float32Array[], frames: number): void;
}

/** Process whole signals in place, `blockSize` frames at a time; `before(pos)` runs ahead of each block. */
function runInPlace(block: Block, signals: Float32Array[], blockSize: number, before?: (pos: number) => void): void {
  const frames = signals[0].length;
  const views: Float32Array[] = signals.map(() => new Float32Array(0));
  for (let pos = 0; pos < frames; pos += blockSize) {
    const n = Math.min(blockSize, frames - pos);
    before?.(pos);
    for (let c = 0; c < signals.length; c++) views[c] = signals[c].subarray(pos, pos + n);
    block.process(views, n);
  }
}

/** Impulse response of `block` (channel 0; all channels get the impulse). */
function impulseResponse(block: Block, frames: number, blockSize = 128): Float32Array {
  const sig = Array.from({ length: block.channels }, () => {
    const x = new Float32Array(frames);
    x[0] = 1;
    return x;
  });
  runInPlace(block, sig, blockSize);
  return sig[0];
}

/** |DTFT| of h at f, in dB. */
function dftDb(h: Float32Array, f: number, fs: number): number {
  const w = (2 * Math.PI * f) / fs;
  let re = 0;
  let im = 0;
  for (let n = 0; n < h.length; n++) {
    re += h[n] * Math.cos(w * n);
    im -= h[n] * Math.sin(w * n);
  }
  return 10 * Math.log10(re * re + im * im);
}

function logFreqs(lo: number, hi: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => lo * Math.pow(hi / lo, i / (count - 1)));
}

/** Worst |measured - expected| over the frequencies where the expected magnitude is above `floorDb`. */
function worstDeviation(h: Float32Array, fs: number, expected: (f: number) => number, freqs: number[], floorDb = -80): number {
  let worst = 0;
  let points = 0;
  for (const f of freqs) {
    const want = expected(f);
    if (want < floorDb) continue;
    worst = Math.max(worst, Math.abs(dftDb(h, f, fs) - want));
    points++;
  }
  expect(points, 'points compared').toBeGreaterThanOrEqual(10);
  return worst;
}

/** Butterworth high-pass of order n, bilinear and prewarped at f0: |H|² = 1/(1 + (Ω0/Ω)^2n). */
function butterworthHpDb(order: number, f0: number, f: number, fs: number): number {
  const r = Math.tan((Math.PI * f0) / fs) / Math.tan((Math.PI * f) / fs);
  return -10 * Math.log10(1 + Math.pow(r, 2 * order));
}

/** A sine that starts at its peak (so that changes on block boundaries do not hide on zero crossings). */
function cosine(frames: number, f: number, fs: number, amp: number): Float32Array {
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = amp * Math.cos((2 * Math.PI * f * i) / fs);
  return x;
}

function maxStep(x: Float32Array, from = 1): number {
  let m = 0;
  for (let i = Math.max(1, from); i < x.length; i++) m = Math.max(m, Math.abs(x[i] - x[i - 1]));
  return m;
}

function firstDifference(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** A plain TDF-II section whose coefficients are swapped at `at` with no smoothing (the naive way). */
function naiveSwap(x: Float32Array, before: Float64Array, after: Float64Array, at: number): Float32Array {
  const y = new Float32Array(x.length);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const c = i < at ? before : after;
    const v = c[0] * x[i] + s1;
    s1 = c[1] * x[i] - c[3] * v + s2;
    s2 = c[2] * x[i] - c[4] * v;
    y[i] = v;
  }
  return y;
}

const FS = 48000;

describe('a single section at run time matches its design', () => {
  const settings: ReadonlyArray<[type: number, f0: number, gainDb: number, q: number]> = [
    [PEAK, 1000, 9, 2],
    [PEAK, 60, -12, 0.5],
    [LOWSHELF, 200, 12, 0.7],
    [HIGHSHELF, 6000, -9, 1],
    [LOWPASS, 3000, 0, 4],
    [HIGHPASS, 150, 0, 0.7],
    [LOWPASS1, 2000, 0, 1],
    [HIGHPASS1, 300, 0, 1],
  ];
  for (const [type, f0, gainDb, q] of settings) {
    it(`type ${type} at ${f0} Hz (${gainDb} dB, Q ${q}): impulse response within ±0.01 dB of the design`, () => {
      const cascade = new BiquadCascade(1, FS, 1);
      cascade.sections[0].set(type, f0, gainDb, q);
      const h = impulseResponse(cascade, 1 << 15, 100);
      const c = newCoeffs();
      designBiquad(c, type, f0, gainDb, q, FS);
      const worst = worstDeviation(h, FS, (f) => responseDb(c, f, FS), logFreqs(20, 0.45 * FS, 24));
      expect(worst).toBeLessThan(0.01);
    });
  }
});

describe('HighPass', () => {
  for (const fs of [44100, 48000, 96000]) {
    for (const f0 of [20, 100, 600]) {
      it(`follows the Butterworth magnitude at every slope (${f0} Hz, ${fs} Hz)`, () => {
        for (let slope = 0; slope < 3; slope++) {
          const n = HPF_ORDER[slope];
          const hp = new HighPass(1, fs);
          hp.set(true, f0, slope);
          const h = impulseResponse(hp, 1 << 17);
          const db = (f: number) => dftDb(h, f, fs);
          expect(db(f0), `slope ${slope}: at f0`).toBeCloseTo(10 * Math.log10(0.5), 2);
          for (const div of [1, 2, 4, 8]) {
            const f = f0 / div;
            expect(Math.abs(db(f) - butterworthHpDb(n, f0, f, fs)), `slope ${slope}, f0/${div}`).toBeLessThan(0.05);
            expect(Math.abs(hp.responseDb(f) - butterworthHpDb(n, f0, f, fs)), `slope ${slope}, f0/${div}, responseDb`).toBeLessThan(1e-6);
          }
          // Asymptotic roll-off: 6.02·n dB per octave between f0/4 and f0/8.
          expect(db(f0 / 4) - db(f0 / 8), `slope ${slope}: dB per octave`).toBeCloseTo(6.0206 * n, 1);
          // And the passband is flat.
          expect(Math.abs(db(f0 * 20)), `slope ${slope}: at 20·f0`).toBeLessThan(0.001);
        }
      });
    }
  }

  it('is an exact bypass when off, and fades out to one when switched off', () => {
    const hp = new HighPass(2, FS);
    hp.set(false, 200, 2);
    const x = testSignal(2, 9600, FS);
    const y = x.map((c) => c.slice());
    runInPlace(hp, y, 128);
    y.forEach((c, i) => expect(firstDifference(c, x[i])).toBe(-1));

    hp.set(true, 200, 2);
    hp.reset();
    hp.set(true, 200, 2);
    const z = x.map((c) => c.slice());
    const fade = Math.round((FADE_MS / 1000) * FS);
    runInPlace(hp, z, 100, (pos) => hp.set(pos < 4800, 200, 2));
    // Filtering before the switch, the input itself from the end of the fade on.
    expect(firstDifference(z[0].subarray(0, 4800), x[0].subarray(0, 4800))).toBeGreaterThanOrEqual(0);
    expect(firstDifference(z[0].subarray(4800 + fade), x[0].subarray(4800 + fade))).toBe(-1);
    expect(firstDifference(z[1].subarray(4800 + fade), x[1].subarray(4800 + fade))).toBe(-1);
    expect(hp.responseDb(50)).toBe(0);
  });

  it('changes slope without NaN and settles on the new Butterworth response', () => {
    const hp = new HighPass(1, FS);
    for (const [from, to] of [
      [0, 2],
      [2, 1],
      [1, 0],
      [0, 1],
      [1, 2],
      [2, 0],
    ]) {
      hp.reset();
      hp.set(true, 100, from);
      const x = testSignal(1, 4800, FS, 4);
      runInPlace(hp, x, 128, (pos) => hp.set(true, 100, pos < 2400 ? from : to));
      expect(x[0].findIndex((v) => !Number.isFinite(v))).toBe(-1);
      // Let the change finish on silence, then measure.
      runInPlace(hp, [new Float32Array(FS)], 128);
      const h = impulseResponse(hp, 1 << 16);
      const n = HPF_ORDER[to];
      for (const f of [12.5, 25, 50, 100, 200, 1000]) {
        expect(Math.abs(dftDb(h, f, FS) - butterworthHpDb(n, 100, f, FS)), `${from}->${to} at ${f} Hz`).toBeLessThan(0.01);
      }
    }
  });
});

describe('Equalizer', () => {
  const BANDS: ReadonlyArray<[type: number, freq: number, gainDb: number, q: number]> = [
    [LOWSHELF, 120, 6, 0.7],
    [PEAK, 700, -9, 3],
    [PEAK, 3000, 12, 1.4],
    [HIGHPASS, 40, 0, 0.9],
  ];

  /** Expected total magnitude, designed independently. */
  function designedDb(active: number, f: number, fs = FS): number {
    const c = newCoeffs();
    let db = 0;
    for (let b = 0; b < active; b++) {
      const [t, f0, g, q] = BANDS[b];
      designBiquad(c, t, f0, g, q, fs);
      db += responseDb(c, f, fs);
    }
    return db;
  }

  for (let active = 1; active <= 4; active++) {
    it(`impulse response of ${active} active band(s) within ±0.01 dB of the design`, () => {
      const eq = new Equalizer(2, FS);
      eq.setOn(true);
      for (let b = 0; b < active; b++) eq.setBand(b, ...BANDS[b]);
      const h = impulseResponse(eq, 1 << 16, 1000);
      const freqs = logFreqs(20, 0.45 * FS, 30);
      expect(worstDeviation(h, FS, (f) => designedDb(active, f), freqs)).toBeLessThan(0.01);
      for (const f of freqs) expect(eq.responseDb(f)).toBeCloseTo(designedDb(active, f), 9);
    });
  }

  it('responseDb: the target curve; 0 when off, 0 dB bands and gains of pass bands ignored', () => {
    const eq = new Equalizer(1, FS);
    eq.setBand(0, PEAK, 1000, 0, 2);
    eq.setBand(1, LOWPASS, 5000, 12, Math.SQRT1_2);
    expect(eq.responseDb(5000)).toBeCloseTo(10 * Math.log10(0.5), 9);
    expect(eq.responseDb(1000)).toBeCloseTo(responseDb(lowpass5k(), 1000, FS), 12);
    eq.setBand(2, PEAK, 1000, 6, 2);
    expect(eq.responseDb(1000)).toBeCloseTo(6 + responseDb(lowpass5k(), 1000, FS), 9);
    eq.setOn(false);
    for (const f of [20, 1000, 5000, 20000]) expect(eq.responseDb(f)).toBe(0);
    expect(() => eq.setBand(4, PEAK, 1000, 3, 1)).toThrow(RangeError);

    function lowpass5k() {
      const c = newCoeffs();
      designBiquad(c, LOWPASS, 5000, 0, Math.SQRT1_2, FS);
      return c;
    }
  });

  it('skips 0 dB bands exactly, and returns to an exact bypass after a band goes back to 0 dB', () => {
    const eq = new Equalizer(2, FS);
    eq.setOn(true);
    for (let b = 0; b < 4; b++) eq.setBand(b, b % 3, 100 * (b + 1), 0, 1);
    const x = testSignal(2, 48000, FS);
    const y = x.map((c) => c.slice());
    runInPlace(eq, y, 128);
    y.forEach((c, i) => expect(firstDifference(c, x[i])).toBe(-1));

    // +6 dB for 0.25 s, then back to 0 dB: after the glide and drain the output is the input again.
    const z = x.map((c) => c.slice());
    runInPlace(eq, z, 128, (pos) => eq.setBand(1, PEAK, 1000, pos >= 4800 && pos < 16800 ? 6 : 0, 1));
    expect(firstDifference(z[0].subarray(4800, 16800), x[0].subarray(4800, 16800))).toBeGreaterThanOrEqual(0);
    const quiet = 16800 + FS / 2;
    expect(firstDifference(z[0].subarray(quiet), x[0].subarray(quiet))).toBe(-1);
  });

  it('is an exact bypass when off, after a crossfade of FADE_MS', () => {
    const eq = new Equalizer(1, FS);
    eq.setOn(true);
    eq.setBand(0, LOWPASS, 2000, 0, 1);
    eq.setBand(2, PEAK, 500, 10, 2);
    const x = testSignal(1, 24000, FS);
    const y = x.map((c) => c.slice());
    runInPlace(eq, y, 64, (pos) => eq.setOn(pos < 9600));
    const fade = Math.round((FADE_MS / 1000) * FS);
    expect(firstDifference(y[0].subarray(9600 + fade), x[0].subarray(9600 + fade))).toBe(-1);
    expect(firstDifference(y[0].subarray(9600, 9600 + fade), x[0].subarray(9600, 9600 + fade))).toBe(0);
  });

  it('the first setting after construction or reset is applied at once; later changes glide', () => {
    const eq = new Equalizer(1, FS);
    // Blocks processed with the defaults do not turn the first real setting into a ramp.
    runInPlace(eq, [new Float32Array(4800)], 128);
    eq.setBand(0, PEAK, 1000, 12, 2);
    const target = (f: number) => eq.responseDb(f);
    const freqs = logFreqs(50, 15000, 16);
    expect(worstDeviation(impulseResponse(eq, 1 << 14), FS, target, freqs)).toBeLessThan(0.01);

    // A later change glides: right after it the response is still far from the new target...
    eq.setBand(0, PEAK, 4000, -12, 2);
    expect(worstDeviation(impulseResponse(eq, 1 << 14), FS, target, freqs)).toBeGreaterThan(3);
    // ...and has arrived within 0.5 s.
    runInPlace(eq, [new Float32Array(FS / 2)], 128);
    expect(worstDeviation(impulseResponse(eq, 1 << 14), FS, target, freqs)).toBeLessThan(0.01);

    // After reset() the next setting applies at once again.
    eq.reset();
    eq.setBand(0, PEAK, 250, 9, 1);
    expect(worstDeviation(impulseResponse(eq, 1 << 14), FS, target, freqs)).toBeLessThan(0.01);
  });

  it('changes band type through a crossfade, without NaN, and settles on the new type', () => {
    const eq = new Equalizer(1, FS);
    eq.setBand(0, PEAK, 1000, 12, 2);
    const x = cosine(24000, 1000, FS, 0.25);
    runInPlace(eq, [x], 128, (pos) => eq.setBand(0, pos < 4800 ? PEAK : LOWPASS, 1000, 12, 2));
    expect(x.findIndex((v) => !Number.isFinite(v))).toBe(-1);
    // Through dry (0.25) and the low-pass at its corner (Q = 2: ×2): steps stay below the
    // starting sine's own (×3.98 at +12 dB).
    expect(maxStep(x)).toBeLessThan(1.1 * ((2 * Math.PI * 1000) / FS) * 0.25 * Math.pow(10, 12 / 20));
    runInPlace(eq, [new Float32Array(FS / 10)], 128);
    const h = impulseResponse(eq, 1 << 14);
    const c = newCoeffs();
    designBiquad(c, LOWPASS, 1000, 0, 2, FS);
    expect(worstDeviation(h, FS, (f) => responseDb(c, f, FS), logFreqs(20, 20000, 20))).toBeLessThan(0.01);
  });
});

describe('no clicks on parameter changes', () => {
  const F = 1000;
  const AMP = 0.25;
  const AT = 12000;
  const LEN = 36000;
  /** The largest sample-to-sample step of a sine of this amplitude at F, with 10 % margin. */
  const bound = (amplitude: number) => 1.1 * ((2 * Math.PI * F) / FS) * amplitude;

  interface Change {
    name: string;
    from: [number, number, number, number];
    to: [number, number, number, number];
    /** An unsmoothed swap clicks here (a shelf's b0 jumps by ~A²; a peak's stays near 1). */
    naiveClicks: boolean;
  }
  const changes: Change[] = [
    { name: 'high shelf 0 → +15 dB, 1 kHz → 125 Hz', from: [HIGHSHELF, 1000, 0, 0.7], to: [HIGHSHELF, 125, 15, 0.7], naiveClicks: true },
    { name: 'peak 0 → +15 dB, 8 kHz → 1 kHz', from: [PEAK, 8000, 0, 0.7], to: [PEAK, 1000, 15, 0.7], naiveClicks: false },
    // Downward: the bound is then set by the starting level.
    { name: 'peak +15 → -15 dB at 1 kHz, Q 0.7 → 4', from: [PEAK, 1000, 15, 0.7], to: [PEAK, 1000, -15, 4], naiveClicks: false },
  ];
  for (const ch of changes) {
    it(`${ch.name}: steps stay within the sine's own${ch.naiveClicks ? ', an unsmoothed swap does not' : ''}`, () => {
      const eq = new Equalizer(1, FS);
      eq.setBand(0, ...ch.from);
      const before = eq.responseDb(F);
      eq.setBand(0, ...ch.to);
      const after = eq.responseDb(F);
      eq.reset();
      eq.setBand(0, ...ch.from);
      const loudest = AMP * Math.pow(10, Math.max(before, after, 0) / 20);

      const x = cosine(LEN, F, FS, AMP);
      const y = x.slice();
      runInPlace(eq, [y], 100, (pos) => eq.setBand(0, ...(pos < AT ? ch.from : ch.to)));
      expect(maxStep(y)).toBeLessThanOrEqual(bound(loudest));
      // The change really happened: the end of the output has the final level.
      let peak = 0;
      for (let i = LEN - 4800; i < LEN; i++) peak = Math.max(peak, Math.abs(y[i]));
      expect(20 * Math.log10(peak / AMP)).toBeCloseTo(after, 1);

      if (ch.naiveClicks) {
        const cb = newCoeffs();
        const ca = newCoeffs();
        designBiquad(cb, ...ch.from, FS);
        designBiquad(ca, ...ch.to, FS);
        expect(maxStep(naiveSwap(x, cb, ca, AT))).toBeGreaterThan(2 * bound(loudest));
      }
    });
  }

  it('switching the EQ or the high-pass in and out crossfades; a hard switch would click', () => {
    const x = cosine(LEN, F, FS, AMP);
    // EQ with +15 dB at the sine's frequency, switched on then off.
    const eq = new Equalizer(1, FS);
    eq.setOn(false);
    eq.setBand(0, PEAK, F, 15, 1);
    const boosted = AMP * Math.pow(10, 15 / 20);
    const y = x.slice();
    runInPlace(eq, [y], 100, (pos) => eq.setOn(pos >= AT && pos < 2 * AT));
    expect(maxStep(y)).toBeLessThanOrEqual(bound(boosted));
    const hard = x.map((v, i) => (i >= AT && i < 2 * AT ? v * Math.pow(10, 15 / 20) : v));
    expect(maxStep(hard)).toBeGreaterThan(bound(boosted));

    // 24 dB/oct high-pass at 600 Hz: little level change at 1 kHz but a large phase shift.
    const hp = new HighPass(1, FS);
    hp.set(false, 600, 2);
    const z = x.slice();
    runInPlace(hp, [z], 100, (pos) => hp.set(pos >= AT && pos < 2 * AT, 600, 2));
    expect(maxStep(z)).toBeLessThanOrEqual(bound(AMP));
    const filtered = x.slice();
    const always = new HighPass(1, FS);
    always.set(true, 600, 2);
    runInPlace(always, [filtered], 100);
    const switched = x.map((v, i) => (i >= AT && i < 2 * AT ? filtered[i] : v));
    expect(maxStep(switched)).toBeGreaterThan(bound(AMP));
  });
});

describe('sample-counted smoothing: block-size invariant even while parameters move', () => {
  // Changes land on multiples of 4800, which every block size here divides.
  const sizes = [1, 64, 75, 960];
  function check(make: () => { block: Block; at: (pos: number) => void }): void {
    const input = testSignal(2, 4800 * 8, FS);
    const outs = sizes.map((bs) => {
      const { block, at } = make();
      const y = input.map((c) => c.slice());
      runInPlace(block, y, bs, (pos) => {
        if (pos % 4800 === 0) at(pos / 4800);
      });
      return y;
    });
    for (let k = 1; k < sizes.length; k++) {
      for (let c = 0; c < 2; c++) expect(firstDifference(outs[k][c], outs[0][c]), `block ${sizes[k]}, channel ${c}`).toBe(-1);
    }
  }

  it('Equalizer: gains, frequencies, Q, types and on/off changing', () => {
    check(() => {
      const eq = new Equalizer(2, FS);
      const script: Array<() => void> = [
        () => eq.setBand(0, PEAK, 500, 6, 1),
        () => eq.setBand(1, LOWSHELF, 100, -6, 0.7),
        () => eq.setBand(0, PEAK, 4000, -3, 4),
        () => eq.setOn(false),
        () => eq.setOn(true),
        () => eq.setBand(0, HIGHPASS, 4000, -3, 4),
        () => eq.setBand(2, HIGHSHELF, 9000, 9, 0.5),
        () => eq.setBand(1, LOWSHELF, 100, 0, 0.7),
      ];
      return { block: eq, at: (k) => script[k]() };
    });
  });

  it('HighPass: on/off, frequency and slope changing', () => {
    check(() => {
      const hp = new HighPass(2, FS);
      const script: Array<[boolean, number, number]> = [
        [true, 100, 0],
        [true, 300, 0],
        [true, 300, 2],
        [false, 300, 2],
        [true, 80, 1],
        [true, 80, 2],
        [true, 500, 0],
        [true, 20, 1],
      ];
      return { block: hp, at: (k) => hp.set(...script[k]) };
    });
  });
});

// ---- The shared suite ----

const HPF_CONFIGS: Record<string, (hp: HighPass) => void> = {
  default: (hp) => hp.set(true, 80, 2),
  off: (hp) => hp.set(false, 80, 2),
};
for (const f of [20, 600]) for (let s = 0; s < 3; s++) HPF_CONFIGS[`${f} Hz slope ${s}`] = (hp) => hp.set(true, f, s);

dspSuite(
  'HighPass',
  {
    inputs: 2,
    outputs: 2,
    configs: Object.keys(HPF_CONFIGS),
    make(sampleRate, config) {
      const hp = new HighPass(2, sampleRate);
      HPF_CONFIGS[config](hp);
      return inPlace(hp);
    },
  },
  [44100, 48000, 96000],
);

const EQ_CONFIGS: Record<string, (eq: Equalizer) => void> = {
  default: (eq) => {
    eq.setOn(true);
    eq.setBand(0, LOWSHELF, 100, 3, 0.7);
    eq.setBand(1, PEAK, 400, -4, 1);
    eq.setBand(2, PEAK, 2500, 6, 2);
    eq.setBand(3, HIGHSHELF, 8000, -3, 0.7);
  },
  flat: (eq) => eq.setOn(true),
  off: (eq) => {
    eq.setOn(false);
    eq.setBand(1, PEAK, 400, 12, 1);
  },
};
for (let type = 0; type < 5; type++) {
  for (const [f, g, q] of [
    [20, 15, 10],
    [20, -15, 0.3],
    [20000, 15, 0.3],
    [20000, -15, 10],
  ]) {
    EQ_CONFIGS[`type ${type} ${f} Hz ${g} dB Q ${q}`] = (eq) => {
      for (let b = 0; b < 4; b++) eq.setBand(b, type, f, g, q);
    };
  }
}

dspSuite(
  'Equalizer',
  {
    inputs: 2,
    outputs: 2,
    configs: Object.keys(EQ_CONFIGS),
    make(sampleRate, config) {
      const eq = new Equalizer(2, sampleRate);
      EQ_CONFIGS[config](eq);
      return inPlace(eq);
    },
  },
  [44100, 48000, 96000],
);
