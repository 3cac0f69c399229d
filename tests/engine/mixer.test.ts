import { describe, expect, it } from 'vitest';
import { MixEngine } from '../../src/engine/mixer.js';
import { defaultLayout } from '../../src/model/layout.js';
import { ParamRegistry } from '../../src/model/registry.js';
import { METER_FLOOR_DB } from '../../src/model/meters.js';
import { dspSuite, runBlocks, type SuiteSubject } from './dsp-suite.js';

const SR = 48000;
const BLOCK = 128;

/** 3 mono channels and one stereo channel (inputs 1, 2, 3, 4+5). */
function rig(): { reg: ParamRegistry; eng: MixEngine; set: (a: string, v: number) => void } {
  const reg = new ParamRegistry(defaultLayout([{ stereo: false }, { stereo: false }, { stereo: false }, { stereo: true }]));
  const eng = new MixEngine(reg, { sampleRate: SR, maxBlock: 1024 });
  return { reg, eng, set: (a, v) => reg.set(eng.params, a, v) };
}

/** Constant inputs (DC) make gains readable directly: every filter is off by default. */
function dc(values: number[], frames = BLOCK): Float32Array[] {
  return values.map((v) => new Float32Array(frames).fill(v));
}

/** Run `blocks` blocks and return the last sample of every output. */
function settle(eng: MixEngine, inputs: Float32Array[], blocks = 40): number[] {
  const outs = Array.from({ length: eng.outputs }, () => new Float32Array(BLOCK));
  for (let b = 0; b < blocks; b++) eng.process(inputs, outs, BLOCK);
  return outs.map((o) => o[BLOCK - 1]);
}

const OUT = { masterL: 0, masterR: 1, monL: 2, monR: 3, aux1L: 4, aux1R: 5, aux2L: 6, aux2R: 7 };
const dB = (x: number): number => Math.pow(10, x / 20);

