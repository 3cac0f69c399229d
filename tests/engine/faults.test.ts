/**
 * A unit that throws is muted, reset and reported; the rest of the engine keeps playing, bit for
 * bit. A master output block holding NaN or ±Inf is zeroed and counted.
 *
 * Each test runs a faulted engine A beside reference engines built the same way, and compares
 * every output sample's bits. Channel 3 carries its filters off (trim, HPF, gate, EQ and
 * compressor at their defaults), so silence into it gives exact zeros on every bus it feeds, and
 * adding an exact zero leaves a bus sample unchanged: an engine whose channel 3 input is silent
 * from block 10 is therefore bit-identical to one whose channel 3 strip faulted at block 10.
 * Muting channel 3 instead would not be: the mute glides its gains down over 8 ms.
 */
import { describe, expect, it } from 'vitest';
import type { MasterChain } from '../../src/engine/master-chain.js';
import { MixEngine } from '../../src/engine/mixer.js';
import { defaultLayout, type MixLayout } from '../../src/model/layout.js';
import { METER_FLOOR_DB } from '../../src/model/meters.js';
import { ParamRegistry } from '../../src/model/registry.js';

const SR = 48000;
const BLOCK = 128;
const BLOCKS = 300;
/** For the loudness tap, whose history advances once a second. */
const LONG = 1200;
/** 4 mono channels, 2 master chains: outputs master 0-1, monitor 2-3, aux 1..8 4-19, master 2 20-21. */
const LAYOUT: MixLayout = { ...defaultLayout([{ stereo: false }, { stereo: false }, { stereo: false }, { stereo: false }]), masterChains: 2 };
const OUTPUTS = 22;
const FREQ = [220, 330, 1000, 550];
const AMP = [0.2, 0.15, 0.25, 0.1];

/**
 * The session: ch 1 with its compressor on and a send to the reverb (fx 1), ch 2 to the delay
 * (fx 2) and group 1, ch 3 (filters off) at −6 dB with a pre-fader send at 0 dB to aux 1 (its
 * only source), ch 4 panned left; chain 2 trimmed −3 dB.
 */
function engine(opts: { fx1Send?: boolean } = {}): MixEngine {
  const reg = new ParamRegistry(LAYOUT);
  const eng = new MixEngine(reg, { sampleRate: SR, maxBlock: BLOCK });
  const set = (a: string, v: number): void => void reg.set(eng.params, a, v);
  set('ch/1/comp/on', 1);
  set('ch/1/comp/threshold', -24);
  if (opts.fx1Send ?? true) set('ch/1/fx/1/level', -6);
  set('fx/1/reverb/decay', 0.5);
  set('ch/2/fx/2/level', -10);
  set('ch/2/group/1', 1);
  set('ch/3/fader', -6);
  set('ch/3/send/1/level', 0);
  set('ch/3/send/1/pre', 1);
  set('ch/4/pan', -60);
  set('master/2/trim', -3);
  return eng;
}

/** Input of channel c (0-based) in block b: a sine per channel, continuous across blocks. */
function fillInput(buf: Float32Array, c: number, b: number): void {
  for (let i = 0; i < BLOCK; i++) buf[i] = AMP[c] * Math.sin((2 * Math.PI * FREQ[c] * (b * BLOCK + i)) / SR);
}

interface Run {
  /** outputs[o] holds all BLOCKS blocks of output o, one after the other. */
  out: Float32Array[];
}

/**
 * Run BLOCKS blocks. `before(b)` runs before block b is processed (patches, re-arms);
 * `silent(c, b)` makes channel c's input silent in block b; `after(b)` runs after block b.
 */
function run(
  eng: MixEngine,
  hooks: { before?: (b: number) => void; after?: (b: number) => void; silent?: (c: number, b: number) => boolean } = {},
  blocks = BLOCKS,
): Run {
  const inputs = Array.from({ length: 4 }, () => new Float32Array(BLOCK));
  const outs = Array.from({ length: OUTPUTS }, () => new Float32Array(BLOCK));
  const all = Array.from({ length: OUTPUTS }, () => new Float32Array(blocks * BLOCK));
  for (let b = 0; b < blocks; b++) {
    for (let c = 0; c < 4; c++) {
      if (hooks.silent?.(c, b)) inputs[c].fill(0);
      else fillInput(inputs[c], c, b);
    }
    hooks.before?.(b);
    eng.process(inputs, outs, BLOCK);
    hooks.after?.(b);
    for (let o = 0; o < OUTPUTS; o++) all[o].set(outs[o], b * BLOCK);
  }
  return { out: all };
}

