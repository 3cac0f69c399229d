/**
 * Mackie Control bytes, both ways, as pure functions: the SysEx frame and its commands, the
 * Logic Control challenge, faders (14-bit pitch bend), V-Pot turns and LED rings, meters by
 * channel pressure, the 7-segment character code and the X-Touch scribble-strip colours.
 * Facts from the Logic Control MIDI implementation (LCdoc) and the hosts that follow it; see
 * docs/surfaces.md.
 *
 * Everything returns whole messages with their status byte (no running status on output).
 */

/** Mackie's manufacturer id in SysEx. */
export const MACKIE_ID = [0x00, 0x00, 0x66] as const;

/** SysEx commands (the byte after the model byte). */
export const SYSEX = {
  /** host -> device: device query ("wake up"), no data. */
  deviceQuery: 0x00,
  /** device -> host: host connection query, serial (7) + challenge (4); also sent at boot. */
  hostQuery: 0x01,
  /** host -> device: host connection reply, serial (7) + response (4). */
  hostReply: 0x02,
  /** device -> host: connection confirmed, serial (7). */
  confirmation: 0x03,
  /** device -> host: connection error (wrong response), serial (7). */
  connectionError: 0x04,
  /** host -> device: firmware version request `13 00`. */
  versionRequest: 0x13,
  /** device -> host: version reply, 5 ASCII bytes. */
  versionReply: 0x14,
  /** host -> device: time-code display, characters right to left. */
  timecode: 0x10,
  /** host -> device: LCD text at an offset. */
  lcd: 0x12,
  /** host -> device: channel meter mode `20 ii mm`. */
  meterMode: 0x20,
  /** host -> device: scribble-strip colours, one byte per strip. */
  colours: 0x72,
} as const;

/** Meter-mode bits of `20 ii mm`: s = signal LED, p = peak hold, l = LCD level meter. */
export const METER_MODE = { off: 0x00, signalLed: 0x01, peakHold: 0x02, lcdMeter: 0x04 } as const;

/** `F0 00 00 66 <model> <cmd> data… F7`. */
export function sysex(model: number, cmd: number, data: readonly number[] = []): number[] {
  return [0xf0, ...MACKIE_ID, model & 0x7f, cmd & 0x7f, ...data.map((b) => b & 0x7f), 0xf7];
}

export interface MackieSysex {
  readonly model: number;
  readonly cmd: number;
  readonly data: readonly number[];
}

/** A whole SysEx message (F0 … F7) with the Mackie header, else undefined. */
export function parseSysex(bytes: readonly number[]): MackieSysex | undefined {
  if (bytes.length < 7 || bytes[0] !== 0xf0 || bytes[bytes.length - 1] !== 0xf7) return undefined;
  if (bytes[1] !== MACKIE_ID[0] || bytes[2] !== MACKIE_ID[1] || bytes[3] !== MACKIE_ID[2]) return undefined;
  return { model: bytes[4], cmd: bytes[5], data: bytes.slice(6, -1) };
}

export function deviceQuery(model: number): number[] {
  return sysex(model, SYSEX.deviceQuery);
}

export function versionRequest(model: number): number[] {
  return sysex(model, SYSEX.versionRequest, [0x00]);
}

/**
 * The Logic Control challenge response (LCdoc p.240), r1..r4 from the challenge l1..l4.
 * r2 follows LCdoc, `(l3 >> 4) ^ (l1 + l4)`; Ardour shifts by l4 instead of 4, which reads as
 * a slip (a shift by a 7-bit value is almost always zero or undefined in C), so LCdoc it is.
 */
export function challengeResponse(challenge: readonly number[]): [number, number, number, number] {
  const [l1 = 0, l2 = 0, l3 = 0, l4 = 0] = challenge;
  return [
    0x7f & (l1 + (l2 ^ 0x0a) - l4),
    0x7f & ((l3 >> 4) ^ (l1 + l4)),
    0x7f & ((l4 - (l3 << 2)) ^ (l1 | l2)),
    0x7f & (l2 - l3 + (0xf0 ^ (l4 << 4))),
  ];
}

/** Host connection reply `02 s1..s7 r1..r4` to a host connection query's data (serial + challenge). */
export function hostReply(model: number, queryData: readonly number[]): number[] {
  const serial = queryData.slice(0, 7);
  while (serial.length < 7) serial.push(0);
  return sysex(model, SYSEX.hostReply, [...serial, ...challengeResponse(queryData.slice(7, 11))]);
}

