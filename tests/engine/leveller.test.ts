import { afterAll, describe, expect, it } from 'vitest';
import { FADE_MS, LoudnessLeveller } from '../../src/engine/leveller.js';
import { LoudnessMeter } from '../../src/engine/loudness.js';
import { dspSuite, inPlace } from './dsp-suite.js';

const FS = 48000;
const STEP = 480; // 10 ms: the trace resolution
const measured: string[] = [];
afterAll(() => {
  // eslint-disable-next-line no-console
  if (process.env.LEVELLER_REPORT) console.log(measured.join('\n'));
});

interface Settings {
  on: boolean;
  target: number;
  maxBoost: number;
  maxCut: number;
  rate: number;
  hold: number;
}
const DEFAULTS: Settings = { on: true, target: -23, maxBoost: 12, maxCut: 12, rate: 1, hold: 20 };

function make(s: Partial<Settings> = {}): LoudnessLeveller {
  const v = { ...DEFAULTS, ...s };
  const l = new LoudnessLeveller(FS);
  l.set(v.on, v.target, v.maxBoost, v.maxCut, v.rate, v.hold);
  return l;
}

/** Pink-ish stereo noise (two one-pole filtered white noises), deterministic. */
function pinkish(n: number, seed = 12345): [Float32Array, Float32Array] {
  const l = new Float32Array(n);
  const r = new Float32Array(n);
  let s = seed;
  let b0 = 0;
  let b1 = 0;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const w = s / 4294967296 - 0.5;
    b0 = 0.995 * b0 + 0.05 * w;
    b1 = 0.5 * b1 + w;
    l[i] = b0 + 0.3 * b1;
    r[i] = b0 - 0.3 * b1;
  }
  return [l, r];
}

/** Loudness of `pinkish` at unit scale (measured once, integrated over 20 s). */
const PINK_LUFS = ((): number => {
  const m = new LoudnessMeter(FS, 2);
  const x = pinkish(20 * FS, 999);
  m.process(x, x[0].length);
  return m.result().integratedLufs;
})();

/**
 * A programme of segments [seconds, LUFS or null for silence]: a 1 kHz sine in phase on both
 * channels, whose loudness is its peak level in dBFS + 0.007 LU (K-weighting at 1 kHz), or with
 * `noise` pink-ish noise scaled to the loudness.
 */
function programme(segments: readonly [number, number | null][], noise = false): [Float32Array, Float32Array] {
  const n = segments.reduce((a, [d]) => a + Math.round(d * FS), 0);
  const [l, r] = noise ? pinkish(n) : [new Float32Array(n), new Float32Array(n)];
  let at = 0;
  for (const [dur, lufs] of segments) {
    const len = Math.round(dur * FS);
    const a = lufs === null ? 0 : Math.pow(10, (lufs - (noise ? PINK_LUFS : 0.007)) / 20);
    for (let i = 0; i < len; i++, at++) {
      if (noise) {
        l[at] *= a;
        r[at] *= a;
      } else {
        const v = a * Math.sin((2 * Math.PI * 1000 * at) / FS);
        l[at] = v;
        r[at] = v;
      }
    }
  }
  return [l, r];
}

interface Trace {
  out: [Float32Array, Float32Array];
  /** gainDb and holding after every STEP samples, and the output's short-term loudness. */
  gain: number[];
  holding: boolean[];
  outS: number[];
}

function run(lev: LoudnessLeveller, x: [Float32Array, Float32Array], block = STEP, onStep?: (t: number) => void): Trace {
  const out: [Float32Array, Float32Array] = [Float32Array.from(x[0]), Float32Array.from(x[1])];
  const meter = new LoudnessMeter(FS, 2);
  const gain: number[] = [];
  const holding: boolean[] = [];
  const outS: number[] = [];
  for (let p = 0; p < out[0].length; p += block) {
    onStep?.(p / FS);
    const n = Math.min(block, out[0].length - p);
    const bufs = [out[0].subarray(p, p + n), out[1].subarray(p, p + n)];
    lev.process(bufs, n);
    meter.process(bufs, n);
    gain.push(lev.gainDb);
    holding.push(lev.holding);
    outS.push(meter.shortTermLufs());
  }
  return { out, gain, holding, outS };
}

