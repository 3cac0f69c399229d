/**
 * The master chains in the session file: `master.chain` for chain 1 (the main output) and
 * `outputs[]` for chains 2..4 (e.g. a stream feed beside the PA), plus the monitor's
 * translation check. Types, bindings, the zod schema and apply/read, in the style of the rest
 * of the session (session-schema.ts).
 */
import { z } from 'zod';
import { applyBindings, readBindings, type AnyBindings, type Bindings } from './bindings.js';
import type { MixLayout } from './layout.js';
import { chainPrefix, MASTER_EQ_BANDS, MASTER_EQ_TYPES, MAX_MASTER_CHAINS, MBC_BANDS, type TRANSLATION_PRESETS } from './master-params.js';
import type { ParamRegistry } from './registry.js';

export type MasterEqType = (typeof MASTER_EQ_TYPES)[number];
export type TranslationPreset = (typeof TRANSLATION_PRESETS)[number];

export interface MasterEqBand {
  type?: MasterEqType;
  freq?: number;
  gain?: number;
  q?: number;
}
export interface MbcBand {
  on?: boolean;
  threshold?: number;
  ratio?: number;
  knee?: number;
  attack?: number;
  release?: number;
  makeup?: number;
}
export interface SessionChain {
  /** Mastering target id or file (profiles/mastering/targets), for `serve` and reports. */
  profile?: string;
  trim?: number;
  target?: number;
  duration?: number;
  eqOn?: boolean;
  eq?: MasterEqBand[];
  multiband?: { on?: boolean; crossoverLow?: number; crossoverHigh?: number; bands?: MbcBand[] };
  width?: { amount?: number; bassMono?: number };
  leveller?: { on?: boolean; maxBoost?: number; maxCut?: number; rate?: number; hold?: number };
  limiter?: { on?: boolean; ceiling?: number; release?: number };
}
/** An extra master chain (output pair `master2`, ...). */
export interface SessionOutput extends SessionChain {
  name?: string;
}

type ChainParamPart = Omit<SessionChain, 'profile' | 'eq' | 'multiband'> & {
  multiband?: Omit<NonNullable<SessionChain['multiband']>, 'bands'>;
};

/** Relative to the chain prefix (`master/`, `master/2/`). */
export const CHAIN_BINDINGS: Bindings<ChainParamPart> = {
  trim: 'trim',
  target: 'target',
  duration: 'duration',
  eqOn: 'eq/on',
  multiband: { on: 'mbc/on', crossoverLow: 'mbc/xover/1', crossoverHigh: 'mbc/xover/2' },
  width: { amount: 'width/amount', bassMono: 'width/bassmono' },
  leveller: { on: 'leveller/on', maxBoost: 'leveller/maxboost', maxCut: 'leveller/maxcut', rate: 'leveller/rate', hold: 'leveller/hold' },
  limiter: { on: 'limiter/on', ceiling: 'limiter/ceiling', release: 'limiter/release' },
};
/** Relative to `<chain>/eq/B/`. */
export const MASTER_EQ_BINDINGS: Bindings<MasterEqBand> = { type: 'type', freq: 'freq', gain: 'gain', q: 'q' };
/** Relative to `<chain>/mbc/B/`. */
export const MBC_BAND_BINDINGS: Bindings<MbcBand> = {
  on: 'on',
  threshold: 'threshold',
  ratio: 'ratio',
  knee: 'knee',
  attack: 'attack',
  release: 'release',
  makeup: 'makeup',
};

/** Tools from session-schema.ts the chain schema is built with (passed in to avoid a cycle). */
export interface SchemaKit {
  bindingShape(b: AnyBindings, reg: ParamRegistry, prefix: string): Record<string, z.ZodType>;
  strict(shape: Record<string, z.ZodType>, what?: string): z.ZodType;
  name(max?: number): z.ZodType;
  typeError(expected: string): (iss: { code?: string; input?: unknown }) => string | undefined;
}

const PROFILE_ID = /^[A-Za-z0-9._/-]{1,200}$/;

