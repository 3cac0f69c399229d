/**
 * Mastering targets and genre profiles: data files under profiles/mastering/ (one file per
 * target in targets/, one per genre in genres/), validated with zod and loaded by id or by path.
 *
 * A target says where a master must land: integrated loudness (BS.1770 programme loudness, or
 * dialogue-gated for Netflix), the tolerance around it, the true-peak ceiling, what the platform
 * does to a master that misses (turn down only, up and down, nothing, or reject/re-process: a
 * delivery spec), and where each figure comes from, with the status of the source (official,
 * secondary or folklore). A genre profile says how much dynamics the master chain keeps: the
 * three-band compressor's thresholds relative to the target loudness, the limiter release, the
 * most peak limiting the report accepts, and the live leveller's limits.
 *
 * Errors follow the session loader (session.ts): one line per problem, each naming the field
 * (`multiband.bands[1].ratio: 0.5 is below 1:1`), with stable codes E_PROFILE_READ,
 * E_PROFILE_JSON, E_PROFILE_INVALID, E_TARGET_UNKNOWN and E_GENRE_UNKNOWN (docs/errors.md).
 * The format of the files: docs/mastering-targets.md.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { MixhostError } from './registry.js';
import { showValue } from './session-schema.js';
import { bool, fallbackMessage, issueLines, oneOf, text, typeError, type ErrorFn } from './schema-text.js';
import { excerpt, lineColumn, locateJsonError } from './session.js';

export const TARGET_FORMAT = 'mixhost-mastering-target';
export const GENRE_FORMAT = 'mixhost-mastering-genre';
/** The version of both formats this build reads and writes. */
export const PROFILE_VERSION = 1;
/** How the integrated loudness is gated: BS.1770 programme loudness, or speech only (Netflix). */
export const GATING_MODES = ['programme', 'dialogue'] as const;
/**
 * What the platform does to a master: turn louder ones down only; turn down and raise quieter
 * ones (possibly limited by their peak headroom); nothing; or the figure is a delivery
 * requirement (a file outside the tolerance is rejected or re-processed).
 */
export const NORMALISATION_MODES = ['down-only', 'up-and-down', 'none', 'delivery-spec'] as const;
/** Official: the platform or standards body publishes it. Secondary: reported by third parties from a platform statement. Folklore: third-party figures or measurements only. */
export const SOURCE_STATUSES = ['official', 'secondary', 'folklore'] as const;
/** Whether `toleranceLu` is the published tolerance of the target or a mastering choice. */
export const TOLERANCE_KINDS = ['published', 'mastering'] as const;
/** The compressor bands of a genre profile: low, mid, high. */
export const MULTIBAND_BANDS = 3;

export type Gating = (typeof GATING_MODES)[number];
export type Normalisation = (typeof NORMALISATION_MODES)[number];
export type SourceStatus = (typeof SOURCE_STATUSES)[number];
export type ToleranceKind = (typeof TOLERANCE_KINDS)[number];

export interface TargetSource {
  title: string;
  url: string;
  status: SourceStatus;
  /** The words of the source that carry the figure, where useful. */
  quote?: string;
}

/** A second measurement that applies when the first cannot (Netflix: too little dialogue). */
export interface TargetFallback {
  integratedLufs: number;
  gating: Gating;
  /** When the fallback applies, in words. */
  when: string;
  /** Tolerance of the fallback; the target's own when left out. */
  toleranceLu?: number;
}

export interface MasteringTarget {
  format: typeof TARGET_FORMAT;
  version: typeof PROFILE_VERSION;
  id: string;
  name: string;
  /** Integrated loudness to land on (LUFS / LKFS). */
  integratedLufs: number;
  /** ± this many LU around `integratedLufs` counts as on target. */
  toleranceLu: number;
  toleranceKind: ToleranceKind;
  /** True-peak ceiling (dBTP). */
  truePeakDbtp: number;
  gating: Gating;
  maxShortTermLufs?: number;
  maxMomentaryLufs?: number;
  normalisation: Normalisation;
  notes: string;
  sources: TargetSource[];
  fallback?: TargetFallback;
}

/** One band of the master's multiband compressor. */
export interface GenreBand {
  /** Threshold relative to the target loudness: threshold dBFS = target LUFS + thresholdLu. */
  thresholdLu: number;
  ratio: number;
  kneeDb: number;
  attackMs: number;
  releaseMs: number;
}