const t = (i: number): number => ((i + 1) * STEP) / FS; // time at the end of trace step i

/** Largest change of the gain over any 1 s span of the trace (dB). */
function maxPerSecond(gain: readonly number[]): number {
  const span = FS / STEP;
  let worst = 0;
  for (let i = span; i < gain.length; i++) worst = Math.max(worst, Math.abs(gain[i] - gain[i - span]));
  return worst;
}

describe('LoudnessLeveller', () => {
  for (const noise of [false, true]) {
    it(`brings a ${noise ? 'pink-ish noise' : '1 kHz tone'} at −30 LUFS to −23 at the rate limit (7 dB at 1 dB/s ≈ 7 s)`, () => {
      const x = programme([[22, -30]], noise);
      const inS = new LoudnessMeter(FS, 2);
      inS.process(x, 3 * FS);
      const want = -23 - inS.shortTermLufs(); // 7 dB, as the leveller measures the input
      const tr = run(make(), x);
      const start = tr.gain.findIndex((g) => g !== 0);
      // Within 0.5 dB of the goal: the noise's own S wanders by a few tenths of a dB.
      const reach = tr.gain.findIndex((g) => g >= want - 0.5);
      const sIn = tr.outS.findIndex((s, i) => i > start && Math.abs(s + 23) <= 0.5);
      const final = tr.outS[tr.outS.length - 1];
      measured.push(
        `${noise ? 'noise' : 'tone'}: moves from ${t(start).toFixed(2)} s, +${(want - 0.5).toFixed(3)} dB reached after ${(t(reach) - t(start)).toFixed(2)} s; ` +
          `output S within ±0.5 LU ${(t(sIn) - t(start)).toFixed(2)} s after the start, final S ${final.toFixed(3)}`,
      );
      // Nothing moves until 3 s of programme are in.
      expect(t(start)).toBeGreaterThanOrEqual(3);
      expect(t(start)).toBeLessThan(3.15);
      expect(Math.abs(t(reach) - t(start) - (want - 0.5))).toBeLessThan(0.15);
      if (!noise) expect(tr.gain[tr.gain.length - 1]).toBeCloseTo(want, 3);
      // The output's S trails the gain by its own 3 s window: analytically 8.2 s for a 7 dB ramp.
      expect(t(sIn) - t(start)).toBeGreaterThan(7.5);
      expect(t(sIn) - t(start)).toBeLessThan(9);
      expect(Math.abs(final + 23)).toBeLessThan(noise ? 0.1 : 0.02);
      expect(maxPerSecond(tr.gain)).toBeLessThanOrEqual(1.01);
    });
  }

  it('never changes faster than the rate, and never steps: per second and per sample (1 and 10 dB/s)', () => {
    for (const rate of [1, 10]) {
      // −40 → −10 → −35 LUFS: large moves both ways.
      const x = programme([[12, -40], [10, -10], [10, -35]]);
      const tr = run(make({ rate, maxBoost: 24, maxCut: 24 }), x);
      const perSecond = maxPerSecond(tr.gain);
      // Per sample, from output/input at the crests of the tone (1 kHz: every 48 samples).
      let perSample = 0;
      let prev = NaN;
      let prevI = 0;
      for (let i = 12; i < x[0].length; i += 48) {
        if (Math.abs(x[0][i]) < 1e-3) continue;
        const g = 20 * Math.log10(tr.out[0][i] / x[0][i]);
        if (!Number.isNaN(prev) && i - prevI === 48) perSample = Math.max(perSample, Math.abs(g - prev) / 48);
        prev = g;
        prevI = i;
      }
      measured.push(`rate ${rate} dB/s: largest change over 1 s ${perSecond.toFixed(4)} dB, per sample ${(perSample * FS).toFixed(4)} dB/s`);
      expect(perSecond).toBeLessThanOrEqual(rate * 1.01);
      expect(perSecond).toBeGreaterThan(rate * 0.95); // it did move at full speed
      expect(perSample * FS).toBeLessThanOrEqual(rate * 1.01);
    }
  });

  it('holds through a 10 s silence and continues from the held gain when the music returns', () => {
    // 15 s at −30 (gain settles at +7), 10 s of silence, then −27 (wants +4): the gain must
    // resume from +7 and only then move down at the rate.
    const x = programme([[15, -30], [10, null], [10, -27]]);
    const tr = run(make(), x);
    const i0 = Math.round((15 * FS) / STEP) - 1; // last step before the silence
    const held = tr.gain[i0 + 10]; // 0.1 s in: the first silent block has been measured
    let drift = 0;
    for (let i = i0 + 10; i <= i0 + 1000; i++) {
      drift = Math.max(drift, Math.abs(tr.gain[i] - held));
      expect(tr.holding[i]).toBe(true);
    }
    const resume = i0 + 1000 + 1;
    // Held for 3 s of the new music, then moving down at the rate.
    let firstMove = -1;
    for (let i = resume; i < tr.gain.length; i++) {
      if (tr.gain[i] !== held) {
        firstMove = i;
        break;
      }
    }
    measured.push(
      `silence: gain before ${tr.gain[i0].toFixed(4)} dB, held ${held.toFixed(4)} dB (drift ${drift.toExponential(1)}), ` +
        `moves again ${(t(firstMove) - t(resume - 1)).toFixed(2)} s after the music returns, ends at ${tr.gain[tr.gain.length - 1].toFixed(3)} dB`,
    );
    expect(Math.abs(tr.gain[i0] - 7)).toBeLessThan(0.02);
    expect(Math.abs(held - tr.gain[i0])).toBeLessThanOrEqual(0.01);
    expect(drift).toBeLessThanOrEqual(0.01);
    expect(t(firstMove) - t(resume - 1)).toBeGreaterThanOrEqual(3);
    expect(t(firstMove) - t(resume - 1)).toBeLessThan(3.2);
    expect(tr.gain[firstMove]).toBeLessThan(held);
    expect(Math.abs(tr.gain[tr.gain.length - 1] - 4)).toBeLessThan(0.05);
    // No jump: the gain per sample across the whole programme stays within the rate.
    expect(maxPerSecond(tr.gain)).toBeLessThanOrEqual(1.01);
    // Silence in, exact silence out.
    for (let i = 16 * FS; i < 24 * FS; i += 101) expect(Math.abs(tr.out[0][i])).toBe(0);
  });

  it('holds in a quiet passage 25 LU below the programme, but levels one 15 LU below', () => {
    for (const [below, holds] of [[25, true], [15, false]] as const) {
      const x = programme([[15, -20], [10, -20 - below], [5, -20]]);
      const tr = run(make(), x);
      const i0 = Math.round((15 * FS) / STEP) - 1;
      const before = tr.gain[i0];
      const inQuiet = tr.gain.slice(i0 + 60, i0 + 1000);
      const spread = Math.max(...inQuiet) - Math.min(...inQuiet);
      const drift = Math.abs(inQuiet[0] - before);
      measured.push(
        `quiet passage ${below} LU below: gain ${before.toFixed(3)} dB before, ${tr.gain[i0 + 1000].toFixed(3)} dB at its end, ` +
          `moved ${drift.toFixed(3)} dB in its first 0.6 s, holding ${tr.holding[i0 + 500]}`,
      );
      expect(Math.abs(before + 3)).toBeLessThan(0.02);
      if (holds) {
        expect(drift).toBeLessThan(0.5);
        expect(spread).toBeLessThanOrEqual(0.01);
        for (let i = i0 + 60; i < i0 + 1000; i++) expect(tr.holding[i]).toBe(true);
      } else {
        expect(tr.holding[i0 + 500]).toBe(false);
        expect(tr.gain[i0 + 1000] - before).toBeGreaterThan(5); // boosting toward −23
      }
    }
  });

  it('respects maxBoost and maxCut', () => {
    const up = run(make({ maxBoost: 6 }), programme([[20, -40]]));
    const down = run(make({ maxCut: 12 }), programme([[20, -5]]));
    measured.push(`limits: boost settles at ${up.gain[up.gain.length - 1].toFixed(4)} dB (max 6), cut at ${down.gain[down.gain.length - 1].toFixed(4)} dB (max 12)`);
    expect(Math.max(...up.gain)).toBeLessThanOrEqual(6 + 1e-9);
    expect(up.gain[up.gain.length - 1]).toBeCloseTo(6, 9);
    expect(Math.min(...down.gain)).toBeGreaterThanOrEqual(-12 - 1e-9);
    expect(down.gain[down.gain.length - 1]).toBeCloseTo(-12, 9);
  });

  it('is an exact identity at 0 dB (limits 0) and when off; switching off crossfades over FADE_MS', () => {
    const x = programme([[8, -35]], true);
    for (const s of [{ maxBoost: 0, maxCut: 0 }, { on: false }]) {
      const tr = run(make(s), x);
      for (let i = 0; i < x[0].length; i++) {
        if (tr.out[0][i] !== x[0][i] || tr.out[1][i] !== x[1][i]) throw new Error(`sample ${i} changed (${JSON.stringify(s)})`);
      }
      expect(Math.max(...tr.gain.map(Math.abs))).toBe(0);
    }
    // Levelled up for 12 s, then switched off: the gain falls to exactly 1 over the fade.
    const tone = programme([[13, -30]]);
    const lev = make();
    const tr = run(lev, tone, STEP, (time) => {
      if (time === 12) lev.set(false, -23, 12, 12, 1, 20);
    });
    const fade = Math.round((FADE_MS * FS) / 1000);
    const at = 12 * FS;
    const g = (i: number): number => tr.out[0][i] / tone[0][i];
    const before = g(at - 24); // a crest of the tone
    expect(20 * Math.log10(before)).toBeCloseTo(7, 2);
    for (let i = at + fade + 1; i < at + fade + 2000; i++) expect(tr.out[0][i]).toBe(tone[0][i]);
    let prev = before;
    for (let i = at; i < at + fade; i++) {
      if (Math.abs(tone[0][i]) < 0.01) continue;
      expect(g(i)).toBeLessThanOrEqual(prev + 1e-6);
      prev = g(i);
    }
    expect(lev.gainDb).toBe(0);
    expect(lev.holding).toBe(false);
  });

  it('gives the same samples for any block size while the gain moves (1, 64, 1000, 4801)', () => {
    const x = programme([[5, -38], [3, null], [4, -20]], true);
    const ref = run(make({ rate: 10 }), x, 1).out;
    for (const b of [64, 1000, 4801]) {
      const got = run(make({ rate: 10 }), x, b).out;
      for (let c = 0; c < 2; c++) {
        const d = got[c].findIndex((v, i) => !Object.is(v, ref[c][i]));
        expect(d, `block ${b}, channel ${c}: first differing sample`).toBe(-1);
      }
    }
    // And the gain did move in this signal.
    const tr = run(make({ rate: 10 }), x, 1000);
    expect(Math.max(...tr.gain)).toBeGreaterThan(5);
  });

  it('reset makes it new; readouts', () => {
    const lev = make();
    run(lev, programme([[6, -30]]));
    expect(lev.gainDb).toBeGreaterThan(1);
    expect(lev.shortTermLufs).toBeCloseTo(-30, 1);
    expect(lev.referenceLufs).toBeCloseTo(-30, 1);
    lev.reset();
    lev.set(true, -23, 12, 12, 1, 20);
    expect(lev.gainDb).toBe(0);
    expect(lev.referenceLufs).toBe(-Infinity);
    const tr = run(lev, programme([[2, -30]]));
    expect(tr.holding.every((h) => h)).toBe(true); // nothing heard for 3 s yet
    expect(() => new LoudnessLeveller(1000)).toThrow(RangeError);
  });
});

const CONFIGS: Record<string, Parameters<LoudnessLeveller['set']>> = {
  default: [true, -23, 6, 12, 1, 20],
  off: [false, -23, 6, 12, 1, 20],
  fast: [true, -23, 6, 12, 10, 20],
  'limits 0': [true, -23, 0, 0, 1, 20],
};

dspSuite('LoudnessLeveller', {
  inputs: 2,
  outputs: 2,
  configs: Object.keys(CONFIGS),
  make(sampleRate, config) {
    const lev = new LoudnessLeveller(sampleRate);
    lev.set(...CONFIGS[config]);
    return inPlace(lev);
  },
});
