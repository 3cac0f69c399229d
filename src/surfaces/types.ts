/**
 * The shared vocabulary of MIDI surfaces: messages, transports, device files (what a piece of
 * hardware IS) and profiles (what the user WANTS it to do). Drivers read capability flags from
 * the device file, never vendor names.
 *
 * Channels are 0..15 inside the code; the device and profile files say 1..16, as people do.
 */

// ---- MIDI messages ----

export type MidiMessage =
  | { readonly type: 'noteon' | 'noteoff'; readonly channel: number; readonly note: number; readonly velocity: number }
  | { readonly type: 'cc'; readonly channel: number; readonly controller: number; readonly value: number }
  | { readonly type: 'program'; readonly channel: number; readonly number: number }
  /** 0..16383, 8192 = centre. */
  | { readonly type: 'pitch'; readonly channel: number; readonly value: number }
  | { readonly type: 'chanpressure'; readonly channel: number; readonly value: number }
  | { readonly type: 'polypressure'; readonly channel: number; readonly note: number; readonly value: number }
  /** The whole message, F0 ... F7 included. */
  | { readonly type: 'sysex'; readonly bytes: readonly number[] };

// ---- transports ----

/** One open port pair (input and/or output) of one unit. */
export interface MidiConnection {
  /** Port name as the backend lists it. */
  readonly name: string;
  /** Send whole messages (one or several, each complete, no running status needed). */
  send(bytes: readonly number[]): void;
  /** Raw bytes from the device, in arrival order (chunks may split or join messages). */
  onBytes(listener: (bytes: readonly number[]) => void): void;
  /** The port went away (unplugged) or failed; no more bytes will come. */
  onClose(listener: (reason: string) => void): void;
  close(): void;
}

