/**
 * Tapers: small named pure functions that map a parameter's real value (dB, Hz, ratio, ms...)
 * to a control position in 0..1 and back. Every surface and remote speaks positions or real
 * units; only this module converts between them.
 */

export interface Taper {
  /** Stable name, used in descriptors and docs. */
  readonly name: string;
  /** Real value -> position 0..1 (values outside the range are clamped first). */
  toPosition(value: number): number;
  /** Position 0..1 -> real value (positions outside 0..1 are clamped first). */
  fromPosition(position: number): number;
}

const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

/** The value a fader shows as −∞: at or below it the gain is exactly zero. */
export const FADER_OFF_DB = -90;
export const FADER_MAX_DB = 10;

/**
 * Console fader law, −∞..+10 dB, piecewise linear in dB over four segments, as on large-format
 * digital consoles (and identical to the X32's, so the X32 OSC dialect needs no conversion):
 *
 * | position      | dB            | dB per 1 % of travel |
 * |---------------|---------------|----------------------|
 * | 0.5 .. 1      | −10 .. +10    | 0.4                  |
 * | 0.25 .. 0.5   | −30 .. −10    | 0.8                  |
 * | 0.0625 .. 0.25| −60 .. −30    | 1.6                  |
 * | 0 .. 0.0625   | −∞(−90) .. −60| 4.8                  |
 *
 * 0 dB sits at exactly 0.75 (three quarters of the travel); position 0 is −∞.
 */
const FADER_SEGMENTS: ReadonlyArray<readonly [p0: number, p1: number, db0: number, db1: number]> = [
  [0, 0.0625, FADER_OFF_DB, -60],
  [0.0625, 0.25, -60, -30],
  [0.25, 0.5, -30, -10],
  [0.5, 1, -10, FADER_MAX_DB],
];

export const faderTaper: Taper = {
  name: 'fader',
  toPosition(db: number): number {
    const v = clamp(Number.isNaN(db) ? FADER_OFF_DB : db, FADER_OFF_DB, FADER_MAX_DB);
    for (const [p0, p1, d0, d1] of FADER_SEGMENTS) {
      if (v <= d1) return p0 + ((v - d0) / (d1 - d0)) * (p1 - p0);
    }
    return 1;
  },
  fromPosition(position: number): number {
    const p = clamp(Number.isNaN(position) ? 0 : position, 0, 1);
    for (const [p0, p1, d0, d1] of FADER_SEGMENTS) {
      if (p <= p1) return d0 + ((p - p0) / (p1 - p0)) * (d1 - d0);
    }
    return FADER_MAX_DB;
  },
};

/** Straight line between min and max (dB gain, pan, percentages, thresholds). */
export function linearTaper(min: number, max: number, name = 'linear'): Taper {
  if (!(max > min)) throw new RangeError(`linearTaper: max ${max} must exceed min ${min}`);
  return {
    name,
    toPosition: (v) => (clamp(Number.isNaN(v) ? min : v, min, max) - min) / (max - min),
    fromPosition: (p) => min + clamp(Number.isNaN(p) ? 0 : p, 0, 1) * (max - min),
  };
}

/** Logarithmic (equal ratio per equal travel): frequency, Q, ratio, times. min must be > 0. */
export function logTaper(min: number, max: number, name = 'log'): Taper {
  if (!(min > 0) || !(max > min)) throw new RangeError(`logTaper: need 0 < min < max, got ${min}..${max}`);
  const span = Math.log(max / min);
  return {
    name,
    toPosition: (v) => Math.log(clamp(Number.isNaN(v) ? min : v, min, max) / min) / span,
    fromPosition: (p) => {
      const q = clamp(Number.isNaN(p) ? 0 : p, 0, 1);
      // Exact at both ends, so round trips of min and max are exact.
      if (q === 0) return min;
      if (q === 1) return max;
      return min * Math.exp(q * span);
    },
  };
}

/**
 * Log taper that starts at zero: the first `zeroShare` of the travel goes linearly from 0 to
 * `knee`, the rest is logarithmic from `knee` to `max`. For times where 0 is meaningful
 * (gate hold, reverb pre-delay, delay time).
 */
export function zeroLogTaper(knee: number, max: number, zeroShare = 0.1, name = 'zero-log'): Taper {
  const log = logTaper(knee, max);
  return {
    name,
    toPosition(v: number): number {
      const x = clamp(Number.isNaN(v) ? 0 : v, 0, max);
      if (x <= knee) return (x / knee) * zeroShare;
      return zeroShare + log.toPosition(x) * (1 - zeroShare);
    },
    fromPosition(p: number): number {
      const q = clamp(Number.isNaN(p) ? 0 : p, 0, 1);
      if (q <= zeroShare) return (q / zeroShare) * knee;
      return log.fromPosition((q - zeroShare) / (1 - zeroShare));
    },
  };
}

/**
 * Pan: −100 (left) .. 0 (centre) .. +100 (right), linear in travel, with the centre exact:
 * position 0.5 maps to exactly 0 and back.
 */
export const panTaper: Taper = {
  name: 'pan',
  toPosition: (v) => 0.5 + clamp(Number.isNaN(v) ? 0 : v, -100, 100) / 200,
  fromPosition: (p) => {
    const q = clamp(Number.isNaN(p) ? 0.5 : p, 0, 1);
    return q === 0.5 ? 0 : (q - 0.5) * 200;
  },
};

/**
 * Enumerations and switches: `count` steps (0..count-1) spread evenly; a position maps to the
 * nearest step. A two-step enum is an on/off switch.
 */
export function enumTaper(count: number, name = 'enum'): Taper {
  if (!Number.isInteger(count) || count < 2) throw new RangeError(`enumTaper: count ${count} must be an integer >= 2`);
  const last = count - 1;
  return {
    name,
    toPosition: (v) => clamp(Math.round(Number.isNaN(v) ? 0 : v), 0, last) / last,
    fromPosition: (p) => Math.round(clamp(Number.isNaN(p) ? 0 : p, 0, 1) * last),
  };
}

export const switchTaper: Taper = enumTaper(2, 'switch');

/** dB gain to linear amplitude, with the fader's −∞ floor giving an exact zero. */
export function dbToGain(db: number): number {
  return db <= FADER_OFF_DB ? 0 : Math.pow(10, db / 20);
}

/** Linear amplitude to dB (−Infinity for zero). */
export function gainToDb(gain: number): number {
  return 20 * Math.log10(Math.abs(gain));
}
