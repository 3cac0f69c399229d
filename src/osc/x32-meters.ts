/**
 * X32 meter blobs (`/meters/N`) built from mixhost's meter snapshot.
 *
 * Layout (X32doc "Meter requests"): the OSC blob's own size (big-endian, written by the codec) is
 * (n + 1)·4; inside it, n as a LITTLE-endian int32, then n LITTLE-endian float32 values. Levels
 * are linear amplitudes, 1.0 = 0 dBFS (mixhost meters are dBFS with a floor of −120 dBFS, which
 * becomes 0; the X32 scale stops at 8.0 = +18 dBFS). Gain reductions are linear gain factors:
 * 1.0 = no reduction, 0.5 = 6 dB of reduction (what X32 apps draw); a strip without that
 * processor reports 1.0.
 *
 * Supported sets:
 * - `/meters/0` (70): 32 channels, 8 aux ins, 8 FX returns, 16 buses, 6 matrices.
 * - `/meters/1` (96): 32 channel levels, 32 gate gain reductions, 32 compressor gain reductions.
 * - `/meters/2` (49): 16 buses, 6 matrices, main L, main R, mono/centre; then the dynamics gain
 *   reductions of the 16 buses, 6 matrices, the main (mixhost: the master chain's limiter) and
 *   the mono bus.
 * - `/meters/6 CH` (4): one strip: pre-fader level, gate gain reduction, compressor gain reduction,
 *   post-fader level (the pre-fader level times the fader's gain, 0 when muted); CH 0..31 are
 *   the channels, other strips read 0 (levels) and 1 (gain reductions).
 *
 * Slots follow the X32 tree's correspondence (docs/osc-x32.md): channel N = `ch/N`, FX return K
 * = `fx/K`, X32 bus M = the aux bus, FX send or group that x32-map's busTarget gives (FX sends
 * have no meter of their own in mixhost: 0). Channel levels are pre-fader, as on the console.
 * Aux ins, matrices and the mono bus have no mixhost equivalent: 0.
 */
import type { RemoteLayoutInfo } from '../control/layout-info.js';
import { METER_FLOOR_DB, type MeterLayout } from '../model/meters.js';
import { FADER_OFF_DB } from '../model/tapers.js';
import { busTarget } from './x32-map.js';

/** The largest value an X32 level meter carries (+18 dBFS). */
export const X32_METER_MAX = 8;

export type MeterSlot =
  | { readonly kind: 'level'; readonly offset: number }
  | { readonly kind: 'gr'; readonly offset: number }
  | { readonly kind: 'post'; readonly offset: number; readonly fader: string; readonly mute: string }
  | { readonly kind: 'const'; readonly value: number };

export interface X32MeterPlan {
  /** Reply address, `/meters/N`. */
  readonly address: string;
  readonly slots: readonly MeterSlot[];
}

/** dBFS -> linear amplitude: 0 at or below the meter floor, at most 8.0 (+18 dBFS). */
export function dbToLinear(db: number): number {
  if (!(db > METER_FLOOR_DB)) return 0;
  return Math.min(X32_METER_MAX, 10 ** (db / 20));
}

/** Gain reduction in dB (>= 0) -> the linear gain factor (1 = none). */
export function grToLinear(grDb: number): number {
  if (!(grDb > 0)) return 1;
  return 10 ** (-grDb / 20);
}

const ZERO: MeterSlot = { kind: 'const', value: 0 };
const UNITY: MeterSlot = { kind: 'const', value: 1 };

/** The meter sets answered, with their own argument count before the time factor. */
export const X32_METER_SETS: ReadonlyMap<number, { readonly count: number }> = new Map([
  [0, { count: 70 }],
  [1, { count: 96 }],
  [2, { count: 49 }],
  [6, { count: 4 }],
]);

/**
 * The plan of meter set `id` (`arg`: the set's first argument, the strip for `/meters/6`), or
 * undefined for a set that is not answered.
 */
