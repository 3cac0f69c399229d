/**
 * Parameters of the mastering chains and the monitor's translation check.
 *
 * A mix has one or more master output chains (a PA feed and a stream, say), each fed from the
 * master bus after its fader and each with its own target. Chain 1 lives under `master/`, chain
 * k ≥ 2 under `master/k/`. Every chain runs, in order: trim, EQ (the strip's types plus tilt),
 * a 3-band multiband compressor, stereo width, the loudness leveller and the true-peak limiter.
 * Defaults leave a chain transparent apart from its fixed latency (docs/mastering.md).
 */
import { en, lin, log, p, sw, type Spec } from './param-builders.js';
import { zeroLogTaper } from './tapers.js';
import type { MixLayout } from './layout.js';

/** Master EQ band types: the strip's, plus a first-order tilt around the band's frequency. */
export const MASTER_EQ_TYPES = ['peak', 'lowshelf', 'highshelf', 'lowpass', 'highpass', 'tilt'] as const;
export const MASTER_EQ_BANDS = 5;
export const MBC_BANDS = 3;
/** At most this many master chains (output pairs master, master2, ...). */
export const MAX_MASTER_CHAINS = 4;
/** Monitor-only playback simulations (src/engine/translation.ts). */
export const TRANSLATION_PRESETS = ['off', 'earbuds', 'laptop', 'phone', 'car', 'club'] as const;

const MASTER_EQ_DEFAULTS: ReadonlyArray<[type: number, freq: number]> = [
  [1, 80],
  [0, 250],
  [0, 1000],
  [0, 4000],
  [2, 12000],
];
/** Per band: threshold, ratio, attack, release defaults (low, mid, high). */
const MBC_DEFAULTS: ReadonlyArray<[thr: number, ratio: number, attack: number, release: number]> = [
  [-20, 2, 30, 250],
  [-20, 2, 15, 150],
  [-20, 2, 5, 80],
];

/** The address prefix of master chain k (1-based): `master`, `master/2`, ... */
export function chainPrefix(k: number): string {
  return k === 1 ? 'master' : `master/${k}`;
}

/** The meter point of master chain k: `master/chain`, `master/2/chain`, ... */
export function chainMeterPoint(k: number): string {
  return `${chainPrefix(k)}/chain`;
}

export function masterChainParams(prefix: string, k: number): Spec[] {
  const x = prefix;
  const name = k === 1 ? 'Master' : `Out ${k}`;
  const out: Spec[] = [
    lin(`${x}/trim`, `${name} trim`, 'dB', -30, 30, 0),
    lin(`${x}/target`, `${name} target`, 'LUFS', -40, -5, -14),
    { ...p(`${x}/duration`, `${name} expected length`, 'min', 0, 600, 0, zeroLogTaper(1, 600)) },
    { ...sw(`${x}/meter/reset`, `${name} loudness reset`), transient: true },
    sw(`${x}/eq/on`, `${name} EQ`, 1),
  ];
  for (let b = 1; b <= MASTER_EQ_BANDS; b++) {
    const [type, freq] = MASTER_EQ_DEFAULTS[b - 1];
    out.push(
      en(`${x}/eq/${b}/type`, `${name} EQ ${b} type`, MASTER_EQ_TYPES, type),
      log(`${x}/eq/${b}/freq`, `${name} EQ ${b} freq`, 'Hz', 20, 20000, freq),
      lin(`${x}/eq/${b}/gain`, `${name} EQ ${b} gain`, 'dB', -15, 15, 0),
      log(`${x}/eq/${b}/q`, `${name} EQ ${b} Q`, 'Q', 0.3, 10, 0.707),
    );
  }
  out.push(
    sw(`${x}/mbc/on`, `${name} multiband`),
    log(`${x}/mbc/xover/1`, `${name} crossover low`, 'Hz', 40, 1000, 150),
    log(`${x}/mbc/xover/2`, `${name} crossover high`, 'Hz', 1000, 12000, 3500),
  );
  for (let b = 1; b <= MBC_BANDS; b++) {
    const [thr, ratio, attack, release] = MBC_DEFAULTS[b - 1];
    const band = `${name} band ${b}`;
    out.push(
      sw(`${x}/mbc/${b}/on`, `${band} on`, 1),
      lin(`${x}/mbc/${b}/threshold`, `${band} threshold`, 'dB', -60, 0, thr),
      log(`${x}/mbc/${b}/ratio`, `${band} ratio`, 'ratio', 1, 20, ratio),
      lin(`${x}/mbc/${b}/knee`, `${band} knee`, 'dB', 0, 24, 6),
      log(`${x}/mbc/${b}/attack`, `${band} attack`, 'ms', 0.1, 200, attack),
      log(`${x}/mbc/${b}/release`, `${band} release`, 'ms', 10, 2000, release),
      lin(`${x}/mbc/${b}/makeup`, `${band} gain`, 'dB', -12, 12, 0),
    );
  }
  out.push(
    lin(`${x}/width/amount`, `${name} width`, '%', 0, 200, 100),
    { ...p(`${x}/width/bassmono`, `${name} bass mono below`, 'Hz', 0, 500, 0, zeroLogTaper(20, 500)) },
    sw(`${x}/leveller/on`, `${name} leveller`),
    lin(`${x}/leveller/maxboost`, `${name} leveller max boost`, 'dB', 0, 24, 6),
    lin(`${x}/leveller/maxcut`, `${name} leveller max cut`, 'dB', 0, 24, 12),
    log(`${x}/leveller/rate`, `${name} leveller rate`, 'dB/s', 0.1, 10, 1),
    lin(`${x}/leveller/hold`, `${name} leveller hold below`, 'LU', 5, 40, 20),
    sw(`${x}/limiter/on`, `${name} limiter`),
    lin(`${x}/limiter/ceiling`, `${name} ceiling`, 'dBTP', -12, 0, -1),
    log(`${x}/limiter/release`, `${name} limiter release`, 'ms', 1, 2000, 100),
  );
  return out;
}

/** What the engine's loudness tap can measure: off, the monitor, or any aux, FX or group bus. */
export function loudnessSources(layout: MixLayout): string[] {
  return [
    'off',
    'monitor',
    ...Array.from({ length: layout.auxBuses }, (_, i) => `aux ${i + 1}`),
    ...layout.fxBuses.map((_, i) => `fx ${i + 1}`),
    ...Array.from({ length: layout.groups }, (_, i) => `group ${i + 1}`),
  ];
}

/** The loudness tap: a BS.1770 meter on a chosen bus (the master chains meter themselves). */
export function loudnessTapParams(layout: MixLayout): Spec[] {
  return [
    { ...en('loudness/source', 'Loudness meter source', loudnessSources(layout), 0), transient: true },
    { ...sw('loudness/reset', 'Loudness meter reset'), transient: true },
  ];
}

export function monitorParams(): Spec[] {
  return [en('monitor/translate', 'Translation check', TRANSLATION_PRESETS, 0), sw('monitor/mono', 'Mono fold-down')];
}
