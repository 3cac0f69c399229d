/**
 * Live routing: which device inputs feed which engine inputs, and which engine outputs go to
 * which physical outputs (the output patch). Resolved once, when a live stream is opened, from
 * the session's channel sources (`source.input`), its `audio` section and what the opened
 * device offers; the render worker copies samples by the two maps and never looks at names.
 *
 * The session schema (session-audio.ts) already refuses a patch that is impossible for any
 * device (unknown pairs, an output used twice, outputs beyond 64); this file adds what only the
 * device can decide: channels it does not have.
 */
import { MixhostError } from './errors.js';
import { inputCount, outputPairs, type MixLayout } from './layout.js';
import type { Session } from './session-schema.js';

/** Most device inputs or outputs a live stream opens. */
export const MAX_LIVE_CHANNELS = 64;
/** Sample rates the render worker runs a live stream at (an offline render takes any session rate). */
export const LIVE_SAMPLE_RATES: readonly number[] = [44100, 48000, 88200, 96000];
/** Frames per block when the session does not say. */
export const DEFAULT_BLOCK = 128;
export const MIN_BLOCK = 32;
export const MAX_BLOCK = 1024;

export interface AudioRouting {
  /** Device inputs to open (0 = output-only stream). */
  readonly inputChannels: number;
  /** Device outputs to open = highest patched output. */
  readonly outputChannels: number;
  /** Per engine input (inputCount(layout) entries): the device input (0-based) feeding it, or -1 (a file, demo stem or nothing). */
  readonly inputMap: Int32Array;
  /** Per device output (outputChannels entries, 0-based): the engine output index feeding it, or -1 (silent). */
  readonly outputMap: Int32Array;
  /** The patch as resolved, for status and logs: e.g. [{pair:'master', outputs:[1,2]}, ...], in engine output order. */
  readonly patch: ReadonlyArray<{ readonly pair: string; readonly outputs: readonly [number, number] }>;
}

/** What the opened device offers. */
export interface DeviceChannels {
  readonly maxInputs: number;
  readonly maxOutputs: number;
}

/** The interface input (1-based) a channel's source names, or undefined (a file, a demo stem, nothing). */
export function channelInput(ch: unknown): number | undefined {
  if (ch === null || typeof ch !== 'object') return undefined;
  const src = (ch as { source?: unknown }).source;
  if (src === null || typeof src !== 'object') return undefined;
  const n = (src as { input?: unknown }).input;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : undefined;
}

/**
 * The highest interface input (1-based) the channels' sources use (a stereo channel on input N
 * uses N + 1 too), the channel (0-based) that uses it and that channel's first input; input 0
 * when no channel has a live input. Tolerates unvalidated data (it runs inside the schema).
 */
export function highestSourceInput(channels: readonly unknown[]): { input: number; channel: number; first: number; stereo: boolean } {
  let best = { input: 0, channel: -1, first: 0, stereo: false };
  channels.forEach((ch, i) => {
    const n = channelInput(ch);
    if (n === undefined) return;
    const stereo = (ch as { stereo?: unknown }).stereo === true;
    const last = stereo ? n + 1 : n;
    if (last > best.input) best = { input: last, channel: i, first: n, stereo };
  });
  return best;
}

