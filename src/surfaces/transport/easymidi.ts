/**
 * The hardware MIDI transport, over easymidi (RtMidi: ALSA sequencer on Linux, CoreMIDI on
 * macOS, WinMM on Windows).
 *
 * What it contains of easymidi's and RtMidi's ways:
 * - easymidi is loaded on first use, inside try/catch: its native module may be missing or fail
 *   to load, and mixhost then runs without MIDI ("unavailable", never a crash).
 * - On Linux RtMidi needs the ALSA sequencer (/dev/snd/seq). Without it every RtMidi call fails
 *   ("Failed to initialise RtMidi") and prints ALSA's errors to stderr each time, so the device
 *   node is checked first and RtMidi is not called at all while it is missing. The check runs
 *   at every list(), so a sequencer that appears later (modprobe snd-seq) is picked up.
 * - easymidi parses input into objects; they are turned back into bytes (easymidiToBytes) so the
 *   drivers read every transport through the same MidiParser. ALSA delivers whole messages,
 *   status byte included; real-time and System Common messages are not passed on (counted in
 *   `ignored`).
 * - Output goes through easymidi's typed send(); bytesToEasymidi splits a buffer of whole
 *   messages into those calls.
 * - RtMidi does not report a port that vanished. list() does: a connection whose port is no
 *   longer listed is closed with onClose('vanished'), and so are connections on a port of the
 *   same name family ("Name", "Name1" ...) when one of them vanished, because easymidi numbers
 *   duplicate names by position and the numbers shift. The port watcher's polls drive this.
 * - A send that RtMidi refuses closes the connection with onClose('send failed: ...').
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { MixhostError } from '../../model/errors.js';
import type { MidiBackend, MidiConnection, MidiPortList } from '../types.js';

// ---- easymidi's shapes (the subset used) ----

/** A message as easymidi's Input emits it on its 'message' event. */
export interface EasymidiMessage {
  readonly _type?: string;
  readonly channel?: number;
  readonly note?: number;
  readonly velocity?: number;
  readonly controller?: number;
  readonly value?: number;
  readonly number?: number;
  readonly pressure?: number;
  readonly bytes?: readonly number[];
}

/** One call of easymidi's Output.send(type, args). */
export type EasymidiCall =
  | readonly ['noteon' | 'noteoff', { readonly channel: number; readonly note: number; readonly velocity: number }]
  | readonly ['poly aftertouch', { readonly channel: number; readonly note: number; readonly pressure: number }]
  | readonly ['cc', { readonly channel: number; readonly controller: number; readonly value: number }]
  | readonly ['program', { readonly channel: number; readonly number: number }]
  | readonly ['channel aftertouch', { readonly channel: number; readonly pressure: number }]
  | readonly ['pitch', { readonly channel: number; readonly value: number }]
  /** The whole message, F0 ... F7. */
  | readonly ['sysex', number[]];

export interface EasymidiInputPort {
  on(event: 'message', listener: (msg: EasymidiMessage) => void): unknown;
  removeListener(event: 'message', listener: (msg: EasymidiMessage) => void): unknown;
  close(): void;
}

export interface EasymidiOutputPort {
  send(type: string, args: unknown): void;
  close(): void;
}

export interface EasymidiModule {
  getInputs(): string[];
  getOutputs(): string[];
  Input: new (name: string) => EasymidiInputPort;
  Output: new (name: string) => EasymidiOutputPort;
}

// ---- conversions ----

const isData = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 127;
const isChannel = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 15;

/**
 * easymidi's parsed input -> the message's bytes (status byte included), or undefined for types
 * surfaces do not read (clock, MTC, song position ...) and for anything malformed.
 * Note-on with velocity 0 stays a note-on with velocity 0: the bytes are the device's own.
 */
