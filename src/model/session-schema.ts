/**
 * The session file's shape: TypeScript types, the bindings from session fields to parameter
 * addresses, and the zod schema built from the parameter descriptors (so ranges, defaults and
 * enum labels are decided once, in params.ts, and never repeated here).
 */
import { z } from 'zod';
import type { ParamDescriptor, Unit } from './descriptor.js';
import { AUX_BUSES, GROUPS, VCAS, type FxKind, type MixLayout } from './layout.js';
import { EQ_BANDS, type DELAY_DIVISIONS, type EQ_TYPES, type GATE_MODES, type SOLO_MODES } from './params.js';
import { ParamRegistry } from './registry.js';
import { enumValues, type AnyBindings, type Bindings } from './bindings.js';
import { chainSchema, outputsSchema, type SchemaKit, type SessionChain, type SessionOutput, type TranslationPreset } from './session-master.js';
import { audioSchema, checkAudio, type SessionAudio } from './session-audio.js';

export * from './bindings.js';

export const SESSION_FORMAT = 'mixhost-session';
/** The version this build writes; older supported versions are migrated on load. */
export const SESSION_VERSION = 1;
export const SUPPORTED_SESSION_VERSIONS: readonly number[] = [1];
export const MAX_CHANNELS = 128;
export const DEFAULT_TAIL_SECONDS = 2;
export const MAX_TAIL_SECONDS = 30;
/** Highest file channel or interface input a source may name (1-based). */
export const MAX_SOURCE_CHANNEL = 256;
export const MAX_NAME_LENGTH = 64;
/** Render rates a session may ask for. */
export const SESSION_SAMPLE_RATES = [22050, 32000, 44100, 48000, 88200, 96000, 176400, 192000] as const;
/**
 * Names of the built-in demo stems. The model may not import the audio layer, so the list is kept
 * here too; a test checks it equals the synthesiser's list.
 */
export const SESSION_DEMO_STEMS = ['kick', 'snare', 'hats', 'bass', 'pad', 'lead', 'vox'] as const;
/** The FX kinds in the order the discriminated union lists them. */
const FX_KINDS: readonly FxKind[] = ['reverb', 'delay'];

export type GateMode = (typeof GATE_MODES)[number];
export type EqType = (typeof EQ_TYPES)[number];
export type SoloMode = (typeof SOLO_MODES)[number];
export type DelayDivision = (typeof DELAY_DIVISIONS)[number];
export type DemoStemName = (typeof SESSION_DEMO_STEMS)[number];

/**
 * Parsed session types. They mirror the file: every optional field a file leaves out stays
 * `undefined` here (defaults are not filled in); `applySession` gives such fields the
 * descriptor default.
 */
export type SessionSource = { file: string; channel?: number } | { demo: DemoStemName } | { input: number };

export interface HpfSettings {
  on?: boolean;
  freq?: number;
  /** 12, 18 or 24 (dB per octave). */
  slope?: number;
}
export interface GateSettings {
  on?: boolean;
  mode?: GateMode;
  threshold?: number;
  range?: number;
  ratio?: number;
  attack?: number;
  hold?: number;
  release?: number;
  hysteresis?: number;
}
export interface EqBandSettings {
  type?: EqType;
  freq?: number;
  gain?: number;
  q?: number;
}
export interface CompSettings {
  on?: boolean;
  threshold?: number;
  ratio?: number;
  knee?: number;
  attack?: number;
  release?: number;
  makeup?: number;
  scHpf?: { on?: boolean; freq?: number };
}
export interface SessionSend {
  bus: number;
  level?: number;
  pre?: boolean;
}
export interface SessionFxSend {
  fx: number;
  level?: number;
  pre?: boolean;
}
export interface SessionChannel {
  name?: string;
  color?: string;
  stereo?: boolean;
  source?: SessionSource;
  trim?: number;
  polarity?: boolean;
  hpf?: HpfSettings;
  gate?: GateSettings;
  eqOn?: boolean;
  /** Bands in order: eq[0] is band 1. */
  eq?: EqBandSettings[];
  comp?: CompSettings;
  pan?: number;
  fader?: number;
  mute?: boolean;
  solo?: boolean;
  soloSafe?: boolean;
  main?: boolean;
  sends?: SessionSend[];
  fxSends?: SessionFxSend[];
  groups?: number[];
  vcas?: number[];
}
export interface SessionBus {
  name?: string;
  fader?: number;
  mute?: boolean;
  pan?: number;
}
export interface SessionVca {
  name?: string;
  fader?: number;
  mute?: boolean;
}
interface FxCommon {
  name?: string;
  fader?: number;
  mute?: boolean;
  pan?: number;
}
export interface SessionReverb extends FxCommon {
  type: 'reverb';
  decay?: number;
  predelay?: number;
  damping?: number;
}
export interface SessionDelay extends FxCommon {
  type: 'delay';
  time?: number;
  sync?: boolean;
  tempo?: number;
  division?: DelayDivision;
  feedback?: number;
  highcut?: number;
  pingpong?: boolean;
}
export type SessionFx = SessionReverb | SessionDelay;

