/**
 * Pure numbers behind the controls: fader scale marks (placed by the fader taper itself, so the
 * thumb and the printed scale can never disagree), keyboard steps and drag arithmetic.
 */
import type { ParamDescriptor } from '../../../src/model/descriptor.js';
import { faderTaper, FADER_OFF_DB } from '../../../src/model/tapers.js';

export interface ScaleMark {
  readonly db: number;
  readonly label: string;
  /** 0 (bottom) .. 1 (top), through the fader taper. */
  readonly position: number;
}

/** The dB values printed beside a fader. */
export const FADER_MARKS_DB: readonly number[] = [10, 5, 0, -5, -10, -20, -30, -40, -60, FADER_OFF_DB];

export function faderScale(marks: readonly number[] = FADER_MARKS_DB): ScaleMark[] {
  return marks.map((db) => ({
    db,
    label: db <= FADER_OFF_DB ? '−∞' : db > 0 ? `+${db}` : db === 0 ? '0' : `−${-db}`,
    position: faderTaper.toPosition(db),
  }));
}

/** True for a dB fader (fader taper): keyboard steps are in dB, double-tap goes to 0 dB. */
export function isFader(d: ParamDescriptor): boolean {
  return d.taper.name === 'fader';
}

/**
 * The value after one key press. dB faders move by 0.5 dB (fine: 0.1 dB); below −60 dB, where
 * half a dB is no travel at all, and for every other taper, by 1 % of travel (fine: 0.25 %).
 * `dir` is +1 / −1, or ±10 for page keys.
 */
export function keyStep(d: ParamDescriptor, value: number, dir: number, fine: boolean): number {
  const v = Number.isNaN(value) ? d.default : value;
  if (isFader(d) && (v > -60 || (v >= -60 && dir > 0))) {
    const step = fine ? 0.1 : 0.5;
    const next = Math.round((v + dir * step) / step) * step;
    return Math.min(d.max, Math.max(d.min, next));
  }
  if (d.steps !== undefined) return Math.min(d.max, Math.max(d.min, Math.round(v) + Math.sign(dir)));
  const pos = d.taper.toPosition(v) + dir * (fine ? 0.0025 : 0.01);
  return d.taper.fromPosition(Math.min(1, Math.max(0, pos)));
}

/** Speed factor of a drag in fine mode (second finger or shift). */
export const FINE_FACTOR = 0.25;

/**
 * Relative drag: the position after moving `deltaPx` along a travel of `travelPx` pixels
 * (positive = up/right), from `startPos`, at `speed` (1 or FINE_FACTOR). Clamped to 0..1.
 */
export function dragPosition(startPos: number, deltaPx: number, travelPx: number, speed: number): number {
  if (!(travelPx > 0)) return startPos;
  const p = startPos + (deltaPx / travelPx) * speed;
  return p < 0 ? 0 : p > 1 ? 1 : p;
}
