/**
 * Turns a session's channel sources into interface-input buffers for an offline render:
 * WAV files (relative to the session file), built-in demo stems, or silence for live inputs.
 *
 * Sample rates: the render runs at the session's `sampleRate`, else at the first file's rate,
 * else 48 kHz. A file at another rate is converted with the windowed-sinc resampler
 * (src/audio/resample.ts) and a note says so. Channel fitting: a mono channel takes the chosen
 * `channel` of a file, or the average of all its channels; a stereo channel takes the file's
 * first two channels (or `channel` and the next), and a mono file on both sides.
 */
import path from 'node:path';
import { inputCount, type MixLayout } from '../model/layout.js';
import { MixhostError } from '../model/registry.js';
import type { Session } from '../model/session.js';
import { DEMO_STEMS, synthDemoStem, type DemoStem } from './demo-stems.js';
import { resample } from './resample.js';
import { readWavFile, type AudioData } from './wav.js';

export const DEFAULT_SAMPLE_RATE = 48000;
/** Length of the built-in demo material: 16 bars at 120 BPM. */
export const DEMO_SECONDS = 32;

export interface RenderInputs {
  readonly sampleRate: number;
  /** One buffer per interface input (a stereo channel has two). */
  readonly inputs: Float32Array[];
  /** Length of the longest source, in frames. */
  readonly frames: number;
  /** Things a person should know (resampling, live inputs rendered silent...). */
  readonly notes: string[];
}

type Source = Session['channels'][number]['source'];

function fit(audio: AudioData, stereo: boolean, channel: number | undefined, label: string): Float32Array[] {
  const ch = audio.channels;
  if (channel !== undefined && (channel < 1 || channel > ch.length)) {
    throw new MixhostError('E_AUDIO_FORMAT', `${label}: channel ${channel} asked for, but the file has ${ch.length}`);
  }
  if (stereo) {
    if (channel !== undefined) {
      if (channel >= ch.length) throw new MixhostError('E_AUDIO_FORMAT', `${label}: a stereo channel needs channels ${channel} and ${channel + 1}, but the file has ${ch.length}`);
      return [ch[channel - 1], ch[channel]];
    }
    return ch.length >= 2 ? [ch[0], ch[1]] : [ch[0], ch[0]];
  }
  if (channel !== undefined) return [ch[channel - 1]];
  if (ch.length === 1) return [ch[0]];
  const mono = new Float32Array(ch[0].length);
  for (const c of ch) for (let i = 0; i < mono.length; i++) mono[i] += c[i] / ch.length;
  return [mono];
}

export async function loadRenderInputs(session: Session, layout: MixLayout, sessionDir: string, forcedRate?: number): Promise<RenderInputs> {
  const notes: string[] = [];
  const files = new Map<string, AudioData>();
  const channels = session.channels;
  // Read every file once (a file may feed several channels).
  for (const c of channels) {
    const src: Source = c.source;
    if (src && 'file' in src && !files.has(src.file)) files.set(src.file, await readWavFile(path.resolve(sessionDir, src.file)));
  }
  const firstFile = files.values().next().value as AudioData | undefined;
  const sampleRate = forcedRate ?? session.sampleRate ?? firstFile?.sampleRate ?? DEFAULT_SAMPLE_RATE;
  const converted = new Map<string, AudioData>();
  for (const [name, audio] of files) {
    if (audio.sampleRate === sampleRate) {
      converted.set(name, audio);
      continue;
    }
    notes.push(`${name}: resampled from ${audio.sampleRate} Hz to ${sampleRate} Hz`);
    converted.set(name, { sampleRate, channels: audio.channels.map((x) => resample(x, audio.sampleRate, sampleRate)) });
  }
  const demos = new Map<DemoStem, Float32Array[]>();
  const inputs: Float32Array[] = [];
  channels.forEach((c, i) => {
    const stereo = layout.channels[i]?.stereo ?? false;
    const label = `channels[${i}]`;
    const src: Source = c.source;
    let bufs: Float32Array[];
    if (!src) bufs = [new Float32Array(0)];
    else if ('file' in src) bufs = fit(converted.get(src.file)!, stereo, src.channel, `${label} (${src.file})`);
    else if ('demo' in src) {
      const name = src.demo as DemoStem;
      if (!DEMO_STEMS.includes(name)) throw new MixhostError('E_SESSION_INVALID', `${label}.source.demo: unknown demo stem '${src.demo}'`);
      const stem = demos.get(name) ?? synthDemoStem(name, sampleRate, DEMO_SECONDS);
      demos.set(name, stem);
      bufs = fit({ sampleRate, channels: stem }, stereo, undefined, label);
    } else {
      notes.push(`${label}: live input ${src.input} is silent in an offline render`);
      bufs = [new Float32Array(0)];
    }
    inputs.push(bufs[0]);
    if (stereo) inputs.push(bufs[1] ?? bufs[0]);
  });
  if (inputs.length !== inputCount(layout)) throw new Error(`internal: ${inputs.length} inputs for a layout of ${inputCount(layout)}`);
  const frames = inputs.reduce((m, x) => Math.max(m, x.length), 0);
  return { sampleRate, inputs, frames, notes };
}
