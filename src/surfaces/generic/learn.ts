/**
 * MIDI learn: what control did the user just move, and checking saved learnt mappings.
 *
 * Notes, pitch bend and program changes say what they are in one message and are bound at once
 * (a note as a button; pitch bend as a fader; program change as a program control). A Control
 * Change does not: one CC 16 value of 1 may be a knob near its bottom, a button, or an encoder
 * turned one tick. So CCs are collected for LEARN_WINDOW_MS from the first one, then decided
 * (detectCcControl), in this order:
 *
 * 1. NRPN: CC 99 and 98 select a number, then data entry CC 6 follows -> `nrpn`, or `nrpn14`
 *    if CC 38 came too. An RPN (CC 101/100) is not a control type and learns nothing.
 * 2. A 14-bit pair: the first CC is n (0..31) and n + 32 came too (or the first is n + 32 and
 *    n came) -> `cc14` on n.
 * 3. Otherwise the first CC number moved, with all the values it sent:
 *    - a relative encoder if at least two values came, all lie in one encoding's band, at
 *      least half of them are single ticks (+1 or -1 in that encoding), and one value repeats
 *      the value before it. Bands, checked in this order:
 *        twos-complement 1..15 and 113..127; binary-offset 49..63 and 65..79;
 *        sign-magnitude 1..15 and 65..79.
 *      An absolute control sends only when its value changes, so it never repeats a value
 *      straight away; an encoder turned slowly repeats its single tick. Turn the encoder a few
 *      ticks slowly to learn it. Turning one way only cannot tell every encoding apart: 1..15
 *      alone is read as twos-complement (sign-magnitude agrees on those), 65..79 alone as
 *      binary-offset (sign-magnitude would read them as turns the other way). Sign-magnitude
 *      with the sign meaning positive (HUI) sends the same values as sign-magnitude in the other
 *      direction and is learnt as sign-magnitude: edit the saved mapping's control id
 *      (`cc:1:16:sign-magnitude-positive`). ReaLearn and Ardour say the same: the encoding
 *      cannot be detected with certainty.
 *    - a button if every value is 0 or 127, and 127 came;
 *    - otherwise an absolute knob.
 */
import type { ParamRegistry } from '../../model/registry.js';
import { RELATIVE } from '../midi/relative.js';
import { TAKEOVER_MODES, type GenericControl, type Mapping, type RelativeEncoding } from '../types.js';
import { parseTarget } from './targets.js';

export const LEARN_WINDOW_MS = 250;
/** Most CCs one learn window keeps (a wildly moved control would not need more). */
const MAX_SAMPLES = 512;

export interface CcSample {
  /** 0..15. */
  readonly channel: number;
  readonly controller: number;
  readonly value: number;
}

/** What a learnt control is, without its id (controls.ts synthesisedId() makes that). */
export type DetectedControl = Omit<GenericControl, 'id'>;

/** The CCs of one learn, collected for LEARN_WINDOW_MS from the first. */
export class CcLearnWindow {
  private samples: CcSample[] = [];
  private start: number | undefined;

  constructor(readonly windowMs = LEARN_WINDOW_MS) {}

  /** A CC came first: the window runs. */
  get open(): boolean {
    return this.start !== undefined;
  }

  record(s: CcSample, now: number): void {
    if (this.start === undefined) this.start = now;
    if (this.samples.length < MAX_SAMPLES) this.samples.push(s);
  }

  due(now: number): boolean {
    return this.start !== undefined && now - this.start >= this.windowMs;
  }

  /** The samples, and close the window. */
  take(): CcSample[] {
    const s = this.samples;
    this.samples = [];
    this.start = undefined;
    return s;
  }
}

const ENCODER_BANDS: ReadonlyArray<readonly [RelativeEncoding, (v: number) => boolean]> = [
  ['twos-complement', (v) => (v >= 1 && v <= 15) || (v >= 113 && v <= 127)],
  ['binary-offset', (v) => (v >= 49 && v <= 63) || (v >= 65 && v <= 79)],
  ['sign-magnitude', (v) => (v >= 1 && v <= 15) || (v >= 65 && v <= 79)],
];

/** The relative encoding the values of one CC look like, if any (rule 3 above). */
export function detectEncoding(values: readonly number[]): RelativeEncoding | undefined {
  if (values.length < 2) return undefined;
  if (!values.some((v, i) => i > 0 && v === values[i - 1])) return undefined;
  for (const [encoding, band] of ENCODER_BANDS) {
    if (!values.every(band)) continue;
    const single = values.filter((v) => Math.abs(RELATIVE[encoding].decode(v)) === 1).length;
    if (single * 2 >= values.length) return encoding;
  }
  return undefined;
}