export interface Session {
  /** For editors (JSON Schema location); ignored. */
  $schema?: string;
  format: typeof SESSION_FORMAT;
  version: typeof SESSION_VERSION;
  name?: string;
  sampleRate?: number;
  tailSeconds?: number;
  channels: SessionChannel[];
  buses?: SessionBus[];
  fx?: SessionFx[];
  groups?: SessionBus[];
  vcas?: SessionVca[];
  master?: { fader?: number; mute?: boolean; pan?: number; chain?: SessionChain };
  /** Extra master chains (outputs master2, ...). */
  outputs?: SessionOutput[];
  monitor?: { level?: number; soloMode?: SoloMode; translate?: TranslationPreset; mono?: boolean };
  /** Live audio: device, block size, inputs and the output patch (only live play reads it). */
  audio?: SessionAudio;
}

// ---------------------------------------------------------------------------------------------
// Bindings: session field -> address suffix. One table drives the schema, apply and save.

type ChannelParamPart = Pick<
  SessionChannel,
  'trim' | 'polarity' | 'hpf' | 'gate' | 'eqOn' | 'comp' | 'pan' | 'fader' | 'mute' | 'solo' | 'soloSafe' | 'main'
>;

/** Relative to `ch/N/`. */
export const CHANNEL_BINDINGS: Bindings<ChannelParamPart> = {
  trim: 'trim',
  polarity: 'polarity',
  hpf: { on: 'hpf/on', freq: 'hpf/freq', slope: 'hpf/slope' },
  gate: {
    on: 'gate/on',
    mode: 'gate/mode',
    threshold: 'gate/threshold',
    range: 'gate/range',
    ratio: 'gate/ratio',
    attack: 'gate/attack',
    hold: 'gate/hold',
    release: 'gate/release',
    hysteresis: 'gate/hysteresis',
  },
  eqOn: 'eq/on',
  comp: {
    on: 'comp/on',
    threshold: 'comp/threshold',
    ratio: 'comp/ratio',
    knee: 'comp/knee',
    attack: 'comp/attack',
    release: 'comp/release',
    makeup: 'comp/makeup',
    scHpf: { on: 'comp/schpf/on', freq: 'comp/schpf/freq' },
  },
  pan: 'pan',
  fader: 'fader',
  mute: 'mute',
  solo: 'solo',
  soloSafe: 'solosafe',
  main: 'main',
};
/** Relative to `ch/N/eq/B/`. */
export const EQ_BAND_BINDINGS: Bindings<EqBandSettings> = { type: 'type', freq: 'freq', gain: 'gain', q: 'q' };
/** Relative to `ch/N/send/B/` and `ch/N/fx/F/`. */
export const SEND_BINDINGS: Bindings<Omit<SessionSend, 'bus'>> = { level: 'level', pre: 'pre' };
/** Relative to `bus/B/`, `group/G/`. */
export const BUS_BINDINGS: Bindings<Omit<SessionBus, 'name'>> = { fader: 'fader', mute: 'mute', pan: 'pan' };
/** Relative to `vca/V/`. */
export const VCA_BINDINGS: Bindings<Omit<SessionVca, 'name'>> = { fader: 'fader', mute: 'mute' };
/** Relative to `fx/F/`. */
export const REVERB_BINDINGS: Bindings<Omit<SessionReverb, 'name' | 'type'>> = {
  fader: 'fader',
  mute: 'mute',
  pan: 'pan',
  decay: 'reverb/decay',
  predelay: 'reverb/predelay',
  damping: 'reverb/damping',
};
export const DELAY_BINDINGS: Bindings<Omit<SessionDelay, 'name' | 'type'>> = {
  fader: 'fader',
  mute: 'mute',
  pan: 'pan',
  time: 'delay/time',
  sync: 'delay/sync',
  tempo: 'delay/tempo',
  division: 'delay/division',
  feedback: 'delay/feedback',
  highcut: 'delay/highcut',
  pingpong: 'delay/pingpong',
};
/** Relative to `master/`. */
export const MASTER_BINDINGS: Bindings<Omit<NonNullable<Session['master']>, 'chain'>> = { fader: 'fader', mute: 'mute', pan: 'pan' };
/** Relative to `monitor/`. */
export const MONITOR_BINDINGS: Bindings<NonNullable<Session['monitor']>> = { level: 'level', soloMode: 'solo/mode', translate: 'translate', mono: 'mono' };


