import { describe, expect, it } from 'vitest';
import { FADE_MS, GATE_DETECTOR_RELEASE_MS, Gate, MODE_EXPANDER, MODE_GATE } from '../../src/engine/gate.js';
import { dspSuite, inPlace } from './dsp-suite.js';

const SR = 48000;
const MS = SR / 1000;

interface GateSettings {
  on: boolean;
  mode: number;
  threshold: number;
  range: number;
  ratio: number;
  attack: number;
  hold: number;
  release: number;
  hysteresis: number;
}

const DEFAULTS: GateSettings = {
  on: true,
  mode: MODE_GATE,
  threshold: -40,
  range: 40,
  ratio: 2,
  attack: 0.5,
  hold: 50,
  release: 150,
  hysteresis: 3,
};

function apply(g: Gate, s: GateSettings): void {
  g.set(s.on, s.mode, s.threshold, s.range, s.ratio, s.attack, s.hold, s.release, s.hysteresis);
}

function make(s: Partial<GateSettings>, channels = 1): Gate {
  const g = new Gate(channels, SR);
  apply(g, { ...DEFAULTS, ...s });
  return g;
}

const amp = (dbfs: number): number => Math.fround(10 ** (dbfs / 20));
const db = (x: number): number => 20 * Math.log10(x);

/**
 * A DC-free square wave (period 96 samples) whose level follows `segments` of
 * [dBFS, length in samples]: |x| is constant within a segment, so out/in is the gain.
 */
function levels(...segments: Array<[dbfs: number, frames: number]>): Float32Array {
  const total = segments.reduce((n, [, f]) => n + f, 0);
  const x = new Float32Array(total);
  let pos = 0;
  for (const [l, f] of segments) {
    const a = amp(l);
    for (let i = 0; i < f; i++, pos++) x[pos] = (pos % 96 < 48 ? 1 : -1) * a;
  }
  return x;
}

function sine(dbfs: number, freq: number, frames: number): Float32Array {
  const x = new Float32Array(frames);
  const a = 10 ** (dbfs / 20);
  for (let i = 0; i < frames; i++) x[i] = a * Math.sin((2 * Math.PI * freq * i) / SR);
  return x;
}

function run(g: Gate, input: Float32Array, block = 128, each?: (pos: number) => void): Float32Array {
  const out = Float32Array.from(input);
  for (let pos = 0; pos < out.length; pos += block) {
    each?.(pos);
    g.process([out.subarray(pos, Math.min(pos + block, out.length))], Math.min(block, out.length - pos));
  }
  return out;
}

/** Gain in dB at sample i. */
const gainDb = (input: Float32Array, out: Float32Array, i: number): number => db(out[i] / input[i]);

/** Samples the detector needs to fall from `fromDbfs` to below `toDb` (documented peak follower). */
function detectorDelay(fromDbfs: number, toDb: number): number {
  const c = Math.exp(-1000 / (GATE_DETECTOR_RELEASE_MS * SR));
  const a = amp(fromDbfs);
  const lim = 10 ** (toDb / 20);
  let n = 0;
  for (let d = a; d >= lim; n++) d *= c;
  return n;
}

