import { describe, expect, it } from 'vitest';
import { HIGHPASS, designBiquad, newCoeffs, responseDb } from '../../src/engine/biquad.js';
import { Compressor, FADE_MS, compressorCurveDb } from '../../src/engine/compressor.js';
import { dspSuite, inPlace } from './dsp-suite.js';

const SR = 48000;

interface CompSettings {
  on: boolean;
  threshold: number;
  ratio: number;
  knee: number;
  attack: number;
  release: number;
  makeup: number;
  scOn: boolean;
  scFreq: number;
}

const DEFAULTS: CompSettings = {
  on: true,
  threshold: -20,
  ratio: 3,
  knee: 6,
  attack: 10,
  release: 120,
  makeup: 0,
  scOn: false,
  scFreq: 100,
};

function apply(c: Compressor, s: CompSettings): void {
  c.set(s.on, s.threshold, s.ratio, s.knee, s.attack, s.release, s.makeup, s.scOn, s.scFreq);
}

function make(s: Partial<CompSettings>, channels = 1): Compressor {
  const c = new Compressor(channels, SR);
  apply(c, { ...DEFAULTS, ...s });
  return c;
}

/**
 * A DC-free square wave whose |x| is the same at every sample (a known, constant peak level for
 * the detector), period 96 samples (500 Hz).
 */
function square(amplitude: number, frames: number): Float32Array {
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = (i % 96 < 48 ? 1 : -1) * amplitude;
  return x;
}

function sine(amplitude: number, freq: number, frames: number): Float32Array {
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / SR);
  return x;
}

/** Process a copy of `input` in blocks (mono), calling `set` before every block; returns the output. */
function run(c: Compressor, input: Float32Array, block = 128, each?: (pos: number) => void): Float32Array {
  const out = Float32Array.from(input);
  for (let pos = 0; pos < out.length; pos += block) {
    each?.(pos);
    c.process([out.subarray(pos, Math.min(pos + block, out.length))], Math.min(block, out.length - pos));
  }
  return out;
}

const db = (x: number): number => 20 * Math.log10(x);
/** Per-sample gain reduction in dB (input never zero for square waves). */
const grAt = (input: Float32Array, out: Float32Array, i: number): number => -db(out[i] / input[i]);

describe('compressorCurveDb (Giannoulis et al. eq. 4)', () => {
  it('matches hand-computed values: below knee, in the knee, above', () => {
    // T −20, R 4, W 10: knee from −25 to −15.
    expect(compressorCurveDb(-40, -20, 4, 10)).toBe(-40);
    expect(compressorCurveDb(-25, -20, 4, 10)).toBe(-25);
    // Knee centre: x + (1/R − 1)(W/2)²/(2W) = −20 − 0.75·25/20.
    expect(compressorCurveDb(-20, -20, 4, 10)).toBeCloseTo(-20.9375, 12);
    // Upper knee edge: equals the straight line T + (x − T)/R = −18.75.
    expect(compressorCurveDb(-15, -20, 4, 10)).toBeCloseTo(-18.75, 12);
    // Inside the knee, off-centre: −22 + (−0.75)(3)²/20 = −22.3375.
    expect(compressorCurveDb(-22, -20, 4, 10)).toBeCloseTo(-22.3375, 12);
    expect(compressorCurveDb(0, -20, 4, 10)).toBeCloseTo(-15, 12);
    // Hard knee, 2:1 above −10.
    expect(compressorCurveDb(-10, -10, 2, 0)).toBe(-10);
    expect(compressorCurveDb(10, -10, 2, 0)).toBeCloseTo(0, 12);
    expect(compressorCurveDb(-10.5, -10, 2, 0)).toBe(-10.5);
    // Ratio 1 is the identity.
    expect(compressorCurveDb(-3, -30, 1, 12)).toBe(-3);
  });

  it('is continuous and monotonic through the knee', () => {
    let prev = -Infinity;
    for (let x = -40; x <= 0; x += 0.01) {
      const y = compressorCurveDb(x, -20, 8, 12);
      expect(y).toBeGreaterThanOrEqual(prev);
      if (prev > -Infinity) expect(y - prev).toBeLessThan(0.0101);
      prev = y;
    }
  });
});

