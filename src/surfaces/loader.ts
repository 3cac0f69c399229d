/**
 * Loads and checks the surface data: devices/*.json (what a piece of hardware is) and
 * profiles/surfaces/*.json (what the user wants it to do), and finds the device of a MIDI port.
 *
 * Every problem is a SurfaceDataError (a MixhostError) whose message starts with the file and
 * lists one line per problem, each naming the field, like the session loader:
 * `devices/x.json: 2 problems in the device` / `  controls[3].number: 200 is above 127 for cc`.
 * Codes: E_DEVICE_INVALID (a device file, or the device folder), E_PROFILE_INVALID (a profile
 * file, or the profile folder). Invalid JSON says line and column.
 *
 * Beyond the schema (device-schema.ts) the loader checks what spans fields and files: the id is
 * the file name; `mackie` is there exactly for protocol mackie and `controls` for generic; a
 * number is in range for its message; `encoding` is there exactly for encoders; no two controls
 * send the same message; a profile's device exists, its Mackie buttons exist on the unit and in
 * the Mackie note table, its mappings name existing controls, strips within the bank, known
 * roles, actions and well-formed addresses.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { MixhostError } from '../model/errors.js';
import { showValue } from '../model/session-schema.js';
import { excerpt, formatPath, lineColumn, locateJsonError } from '../model/session.js';
import { fallbackMessage, issueLines } from '../model/schema-text.js';
import { deviceFileSchema, profileFileSchema } from './device-schema.js';
import { GLOBAL_NOTES } from './mackie/notes.js';
import { ACTIONS, STRIP_ROLES, type Capability, type DeviceSpec, type GenericControl, type SurfaceProfile } from './types.js';

/** Issues listed in an error message; `issues` always holds all of them. */
const MAX_LISTED_ISSUES = 20;
/** A data file larger than this is the wrong file. */
const MAX_FILE_BYTES = 1024 * 1024;
/** Strips of a generic bank when the profile does not say. */
export const DEFAULT_BANK_WIDTH = 8;

/** A device or profile file that cannot be used. `message` lists every issue, one per line. */
export class SurfaceDataError extends MixhostError {
  readonly issues: string[];
  constructor(code: 'E_DEVICE_INVALID' | 'E_PROFILE_INVALID', origin: string, headline: string, issues: string[], detail: readonly string[] = []) {
    const listed = issues.slice(0, MAX_LISTED_ISSUES).map((l) => `  ${l}`);
    if (issues.length > MAX_LISTED_ISSUES) listed.push(`  … and ${issues.length - MAX_LISTED_ISSUES} more`);
    super(code, [`${origin}: ${headline}`, ...listed, ...detail.map((l) => `    ${l}`)].join('\n'));
    this.name = 'SurfaceDataError';
    this.issues = issues;
  }
}

export interface SurfaceData {
  readonly devices: Map<string, DeviceSpec>;
  readonly profiles: Map<string, SurfaceProfile>;
}

interface Kind {
  readonly code: 'E_DEVICE_INVALID' | 'E_PROFILE_INVALID';
  readonly noun: string;
  readonly schema: z.ZodType;
}
const DEVICE: Kind = { code: 'E_DEVICE_INVALID', noun: 'device', schema: deviceFileSchema };
const PROFILE: Kind = { code: 'E_PROFILE_INVALID', noun: 'surface profile', schema: profileFileSchema };

// ---------------------------------------------------------------------------------------------
// Where the package's files are. This module sits two levels under the package root both as
// source (src/surfaces) and compiled (dist/surfaces), so one relative URL serves both.

export function devicesDir(): string {
  return fileURLToPath(new URL('../../devices', import.meta.url));
}

export function profilesDir(): string {
  return fileURLToPath(new URL('../../profiles/surfaces', import.meta.url));
}

// ---------------------------------------------------------------------------------------------
// Text -> checked object.

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function invalid(kind: Kind, origin: string, lines: string[]): SurfaceDataError {
  return new SurfaceDataError(kind.code, origin, `${plural(lines.length, 'problem')} in the ${kind.noun}`, lines);
}


