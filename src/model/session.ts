/**
 * Session files: parsing with readable errors, the layout a session needs, and applying a session
 * to the parameter table (and reading one back for saving). The schema itself is built in
 * session-schema.ts from the parameter descriptors.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { AUX_BUSES, FX_BUSES, GROUPS, VCAS, type MixLayout } from './layout.js';
import { EQ_BANDS } from './params.js';
import { MixhostError, type ParamRegistry } from './registry.js';
import { applyBindings, readBindings } from './bindings.js';
import { applyChain, readChain, sessionChains } from './session-master.js';
export * from './session-master.js';
import {
  BUS_BINDINGS,
  CHANNEL_BINDINGS,
  DELAY_BINDINGS,
  EQ_BAND_BINDINGS,
  MASTER_BINDINGS,
  MONITOR_BINDINGS,
  REVERB_BINDINGS,
  SEND_BINDINGS,
  SESSION_FORMAT,
  SESSION_VERSION,
  SUPPORTED_SESSION_VERSIONS,
  VCA_BINDINGS,
  buildSessionSchema,
  fromTableValue,
  showValue,
  toTableValue,
  type AnyBindings,
  type Session,
  type SessionBus,
  type SessionChannel,
  type SessionFx,
  type SessionSource,
  type SessionVca,
} from './session-schema.js';

export * from './session-schema.js';

/** Issues listed in an error message; the `issues` array always holds all of them. */
const MAX_LISTED_ISSUES = 20;
/** A session file larger than this is almost certainly the wrong file (a WAV, say). */
const MAX_SESSION_BYTES = 16 * 1024 * 1024;

/**
 * A session that cannot be used. Codes: `E_SESSION_JSON`, `E_SESSION_FORMAT`,
 * `E_SESSION_INVALID`, `E_SESSION_READ`, `E_SESSION_LAYOUT` (the session does not fit the
 * registry it is applied to). `message` lists every issue, one per line.
 */
export class SessionError extends MixhostError {
  readonly issues: string[];
  constructor(code: string, origin: string, headline: string, issues: string[], detail: readonly string[] = []) {
    const listed = issues.slice(0, MAX_LISTED_ISSUES).map((l) => `  ${l}`);
    if (issues.length > MAX_LISTED_ISSUES) listed.push(`  … and ${issues.length - MAX_LISTED_ISSUES} more`);
    super(code, [`${origin}: ${headline}`, ...listed, ...detail.map((l) => `    ${l}`)].join('\n'));
    this.name = 'SessionError';
    this.issues = issues;
  }
}

/** The schema, built once from the descriptors; immutable. */
const SCHEMA = buildSessionSchema();

