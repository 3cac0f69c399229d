import type { Taper } from './tapers.js';

/** Units a parameter's real value is stored in. */
export type Unit = 'dB' | 'dBTP' | 'LUFS' | 'LU' | 'dB/s' | 'Hz' | 'ms' | 's' | 'min' | 'ratio' | 'Q' | '%' | 'pan' | 'BPM' | 'switch' | 'enum';

/**
 * One parameter: a plain descriptor. The model stores `value` in real units; the taper maps it
 * to a 0..1 position for surfaces and remotes.
 */
export interface ParamDescriptor {
  /** Path-like address, e.g. `ch/1/eq/2/gain`. */
  readonly address: string;
  readonly unit: Unit;
  readonly min: number;
  readonly max: number;
  readonly default: number;
  readonly taper: Taper;
  /** Number of discrete steps for switches and enums (values 0..steps-1). */
  readonly steps?: number;
  /** Labels of an enum's steps, in order. */
  readonly options?: readonly string[];
  /** Short human label, e.g. `EQ 2 gain`. */
  readonly label: string;
  /**
   * Live-only: an action (a loudness reset) or an operating choice (what the loudness tap
   * measures) that a session file does not store; loading a session sets it to its default.
   */
  readonly transient?: boolean;
}

/** Clamp a real value into a descriptor's range (rounding switches and enums to a step). */
export function clampValue(d: ParamDescriptor, value: number): number {
  if (Number.isNaN(value)) return d.default;
  const v = value < d.min ? d.min : value > d.max ? d.max : value;
  return d.steps !== undefined ? Math.round(v) : v;
}

/** Human text for a value: `-6.0 dB`, `-∞ dB`, `1.20 kHz`, `4.0:1`, `L30`, `on`, `lowshelf`. */
export function formatValue(d: ParamDescriptor, value: number): string {
  switch (d.unit) {
    case 'dB':
      if (d.taper.name === 'fader' && value <= d.min) return '-∞ dB';
      return `${value > 0 ? '+' : ''}${value.toFixed(1)} dB`;
    case 'dBTP':
    case 'LUFS':
    case 'LU':
      return `${value.toFixed(1)} ${d.unit}`;
    case 'dB/s':
      return `${value.toFixed(2)} dB/s`;
    case 'min':
      return value === 0 ? 'unknown' : `${value.toFixed(0)} min`;
    case 'Hz':
      return value >= 1000 ? `${(value / 1000).toFixed(2)} kHz` : `${value.toFixed(0)} Hz`;
    case 'ms':
      return value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} ms`;
    case 's':
      return `${value.toFixed(2)} s`;
    case 'ratio':
      return `${value.toFixed(1)}:1`;
    case 'Q':
      return value.toFixed(2);
    case '%':
      return `${value.toFixed(0)} %`;
    case 'BPM':
      return `${value.toFixed(1)} BPM`;
    case 'pan':
      return value === 0 ? 'C' : value < 0 ? `L${Math.round(-value)}` : `R${Math.round(value)}`;
    case 'switch':
      return value >= 0.5 ? 'on' : 'off';
    case 'enum':
      return d.options?.[Math.round(value)] ?? String(value);
  }
}