/** JSON text -> schema-checked object without `$schema`. Every failure is a SurfaceDataError. */
function parseFile(kind: Kind, text: string, origin: string): Record<string, unknown> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    const found = locateJsonError(body, `${kind.noun} object`);
    if (found) {
      const { line, column } = lineColumn(body, found.index);
      throw new SurfaceDataError(kind.code, origin, 'not valid JSON', [`line ${line}, column ${column}: ${found.reason}`], excerpt(body, found.index));
    }
    throw new SurfaceDataError(kind.code, origin, 'not valid JSON', [e instanceof Error ? e.message : String(e)]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid(kind, origin, [`${kind.noun}: the file holds ${showValue(raw)}, not a ${kind.noun} object {"id": ..., ...}`]);
  }
  const result = kind.schema.safeParse(raw, { error: (iss) => fallbackMessage(iss as Parameters<typeof fallbackMessage>[0]) });
  if (!result.success) throw invalid(kind, origin, issueLines(result.error.issues, kind.noun));
  const { $schema: _ignored, ...data } = result.data as Record<string, unknown>;
  return data;
}

/** Parse and check a device file's text; `expectId` is the file name without `.json`. */
export function parseDevice(text: string, origin = 'device', expectId?: string): DeviceSpec {
  const spec = parseFile(DEVICE, text, origin) as unknown as DeviceSpec;
  const lines = checkDevice(spec, expectId);
  if (lines.length > 0) throw invalid(DEVICE, origin, lines);
  return spec;
}

/** Parse and check a profile's text against the devices; `expectId` is the file name without `.json`. */
export function parseProfile(text: string, devices: ReadonlyMap<string, DeviceSpec>, origin = 'profile', expectId?: string): SurfaceProfile {
  const profile = parseFile(PROFILE, text, origin) as unknown as SurfaceProfile;
  const lines = checkProfile(profile, devices, expectId);
  if (lines.length > 0) throw invalid(PROFILE, origin, lines);
  return profile;
}

// ---------------------------------------------------------------------------------------------
// Device checks.

/** Highest `number` of each message (cc14: the MSB's controller). */
const NUMBER_MAX: Record<GenericControl['message'], number | undefined> = {
  cc: 127,
  cc14: 31,
  nrpn: 16383,
  nrpn14: 16383,
  note: 127,
  pitchbend: undefined,
  program: undefined,
};
/** Controllers an NRPN control uses: parameter number MSB/LSB, data entry MSB/LSB. */
const NRPN_CCS = [99, 98, 6, 38];
/** Capabilities that only make sense with another one. */
const NEEDS: ReadonlyArray<readonly [Capability, Capability]> = [
  ['separateMeters', 'meters'],
  ['colorScribble', 'lcd'],
];
/** What a control with `feedback` needs the device to have, by kind. */
const FEEDBACK_CAPABILITY: Record<GenericControl['kind'], Capability> = {
  button: 'ledFeedback',
  knob: 'ringFeedback',
  encoder: 'ringFeedback',
  fader: 'motorFaders',
};

const q = (s: string): string => JSON.stringify(s);

/** The problems of a schema-valid device beyond its schema, one line each. */
export function checkDevice(spec: DeviceSpec, expectId?: string): string[] {
  const lines: string[] = [];
  if (expectId !== undefined && spec.id !== expectId) lines.push(`id: ${q(spec.id)} differs from the file name ${expectId}.json`);

  const seenCaps = new Set<string>();
  spec.capabilities.forEach((c, i) => {
    if (seenCaps.has(c)) lines.push(`capabilities[${i}]: ${q(c)} is listed twice`);
    seenCaps.add(c);
  });
  for (const [cap, needs] of NEEDS) {
    if (seenCaps.has(cap) && !seenCaps.has(needs)) lines.push(`capabilities: ${q(cap)} needs ${q(needs)}`);
  }
  const seenPorts = new Set<string>();
  spec.ports.forEach((p, i) => {
    if (seenPorts.has(p.toLowerCase())) lines.push(`ports[${i}]: ${q(p)} is listed twice`);
    seenPorts.add(p.toLowerCase());
  });

  if (spec.protocol === 'mackie') {
    if (spec.mackie === undefined) lines.push('mackie: missing, a device with protocol "mackie" needs its Mackie facts {"model", "role", "strips", "buttons"}');
    if (spec.controls !== undefined) lines.push('controls: only for protocol "generic" (the Mackie protocol fixes the controls)');
  } else {
    if (spec.mackie !== undefined) lines.push('mackie: only for protocol "mackie"');
    if (spec.controls === undefined) lines.push('controls: missing, a generic device lists its controls (an empty list for a learn-only device)');
  }
  if (spec.mackie !== undefined) lines.push(...checkMackieSpec(spec));
  if (spec.controls !== undefined) lines.push(...checkControls(spec.controls, seenCaps));
  return lines;
}