describe('Gate static behaviour', () => {
  it('passes a tone above threshold at exactly unity (even with hold 0)', () => {
    for (const freq of [200, 1000, 5000]) {
      const input = sine(-30, freq, SR);
      const g = make({ threshold: -40, hysteresis: 3, hold: 0, attack: 0.5 });
      const out = run(g, input);
      // After the attack (0.5 ms) the output is the input, sample for sample.
      for (let i = 48; i < input.length; i++) if (out[i] !== input[i]) throw new Error(`${freq} Hz: gain at ${i} is ${out[i] / input[i]}`);
      expect(g.gainReductionDb).toBe(0);
    }
  });

  for (const range of [10, 40, 80]) {
    it(`attenuates by exactly range (${range} dB) below threshold − hysteresis after the release`, () => {
      const input = levels([-30, 4800], [-50, SR]);
      const g = make({ threshold: -40, hysteresis: 3, range, hold: 20, release: 100 });
      const out = run(g, input);
      expect(gainDb(input, out, 4799)).toBe(0);
      expect(Math.abs(gainDb(input, out, input.length - 1) + range)).toBeLessThan(0.01);
      expect(g.gainReductionDb).toBeCloseTo(range, 6);
      // A gate that starts on a quiet signal stays closed.
      const quiet = levels([-44, SR / 2]);
      const q = run(make({ threshold: -40, hysteresis: 3, range }), quiet);
      expect(Math.abs(gainDb(quiet, q, quiet.length - 1) + range)).toBeLessThan(0.01);
    });
  }

  it('hysteresis: a level between threshold − hysteresis and threshold keeps the current state', () => {
    const s = { threshold: -40, hysteresis: 6, range: 30, hold: 10, release: 50 };
    // Open, then −43 dBFS (inside the band −46..−40): stays open.
    const a = levels([-30, 9600], [-43, SR]);
    const oa = run(make(s), a);
    for (let i = 9600; i < a.length; i += 97) expect(gainDb(a, oa, i)).toBe(0);
    // Closed, then −43 dBFS: stays closed.
    const b = levels([-60, 9600], [-43, SR]);
    const ob = run(make(s), b);
    for (let i = 9600; i < b.length; i += 97) expect(Math.abs(gainDb(b, ob, i) + 30)).toBeLessThan(0.01);
    // Control: just below the band (−47 dBFS) the open gate closes, just above it (−39) the closed one opens.
    const c = levels([-30, 9600], [-47, SR]);
    const oc = run(make(s), c);
    expect(Math.abs(gainDb(c, oc, c.length - 1) + 30)).toBeLessThan(0.01);
    const d = levels([-60, 9600], [-39, SR]);
    const od = run(make(s), d);
    expect(gainDb(d, od, d.length - 1)).toBe(0);
    // With no hysteresis, −43 closes the gate.
    const oe = run(make({ ...s, hysteresis: 0 }), a);
    expect(Math.abs(gainDb(a, oe, a.length - 1) + 30)).toBeLessThan(0.01);
  });
});

describe('Gate timing', () => {
  for (const hold of [0, 10, 100, 2000]) {
    it(`hold ${hold} ms: the gain stays open for the hold time after the level drops (±1 ms)`, () => {
      const drop = 9600;
      const input = levels([-30, drop], [-70, Math.round((hold + 300) * MS)]);
      const out = run(make({ threshold: -40, hysteresis: 3, hold, release: 100 }), input, 64);
      let n = drop;
      while (out[n] === input[n]) n++;
      // Time from the drop to the first attenuated sample, less the detector's documented fall.
      const heldMs = (n - drop - detectorDelay(-30, -43)) / MS;
      expect(Math.abs(heldMs - hold), `held ${heldMs} ms`).toBeLessThanOrEqual(1);
      // The detector's fall itself is a few ms: 5 ms · ln(10^(13/20)).
      expect(detectorDelay(-30, -43) / MS).toBeCloseTo(GATE_DETECTOR_RELEASE_MS * (13 / 20) * Math.LN10, 1);
    });
  }

  for (const [release, range] of [
    [20, 40],
    [150, 40],
    [1000, 80],
  ] as const) {
    it(`release ${release} ms closes from 0 dB to −${range} dB in the release time, linearly in dB (±10 %)`, () => {
      const drop = 4800;
      const input = levels([-20, drop], [-60, Math.round((release * 1.5 + 100) * MS)]);
      const out = run(make({ threshold: -40, hysteresis: 0, hold: 0, release, range }), input);
      let start = drop;
      while (gainDb(input, out, start) === 0) start++;
      let end = start;
      while (gainDb(input, out, end) > -range + 0.01) end++;
      const ms = (end - start + 1) / MS;
      expect(Math.abs(ms - release) / release, `closed in ${ms} ms`).toBeLessThan(0.1);
      // Linear in dB: half-way in time is half the range.
      expect(gainDb(input, out, start + Math.round((release * MS) / 2))).toBeCloseTo(-range / 2, 0);
    });
  }

  for (const attack of [0.5, 10, 100]) {
    it(`attack ${attack} ms opens from −range to 0 dB in the attack time (±10 %)`, () => {
      const step = 19200;
      const input = levels([-70, step], [-20, Math.round((attack * 2 + 20) * MS)]);
      const out = run(make({ threshold: -40, range: 60, attack }), input);
      expect(Math.abs(gainDb(input, out, step - 1) + 60)).toBeLessThan(0.01);
      let n = step;
      while (out[n] !== input[n]) n++;
      const ms = (n - step + 1) / MS;
      expect(Math.abs(ms - attack) / attack, `opened in ${ms} ms`).toBeLessThan(0.1);
      // Half-way in time is half-way in dB.
      expect(gainDb(input, out, step + Math.round((attack * MS) / 2) - 1)).toBeCloseTo(-30, 0);
    });
  }
});

