import { describe, expect, it } from 'vitest';
import { limiterLatency } from '../../src/engine/limiter.js';
import { LoudnessHistory } from '../../src/engine/loudness-history.js';
import { LoudnessMeter } from '../../src/engine/loudness.js';
import { MasterChain } from '../../src/engine/master-chain.js';
import { MixEngine } from '../../src/engine/mixer.js';
import { defaultLayout, outputPairs, type MixLayout } from '../../src/model/layout.js';
import { CHAIN_FIELDS, meterLayout } from '../../src/model/meters.js';
import { ParamRegistry } from '../../src/model/registry.js';
import { dspSuite, testSignal, type SuiteSubject } from './dsp-suite.js';

const SR = 48000;
const f = (name: (typeof CHAIN_FIELDS)[number]): number => CHAIN_FIELDS.indexOf(name);

function chainRig(layout: MixLayout = defaultLayout([{ stereo: true }]), sr = SR, maxBlock = 1024) {
  const reg = new ParamRegistry(layout);
  const t = reg.createTable();
  const chain = new MasterChain(reg, 'master', sr, maxBlock);
  const ml = meterLayout(layout);
  const meters = new Float32Array(ml.size);
  const mo = ml.offsetOf('master/chain');
  const set = (a: string, v: number): void => {
    reg.set(t, a, v);
  };
  const run = (l: Float32Array, r: Float32Array, block = 512): [Float32Array, Float32Array] => {
    const ol = new Float32Array(l.length);
    const or = new Float32Array(r.length);
    const bl = new Float32Array(block);
    const br = new Float32Array(block);
    for (let pos = 0; pos < l.length; pos += block) {
      const n = Math.min(block, l.length - pos);
      chain.process(t, [l.subarray(pos, pos + n), r.subarray(pos, pos + n)], bl, br, n, meters, mo);
      ol.set(bl.subarray(0, n), pos);
      or.set(br.subarray(0, n), pos);
    }
    return [ol, or];
  };
  return { reg, t, chain, meters, mo, set, run };
}

function sine(freq: number, seconds: number, peakDb: number, sr = SR): Float32Array {
  const a = Math.pow(10, peakDb / 20);
  return Float32Array.from({ length: Math.round(seconds * sr) }, (_, i) => a * Math.sin((2 * Math.PI * freq * i) / sr));
}