function checkMackieSpec(spec: DeviceSpec): string[] {
  const m = spec.mackie!;
  const lines: string[] = [];
  const seen = new Set<string>();
  m.buttons.forEach((b, i) => {
    if (GLOBAL_NOTES[b] === undefined) lines.push(`mackie.buttons[${i}]: ${q(b)} is not a Mackie button name (see src/surfaces/mackie/notes.ts, e.g. "bank-left", "flip")`);
    else if (seen.has(b)) lines.push(`mackie.buttons[${i}]: ${q(b)} is listed twice`);
    seen.add(b);
  });
  if (m.role === 'extender') {
    if (m.buttons.length > 0) lines.push('mackie.buttons: an extender has no global buttons; leave the list empty');
    if (spec.capabilities.includes('masterFader')) lines.push('capabilities: an extender has no master fader ("masterFader")');
  }
  return lines;
}

function checkControls(controls: readonly GenericControl[], caps: ReadonlySet<string>): string[] {
  const lines: string[] = [];
  const ids = new Map<string, number>();
  const sends = new Map<string, number>();
  const nrpnChannels = new Set(controls.filter((c) => c.message === 'nrpn' || c.message === 'nrpn14').map((c) => c.channel));
  controls.forEach((c, i) => {
    const at = `controls[${i}]`;
    const first = ids.get(c.id);
    if (first !== undefined) lines.push(`${at}.id: ${q(c.id)} is already the id of controls[${first}]`);
    else ids.set(c.id, i);

    const max = NUMBER_MAX[c.message];
    if (max === undefined && c.number !== undefined) lines.push(`${at}.number: a ${c.message} control has no number; leave it out`);
    if (max !== undefined && c.number === undefined) lines.push(`${at}.number: missing, a ${c.message} control needs its ${c.message === 'note' ? 'note' : c.message.startsWith('nrpn') ? 'parameter' : 'controller'} number (0..${max})`);
    if (max !== undefined && c.number !== undefined && c.number > max) lines.push(`${at}.number: ${c.number} is above ${max} for ${c.message}`);

    if (c.kind === 'encoder' && c.encoding === undefined) lines.push(`${at}.encoding: missing, an encoder needs its encoding (twos-complement, binary-offset, sign-magnitude or sign-magnitude-positive)`);
    if (c.kind !== 'encoder' && c.encoding !== undefined) lines.push(`${at}.encoding: only for encoders (this is a ${c.kind})`);
    for (const key of ['latching', 'ledOn', 'ledOff'] as const) {
      if (c[key] !== undefined && c.kind !== 'button') lines.push(`${at}.${key}: only for buttons (this is a ${c.kind})`);
    }
    if (c.kind === 'button' && c.feedback !== true && (c.ledOn !== undefined || c.ledOff !== undefined)) lines.push(`${at}: ledOn/ledOff need "feedback": true`);
    if (c.feedback === true && !caps.has(FEEDBACK_CAPABILITY[c.kind])) lines.push(`${at}.feedback: a ${c.kind} with feedback needs the capability ${q(FEEDBACK_CAPABILITY[c.kind])}`);

    for (const key of messageKeys(c)) {
      const other = sends.get(key);
      if (other !== undefined && other !== i) lines.push(`${at}: ${describeKey(key)} is also sent by controls[${other}] (${controls[other].id})`);
      else sends.set(key, i);
    }
    if ((c.message === 'cc' || c.message === 'cc14') && c.number !== undefined && nrpnChannels.has(c.channel)) {
      const used = c.message === 'cc14' ? [c.number, c.number + 32] : [c.number];
      const clash = used.find((n) => NRPN_CCS.includes(n));
      if (clash !== undefined) lines.push(`${at}: CC ${clash} on channel ${c.channel} carries the NRPN messages of this device`);
    }
  });
  return lines;
}

