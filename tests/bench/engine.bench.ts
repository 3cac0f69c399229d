/**
 * Engine benchmarks: how many full channel strips one core runs in real time, and how many bytes
 * a steady-state block allocates.
 */
import { Session } from 'node:inspector/promises';
import { MixEngine } from '../../src/engine/mixer.js';
import { defaultLayout } from '../../src/model/layout.js';
import { ParamRegistry } from '../../src/model/registry.js';
import type { BenchResult } from './report.js';

const SR = 48000;
const BLOCK = 128;

/** An engine of `strips` full mono strips: HPF + 4-band EQ + gate + compressor + pan + 4 sends + fader. */
export function fullStripEngine(strips: number, block = BLOCK): { eng: MixEngine; inputs: Float32Array[]; outputs: Float32Array[] } {
  const reg = new ParamRegistry(defaultLayout(Array.from({ length: strips }, () => ({ stereo: false }))));
  const eng = new MixEngine(reg, { sampleRate: SR, maxBlock: block });
  const set = (a: string, v: number): void => void reg.set(eng.params, a, v);
  for (let c = 1; c <= strips; c++) {
    set(`ch/${c}/hpf/on`, 1);
    set(`ch/${c}/gate/on`, 1);
    set(`ch/${c}/gate/threshold`, -40);
    set(`ch/${c}/comp/on`, 1);
    set(`ch/${c}/comp/threshold`, -24);
    ['3', '-2', '2', '4'].forEach((g, b) => set(`ch/${c}/eq/${b + 1}/gain`, Number(g)));
    set(`ch/${c}/pan`, ((c * 37) % 200) - 100);
    for (let s = 1; s <= 4; s++) set(`ch/${c}/send/${s}/level`, -10);
    set(`ch/${c}/fader`, -12);
  }
  // Inputs: noise bursts with quiet gaps so the gate opens and closes and the compressor works.
  // Eight distinct 64-block sources shared round-robin (each strip reads them at its own block
  // offset), so the input footprint stays that of a live interface rather than megabytes.
  const pool = Array.from({ length: 8 }, (_, c) => {
    const x = new Float32Array(block * 64);
    let s = (c + 1) * 2654435761;
    for (let i = 0; i < x.length; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const env = Math.floor(i / 2048) % 3 === 2 ? 0.001 : 0.3;
      x[i] = ((s >>> 0) / 4294967296 - 0.5) * env;
    }
    return x;
  });
  const inputs = Array.from({ length: strips }, (_, c) => pool[c % pool.length]);
  const outputs = Array.from({ length: eng.outputs }, () => new Float32Array(block));
  return { eng, inputs, outputs };
}

/** Real-time factor of an engine of `strips` full strips: audio time / CPU time. */
export function stripRealtimeFactor(strips: number, seconds = 3): number {
  const { eng, inputs } = fullStripEngine(strips, BLOCK);
  const views = inputs.map(() => new Float32Array(BLOCK));
  const outs = Array.from({ length: eng.outputs }, () => new Float32Array(BLOCK));
  const blocks = Math.ceil((seconds * SR) / BLOCK);
  const run = (count: number): number => {
    const t0 = process.hrtime.bigint();
    for (let b = 0; b < count; b++) {
      for (let c = 0; c < views.length; c++) {
        const off = ((b + c * 5) % 64) * BLOCK;
        views[c].set(inputs[c].subarray(off, off + BLOCK));
      }
      eng.process(views, outs, BLOCK);
    }
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  run(Math.min(blocks, 200)); // warm up the JIT
  const elapsed = run(blocks);
  return (blocks * BLOCK) / SR / elapsed;
}

export function benchStrips(): BenchResult[] {
  const at: Record<string, number> = {};
  for (const n of [64, 128, 256, 512]) at[`rtf_${n}`] = stripRealtimeFactor(n);
  // Largest strip count with a real-time factor ≥ 1.5: grow, then bisect.
  let lo = 0;
  let hi = 64;
  while (stripRealtimeFactor(hi, 2) >= 1.5 && hi < 8192) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > Math.max(8, lo / 32)) {
    const mid = Math.round((lo + hi) / 2);
    if (stripRealtimeFactor(mid, 2) >= 1.5) lo = mid;
    else hi = mid;
  }
  return [{ name: 'engine.strips_realtime_1core', value: lo, unit: 'strips', goal: 512, sampleRate: SR, block: BLOCK, minRealtimeFactor: 1.5, ...at }];
}