export interface MidiPortList {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** Where ports come from: easymidi for hardware, an in-memory backend for tests. */
export interface MidiBackend {
  readonly kind: string;
  /** Ports seen now. Throws a MixhostError `E_MIDI_UNAVAILABLE` when there is no MIDI subsystem. */
  list(): MidiPortList;
  /** Open an input and/or output by exact name. Throws `E_MIDI_OPEN`. */
  open(input: string | undefined, output: string | undefined): MidiConnection;
}

// ---- device files (devices/*.json) ----

/**
 * What the hardware can do. Behaviour in code follows these flags, never a vendor name.
 * - motorFaders: faders move when sent a value (host must echo fader moves: servo loop).
 * - faderTouch: faders report touch (Mackie notes 0x68.. / 0x70).
 * - lcd: the 2 x 56 character strip display.
 * - colorScribble: one colour per strip by the X-Touch SysEx (cmd 0x72, 3-bit RGB).
 * - meters: strip level meters by channel pressure.
 * - separateMeters: LED meters that do not need the LCD's meter mode.
 * - timecodeDisplay / assignmentDisplay: the 10- and 2-digit 7-segment displays.
 * - vpotRings: LED rings around the V-Pots / encoders that follow the value.
 * - masterFader: a ninth (master) fader on pitch-bend channel 9.
 * - ledFeedback: button LEDs light when sent the button's own message.
 * - ringFeedback: knob/encoder LEDs follow when sent the control's own message.
 * - noFlash: LEDs cannot flash; "flash" is sent as "on".
 * - challenge: answers the Logic Control host-connection challenge.
 */
export const CAPABILITIES = [
  'motorFaders',
  'faderTouch',
  'lcd',
  'colorScribble',
  'meters',
  'separateMeters',
  'timecodeDisplay',
  'assignmentDisplay',
  'vpotRings',
  'masterFader',
  'ledFeedback',
  'ringFeedback',
  'noFlash',
  'challenge',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** The four relative-encoder encodings (see ../reference: REAPER Relative 1/2/3, Ardour enc-r). */
export const RELATIVE_ENCODINGS = ['twos-complement', 'binary-offset', 'sign-magnitude', 'sign-magnitude-positive'] as const;
export type RelativeEncoding = (typeof RELATIVE_ENCODINGS)[number];

export const CONTROL_KINDS = ['fader', 'knob', 'encoder', 'button'] as const;
export type ControlKind = (typeof CONTROL_KINDS)[number];

/**
 * What a control sends:
 * - cc: 7-bit CC `number`; cc14: MSB on `number` (0..31), LSB on `number + 32`;
 * - nrpn / nrpn14: CC 99/98 select `number` (0..16383), data entry CC 6 (and 38 for 14 bits);
 * - note: note `number` (velocity > 0 press, note-off or velocity 0 release);
 * - pitchbend: the channel's pitch bend (14 bits); program: program change (value = program).
 */
export const CONTROL_MESSAGES = ['cc', 'cc14', 'nrpn', 'nrpn14', 'note', 'pitchbend', 'program'] as const;
export type ControlMessage = (typeof CONTROL_MESSAGES)[number];

export interface GenericControl {
  /** Unique in the file: `fader1`, `knob3`, `mute1`, `track-left`. */
  readonly id: string;
  readonly label?: string;
  readonly kind: ControlKind;
  readonly message: ControlMessage;
  /** 1..16. */
  readonly channel: number;
  /** CC, note or parameter number; absent for pitchbend and program. */
  readonly number?: number;
  /** For kind `encoder`: how a turn is encoded. */
  readonly encoding?: RelativeEncoding;
  /** A button that latches in the hardware (sends on, then off, on alternate presses). */
  readonly latching?: boolean;
  /** The device shows a value sent back on this control's own message (LED, ring, motor). */
  readonly feedback?: boolean;
  /** LED values for buttons with feedback (default 127 on, 0 off). */
  readonly ledOn?: number;
  readonly ledOff?: number;
}

/** Mackie Control protocol facts of one unit. */
export interface MackieSpec {
  /** SysEx model byte: 0x14 Mackie Control, 0x15 XT; 0x10/0x11 Logic Control. */
  readonly model: number;
  /** A main unit has the global buttons (and the master fader if `masterFader`). */
  readonly role: 'main' | 'extender';
  /** Channel strips: 8, or 1 (X-Touch One). */
  readonly strips: number;
  /** Top pitch-bend value the fader reaches (calibration); default 16383. */
  readonly faderTop?: number;
  /** Global buttons present, by name from the MCU note table (mackie/notes.ts), e.g. `bank-left`. */
  readonly buttons: readonly string[];
}

export interface DeviceSpec {
  /** The file name without `.json`. */
  readonly id: string;
  readonly name: string;
  readonly vendor?: string;
  readonly protocol: 'mackie' | 'generic';
  /** Case-insensitive substrings of port names that identify the device (auto-detection). */
  readonly ports: readonly string[];
  readonly capabilities: readonly Capability[];
  readonly mackie?: MackieSpec;
  readonly controls?: readonly GenericControl[];
  /** Where the facts come from, quirks in prose. */
  readonly notes?: string;
}

// ---- profiles (profiles/surfaces/*.json) ----

/** Fader layers of a surface. `groups` holds the groups then the VCAs. */
export const LAYERS = ['inputs', 'aux', 'fx', 'groups', 'master'] as const;
export type LayerId = (typeof LAYERS)[number];

/** What the V-Pots (or a profile's `strip:N:vpot` knobs) control. */
export const VPOT_MODES = ['pan', 'send', 'trim', 'hpf', 'eq', 'dyn'] as const;
export type VpotMode = (typeof VPOT_MODES)[number];

/** How a control without a motor takes over a value that moved elsewhere. */
export const TAKEOVER_MODES = ['pickup', 'scaled', 'jump'] as const;
export type TakeoverMode = (typeof TAKEOVER_MODES)[number];

/** What a button press does when a profile maps it to an action rather than a parameter. */
export const ACTIONS = [
  'bank-left',
  'bank-right',
  'channel-left',
  'channel-right',
  'flip',
  'layer:inputs',
  'layer:aux',
  'layer:fx',
  'layer:groups',
  'layer:master',
  /** Sends on faders for the next aux (then FX) bus; again past the last one: off. */
  'sends-on-faders',
  'sends-off',
  'vpot:pan',
  'vpot:send',
  'vpot:trim',
  'vpot:hpf',
  'vpot:eq',
  'vpot:dyn',
  'name-value',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * Per-strip roles a mapping can name bank-relatively: `strip:3:mute`. `vpot` is what the V-Pot
 * mode gives the strip; `send` is the strip's send to the bus the V-Pots' send mode is on (aux 1
 * unless stepped on, or the bus whose sends are on the faders); `trim` and `hpf` the input's trim
 * and high-pass frequency; `rec` has no mixer function.
 */
export const STRIP_ROLES = ['fader', 'mute', 'solo', 'select', 'pan', 'vpot', 'send', 'trim', 'hpf', 'rec'] as const;
export type StripRole = (typeof STRIP_ROLES)[number];

/**
 * One control of a generic device bound to a target:
 * - `strip:N:ROLE` (N = 1.. within the bank), e.g. `strip:1:fader`;
 * - a parameter address, e.g. `master/fader`, `ch/3/eq/2/gain`;
 * - `action:NAME` with NAME from ACTIONS.
 */
export interface Mapping {
  readonly control: string;
  readonly target: string;
  /** Buttons: toggle (each press flips) or momentary (on while held). Default toggle. */
  readonly button?: 'toggle' | 'momentary';
  /** Absolute controls without a motor; default from the profile. */
  readonly takeover?: TakeoverMode;
  /** Part of the parameter's travel used, as positions 0..1 (default 0 and 1). */
  readonly min?: number;
  readonly max?: number;
  /** Encoders: position change per tick (default 1/100). */
  readonly step?: number;
}

export interface MackieProfile {
  readonly startLayer?: LayerId;
  readonly vpot?: VpotMode;
  /** Global button name -> action. Strip buttons (rec, solo, mute, select, V-Select) are fixed by the protocol. */
  readonly buttons: Readonly<Record<string, Action>>;
  /** Strip meters on (default true where the device has them). */
  readonly meters?: boolean;
  /** What the 10-digit display shows: the master chain's integrated loudness, or a clock. */
  readonly timecode?: 'loudness' | 'clock' | 'off';
}

export interface SurfaceProfile {
  /** The file name without `.json`, e.g. `x-touch.default`. */
  readonly id: string;
  /** Device id this profile is for. */
  readonly device: string;
  readonly name: string;
  /** Strips a bank shows on a generic device (the Mackie driver counts its units' strips). */
  readonly bank?: { readonly width: number; readonly layer?: LayerId };
  readonly takeover?: TakeoverMode;
  readonly mackie?: MackieProfile;
  readonly mappings?: readonly Mapping[];
}