/** LCD text at `offset` (0x00 upper line, 0x38 lower line); characters must be ASCII already. */
export function lcdText(model: number, offset: number, text: string): number[] {
  const chars: number[] = [];
  for (let i = 0; i < text.length; i++) chars.push(text.charCodeAt(i) & 0x7f);
  return sysex(model, SYSEX.lcd, [offset, ...chars]);
}

export function meterMode(model: number, strip: number, mode: number): number[] {
  return sysex(model, SYSEX.meterMode, [strip, mode]);
}

export function scribbleColours(model: number, colours: readonly number[]): number[] {
  return sysex(model, SYSEX.colours, colours.map((c) => c & 7));
}

/** Fader position: pitch bend on `channel` (strip 0..7, master 8), value 0..16383. */
export function faderMessage(channel: number, value: number): number[] {
  const v = Math.max(0, Math.min(16383, Math.round(value)));
  return [0xe0 | (channel & 15), v & 0x7f, (v >> 7) & 0x7f];
}

/** LED (or any note) state: `90 nn vv`, velocity 7F on, 01 flashing, 00 off. */
export function noteMessage(note: number, velocity: number): number[] {
  return [0x90, note & 0x7f, velocity & 0x7f];
}

export function ccMessage(controller: number, value: number): number[] {
  return [0xb0, controller & 0x7f, value & 0x7f];
}

export const LED = { off: 0x00, flash: 0x01, on: 0x7f } as const;

/** Ring display modes (bits 5-4 of the ring byte). */
export const RING_MODE = { dot: 0, boostCut: 1, wrap: 2, spread: 3 } as const;
export type RingMode = (typeof RING_MODE)[keyof typeof RING_MODE];

/** Ring byte `0pmmvvvv`: centre LED, mode, position 0 (all off) .. 11. */
export function ringByte(mode: RingMode, position: number, centre = false): number {
  const p = Math.max(0, Math.min(11, Math.round(position)));
  return (centre ? 0x40 : 0) | (mode << 4) | p;
}

/** V-Pot / jog turn `0svvvvvv` -> signed ticks: bit 6 set = counter-clockwise; 0 ticks count as 1. */
export function decodeVpot(value: number): number {
  const ticks = value & 0x3f || 1;
  return value & 0x40 ? -ticks : ticks;
}

/** Meter byte of channel pressure `D0 (strip << 4) | level`; level 0..0x0C, 0x0E overload, 0x0F clear. */
export function meterMessage(strip: number, level: number): number[] {
  return [0xd0, ((strip & 7) << 4) | (level & 0x0f)];
}

/** One 7-segment character: ASCII 0x40-0x5F minus 0x40, 0x20-0x3F as is, others a blank; bit 6 = dot. */
export function segmentChar(ch: string, dot = false): number {
  const c = ch.toUpperCase().charCodeAt(0);
  const code = c >= 0x40 && c <= 0x5f ? c - 0x40 : c >= 0x20 && c <= 0x3f ? c : 0x20;
  return code | (dot ? 0x40 : 0);
}

/**
 * Text for a 7-segment display, left to right, with each `.` merged into the character before
 * it (a `.` with none before, or after another dot, is a blank with its dot). Right-aligned in
 * `digits` characters: blanks on the left, and the right-most `digits` kept if it is longer.
 */
export function segmentCodes(text: string, digits: number): number[] {
  const codes: number[] = [];
  for (const ch of text) {
    if (ch === '.' && codes.length > 0 && (codes[codes.length - 1] & 0x40) === 0) codes[codes.length - 1] |= 0x40;
    else if (ch === '.') codes.push(0x20 | 0x40);
    else codes.push(segmentChar(ch));
  }
  while (codes.length < digits) codes.unshift(0x20);
  return codes.slice(codes.length - digits);
}

/** The time-code display by SysEx (characters right to left), as LCdoc's example. */
export function timecodeSysex(model: number, text: string, digits = 10): number[] {
  return sysex(model, SYSEX.timecode, segmentCodes(text, digits).reverse());
}

/**
 * X-Touch scribble-strip colour from `#rrggbb`: the nearest of the 8 colours of the 3-bit
 * palette (bit 0 red, bit 1 green, bit 2 blue), i.e. each component on or off at half scale.
 * No colour is white (7), and so is black, which would leave the strip unreadable (as Ardour).
 */
export function scribbleColour(color: string | undefined): number {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color ?? '');
  if (m === null) return 7;
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h, 16) >= 0x80);
  const c = (r ? 1 : 0) | (g ? 2 : 0) | (b ? 4 : 0);
  return c === 0 ? 7 : c;
}