// ---------------------------------------------------------------------------------------------
// Paths and messages.

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['channels', 3, 'eq', 1, 'freq']` -> `channels[3].eq[1].freq`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (typeof k === 'string' && IDENT.test(k)) out += out === '' ? k : `.${k}`;
    else out += `[${JSON.stringify(String(k))}]`;
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** Messages for issues no schema gave its own text (a safety net; the schema covers the rest). */
function fallbackMessage(iss: { code?: string; input?: unknown; expected?: string; maximum?: unknown; minimum?: unknown }): string {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined ? `missing, expected ${iss.expected}` : `expected ${iss.expected}, got ${showValue(iss.input)}`;
    case 'too_big':
      return `${showValue(iss.input)} is above the maximum ${String(iss.maximum)}`;
    case 'too_small':
      return `${showValue(iss.input)} is below the minimum ${String(iss.minimum)}`;
    default:
      return `${showValue(iss.input)} is not allowed here`;
  }
}

const FX_FIELDS: Record<string, ReadonlySet<string>> = {
  reverb: new Set(Object.keys(REVERB_BINDINGS)),
  delay: new Set(Object.keys(DELAY_BINDINGS)),
};

/** Why a key is unknown, when there is a useful reason to give. */
function unknownKeyHint(path: readonly PropertyKey[], key: string, raw: unknown): string {
  if (path.length === 2 && path[0] === 'fx') {
    const type = (valueAt(raw, path) as { type?: unknown } | undefined)?.type;
    const other = type === 'reverb' ? 'delay' : type === 'delay' ? 'reverb' : undefined;
    if (other && FX_FIELDS[other].has(key)) return ` (${key} is a ${other} setting; this entry is a ${String(type)})`;
  }
  return '';
}

/** One line per problem: `<path>: <what is wrong>`. */
function issueLines(issues: readonly z.core.$ZodIssue[], raw: unknown): string[] {
  const lines: string[] = [];
  for (const iss of issues) {
    const path = iss.path as PropertyKey[];
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) lines.push(`${formatPath([...path, key])}: unknown field${unknownKeyHint(path, key, raw)}`);
    } else if (iss.code === 'invalid_union' && 'options' in iss) {
      // A discriminated union whose discriminator is missing or unknown (fx[].type).
      const options = (iss as unknown as { options: unknown[] }).options.join(', ');
      const v = valueAt(raw, path);
      lines.push(`${formatPath(path)}: ${v === undefined ? `missing, expected one of ${options}` : `${showValue(v)} is not one of ${options}`}`);
    } else {
      lines.push(`${formatPath(path) || 'session'}: ${iss.message}`);
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// JSON syntax errors: V8's messages differ between Node versions and some carry no position,
// so a small scanner finds the first error itself and says what is wrong in plain words.

class ScanError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

const describeChar = (c: string | undefined): string =>
  c === undefined ? 'the end of the file' : c === '\n' || c === '\r' ? 'a line break' : `'${c}'`;

/**
 * Position and reason of the first JSON syntax error, or undefined if none is found. `what`
 * names the top-level value in the message about text after its end.
 */
export function locateJsonError(s: string, what = 'session object'): { index: number; reason: string } | undefined {
  let i = 0;
  const fail = (reason: string, at = i): never => {
    throw new ScanError(at, reason);
  };
  const ws = (): void => {
    for (;;) {
      const c = s[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else if (c === '/' && (s[i + 1] === '/' || s[i + 1] === '*')) fail('comments are not allowed in JSON');
      else return;
    }
  };
  const str = (): void => {
    const start = i++;
    for (;;) {
      const c = s[i];
      if (c === undefined) fail('unterminated string', start);
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = s[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) i += 6;
        else fail(`invalid escape '\\${e ?? ''}' in a string`);
      } else if (c.charCodeAt(0) < 0x20) fail('line break or control character inside a string (write \\n)');
      else i++;
    }
  };
  const NUM = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const value = (depth: number): void => {
    if (depth > 512) throw new RangeError('too deep');
    ws();
    const c = s[i];
    if (c === undefined) fail('unexpected end of the file, expected a value');
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      const what = c === '{' ? 'object' : 'list';
      i++;
      ws();
      if (s[i] === close) {
        i++;
        return;
      }
      let comma = -1;
      for (;;) {
        ws();
        if (s[i] === close && comma >= 0) fail(`trailing comma before '${close}' is not allowed in JSON`, comma);
        if (c === '{') {
          if (s[i] !== '"') fail(s[i] === "'" ? 'property names need double quotes' : `expected a property name in double quotes, found ${describeChar(s[i])}`);
          str();
          ws();
          if (s[i] !== ':') fail(`expected ':' after the property name, found ${describeChar(s[i])}`);
          i++;
        }
        value(depth + 1);
        const end = i;
        ws();
        if (s[i] === ',') {
          comma = i++;
          continue;
        }
        if (s[i] === close) {
          i++;
          return;
        }
        const after = c === '{' ? 'a property value' : 'a list entry';
        if (s[i] === undefined) fail(`unexpected end of the file inside an ${what} (missing '${close}')`);
        // Another value on a later line: the comma at the end of this one is missing.
        if (/[\n\r]/.test(s.slice(end, i)) && /["{[\-0-9tfn]/.test(s[i])) fail(`missing ',' after ${after}`, end);
        fail(`expected ',' or '${close}' after ${after}, found ${describeChar(s[i])}`);
      }
    }
    if (c === '"') return str();
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUM.lastIndex = i;
      const m = NUM.exec(s);
      if (!m || /[0-9.eE+-]/.test(s[i + m[0].length] ?? '')) fail('invalid number');
      i += m![0].length;
      return;
    }
    for (const lit of ['true', 'false', 'null']) {
      if (s.startsWith(lit, i)) {
        i += lit.length;
        return;
      }
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i, i + 40));
    if (word) fail(`unknown word '${word[0]}' (a value is true, false, null, a number, a "string", an object or a list)`);
    fail(c === "'" ? 'strings need double quotes' : `unexpected ${describeChar(c)}, expected a value`);
  };
  try {
    value(0);
    ws();
    if (i < s.length) fail(`unexpected text after the end of the ${what}`);
    return undefined;
  } catch (e) {
    if (e instanceof ScanError) return { index: e.index, reason: e.message };
    return undefined;
  }
}

export function lineColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let k = 0; k < index && k < text.length; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      start = k + 1;
    }
  }
  return { line, column: index - start + 1 };
}

/** The offending line with a caret under the column, shortened around it if long. */
export function excerpt(text: string, index: number): string[] {
  const { line, column } = lineColumn(text, index);
  const src = (text.split('\n')[line - 1] ?? '').replace(/[\t\r]/g, ' ');
  const from = Math.max(0, column - 50);
  const shown = (from > 0 ? '…' : '') + src.slice(from, from + 80);
  return [shown, `${' '.repeat(column - 1 - from + (from > 0 ? 1 : 0))}^`];
}

function jsonError(text: string, origin: string, v8: unknown): SessionError {
  const found = locateJsonError(text);
  if (found) {
    const { line, column } = lineColumn(text, found.index);
    return new SessionError('E_SESSION_JSON', origin, 'not valid JSON', [`line ${line}, column ${column}: ${found.reason}`], excerpt(text, found.index));
  }
  // The scanner agreed with nothing: fall back on the engine's message and its position.
  const msg = v8 instanceof Error ? v8.message : String(v8);
  const pos = /position (\d+)/.exec(msg);
  const at = pos ? Number(pos[1]) : /end of JSON input/.test(msg) ? text.length : undefined;
  if (at !== undefined) {
    const { line, column } = lineColumn(text, at);
    return new SessionError('E_SESSION_JSON', origin, 'not valid JSON', [`line ${line}, column ${column}: ${msg}`]);
  }
  return new SessionError('E_SESSION_JSON', origin, 'not valid JSON', [msg]);
}

// ---------------------------------------------------------------------------------------------
// Parsing.

/**
 * Migrations from version n to n + 1, applied in turn on load. Version 1 is the first, so
 * there are none yet; a version 2 adds `[1, migrate1to2]` here.
 */
const MIGRATIONS: ReadonlyMap<number, (raw: Record<string, unknown>) => Record<string, unknown>> = new Map();

function checkFormat(raw: unknown, origin: string): Record<string, unknown> {
  const versions = SUPPORTED_SESSION_VERSIONS.join(', ');
  const bad = (line: string) => new SessionError('E_SESSION_FORMAT', origin, 'not a mixhost session', [line]);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw bad(`session: the file holds ${showValue(raw)}, not a session object {"format": "${SESSION_FORMAT}", ...}`);
  }
  let obj = raw as Record<string, unknown>;
  if (obj.format !== SESSION_FORMAT) {
    throw bad(obj.format === undefined ? `format: missing, expected "${SESSION_FORMAT}"` : `format: ${showValue(obj.format)} is not "${SESSION_FORMAT}"`);
  }
  const v = obj.version;
  if (typeof v !== 'number' || !SUPPORTED_SESSION_VERSIONS.includes(v)) {
    const what = v === undefined ? 'missing' : typeof v === 'number' && v > SESSION_VERSION ? `${v} is newer than this mixhost reads` : `${showValue(v)} is not a known version`;
    throw new SessionError('E_SESSION_FORMAT', origin, 'unsupported session version', [`version: ${what} (supported versions: ${versions})`]);
  }
  for (let n = v; n < SESSION_VERSION; n++) {
    const step = MIGRATIONS.get(n);
    if (!step) throw new SessionError('E_SESSION_FORMAT', origin, 'unsupported session version', [`version: no migration from ${n} (supported versions: ${versions})`]);
    obj = step(obj);
  }
  return obj;
}

/** Parse and validate session text. Every failure is a SessionError; nothing else escapes. */
export function parseSession(text: string, origin = 'session'): Session {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    throw jsonError(body, origin, e);
  }
  const obj = checkFormat(raw, origin);
  const result = SCHEMA.safeParse(obj, { error: (iss) => fallbackMessage(iss as Parameters<typeof fallbackMessage>[0]) });
  if (!result.success) {
    const lines = issueLines(result.error.issues, obj);
    throw new SessionError('E_SESSION_INVALID', origin, `${lines.length} problem${lines.length === 1 ? '' : 's'} in the session`, lines);
  }
  return result.data;
}

/** Read and parse a session file; read failures are E_SESSION_READ. */
export async function loadSessionFile(path: string): Promise<Session> {
  const readFailure = (e: unknown): SessionError => {
    const code = (e as { code?: string }).code;
    const what =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'this is a directory, not a session file'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : e instanceof Error
              ? e.message
              : String(e);
    return new SessionError('E_SESSION_READ', path, 'cannot read the session file', [what]);
  };
  let text: string;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    if (info.size > MAX_SESSION_BYTES) {
      throw new SessionError('E_SESSION_READ', path, 'cannot read the session file', [`${(info.size / 1048576).toFixed(1)} MB is too large for a session file`]);
    }
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw e instanceof SessionError ? e : readFailure(e);
  }
  return parseSession(text, path);
}

/** Absolute path of a stem file named in a session: relative to the session file's folder. */
export function resolveSourcePath(sessionFile: string, file: string): string {
  return isAbsolute(file) ? file : resolve(dirname(sessionFile), file);
}

/**
 * Which file channels (0-based) feed each side of a channel: one list per side (one side for
 * mono, two for stereo); the channels of a side are averaged. With `channel` given, a mono
 * strip takes that channel and a stereo strip that one and the next. Without it, a mono strip
 * takes the average of all the file's channels, a stereo strip the first two (a mono file feeds
 * both sides). Throws E_SESSION_INVALID when the file lacks the channels asked for.
 */
export function pickSourceChannels(stereo: boolean, fileChannels: number, channel?: number, path = 'source.channel'): number[][] {
  if (channel === undefined) {
    if (!stereo) return [Array.from({ length: fileChannels }, (_, k) => k)];
    return fileChannels === 1 ? [[0], [0]] : [[0], [1]];
  }
  const last = stereo ? channel + 1 : channel;
  if (last > fileChannels) {
    const need = stereo ? `a stereo channel takes channels ${channel} and ${channel + 1}` : `it asks for channel ${channel}`;
    const line = `${path}: the file has ${fileChannels} channel${fileChannels === 1 ? '' : 's'}, but ${need}`;
    throw new SessionError('E_SESSION_INVALID', 'session', '1 problem in the session', [line]);
  }
  return stereo ? [[channel - 1], [channel]] : [[channel - 1]];
}

// ---------------------------------------------------------------------------------------------
// Layout, apply and save.

/** The mix layout a session needs: its channels' stereo flags and its FX kinds. */
export function sessionLayout(session: Session): MixLayout {
  return {
    channels: session.channels.map((c) => ({ stereo: c.stereo === true })),
    auxBuses: AUX_BUSES,
    fxBuses: FX_BUSES.map((kind, i) => session.fx?.[i]?.type ?? kind),
    groups: GROUPS,
    vcas: VCAS,
    masterChains: sessionChains(session.outputs),
  };
}

/** Problems that make a (valid) session not fit a registry built for another layout. */
function layoutMismatches(session: Session, layout: MixLayout): string[] {
  const out: string[] = [];
  if (session.channels.length > layout.channels.length) out.push(`channels: the session has ${session.channels.length} channels, the mixer ${layout.channels.length}`);
  session.fx?.forEach((fx, i) => {
    const kind = layout.fxBuses[i];
    if (fx.type !== kind) out.push(`fx[${i}].type: "${fx.type}", but the mixer's FX ${i + 1} is ${kind === undefined ? 'missing' : `a ${kind}`}`);
  });
  const counts: Array<[string, number, number]> = [
    ['buses', session.buses?.length ?? 0, layout.auxBuses],
    ['groups', session.groups?.length ?? 0, layout.groups],
    ['vcas', session.vcas?.length ?? 0, layout.vcas],
  ];
  for (const [key, n, have] of counts) if (n > have) out.push(`${key}: the session has ${n}, the mixer ${have}`);
  const chains = sessionChains(session.outputs);
  if (chains > layout.masterChains) out.push(`outputs: the session has ${chains - 1} extra master chains, the mixer ${layout.masterChains - 1}`);
  session.channels.forEach((c, i) => {
    c.sends?.forEach((s, j) => s.bus > layout.auxBuses && out.push(`channels[${i}].sends[${j}].bus: the mixer has ${layout.auxBuses} aux buses`));
    c.fxSends?.forEach((s, j) => s.fx > layout.fxBuses.length && out.push(`channels[${i}].fxSends[${j}].fx: the mixer has ${layout.fxBuses.length} FX buses`));
    c.groups?.forEach((g, j) => g > layout.groups && out.push(`channels[${i}].groups[${j}]: the mixer has ${layout.groups} groups`));
    c.vcas?.forEach((v, j) => v > layout.vcas && out.push(`channels[${i}].vcas[${j}]: the mixer has ${layout.vcas} VCAs`));
  });
  return out;
}