/** The incoming messages a control claims, as keys `cc:channel:number`, `note:…`, `pb:channel`. */
function messageKeys(c: GenericControl): string[] {
  const n = c.number ?? 0;
  switch (c.message) {
    case 'cc':
      return [`cc:${c.channel}:${n}`];
    case 'cc14':
      return [`cc:${c.channel}:${n}`, `cc:${c.channel}:${n + 32}`];
    case 'nrpn':
    case 'nrpn14':
      return [`nrpn:${c.channel}:${n}`];
    case 'note':
      return [`note:${c.channel}:${n}`];
    case 'pitchbend':
      return [`pb:${c.channel}`];
    case 'program':
      return [`program:${c.channel}`];
  }
}

function describeKey(key: string): string {
  const [type, ch, n] = key.split(':');
  const what = { cc: `CC ${n}`, nrpn: `NRPN ${n}`, note: `note ${n}`, pb: 'pitch bend', program: 'program change' }[type] ?? key;
  return `${what} on channel ${ch}`;
}

// ---------------------------------------------------------------------------------------------
// Profile checks.

const STRIP_TARGET = /^strip:([0-9]+):([a-z]+)$/;
const ADDRESS = /^[a-z0-9]+(?:\/[a-z0-9]+)*$/;
const ACTION_SET: ReadonlySet<string> = new Set(ACTIONS);
const ROLE_SET: ReadonlySet<string> = new Set(STRIP_ROLES);

/** The problems of a schema-valid profile beyond its schema, one line each. */
export function checkProfile(p: SurfaceProfile, devices: ReadonlyMap<string, DeviceSpec>, expectId?: string): string[] {
  const lines: string[] = [];
  if (expectId !== undefined && p.id !== expectId) lines.push(`id: ${q(p.id)} differs from the file name ${expectId}.json`);
  if (p.id.endsWith('.default') && p.id !== defaultProfileId(p.device)) {
    lines.push(`id: ${q(p.id)} is a default profile, so it must be ${q(defaultProfileId(p.device))} for device ${q(p.device)}`);
  }
  const device = devices.get(p.device);
  if (device === undefined) {
    lines.push(`device: ${q(p.device)} is not a known device (known: ${[...devices.keys()].sort().join(', ')})`);
    return lines;
  }
  if (device.protocol === 'mackie') {
    if (p.mackie === undefined) lines.push(`mackie: missing, a profile for the Mackie device ${q(device.id)} says what its buttons do {"buttons": {...}}`);
    if (p.mappings !== undefined) lines.push(`mappings: only for generic devices (${q(device.id)} speaks Mackie Control; use mackie.buttons)`);
    if (p.bank !== undefined) lines.push('bank: only for generic devices (the Mackie driver counts its units\' strips; use mackie.startLayer)');
  } else {
    if (p.mackie !== undefined) lines.push(`mackie: only for Mackie devices (${q(device.id)} is a generic device; use mappings)`);
  }
  if (p.mackie !== undefined && device.protocol === 'mackie') lines.push(...checkMackieProfile(p, device));
  if (p.mappings !== undefined && device.protocol === 'generic') lines.push(...checkMappings(p, device));
  return lines;
}