// ---------------------------------------------------------------------------------------------
// Error texts.

/** A short rendering of a JSON value for a message. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'an object';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}…"` : s;
}

interface RawIssue {
  readonly code?: string;
  readonly input?: unknown;
}
type ErrorFn = (iss: RawIssue) => string | undefined;

const typeError =
  (expected: string): ErrorFn =>
  (iss) =>
    iss.input === undefined ? `missing, expected ${expected}` : `expected ${expected}, got ${showValue(iss.input)}`;

const UNIT_SUFFIX: Record<Unit, string> = {
  dB: ' dB',
  dBTP: ' dBTP',
  LUFS: ' LUFS',
  LU: ' LU',
  'dB/s': ' dB/s',
  min: ' min',
  Hz: ' Hz',
  ms: ' ms',
  s: ' s',
  ratio: ':1',
  Q: '',
  '%': ' %',
  pan: '',
  BPM: ' BPM',
  switch: '',
  enum: '',
};
const UNIT_WORD: Record<Unit, string> = {
  dB: 'dB',
  dBTP: 'dBTP',
  LUFS: 'LUFS',
  LU: 'LU',
  'dB/s': 'dB per second',
  min: 'minutes',
  Hz: 'Hz',
  ms: 'ms',
  s: 'seconds',
  ratio: 'ratio n:1',
  Q: 'Q',
  '%': 'percent',
  pan: '-100 left to 100 right',
  BPM: 'BPM',
  switch: '',
  enum: '',
};

// ---------------------------------------------------------------------------------------------
// Schema construction.

/** A value as messages and descriptions write it: `12 dB`, `40000 Hz`, `4:1`. */
function withUnit(d: ParamDescriptor, v: unknown): string {
  return `${showValue(v)}${UNIT_SUFFIX[d.unit]}`;
}

/** One parameter's field, built from its descriptor. Always optional. */
export function paramField(d: ParamDescriptor, title = d.label): z.ZodType {
  if (d.unit === 'switch') {
    return z
      .boolean({ error: typeError('true or false') })
      .optional()
      .meta({ title, description: `${title}: true or false (default ${d.default >= 0.5}).`, default: d.default >= 0.5 });
  }
  if (d.unit === 'enum') {
    const values = enumValues(d);
    const list = values.join(', ');
    const error: ErrorFn = (iss) => (iss.input === undefined ? `missing, expected one of ${list}` : `${showValue(iss.input)} is not one of ${list}`);
    const base = typeof values[0] === 'number' ? z.literal(values as number[], { error }) : z.enum(values as string[], { error });
    return base.optional().meta({ title, description: `${title}: one of ${list} (default ${values[d.default]}).`, default: values[d.default] });
  }
  const low = d.taper.name === 'fader' ? ' (off)' : d.unit === 'pan' ? ' (left)' : '';
  const high = d.unit === 'pan' ? ' (right)' : '';
  return z
    .number({ error: typeError(`a number (${UNIT_WORD[d.unit]})`) })
    .min(d.min, { error: (iss) => `${withUnit(d, iss.input)} is below ${withUnit(d, d.min)}` })
    .max(d.max, { error: (iss) => `${withUnit(d, iss.input)} is above ${withUnit(d, d.max)}` })
    .optional()
    .meta({
      title,
      description: `${title}: ${withUnit(d, d.min)}${low} to ${withUnit(d, d.max)}${high} (default ${withUnit(d, d.default)}).`,
      default: d.default,
      'x-unit': d.unit,
    });
}

/**
 * The shape of a bindings group, each leaf from the descriptor at `prefix + suffix`. `retitle`
 * adjusts labels taken from a representative address (`Aux 1 send` -> `Aux send`).
 */