/**
 * Bytes allocated per steady-state block, counted by V8's sampling heap profiler (every
 * allocation of 16 bytes or more is sampled at this interval, so the count is near exact) and
 * attributed to the project's own code (src/).
 */
export async function benchAllocation(): Promise<BenchResult[]> {
  const { eng, inputs, outputs } = fullStripEngine(32, BLOCK);
  const step = stripStepper(eng, inputs, outputs);
  const blocks = 3000;
  const bytes = await projectBytesAllocated(step, blocks);
  return [{ name: 'engine.bytes_allocated_per_block', value: Math.round(bytes / blocks), unit: 'bytes', goal: 0, strips: 32, blocks }];
}

/** One block of the full-strip engine: each strip reads its source at its own block offset. */
function stripStepper(eng: MixEngine, inputs: Float32Array[], outputs: Float32Array[]): (b: number) => void {
  const views = inputs.map(() => new Float32Array(BLOCK));
  return (b: number): void => {
    for (let c = 0; c < views.length; c++) {
      const off = ((b + c * 5) % 64) * BLOCK;
      const src = inputs[c];
      const dst = views[c];
      for (let i = 0; i < BLOCK; i++) dst[i] = src[off + i];
    }
    eng.process(views, outputs, BLOCK);
  };
}

/**
 * Bytes the project's own code (src/) allocates over `blocks` calls of `step`, after as many
 * calls to warm up (JIT, lazy state), counted by V8's sampling heap profiler.
 */
async function projectBytesAllocated(step: (b: number) => void, blocks: number): Promise<number> {
  for (let b = 0; b < blocks; b++) step(b);
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 16, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  for (let b = 0; b < blocks; b++) step(b);
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  let bytes = 0;
  const walk = (node: HeapNode, inProject: boolean): void => {
    const here = inProject || /\/src\//.test(node.callFrame.url);
    if (here) bytes += node.selfSize;
    for (const c of node.children) walk(c, here);
  };
  walk(profile.head as HeapNode, false);
  return bytes;
}

/**
 * Bytes allocated per parameter change while the engine plays: the same 32 full strips, with
 * eight changes a block (faders, EQ gains and frequencies, pans, send levels, as moved from a
 * surface) applied to the table before each block, counted like the steady-state figure above.
 * The render thread applies changes this way (tests/bench/rt.bench.ts floods them).
 */
export async function benchAllocationPerChange(): Promise<BenchResult[]> {
  const { eng, inputs, outputs } = fullStripEngine(32, BLOCK);
  const reg = eng.registry;
  const targets: Array<{ i: number; lo: number; hi: number }> = [];
  for (let c = 1; c <= 32; c++) {
    for (const [a, lo, hi] of [['fader', -30, 0], ['eq/1/gain', -6, 6], ['eq/2/freq', 200, 2000], ['eq/3/gain', -6, 6], ['pan', -100, 100], ['send/1/level', -30, 0]] as const) {
      targets.push({ i: reg.index(`ch/${c}/${a}`), lo, hi });
    }
  }
  const PER_BLOCK = 8;
  const play = stripStepper(eng, inputs, outputs);
  let k = 0;
  const step = (b: number): void => {
    for (let j = 0; j < PER_BLOCK; j++, k++) {
      const t = targets[(k * 7) % targets.length];
      eng.params[t.i] = t.lo + (((k * 7919) % 1000) / 1000) * (t.hi - t.lo);
    }
    play(b);
  };
  const blocks = 3000;
  const bytes = await projectBytesAllocated(step, blocks);
  return [{ name: 'engine.bytes_allocated_per_change', value: Math.round(bytes / (blocks * PER_BLOCK)), unit: 'bytes', goal: 0, strips: 32, changesPerBlock: PER_BLOCK, blocks }];
}

interface HeapNode {
  callFrame: { url: string };
  selfSize: number;
  children: HeapNode[];
}