describe('Compressor static curve', () => {
  const settings: ReadonlyArray<[threshold: number, ratio: number, knee: number]> = [
    [-20, 4, 0],
    [-30, 2, 12],
    [-10, 50, 24],
    [-40, 8, 6],
    [-24, 1, 6],
  ];
  for (const [t, r, w] of settings) {
    it(`follows the analytic curve within 0.01 dB from −60 to 0 dBFS (T ${t}, R ${r}, W ${w})`, () => {
      for (let level = -60; level <= 0; level += 3) {
        const amp = Math.fround(10 ** (level / 20));
        const input = square(amp, SR / 2);
        const c = make({ threshold: t, ratio: r, knee: w, attack: 1, release: 20 });
        const out = run(c, input);
        const last = input.length - 1;
        const measured = db(Math.abs(out[last] / input[last]));
        const x = db(amp);
        const expected = compressorCurveDb(x, t, r, w) - x;
        expect(Math.abs(measured - expected), `level ${level} dBFS: gain ${measured} vs ${expected}`).toBeLessThan(0.01);
        expect(c.gainReductionDb).toBeCloseTo(-expected, 3);
      }
    });
  }

  it('compresses steady sines by the curve at their peak level (±0.1 dB)', () => {
    for (let level = -36; level <= 0; level += 6) {
      const amp = 10 ** (level / 20);
      const input = sine(amp, 1000, SR);
      // Fast attack, slow release: the detector holds the peak gain reduction of each cycle.
      const c = make({ threshold: -30, ratio: 4, knee: 6, attack: 0.05, release: 1000 });
      const out = run(c, input);
      let inPeak = 0;
      let outPeak = 0;
      for (let i = input.length - 960; i < input.length; i++) {
        inPeak = Math.max(inPeak, Math.abs(input[i]));
        outPeak = Math.max(outPeak, Math.abs(out[i]));
      }
      const expected = compressorCurveDb(level, -30, 4, 6) - level;
      expect(Math.abs(db(outPeak / inPeak) - expected), `sine at ${level} dBFS`).toBeLessThan(0.1);
    }
  });
});

describe('Compressor time constants', () => {
  // Step from −40 to −10 dBFS, T −30, R 4, W 0: wanted gain reduction steps from 0 to 15 dB.
  const lo = Math.fround(10 ** (-40 / 20));
  const hi = Math.fround(10 ** (-10 / 20));
  const finalGr = (db(hi) + 30) * (1 - 1 / 4);

  function stepSignal(first: number, second: number, at: number, frames: number): Float32Array {
    const x = square(1, frames);
    for (let i = 0; i < frames; i++) x[i] *= i < at ? first : second;
    return x;
  }

  for (const attack of [1, 10, 50]) {
    it(`attack ${attack} ms: gain reduction reaches 1 − 1/e of the step after the attack time (±10 %)`, () => {
      const at = 4800;
      const input = stepSignal(lo, hi, at, at + Math.round(attack * 48 * 12));
      const out = run(make({ threshold: -30, ratio: 4, knee: 0, attack, release: 100 }), input, 64);
      expect(out[at - 1]).toBe(input[at - 1]); // no reduction before the step
      let n = at;
      while (grAt(input, out, n) < finalGr * (1 - 1 / Math.E)) n++;
      const ms = (n - at + 1) / 48;
      expect(Math.abs(ms - attack) / attack, `reached at ${ms} ms`).toBeLessThan(0.1);
      // Settles to the static value.
      expect(grAt(input, out, input.length - 1)).toBeCloseTo(finalGr, 3);
    });
  }

  for (const release of [20, 120, 1000]) {
    it(`release ${release} ms: gain reduction falls by 1 − 1/e after the release time (±10 %)`, () => {
      const at = 9600;
      const input = stepSignal(hi, lo, at, at + Math.round(release * 48 * 4));
      const out = run(make({ threshold: -30, ratio: 4, knee: 0, attack: 1, release }), input, 100);
      expect(grAt(input, out, at - 1)).toBeCloseTo(finalGr, 3);
      let n = at;
      while (grAt(input, out, n) > finalGr / Math.E) n++;
      const ms = (n - at + 1) / 48;
      expect(Math.abs(ms - release) / release, `reached at ${ms} ms`).toBeLessThan(0.1);
    });
  }
});