/**
 * Set the table to the session: every parameter first returns to its default, then every
 * value the session gives is written (so a field the file leaves out has its default, whatever
 * the table held before). The registry should be built from `sessionLayout(session)`; a
 * registry that cannot hold the session gives E_SESSION_LAYOUT.
 */
export function applySession(session: Session, registry: ParamRegistry, table: Float64Array): void {
  if (table.length !== registry.size) {
    throw new SessionError('E_SESSION_LAYOUT', 'session', 'does not fit the mixer', [`the table has ${table.length} values, the registry ${registry.size}`]);
  }
  const mismatches = layoutMismatches(session, registry.layout);
  if (mismatches.length > 0) throw new SessionError('E_SESSION_LAYOUT', 'session', 'does not fit the mixer', mismatches);
  registry.descriptors.forEach((d, i) => (table[i] = d.default));
  const b = (x: object) => x as unknown as AnyBindings;
  session.channels.forEach((ch, i) => {
    const c = `ch/${i + 1}/`;
    applyBindings(b(CHANNEL_BINDINGS), ch, registry, table, c);
    ch.eq?.forEach((band, k) => applyBindings(b(EQ_BAND_BINDINGS), band, registry, table, `${c}eq/${k + 1}/`));
    ch.sends?.forEach((s) => applyBindings(b(SEND_BINDINGS), s, registry, table, `${c}send/${s.bus}/`));
    ch.fxSends?.forEach((s) => applyBindings(b(SEND_BINDINGS), s, registry, table, `${c}fx/${s.fx}/`));
    ch.groups?.forEach((g) => registry.set(table, `${c}group/${g}`, 1));
    ch.vcas?.forEach((v) => registry.set(table, `${c}vca/${v}`, 1));
  });
  session.buses?.forEach((bus, i) => applyBindings(b(BUS_BINDINGS), bus, registry, table, `bus/${i + 1}/`));
  session.fx?.forEach((fx, i) => applyBindings(b(fx.type === 'reverb' ? REVERB_BINDINGS : DELAY_BINDINGS), fx, registry, table, `fx/${i + 1}/`));
  session.groups?.forEach((g, i) => applyBindings(b(BUS_BINDINGS), g, registry, table, `group/${i + 1}/`));
  session.vcas?.forEach((v, i) => applyBindings(b(VCA_BINDINGS), v, registry, table, `vca/${i + 1}/`));
  applyBindings(b(MASTER_BINDINGS), session.master, registry, table, 'master/');
  applyBindings(b(MONITOR_BINDINGS), session.monitor, registry, table, 'monitor/');
  applyChain(session.master?.chain, 1, registry, table);
  session.outputs?.forEach((o, i) => applyChain(o, i + 2, registry, table));
}