describe('Expander', () => {
  for (const [t, ratio, range] of [
    [-30, 2, 40],
    [-40, 4, 80],
    [-20, 1.5, 20],
  ] as const) {
    it(`static curve below threshold is (L − T)(ratio − 1) down to −range (±0.1 dB; T ${t}, ratio ${ratio}, range ${range})`, () => {
      for (let l = -90; l <= 0; l += 3) {
        const input = levels([l, SR / 2]);
        const g = make({ mode: MODE_EXPANDER, threshold: t, ratio, range, attack: 1, release: 50, hold: 0 });
        const out = run(g, input);
        const expected = Math.max(Math.min(0, (db(amp(l)) - t) * (ratio - 1)), -range);
        const got = gainDb(input, out, input.length - 1);
        expect(Math.abs(got - expected), `${l} dBFS: ${got} vs ${expected}`).toBeLessThan(0.1);
        expect(Math.abs(got - expected)).toBeLessThan(0.001);
        expect(g.gainReductionDb).toBeCloseTo(-expected, 3);
      }
    });
  }

  it('holds, then releases at range/release dB per ms toward the new target', () => {
    const drop = 9600;
    const input = levels([-20, drop], [-40, SR]);
    // T −30, ratio 3: target at −40 dBFS is −20 dB; range 60 over 300 ms is 0.2 dB/ms.
    const out = run(make({ mode: MODE_EXPANDER, threshold: -30, ratio: 3, range: 60, release: 300, hold: 30 }), input);
    let n = drop;
    while (out[n] === input[n]) n++;
    expect(Math.abs((n - drop - detectorDelay(-20, -30)) / MS - 30)).toBeLessThanOrEqual(1);
    // 10 ms into the fall: −2 dB.
    expect(gainDb(input, out, n + 10 * MS - 1)).toBeCloseTo(-2, 2);
    expect(gainDb(input, out, input.length - 1)).toBeCloseTo(-20, 3);
  });
});