describe('master chain', () => {
  it('at its defaults is the input delayed by the limiter look-ahead, bit for bit', () => {
    const { chain, run } = chainRig();
    expect(chain.latency).toBe(limiterLatency(SR));
    const [l, r] = testSignal(2, 24000, SR, 0.5, 11);
    const [ol, or] = run(l, r);
    const d = chain.latency;
    for (let i = d; i < l.length; i++) {
      if (ol[i] !== l[i - d] || or[i] !== r[i - d]) throw new Error(`sample ${i} differs`);
    }
    expect(ol.subarray(0, d).every((v) => v === 0)).toBe(true);
  });

  it('runs its stages in order: trim, EQ tilt, width, limiter ceiling', () => {
    const { set, run, meters, mo } = chainRig();
    // +6 dB trim on a −12 dBFS 1 kHz sine, limiter at −3 dBTP: output peak at the ceiling.
    set('master/trim', 6);
    set('master/limiter/on', 1);
    set('master/limiter/ceiling', -3);
    const x = sine(1000, 2, -6);
    const [ol] = run(x, x);
    let peak = 0;
    for (let i = SR; i < ol.length; i++) peak = Math.max(peak, Math.abs(ol[i]));
    expect(20 * Math.log10(peak)).toBeCloseTo(-3, 1);
    expect(meters[mo + f('limiterGr')]).toBeGreaterThan(2.5);

    // A tilt of +6 dB around 1 kHz: 20 kHz up by about 3 dB, 50 Hz down by about 3 dB.
    const b = chainRig();
    b.set('master/eq/1/type', 5);
    b.set('master/eq/1/freq', 1000);
    b.set('master/eq/1/gain', 6);
    const gainAt = (hz: number): number => {
      const s = sine(hz, 1, -20);
      const [o] = b.run(s, s);
      let pk = 0;
      for (let i = SR / 2; i < o.length; i++) pk = Math.max(pk, Math.abs(o[i]));
      b.chain.reset();
      return 20 * Math.log10(pk) + 20;
    };
    expect(gainAt(15000)).toBeGreaterThan(2.5);
    expect(gainAt(50)).toBeLessThan(-2.5);
    expect(Math.abs(gainAt(1000))).toBeLessThan(0.05);

    // Width 0: a pure side signal disappears.
    const c = chainRig();
    c.set('master/width/amount', 0);
    const s = sine(440, 0.5, -6);
    const neg = s.map((v) => -v);
    const [wl, wr] = c.run(s, neg);
    expect(Math.max(...wl.subarray(SR / 4).map(Math.abs))).toBeLessThan(1e-6);
    expect(Math.max(...wr.subarray(SR / 4).map(Math.abs))).toBeLessThan(1e-6);
  });

  it('meters loudness, correlation and latency of its output', () => {
    const { run, meters, mo, chain } = chainRig();
    // Stereo 1 kHz at −23 dBFS peak per channel reads −23.0 LUFS (EBU 3341 case 1).
    const x = sine(1000, 12, -23);
    run(x, x);
    expect(meters[mo + f('momentary')]).toBeCloseTo(-23, 1);
    expect(meters[mo + f('shortTerm')]).toBeCloseTo(-23, 1);
    expect(meters[mo + f('integrated')]).toBeCloseTo(-23, 1);
    expect(meters[mo + f('projected')]).toBeCloseTo(-23, 1);
    expect(meters[mo + f('truePeak')]).toBeCloseTo(-23, 1);
    expect(meters[mo + f('correlation')]).toBeCloseTo(1, 3);
    expect(meters[mo + f('latency')]).toBe(chain.latency);
    // The history holds one 400 ms block per 100 ms step from 400 ms on.
    expect(chain.history.steps).toBe(120 - 3);
    expect(chain.history.integratedLufs()).toBeCloseTo(-23, 1);
  });

  it('the history holds every step whenever it is read; the live values update once a second', () => {
    const { run, meters, mo, chain } = chainRig();
    const x = sine(1000, 2.55, -23);
    run(x, x, 300);
    // 25 steps of 100 ms, recorded from the 4th; the last ones were staged for the next update.
    expect(chain.history.pushes).toBe(25 - 3);
    expect(chain.history.integratedLufs()).toBeCloseTo(-23, 1);
    // The integrated meter shows the update at 2 s: the live value of steps 4 … 20.
    const ref = new LoudnessHistory();
    let k = 0;
    chain.history.forEachStep((m, st, tp) => {
      if (k++ < 20 - 3) ref.push(m, st, tp);
    });
    expect(ref.pushes).toBe(17);
    expect(chain.live.integratedLufs).toBe(ref.liveIntegratedLufs());
    expect(meters[mo + f('integrated')]).toBe(Math.fround(ref.liveIntegratedLufs()));
    expect(chain.live.integratedLufs).not.toBe(chain.history.liveIntegratedLufs());
  });

  it('the loudness reset starts the measurement afresh on its rising edge', () => {
    const { run, set, meters, mo, chain } = chainRig();
    run(sine(1000, 5, -13), sine(1000, 5, -13));
    expect(meters[mo + f('integrated')]).toBeCloseTo(-13, 1);
    set('master/meter/reset', 1);
    const x = sine(1000, 5, -33);
    run(x, x);
    // (the look-ahead still held 2.6 ms of the loud part when the reset came)
    expect(Math.abs(chain.history.integratedLufs() + 33)).toBeLessThan(0.1);
    // Holding the switch on does not keep resetting.
    run(x, x);
    expect(chain.history.durationS).toBeGreaterThan(9);
  });

  it('the leveller brings a quiet programme to the target', () => {
    const { run, set } = chainRig();
    set('master/leveller/on', 1);
    set('master/target', -20);
    set('master/leveller/rate', 2);
    set('master/leveller/maxboost', 12);
    const x = sine(1000, 20, -29);
    const [ol, or] = run(x, x);
    const m = new LoudnessMeter(SR, 2);
    m.process([ol.subarray(17 * SR), or.subarray(17 * SR)], 3 * SR);
    expect(m.result().integratedLufs).toBeCloseTo(-20, 0);
  });
});