describe('Compressor makeup, side chain, switching', () => {
  it('makeup adds exactly its dB, below and above threshold', () => {
    for (const level of [-50, -6]) {
      const input = square(Math.fround(10 ** (level / 20)), 24000);
      const plain = run(make({ threshold: -30, ratio: 4, makeup: 0 }), input);
      const lifted = run(make({ threshold: -30, ratio: 4, makeup: 7.5 }), input);
      const i = input.length - 1;
      expect(db(lifted[i] / plain[i])).toBeCloseTo(7.5, 5);
    }
    // Below the knee the compressor is a pure gain of exactly the makeup.
    const input = square(0.001, 4800);
    const out = run(make({ threshold: -20, makeup: 12 }), input);
    expect(db(out[4799] / input[4799])).toBeCloseTo(12, 5);
  });

  it('a makeup change ramps instead of jumping', () => {
    const input = square(0.01, 4800);
    const c = make({ makeup: 0 });
    let maxStep = 0;
    const out = run(c, input, 128, (pos) => apply(c, { ...DEFAULTS, makeup: pos >= 1280 ? 12 : 0 }));
    for (let i = 1; i < out.length; i++) maxStep = Math.max(maxStep, Math.abs(db(Math.abs(out[i] / input[i])) - db(Math.abs(out[i - 1] / input[i - 1]))));
    // 12 dB over the 10 ms ramp (480 samples) is 0.025 dB per sample.
    expect(maxStep).toBeLessThan(0.026);
    expect(maxStep).toBeGreaterThan(0.02);
    expect(db(out[4799] / input[4799])).toBeCloseTo(12, 5);
  });

  it('side-chain HPF at 200 Hz compresses a 50 Hz tone by 12 dB/oct × 2 octaves less', () => {
    const grFor = (scOn: boolean): number => {
      const c = make({ threshold: -40, ratio: 50, knee: 0, attack: 0.05, release: 1000, scOn, scFreq: 200 });
      run(c, sine(1, 50, SR), 960); // one 50 Hz period per block
      return c.gainReductionDb;
    };
    const without = grFor(false);
    const withHpf = grFor(true);
    expect(without).toBeCloseTo(40 * (1 - 1 / 50), 1);
    const hpf = newCoeffs();
    designBiquad(hpf, HIGHPASS, 200, 0, 0.7071, SR);
    const filterLoss = -responseDb(hpf, 50, SR); // about 24 dB: 12 dB/oct, two octaves down
    expect(filterLoss).toBeGreaterThan(23);
    expect(filterLoss).toBeLessThan(25);
    expect(Math.abs(without - withHpf - filterLoss * (1 - 1 / 50))).toBeLessThan(0.2);
    // A 1 kHz tone, far above the side-chain corner, is compressed the same with it on.
    const at1k = (scOn: boolean): number => {
      const c = make({ threshold: -40, ratio: 50, knee: 0, attack: 0.05, release: 1000, scOn, scFreq: 200 });
      run(c, sine(1, 1000, SR), 960);
      return c.gainReductionDb;
    };
    expect(Math.abs(at1k(true) - at1k(false))).toBeLessThan(0.05);
  });

  it('off is a bit-exact bypass, and ratio 1 is unity', () => {
    const input = sine(0.9, 997, 9600);
    const off = run(make({ on: false, threshold: -60, ratio: 50, makeup: 24 }), input);
    expect(off).toEqual(input);
    const c = make({ ratio: 1, threshold: -60, knee: 0 });
    const unity = run(c, input);
    expect(unity).toEqual(input);
    expect(c.gainReductionDb).toBe(0);
  });

  it('switching crossfades over FADE_MS, then bypasses exactly', () => {
    const fade = Math.round((FADE_MS * SR) / 1000);
    const input = square(0.5, 19200);
    const s = { ...DEFAULTS, threshold: -40, ratio: 10, knee: 0, attack: 0.05, release: 50 };
    const c = new Compressor(1, SR);
    apply(c, s);
    const out = run(c, input, 128, (pos) => apply(c, { ...s, on: pos < 9600 }));
    const g = (i: number): number => out[i] / input[i];
    const compressed = g(9599);
    expect(db(compressed)).toBeCloseTo(-(db(0.5) + 40) * 0.9, 2);
    // Linear crossfade: every step at most (1 − g)/fade, and dry exactly after the fade.
    let maxStep = 0;
    for (let i = 9600; i < 9600 + fade + 10; i++) maxStep = Math.max(maxStep, Math.abs(g(i) - g(i - 1)));
    expect(maxStep).toBeLessThanOrEqual(((1 - compressed) / fade) * 1.001);
    expect(g(9600 + fade / 2)).toBeGreaterThan(compressed + 0.3 * (1 - compressed));
    expect(g(9600 + fade / 2)).toBeLessThan(compressed + 0.7 * (1 - compressed));
    expect(out.subarray(9600 + fade)).toEqual(input.subarray(9600 + fade));
    expect(c.gainReductionDb).toBe(0);
  });

  it('links stereo: one gain from the louder channel on both', () => {
    const c = make({ threshold: -30, ratio: 4, knee: 0, attack: 1 }, 2);
    const left = square(Math.fround(10 ** (-10 / 20)), 24000);
    const right = square(0.001, 24000);
    const bufs = [Float32Array.from(left), Float32Array.from(right)];
    for (let pos = 0; pos < 24000; pos += 128) c.process([bufs[0].subarray(pos, pos + 128), bufs[1].subarray(pos, pos + 128)], 128);
    const i = 23999;
    expect(-db(bufs[0][i] / left[i])).toBeCloseTo(15, 3);
    expect(-db(bufs[1][i] / right[i])).toBeCloseTo(15, 3);
  });

  it('gainReductionDb reports the largest reduction of the last call', () => {
    const c = make({ threshold: -30, ratio: 4, knee: 0, attack: 1, release: 100 });
    const loud = square(Math.fround(10 ** (-10 / 20)), 48000);
    const out = run(c, loud);
    expect(c.gainReductionDb).toBeCloseTo(15, 3);
    expect(c.gainReductionDb).toBeCloseTo(-db(out[47999] / loud[47999]), 3);
    // Releasing: the largest value is at the start of the block.
    const quiet = square(0.001, 128);
    const o2 = run(c, quiet, 128);
    expect(c.gainReductionDb).toBeCloseTo(-db(o2[0] / quiet[0]), 3);
    expect(c.gainReductionDb).toBeLessThan(15);
    expect(c.gainReductionDb).toBeGreaterThan(14);
    run(c, square(0.001, 48000 * 3));
    expect(c.gainReductionDb).toBe(0);
  });
});