export function easymidiToBytes(msg: unknown): number[] | undefined {
  if (typeof msg !== 'object' || msg === null) return undefined;
  const m = msg as EasymidiMessage;
  if (m._type === 'sysex') {
    const b = m.bytes;
    if (!Array.isArray(b) || b.length < 2 || b[0] !== 0xf0 || b[b.length - 1] !== 0xf7) return undefined;
    for (let i = 1; i < b.length - 1; i++) if (!isData(b[i])) return undefined;
    return [...b];
  }
  if (!isChannel(m.channel)) return undefined;
  const ch = m.channel;
  switch (m._type) {
    case 'noteon':
    case 'noteoff':
      if (!isData(m.note) || !isData(m.velocity)) return undefined;
      return [(m._type === 'noteon' ? 0x90 : 0x80) | ch, m.note, m.velocity];
    case 'poly aftertouch':
      if (!isData(m.note) || !isData(m.pressure)) return undefined;
      return [0xa0 | ch, m.note, m.pressure];
    case 'cc':
      if (!isData(m.controller) || !isData(m.value)) return undefined;
      return [0xb0 | ch, m.controller, m.value];
    case 'program':
      if (!isData(m.number)) return undefined;
      return [0xc0 | ch, m.number];
    case 'channel aftertouch':
      if (!isData(m.pressure)) return undefined;
      return [0xd0 | ch, m.pressure];
    case 'pitch': {
      const v = m.value;
      if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 16383) return undefined;
      return [0xe0 | ch, (v as number) & 127, (v as number) >> 7];
    }
    default:
      return undefined;
  }
}

/** Data bytes after a channel-voice status, by high nibble 8..E. */
const DATA_LENGTH = [2, 2, 2, 2, 1, 1, 2];

function voiceCall(status: number, d: readonly number[]): EasymidiCall {
  const channel = status & 15;
  switch (status >> 4) {
    case 0x8:
      return ['noteoff', { channel, note: d[0], velocity: d[1] }];
    case 0x9:
      return ['noteon', { channel, note: d[0], velocity: d[1] }];
    case 0xa:
      return ['poly aftertouch', { channel, note: d[0], pressure: d[1] }];
    case 0xb:
      return ['cc', { channel, controller: d[0], value: d[1] }];
    case 0xc:
      return ['program', { channel, number: d[0] }];
    case 0xd:
      return ['channel aftertouch', { channel, pressure: d[0] }];
    default:
      return ['pitch', { channel, value: d[0] | (d[1] << 7) }];
  }
}

/**
 * A buffer of whole messages -> easymidi send() calls, in order. Channel messages may use
 * running status; a SysEx goes whole as one 'sysex' call. Dropped, and counted in
 * `stats.dropped` (one per message or stray byte): real-time and System Common bytes (surfaces
 * send none), data bytes with no status, truncated messages, SysEx cut by a status byte, and
 * SysEx shorter than 4 bytes (easymidi refuses them), bytes that are not integers 0..255.
 */
export function bytesToEasymidi(bytes: readonly number[], stats?: { dropped: number }): EasymidiCall[] {
  const calls: EasymidiCall[] = [];
  const drop = (): void => {
    if (stats) stats.dropped++;
  };
  let status = 0;
  const data: number[] = [];
  let sysex: number[] | undefined;
  for (const b of bytes) {
    if (!Number.isInteger(b) || b < 0 || b > 255) {
      if (data.length > 0 || sysex !== undefined) drop();
      drop();
      data.length = 0;
      sysex = undefined;
      status = 0;
      continue;
    }
    if (sysex !== undefined) {
      if (b < 0x80) {
        sysex.push(b);
        continue;
      }
      if (b === 0xf7) {
        sysex.push(b);
        if (sysex.length >= 4) calls.push(['sysex', sysex]);
        else drop();
        sysex = undefined;
        continue;
      }
      drop(); // cut short by another status byte; that byte is read below
      sysex = undefined;
    }
    if (b >= 0x80) {
      if (data.length > 0) drop();
      data.length = 0;
      status = 0;
      if (b === 0xf0) sysex = [b];
      else if (b >= 0xf1) drop();
      else status = b;
      continue;
    }
    if (status === 0) {
      drop();
      continue;
    }
    data.push(b);
    if (data.length === DATA_LENGTH[(status >> 4) - 8]) {
      calls.push(voiceCall(status, data));
      data.length = 0;
    }
  }
  if (data.length > 0 || sysex !== undefined) drop();
  return calls;
}

// ---- the backend ----