/** First block (from `from`, before `to`) where output o of a and b differ in any bit, or −1. */
function firstDiff(a: Run, b: Run, o: number, from = 0, to = a.out[0].length / BLOCK): number {
  const x = new Uint32Array(a.out[o].buffer);
  const y = new Uint32Array(b.out[o].buffer);
  for (let i = from * BLOCK; i < to * BLOCK; i++) if (x[i] !== y[i]) return Math.floor(i / BLOCK);
  return -1;
}

function energy(r: Run, o: number, from: number, to = BLOCKS): number {
  let e = 0;
  const x = r.out[o];
  for (let i = from * BLOCK; i < to * BLOCK; i++) e += x[i] * x[i];
  return e;
}

/** Energy of output o of a minus b. */
function diffEnergy(a: Run, b: Run, o: number, from: number, to = BLOCKS): number {
  let e = 0;
  for (let i = from * BLOCK; i < to * BLOCK; i++) e += (a.out[o][i] - b.out[o][i]) ** 2;
  return e;
}

function allZero(r: Run, o: number, from: number, to = BLOCKS): boolean {
  const x = r.out[o];
  for (let i = from * BLOCK; i < to * BLOCK; i++) if (x[i] !== 0) return false;
  return true;
}

const boom = (): never => {
  throw new Error('boom');
};