function checkMackieProfile(p: SurfaceProfile, device: DeviceSpec): string[] {
  const m = p.mackie!;
  const lines: string[] = [];
  const has = new Set(device.mackie?.buttons ?? []);
  for (const name of Object.keys(m.buttons)) {
    const at = formatPath(['mackie', 'buttons', name]);
    if (GLOBAL_NOTES[name] === undefined) lines.push(`${at}: ${q(name)} is not a Mackie button name (see src/surfaces/mackie/notes.ts)`);
    else if (!has.has(name)) lines.push(`${at}: ${device.name} has no ${q(name)} button (its buttons: ${[...has].join(', ') || 'none'})`);
  }
  if (m.meters === true && !device.capabilities.includes('meters')) lines.push(`mackie.meters: ${device.name} has no meters`);
  if ((m.timecode === 'loudness' || m.timecode === 'clock') && !device.capabilities.includes('timecodeDisplay')) {
    lines.push(`mackie.timecode: ${device.name} has no time-code display; leave it out or say "off"`);
  }
  return lines;
}

function checkMappings(p: SurfaceProfile, device: DeviceSpec): string[] {
  const lines: string[] = [];
  const controls = new Map((device.controls ?? []).map((c) => [c.id, c]));
  const width = p.bank?.width ?? DEFAULT_BANK_WIDTH;
  const mapped = new Map<string, number>();
  (p.mappings ?? []).forEach((m, i) => {
    const at = `mappings[${i}]`;
    const c = controls.get(m.control);
    if (c === undefined) {
      const known = [...controls.keys()];
      const shown = known.length > 12 ? `${known.slice(0, 12).join(', ')}, …` : known.join(', ');
      lines.push(`${at}.control: ${q(m.control)} is not a control of ${device.id} (${known.length === 0 ? 'it declares none: learn only' : `controls: ${shown}`})`);
    }
    const first = mapped.get(m.control);
    if (first !== undefined) lines.push(`${at}.control: ${q(m.control)} is already mapped by mappings[${first}]`);
    else mapped.set(m.control, i);

    lines.push(...checkTarget(m.target, width, c, `${at}.target`));
    if (c !== undefined) {
      if (m.button !== undefined && c.kind !== 'button') lines.push(`${at}.button: only for buttons (${m.control} is a ${c.kind})`);
      if (m.takeover !== undefined && c.kind !== 'fader' && c.kind !== 'knob') lines.push(`${at}.takeover: only for faders and knobs (${m.control} is a ${c.kind})`);
      if (m.step !== undefined && c.kind !== 'encoder') lines.push(`${at}.step: only for encoders (${m.control} is a ${c.kind})`);
    }
    if (m.min !== undefined && m.max !== undefined && m.min === m.max) lines.push(`${at}: min and max are both ${m.min}; the control would do nothing`);
  });
  return lines;
}

function checkTarget(target: string, width: number, c: GenericControl | undefined, at: string): string[] {
  if (target.startsWith('action:')) {
    const name = target.slice('action:'.length);
    if (!ACTION_SET.has(name)) return [`${at}: ${q(name)} is not an action (actions: ${ACTIONS.join(', ')})`];
    if (c !== undefined && c.kind !== 'button') return [`${at}: an action needs a button (${c.id} is a ${c.kind})`];
    return [];
  }
  if (target.startsWith('strip:')) {
    const m = STRIP_TARGET.exec(target);
    if (m === null) return [`${at}: ${q(target)} is not a strip target "strip:N:ROLE" (e.g. "strip:1:fader")`];
    const n = Number(m[1]);
    const lines: string[] = [];
    if (n < 1 || n > width) lines.push(`${at}: strip ${n} is past the bank width ${width} (strips 1..${width})`);
    if (!ROLE_SET.has(m[2])) lines.push(`${at}: ${q(m[2])} is not a strip role (roles: ${STRIP_ROLES.join(', ')})`);
    return lines;
  }
  if (!ADDRESS.test(target)) return [`${at}: ${q(target)} is neither "strip:N:ROLE", "action:NAME" nor a parameter address like "master/fader"`];
  return [];
}

// ---------------------------------------------------------------------------------------------
// Files.

