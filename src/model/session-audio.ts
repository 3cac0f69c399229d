/**
 * The session's `audio` section: what a live run opens (device, block size, device inputs) and
 * the output patch (which engine output pair goes to which two physical outputs). Only live play
 * reads it; an offline render ignores it, so a session renders the same wherever it was made.
 *
 * The fields' own checks are in the schema below; the checks that need the rest of the session
 * (pair names that depend on the master chains in `outputs`, `inputs` against the channels'
 * sources) run from the top-level object (`checkAudio`). Resolving the patch against a real
 * device is routing.ts.
 */
import { z } from 'zod';
import { AUX_BUSES, outputPairs } from './layout.js';
import { MAX_MASTER_CHAINS } from './master-params.js';
import { channelLabel, DEFAULT_BLOCK, highestSourceInput, inputsText, MAX_BLOCK, MAX_LIVE_CHANNELS, MIN_BLOCK } from './routing.js';
import { sessionChains, type SchemaKit } from './session-master.js';

export interface SessionAudio {
  /** A device name, a unique part of one, or its index as `mixhost devices` lists it; `--audio` overrides. */
  device?: string | number;
  /** Frames per block, 32..1024 (default 128). */
  blockSize?: number;
  /** Device inputs to open, 0..64; default: the highest input a channel source names. */
  inputs?: number;
  /** The output patch: pair name (`master`, `monitor`, `aux1`, …, `master2`) -> [left, right], 1-based. */
  outputs?: { [pair: string]: [number, number] };
}

/** Tools from session-schema.ts the section is built with (passed in to avoid a cycle). */
export type AudioSchemaKit = Pick<SchemaKit, 'strict' | 'typeError'> & { showValue(v: unknown): string };

const MAX_DEVICE_NAME = 200;

/** Every pair name any session can have (the JSON Schema offers these to editors). */
export const ALL_OUTPUT_PAIRS: readonly string[] = pairsFor(MAX_MASTER_CHAINS);

function pairsFor(chains: number): string[] {
  return outputPairs({ channels: [], auxBuses: AUX_BUSES, fxBuses: [], groups: 0, vcas: 0, masterChains: chains });
}

/** The output pairs of a session: master, monitor, aux1..8, and master2.. for its `outputs`. */
export function sessionOutputPairs(outputs: unknown): string[] {
  return pairsFor(Array.isArray(outputs) ? Math.min(sessionChains(outputs), MAX_MASTER_CHAINS) : 1);
}

/** A whole number in [min, max]; `unit` follows values in messages (`16 frames`). */
function wholeNumber(kit: AudioSchemaKit, min: number, max: number, expected: string, unit: string, above: string, below = '') {
  const show = (v: unknown) => `${kit.showValue(v)}${unit}`;
  return z
    .number({ error: kit.typeError(expected) })
    .int({ error: (iss) => `${kit.showValue(iss.input)} is not a whole number` })
    .min(min, { error: (iss) => `${show(iss.input)} is below ${min}${unit}${below}` })
    .max(max, { error: (iss) => `${show(iss.input)} is above ${max}${unit}${above}` });
}

function deviceField(kit: AudioSchemaKit) {
  const index = `a whole number from 0, as \`mixhost devices\` lists them`;
  const notIndex = (iss: { input?: unknown }) => `${kit.showValue(iss.input)} is not a device index (${index})`;
  const name = z
    .string()
    .min(1, { error: () => 'empty device name' })
    .max(MAX_DEVICE_NAME, { error: () => `longer than ${MAX_DEVICE_NAME} characters` });
  const number = z.number().int({ error: notIndex }).min(0, { error: notIndex });
  return z
    .union([name, number], { error: (iss) => (typeof iss.input === 'number' ? notIndex(iss) : kit.typeError('a device name or index')(iss)) })
    .optional()
    .meta({
      description:
        "Audio device: its name, a part of the name no other device has, or its index as `mixhost devices` lists it (a string or a whole number). The command line's --audio overrides it. Default: the system's default device.",
    });
}