export function bindingShape(b: AnyBindings, reg: ParamRegistry, prefix: string, retitle: (label: string) => string = (l) => l): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, v] of Object.entries(b)) {
    if (typeof v === 'string') {
      const d = reg.descriptor(prefix + v);
      shape[key] = paramField(d, retitle(d.label));
    } else shape[key] = strict(bindingShape(v, reg, prefix, retitle)).optional();
  }
  return shape;
}

/** A strict object whose own type error reads well; unknown keys are reported per key later. */
function strict(shape: Record<string, z.ZodType>, what = 'an object') {
  const te = typeError(what);
  return z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : te(iss)) });
}

/** A 1-based index field such as a send's bus number. */
function indexField(count: number, noun: string, description?: string): z.ZodType {
  const field = z
    .number({ error: typeError(`a whole number 1 to ${count}`) })
    .int({ error: (iss) => `${showValue(iss.input)} is not a whole number` })
    .min(1, { error: (iss) => `${showValue(iss.input)} is below 1 (${noun} are numbered from 1)` })
    .max(count, { error: (iss) => `${showValue(iss.input)} is above ${count} (there are ${count} ${noun})` });
  return description ? field.meta({ description }) : field;
}

/** A list with at most `max` entries and a readable error when it has more. */
function list(item: z.ZodType, max: number, noun: string, description: string) {
  return z
    .array(item, { error: typeError('a list') })
    .max(max, { error: (iss) => `${(iss.input as unknown[]).length} entries, but there are only ${max} ${noun}` })
    .optional()
    .meta({ description });
}

function name(max = MAX_NAME_LENGTH) {
  return z
    .string({ error: typeError('a string') })
    .max(max, { error: () => `longer than ${max} characters` })
    .optional()
    .meta({ description: `Display name, up to ${max} characters.` });
}

/** Adds an issue at `path` for every entry of `values` already seen earlier in the list. */
function checkUnique(ctx: z.RefinementCtx, values: readonly unknown[] | undefined, path: (i: number) => (string | number)[], what: (v: unknown, first: number) => string): void {
  if (!values) return;
  const seen = new Map<unknown, number>();
  values.forEach((v, i) => {
    const first = seen.get(v);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: path(i), message: what(v, first) });
    else seen.set(v, i);
  });
}

/**
 * The layout the schema's descriptors are read from: one mono channel and the default bus
 * counts, with FX 1 a reverb and FX 2 a delay so both kinds have representative addresses.
 */
export function schemaLayout(): MixLayout {
  return { channels: [{ stereo: false }], auxBuses: AUX_BUSES, fxBuses: FX_KINDS, groups: GROUPS, vcas: VCAS, masterChains: 1 };
}

function sourceSchema() {
  const stems = SESSION_DEMO_STEMS.join(', ');
  const pos = (what: string) => indexField(MAX_SOURCE_CHANNEL, what).optional();
  return strict(
    {
      file: z
        .string({ error: typeError('a file path') })
        .min(1, { error: () => 'empty file path' })
        .optional()
        .meta({ description: 'Audio file (WAV), relative to the session file.' }),
      channel: pos('file channels').meta({
        description: 'First channel of a multichannel file to use (1-based); a stereo channel takes this one and the next.',
      }),
      demo: z
        .enum(SESSION_DEMO_STEMS, { error: (iss) => `${showValue(iss.input)} is not one of ${stems}` })
        .optional()
        .meta({ description: `A built-in demo stem: ${stems}.` }),
      input: pos('inputs').meta({ description: 'Live interface input (1-based); a stereo channel takes this one and the next.' }),
    },
    'an object with "file", "demo" or "input"',
  )
    .superRefine((s, ctx) => {
      const kinds = (['file', 'demo', 'input'] as const).filter((k) => s[k] !== undefined);
      if (kinds.length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'needs one of "file", "demo" or "input"' });
      for (const k of kinds.slice(1)) ctx.addIssue({ code: 'custom', path: [k], message: `a source has one of "file", "demo" or "input", not both "${kinds[0]}" and "${k}"` });
      if (s.channel !== undefined && s.file === undefined) ctx.addIssue({ code: 'custom', path: ['channel'], message: '"channel" picks a channel of a "file" source and needs "file"' });
    })
    .optional()
    .meta({
      description: 'Where the channel’s audio comes from; omitted means silence.',
      oneOf: [{ required: ['file'] }, { required: ['demo'] }, { required: ['input'] }],
    });
}

