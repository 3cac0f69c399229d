/**
 * zod schemas of the surface data files: devices/*.json (DeviceSpec: what a piece of hardware
 * is) and profiles/surfaces/*.json (SurfaceProfile: what the user wants it to do). They check the
 * shape of each field; what depends on other fields or files (a number's range for its message,
 * a mapping's control, a Mackie button the unit has) is checked by the loader (loader.ts).
 *
 * The parsed types are the interfaces of types.ts exactly (checked at compile time below), plus
 * an optional `$schema` that lets an editor find docs/device.schema.json or
 * docs/surface-profile.schema.json; the loader drops it.
 */
import { z } from 'zod';
import { showValue } from '../model/session-schema.js';
import { bool, oneOf, text, typeError } from '../model/schema-text.js';
import {
  ACTIONS,
  CAPABILITIES,
  CONTROL_KINDS,
  CONTROL_MESSAGES,
  LAYERS,
  RELATIVE_ENCODINGS,
  TAKEOVER_MODES,
  VPOT_MODES,
  type DeviceSpec,
  type SurfaceProfile,
} from './types.js';

/** Device ids and control ids: lower-case letters and digits joined by single hyphens. */
export const DEVICE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Profile ids: device-id-like words joined by dots, e.g. `behringer-x-touch.default`. */
export const PROFILE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*$/;
/** Highest NRPN parameter number (14 bits). */
export const NRPN_MAX = 16383;
/** Most strips a generic bank may show. */
export const MAX_BANK_WIDTH = 64;

function int(what: string, min: number, max: number) {
  return z
    .number({ error: typeError(`a whole number (${what})`) })
    .int({ error: (iss) => `${showValue(iss.input)} is not a whole number` })
    .min(min, { error: (iss) => `${showValue(iss.input)} is below ${min}` })
    .max(max, { error: (iss) => `${showValue(iss.input)} is above ${max}` });
}

function fraction(what: string) {
  return z
    .number({ error: typeError(`a number (${what})`) })
    .min(0, { error: (iss) => `${showValue(iss.input)} is below 0` })
    .max(1, { error: (iss) => `${showValue(iss.input)} is above 1` });
}

function id(pattern: RegExp, example: string) {
  return z
    .string({ error: typeError('an id string') })
    .regex(pattern, { error: (iss) => `${showValue(iss.input)} is not an id (lower-case letters and digits joined by hyphens, e.g. "${example}")` });
}

/** A strict object (unknown keys are reported per key) whose own type error reads well. */
function strict<S extends z.core.$ZodLooseShape>(shape: S, what = 'an object') {
  const te = typeError(what);
  return z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : te(iss)) });
}

function list<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, { error: typeError(`a list of ${what}`) });
}

const schemaRef = z.string({ error: typeError('a path or URL of the JSON Schema') }).optional().meta({ description: 'JSON Schema of this file, for editors; ignored by mixhost.' });
const channel = int('MIDI channel 1..16', 1, 16).meta({ description: 'MIDI channel, 1..16 as people count them.' });

// ---------------------------------------------------------------------------------------------
// Devices.

const controlSchema = strict({
  id: id(DEVICE_ID, 'fader1').meta({ description: 'Unique in the file: `fader1`, `knob3`, `mute1`, `track-left`.' }),
  label: text(40).optional().meta({ description: 'What is printed on the hardware.' }),
  kind: oneOf(CONTROL_KINDS).meta({ description: 'fader, knob (absolute), encoder (relative) or button.' }),
  message: oneOf(CONTROL_MESSAGES).meta({
    description:
      'What the control sends: cc (7 bits), cc14 (MSB on `number` 0..31, LSB on `number`+32), nrpn / nrpn14 (CC 99/98 select `number`, data on CC 6 and 38), note, pitchbend, program.',
  }),
  channel,
  number: int('CC, note or parameter number', 0, NRPN_MAX)
    .optional()
    .meta({ description: 'CC 0..127 (cc14: 0..31), note 0..127 or NRPN 0..16383; absent for pitchbend and program.' }),
  encoding: oneOf(RELATIVE_ENCODINGS).optional().meta({ description: 'Encoders only: how a turn is encoded.' }),
  latching: bool().optional().meta({ description: 'Buttons: the hardware latches (sends on, then off, on alternate presses).' }),
  feedback: bool().optional().meta({ description: 'The device shows a value sent back on this control\'s own message (LED, ring, motor).' }),
  ledOn: int('LED value', 0, 127).optional().meta({ description: 'Buttons with feedback: value that lights the LED (default 127).' }),
  ledOff: int('LED value', 0, 127).optional().meta({ description: 'Buttons with feedback: value that darkens the LED (default 0).' }),
});