function patchField(kit: AudioSchemaKit) {
  const out = wholeNumber(kit, 1, MAX_LIVE_CHANNELS, `an output number 1 to ${MAX_LIVE_CHANNELS}`, '', ` (a live stream opens at most ${MAX_LIVE_CHANNELS} outputs)`, ' (outputs are numbered from 1)');
  const pair = z.tuple([out, out], {
    error: (iss) =>
      iss.code === 'too_big' || iss.code === 'too_small'
        ? `${(iss.input as unknown[]).length} output${(iss.input as unknown[]).length === 1 ? '' : 's'}, but a pair takes two: [left, right]`
        : kit.typeError('two outputs [left, right]')(iss),
  });
  const pairs = ALL_OUTPUT_PAIRS;
  return z
    .record(z.string(), pair, { error: kit.typeError('an object such as {"master": [1, 2]}') })
    .optional()
    .meta({
      description: `The output patch: engine output pair (master, monitor, aux1..aux${AUX_BUSES}, master2.. for the chains in "outputs") -> [left, right] physical outputs, 1 to ${MAX_LIVE_CHANNELS}, each output used once. Default: master on 1 and 2, monitor on 3 and 4 when the device has 4 outputs.`,
      propertyNames: { enum: [...pairs] },
    });
}

/** The schema of the `audio` section (its fields alone; see `checkAudio` for the rest). */
export function audioSchema(kit: AudioSchemaKit): z.ZodType {
  const block = wholeNumber(kit, MIN_BLOCK, MAX_BLOCK, `a whole number of frames, ${MIN_BLOCK} to ${MAX_BLOCK}`, ' frames', '');
  const inputs = wholeNumber(kit, 0, MAX_LIVE_CHANNELS, `a whole number 0 to ${MAX_LIVE_CHANNELS}`, '', ` (a live stream opens at most ${MAX_LIVE_CHANNELS} inputs)`);
  return (
    kit.strict({
      device: deviceField(kit),
      blockSize: block
        .optional()
        .meta({ description: `Frames per block: ${MIN_BLOCK} to ${MAX_BLOCK} (default ${DEFAULT_BLOCK}). Smaller is less latency and more load.`, default: DEFAULT_BLOCK }),
      inputs: inputs.optional().meta({
        description: `Device inputs to open: 0 to ${MAX_LIVE_CHANNELS}; at least the highest input a channel source uses. Default: that highest input (0: no inputs are opened).`,
      }),
      outputs: patchField(kit),
    }) as z.ZodObject
  )
    .optional()
    .meta({ description: 'Live audio: the device, block size, inputs to open and the output patch. Only `mixhost serve` reads it; an offline render ignores it.' });
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The checks of `audio` that need the rest of the session: pair names (master2.. exist only for
 * the chains in `outputs`), a physical output used twice, and `inputs` below the highest input a
 * channel source uses. Runs on the top-level object, also when other fields are wrong, so it
 * trusts nothing about the shape.
 */
export function checkAudio(session: unknown, ctx: z.RefinementCtx): void {
  if (!isObject(session) || !isObject(session.audio)) return;
  const { outputs, inputs } = session.audio;
  // With `outputs` (the master chains) of the wrong type, which pairs exist is unknown.
  const chainsKnown = session.outputs === undefined || Array.isArray(session.outputs);
  if (isObject(outputs)) {
    const valid = sessionOutputPairs(session.outputs);
    const used = new Map<number, string>();
    for (const [name, outs] of Object.entries(outputs)) {
      if (chainsKnown && !valid.includes(name)) {
        const chain = /^master(\d+)$/.exec(name);
        const k = chain ? Number(chain[1]) : 0;
        const hint = k >= 2 && k <= MAX_MASTER_CHAINS ? ` (${name} is the master chain of outputs[${k - 2}], which this session does not have)` : '';
        ctx.addIssue({ code: 'custom', path: ['audio', 'outputs', name], message: `"${name}" is not an output pair of this session${hint}; the pairs are ${valid.join(', ')}` });
        continue;
      }
      if (!Array.isArray(outs)) continue;
      outs.slice(0, 2).forEach((n: unknown, side) => {
        if (typeof n !== 'number' || !Number.isInteger(n)) return;
        const first = used.get(n);
        if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['audio', 'outputs', name, side], message: `output ${n} is already patched to ${first}` });
        else used.set(n, `${name} (${side === 0 ? 'left' : 'right'})`);
      });
    }
  }
  if (typeof inputs === 'number' && Number.isInteger(inputs) && inputs >= 0 && Array.isArray(session.channels)) {
    const need = highestSourceInput(session.channels);
    if (need.input > inputs) {
      const who = `${channelLabel(session.channels, need.channel)} uses ${inputsText(need.first, need.stereo)}`;
      ctx.addIssue({ code: 'custom', path: ['audio', 'inputs'], message: `${inputs} is too few: ${who}` });
    }
  }
}