/** `channels[2] "Vox"`: a channel as error messages name it. */
export function channelLabel(channels: readonly unknown[], i: number): string {
  const name = (channels[i] as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? `channels[${i}] "${name}"` : `channels[${i}]`;
}

/** `input 6` or `inputs 5 and 6` (a stereo channel). */
export function inputsText(first: number, stereo: boolean): string {
  return stereo ? `inputs ${first} and ${first + 1}` : `input ${first}`;
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

function fail(message: string): never {
  throw new MixhostError('E_AUDIO_ROUTING', message);
}

/** The patch the session asks for, or the default one for the device, in engine output order. */
function resolvePatch(session: Session, pairs: readonly string[], device: DeviceChannels): Array<{ pair: string; outputs: readonly [number, number] }> {
  const asked = session.audio?.outputs;
  if (asked === undefined) {
    if (device.maxOutputs < 2) {
      fail(`the device has ${plural(device.maxOutputs, 'output')}, but the master needs 2 (outputs 1 and 2)`);
    }
    const patch: Array<{ pair: string; outputs: readonly [number, number] }> = [{ pair: 'master', outputs: [1, 2] }];
    if (device.maxOutputs >= 4) patch.push({ pair: 'monitor', outputs: [3, 4] });
    return patch;
  }
  const patch: Array<{ pair: string; outputs: readonly [number, number] }> = [];
  const used = new Map<number, string>();
  for (const name of Object.keys(asked)) {
    if (!pairs.includes(name)) fail(`audio.outputs.${name}: the mixer has no output pair "${name}" (it has ${pairs.join(', ')})`);
  }
  for (const pair of pairs) {
    const outs = asked[pair];
    if (outs === undefined) continue;
    outs.forEach((n, side) => {
      const where = `audio.outputs.${pair}[${side}]`;
      if (n > MAX_LIVE_CHANNELS) fail(`${where}: output ${n} is beyond ${MAX_LIVE_CHANNELS}, the most a live stream opens`);
      if (n > device.maxOutputs) fail(`${where}: output ${n} is beyond the device, which has ${plural(device.maxOutputs, 'output')}`);
      const other = used.get(n);
      if (other !== undefined) fail(`${where}: output ${n} is already patched to ${other}`);
      used.set(n, `${pair} (${side === 0 ? 'left' : 'right'})`);
    });
    patch.push({ pair, outputs: [outs[0], outs[1]] });
  }
  return patch;
}

/**
 * The routing of a session on a device. The layout is the engine's (`sessionLayout(session)`,
 * or a larger one). Errors: MixhostError('E_AUDIO_ROUTING', …) when an input or output the
 * session needs is beyond the device's channels (says which and how many the device has), or
 * beyond 64.
 */
export function resolveRouting(session: Session, layout: MixLayout, device: DeviceChannels): AudioRouting {
  const channels = session.channels;
  const need = highestSourceInput(channels);
  if (need.input > 0) {
    const who = `${channelLabel(channels, need.channel)} uses ${inputsText(need.first, need.stereo)}`;
    if (need.input > MAX_LIVE_CHANNELS) fail(`${who}, beyond ${MAX_LIVE_CHANNELS}, the most a live stream opens`);
    if (need.input > device.maxInputs) fail(`${who}, but the device has ${plural(device.maxInputs, 'input')}`);
  }
  // `audio.inputs` may open more than the sources use (for meters, a later patch), never fewer.
  const inputChannels = Math.min(Math.max(session.audio?.inputs ?? 0, need.input), device.maxInputs, MAX_LIVE_CHANNELS);

  const inputMap = new Int32Array(inputCount(layout)).fill(-1);
  let k = 0;
  layout.channels.forEach((lc, i) => {
    const n = channelInput(channels[i]);
    if (n !== undefined) {
      inputMap[k] = n - 1;
      if (lc.stereo) inputMap[k + 1] = n;
    }
    k += lc.stereo ? 2 : 1;
  });

  const pairs = outputPairs(layout);
  const patch = resolvePatch(session, pairs, device);
  const outputChannels = patch.reduce((m, p) => Math.max(m, p.outputs[0], p.outputs[1]), 0);
  const outputMap = new Int32Array(outputChannels).fill(-1);
  for (const { pair, outputs } of patch) {
    const p = pairs.indexOf(pair);
    outputMap[outputs[0] - 1] = 2 * p;
    outputMap[outputs[1] - 1] = 2 * p + 1;
  }
  return { inputChannels, outputChannels, inputMap, outputMap, patch };
}