function bandList(kit: SchemaKit, reg: ParamRegistry, prefix: string, count: number, b: AnyBindings, noun: string) {
  const bands = Array.from({ length: count }, (_, i) => (kit.strict(kit.bindingShape(b, reg, `${prefix}${i + 1}/`)) as z.ZodObject).optional());
  return z
    .tuple(bands as unknown as [z.ZodType, ...z.ZodType[]], {
      error: (iss) => (iss.code === 'too_big' ? `${(iss.input as unknown[]).length} bands, but there are ${count} ${noun}` : kit.typeError(`a list of ${noun}`)(iss)),
    })
    .optional()
    .meta({ description: `Up to ${count} ${noun} in order; {} keeps a band at its defaults.` });
}

/** The schema of one chain (`extra` adds fields, e.g. an output's name). */
export function chainSchema(kit: SchemaKit, reg: ParamRegistry, extra: Record<string, z.ZodType> = {}): z.ZodType {
  const x = 'master/';
  const shape = kit.bindingShape(CHAIN_BINDINGS as unknown as AnyBindings, reg, x);
  const mb = kit.bindingShape(CHAIN_BINDINGS.multiband as unknown as AnyBindings, reg, x);
  return kit.strict({
    ...extra,
    profile: z
      .string({ error: kit.typeError('a target id such as "spotify", or a .json file') })
      .regex(PROFILE_ID, { error: () => 'not a target id or file name' })
      .optional()
      .meta({ description: 'Mastering target (profiles/mastering/targets id or a .json file): sets target and ceiling unless they are given, and names the conformity report.' }),
    ...shape,
    eq: bandList(kit, reg, `${x}eq/`, MASTER_EQ_BANDS, MASTER_EQ_BINDINGS as unknown as AnyBindings, 'EQ bands'),
    multiband: (kit.strict({ ...mb, bands: bandList(kit, reg, `${x}mbc/`, MBC_BANDS, MBC_BAND_BINDINGS as unknown as AnyBindings, 'multiband bands') }) as z.ZodObject)
      .optional()
      .meta({ description: '3-band compressor with Linkwitz-Riley crossovers (bands: low, mid, high).' }),
  });
}

export function outputsSchema(kit: SchemaKit, reg: ParamRegistry): z.ZodType {
  return z
    .array(chainSchema(kit, reg, { name: kit.name() }), { error: kit.typeError('a list of output chains') })
    .max(MAX_MASTER_CHAINS - 1, { error: (iss) => `${(iss.input as unknown[]).length} outputs, but a mix has at most ${MAX_MASTER_CHAINS - 1} besides the master` })
    .optional()
    .meta({ description: `Extra master chains (outputs master2.. ), each fed from the master bus after its fader, with its own processing and target; at most ${MAX_MASTER_CHAINS - 1}.` });
}

const b = (x: object) => x as unknown as AnyBindings;

/** Write a chain's settings into the table (the table already holds defaults). */
export function applyChain(chain: SessionChain | undefined, k: number, reg: ParamRegistry, table: Float64Array): void {
  if (!chain) return;
  const x = `${chainPrefix(k)}/`;
  applyBindings(b(CHAIN_BINDINGS), chain, reg, table, x);
  chain.eq?.forEach((band, i) => applyBindings(b(MASTER_EQ_BINDINGS), band, reg, table, `${x}eq/${i + 1}/`));
  chain.multiband?.bands?.forEach((band, i) => applyBindings(b(MBC_BAND_BINDINGS), band, reg, table, `${x}mbc/${i + 1}/`));
}

/** A chain's settings as the file writes them. */
export function readChain(k: number, reg: ParamRegistry, table: Float64Array): SessionChain {
  const x = `${chainPrefix(k)}/`;
  const c = readBindings(b(CHAIN_BINDINGS), reg, table, x) as SessionChain;
  return {
    ...c,
    eq: Array.from({ length: MASTER_EQ_BANDS }, (_, i) => readBindings(b(MASTER_EQ_BINDINGS), reg, table, `${x}eq/${i + 1}/`)),
    multiband: {
      ...c.multiband,
      bands: Array.from({ length: MBC_BANDS }, (_, i) => readBindings(b(MBC_BAND_BINDINGS), reg, table, `${x}mbc/${i + 1}/`)),
    },
  };
}

/** Master chains a layout needs for a session: 1 + its extra outputs. */
export function sessionChains(outputs: readonly unknown[] | undefined): number {
  return 1 + (outputs?.length ?? 0);
}

export function chainCount(layout: MixLayout): number {
  return layout.masterChains;
}
