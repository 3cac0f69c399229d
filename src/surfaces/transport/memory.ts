/**
 * The in-memory MIDI transport: virtual devices that a test (or the benchmark) plugs in, drives
 * byte by byte and unplugs. Drivers cannot tell it from hardware:
 * - bytes a device sends reach the open connection's `onBytes` listeners synchronously, exactly
 *   as given (no re-framing: running status, split and joined messages reach the parser as sent);
 * - every host `send()` is recorded on the device as one entry of `received`;
 * - `unplug()` removes the device's ports from `list()` and closes the connections that use them
 *   (`onClose('unplugged')`); `replug()` lists them again, and the host opens them anew;
 * - `setUnavailable(reason)` plays a machine without a MIDI subsystem.
 *
 * Ports of two devices with the same name are numbered as easymidi numbers them ("Name",
 * "Name1", "Name2", in plug order, inputs and outputs counted separately; a replugged device
 * comes last), so the same names reach the drivers as on hardware.
 *
 * A listener that throws is not caught here: the exception leaves `MemoryDevice.send()`, so a
 * driver's defect fails the test that caused it instead of being counted away.
 */
import { MixhostError } from '../../model/errors.js';
import type { MidiBackend, MidiConnection, MidiPortList } from '../types.js';

export interface PlugOptions {
  /** The device has an input port (host reads from it); default true. */
  readonly input?: boolean;
  /** The device has an output port (host writes to it); default true. */
  readonly output?: boolean;
}

/** A virtual device: the far end of the host's connections. */
export interface MemoryDevice {
  /** The name its ports were plugged under (before duplicate numbering). */
  readonly name: string;
  readonly hasInput: boolean;
  readonly hasOutput: boolean;
  readonly plugged: boolean;
  /** Every host -> device `send()` call's bytes, in order (kept across unplug and replug). */
  readonly received: number[][];
  /** Device -> host: these bytes, as one chunk. */
  send(...bytes: number[]): void;
  /** Device -> host: these bytes, as one chunk. */
  sendBytes(bytes: readonly number[]): void;
  /** Called with every host -> device send, after it is recorded. */
  onReceive(listener: (bytes: readonly number[]) => void): void;
  /** The ports vanish; open connections on them close with reason `unplugged`. */
  unplug(): void;
  /** The ports are listed again (connections closed by unplug stay closed). */
  replug(): void;
}

/** A connection of the in-memory backend; `dropped` counts sends that went nowhere. */
export interface MemoryConnection extends MidiConnection {
  readonly input: string | undefined;
  readonly output: string | undefined;
  readonly closed: boolean;
  /** send() calls refused because the connection was closed or has no output. */
  readonly dropped: number;
  /** send() calls delivered to the device. */
  readonly sent: number;
}

class Device implements MemoryDevice {
  plugged = true;
  readonly received: number[][] = [];
  readonly receiveListeners: Array<(bytes: readonly number[]) => void> = [];
  /** Connections reading from this device's input. */
  readonly readers = new Set<Connection>();
  /** Connections writing to this device's output. */
  readonly writers = new Set<Connection>();

  constructor(
    readonly name: string,
    readonly hasInput: boolean,
    readonly hasOutput: boolean,
    /** Plug order; a replugged device comes last, as a new ALSA client does. */
    public order: number,
    private readonly nextOrder: () => number,
  ) {}

  send(...bytes: number[]): void {
    this.sendBytes(bytes);
  }

  sendBytes(bytes: readonly number[]): void {
    if (!this.plugged) return;
    for (const conn of [...this.readers]) conn.deliver(bytes);
  }

  onReceive(listener: (bytes: readonly number[]) => void): void {
    this.receiveListeners.push(listener);
  }

  hostSent(bytes: readonly number[]): void {
    const copy = [...bytes];
    this.received.push(copy);
    for (const l of this.receiveListeners) l(copy);
  }

  unplug(): void {
    if (!this.plugged) return;
    this.plugged = false;
    const conns = new Set([...this.readers, ...this.writers]);
    for (const c of conns) c.lost('unplugged');
  }

  replug(): void {
    if (this.plugged) return;
    this.plugged = true;
    this.order = this.nextOrder();
  }
}

class Connection implements MemoryConnection {
  closed = false;
  dropped = 0;
  sent = 0;
  private readonly byteListeners: Array<(bytes: readonly number[]) => void> = [];
  private readonly closeListeners: Array<(reason: string) => void> = [];

