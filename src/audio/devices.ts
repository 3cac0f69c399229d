/**
 * Audio devices: what PortAudio sees, and picking one by a user's spec.
 *
 * Two ways to enumerate:
 * - `enumerateDevices(binding)` in this process, for the render worker right before it opens a
 *   stream (PortAudio's device indices are only valid within one initialisation's view of the
 *   system, so the index must come from a fresh enumeration);
 * - `listAudioDevices()` in a child process, for everything that prints (`mixhost devices`):
 *   PortAudio and ALSA write to the C stdout and stderr while they probe (about 45 "ALSA lib …
 *   cannot find card" lines when there is no sound card, JACK's "cannot connect" lines when no
 *   JACK server runs). In the child those prints go to pipes we drain; the list comes back over
 *   the IPC channel. A child that hangs in a driver is killed after a timeout.
 *
 * Default devices: PortAudio reports them per host API (`getHostAPIs()`); PortAudio's own
 * default is the default host API's. The documented value is a global device index (PortAudio
 * adds the host API's base index), 4294967295 (paNoDevice as unsigned) meaning none; a value
 * that does not name a device of that host API is read as an index within the host API.
 *
 * naudiodon2 hands latencies and the default rate over as unsigned integers: latencies are in
 * whole seconds and therefore read 0 for every usual device.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MixhostError } from '../model/errors.js';
import type { NativeDeviceInfo, NativeHostApi, PortAudioBinding } from './portaudio-binding.js';

export interface AudioDeviceInfo {
  /** PortAudio's device index (the `deviceId` a stream opens). */
  readonly index: number;
  readonly name: string;
  readonly hostApi: string;
  readonly maxInputs: number;
  readonly maxOutputs: number;
  readonly defaultSampleRate: number;
  /** PortAudio's default low latencies; 0 = not reported (naudiodon2 rounds them down to whole seconds). */
  readonly lowInputLatencyMs: number;
  readonly lowOutputLatencyMs: number;
  /** PortAudio's default input device (of its default host API). */
  readonly isDefaultInput: boolean;
  /** PortAudio's default output device (of its default host API). */
  readonly isDefaultOutput: boolean;
}

export interface AudioDeviceList {
  /** false: PortAudio could not be loaded or asked (see `reason`); `devices` is then empty. */
  readonly available: boolean;
  readonly reason?: string;
  readonly devices: AudioDeviceInfo[];
  /** Host APIs PortAudio was built with (ALSA, OSS, …), devices or not. */
  readonly hostApis: string[];
}

/** paNoDevice as naudiodon2 reports it (an unsigned 32-bit −1). */
const NO_DEVICE = 4294967295;

const DEFAULT_TIMEOUT_MS = 10_000;

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The global device index a host API's default field stands for, or −1. */
function defaultIndex(value: number, api: NativeHostApi, devices: readonly NativeDeviceInfo[]): number {
  if (!Number.isInteger(value) || value < 0 || value === NO_DEVICE || value === -1) return -1;
  const own = devices.filter((d) => d.hostAPIName === api.name);
  if (devices[value]?.hostAPIName === api.name) return value;
  return own[value]?.id ?? -1;
}

/** Enumerate in THIS process (the render worker uses it right before opening a stream). Never throws. */
export function enumerateDevices(binding: PortAudioBinding): AudioDeviceList {
  let native: NativeDeviceInfo[];
  let apis: { defaultHostAPI: number; HostAPIs: NativeHostApi[] };
  try {
    native = binding.getDevices();
    apis = binding.getHostAPIs();
  } catch (e) {
    return { available: false, reason: `PortAudio did not initialise: ${errorText(e)}`, devices: [], hostApis: [] };
  }
  const defApi = apis.HostAPIs.find((a) => a.id === apis.defaultHostAPI);
  const defIn = defApi ? defaultIndex(defApi.defaultInput, defApi, native) : -1;
  const defOut = defApi ? defaultIndex(defApi.defaultOutput, defApi, native) : -1;
  const devices = native.map(
    (d): AudioDeviceInfo => ({
      index: d.id,
      name: d.name,
      hostApi: d.hostAPIName,
      maxInputs: d.maxInputChannels,
      maxOutputs: d.maxOutputChannels,
      defaultSampleRate: d.defaultSampleRate,
      lowInputLatencyMs: d.defaultLowInputLatency * 1000,
      lowOutputLatencyMs: d.defaultLowOutputLatency * 1000,
      isDefaultInput: d.id === defIn,
      isDefaultOutput: d.id === defOut,
    }),
  );
  return { available: true, devices, hostApis: apis.HostAPIs.map((a) => a.name) };
}

