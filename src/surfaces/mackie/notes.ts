/**
 * Mackie Control note numbers (channel 1), from the Logic Control MIDI implementation and the
 * hosts that follow it (see docs/surfaces.md for the sources). Strip buttons are `base + strip`.
 * The same note lights the button's LED: velocity 7F on, 01 flashing, 00 off.
 */

/** Per-strip buttons: base note for strip 0 (strips 0..7). */
export const STRIP_NOTES = {
  rec: 0x00,
  solo: 0x08,
  mute: 0x10,
  select: 0x18,
  vselect: 0x20,
  touch: 0x68,
} as const;
export type StripButton = keyof typeof STRIP_NOTES;

/** The master fader's touch note. */
export const MASTER_TOUCH = 0x70;

/** Global buttons and LEDs by name. */
export const GLOBAL_NOTES: Readonly<Record<string, number>> = {
  'assign-track': 0x28,
  'assign-send': 0x29,
  'assign-pan': 0x2a,
  'assign-plugin': 0x2b,
  'assign-eq': 0x2c,
  'assign-dyn': 0x2d,
  'bank-left': 0x2e,
  'bank-right': 0x2f,
  'channel-left': 0x30,
  'channel-right': 0x31,
  flip: 0x32,
  'global-view': 0x33,
  'name-value': 0x34,
  'smpte-beats': 0x35,
  f1: 0x36,
  f2: 0x37,
  f3: 0x38,
  f4: 0x39,
  f5: 0x3a,
  f6: 0x3b,
  f7: 0x3c,
  f8: 0x3d,
  'view-midi': 0x3e,
  'view-inputs': 0x3f,
  'view-audio': 0x40,
  'view-instruments': 0x41,
  'view-aux': 0x42,
  'view-busses': 0x43,
  'view-outputs': 0x44,
  'view-user': 0x45,
  shift: 0x46,
  option: 0x47,
  control: 0x48,
  alt: 0x49,
  read: 0x4a,
  write: 0x4b,
  trim: 0x4c,
  touch: 0x4d,
  latch: 0x4e,
  group: 0x4f,
  save: 0x50,
  undo: 0x51,
  cancel: 0x52,
  enter: 0x53,
  marker: 0x54,
  nudge: 0x55,
  cycle: 0x56,
  drop: 0x57,
  replace: 0x58,
  click: 0x59,
  solo: 0x5a,
  rewind: 0x5b,
  'fast-forward': 0x5c,
  stop: 0x5d,
  play: 0x5e,
  record: 0x5f,
  up: 0x60,
  down: 0x61,
  left: 0x62,
  right: 0x63,
  zoom: 0x64,
  scrub: 0x65,
  'user-a': 0x66,
  'user-b': 0x67,
};

/** LEDs without a button. */
export const LED_NOTES = { smpte: 0x71, beats: 0x72, 'rude-solo': 0x73 } as const;

const BY_NOTE = new Map(Object.entries(GLOBAL_NOTES).map(([name, note]) => [note, name]));

/** Name of a global button by note, if it is one. */
export function globalButtonName(note: number): string | undefined {
  return BY_NOTE.get(note);
}

/** Strip button by note: which kind and which strip (0..7), if it is one. */
export function stripButton(note: number): { button: StripButton; strip: number } | undefined {
  for (const [button, base] of Object.entries(STRIP_NOTES) as [StripButton, number][]) {
    if (note >= base && note < base + 8) return { button, strip: note - base };
  }
  return undefined;
}

/** V-Pot turns: CC 0x10 + strip; rings: CC 0x30 + strip; jog: CC 0x3C; external: CC 0x2E. */
export const VPOT_CC = 0x10;
export const RING_CC = 0x30;
export const JOG_CC = 0x3c;
export const EXTERNAL_CC = 0x2e;
/** 7-segment digits: CC 0x40 (time code right-most) .. 0x49; assignment 0x4A (right), 0x4B (left). */
export const TIMECODE_CC = 0x40;
export const ASSIGNMENT_CC = 0x4a;
