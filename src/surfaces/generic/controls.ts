/**
 * The controls of a generic MIDI device: matching what arrives to the declared controls, and
 * the bytes that show a value on a control (its own message: LED, ring, motor fader).
 *
 * What arrives is first put together (14-bit CC pairs and (N)RPN by midi/assemblers.ts) into an
 * `Incoming`; the matcher turns it into what the control did:
 * - absolute (faders, knobs): position 0..1 = raw / 127 (7-bit) or raw / 16383 (14-bit), with the
 *   raw value kept so that it can be sent back exactly as it came (no echo drift);
 * - relative (encoders): ticks, decoded by the control's encoding (midi/relative.ts); an (N)RPN
 *   increment/decrement is a relative step of one on any (N)RPN control;
 * - press / release (buttons): a note-on is a press, a note-off (or velocity 0) a release; on
 *   other messages any value above 0 is a press, 0 a release (pads send their velocity);
 * - a program change is absolute with raw = the program number (position = number / 127).
 *
 * Channels: 1..16 in the device file, 0..15 in messages.
 *
 * Controls that were learnt rather than declared have an id that says what they are, so that a
 * saved mapping can rebuild them: `cc:1:7` (7-bit knob), `cc:1:20:button`,
 * `cc:1:16:twos-complement` (an encoder in that encoding), `cc14:1:7`, `nrpn:1:1234`,
 * `nrpn14:1:1234`, `note:1:36`, `pb:1`, `prog:1`.
 */
import { encodeMidi } from '../midi/encode.js';
import { RELATIVE } from '../midi/relative.js';
import { RELATIVE_ENCODINGS, type Capability, type GenericControl, type RelativeEncoding } from '../types.js';

/** What the assemblers and the parser hand to the matcher (channel 0..15). */
export type Incoming =
  | { readonly type: 'cc'; readonly channel: number; readonly number: number; readonly value: number }
  | { readonly type: 'cc14'; readonly channel: number; readonly number: number; readonly value: number }
  | { readonly type: 'nrpn'; readonly channel: number; readonly number: number; readonly value: number; readonly bits: 7 | 14 }
  | { readonly type: 'nrpn-step'; readonly channel: number; readonly number: number; readonly delta: number }
  | { readonly type: 'note'; readonly channel: number; readonly number: number; readonly velocity: number; readonly on: boolean }
  | { readonly type: 'pitchbend'; readonly channel: number; readonly value: number }
  | { readonly type: 'program'; readonly channel: number; readonly number: number };

export type ControlInput =
  | { readonly control: GenericControl; readonly kind: 'absolute'; readonly position: number; readonly raw: number }
  | { readonly control: GenericControl; readonly kind: 'relative'; readonly delta: number }
  | { readonly control: GenericControl; readonly kind: 'press' | 'release'; readonly raw: number };

/** Highest raw value of a control's message: 127 or 16383. */
export function rawMax(c: GenericControl): number {
  return c.message === 'cc14' || c.message === 'nrpn14' || c.message === 'pitchbend' ? 16383 : 127;
}

/** A position 0..1 as the raw value the control sends for it. */
export function positionToRaw(c: GenericControl, position: number): number {
  const p = Number.isFinite(position) ? Math.min(1, Math.max(0, position)) : 0;
  return Math.round(p * rawMax(c));
}

function key(message: string, channel: number, number = 0): string {
  return `${message}:${channel}:${number}`;
}

/** Device controls, indexed by what they send. */
export class ControlMatcher {
  private readonly byKey = new Map<string, GenericControl>();
  private readonly cc14 = new Set<string>();
  private readonly plain = new Set<string>();

  constructor(readonly controls: readonly GenericControl[]) {
    for (const c of controls) {
      const ch = (c.channel - 1) & 15;
      const n = c.number ?? 0;
      switch (c.message) {
        case 'cc':
          this.byKey.set(key('cc', ch, n), c);
          this.plain.add(key('cc', ch, n));
          break;
        case 'cc14':
          this.byKey.set(key('cc14', ch, n), c);
          this.cc14.add(key('cc', ch, n));
          this.cc14.add(key('cc', ch, n + 32));
          break;
        case 'nrpn':
        case 'nrpn14':
          this.byKey.set(key('nrpn', ch, n), c);
          break;
        case 'note':
          this.byKey.set(key('note', ch, n), c);
          break;
        case 'pitchbend':
          this.byKey.set(key('pb', ch), c);
          break;
        case 'program':
          this.byKey.set(key('prog', ch), c);
          break;
      }
    }
  }