/** The compiled probe: next to this module in dist/, or in dist/ when this module runs from src/. */
function probeScript(): string | undefined {
  const candidates = [new URL('./device-probe.js', import.meta.url), new URL('../../dist/audio/device-probe.js', import.meta.url)];
  for (const u of candidates) {
    const f = fileURLToPath(u);
    if (fs.existsSync(f)) return f;
  }
  return undefined;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** A device list from the child, checked field by field; undefined if it is not one. */
export function parseDeviceList(msg: unknown): AudioDeviceList | undefined {
  if (!isObj(msg) || typeof msg.available !== 'boolean' || !Array.isArray(msg.devices) || !Array.isArray(msg.hostApis)) return undefined;
  if (msg.reason !== undefined && typeof msg.reason !== 'string') return undefined;
  if (!msg.hostApis.every((h) => typeof h === 'string')) return undefined;
  const devices: AudioDeviceInfo[] = [];
  for (const d of msg.devices as unknown[]) {
    if (!isObj(d) || typeof d.name !== 'string' || typeof d.hostApi !== 'string') return undefined;
    if (![d.index, d.maxInputs, d.maxOutputs, d.defaultSampleRate, d.lowInputLatencyMs, d.lowOutputLatencyMs].every(num)) return undefined;
    if (typeof d.isDefaultInput !== 'boolean' || typeof d.isDefaultOutput !== 'boolean') return undefined;
    devices.push({
      index: d.index as number,
      name: d.name,
      hostApi: d.hostApi,
      maxInputs: d.maxInputs as number,
      maxOutputs: d.maxOutputs as number,
      defaultSampleRate: d.defaultSampleRate as number,
      lowInputLatencyMs: d.lowInputLatencyMs as number,
      lowOutputLatencyMs: d.lowOutputLatencyMs as number,
      isDefaultInput: d.isDefaultInput,
      isDefaultOutput: d.isDefaultOutput,
    });
  }
  const list: AudioDeviceList = { available: msg.available, devices, hostApis: msg.hostApis as string[] };
  return typeof msg.reason === 'string' ? { ...list, reason: msg.reason } : list;
}

/** The last few lines of what a child wrote (for a reason when it fails). */
function tail(text: string, lines = 3): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .slice(-lines)
    .join(' | ');
}

/**
 * Enumerate in a child process (`node dist/audio/device-probe.js`): PortAudio's and ALSA's prints
 * stay out of our output. Timeout (default 10 s) -> available:false with a reason. `env` (default
 * process.env) is the child's environment (ALSA_CONFIG_PATH, JACK_DEFAULT_SERVER). Never throws.
 */
