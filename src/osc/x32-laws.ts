/**
 * The value laws of the X32 OSC dialect: how a parameter's value in display units (dB, Hz, ms,
 * an enum index...) becomes the number an X32 sends on the wire (a float on a grid of known
 * values in 0..1, or an int) and the text of a `/node` reply, and back.
 *
 * Types as the X32 documents them (P.-G. Maillot, "Unofficial X32/M32 OSC Remote Protocol"):
 * `level` (four linear dB segments, 1024 or 161 known values), `linf [min, max, step]`,
 * `logf [min, max, steps]`, `enum {…}`, `int`, `%int` (bitmap) and `string`.
 *
 * Pure functions, no state. A law's value is always in display units: a level in dB with
 * −90 standing for −∞ (the same floor as mixhost's faders), an enum as its index.
 */

export type X32Type = 'f' | 'i' | 's';

export interface X32NumLaw {
  readonly kind: 'level' | 'linf' | 'logf' | 'enum' | 'int' | 'bitmap';
  readonly type: 'f' | 'i';
  /** Number of known values (2 for {OFF, ON}, 1024 for a fader...). */
  readonly steps: number;
  /** Range in display units (for logf, `min` is the value at float 0, which may exceed `max`). */
  readonly min: number;
  readonly max: number;
  readonly options?: readonly string[];
  /** Display value -> the 0..1 float on the grid of known values (for 'i' laws: index/(steps-1)). */
  toFloat(value: number): number;
  /** 0..1 float -> display value of the nearest known value. */
  fromFloat(f: number): number;
  /** Display value -> the nearest known value (clamped into range). */
  quantize(value: number): number;
  /** Display value -> the OSC argument: the float for 'f' laws, the int for 'i' laws. */
  toWire(value: number): number;
  /**
   * OSC argument -> display value, or undefined if the argument does not fit (wrong type, out of
   * range, unknown enum name). Enums take their name or their index.
   */
  fromWire(arg: unknown): number | undefined;
  /** Display text as in `/node` replies and scene files (`-oo`, `+3.0`, `1k39`, `ON`). */
  text(value: number): string;
  /** `/node`-style text -> display value (quantised), or undefined. */
  parse(text: string): number | undefined;
}

export interface X32StringLaw {
  readonly kind: 'string';
  readonly type: 's';
  readonly maxLength: number;
  text(value: string): string;
  /** OSC argument -> the stored string (cut to maxLength), or undefined if not a string. */
  fromWire(arg: unknown): string | undefined;
  parse(text: string): string;
}

export type X32Law = X32NumLaw | X32StringLaw;

const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);
/** Floats from the wire are float32: allow that much slack at the ends of 0..1. */
const FLOAT_SLACK = 1e-6;

// ---------------------------------------------------------------------------------------------
// level

/** The X32's −∞: float 0 is −∞, the formula gives −90 dB there; mixhost's fader floor is −90 too. */
export const LEVEL_OFF_DB = -90;
export const LEVEL_MAX_DB = 10;

/** The four segments: [f0, f1, dB0, dB1]. */
export const LEVEL_SEGMENTS: ReadonlyArray<readonly [number, number, number, number]> = [
  [0, 0.0625, -90, -60],
  [0.0625, 0.25, -60, -30],
  [0.25, 0.5, -30, -10],
  [0.5, 1, -10, 10],
];

/** Float -> dB over the four segments, unquantised (f <= 0 gives −90, i.e. −∞). */
export function levelFloatToDb(f: number): number {
  if (!(f > 0)) return LEVEL_OFF_DB;
  if (f >= 0.5) return Math.min(f, 1) * 40 - 30;
  if (f >= 0.25) return f * 80 - 50;
  if (f >= 0.0625) return f * 160 - 70;
  return f * 480 - 90;
}

/** dB -> float over the four segments, unquantised. */
export function levelDbToFloat(db: number): number {
  if (!(db > LEVEL_OFF_DB)) return 0;
  if (db < -60) return (db + 90) / 480;
  if (db < -30) return (db + 70) / 160;
  if (db < -10) return (db + 50) / 80;
  return Math.min(db, LEVEL_MAX_DB) * 0.025 + 0.75;
}

/** Text of a level: five characters right-aligned, `  -oo`, `-10.0`, ` -0.8`, `  0.0`, ` +3.0`. */
export function levelText(db: number): string {
  if (db <= LEVEL_OFF_DB) return '  -oo';
  let t = db.toFixed(1);
  if (t === '-0.0') t = '0.0';
  else if (db > 0 && t !== '0.0') t = `+${t}`;
  return t.padStart(5, ' ');
}