const CONFIGS: Record<string, Partial<CompSettings>> = {
  default: {},
  off: { on: false },
  'threshold min': { threshold: -60 },
  'threshold max': { threshold: 0 },
  'ratio 1': { ratio: 1 },
  'ratio 50': { ratio: 50, threshold: -40 },
  'knee 0': { knee: 0 },
  'knee 24': { knee: 24, threshold: -40, ratio: 10 },
  'attack/release min': { attack: 0.05, release: 5, threshold: -40, ratio: 20 },
  'attack/release max': { attack: 200, release: 4000 },
  'makeup max': { makeup: 24 },
  'sc hpf 20': { scOn: true, scFreq: 20 },
  'sc hpf 600': { scOn: true, scFreq: 600 },
  'everything extreme': { threshold: -60, ratio: 50, knee: 0, attack: 0.05, release: 5, makeup: 24, scOn: true, scFreq: 600 },
};

for (const channels of [1, 2]) {
  dspSuite(`Compressor (${channels === 1 ? 'mono' : 'stereo'})`, {
    inputs: channels,
    outputs: channels,
    configs: Object.keys(CONFIGS),
    make(sampleRate, config) {
      const c = new Compressor(channels, sampleRate);
      const s = { ...DEFAULTS, ...CONFIGS[config] };
      const p = inPlace(c);
      // Parameters are re-sent before every block, as the channel strip does.
      return {
        process: (inputs, outputs, frames) => {
          apply(c, s);
          p.process(inputs, outputs, frames);
        },
        subnormalStates: p.subnormalStates,
      };
    },
  }, [44100, 48000]);
}