describe('master chains in the engine', () => {
  it('every chain has its own output and settings, all with the same latency', () => {
    const layout: MixLayout = { ...defaultLayout([{ stereo: false }]), masterChains: 2 };
    const reg = new ParamRegistry(layout);
    const eng = new MixEngine(reg, { sampleRate: SR, maxBlock: 256 });
    expect(outputPairs(layout).at(-1)).toBe('master2');
    reg.set(eng.params, 'master/2/trim', -6);
    const x = sine(1000, 0.5, -10);
    const outs = Array.from({ length: eng.outputs }, () => new Float32Array(256));
    const o1 = new Float32Array(x.length);
    const o2 = new Float32Array(x.length);
    const k2 = 2 * outputPairs(layout).indexOf('master2');
    for (let pos = 0; pos < x.length; pos += 256) {
      const n = Math.min(256, x.length - pos);
      eng.process([x.subarray(pos, pos + n)], outs, n);
      o1.set(outs[0].subarray(0, n), pos);
      o2.set(outs[k2].subarray(0, n), pos);
    }
    expect(eng.masterLatency).toBe(limiterLatency(SR));
    // Same timing, chain 2 six dB down once the trim has settled.
    for (let i = 12000; i < x.length; i += 97) expect(o2[i]).toBeCloseTo(o1[i] * Math.pow(10, -6 / 20), 5);
    expect(eng.chain(2).latency).toBe(eng.chain(1).latency);
  });

  it('the translation check changes the monitor only, never the master outputs', () => {
    const mk = () => {
      const reg = new ParamRegistry(defaultLayout([{ stereo: true }]));
      return { reg, eng: new MixEngine(reg, { sampleRate: SR, maxBlock: 512 }) };
    };
    const a = mk();
    const b = mk();
    b.reg.set(b.eng.params, 'monitor/translate', 3); // phone
    b.reg.set(b.eng.params, 'monitor/mono', 1);
    const [l, r] = testSignal(2, 24000, SR, 0.5, 5);
    const oa = Array.from({ length: a.eng.outputs }, () => new Float32Array(512));
    const ob = Array.from({ length: b.eng.outputs }, () => new Float32Array(512));
    let monitorDiff = 0;
    for (let pos = 0; pos < l.length; pos += 512) {
      const n = Math.min(512, l.length - pos);
      const ins = [l.subarray(pos, pos + n), r.subarray(pos, pos + n)];
      a.eng.process(ins, oa, n);
      b.eng.process(ins, ob, n);
      for (let i = 0; i < n; i++) {
        if (oa[0][i] !== ob[0][i] || oa[1][i] !== ob[1][i]) throw new Error(`master differs at ${pos + i}`);
        monitorDiff = Math.max(monitorDiff, Math.abs(oa[2][i] - ob[2][i]));
        // mono fold-down: both monitor sides equal
        if (ob[2][i] !== ob[3][i]) throw new Error(`monitor not mono at ${pos + i}`);
      }
    }
    expect(monitorDiff).toBeGreaterThan(0.01);
  });
});