/**
 * The `level` law with `steps` known values `k/(steps-1)`: 1024 for faders, 161 for sends and
 * mono levels. A float maps to the nearest known value (`round(f·(steps-1))`, X32doc: "rounded to
 * the nearest known value"). The X32doc appendix also prints `int(f·1023.5)/1023`, which agrees
 * on every known value but truncates toward the bottom of the travel (−60 dB would land on
 * −60.44 dB instead of −59.99 dB); mixhost uses the nearest value.
 */
export function levelLaw(steps: number): X32NumLaw {
  const n = steps - 1;
  const grid = (f: number): number => Math.round(clamp(f, 0, 1) * n) / n + 0; // + 0: no -0
  const law: X32NumLaw = {
    kind: 'level',
    type: 'f',
    steps,
    min: LEVEL_OFF_DB,
    max: LEVEL_MAX_DB,
    toFloat: (db) => grid(levelDbToFloat(Number.isNaN(db) ? LEVEL_OFF_DB : db)),
    fromFloat: (f) => levelFloatToDb(grid(Number.isNaN(f) ? 0 : f)),
    quantize: (db) => law.fromFloat(law.toFloat(db)),
    toWire: (db) => law.toFloat(db),
    fromWire: (arg) => floatArg(arg, law),
    text: levelText,
    parse(text) {
      const t = text.trim();
      if (t === '-oo' || t === '-inf') return LEVEL_OFF_DB;
      const v = parseNumber(t);
      return v === undefined ? undefined : law.quantize(v);
    },
  };
  return law;
}

/** Faders (channels, buses, main, DCA, matrices): 1024 known values. */
export const FADER_LEVEL = levelLaw(1024);
/** Sends, mono levels, solo and talkback levels: 161 known values. */
export const SEND_LEVEL = levelLaw(161);

// ---------------------------------------------------------------------------------------------
// linf, logf

export type Formatter = (value: number) => string;

/** `%.Nf`, with `+` on positive values when `signed` (zero prints without a sign only when unsigned). */
export function fixed(decimals: number, signed = false, width = 0): Formatter {
  return (v) => {
    let t = v.toFixed(decimals);
    if (/^-0(\.0*)?$/.test(t)) t = t.slice(1);
    if (signed && !t.startsWith('-')) t = `+${t}`;
    return t.padStart(width, ' ');
  };
}

/** Frequencies as the console prints them: `36.0`, `990.9`, `1k39`, `11k91`. */
export function freqText(hz: number): string {
  if (hz < 1000) return hz.toFixed(1);
  return (hz / 1000).toFixed(2).replace('.', 'k');
}

/** Times in ms: `0.03`, `5.00`, `20.5`, ` 576`. */
export function msText(ms: number): string {
  const t = ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
  return t.padStart(4, ' ');
}

/** `linf [min, max, step]`: (max-min)/step + 1 known values. */
export function linf(min: number, max: number, step: number, format: Formatter = fixed(1)): X32NumLaw {
  const n = Math.round((max - min) / step);
  const grid = (f: number): number => Math.round(clamp(f, 0, 1) * n) / n + 0; // + 0: no -0
  const law: X32NumLaw = {
    kind: 'linf',
    type: 'f',
    steps: n + 1,
    min,
    max,
    toFloat: (v) => grid(((Number.isNaN(v) ? min : v) - min) / (max - min)),
    fromFloat(f) {
      const k = Math.round(clamp(Number.isNaN(f) ? 0 : f, 0, 1) * n);
      // min + k·step, computed so that grid values print exactly (−15 + 61·0.25 = 0.25).
      return k === n ? max : Math.round((min + k * step) * 1e9) / 1e9;
    },
    quantize: (v) => law.fromFloat(law.toFloat(v)),
    toWire: (v) => law.toFloat(v),
    fromWire: (arg) => floatArg(arg, law),
    text: format,
    parse(text) {
      const v = parseNumber(text.trim());
      return v === undefined ? undefined : law.quantize(v);
    },
  };
  return law;
}

/** `logf [min, max, steps]`: value = min·(max/min)^f; `max < min` runs downward (EQ Q 10 -> 0.3). */
export function logf(min: number, max: number, steps: number, format: Formatter = fixed(1)): X32NumLaw {
  const n = steps - 1;
  const span = Math.log(max / min);
  const lo = Math.min(min, max);
  const hi = Math.max(min, max);
  const grid = (f: number): number => Math.round(clamp(f, 0, 1) * n) / n + 0; // + 0: no -0
  const law: X32NumLaw = {
    kind: 'logf',
    type: 'f',
    steps,
    min,
    max,
    toFloat: (v) => grid(Math.log(clamp(Number.isNaN(v) ? min : v, lo, hi) / min) / span),
    fromFloat(f) {
      const k = Math.round(clamp(Number.isNaN(f) ? 0 : f, 0, 1) * n);
      if (k === 0) return min;
      if (k === n) return max;
      return min * Math.exp((k / n) * span);
    },
    quantize: (v) => law.fromFloat(law.toFloat(v)),
    toWire: (v) => law.toFloat(v),
    fromWire: (arg) => floatArg(arg, law),
    text: format,
    parse(text) {
      const v = parseNumber(text.trim());
      return v === undefined ? undefined : law.quantize(v);
    },
  };
  return law;
}