describe('Gate switching, linking, reporting', () => {
  it('off is a bit-exact bypass', () => {
    const input = sine(-50, 440, 9600);
    expect(run(make({ on: false, threshold: 0, range: 80 }), input)).toEqual(input);
    expect(run(make({ on: false, mode: MODE_EXPANDER, threshold: 0, range: 80 }), input)).toEqual(input);
  });

  it('switching off crossfades over FADE_MS from the gated to the dry signal, then bypasses exactly', () => {
    const fade = Math.round((FADE_MS * SR) / 1000);
    const input = levels([-60, 19200]);
    const g = new Gate(1, SR);
    const s = { ...DEFAULTS, range: 20 };
    const out = run(g, input, 128, (pos) => apply(g, { ...s, on: pos < 9600 }));
    const closed = 10 ** (-20 / 20);
    expect(out[9599] / input[9599]).toBeCloseTo(closed, 6);
    let maxStep = 0;
    for (let i = 9600; i < 9600 + fade + 10; i++) maxStep = Math.max(maxStep, Math.abs(out[i] / input[i] - out[i - 1] / input[i - 1]));
    expect(maxStep).toBeLessThanOrEqual(((1 - closed) / fade) * 1.001);
    expect(out.subarray(9600 + fade)).toEqual(input.subarray(9600 + fade));
    expect(g.gainReductionDb).toBe(0);
  });

  it('switching on starts open: a loud signal passes untouched, a quiet one closes after hold + release', () => {
    const loud = levels([-20, 9600]);
    const g = new Gate(1, SR);
    apply(g, { ...DEFAULTS, on: false });
    const out = run(g, loud, 128, (pos) => apply(g, { ...DEFAULTS, on: pos >= 1280 }));
    expect(out).toEqual(loud);
    const quiet = levels([-60, 19200]);
    const h = new Gate(1, SR);
    apply(h, { ...DEFAULTS, on: false });
    const oq = run(h, quiet, 128, (pos) => apply(h, { ...DEFAULTS, hold: 50, release: 100, range: 40, on: pos >= 1280 }));
    // Open through the hold (50 ms from switching on), then 100 ms of release to −40 dB.
    expect(oq.subarray(0, 1280 + 2400)).toEqual(quiet.subarray(0, 1280 + 2400));
    expect(gainDb(quiet, oq, 1280 + 2400)).toBeLessThan(0);
    expect(gainDb(quiet, oq, 1280 + 2400 + 2400)).toBeCloseTo(-20, 1);
    expect(Math.abs(gainDb(quiet, oq, 1280 + 2400 + 4800) + 40)).toBeLessThan(0.01);
  });

  it('links stereo: the louder channel opens the gate for both', () => {
    const g = make({ threshold: -40, range: 40 }, 2);
    const left = levels([-20, 9600]);
    const right = levels([-70, 9600]);
    const l = Float32Array.from(left);
    const r = Float32Array.from(right);
    for (let pos = 0; pos < 9600; pos += 128) g.process([l.subarray(pos, pos + 128), r.subarray(pos, pos + 128)], 128);
    expect(l.subarray(4800)).toEqual(left.subarray(4800));
    expect(r.subarray(4800)).toEqual(right.subarray(4800));
  });

  it('gainReductionDb reports the largest attenuation of the last call', () => {
    const g = make({ threshold: -40, hysteresis: 0, range: 50, hold: 0, release: 100 });
    run(g, levels([-60, 4800]));
    expect(g.gainReductionDb).toBeCloseTo(50, 9);
    run(g, levels([-20, 4800]));
    expect(g.gainReductionDb).toBe(0);
    // One block of 480 samples (10 ms) just after the fall starts: release 100 ms over 50 dB.
    const quiet = levels([-60, 480 + detectorDelay(-20, -40)]);
    const out = run(g, quiet, quiet.length);
    expect(g.gainReductionDb).toBeCloseTo(-gainDb(quiet, out, quiet.length - 1), 5);
    expect(g.gainReductionDb).toBeGreaterThan(4.8);
    expect(g.gainReductionDb).toBeLessThan(5.1);
  });
});

const CONFIGS: Record<string, Partial<GateSettings>> = {
  default: { threshold: -50 },
  off: { on: false },
  'threshold min': { threshold: -80 },
  'threshold max': { threshold: 0 },
  'range 0': { range: 0 },
  'range 80': { range: 80 },
  'attack/release min': { attack: 0.02, release: 5, hold: 0 },
  'attack/release max': { attack: 300, release: 4000 },
  'hold 0': { hold: 0 },
  'hold 2000': { hold: 2000 },
  'hysteresis 0': { hysteresis: 0 },
  'hysteresis 20': { hysteresis: 20 },
  expander: { mode: MODE_EXPANDER },
  'expander ratio 1.1': { mode: MODE_EXPANDER, ratio: 1.1, range: 80, threshold: 0 },
  'expander ratio 10': { mode: MODE_EXPANDER, ratio: 10, range: 80, attack: 0.02, release: 5, hold: 0 },
  'expander range 0': { mode: MODE_EXPANDER, range: 0 },
};

for (const channels of [1, 2]) {
  dspSuite(`Gate (${channels === 1 ? 'mono' : 'stereo'})`, {
    inputs: channels,
    outputs: channels,
    configs: Object.keys(CONFIGS),
    make(sampleRate, config) {
      const g = new Gate(channels, sampleRate);
      const s = { ...DEFAULTS, ...CONFIGS[config] };
      const p = inPlace(g);
      // Parameters are re-sent before every block, as the channel strip does.
      return {
        process: (inputs, outputs, frames) => {
          apply(g, s);
          p.process(inputs, outputs, frames);
        },
        subnormalStates: p.subnormalStates,
      };
    },
  }, [44100, 48000]);
}
