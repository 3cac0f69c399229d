/**
 * `mixhost devices [--json]`: the audio devices PortAudio sees and the MIDI ports, each with the
 * device file it is recognised as (what `serve` would open it as).
 *
 * The listing is this command's result, so the table goes to stdout; with --json stdout holds
 * exactly one JSON object `{"audio": AudioDeviceList, "midi": MidiDeviceList}`. Enumeration runs in a
 * child process (src/audio/device-probe.ts) so that PortAudio's and ALSA's own prints never
 * reach our output. No devices is a normal state (a machine without a sound card): exit 0.
 */
import { parseArgs } from 'node:util';
import { listAudioDevices, type AudioDeviceInfo, type AudioDeviceList } from '../audio/devices.js';
import { MixhostError } from '../model/errors.js';
import { loadSurfaceData, matchDevice } from '../surfaces/loader.js';
import { EasymidiBackend } from '../surfaces/transport/easymidi.js';
import type { MidiBackend } from '../surfaces/types.js';
import { reportError } from './output.js';

export interface MidiPortInfo {
  readonly name: string;
  /** The device file the port is recognised as, if any (else serve opens it learn-only). */
  readonly device?: string;
}

export interface MidiDeviceList {
  readonly available: boolean;
  readonly reason?: string;
  readonly inputs: readonly MidiPortInfo[];
  readonly outputs: readonly MidiPortInfo[];
}

/** The MIDI ports a backend lists now, each matched against the device files. */
export async function listMidiPorts(backend: MidiBackend = new EasymidiBackend()): Promise<MidiDeviceList> {
  let ports;
  try {
    ports = backend.list();
  } catch (e) {
    return { available: false, reason: e instanceof Error ? e.message : String(e), inputs: [], outputs: [] };
  }
  const { devices } = await loadSurfaceData();
  const info = (name: string): MidiPortInfo => {
    const d = matchDevice(name, devices);
    return d === undefined ? { name } : { name, device: d.id };
  };
  return { available: true, inputs: ports.inputs.map(info), outputs: ports.outputs.map(info) };
}

const NULL_NOTE = 'mixhost serve will use the null backend';

/** naudiodon2 passes latencies in whole seconds, so a usual device reads 0: shown as '-'. */
function fmtMs(ms: number): string {
  return ms > 0 ? ms.toFixed(1) : '-';
}

/** The human listing (lines without a trailing newline). */
export function formatDevices(audio: AudioDeviceList, midi: MidiDeviceList): string[] {
  const lines: string[] = [];
  if (!audio.available) {
    lines.push(`audio: PortAudio unavailable: ${audio.reason ?? 'unknown reason'}; ${NULL_NOTE}`);
  } else if (audio.devices.length === 0) {
    const apis = audio.hostApis.length > 0 ? ` (host APIs: ${audio.hostApis.join(', ')})` : '';
    lines.push(`no audio devices (no sound card?); ${NULL_NOTE}${apis}`);
  } else {
    lines.push(`audio devices (PortAudio host APIs: ${audio.hostApis.join(', ')}):`);
    const head = ['#', 'name', 'host API', 'in', 'out', 'rate', 'low latency in/out', 'default'];
    const rows = audio.devices.map((d: AudioDeviceInfo) => [
      String(d.index),
      d.name,
      d.hostApi,
      String(d.maxInputs),
      String(d.maxOutputs),
      `${d.defaultSampleRate} Hz`,
      `${fmtMs(d.lowInputLatencyMs)}/${fmtMs(d.lowOutputLatencyMs)} ms`,
      [d.isDefaultInput ? 'in' : '', d.isDefaultOutput ? 'out' : ''].filter(Boolean).join(', '),
    ]);
    const all = [head, ...rows];
    const width = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
    // Right-align the numbers, left-align the text columns.
    const right = new Set([0, 3, 4, 5]);
    for (const r of all) {
      lines.push(`  ${r.map((cell, c) => (right.has(c) ? cell.padStart(width[c]) : cell.padEnd(width[c]))).join('  ').trimEnd()}`);
    }
  }
  if (!midi.available) lines.push(`midi: not available (${midi.reason ?? 'unknown reason'}); serve looks again while it runs`);
  else if (midi.inputs.length === 0 && midi.outputs.length === 0) lines.push('midi: no ports (no controller plugged in?)');
  else {
    lines.push('midi ports:');
    const show = (p: MidiPortInfo): string => (p.device !== undefined ? `  (${p.device})` : '  (no device file: learn-only)');
    for (const p of midi.inputs) lines.push(`  in   ${p.name}${show(p)}`);
    for (const p of midi.outputs) lines.push(`  out  ${p.name}${p.device !== undefined ? `  (${p.device})` : ''}`);
  }
  return lines;
}

export async function devicesCommand(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } } });
    json = values.json ?? false;
    const audio = await listAudioDevices();
    const midi = await listMidiPorts();
    if (json) process.stdout.write(`${JSON.stringify({ audio, midi })}\n`);
    else process.stdout.write(`${formatDevices(audio, midi).join('\n')}\n`);
    return 0;
  } catch (e) {
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      return reportError(new MixhostError('E_USAGE', e.message), json);
    }
    return reportError(e, json);
  }
}