export interface EasymidiBackendOptions {
  /** The easymidi module (tests inject a fake); default: `require('easymidi')` on first use. */
  readonly load?: () => EasymidiModule;
  /** Default process.platform; the sequencer check runs on 'linux' only. */
  readonly platform?: NodeJS.Platform;
  /** Default /dev/snd/seq. */
  readonly sequencerPath?: string;
  /** A connection's byte or close listener threw (default: one process warning per connection). */
  readonly onListenerError?: (error: unknown, port: string) => void;
}

/** An open easymidi port pair. */
export interface EasymidiConnection extends MidiConnection {
  readonly input: string | undefined;
  readonly output: string | undefined;
  readonly closed: boolean;
  /** Sends refused (closed, no output, failed) and messages dropped from them. */
  readonly dropped: number;
  /** Input messages of types not passed on (real-time, System Common) or malformed. */
  readonly ignored: number;
  /** easymidi send() calls made. */
  readonly sent: number;
  /** Listener exceptions caught. */
  readonly listenerErrors: number;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

class Connection implements EasymidiConnection {
  closed = false;
  dropped = 0;
  ignored = 0;
  sent = 0;
  listenerErrors = 0;
  private readonly byteListeners: Array<(bytes: readonly number[]) => void> = [];
  private readonly closeListeners: Array<(reason: string) => void> = [];
  private readonly onMessage = (msg: EasymidiMessage): void => this.receive(msg);

  constructor(
    readonly input: string | undefined,
    readonly output: string | undefined,
    private readonly inPort: EasymidiInputPort | undefined,
    private readonly outPort: EasymidiOutputPort | undefined,
    private readonly onListenerError: (error: unknown, port: string) => void,
    private readonly onClosed: (c: Connection) => void,
  ) {
    inPort?.on('message', this.onMessage);
  }

  get name(): string {
    return (this.input ?? this.output) as string;
  }

  send(bytes: readonly number[]): void {
    if (this.closed || this.outPort === undefined) {
      this.dropped++;
      return;
    }
    const stats = { dropped: 0 };
    const calls = bytesToEasymidi(bytes, stats);
    this.dropped += stats.dropped;
    for (const [type, args] of calls) {
      try {
        this.outPort.send(type, args);
        this.sent++;
      } catch (e) {
        this.dropped++;
        this.lost(`send failed: ${message(e)}`);
        return;
      }
    }
  }

  onBytes(listener: (bytes: readonly number[]) => void): void {
    this.byteListeners.push(listener);
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClosed(this);
    if (this.inPort) {
      this.inPort.removeListener('message', this.onMessage);
      try {
        this.inPort.close();
      } catch {
        // the port is gone already; nothing left to release
      }
    }
    try {
      this.outPort?.close();
    } catch {
      // idem
    }
  }

  /** The port went away or failed: close, then tell the listeners once. */
  lost(reason: string): void {
    if (this.closed) return;
    this.close();
    for (const l of this.closeListeners) this.guard(() => l(reason));
  }

  private receive(msg: EasymidiMessage): void {
    if (this.closed) return;
    const bytes = easymidiToBytes(msg);
    if (bytes === undefined) {
      this.ignored++;
      return;
    }
    for (const l of this.byteListeners) this.guard(() => l(bytes));
  }

  /** Listeners run inside RtMidi's callback or inside list(): an exception must not escape. */
  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.listenerErrors++;
      this.onListenerError(e, this.name);
    }
  }
}

/** Same port family: equal, or one is the other with easymidi's duplicate number appended. */
function related(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return long.startsWith(short) && /^\d+$/.test(long.slice(short.length));
}

/** Names in `before` missing from `now`, duplicates counted. */
function vanished(before: readonly string[], now: readonly string[]): string[] {
  const left = [...now];
  const gone: string[] = [];
  for (const n of before) {
    const i = left.indexOf(n);
    if (i >= 0) left.splice(i, 1);
    else gone.push(n);
  }
  return gone;
}

export class EasymidiBackend implements MidiBackend {
  readonly kind = 'easymidi';
  private readonly platform: NodeJS.Platform;
  private readonly sequencerPath: string;
  private readonly loader: () => EasymidiModule;
  private readonly onListenerError: (error: unknown, port: string) => void;
  private loaded: { readonly mod: EasymidiModule } | { readonly error: string } | undefined;
  private readonly connections = new Set<Connection>();
  private seen: MidiPortList = { inputs: [], outputs: [] };