// ---------------------------------------------------------------------------------------------
// enum, int, bitmap, string

export function enumLaw(options: readonly string[]): X32NumLaw {
  const n = options.length - 1;
  const byName = new Map(options.map((o, i) => [o.toUpperCase(), i]));
  const law: X32NumLaw = {
    kind: 'enum',
    type: 'i',
    steps: options.length,
    min: 0,
    max: n,
    options,
    toFloat: (v) => (n === 0 ? 0 : clamp(Math.round(v), 0, n) / n),
    fromFloat: (f) => Math.round(clamp(Number.isNaN(f) ? 0 : f, 0, 1) * n),
    quantize: (v) => clamp(Math.round(Number.isNaN(v) ? 0 : v), 0, n),
    toWire: (v) => law.quantize(v),
    fromWire(arg) {
      if (typeof arg === 'string') return byName.get(arg.trim().toUpperCase());
      return intArg(arg, 0, n);
    },
    text: (v) => options[law.quantize(v)],
    parse(text) {
      const t = text.trim();
      const i = byName.get(t.toUpperCase());
      if (i !== undefined) return i;
      return /^-?\d+$/.test(t) ? intArg(Number(t), 0, n) : undefined;
    },
  };
  return law;
}

export function intLaw(min: number, max: number): X32NumLaw {
  const law: X32NumLaw = {
    kind: 'int',
    type: 'i',
    steps: max - min + 1,
    min,
    max,
    toFloat: (v) => (clamp(Math.round(v), min, max) - min) / (max - min),
    fromFloat: (f) => min + Math.round(clamp(Number.isNaN(f) ? 0 : f, 0, 1) * (max - min)),
    quantize: (v) => clamp(Math.round(Number.isNaN(v) ? min : v), min, max),
    toWire: (v) => law.quantize(v),
    fromWire: (arg) => intArg(arg, min, max),
    text: (v) => String(law.quantize(v)),
    parse: (text) => (/^-?\d+$/.test(text.trim()) ? intArg(Number(text.trim()), min, max) : undefined),
  };
  return law;
}

/** `%int` of `bits` bits; text `%00000001` (most significant bit first). */
export function bitmapLaw(bits: number): X32NumLaw {
  const max = 2 ** bits - 1;
  const law: X32NumLaw = {
    kind: 'bitmap',
    type: 'i',
    steps: max + 1,
    min: 0,
    max,
    toFloat: (v) => clamp(Math.round(v), 0, max) / max,
    fromFloat: (f) => Math.round(clamp(Number.isNaN(f) ? 0 : f, 0, 1) * max),
    quantize: (v) => clamp(Math.round(Number.isNaN(v) ? 0 : v), 0, max),
    toWire: (v) => law.quantize(v),
    fromWire: (arg) => intArg(arg, 0, max),
    text: (v) => `%${law.quantize(v).toString(2).padStart(bits, '0')}`,
    parse(text) {
      const t = text.trim();
      if (/^%[01]+$/.test(t)) return intArg(parseInt(t.slice(1), 2), 0, max);
      return /^\d+$/.test(t) ? intArg(Number(t), 0, max) : undefined;
    },
  };
  return law;
}

export function stringLaw(maxLength: number): X32StringLaw {
  return {
    kind: 'string',
    type: 's',
    maxLength,
    text: (v) => `"${v.replace(/"/g, "'")}"`,
    fromWire: (arg) => (typeof arg === 'string' ? arg.slice(0, maxLength) : undefined),
    parse: (text) => text.trim().replace(/^"(.*)"$/, '$1').slice(0, maxLength),
  };
}

// ---------------------------------------------------------------------------------------------
// argument and text helpers

function floatArg(arg: unknown, law: X32NumLaw): number | undefined {
  if (typeof arg !== 'number' || !Number.isFinite(arg)) return undefined;
  if (arg < -FLOAT_SLACK || arg > 1 + FLOAT_SLACK) return undefined;
  return law.fromFloat(arg);
}

function intArg(arg: unknown, min: number, max: number): number | undefined {
  if (typeof arg !== 'number' || !Number.isFinite(arg)) return undefined;
  const i = Math.round(arg);
  return i < min || i > max ? undefined : i;
}