export function x32MeterPlan(id: number, layout: MeterLayout, info: RemoteLayoutInfo, arg = 0): X32MeterPlan | undefined {
  const point = (name: string): number | undefined => layout.points.find((p) => p.name === name)?.offset;
  const level = (name: string | undefined): MeterSlot => {
    const o = name === undefined ? undefined : point(name);
    return o === undefined ? ZERO : { kind: 'level', offset: o };
  };
  /** Field `field` (gate 6, comp 7) of a channel strip's point. */
  const gr = (n: number, field: number): MeterSlot => {
    const o = point(`ch/${n}`);
    return o === undefined ? UNITY : { kind: 'gr', offset: o + field };
  };
  const busName = (m: number): string | undefined => {
    const t = busTarget(info, m);
    return t?.kind === 'aux' ? `bus/${t.n}` : t?.kind === 'group' ? `group/${t.n}` : undefined;
  };
  const range = (count: number, f: (i: number) => MeterSlot): MeterSlot[] => Array.from({ length: count }, (_, i) => f(i + 1));
  let slots: MeterSlot[];
  switch (id) {
    case 0:
      slots = [
        ...range(32, (n) => level(`ch/${n}`)),
        ...range(8, () => ZERO),
        ...range(8, (k) => level(`fx/${k}`)),
        ...range(16, (m) => level(busName(m))),
        ...range(6, () => ZERO),
      ];
      break;
    case 1:
      slots = [...range(32, (n) => level(`ch/${n}`)), ...range(32, (n) => gr(n, 6)), ...range(32, (n) => gr(n, 7))];
      break;
    case 2: {
      const master = point('master');
      const chain = layout.points.find((p) => p.name === 'master/chain');
      const limiter = chain === undefined ? -1 : chain.fields.indexOf('limiterGr');
      slots = [
        ...range(16, (m) => level(busName(m))),
        ...range(6, () => ZERO),
        master === undefined ? ZERO : { kind: 'level', offset: master },
        master === undefined ? ZERO : { kind: 'level', offset: master + 1 },
        ZERO,
        ...range(16, () => UNITY),
        ...range(6, () => UNITY),
        chain === undefined || limiter < 0 ? UNITY : { kind: 'gr', offset: chain.offset + limiter },
        UNITY,
      ];
      break;
    }
    case 6: {
      const n = Math.trunc(arg) + 1;
      const o = n >= 1 && n <= 32 ? point(`ch/${n}`) : undefined;
      slots =
        o === undefined
          ? [ZERO, UNITY, UNITY, ZERO]
          : [{ kind: 'level', offset: o }, gr(n, 6), gr(n, 7), { kind: 'post', offset: o, fader: `ch/${n}/fader`, mute: `ch/${n}/mute` }];
      break;
    }
    default:
      return undefined;
  }
  return { address: `/meters/${id}`, slots };
}

/**
 * The blob of a plan from a meter snapshot (dBFS) and the parameter values (`read`, for
 * post-fader levels): n as LE int32, then n LE float32.
 */
export function x32MeterBlob(plan: X32MeterPlan, values: Float32Array, read: (address: string) => number): Uint8Array {
  const n = plan.slots.length;
  const blob = new Uint8Array(4 + 4 * n);
  const view = new DataView(blob.buffer);
  view.setInt32(0, n, true);
  for (let i = 0; i < n; i++) {
    const s = plan.slots[i];
    let x: number;
    switch (s.kind) {
      case 'const':
        x = s.value;
        break;
      case 'level': // stereo points: the louder side; mono strips write the same value to both
        x = dbToLinear(Math.max(values[s.offset], values[s.offset + 1]));
        break;
      case 'gr':
        x = grToLinear(values[s.offset]);
        break;
      case 'post': {
        const pre = dbToLinear(Math.max(values[s.offset], values[s.offset + 1]));
        x = read(s.mute) >= 0.5 ? 0 : Math.min(X32_METER_MAX, pre * dbGain(read(s.fader)));
        break;
      }
    }
    view.setFloat32(4 + 4 * i, x, true);
  }
  return blob;
}

/** A fader's gain; its floor is −∞. */
function dbGain(db: number): number {
  return db <= FADER_OFF_DB ? 0 : 10 ** (db / 20);
}