export interface GenreProfile {
  format: typeof GENRE_FORMAT;
  version: typeof PROFILE_VERSION;
  id: string;
  name: string;
  description: string;
  multiband: {
    on: boolean;
    /** Low/mid and mid/high crossover frequencies (Hz), rising. */
    crossoversHz: [number, number];
    bands: [GenreBand, GenreBand, GenreBand];
  };
  limiter: { releaseMs: number };
  /** The most peak limiting (dB of gain reduction) the genre takes before the report warns. */
  maxLimitingDb: number;
  /** The live loudness leveller: how fast it rides and how far it may boost or cut. */
  leveller: { rateDbPerS: number; maxBoostDb: number; maxCutDb: number };
  /** The genre's loudness range is part of the music: the chain must not flatten it. */
  keepsRange: boolean;
}

/** Issues listed in an error message; the `issues` array always holds all of them. */
const MAX_LISTED_ISSUES = 20;
/** A profile larger than this is the wrong file. */
const MAX_PROFILE_BYTES = 1024 * 1024;
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * A profile that cannot be used. Codes: `E_PROFILE_READ`, `E_PROFILE_JSON`,
 * `E_PROFILE_INVALID`, `E_TARGET_UNKNOWN`, `E_GENRE_UNKNOWN`. `message` lists every issue, one
 * per line, after `origin: headline`.
 */
export class ProfileError extends MixhostError {
  readonly issues: string[];
  constructor(code: string, origin: string, headline: string, issues: string[], detail: readonly string[] = []) {
    const listed = issues.slice(0, MAX_LISTED_ISSUES).map((l) => `  ${l}`);
    if (issues.length > MAX_LISTED_ISSUES) listed.push(`  … and ${issues.length - MAX_LISTED_ISSUES} more`);
    super(code, [`${origin}: ${headline}`, ...listed, ...detail.map((l) => `    ${l}`)].join('\n'));
    this.name = 'ProfileError';
    this.issues = issues;
  }
}

// ---------------------------------------------------------------------------------------------
// Schemas.


/** A number within [min, max]; `unit` is appended to values in messages (`-3 LUFS`, `0.5:1`). */
function num(what: string, unit: string, min: number, max: number) {
  const show = (v: unknown) => `${showValue(v)}${unit}`;
  return z
    .number({ error: typeError(`a number (${what})`) })
    .min(min, { error: (iss) => `${show(iss.input)} is below ${show(min)}` })
    .max(max, { error: (iss) => `${show(iss.input)} is above ${show(max)}` });
}

/** A strict object whose own type error reads well; unknown keys are reported per key. */
function strict<S extends z.core.$ZodLooseShape>(shape: S, what = 'an object') {
  const te = typeError(what);
  return z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : te(iss)) });
}

const idField = z
  .string({ error: typeError('an id string') })
  .regex(ID, { error: (iss) => `${showValue(iss.input)} is not an id (lower-case letters and digits joined by single hyphens, e.g. "my-target")` });

const lufs = (what = 'LUFS') => num(what, ' LUFS', -60, 0);

function sourceSchema() {
  return strict({
    title: text(200),
    url: z
      .string({ error: typeError('a web address') })
      .regex(/^https?:\/\/\S+$/, { error: (iss) => `${showValue(iss.input)} is not a web address (http:// or https://)` }),
    status: oneOf(SOURCE_STATUSES),
    quote: text(400).optional(),
  });
}

