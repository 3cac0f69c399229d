/**
 * `master.chain_realtime_factor`: the full master chain (trim, 5-band EQ with a tilt, multiband
 * compressor, width with bass mono, loudness leveller, true-peak limiter and the chain's own
 * loudness, true-peak and correlation metering), stereo, 48 kHz, 128-frame blocks, on 30 s of the
 * demo's stems mixed to stereo: audio time divided by CPU time (best of 3).
 */
import { DEMO_STEMS, synthDemoStem } from '../../src/audio/demo-stems.js';
import { MasterChain } from '../../src/engine/master-chain.js';
import { defaultLayout } from '../../src/model/layout.js';
import { meterLayout } from '../../src/model/meters.js';
import { ParamRegistry } from '../../src/model/registry.js';
import type { BenchResult } from './report.js';

const SR = 48000;
const BLOCK = 128;
const SECONDS = 30;

export function benchMaster(): BenchResult[] {
  const layout = defaultLayout([{ stereo: true }]);
  const reg = new ParamRegistry(layout);
  const t = reg.createTable();
  const set = (a: string, v: number): void => {
    reg.set(t, `master/${a}`, v);
  };
  set('trim', 6);
  set('eq/1/type', 5);
  set('eq/1/gain', 1.5);
  set('eq/2/gain', -2);
  set('eq/4/gain', 1);
  set('eq/5/gain', 2);
  set('mbc/on', 1);
  for (const b of [1, 2, 3]) {
    set(`mbc/${b}/threshold`, -24);
    set(`mbc/${b}/ratio`, 2.5);
  }
  set('width/amount', 120);
  set('width/bassmono', 120);
  set('leveller/on', 1);
  set('target', -14);
  set('limiter/on', 1);
  set('limiter/ceiling', -1);

  const l = new Float32Array(SR * SECONDS);
  const r = new Float32Array(SR * SECONDS);
  DEMO_STEMS.map((n) => synthDemoStem(n, SR, SECONDS)).forEach((s, k) => {
    const a = s[0];
    const b = s[1] ?? s[0];
    for (let i = 0; i < l.length; i++) {
      l[i] += a[i] * (k % 2 ? 0.3 : 0.2);
      r[i] += b[i] * (k % 2 ? 0.2 : 0.3);
    }
  });
  const ml = meterLayout(layout);
  const meters = new Float32Array(ml.size);
  const mo = ml.offsetOf('master/chain');
  const ol = new Float32Array(BLOCK);
  const or = new Float32Array(BLOCK);
  const inL = new Float32Array(BLOCK);
  const inR = new Float32Array(BLOCK);
  let best = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const chain = new MasterChain(reg, 'master', SR, BLOCK);
    const t0 = process.hrtime.bigint();
    for (let pos = 0; pos + BLOCK <= l.length; pos += BLOCK) {
      inL.set(l.subarray(pos, pos + BLOCK));
      inR.set(r.subarray(pos, pos + BLOCK));
      chain.process(t, [inL, inR], ol, or, BLOCK, meters, mo);
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return [{ name: 'master.chain_realtime_factor', value: SECONDS / best, unit: 'x', seconds: SECONDS, block: BLOCK, cpuS: best }];
}