  /** A 7-bit CC control is declared on this channel and number. */
  isPlainCc(channel: number, controller: number): boolean {
    return this.plain.has(key('cc', channel, controller));
  }

  /** The CC is the MSB or LSB of a declared 14-bit CC control. */
  isCc14(channel: number, controller: number): boolean {
    return this.cc14.has(key('cc', channel, controller));
  }

  /** Bits of a declared NRPN control (undefined: none declared). */
  nrpnBits(channel: number, number: number): 7 | 14 | undefined {
    const c = this.byKey.get(key('nrpn', channel, number));
    return c === undefined ? undefined : c.message === 'nrpn14' ? 14 : 7;
  }

  match(m: Incoming): ControlInput | undefined {
    switch (m.type) {
      case 'cc': {
        const c = this.byKey.get(key('cc', m.channel, m.number));
        return c === undefined ? undefined : valueInput(c, m.value & 127);
      }
      case 'cc14': {
        const c = this.byKey.get(key('cc14', m.channel, m.number));
        return c === undefined ? undefined : valueInput(c, m.value & 16383);
      }
      case 'nrpn': {
        const c = this.byKey.get(key('nrpn', m.channel, m.number));
        if (c === undefined) return undefined;
        // A 14-bit value for a 7-bit control (or the reverse) is scaled to the control's width.
        const bits = c.message === 'nrpn14' ? 14 : 7;
        const v = bits === m.bits ? m.value : bits === 7 ? m.value >> 7 : m.value << 7;
        return valueInput(c, v);
      }
      case 'nrpn-step': {
        const c = this.byKey.get(key('nrpn', m.channel, m.number));
        return c === undefined ? undefined : { control: c, kind: 'relative', delta: m.delta };
      }
      case 'note': {
        const c = this.byKey.get(key('note', m.channel, m.number));
        if (c === undefined) return undefined;
        return { control: c, kind: m.on ? 'press' : 'release', raw: m.velocity & 127 };
      }
      case 'pitchbend': {
        const c = this.byKey.get(key('pb', m.channel));
        return c === undefined ? undefined : valueInput(c, m.value & 16383);
      }
      case 'program': {
        const c = this.byKey.get(key('prog', m.channel));
        return c === undefined ? undefined : { control: c, kind: 'absolute', position: (m.number & 127) / 127, raw: m.number & 127 };
      }
    }
  }
}

function valueInput(c: GenericControl, raw: number): ControlInput {
  if (c.kind === 'button') return { control: c, kind: raw > 0 ? 'press' : 'release', raw };
  if (c.kind === 'encoder' && rawMax(c) === 127) {
    return { control: c, kind: 'relative', delta: RELATIVE[c.encoding ?? 'twos-complement'].decode(raw) };
  }
  return { control: c, kind: 'absolute', position: raw / rawMax(c), raw };
}

/**
 * The messages that show `raw` on a control (one byte array per message):
 * cc `Bn cc vv`; cc14 MSB then LSB; nrpn CC 99, 98, 6 (and 38 for 14 bits); note `9n nn vv`
 * (note-on, velocity 0 for off, as LED-driven devices expect); pitch bend; program change.
 */