function targetSchema(): z.ZodType<MasteringTarget> {
  const schema = strict({
    format: z.literal(TARGET_FORMAT),
    version: z.literal(PROFILE_VERSION),
    id: idField,
    name: text(64),
    integratedLufs: lufs(),
    toleranceLu: num('LU', ' LU', 0.1, 6),
    toleranceKind: oneOf(TOLERANCE_KINDS),
    truePeakDbtp: num('dBTP', ' dBTP', -12, 0),
    gating: oneOf(GATING_MODES),
    maxShortTermLufs: lufs().optional(),
    maxMomentaryLufs: lufs().optional(),
    normalisation: oneOf(NORMALISATION_MODES),
    notes: text(600),
    sources: z
      .array(sourceSchema(), { error: typeError('a list of sources') })
      .min(1, { error: () => 'at least one source is required' }),
    fallback: strict({
      integratedLufs: lufs(),
      gating: oneOf(GATING_MODES),
      when: text(200),
      toleranceLu: num('LU', ' LU', 0.1, 6).optional(),
    }).optional(),
  }).superRefine((t, ctx) => {
    for (const key of ['maxShortTermLufs', 'maxMomentaryLufs'] as const) {
      const v = t[key];
      if (v !== undefined && v < t.integratedLufs) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${v} LUFS is below the integrated target ${t.integratedLufs} LUFS` });
      }
    }
  });
  return schema as unknown as z.ZodType<MasteringTarget>;
}

function genreSchema(): z.ZodType<GenreProfile> {
  const band = strict({
    thresholdLu: num('LU relative to the target', ' LU', -30, 30),
    ratio: num('ratio n:1', ':1', 1, 20),
    kneeDb: num('dB', ' dB', 0, 24),
    attackMs: num('ms', ' ms', 0.05, 500),
    releaseMs: num('ms', ' ms', 5, 5000),
  });
  const hz = num('Hz', ' Hz', 20, 20000);
  const count = (n: number, what: string): ErrorFn => (iss) =>
    iss.code === 'too_big' || iss.code === 'too_small'
      ? `${(iss.input as unknown[]).length} ${(iss.input as unknown[]).length === 1 ? 'entry' : 'entries'}, expected ${n} ${what}`
      : typeError(`a list of ${n} ${what}`)(iss);
  const multiband = strict({
    on: bool(),
    crossoversHz: z.tuple([hz, hz], { error: count(2, 'frequencies (low/mid, mid/high)') }),
    bands: z.tuple([band, band, band], { error: count(MULTIBAND_BANDS, 'bands (low, mid, high)') }),
  }).superRefine((m, ctx) => {
    const [f1, f2] = m.crossoversHz;
    if (f2 <= f1) ctx.addIssue({ code: 'custom', path: ['crossoversHz', 1], message: `${f2} Hz must be above the low/mid crossover (${f1} Hz)` });
  });
  const schema = strict({
    format: z.literal(GENRE_FORMAT),
    version: z.literal(PROFILE_VERSION),
    id: idField,
    name: text(64),
    description: text(600),
    multiband,
    limiter: strict({ releaseMs: num('ms', ' ms', 1, 2000) }),
    maxLimitingDb: num('dB', ' dB', 0, 24),
    leveller: strict({
      rateDbPerS: num('dB per second', ' dB/s', 0.01, 20),
      maxBoostDb: num('dB', ' dB', 0, 24),
      maxCutDb: num('dB', ' dB', 0, 24),
    }),
    keepsRange: bool(),
  });
  return schema as unknown as z.ZodType<GenreProfile>;
}


// ---------------------------------------------------------------------------------------------
// Loading.

interface Kind<T> {
  /** Word used in messages. */
  readonly noun: string;
  readonly folder: string;
  readonly format: string;
  readonly unknownCode: string;
  readonly schema: z.ZodType<T>;
}

const TARGETS: Kind<MasteringTarget> = {
  noun: 'mastering target',
  folder: 'targets',
  format: TARGET_FORMAT,
  unknownCode: 'E_TARGET_UNKNOWN',
  schema: targetSchema(),
};
const GENRES: Kind<GenreProfile> = {
  noun: 'genre profile',
  folder: 'genres',
  format: GENRE_FORMAT,
  unknownCode: 'E_GENRE_UNKNOWN',
  schema: genreSchema(),
};
const KIND_OF_FORMAT: Record<string, string> = { [TARGET_FORMAT]: TARGETS.noun, [GENRE_FORMAT]: GENRES.noun };

/**
 * The package's profiles/mastering directory. This module sits two levels under the package
 * root both as source (src/model) and compiled (dist/model), so one relative URL serves both.
 */
export function profilesDir(): string {
  return fileURLToPath(new URL('../../profiles/mastering', import.meta.url));
}

function readFailure(path: string, noun: string, e: unknown): ProfileError {
  const code = (e as { code?: string }).code;
  const what =
    code === 'ENOENT'
      ? 'file not found'
      : code === 'EISDIR'
        ? `this is a directory, not a ${noun} file`
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : e instanceof Error
            ? e.message
            : String(e);
  return new ProfileError('E_PROFILE_READ', path, `cannot read the ${noun} file`, [what]);
}

async function ids(kind: Kind<unknown>): Promise<string[]> {
  const dir = join(profilesDir(), kind.folder);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw readFailure(dir, kind.noun, e);
  }
  return names
    .filter((n) => n.endsWith('.json'))
    .map((n) => n.slice(0, -5))
    .sort();
}

function jsonError(text: string, origin: string, noun: string, v8: unknown): ProfileError {
  const found = locateJsonError(text, `${noun} object`);
  if (found) {
    const { line, column } = lineColumn(text, found.index);
    return new ProfileError('E_PROFILE_JSON', origin, 'not valid JSON', [`line ${line}, column ${column}: ${found.reason}`], excerpt(text, found.index));
  }
  const msg = v8 instanceof Error ? v8.message : String(v8);
  return new ProfileError('E_PROFILE_JSON', origin, 'not valid JSON', [msg]);
}

/** Parse and validate profile text. Every failure is a ProfileError. */
function parseProfile<T>(kind: Kind<T>, text: string, origin: string): T {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    throw jsonError(body, origin, kind.noun, e);
  }
  const invalid = (lines: string[]) => new ProfileError('E_PROFILE_INVALID', origin, `${lines.length} problem${lines.length === 1 ? '' : 's'} in the ${kind.noun}`, lines);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid([`profile: the file holds ${showValue(raw)}, not a ${kind.noun} object {"format": "${kind.format}", ...}`]);
  }
  const obj = raw as Record<string, unknown>;
  if (obj.format !== kind.format) {
    const other = typeof obj.format === 'string' ? KIND_OF_FORMAT[obj.format] : undefined;
    const why = obj.format === undefined ? `missing, expected "${kind.format}"` : `${showValue(obj.format)} is not "${kind.format}"${other ? ` (this file is a ${other})` : ''}`;
    throw invalid([`format: ${why}`]);
  }
  if (obj.version !== PROFILE_VERSION) {
    const v = obj.version;
    const why = v === undefined ? 'missing' : typeof v === 'number' && v > PROFILE_VERSION ? `${v} is newer than this mixhost reads` : `${showValue(v)} is not a known version`;
    throw invalid([`version: ${why} (supported: ${PROFILE_VERSION})`]);
  }
  const result = kind.schema.safeParse(obj, { error: (iss) => fallbackMessage(iss as Parameters<typeof fallbackMessage>[0]) });
  if (!result.success) throw invalid(issueLines(result.error.issues, 'profile'));
  return result.data;
}

async function readProfile<T extends { id: string }>(kind: Kind<T>, path: string, expectId?: string): Promise<T> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    if (info.size > MAX_PROFILE_BYTES) {
      throw new ProfileError('E_PROFILE_READ', path, `cannot read the ${kind.noun} file`, [`${(info.size / 1048576).toFixed(1)} MB is too large for a ${kind.noun}`]);
    }
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw e instanceof ProfileError ? e : readFailure(path, kind.noun, e);
  }
  const profile = parseProfile(kind, text, path);
  if (expectId !== undefined && profile.id !== expectId) {
    throw new ProfileError('E_PROFILE_INVALID', path, `1 problem in the ${kind.noun}`, [`id: "${profile.id}" differs from the file name ${expectId}.json`]);
  }
  return profile;
}

/** A path (ends in .json or holds a directory separator) rather than an id. */
function isPath(idOrPath: string): boolean {
  return idOrPath.endsWith('.json') || /[\\/]/.test(idOrPath);
}

async function load<T extends { id: string }>(kind: Kind<T>, idOrPath: string): Promise<T> {
  if (isPath(idOrPath)) return readProfile(kind, idOrPath);
  const known = await ids(kind);
  if (!known.includes(idOrPath)) {
    throw new ProfileError(kind.unknownCode, `'${idOrPath}'`, `unknown ${kind.noun}`, [
      `known: ${known.join(', ')}`,
      `or give the path of a ${kind.noun} file (.json)`,
    ]);
  }
  return readProfile(kind, join(profilesDir(), kind.folder, `${idOrPath}.json`), idOrPath);
}

async function list<T extends { id: string }>(kind: Kind<T>): Promise<T[]> {
  const all = await Promise.all((await ids(kind)).map((id) => readProfile(kind, join(profilesDir(), kind.folder, `${id}.json`), id)));
  return all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A target by id (profiles/mastering/targets/<id>.json) or by the path of a .json file. */
export function loadTarget(idOrPath: string): Promise<MasteringTarget> {
  return load(TARGETS, idOrPath);
}

/** Every built-in target, sorted by id. */
export function listTargets(): Promise<MasteringTarget[]> {
  return list(TARGETS);
}

/** Ids of the built-in targets, sorted. */
export function targetIds(): Promise<string[]> {
  return ids(TARGETS);
}

/** A genre profile by id (profiles/mastering/genres/<id>.json) or by the path of a .json file. */
export function loadGenre(idOrPath: string): Promise<GenreProfile> {
  return load(GENRES, idOrPath);
}

/** Every built-in genre profile, sorted by id. */
export function listGenres(): Promise<GenreProfile[]> {
  return list(GENRES);
}

/** Ids of the built-in genre profiles, sorted. */
export function genreIds(): Promise<string[]> {
  return ids(GENRES);
}

/** The genre used when none is named. */
export const DEFAULT_GENRE = 'balanced';

/** Validate a target held in memory (e.g. sent by a remote); `origin` names it in messages. */
export function parseTarget(text: string, origin = 'target'): MasteringTarget {
  return parseProfile(TARGETS, text, origin);
}

/** Validate a genre profile held in memory; `origin` names it in messages. */
export function parseGenre(text: string, origin = 'genre'): GenreProfile {
  return parseProfile(GENRES, text, origin);
}