const chainSubject = (config: string): SuiteSubject['make'] => (sr) => {
  const layout = defaultLayout([{ stereo: true }]);
  const reg = new ParamRegistry(layout);
  const t = reg.createTable();
  const set = (a: string, v: number): void => {
    reg.set(t, a, v);
  };
  if (config === 'everything on') {
    set('master/trim', 6);
    set('master/eq/1/type', 5);
    set('master/eq/1/gain', -4);
    set('master/eq/3/gain', 3);
    set('master/mbc/on', 1);
    for (const b of [1, 2, 3]) {
      set(`master/mbc/${b}/threshold`, -30);
      set(`master/mbc/${b}/ratio`, 4);
    }
    set('master/width/amount', 150);
    set('master/width/bassmono', 120);
    set('master/leveller/on', 1);
    set('master/leveller/rate', 10);
    set('master/limiter/on', 1);
    set('master/limiter/ceiling', -2);
  }
  if (config === 'extremes') {
    set('master/trim', 30);
    set('master/eq/2/gain', 15);
    set('master/eq/2/q', 10);
    set('master/mbc/on', 1);
    set('master/mbc/xover/1', 1000);
    set('master/mbc/xover/2', 1000);
    set('master/mbc/2/ratio', 20);
    set('master/mbc/2/makeup', 12);
    set('master/width/amount', 200);
    set('master/leveller/on', 1);
    set('master/leveller/maxboost', 24);
    set('master/limiter/on', 1);
    set('master/limiter/ceiling', -12);
    set('master/limiter/release', 1);
  }
  const chain = new MasterChain(reg, 'master', sr, 1024);
  const ml = meterLayout(layout);
  const meters = new Float32Array(ml.size);
  const mo = ml.offsetOf('master/chain');
  return {
    process: (inputs, outputs, frames) => chain.process(t, [inputs[0], inputs[1]], outputs[0], outputs[1], frames, meters, mo),
    subnormalStates: () => chain.subnormalStates(),
  };
};

dspSuite('master chain', { inputs: 2, outputs: 2, configs: ['default', 'everything on', 'extremes'], make: (sr, c) => chainSubject(c)(sr, c) });

describe('the loudness tap', () => {
  it('measures any bus: an aux mix at −23 LUFS reads −23, and a new source starts afresh', () => {
    const layout = defaultLayout([{ stereo: true }]);
    const reg = new ParamRegistry(layout);
    const eng = new MixEngine(reg, { sampleRate: SR, maxBlock: 512 });
    const set = (a: string, v: number): void => {
      reg.set(eng.params, a, v);
    };
    // Channel 1 to aux 3 at 0 dB (pre-fader), its fader down: only the aux carries it.
    set('ch/1/send/3/level', 0);
    set('ch/1/fader', -90);
    const sources = reg.descriptor('loudness/source').options!;
    set('loudness/source', sources.indexOf('aux 3'));
    const x = sine(1000, 6, -23);
    const outs = Array.from({ length: eng.outputs }, () => new Float32Array(512));
    const run = (): void => {
      for (let pos = 0; pos < x.length; pos += 512) {
        const n = Math.min(512, x.length - pos);
        eng.process([x.subarray(pos, pos + n), x.subarray(pos, pos + n)], outs, n);
      }
    };
    run();
    const o = eng.meterLayout.offsetOf('loudness');
    expect(eng.meters[o]).toBeCloseTo(-23, 1); // momentary
    expect(eng.meters[o + 1]).toBeCloseTo(-23, 1); // short-term
    expect(eng.meters[o + 2]).toBeCloseTo(-23, 1); // integrated
    expect(eng.meters[o + 4]).toBeCloseTo(-23, 1); // true peak
    expect(eng.tapHistory.integratedLufs()).toBeCloseTo(-23, 1);
    // The master chain hears nothing (the fader is down).
    expect(eng.meters[eng.meterLayout.offsetOf('master/chain') + f('integrated')]).toBe(-120);
    // Another source: the measurement starts again (aux 4 is silent).
    set('loudness/source', sources.indexOf('aux 4'));
    run();
    expect(eng.meters[o + 2]).toBe(-120);
    expect(sources.slice(0, 3)).toEqual(['off', 'monitor', 'aux 1']);
  });
});
