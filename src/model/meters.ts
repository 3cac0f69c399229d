/**
 * The shape of the meter snapshot: a flat Float32Array the render plane writes every block and
 * the control plane samples (30-60 Hz). All levels are in dBFS (floor METER_FLOOR_DB); gain
 * reductions are positive dB.
 */
import type { MixLayout } from './layout.js';
import { chainMeterPoint } from './master-params.js';

export const METER_FLOOR_DB = -120;

/** Fields of one stereo metering point, in order. A mono strip writes the same value to L and R. */
export const LEVEL_FIELDS = ['peakL', 'peakR', 'holdL', 'holdR', 'rmsL', 'rmsR'] as const;
/** A channel strip adds its dynamics' gain reduction. */
export const STRIP_FIELDS = [...LEVEL_FIELDS, 'gateGr', 'compGr'] as const;
/**
 * A master chain: its output level, then loudness (LUFS, LU, dBTP; −120 when nothing has been
 * measured), the projection of the integrated value (projected, low, high), the phase
 * correlation (−1..1), the leveller's gain (dB, signed), the gain reductions (dB ≥ 0) of the
 * limiter and the three multiband bands, and the chain latency in samples.
 */
export const CHAIN_FIELDS = [
  ...LEVEL_FIELDS,
  'momentary',
  'shortTerm',
  'integrated',
  'range',
  'truePeak',
  'projected',
  'projectedLow',
  'projectedHigh',
  'correlation',
  'levellerGain',
  'limiterGr',
  'mbcGr1',
  'mbcGr2',
  'mbcGr3',
  'latency',
] as const;
/** The loudness tap (parameter `loudness/source`): LUFS, LU, dBTP, projected LUFS. */
export const LOUDNESS_FIELDS = ['momentary', 'shortTerm', 'integrated', 'range', 'truePeak', 'projected'] as const;

export interface MeterPoint {
  /** e.g. `ch/1`, `bus/3`, `fx/1`, `group/2`, `master`, `master/chain`, `monitor` */
  readonly name: string;
  readonly offset: number;
  readonly fields: readonly string[];
}

export interface MeterLayout {
  readonly points: readonly MeterPoint[];
  /** Total floats, the last one being a counter of blocks written (for staleness checks). */
  readonly size: number;
  offsetOf(name: string): number;
}

export function meterLayout(layout: MixLayout): MeterLayout {
  const points: MeterPoint[] = [];
  let offset = 0;
  const add = (name: string, fields: readonly string[]): void => {
    points.push({ name, offset, fields });
    offset += fields.length;
  };
  layout.channels.forEach((_, i) => add(`ch/${i + 1}`, STRIP_FIELDS));
  for (let b = 1; b <= layout.auxBuses; b++) add(`bus/${b}`, LEVEL_FIELDS);
  layout.fxBuses.forEach((_, i) => add(`fx/${i + 1}`, LEVEL_FIELDS));
  for (let g = 1; g <= layout.groups; g++) add(`group/${g}`, LEVEL_FIELDS);
  add('master', LEVEL_FIELDS);
  for (let k = 1; k <= layout.masterChains; k++) add(chainMeterPoint(k), CHAIN_FIELDS);
  add('monitor', LEVEL_FIELDS);
  add('loudness', LOUDNESS_FIELDS);
  const index = new Map(points.map((p) => [p.name, p.offset]));
  return {
    points,
    size: offset + 1,
    offsetOf(name: string): number {
      const o = index.get(name);
      if (o === undefined) throw new RangeError(`no meter point '${name}'`);
      return o;
    },
  };
}