describe('mix engine routing and gain', () => {
  it('a mono channel at 0 dB, centre, reaches the master at −3.01 dB per side (constant-power pan)', () => {
    const { eng } = rig();
    const o = settle(eng, dc([1, 0, 0, 0, 0]));
    expect(o[OUT.masterL]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(o[OUT.masterR]).toBeCloseTo(Math.SQRT1_2, 6);
    // the monitor follows the master when nothing is soloed
    expect(o[OUT.monL]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('pan law: hard left, +50, and power is constant', () => {
    const { eng, set } = rig();
    set('ch/1/pan', -100);
    let o = settle(eng, dc([1, 0, 0, 0, 0]));
    expect(o[OUT.masterL]).toBeCloseTo(1, 6);
    expect(o[OUT.masterR]).toBe(0);
    set('ch/1/pan', 50);
    o = settle(eng, dc([1, 0, 0, 0, 0]), 200);
    expect(o[OUT.masterL]).toBeCloseTo(Math.cos((3 * Math.PI) / 8), 5);
    expect(o[OUT.masterR]).toBeCloseTo(Math.sin((3 * Math.PI) / 8), 5);
    expect(o[OUT.masterL] ** 2 + o[OUT.masterR] ** 2).toBeCloseTo(1, 5);
  });

  it('a stereo channel balances: centre passes both sides at 0 dB, right attenuates the left only', () => {
    const { eng, set } = rig();
    let o = settle(eng, dc([0, 0, 0, 0.5, 0.25]));
    expect(o[OUT.masterL]).toBeCloseTo(0.5, 6);
    expect(o[OUT.masterR]).toBeCloseTo(0.25, 6);
    set('ch/4/pan', 50);
    o = settle(eng, dc([0, 0, 0, 0.5, 0.25]), 200);
    expect(o[OUT.masterL]).toBeCloseTo(0.5 * Math.SQRT1_2, 5);
    expect(o[OUT.masterR]).toBeCloseTo(0.25, 6);
  });

  it('fader, trim and polarity in dB', () => {
    const { eng, set } = rig();
    set('ch/1/fader', -6);
    set('ch/1/trim', 3);
    set('ch/1/polarity', 1);
    const o = settle(eng, dc([1, 0, 0, 0, 0]));
    expect(o[OUT.masterL]).toBeCloseTo(-Math.SQRT1_2 * dB(-3), 5);
  });

  it('fader at −∞ is exact silence; mute too', () => {
    const { eng, set } = rig();
    set('ch/1/fader', -90);
    expect(settle(eng, dc([1, 0, 0, 0, 0]), 100)[OUT.masterL]).toBe(0);
    set('ch/1/fader', 0);
    set('ch/1/mute', 1);
    expect(settle(eng, dc([1, 0, 0, 0, 0]), 100)[OUT.masterL]).toBe(0);
  });

  it('fader moves are de-zippered: no step larger than the glide allows', () => {
    const { eng, set } = rig();
    const outs = Array.from({ length: eng.outputs }, () => new Float32Array(BLOCK));
    const inp = dc([1, 0, 0, 0, 0]);
    eng.process(inp, outs, BLOCK);
    set('ch/1/fader', -90);
    let prev = outs[0][BLOCK - 1];
    let maxStep = 0;
    for (let b = 0; b < 80; b++) {
      eng.process(inp, outs, BLOCK);
      for (const v of outs[0]) {
        maxStep = Math.max(maxStep, Math.abs(v - prev));
        prev = v;
      }
    }
    expect(prev).toBe(0);
    // an 8 ms glide moves at most 1/(0.008·48000) of the distance per sample
    expect(maxStep).toBeLessThan(Math.SQRT1_2 / (0.008 * SR) + 1e-6);
    expect(maxStep).toBeGreaterThan(0);
  });

  it('VCA: member faders are offset in dB, VCA mute silences members only', () => {
    const { eng, set } = rig();
    set('ch/1/fader', -10);
    set('ch/1/vca/1', 1);
    set('ch/2/vca/1', 1);
    set('ch/2/vca/2', 1);
    set('vca/1/fader', -6);
    set('vca/2/fader', -4);
    let o = settle(eng, dc([1, 0, 0, 0, 0]));
    expect(o[OUT.masterL]).toBeCloseTo(Math.SQRT1_2 * dB(-16), 6);
    o = settle(eng, dc([0, 1, 0, 0, 0]));
    expect(o[OUT.masterL]).toBeCloseTo(Math.SQRT1_2 * dB(-10), 6);
    set('vca/2/mute', 1);
    o = settle(eng, dc([1, 1, 1, 0, 0]), 100);
    // ch2 muted by VCA 2, ch1 (−16 dB) and ch3 (0 dB) still there
    expect(o[OUT.masterL]).toBeCloseTo(Math.SQRT1_2 * (dB(-16) + 1), 5);
  });

  it('groups: a channel routed to a group reaches the master through the group fader', () => {
    const { eng, set } = rig();
    set('ch/1/main', 0);
    set('ch/1/group/2', 1);
    set('group/2/fader', -6);
    const o = settle(eng, dc([1, 0, 0, 0, 0]));
    expect(o[OUT.masterL]).toBeCloseTo(Math.SQRT1_2 * dB(-6), 6);
    // the group's meter reads after its fader
    expect(eng.meters[eng.meterLayout.offsetOf('group/2')]).toBeCloseTo(20 * Math.log10(Math.SQRT1_2 * dB(-6)), 3);
    set('group/2/mute', 1);
    expect(settle(eng, dc([1, 0, 0, 0, 0]), 100)[OUT.masterL]).toBe(0);
  });

  it('aux sends: pre-fader ignores the fader, post-fader follows it; mute kills both', () => {
    const { eng, set } = rig();
    set('ch/1/send/1/level', -6);
    set('ch/1/send/1/pre', 1);
    set('ch/1/send/2/level', 0);
    set('ch/1/send/2/pre', 0);
    set('ch/1/fader', -20);
    let o = settle(eng, dc([1, 0, 0, 0, 0]));
    expect(o[OUT.aux1L]).toBeCloseTo(Math.SQRT1_2 * dB(-6), 6);
    expect(o[OUT.aux2L]).toBeCloseTo(Math.SQRT1_2 * dB(-20), 6);
    set('bus/1/fader', -6);
    o = settle(eng, dc([1, 0, 0, 0, 0]));
    expect(o[OUT.aux1L]).toBeCloseTo(Math.SQRT1_2 * dB(-12), 6);
    set('ch/1/mute', 1);
    o = settle(eng, dc([1, 0, 0, 0, 0]), 100);
    expect(o[OUT.aux1L]).toBe(0);
    expect(o[OUT.aux2L]).toBe(0);
  });

  it('solo in place mutes the others on main, keeps solo-safe channels and pre-fader monitor sends', () => {
    const { eng, set } = rig();
    set('monitor/solo/mode', 2);
    set('ch/1/solo', 1);
    set('ch/3/solosafe', 1);
    set('ch/2/send/1/level', 0);
    set('ch/2/send/1/pre', 1);
    const o = settle(eng, dc([1, 0.5, 0.25, 0, 0]), 100);
    expect(o[OUT.masterL]).toBeCloseTo(Math.SQRT1_2 * (1 + 0.25), 5);
    expect(o[OUT.aux1L]).toBeCloseTo(Math.SQRT1_2 * 0.5, 5);
  });

  it('AFL and PFL go to the monitor output only; the master is untouched', () => {
    const { eng, set } = rig();
    set('ch/1/fader', -10);
    set('ch/1/solo', 1);
    set('monitor/solo/mode', 0); // AFL: post-fader, post-pan
    let o = settle(eng, dc([1, 0.5, 0, 0, 0]), 100);
    expect(o[OUT.masterL]).toBeCloseTo(Math.SQRT1_2 * (dB(-10) + 0.5), 5);
    expect(o[OUT.monL]).toBeCloseTo(Math.SQRT1_2 * dB(-10), 5);
    set('monitor/solo/mode', 1); // PFL: pre-fader, pre-pan, 0 dB both sides
    set('monitor/level', -6);
    o = settle(eng, dc([1, 0.5, 0, 0, 0]), 100);
    expect(o[OUT.monL]).toBeCloseTo(dB(-6), 5);
    expect(o[OUT.monR]).toBeCloseTo(dB(-6), 5);
    expect(o[OUT.masterL]).toBeCloseTo(Math.SQRT1_2 * (dB(-10) + 0.5), 5);
  });

  it('FX sends reach the FX bus and its return feeds the master after the dry signal stops', () => {
    const { eng, set } = rig();
    set('ch/1/fx/1/level', 0);
    set('ch/1/main', 0);
    const outs = Array.from({ length: eng.outputs }, () => new Float32Array(BLOCK));
    const burst = dc([0.5, 0, 0, 0, 0]);
    const silence = dc([0, 0, 0, 0, 0]);
    for (let b = 0; b < 40; b++) eng.process(burst, outs, BLOCK);
    let energy = 0;
    for (let b = 0; b < 200; b++) {
      eng.process(silence, outs, BLOCK);
      for (const v of outs[0]) energy += v * v;
    }
    expect(energy).toBeGreaterThan(1e-3);
    set('fx/1/mute', 1);
    for (let b = 0; b < 100; b++) eng.process(silence, outs, BLOCK);
    expect(outs[0].every((v) => v === 0)).toBe(true);
  });

  it('meters: a 0.5-peak sine reads −6.02 dBFS peak and −9.03 dBFS RMS on its strip', () => {
    const { eng } = rig();
    const frames = 3 * SR; // 3 s: ten RMS time constants
    const sine = new Float32Array(frames).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / SR));
    const input = [sine, new Float32Array(frames), new Float32Array(frames), new Float32Array(frames), new Float32Array(frames)];
    runBlocks((i, o, n) => eng.process(i, o, n), input, eng.outputs, BLOCK);
    const m = eng.meters;
    const ch1 = eng.meterLayout.offsetOf('ch/1');
    expect(m[ch1]).toBeCloseTo(-6.02, 1); // peak L
    expect(m[ch1 + 2]).toBeCloseTo(-6.02, 1); // hold L
    expect(m[ch1 + 4]).toBeCloseTo(-9.03, 1); // rms L
    expect(m[ch1 + 6]).toBe(0); // gate GR (gate off)
    expect(m[ch1 + 7]).toBe(0); // comp GR (comp off)
    const master = eng.meterLayout.offsetOf('master');
    expect(m[master]).toBeCloseTo(-6.02 - 3.01, 1);
    expect(m[m.length - 1]).toBeGreaterThan(0);
    // a silent strip reads the floor
    expect(m[eng.meterLayout.offsetOf('ch/2')]).toBe(METER_FLOOR_DB);
  });

  it('compressor gain reduction shows on the strip meter', () => {
    const { eng, set } = rig();
    set('ch/1/comp/on', 1);
    set('ch/1/comp/threshold', -30);
    set('ch/1/comp/ratio', 4);
    set('ch/1/comp/knee', 0);
    const frames = SR / 2;
    const sine = new Float32Array(frames).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / SR));
    const z = new Float32Array(frames);
    runBlocks((i, o, n) => eng.process(i, o, n), [sine, z, z, z, z], eng.outputs, BLOCK);
    const ch1 = eng.meterLayout.offsetOf('ch/1');
    // −6 dBFS peak is 24 dB over −30: a 4:1 ratio takes 18 dB off (peak detector)
    expect(eng.meters[ch1 + 7]).toBeGreaterThan(16);
    expect(eng.meters[ch1 + 7]).toBeLessThan(19);
  });
});

