/**
 * One Mackie unit (a main unit or an extender) as the driver sees it: its connection and input
 * parser, the SysEx model byte it answers to, the state of its faders under the fingers, and a
 * memory of everything it shows (fader positions, rings, LEDs, LCD cells, colours, 7-segment
 * digits, meters) so that only changes are sent. A reconnect or a reboot forgets that memory
 * (`invalidate`) and the next render sends everything again.
 */
import { MidiParser } from '../midi/parser.js';
import type { Capability, DeviceSpec, MackieSpec, MidiConnection, MidiMessage } from '../types.js';
import { ASSIGNMENT_CC, RING_CC, TIMECODE_CC } from './notes.js';
import { ccMessage, faderMessage, lcdText, noteMessage, scribbleColours } from './codec.js';
import { LcdModel, SegmentModel } from './display.js';
import { MeterModel } from './meters.js';

/** Pitch-bend channel of the master fader. */
export const MASTER_CHANNEL = 8;
export const DEFAULT_FADER_TOP = 16383;

/** A fader under (or recently under) a finger. */
export interface FaderTouch {
  /** Touch note held (7F received, 00 not yet). */
  real: boolean;
  /** Time of the last move (-Infinity: none pending); a move counts as a touch for a while. */
  movedAt: number;
  /** The address whose lease this fader holds. */
  leased: string | undefined;
  leaseAt: number;
}

export class MackieUnit {
  readonly spec: MackieSpec;
  readonly strips: number;
  /** Global bank position of this unit's first strip. */
  readonly base: number;
  /** Pitch-bend value at the top of the travel. */
  readonly top: number;
  /** A master fader on pitch-bend channel 9 (index `strips` in the fader arrays). */
  readonly hasMaster: boolean;
  /** The SysEx model byte: configured, then whatever the unit uses in its own SysEx. */
  model: number;
  conn: MidiConnection | undefined;
  /** Name of the current or last port. */
  port: string | undefined;
  /** Bumped on every (dis)connect: listeners of an older connection fall silent. */
  gen = 0;
  readonly parser: MidiParser;
  /** When the device query went out (a host-connection query soon after is its answer). */
  queriedAt = -Infinity;
  version: string | undefined;
  sent = 0;
  /** Last value sent to or received from each fader (-1: unknown); master at index `strips`. */
  readonly faders: Int32Array;
  readonly touch: FaderTouch[];
  readonly lcd: LcdModel;
  readonly assignment = new SegmentModel(2);
  readonly timecode = new SegmentModel(10);
  readonly meters: MeterModel[];
  private readonly rings: Int16Array;
  private readonly leds = new Map<number, number>();
  private colourKey: string | undefined;
  private readonly caps: ReadonlySet<Capability>;

  constructor(
    readonly device: DeviceSpec,
    base: number,
    onMessage: (m: MidiMessage) => void,
    private readonly onSendError: (e: unknown) => void,
  ) {
    if (device.mackie === undefined) throw new RangeError(`device '${device.id}' has no Mackie Control spec`);
    this.spec = device.mackie;
    this.strips = Math.max(0, Math.min(8, Math.floor(this.spec.strips)));
    this.base = base;
    this.top = this.spec.faderTop !== undefined && this.spec.faderTop > 0 ? Math.min(16383, this.spec.faderTop) : DEFAULT_FADER_TOP;
    this.caps = new Set(device.capabilities);
    this.hasMaster = this.spec.role === 'main' && this.caps.has('masterFader');
    this.model = this.spec.model;
    this.parser = new MidiParser(onMessage);
    this.faders = new Int32Array(this.strips + 1).fill(-1);
    this.touch = Array.from({ length: this.strips + 1 }, () => ({ real: false, movedAt: -Infinity, leased: undefined, leaseAt: -Infinity }));
    this.rings = new Int16Array(this.strips).fill(-1);
    this.lcd = new LcdModel(this.strips);
    this.meters = Array.from({ length: this.strips }, () => new MeterModel());
  }

  has(cap: Capability): boolean {
    return this.caps.has(cap);
  }

  /** Faders counted with the master: indexes 0..faderCount-1. */
  get faderCount(): number {
    return this.strips + (this.hasMaster ? 1 : 0);
  }

  /** Pitch-bend channel of fader index `i`. */
  faderChannel(i: number): number {
    return i === this.strips ? MASTER_CHANNEL : i;
  }

  /** Forget what the unit shows: the next render sends everything. */
  invalidate(): void {
    this.faders.fill(-1);
    this.rings.fill(-1);
    this.leds.clear();
    this.lcd.invalidate();
    this.assignment.invalidate();
    this.timecode.invalidate();
    this.colourKey = undefined;
    for (const m of this.meters) m.reset();
  }

  send(bytes: readonly number[]): void {
    const c = this.conn;
    if (c === undefined) return;
    try {
      c.send(bytes);
      this.sent++;
    } catch (e) {
      this.onSendError(e);
    }
  }

  /** Move fader `i` to `value` unless that is what it showed or sent last. */
  fader(i: number, value: number): void {
    if (this.faders[i] === value) return;
    this.faders[i] = value;
    this.send(faderMessage(this.faderChannel(i), value));
  }

  ring(i: number, byte: number): void {
    if (this.rings[i] === byte) return;
    this.rings[i] = byte;
    this.send(ccMessage(RING_CC + i, byte));
  }

  led(note: number, velocity: number): void {
    if (this.leds.get(note) === velocity) return;
    this.leds.set(note, velocity);
    this.send(noteMessage(note, velocity));
  }

  flushLcd(): void {
    for (const w of this.lcd.flush()) this.send(lcdText(this.model, w.offset, w.text));
  }

  /** All strips' colours together (the protocol has no message for one), when any changed. */
  colours(list: readonly number[]): void {
    const key = list.join(',');
    if (key === this.colourKey) return;
    this.colourKey = key;
    this.send(scribbleColours(this.model, list));
  }

  showAssignment(codes: readonly number[]): void {
    for (const [i, code] of this.assignment.update(codes)) this.send(ccMessage(ASSIGNMENT_CC + i, code));
  }

  showTimecode(codes: readonly number[]): void {
    for (const [i, code] of this.timecode.update(codes)) this.send(ccMessage(TIMECODE_CC + i, code));
  }
}