function channelSchema(reg: ParamRegistry, layout: MixLayout) {
  const c = 'ch/1/';
  const bands = Array.from({ length: EQ_BANDS }, (_, i) => strict(bindingShape(EQ_BAND_BINDINGS, reg, `${c}eq/${i + 1}/`)).optional().meta({ title: `EQ band ${i + 1}` }));
  const eq = z
    .tuple(bands as unknown as [z.ZodType, ...z.ZodType[]], {
      error: (iss) => (iss.code === 'too_big' ? `${(iss.input as unknown[]).length} bands, but a channel has ${EQ_BANDS} EQ bands` : typeError('a list of EQ bands')(iss)),
    })
    .optional()
    .meta({ description: `Up to ${EQ_BANDS} EQ bands in band order (eq[0] is band 1); {} keeps a band at its defaults.` });
  const aux = layout.auxBuses;
  const fxn = layout.fxBuses.length;
  const retitle = (l: string) => l.replace(/^(Aux|FX) 1 /, '$1 ');
  const send = strict({ bus: indexField(aux, 'aux buses', `Aux bus number, 1 to ${aux}.`), ...bindingShape(SEND_BINDINGS, reg, `${c}send/1/`, retitle) });
  const fxSend = strict({ fx: indexField(fxn, 'FX buses', `FX bus number, 1 to ${fxn}.`), ...bindingShape(SEND_BINDINGS, reg, `${c}fx/1/`, retitle) });
  const stereoNote = 'a stereo channel takes this one and the next';
  return strict({
    name: name(),
    color: z
      .string({ error: typeError('a colour "#rrggbb"') })
      .regex(/^#[0-9a-fA-F]{6}$/, { error: (iss) => `${showValue(iss.input)} is not a colour of the form #rrggbb` })
      .optional()
      .meta({ description: 'Strip colour, #rrggbb.' }),
    stereo: z
      .boolean({ error: typeError('true or false') })
      .optional()
      .meta({ description: 'Stereo channel: takes two inputs or file channels; pan acts as balance (default false).', default: false }),
    source: sourceSchema(),
    ...bindingShape(CHANNEL_BINDINGS, reg, c),
    eq,
    sends: list(send, aux, 'aux buses', `Aux sends: bus 1..${aux}, each bus at most once.`),
    fxSends: list(fxSend, fxn, 'FX buses', `FX sends: fx 1..${fxn}, each at most once.`),
    groups: list(indexField(layout.groups, 'groups'), layout.groups, 'groups', `Subgroups (1..${layout.groups}) the channel feeds.`),
    vcas: list(indexField(layout.vcas, 'VCAs'), layout.vcas, 'VCAs', `VCAs (1..${layout.vcas}) the channel belongs to.`),
  })
    .meta({ description: 'One input channel strip; pan is balance on a stereo channel.' })
    .superRefine((parsed, ctx) => {
    const ch = parsed as SessionChannel;
    checkUnique(ctx, ch.sends?.map((s) => s.bus), (i) => ['sends', i, 'bus'], (v, f) => `aux bus ${v} is already set by sends[${f}]`);
    checkUnique(ctx, ch.fxSends?.map((s) => s.fx), (i) => ['fxSends', i, 'fx'], (v, f) => `FX bus ${v} is already set by fxSends[${f}]`);
    checkUnique(ctx, ch.groups, (i) => ['groups', i], (v) => `group ${v} is listed twice`);
    checkUnique(ctx, ch.vcas, (i) => ['vcas', i], (v) => `VCA ${v} is listed twice`);
    const src = ch.source as { channel?: number; input?: number } | undefined;
    if (ch.stereo === true && src) {
      for (const key of ['channel', 'input'] as const) {
        const n = src[key];
        if (n !== undefined && n >= MAX_SOURCE_CHANNEL) {
          ctx.addIssue({ code: 'custom', path: ['source', key], message: `${n} is the last one there can be, but ${stereoNote} (${n} and ${n + 1})` });
        }
      }
    }
  });
}

function fxSchema(reg: ParamRegistry, layout: MixLayout) {
  const entry = (kind: FxKind, b: AnyBindings) => {
    const f = layout.fxBuses.indexOf(kind) + 1;
    const type = z.literal(kind).meta({ description: `The effect of this FX bus: "${kind}".` });
    return strict({ type, name: name(), ...bindingShape(b, reg, `fx/${f}/`) }).meta({ title: kind });
  };
  const union = z.discriminatedUnion('type', [entry('reverb', REVERB_BINDINGS), entry('delay', DELAY_BINDINGS)]);
  const n = layout.fxBuses.length;
  return list(union, n, 'FX buses', `FX buses in order (fx[0] is FX 1), at most ${n}; "type" (reverb or delay) is required and sets the effect.`);
}

/** Build the session schema from the parameter descriptors. */
export function buildSessionSchema(): z.ZodType<Session> {
  const layout = schemaLayout();
  const reg = new ParamRegistry(layout);
  const kit: SchemaKit = { bindingShape: (b, r, prefix) => bindingShape(b, r, prefix), strict, name, typeError };
  const busLike = (b: AnyBindings, prefix: string) => strict({ name: name(), ...bindingShape(b, reg, prefix) });
  const rates = SESSION_SAMPLE_RATES.join(', ');
  const schema = strict({
    $schema: z
      .string({ error: typeError('a string') })
      .optional()
      .meta({ description: 'Optional: where editors find this JSON Schema; mixhost ignores it.' }),
    format: z.literal(SESSION_FORMAT).meta({ description: `Always "${SESSION_FORMAT}".` }),
    version: z.literal(SESSION_VERSION).meta({ description: `Session format version (this is version ${SESSION_VERSION}).` }),
    name: name(128),
    sampleRate: z
      .literal(SESSION_SAMPLE_RATES as unknown as number[], {
        error: (iss) => `${showValue(iss.input)}${typeof iss.input === 'number' ? ' Hz' : ''} is not one of ${rates}`,
      })
      .optional()
      .meta({ description: 'Render sample rate in Hz; default: the rate of the first file stem, or 48000.', 'x-unit': 'Hz' }),
    tailSeconds: z
      .number({ error: typeError('a number (seconds)') })
      .min(0, { error: (iss) => `${showValue(iss.input)} s is below 0 s` })
      .max(MAX_TAIL_SECONDS, { error: (iss) => `${showValue(iss.input)} s is above ${MAX_TAIL_SECONDS} s` })
      .optional()
      .meta({ description: `Render time past the end of the longest source, for FX tails, seconds: 0 to ${MAX_TAIL_SECONDS} (default ${DEFAULT_TAIL_SECONDS}).`, default: DEFAULT_TAIL_SECONDS, 'x-unit': 's' }),
    channels: z
      .array(channelSchema(reg, layout), { error: typeError(`a list of 1 to ${MAX_CHANNELS} channels`) })
      .min(1, { error: () => 'at least one channel is required' })
      .max(MAX_CHANNELS, { error: (iss) => `${(iss.input as unknown[]).length} channels, but a session holds at most ${MAX_CHANNELS}` })
      .meta({ description: `Input channels in order (channels[0] is channel 1), 1 to ${MAX_CHANNELS}.` }),
    buses: list(busLike(BUS_BINDINGS, 'bus/1/'), layout.auxBuses, 'aux buses', `Aux buses in order (buses[0] is aux 1), at most ${layout.auxBuses}.`),
    fx: fxSchema(reg, layout),
    groups: list(busLike(BUS_BINDINGS, 'group/1/'), layout.groups, 'groups', `Subgroups in order, at most ${layout.groups}.`),
    vcas: list(busLike(VCA_BINDINGS, 'vca/1/'), layout.vcas, 'VCAs', `VCAs in order, at most ${layout.vcas}.`),
    master: strict({ ...bindingShape(MASTER_BINDINGS, reg, 'master/'), chain: chainSchema(kit, reg).optional().meta({ description: 'The mastering chain of the main output.' }) })
      .optional()
      .meta({ description: 'Main stereo bus and its mastering chain.' }),
    outputs: outputsSchema(kit, reg),
    monitor: strict(bindingShape(MONITOR_BINDINGS, reg, 'monitor/')).optional().meta({ description: 'Monitor (control room / headphones) output and solo mode.' }),
    audio: audioSchema({ strict, typeError, showValue }),
  }).superRefine(checkAudio, { when: () => true }).meta({
    title: 'mixhost session',
    description: `A mixhost session file, format "${SESSION_FORMAT}" version ${SESSION_VERSION}. Every field except format, version and channels is optional and takes its default.`,
  });
  return schema as unknown as z.ZodType<Session>;
}
