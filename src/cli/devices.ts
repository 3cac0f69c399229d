/**
 * `mixhost devices [--json]`: the audio devices PortAudio sees (and, later, MIDI ports).
 *
 * The listing is this command's result, so the table goes to stdout; with --json stdout holds
 * exactly one JSON object `{"audio": AudioDeviceList, "midi": {...}}`. Enumeration runs in a
 * child process (src/audio/device-probe.ts) so that PortAudio's and ALSA's own prints never
 * reach our output. No devices is a normal state (a machine without a sound card): exit 0.
 */
import { parseArgs } from 'node:util';
import { listAudioDevices, type AudioDeviceInfo, type AudioDeviceList } from '../audio/devices.js';
import { MixhostError } from '../model/errors.js';
import { reportError } from './output.js';

export interface MidiDeviceList {
  readonly available: boolean;
  readonly reason?: string;
}

const MIDI: MidiDeviceList = { available: false, reason: 'MIDI surfaces are not built yet' };

const NULL_NOTE = 'mixhost serve will use the null backend';

/** naudiodon2 passes latencies in whole seconds, so a usual device reads 0: shown as '-'. */
function fmtMs(ms: number): string {
  return ms > 0 ? ms.toFixed(1) : '-';
}

/** The human listing (lines without a trailing newline). */
export function formatDevices(audio: AudioDeviceList, midi: MidiDeviceList = MIDI): string[] {
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
  lines.push(midi.available ? 'midi: available' : `midi: not available (${midi.reason ?? 'unknown reason'})`);
  return lines;
}

export async function devicesCommand(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } } });
    json = values.json ?? false;
    const audio = await listAudioDevices();
    if (json) process.stdout.write(`${JSON.stringify({ audio, midi: MIDI })}\n`);
    else process.stdout.write(`${formatDevices(audio).join('\n')}\n`);
    return 0;
  } catch (e) {
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      return reportError(new MixhostError('E_USAGE', e.message), json);
    }
    return reportError(e, json);
  }
}