export function encodeFeedback(c: GenericControl, raw: number): number[][] {
  const channel = (c.channel - 1) & 15;
  const n = c.number ?? 0;
  const max = rawMax(c);
  const v = Math.min(max, Math.max(0, Math.round(Number.isFinite(raw) ? raw : 0)));
  const cc = (controller: number, value: number): number[] => encodeMidi({ type: 'cc', channel, controller, value });
  switch (c.message) {
    case 'cc':
      return [cc(n, v)];
    case 'cc14':
      return [cc(n, v >> 7), cc(n + 32, v & 127)];
    case 'nrpn':
      return [cc(99, (n >> 7) & 127), cc(98, n & 127), cc(6, v)];
    case 'nrpn14':
      return [cc(99, (n >> 7) & 127), cc(98, n & 127), cc(6, v >> 7), cc(38, v & 127)];
    case 'note':
      return [encodeMidi({ type: 'noteon', channel, note: n, velocity: v })];
    case 'pitchbend':
      return [encodeMidi({ type: 'pitch', channel, value: v })];
    case 'program':
      return [encodeMidi({ type: 'program', channel, number: v })];
  }
}

/**
 * Whether a control shows values sent to it: its own `feedback` flag if the device file sets
 * one, else the device's capabilities (buttons: ledFeedback; faders: motorFaders; knobs and
 * encoders: ringFeedback). Program changes only when the control says so.
 */
export function hasFeedback(c: GenericControl, caps: readonly Capability[]): boolean {
  if (c.feedback !== undefined) return c.feedback;
  if (c.message === 'program') return false;
  switch (c.kind) {
    case 'button':
      return caps.includes('ledFeedback');
    case 'fader':
      return caps.includes('motorFaders');
    case 'knob':
    case 'encoder':
      return caps.includes('ringFeedback');
  }
}

// ---- learnt controls: ids that describe them ----

/** The id of a control synthesised from what it sends (see the header). */
export function synthesisedId(c: Pick<GenericControl, 'kind' | 'message' | 'channel' | 'number' | 'encoding'>): string {
  const n = c.number ?? 0;
  switch (c.message) {
    case 'cc':
      if (c.kind === 'button') return `cc:${c.channel}:${n}:button`;
      if (c.kind === 'encoder') return `cc:${c.channel}:${n}:${c.encoding ?? 'twos-complement'}`;
      return `cc:${c.channel}:${n}`;
    case 'cc14':
    case 'nrpn':
    case 'nrpn14':
    case 'note':
      return `${c.message}:${c.channel}:${n}`;
    case 'pitchbend':
      return `pb:${c.channel}`;
    case 'program':
      return `prog:${c.channel}`;
  }
}

const int = (s: string | undefined, lo: number, hi: number): number | undefined => {
  if (s === undefined || !/^\d{1,5}$/.test(s)) return undefined;
  const v = Number(s);
  return v >= lo && v <= hi ? v : undefined;
};

/** Rebuild a synthesised control from its id; undefined if the id is not one. */
export function parseSynthesisedId(id: string): GenericControl | undefined {
  if (typeof id !== 'string' || id.length > 64) return undefined;
  const parts = id.split(':');
  const channel = int(parts[1], 1, 16);
  if (channel === undefined) return undefined;
  const [type] = parts;
  if (type === 'pb' || type === 'prog') {
    if (parts.length !== 2) return undefined;
    return type === 'pb' ? { id, kind: 'fader', message: 'pitchbend', channel } : { id, kind: 'button', message: 'program', channel };
  }
  const maxNumber = type === 'nrpn' || type === 'nrpn14' ? 16383 : type === 'cc14' ? 31 : 127;
  const number = int(parts[2], 0, maxNumber);
  if (number === undefined) return undefined;
  switch (type) {
    case 'cc': {
      if (parts.length === 3) return { id, kind: 'knob', message: 'cc', channel, number };
      if (parts.length !== 4) return undefined;
      if (parts[3] === 'button') return { id, kind: 'button', message: 'cc', channel, number };
      const encoding = RELATIVE_ENCODINGS.find((e) => e === parts[3]) as RelativeEncoding | undefined;
      return encoding === undefined ? undefined : { id, kind: 'encoder', message: 'cc', channel, number, encoding };
    }
    case 'cc14':
    case 'nrpn':
    case 'nrpn14':
      return parts.length === 3 ? { id, kind: 'knob', message: type, channel, number } : undefined;
    case 'note':
      return parts.length === 3 ? { id, kind: 'button', message: 'note', channel, number } : undefined;
    default:
      return undefined;
  }
}