const mackieSpecSchema = strict({
  model: int('SysEx model byte', 0, 0x7f).meta({ description: 'SysEx model byte: 20 (0x14) Mackie Control, 21 (0x15) XT; 16/17 (0x10/0x11) Logic Control.' }),
  role: oneOf(['main', 'extender'] as const).meta({ description: 'A main unit has the global buttons; an extender only strips.' }),
  strips: int('channel strips', 1, 8).meta({ description: 'Channel strips: 8, or 1 (X-Touch One).' }),
  faderTop: int('pitch-bend value', 1, 16383).optional().meta({ description: 'Top pitch-bend value the fader reaches (calibration); default 16383.' }),
  buttons: list(text(40, 'a button name'), 'button names').meta({ description: 'Global buttons present, by name from the Mackie note table (src/surfaces/mackie/notes.ts), e.g. `bank-left`.' }),
});

/** devices/<id>.json. */
export const deviceFileSchema = strict({
  $schema: schemaRef,
  id: id(DEVICE_ID, 'behringer-x-touch').meta({ description: 'The file name without `.json`.' }),
  name: text(80),
  vendor: text(80).optional(),
  protocol: oneOf(['mackie', 'generic'] as const).meta({ description: 'mackie: the Mackie Control driver; generic: controls bound by a profile\'s mappings.' }),
  ports: list(text(80, 'a port-name pattern'), 'port-name patterns').meta({
    description: 'Case-insensitive substrings of port names that identify the device; the longest matching pattern of all devices wins.',
  }),
  capabilities: list(oneOf(CAPABILITIES), 'capability names').meta({ description: 'What the hardware can do; drivers follow these flags, never a vendor name.' }),
  mackie: mackieSpecSchema.optional().meta({ description: 'Mackie Control facts; present exactly when protocol is mackie.' }),
  controls: list(controlSchema, 'controls').optional().meta({ description: 'The controls of a generic device; present exactly when protocol is generic (may be empty: learn only).' }),
  notes: text(4000).optional().meta({ description: 'Where the facts come from, quirks in prose.' }),
}).meta({ title: 'mixhost surface device', description: 'What a piece of MIDI hardware is: protocol, capabilities, controls.' });

// ---------------------------------------------------------------------------------------------
// Profiles.

const mappingSchema = strict({
  control: id(DEVICE_ID, 'fader1').meta({ description: 'A control id of the device.' }),
  target: text(120, 'a target').meta({
    description: '`strip:N:ROLE` (N = 1.. within the bank; ROLE fader, mute, solo, select, pan, vpot, rec), a parameter address (`master/fader`), or `action:NAME`.',
  }),
  button: oneOf(['toggle', 'momentary'] as const).optional().meta({ description: 'Buttons: toggle (each press flips, default) or momentary (on while held).' }),
  takeover: oneOf(TAKEOVER_MODES).optional().meta({ description: 'Absolute controls without a motor: pickup, scaled or jump (default from the profile).' }),
  min: fraction('position 0..1').optional().meta({ description: 'Lowest position of the parameter used (default 0).' }),
  max: fraction('position 0..1').optional().meta({ description: 'Highest position of the parameter used (default 1).' }),
  step: z
    .number({ error: typeError('a number (position change per tick)') })
    .gt(0, { error: (iss) => `${showValue(iss.input)} is not above 0` })
    .max(1, { error: (iss) => `${showValue(iss.input)} is above 1` })
    .optional()
    .meta({ description: 'Encoders: position change per tick (default 0.01).' }),
});