describe('engine faults: a throwing unit is muted and reported, the rest keeps playing', () => {
  it('names every unit', () => {
    const eng = engine();
    expect(eng.units).toEqual([
      'ch/1', 'ch/2', 'ch/3', 'ch/4', 'fx/1', 'fx/2', 'group/1', 'group/2', 'group/3', 'group/4',
      ...Array.from({ length: 8 }, (_, i) => `bus/${i + 1}`),
      'master/stage', 'master', 'master/2', 'monitor', 'loudness',
    ]);
    expect(eng.faults).toEqual([]);
    expect(eng.faultCount).toBe(0);
    expect(eng.rearm('ch/3')).toBe(false); // not faulted
    expect(eng.rearm('ch/99')).toBe(false); // unknown
  });

  it('a strip that throws from block 10 contributes nothing from then on; re-armed at 200 it plays again', () => {
    const A = engine();
    const counts: number[] = [];
    const a = run(A, {
      before: (b) => {
        if (b === 10) A.strip(3).process = boom;
        if (b === 200) {
          delete (A.strip(3) as { process?: unknown }).process; // the prototype's method again
          expect(A.rearm('ch/3')).toBe(true);
          expect(A.rearm('ch/3')).toBe(false);
        }
      },
      after: (b) => {
        counts.push(A.faultCount);
        if (b === 150) {
          // a faulted strip's meters read silence
          const o = A.meterLayout.offsetOf('ch/3');
          expect(Array.from(A.meters.subarray(o, o + 8))).toEqual([-120, -120, -120, -120, -120, -120, 0, 0]);
          expect(A.isFaulted('ch/3')).toBe(true);
        }
      },
    });
    // Reference: the same engine with channel 3's input silent in blocks 10..199 (see the header).
    const ref = run(engine(), { silent: (c, b) => c === 2 && b >= 10 && b < 200 });
    for (let o = 0; o < OUTPUTS; o++) expect(firstDiff(a, ref, o), `output ${o}`).toBe(-1);

    expect(A.faults).toEqual([{ unit: 'ch/3', message: 'boom', block: 10 }]);
    expect(counts.slice(0, 10).every((c) => c === 0)).toBe(true);
    expect(counts.slice(10).every((c) => c === 1)).toBe(true);
    expect(A.isFaulted('ch/3')).toBe(false);

    // The test can fail: the unfaulted engine differs, and channel 3 is aux 1's only source.
    const whole = run(engine());
    expect(firstDiff(a, whole, 0)).toBe(10);
    expect(allZero(a, 4, 10, 200)).toBe(true);
    // After the re-arm aux 1 carries ch 3 again: a 0.25 sine, pre-fader, centre-panned (√½),
    // energy Σ (0.25·√½·sin)² ≈ 0.25²/4 per sample over 100 blocks.
    const expected = (AMP[2] ** 2 / 4) * 100 * BLOCK;
    expect(energy(a, 4, 200) / expected).toBeCloseTo(1, 2);
    expect(firstDiff(a, whole, 4, 200)).toBe(-1);
  });

  it('a strip that throws midway (its compressor) is reset: re-armed, it starts clean', () => {
    const A = engine();
    const a = run(A, {
      before: (b) => {
        if (b === 10) A.strip(1).comp.process = boom;
        if (b === 200) {
          delete (A.strip(1).comp as { process?: unknown }).process;
          expect(A.rearm('ch/1')).toBe(true);
        }
      },
    });
    expect(A.faults).toEqual([{ unit: 'ch/1', message: 'boom', block: 10 }]);
    // Reference: channel 1 silent in blocks 10..199 (its compressor turns silence into exact
    // silence), and its strip reset before block 200, so its envelope starts from rest too.
    const R = engine();
    const ref = run(R, { silent: (c, b) => c === 0 && b >= 10 && b < 200, before: (b) => b === 200 && R.strip(1).reset() });
    for (let o = 0; o < OUTPUTS; o++) expect(firstDiff(a, ref, o), `output ${o}`).toBe(-1);
    // Not reset, the compressor would resume with the envelope it had at block 10.
    const held = run(engine(), { silent: (c, b) => c === 0 && b >= 10 && b < 200 });
    expect(firstDiff(held, ref, 0, 200)).toBeGreaterThanOrEqual(200);
  });

  it('a throwing master chain leaves its outputs and the monitor silent; chain 2 and the aux play on; PFL still reaches the monitor', () => {
    const patch = (e: MixEngine, b: number): void => {
      if (b === 10) e.chain(1).process = boom;
      if (b === 200) {
        delete (e.chain(1) as { process?: unknown }).process;
        expect(e.rearm('master')).toBe(true);
      }
      if (b === 100) e.registry.set(e.params, 'ch/1/solo', 1);
      if (b === 100) e.registry.set(e.params, 'monitor/solo/mode', 1); // PFL
      if (b === 150) e.registry.set(e.params, 'ch/1/solo', 0);
    };
    const A = engine();
    let chainMeter: number[] = [];
    const a = run(A, {
      before: (b) => patch(A, b),
      after: (b) => {
        if (b === 50) chainMeter = Array.from(A.meters.subarray(A.meterLayout.offsetOf('master/chain'), A.meterLayout.offsetOf('master/chain') + 21));
      },
    });
    // Reference: the same session and solo moves, no fault; chain 1 reset before block 200.
    const R = engine();
    const ref = run(R, {
      before: (b) => {
        if (b === 100) R.registry.set(R.params, 'ch/1/solo', 1);
        if (b === 100) R.registry.set(R.params, 'monitor/solo/mode', 1);
        if (b === 150) R.registry.set(R.params, 'ch/1/solo', 0);
        if (b === 200) R.chain(1).reset();
      },
    });
    expect(A.faults).toEqual([{ unit: 'master', message: 'boom', block: 10 }]);
    expect(A.faultCount).toBe(1);
    expect(firstDiff(a, ref, 0, 0, 10)).toBe(-1);
    for (const o of [0, 1]) expect(allZero(a, o, 10, 200)).toBe(true);
    // The monitor follows chain 1: silent while it is faulted, except while PFL solo feeds it.
    for (const o of [2, 3]) {
      expect(allZero(a, o, 10, 100)).toBe(true);
      expect(firstDiff(a, ref, o, 100, 150)).toBe(-1);
      expect(energy(a, o, 100, 150)).toBeGreaterThan(0);
      expect(allZero(a, o, 150, 200)).toBe(true);
    }
    // Aux 1..8 and chain 2 never notice.
    for (let o = 4; o < OUTPUTS; o++) expect(firstDiff(a, ref, o), `output ${o}`).toBe(-1);
    expect(energy(a, 20, 10, 200)).toBeGreaterThan(1);
    // The chain's meter point reads silence (latency kept: 20 fields after the level fields).
    expect(chainMeter.slice(0, 14).every((v) => v === METER_FLOOR_DB)).toBe(true);
    expect(chainMeter.slice(14, 20).every((v) => v === 0)).toBe(true);
    expect(chainMeter[20]).toBe(A.masterLatency);
    // Re-armed at 200: chain 1 plays as a chain reset at 200 does, bit for bit.
    for (const o of [0, 1, 2, 3]) expect(firstDiff(a, ref, o, 200)).toBe(-1);
    expect(energy(a, 0, 201) / energy(run(engine()), 0, 201)).toBeCloseTo(1, 3);
  });

  it('a throwing FX unit outputs silence; re-armed, its effect starts clean', () => {
    const A = engine();
    const a = run(A, {
      // ch 1 is silent before block 10, so the reverb has had only silence when it faults
      silent: (c, b) => c === 0 && b < 10,
      before: (b) => {
        if (b === 10) A.effect(1).process = boom;
        if (b === 200) {
          delete (A.effect(1) as { process?: unknown }).process;
          expect(A.rearm('fx/1')).toBe(true);
        }
      },
    });
    expect(A.faults).toEqual([{ unit: 'fx/1', message: 'boom', block: 10 }]);
    // Until the re-arm: exactly an engine in which nothing is sent to the reverb.
    const dry = run(engine({ fx1Send: false }), { silent: (c, b) => c === 0 && b < 10 });
    for (let o = 0; o < OUTPUTS; o++) expect(firstDiff(a, dry, o, 0, 200), `output ${o}`).toBe(-1);
    const fxMeter = A.meterLayout.offsetOf('fx/1');
    expect(A.meters[fxMeter]).toBeGreaterThan(METER_FLOOR_DB); // metering again after the re-arm
    // The test can fail: with the reverb running, the master differs from the dry engine.
    const wet = run(engine(), { silent: (c, b) => c === 0 && b < 10 });
    expect(firstDiff(wet, dry, 0)).toBeGreaterThanOrEqual(10);
    // From the re-arm: as an unfaulted engine whose reverb is reset before block 200, once the
    // chains' look-ahead has passed (the master bus before 200 differed by the reverb return).
    const R = engine();
    const ref = run(R, { silent: (c, b) => c === 0 && b < 10, before: (b) => b === 200 && R.effect(1).reset() });
    const settled = 200 + Math.ceil(A.masterLatency / BLOCK);
    for (let o = 0; o < OUTPUTS; o++) expect(firstDiff(a, ref, o, settled), `output ${o}`).toBe(-1);
    // The return is back: (wet − dry) energy on the master is a sizeable share of the dry energy.
    const ret = diffEnergy(a, dry, 0, settled);
    expect(ret / energy(dry, 0, settled)).toBeGreaterThan(1e-3);
  });

  it('a throwing loudness tap stops measuring, its meter reads the floor; the audio is untouched; re-armed it measures afresh', () => {
    const FAULT = 500; // 1.33 s in: the tap's history holds 1 s by then
    const REARM = 600; // 1.6 s before the end
    const setup = (e: MixEngine): void => void e.registry.set(e.params, 'loudness/source', 2); // aux 1
    const A = engine();
    setup(A);
    const measure = A.loudnessTap.measure;
    let meterAt550: number[] = [];
    const a = run(A, {
      before: (b) => {
        if (b === FAULT) A.loudnessTap.measure = boom;
        if (b === REARM) {
          A.loudnessTap.measure = measure;
          expect(A.rearm('loudness')).toBe(true);
        }
      },
      after: (b) => {
        const o = A.meterLayout.offsetOf('loudness');
        if (b === 550) meterAt550 = Array.from(A.meters.subarray(o, o + 6));
      },
    }, LONG);
    const B = engine();
    setup(B);
    const ref = run(B, {}, LONG);
    expect(A.faults).toEqual([{ unit: 'loudness', message: 'boom', block: FAULT }]);
    for (let o = 0; o < OUTPUTS; o++) expect(firstDiff(a, ref, o), `output ${o}`).toBe(-1);
    expect(meterAt550).toEqual([-120, -120, -120, -120, -120, -120]);
    // Re-armed at 600: the momentary loudness (400 ms window) of the steady sine on aux 1 reads
    // as the reference's, and so does the integrated value, but the history (pushed once a
    // second) starts at the re-arm: it holds at most the 1.6 s since (B's 3.2 s; without the
    // reset it would also hold the 1.33 s before the fault). Aux 1 carries ch 3's 0.25 sine at
    // 1 kHz times √½ on both sides: Σ mean squares 2·(0.25·√½)²/2 = 0.03125, −15.05 LUFS (the
    // K-weighting's +0.69 dB at 1 kHz cancels the −0.691 of BS.1770).
    const o = A.meterLayout.offsetOf('loudness');
    expect(A.meters[o]).toBeCloseTo(10 * Math.log10(0.03125), 1);
    expect(A.meters[o]).toBeCloseTo(B.meters[o], 2);
    expect(A.meters[o + 2]).toBeCloseTo(B.meters[o + 2], 1);
    const [hA, hB] = [A.tapHistory.durationS, B.tapHistory.durationS];
    expect(hA).toBeGreaterThan(0);
    expect(hA).toBeLessThanOrEqual(((LONG - REARM) * BLOCK) / SR);
    expect(hB).toBeGreaterThan(((LONG - REARM) * BLOCK) / SR);
  });

  it('a non-finite master block is zeroed and counted; the chain starts afresh', () => {
    const poison = (chain: MasterChain, at: (outL: Float32Array, outR: Float32Array) => void): void => {
      const orig = chain.process.bind(chain);
      chain.process = (...args: Parameters<MasterChain['process']>): void => {
        orig(...args);
        at(args[2], args[3]);
      };
    };
    const A = engine();
    const seen: number[] = [];
    const a = run(A, {
      before: (b) => {
        if (b === 50) poison(A.chain(1), (l) => (l[5] = Number.NaN));
        if (b === 51) delete (A.chain(1) as { process?: unknown }).process;
        if (b === 60) poison(A.chain(2), (_, r) => (r[0] = Number.POSITIVE_INFINITY));
        if (b === 61) delete (A.chain(2) as { process?: unknown }).process;
      },
      after: () => seen.push(A.nonFiniteBlocks),
    });
    // Reference: no poison; each chain reset after its poisoned block.
    const R = engine();
    const ref = run(R, { after: (b) => (b === 50 ? R.chain(1).reset() : b === 60 ? R.chain(2).reset() : undefined) });
    expect(seen[49]).toBe(0);
    expect(seen[50]).toBe(1);
    expect(seen[60]).toBe(2);
    expect(seen[299]).toBe(2);
    expect(A.faults).toEqual([]);
    // Chain 1 (outputs 0, 1) and the monitor that follows it: block 50 zeroed, the rest exact.
    for (const o of [0, 1, 2, 3]) {
      expect(allZero(a, o, 50, 51)).toBe(true);
      expect(firstDiff(a, ref, o, 0, 50)).toBe(-1);
      expect(firstDiff(a, ref, o, 51)).toBe(-1);
    }
    expect(energy(ref, 0, 50, 51)).toBeGreaterThan(0); // so zeroing was a change
    // Chain 2 (outputs 20, 21): block 60 zeroed, the rest exact.
    for (const o of [20, 21]) {
      expect(allZero(a, o, 60, 61)).toBe(true);
      expect(firstDiff(a, ref, o, 0, 60)).toBe(-1);
      expect(firstDiff(a, ref, o, 61)).toBe(-1);
    }
    for (let o = 4; o < 20; o++) expect(firstDiff(a, ref, o)).toBe(-1);
    for (const x of a.out) expect(x.every(Number.isFinite)).toBe(true);
  });
});