async function readText(kind: Kind, path: string): Promise<string> {
  try {
    const info = await stat(path);
    if (info.size > MAX_FILE_BYTES) throw new SurfaceDataError(kind.code, path, `cannot read the ${kind.noun} file`, [`${(info.size / 1048576).toFixed(1)} MB is too large for a ${kind.noun} file`]);
    return await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof SurfaceDataError) throw e;
    throw new SurfaceDataError(kind.code, path, `cannot read the ${kind.noun} file`, [readReason(e)]);
  }
}

function readReason(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return 'not found';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}

/** The `.json` files of a folder, sorted. */
async function jsonFiles(kind: Kind, dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new SurfaceDataError(kind.code, dir, `cannot read the ${kind.noun} folder`, [readReason(e)]);
  }
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => e.name)
    .sort();
}

/** Every device file of a folder (default: the package's devices/), by id. */
export async function loadDevices(dir: string = devicesDir()): Promise<Map<string, DeviceSpec>> {
  const devices = new Map<string, DeviceSpec>();
  const owner = new Map<string, string>();
  for (const name of await jsonFiles(DEVICE, dir)) {
    const path = join(dir, name);
    const spec = parseDevice(await readText(DEVICE, path), path, name.slice(0, -'.json'.length));
    const clashes: string[] = [];
    spec.ports.forEach((p, i) => {
      const other = owner.get(p.toLowerCase());
      if (other !== undefined) clashes.push(`ports[${i}]: ${q(p)} is also a port pattern of ${other}; equal patterns cannot tell the devices apart`);
    });
    if (clashes.length > 0) throw invalid(DEVICE, path, clashes);
    for (const p of spec.ports) owner.set(p.toLowerCase(), spec.id);
    devices.set(spec.id, spec);
  }
  return devices;
}

/** Every profile of a folder (default: the package's profiles/surfaces/), checked against the devices (default: loadDevices()). */
export async function loadProfiles(dir: string = profilesDir(), devices?: ReadonlyMap<string, DeviceSpec>): Promise<Map<string, SurfaceProfile>> {
  const known = devices ?? (await loadDevices());
  const profiles = new Map<string, SurfaceProfile>();
  for (const name of await jsonFiles(PROFILE, dir)) {
    const path = join(dir, name);
    const profile = parseProfile(await readText(PROFILE, path), known, path, name.slice(0, -'.json'.length));
    profiles.set(profile.id, profile);
  }
  return profiles;
}

/** Devices and profiles together; every device must have its default profile (`<device>.default`). */
export async function loadSurfaceData(opts: { devicesDir?: string; profilesDir?: string } = {}): Promise<SurfaceData> {
  const ddir = opts.devicesDir ?? devicesDir();
  const devices = await loadDevices(ddir);
  const profiles = await loadProfiles(opts.profilesDir ?? profilesDir(), devices);
  for (const id of devices.keys()) {
    if (!profiles.has(defaultProfileId(id))) {
      throw new SurfaceDataError('E_DEVICE_INVALID', join(ddir, `${id}.json`), 'the device has no default profile', [`expected ${defaultProfileId(id)}.json in the profile folder`]);
    }
  }
  return { devices, profiles };
}

/** Id of a device's default profile: `<device>.default`. */
export function defaultProfileId(deviceId: string): string {
  return `${deviceId}.default`;
}

/** A device's default profile, if there is one. */
export function defaultProfile(deviceId: string, profiles: ReadonlyMap<string, SurfaceProfile>): SurfaceProfile | undefined {
  return profiles.get(defaultProfileId(deviceId));
}

/**
 * The device a port belongs to: the one with the longest of its `ports` patterns found in the
 * name (case-insensitive), so "X-Touch-Ext" picks the extender over the X-Touch's "x-touch".
 * Equal lengths (never two equal patterns: loadDevices refuses them) go to the lower device id.
 */
export function matchDevice(portName: string, devices: ReadonlyMap<string, DeviceSpec>): DeviceSpec | undefined {
  const name = portName.toLowerCase();
  let best: DeviceSpec | undefined;
  let bestLength = 0;
  for (const d of [...devices.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    for (const p of d.ports) {
      if (p.length > bestLength && name.includes(p.toLowerCase())) {
        best = d;
        bestLength = p.length;
      }
    }
  }
  return best;
}