const mackieProfileSchema = strict({
  startLayer: oneOf(LAYERS).optional(),
  vpot: oneOf(VPOT_MODES).optional().meta({ description: 'What the V-Pots control at start (default pan).' }),
  buttons: z
    .record(text(40, 'a button name'), oneOf(ACTIONS), { error: typeError('an object of button name: action') })
    .meta({ description: 'Global button name -> action. Strip buttons (rec, solo, mute, select, V-Select) are fixed by the protocol.' }),
  meters: bool().optional().meta({ description: 'Strip meters on (default true where the device has them).' }),
  timecode: oneOf(['loudness', 'clock', 'off'] as const).optional().meta({ description: 'What the 10-digit display shows: the integrated loudness of the master, or a clock.' }),
});

/** profiles/surfaces/<id>.json. */
export const profileFileSchema = strict({
  $schema: schemaRef,
  id: id(PROFILE_ID, 'behringer-x-touch.default').meta({ description: 'The file name without `.json`.' }),
  device: id(DEVICE_ID, 'behringer-x-touch').meta({ description: 'Id of the device (devices/<id>.json) this profile is for.' }),
  name: text(80),
  bank: strict({
    width: int('strips', 1, MAX_BANK_WIDTH).meta({ description: 'Strips a bank shows.' }),
    layer: oneOf(LAYERS).optional().meta({ description: 'Layer at start (default inputs).' }),
  })
    .optional()
    .meta({ description: 'Generic devices: strips a bank shows (default 8). The Mackie driver counts its units\' strips instead.' }),
  takeover: oneOf(TAKEOVER_MODES).optional().meta({ description: 'Default takeover of absolute controls without a motor (default pickup).' }),
  mackie: mackieProfileSchema.optional().meta({ description: 'Mackie devices only.' }),
  mappings: list(mappingSchema, 'mappings').optional().meta({ description: 'Generic devices only: control -> target.' }),
}).meta({ title: 'mixhost surface profile', description: 'What a MIDI surface does: layers, buttons and, for generic devices, mappings of controls to targets.' });

// ---------------------------------------------------------------------------------------------
// The parsed types are types.ts's interfaces, exactly (a compile error here means they drifted).

type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Parsed<S extends z.ZodType> = DeepReadonly<Omit<z.infer<S>, '$schema'>>;

const deviceTypeMatches: Same<Parsed<typeof deviceFileSchema>, DeepReadonly<DeviceSpec>> = true;
const profileTypeMatches: Same<Parsed<typeof profileFileSchema>, DeepReadonly<SurfaceProfile>> = true;
void deviceTypeMatches;
void profileTypeMatches;

// ---------------------------------------------------------------------------------------------
// JSON Schema.

/** JSON Schema (draft 2020-12) of a device file. */
export function deviceJsonSchema(): object {
  return z.toJSONSchema(deviceFileSchema, { target: 'draft-2020-12', io: 'input' });
}

/** JSON Schema (draft 2020-12) of a surface profile file. */
export function profileJsonSchema(): object {
  return z.toJSONSchema(profileFileSchema, { target: 'draft-2020-12', io: 'input' });
}

/** The exact text of docs/device.schema.json. */
export function deviceSchemaText(): string {
  return `${JSON.stringify(deviceJsonSchema(), null, 2)}\n`;
}

/** The exact text of docs/surface-profile.schema.json. */
export function profileSchemaText(): string {
  return `${JSON.stringify(profileJsonSchema(), null, 2)}\n`;
}