  constructor(opts: EasymidiBackendOptions = {}) {
    this.platform = opts.platform ?? process.platform;
    this.sequencerPath = opts.sequencerPath ?? '/dev/snd/seq';
    this.loader = opts.load ?? (() => createRequire(import.meta.url)('easymidi') as EasymidiModule);
    if (opts.onListenerError) {
      this.onListenerError = opts.onListenerError;
    } else {
      const warned = new Set<string>();
      this.onListenerError = (e, port) => {
        if (warned.has(port)) return;
        warned.add(port);
        process.emitWarning(`a listener of MIDI port "${port}" threw: ${message(e)} (further ones are counted only)`, 'MidiListenerWarning');
      };
    }
  }

  list(): MidiPortList {
    const mod = this.module();
    let now: MidiPortList;
    try {
      now = { inputs: [...mod.getInputs()], outputs: [...mod.getOutputs()] };
    } catch (e) {
      throw new MixhostError('E_MIDI_UNAVAILABLE', `MIDI is not available: ${message(e)}`);
    }
    this.closeVanished(now);
    return now;
  }

  open(input: string | undefined, output: string | undefined): EasymidiConnection {
    if (input === undefined && output === undefined) throw new MixhostError('E_MIDI_OPEN', 'no MIDI port to open: neither an input nor an output was named');
    const ports = this.list();
    const missing = (kind: string, name: string, seen: readonly string[]): MixhostError =>
      new MixhostError('E_MIDI_OPEN', `no MIDI ${kind} "${name}" (${kind}s seen: ${seen.length === 0 ? 'none' : seen.map((n) => `"${n}"`).join(', ')})`);
    if (input !== undefined && !ports.inputs.includes(input)) throw missing('input', input, ports.inputs);
    if (output !== undefined && !ports.outputs.includes(output)) throw missing('output', output, ports.outputs);
    const mod = this.module();
    let inPort: EasymidiInputPort | undefined;
    let outPort: EasymidiOutputPort | undefined;
    try {
      if (input !== undefined) inPort = new mod.Input(input);
      if (output !== undefined) outPort = new mod.Output(output);
    } catch (e) {
      try {
        inPort?.close();
      } catch {
        // opening failed anyway; the error below says why
      }
      const which = inPort === undefined && input !== undefined ? `input "${input}"` : `output "${output}"`;
      throw new MixhostError('E_MIDI_OPEN', `MIDI ${which} did not open: ${message(e)}`);
    }
    const conn = new Connection(input, output, inPort, outPort, this.onListenerError, (c) => this.connections.delete(c));
    this.connections.add(conn);
    return conn;
  }

  /** easymidi, or E_MIDI_UNAVAILABLE without touching RtMidi. */
  private module(): EasymidiModule {
    if (this.platform === 'linux' && !fs.existsSync(this.sequencerPath)) {
      throw new MixhostError(
        'E_MIDI_UNAVAILABLE',
        `no ALSA sequencer (${this.sequencerPath}): MIDI needs the snd-seq kernel module (modprobe snd-seq), and in a container the device passed in (--device /dev/snd)`,
      );
    }
    if (this.loaded === undefined) {
      try {
        this.loaded = { mod: this.loader() };
      } catch (e) {
        this.loaded = { error: message(e) };
      }
    }
    if ('error' in this.loaded) throw new MixhostError('E_MIDI_UNAVAILABLE', `the easymidi module did not load: ${this.loaded.error}`);
    return this.loaded.mod;
  }

  private closeVanished(now: MidiPortList): void {
    const goneIn = vanished(this.seen.inputs, now.inputs);
    const goneOut = vanished(this.seen.outputs, now.outputs);
    this.seen = now;
    for (const c of [...this.connections]) {
      const lostIn = c.input !== undefined && (!now.inputs.includes(c.input) || goneIn.some((g) => related(g, c.input as string)));
      const lostOut = c.output !== undefined && (!now.outputs.includes(c.output) || goneOut.some((g) => related(g, c.output as string)));
      if (lostIn || lostOut) c.lost('vanished');
    }
  }
}