/** What the table does not hold: names, colours, sources and render settings. */
export interface SessionMeta {
  name?: string;
  sampleRate?: number;
  tailSeconds?: number;
  channels?: ReadonlyArray<{ name?: string; color?: string; source?: SessionSource } | undefined>;
  buses?: ReadonlyArray<{ name?: string } | undefined>;
  fx?: ReadonlyArray<{ name?: string } | undefined>;
  groups?: ReadonlyArray<{ name?: string } | undefined>;
  vcas?: ReadonlyArray<{ name?: string } | undefined>;
  /** Master chains: chain 1's profile, and the extra outputs' names and profiles. */
  chains?: ReadonlyArray<{ name?: string; profile?: string } | undefined>;
}

/** Copies the defined keys of `from` into a new object, in order. */
function defined<T extends object>(from: T): T {
  return Object.fromEntries(Object.entries(from).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The session for a table (for saving): every parameter of the registry is written out, so
 * the file does not depend on the defaults of the version that reads it.
 */
export function sessionFromParams(registry: ParamRegistry, table: Float64Array, meta: SessionMeta = {}): Session {
  const layout = registry.layout;
  const b = (x: object) => x as unknown as AnyBindings;
  const member = (prefix: string, n: number): number[] =>
    Array.from({ length: n }, (_, k) => k + 1).filter((k) => registry.get(table, `${prefix}${k}`) >= 0.5);
  const channels: SessionChannel[] = layout.channels.map((lc, i) => {
    const c = `ch/${i + 1}/`;
    const m = meta.channels?.[i];
    return {
      ...defined({ name: m?.name, color: m?.color }),
      stereo: lc.stereo,
      ...defined({ source: m?.source }),
      ...(readBindings(b(CHANNEL_BINDINGS), registry, table, c) as SessionChannel),
      eq: Array.from({ length: EQ_BANDS }, (_, k) => readBindings(b(EQ_BAND_BINDINGS), registry, table, `${c}eq/${k + 1}/`)),
      sends: Array.from({ length: layout.auxBuses }, (_, k) => ({ bus: k + 1, ...readBindings(b(SEND_BINDINGS), registry, table, `${c}send/${k + 1}/`) })),
      fxSends: layout.fxBuses.map((_, k) => ({ fx: k + 1, ...readBindings(b(SEND_BINDINGS), registry, table, `${c}fx/${k + 1}/`) })),
      groups: member(`${c}group/`, layout.groups),
      vcas: member(`${c}vca/`, layout.vcas),
    } as SessionChannel;
  });
  const named = <T>(list: ReadonlyArray<{ name?: string } | undefined> | undefined, i: number, body: Record<string, unknown>): T =>
    ({ ...defined({ name: list?.[i]?.name }), ...body }) as T;
  return {
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    ...defined({ name: meta.name, sampleRate: meta.sampleRate, tailSeconds: meta.tailSeconds }),
    channels,
    buses: Array.from({ length: layout.auxBuses }, (_, i) => named<SessionBus>(meta.buses, i, readBindings(b(BUS_BINDINGS), registry, table, `bus/${i + 1}/`))),
    fx: layout.fxBuses.map((kind, i) =>
      named<SessionFx>(meta.fx, i, { type: kind, ...readBindings(b(kind === 'reverb' ? REVERB_BINDINGS : DELAY_BINDINGS), registry, table, `fx/${i + 1}/`) }),
    ),
    groups: Array.from({ length: layout.groups }, (_, i) => named<SessionBus>(meta.groups, i, readBindings(b(BUS_BINDINGS), registry, table, `group/${i + 1}/`))),
    vcas: Array.from({ length: layout.vcas }, (_, i) => named<SessionVca>(meta.vcas, i, readBindings(b(VCA_BINDINGS), registry, table, `vca/${i + 1}/`))),
    master: { ...readBindings(b(MASTER_BINDINGS), registry, table, 'master/'), chain: { ...defined({ profile: meta.chains?.[0]?.profile }), ...readChain(1, registry, table) } },
    ...(layout.masterChains > 1
      ? {
          outputs: Array.from({ length: layout.masterChains - 1 }, (_, i) => ({
            ...defined({ name: meta.chains?.[i + 1]?.name, profile: meta.chains?.[i + 1]?.profile }),
            ...readChain(i + 2, registry, table),
          })),
        }
      : {}),
    monitor: readBindings(b(MONITOR_BINDINGS), registry, table, 'monitor/') as Session['monitor'],
  };
}

// ---------------------------------------------------------------------------------------------
// JSON Schema.

/** JSON Schema (draft 2020-12) of the session file, with titles, units and ranges. */
export function sessionJsonSchema(): object {
  return z.toJSONSchema(SCHEMA, { target: 'draft-2020-12', io: 'input' });
}

/** The exact text of docs/session.schema.json. */
export function sessionSchemaText(): string {
  return `${JSON.stringify(sessionJsonSchema(), null, 2)}\n`;
}