/** The whole engine passes the shared DSP suite. */
const CONFIGS = ['default', 'everything on', 'extremes min', 'extremes max'] as const;
const engineSubject: SuiteSubject = {
  inputs: 5,
  outputs: 20,
  configs: CONFIGS,
  make(sr, config) {
    const reg = new ParamRegistry(defaultLayout([{ stereo: false }, { stereo: false }, { stereo: false }, { stereo: true }]));
    const eng = new MixEngine(reg, { sampleRate: sr, maxBlock: 1024 });
    const t = eng.params;
    const set = (a: string, v: number): void => void reg.set(t, a, v);
    if (config === 'everything on' || config.startsWith('extremes')) {
      for (let c = 1; c <= 4; c++) {
        for (const s of ['hpf/on', 'gate/on', 'comp/on', 'comp/schpf/on', 'eq/on', 'group/1', 'vca/1']) set(`ch/${c}/${s}`, 1);
        set(`ch/${c}/eq/2/gain`, 6);
        set(`ch/${c}/send/1/level`, -6);
        set(`ch/${c}/send/2/level`, -6);
        set(`ch/${c}/send/2/pre`, 0);
        set(`ch/${c}/fx/1/level`, -10);
        set(`ch/${c}/fx/2/level`, -10);
        set(`ch/${c}/pan`, c * 40 - 100);
      }
      set('vca/1/fader', -3);
    }
    if (config.startsWith('extremes')) {
      const max = config === 'extremes max';
      for (const d of reg.descriptors) {
        if (d.unit === 'switch' || /mute|solo|main$/.test(d.address)) continue;
        t[reg.index(d.address)] = max ? d.max : d.min;
      }
      // keep the paths audible so the extremes are exercised
      for (let c = 1; c <= 4; c++) set(`ch/${c}/fader`, max ? 10 : -60);
      set('master/fader', max ? 10 : -60);
    }
    return {
      process: (i, o, n) => eng.process(i, o, n),
      subnormalStates: () => eng.subnormalStates(),
    };
  },
};
dspSuite('MixEngine', engineSubject);