/** `12.5`, `-3`, `+6`, and the console's kilo notation `1k39` = 1390, `12k5` = 12500. */
export function parseNumber(text: string): number | undefined {
  const k = /^([+-]?\d+)k(\d*)$/i.exec(text);
  if (k) return Number(`${k[1]}.${k[2] || '0'}`) * 1000;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) return undefined;
  return Number(text);
}

// ---------------------------------------------------------------------------------------------
// the named laws of the parameter tree

export const ON_OFF = ['OFF', 'ON'] as const;
export const COLOURS = ['OFF', 'RD', 'GN', 'YE', 'BL', 'MG', 'CY', 'WH', 'OFFi', 'RDi', 'GNi', 'YEi', 'BLi', 'MGi', 'CYi', 'WHi'] as const;
export const X32_EQ_TYPES = ['LCut', 'LShv', 'PEQ', 'VEQ', 'HShv', 'HCut'] as const;
export const X32_EQ6_TYPES = [...X32_EQ_TYPES, 'BU6', 'BU12', 'BS12', 'LR12', 'BU18', 'BU24', 'BS24', 'LR24'] as const;
export const X32_GATE_MODES = ['EXP2', 'EXP3', 'EXP4', 'GATE', 'DUCK'] as const;
export const X32_DYN_RATIOS = ['1.1', '1.3', '1.5', '2.0', '2.5', '3.0', '4.0', '5.0', '7.0', '10', '20', '100'] as const;
export const X32_SEND_TYPES = ['IN/LC', '<-EQ', 'EQ->', 'PRE', 'POST', 'GRP'] as const;
export const X32_KEY_FILTERS = ['LC6', 'LC12', 'HC6', 'HC12', '1.0', '2.0', '3.0', '5.0', '10.0'] as const;
export const X32_INSERT_SEL = ['OFF', 'FX1L', 'FX1R', 'FX2L', 'FX2R', 'FX3L', 'FX3R', 'FX4L', 'FX4R', 'FX5L', 'FX5R', 'FX6L', 'FX6R', 'FX7L', 'FX7R', 'FX8L', 'FX8R', 'AUX1', 'AUX2', 'AUX3', 'AUX4', 'AUX5', 'AUX6'] as const;

/** The laws every tree leaf uses, by name (see docs/osc-x32.md for the table). */
export const LAWS = {
  onOff: enumLaw(ON_OFF),
  fader: FADER_LEVEL,
  send: SEND_LEVEL,
  pan: linf(-100, 100, 2, fixed(0, true)),
  colour: enumLaw(COLOURS),
  icon: intLaw(1, 74),
  source: intLaw(0, 64),
  name: stringLaw(12),
  trim: linf(-18, 18, 0.25, fixed(1, true)),
  hpSlope: enumLaw(['12', '18', '24']),
  hpf: logf(20, 400, 101, fixed(0)),
  delayTime: linf(0.3, 500, 0.1, fixed(1, false, 5)),
  gateMode: enumLaw(X32_GATE_MODES),
  gateThr: linf(-80, 0, 0.5, fixed(1)),
  gateRange: linf(3, 60, 1, fixed(1)),
  attack: linf(0, 120, 1, fixed(0)),
  hold: logf(0.02, 2000, 101, msText),
  release: logf(5, 4000, 101, msText),
  keyFilter: enumLaw(X32_KEY_FILTERS),
  freq: logf(20, 20000, 201, freqText),
  dynMode: enumLaw(['COMP', 'EXP']),
  dynDet: enumLaw(['PEAK', 'RMS']),
  dynEnv: enumLaw(['LIN', 'LOG']),
  dynThr: linf(-60, 0, 0.5, fixed(1)),
  dynRatio: enumLaw(X32_DYN_RATIOS),
  knee: linf(0, 5, 1, fixed(0)),
  mgain: linf(0, 24, 0.5, fixed(2)),
  prePost: enumLaw(['PRE', 'POST']),
  dynMix: linf(0, 100, 5, fixed(0)),
  insertSel: enumLaw(X32_INSERT_SEL),
  eqType: enumLaw(X32_EQ_TYPES),
  eq6Type: enumLaw(X32_EQ6_TYPES),
  eqGain: linf(-15, 15, 0.25, fixed(2, true)),
  eqQ: logf(10, 0.3, 72, fixed(1)),
  sendType: enumLaw(X32_SEND_TYPES),
  busSendType: enumLaw(X32_SEND_TYPES.slice(0, 5)),
  panFollow: intLaw(0, 1),
  dcaMask: bitmapLaw(8),
  muteMask: bitmapLaw(6),
  automixGroup: enumLaw(['OFF', 'X', 'Y']),
  automixWeight: linf(-12, 12, 0.5, fixed(1, true)),
  headampGain: linf(-12, 60, 0.5, fixed(1, true)),
} as const;