/** Decide what the collected CCs came from (rules 1..3 above); undefined: nothing usable. */
export function detectCcControl(samples: readonly CcSample[]): DetectedControl | undefined {
  if (samples.length === 0) return undefined;
  const ch = samples[0].channel;
  const own = samples.filter((s) => s.channel === ch);
  const channel = ch + 1;

  // 1. NRPN: number selected by 99/98, then data entry.
  let msb: number | undefined;
  let lsb: number | undefined;
  let selected: 'nrpn' | 'rpn' | undefined;
  let nrpn: number | undefined;
  let wide = false;
  for (const s of own) {
    if (s.controller === 99 || s.controller === 98) {
      if (s.controller === 99) msb = s.value;
      else lsb = s.value;
      selected = 'nrpn';
    } else if (s.controller === 101 || s.controller === 100) {
      selected = 'rpn';
    } else if ((s.controller === 6 || s.controller === 38) && selected === 'nrpn' && msb !== undefined && lsb !== undefined) {
      const n = (msb << 7) | lsb;
      if (n === 0x3fff) continue;
      if (nrpn === undefined) nrpn = n;
      if (n === nrpn && s.controller === 38) wide = true;
    }
  }
  if (nrpn !== undefined) return { kind: 'knob', message: wide ? 'nrpn14' : 'nrpn', channel, number: nrpn };
  if (selected === 'rpn') return undefined;

  // 2. A 14-bit pair.
  const first = own[0].controller;
  const has = (cc: number): boolean => own.some((s) => s.controller === cc);
  if (first < 32 && has(first + 32)) return { kind: 'knob', message: 'cc14', channel, number: first };
  if (first >= 32 && first < 64 && has(first - 32)) return { kind: 'knob', message: 'cc14', channel, number: first - 32 };

  // 3. One CC: encoder, button or knob.
  const values = own.filter((s) => s.controller === first).map((s) => s.value & 127);
  const encoding = detectEncoding(values);
  if (encoding !== undefined) return { kind: 'encoder', message: 'cc', channel, number: first, encoding };
  if (values.includes(127) && values.every((v) => v === 0 || v === 127)) return { kind: 'button', message: 'cc', channel, number: first };
  return { kind: 'knob', message: 'cc', channel, number: first };
}

// ---- saved mappings ----

export type CheckedMapping = { ok: true; mapping: Mapping } | { ok: false; reason: string };

const isPosition = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1;

/**
 * Check one mapping read from a file (or a profile): an object whose `control` names a known
 * control (`knownControl`) and whose `target` a strip role, parameter or action; optional fields
 * of the right type and range. The result holds only the known fields.
 */
export function checkMapping(x: unknown, knownControl: (id: string) => GenericControl | undefined, registry: ParamRegistry): CheckedMapping {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return { ok: false, reason: 'a mapping must be an object' };
  const m = x as Record<string, unknown>;
  if (typeof m.control !== 'string' || knownControl(m.control) === undefined) {
    return { ok: false, reason: `unknown control ${typeof m.control === 'string' ? `'${m.control.slice(0, 64)}'` : String(m.control)}` };
  }
  if (parseTarget(m.target, registry) === undefined) {
    return { ok: false, reason: `unknown target ${typeof m.target === 'string' ? `'${m.target.slice(0, 200)}'` : String(m.target)}` };
  }
  const out: { -readonly [K in keyof Mapping]: Mapping[K] } = { control: m.control, target: m.target as string };
  if (m.button !== undefined) {
    if (m.button !== 'toggle' && m.button !== 'momentary') return { ok: false, reason: `button must be 'toggle' or 'momentary'` };
    out.button = m.button;
  }
  if (m.takeover !== undefined) {
    const t = TAKEOVER_MODES.find((mode) => mode === m.takeover);
    if (t === undefined) return { ok: false, reason: `takeover must be one of ${TAKEOVER_MODES.join(', ')}` };
    out.takeover = t;
  }
  for (const k of ['min', 'max'] as const) {
    const v = m[k];
    if (v === undefined) continue;
    if (!isPosition(v)) return { ok: false, reason: `${k} must be a position from 0 to 1` };
    out[k] = v;
  }
  if (m.step !== undefined) {
    if (!isPosition(m.step) || m.step === 0) return { ok: false, reason: 'step must be a position step above 0, at most 1' };
    out.step = m.step;
  }
  return { ok: true, mapping: out };
}