export function listAudioDevices(opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<AudioDeviceList> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const unavailable = (reason: string): AudioDeviceList => ({ available: false, reason, devices: [], hostApis: [] });
  const script = probeScript();
  if (!script) return Promise.resolve(unavailable('the device probe is not built (run `npm run build`)'));
  return new Promise((resolve) => {
    let settled = false;
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const done = (list: AudioDeviceList): void => {
      if (settled) return;
      settled = true;
      resolve(list);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: opts.env ?? process.env });
    } catch (e) {
      done(unavailable(`the device probe did not start: ${errorText(e)}`));
      return;
    }
    // Runs until the child has gone, also after its result came (it exits on its own then).
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(unavailable(`device enumeration did not finish within ${timeoutMs / 1000} s (an audio driver or server not answering)`));
    }, timeoutMs);
    // Drain both pipes (a full pipe would block the child); keep the end of stderr for a reason.
    child.stdout?.on('data', () => undefined);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      stderr = (stderr + s).slice(-4096);
    });
    child.on('message', (msg: unknown) => {
      done(parseDeviceList(msg) ?? unavailable('the device probe sent something that is not a device list'));
    });
    child.on('error', (e) => done(unavailable(`the device probe did not start: ${errorText(e)}`)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const last = tail(stderr);
      done(unavailable(`the device probe ${how} without a result${last ? ` (${last})` : ''}`));
    });
  });
}

function describeDevices(devices: readonly AudioDeviceInfo[]): string {
  return devices.map((d) => `${d.index} '${d.name}'`).join(', ');
}

function channelsOk(d: AudioDeviceInfo, need: { inputs: number; outputs: number }): AudioDeviceInfo {
  if (d.maxOutputs < need.outputs)
    throw new MixhostError('E_AUDIO_DEVICE', `audio device ${d.index} '${d.name}' has ${d.maxOutputs} output channel(s); ${need.outputs} needed`);
  if (d.maxInputs < need.inputs)
    throw new MixhostError('E_AUDIO_DEVICE', `audio device ${d.index} '${d.name}' has ${d.maxInputs} input channel(s); ${need.inputs} needed`);
  return d;
}

/**
 * Pick a device: spec = index ("3" or 3), exact name, else a case-insensitive substring that
 * matches exactly one name; undefined -> PortAudio's default output device, else the first device
 * with outputs (for a stream without outputs: the default input device, else the first with
 * inputs). `need`: channels the stream will open. Throws MixhostError('E_AUDIO_DEVICE') when there
 * are no devices, none matches, several match, or the one found has too few channels.
 */
export function findDevice(list: AudioDeviceList, spec: string | number | undefined, need: { inputs: number; outputs: number }): AudioDeviceInfo {
  const { devices } = list;
  if (devices.length === 0) {
    const why = list.available ? 'no sound card?' : `PortAudio unavailable: ${list.reason ?? 'unknown reason'}`;
    throw new MixhostError('E_AUDIO_DEVICE', `no audio devices (${why}); use the null backend (--audio null)`);
  }
  if (spec === undefined) {
    const inputOnly = need.outputs === 0 && need.inputs > 0;
    const d = inputOnly
      ? (devices.find((x) => x.isDefaultInput) ?? devices.find((x) => x.maxInputs > 0))
      : (devices.find((x) => x.isDefaultOutput) ?? devices.find((x) => x.maxOutputs > 0));
    if (!d) throw new MixhostError('E_AUDIO_DEVICE', `no audio device has ${inputOnly ? 'inputs' : 'outputs'}; devices: ${describeDevices(devices)}`);
    return channelsOk(d, need);
  }
  const text = String(spec).trim();
  if (typeof spec === 'number' || /^\d+$/.test(text)) {
    const index = Number(text);
    const d = devices.find((x) => x.index === index);
    if (!d) throw new MixhostError('E_AUDIO_DEVICE', `no audio device with index ${index}; devices: ${describeDevices(devices)}`);
    return channelsOk(d, need);
  }
  const exact = devices.filter((x) => x.name === text);
  if (exact.length === 1) return channelsOk(exact[0], need);
  const lower = text.toLowerCase();
  const matches = exact.length > 1 ? exact : devices.filter((x) => x.name.toLowerCase().includes(lower));
  if (matches.length === 1) return channelsOk(matches[0], need);
  if (matches.length > 1)
    throw new MixhostError('E_AUDIO_DEVICE', `audio device '${text}' is ambiguous: it matches ${describeDevices(matches)}; give the index or the full name`);
  throw new MixhostError('E_AUDIO_DEVICE', `no audio device matches '${text}'; devices: ${describeDevices(devices)}`);
}
