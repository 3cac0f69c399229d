/**
 * V-Pots: what a turn does to a parameter, what a push does, and how the LED ring shows it.
 *
 * Turns (per tick, no acceleration: the unit already sends more ticks for a faster turn):
 * - continuous parameters move by 1/100 of their travel through the parameter's taper (pan:
 *   2 of its −100..100; EQ gain 0.3 dB; a frequency by 1 % of its log range; a send by 1 % of
 *   the fader law), the result rounded to 1e-6 of the unit so that steps land on clean values;
 * - switches and enums by one step per tick (a switch: clockwise on, counter-clockwise off).
 * Push (V-Select): back to the parameter's default; a switch toggles.
 *
 * Rings (`0pmmvvvv`, positions 1..11 for the travel, 0 all off):
 *
 * | parameter                                   | mode      | centre LED     |
 * |---------------------------------------------|-----------|----------------|
 * | pan/balance, gains centred on 0 (EQ, trim)  | boost/cut | at the default |
 * | faders and sends (fader law)                | wrap, off at −∞ | never    |
 * | other dB amounts, ratios, percentages       | wrap      | never          |
 * | frequencies, Q, times, enums, the rest      | dot       | never          |
 * | switches                                    | wrap: all 11 or none | never |
 *
 * Gain reduction on a ring (dynamics page): wrap mode, one LED per 2 dB (11 = 22 dB or more),
 * at least one LED from 0.5 dB.
 */
import type { ParamDescriptor } from '../../model/descriptor.js';
import { RING_MODE, ringByte } from './codec.js';

/** Position change per tick of a continuous parameter. */
export const VPOT_STEP = 1 / 100;

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

function isStepped(d: ParamDescriptor): boolean {
  return d.steps !== undefined || d.unit === 'switch' || d.unit === 'enum';
}

/** The value after `ticks` (signed) of a turn from `value`. */
export function turnValue(d: ParamDescriptor, value: number, ticks: number): number {
  if (d.unit === 'switch') return ticks > 0 ? d.max : d.min;
  if (isStepped(d)) return Math.min(d.max, Math.max(d.min, Math.round(value) + ticks));
  const pos = clamp01(d.taper.toPosition(value) + ticks * VPOT_STEP);
  const v = d.taper.fromPosition(pos);
  return Math.round(v * 1e6) / 1e6;
}

/** The value a push (V-Select) sets: the default, or a switch toggled. */
export function pushValue(d: ParamDescriptor, value: number): number {
  if (d.unit === 'switch') return value >= 0.5 ? d.min : d.max;
  return d.default;
}

type RingStyle = 'boostCut' | 'wrap' | 'dot' | 'switch';

export function ringStyle(d: ParamDescriptor): RingStyle {
  switch (d.unit) {
    case 'switch':
      return 'switch';
    case 'pan':
      return 'boostCut';
    case 'dB':
      if (d.taper.name !== 'fader' && d.min < 0 && d.max > 0 && d.default === 0) return 'boostCut';
      return 'wrap';
    case 'dBTP':
    case 'LUFS':
    case 'LU':
    case 'ratio':
    case '%':
      return 'wrap';
    default:
      return 'dot';
  }
}

/** The ring byte showing `value`. */
export function ringFor(d: ParamDescriptor, value: number): number {
  const style = ringStyle(d);
  const pos = clamp01(d.taper.toPosition(value));
  const travel = 1 + Math.round(pos * 10);
  switch (style) {
    case 'switch':
      return ringByte(RING_MODE.wrap, value >= 0.5 ? 11 : 0);
    case 'boostCut':
      return ringByte(RING_MODE.boostCut, travel, value === d.default);
    case 'wrap':
      return ringByte(RING_MODE.wrap, d.taper.name === 'fader' && value <= d.min ? 0 : travel);
    case 'dot':
      return ringByte(RING_MODE.dot, travel);
  }
}

/** The ring byte showing a gain reduction (dB, positive). */
export function grRing(grDb: number): number {
  const leds = !(grDb >= 0.5) ? 0 : Math.min(11, Math.max(1, Math.round(grDb / 2)));
  return ringByte(RING_MODE.wrap, leds);
}

/** The ring of a strip with nothing on its pot. */
export const RING_OFF = 0x00;