  constructor(
    readonly name: string,
    readonly input: string | undefined,
    readonly output: string | undefined,
    private readonly reader: Device | undefined,
    private readonly writer: Device | undefined,
  ) {
    reader?.readers.add(this);
    writer?.writers.add(this);
  }

  send(bytes: readonly number[]): void {
    if (this.closed || this.writer === undefined) {
      this.dropped++;
      return;
    }
    this.sent++;
    this.writer.hostSent(bytes);
  }

  onBytes(listener: (bytes: readonly number[]) => void): void {
    this.byteListeners.push(listener);
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  /** Closed by the host: no onClose (the host knows). */
  close(): void {
    this.detach();
  }

  deliver(bytes: readonly number[]): void {
    if (this.closed) return;
    // A copy per listener: one that keeps or changes its array cannot affect another.
    for (const l of this.byteListeners) l([...bytes]);
  }

  /** The far end went away. */
  lost(reason: string): void {
    if (this.closed) return;
    this.detach();
    for (const l of this.closeListeners) l(reason);
  }

  private detach(): void {
    this.closed = true;
    this.reader?.readers.delete(this);
    this.writer?.writers.delete(this);
  }
}

/** Names as easymidi lists them: a repeated name gets the count of earlier ones appended. */
function numbered(devices: readonly Device[]): Array<{ name: string; device: Device }> {
  const out: Array<{ name: string; device: Device }> = [];
  const taken = new Set<string>();
  for (const device of devices) {
    let name = device.name;
    for (let n = 1; taken.has(name); n++) name = device.name + n;
    taken.add(name);
    out.push({ name, device });
  }
  return out;
}

function quoted(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.map((n) => `"${n}"`).join(', ');
}

export class MemoryMidiBackend implements MidiBackend {
  readonly kind = 'memory';
  private readonly devices: Device[] = [];
  private unavailable: string | undefined;
  private plugCount = 0;

  /** A new virtual device, listed at once (at the end of the port lists). */
  plug(name: string, opts: PlugOptions = {}): MemoryDevice {
    const nextOrder = (): number => ++this.plugCount;
    const device = new Device(name, opts.input ?? true, opts.output ?? true, nextOrder(), nextOrder);
    if (!device.hasInput && !device.hasOutput) throw new Error(`device "${name}" needs an input or an output`);
    this.devices.push(device);
    return device;
  }

  /** `reason`: list() and open() throw E_MIDI_UNAVAILABLE with it; undefined: available again. */
  setUnavailable(reason: string | undefined): void {
    this.unavailable = reason;
  }

  list(): MidiPortList {
    this.check();
    return { inputs: this.inputs().map((p) => p.name), outputs: this.outputs().map((p) => p.name) };
  }

  open(input: string | undefined, output: string | undefined): MemoryConnection {
    this.check();
    if (input === undefined && output === undefined) throw new MixhostError('E_MIDI_OPEN', 'no MIDI port to open: neither an input nor an output was named');
    const inputs = this.inputs();
    const outputs = this.outputs();
    const reader = input === undefined ? undefined : inputs.find((p) => p.name === input)?.device;
    if (input !== undefined && reader === undefined) {
      throw new MixhostError('E_MIDI_OPEN', `no MIDI input "${input}" (inputs seen: ${quoted(inputs.map((p) => p.name))})`);
    }
    const writer = output === undefined ? undefined : outputs.find((p) => p.name === output)?.device;
    if (output !== undefined && writer === undefined) {
      throw new MixhostError('E_MIDI_OPEN', `no MIDI output "${output}" (outputs seen: ${quoted(outputs.map((p) => p.name))})`);
    }
    return new Connection((input ?? output) as string, input, output, reader, writer);
  }

  private check(): void {
    if (this.unavailable !== undefined) throw new MixhostError('E_MIDI_UNAVAILABLE', this.unavailable);
  }

  private inputs(): Array<{ name: string; device: Device }> {
    return numbered(this.plugged().filter((d) => d.hasInput));
  }

  private outputs(): Array<{ name: string; device: Device }> {
    return numbered(this.plugged().filter((d) => d.hasOutput));
  }

  private plugged(): Device[] {
    return this.devices.filter((d) => d.plugged).sort((a, b) => a.order - b.order);
  }
}
