/**
 * The Mackie Control driver: one main unit and its extenders (left to right) as one surface
 * with one bank as wide as all their strips together. Units keep their places while one of
 * them is offline. Behaviour follows the device files' capability flags only.
 *
 * Connection. A unit is live as soon as it is connected (no handshake needed, as Ardour marks
 * every MCU-family device): it is sent the device query and then everything it shows. The
 * model byte a unit uses in its own SysEx replaces the configured one for what it is sent
 * (Ardour). A host-connection query is answered with the Logic Control challenge response
 * where the device has `challenge`; one that comes more than 1 s after the device query is a
 * reboot (REAPER sees the MCU send it at boot) and brings a full refresh. A confirmation is
 * followed by the firmware version request.
 *
 * Faders. Pitch bend on channel = strip, 9 = master. A move is echoed at once, byte for byte
 * (the servo loop needs it; an exact repeat of the fader's last value is not sent again), and
 * sets the strip's parameter by position. A touch takes the store's lease on the parameter,
 * so nobody else moves it meanwhile; nothing is ever sent to a touched fader, and on release
 * it goes to the store's value (which differs where the set was refused because another
 * source held the lease). A move also counts as a touch until 500 ms after it (REAPER fakes
 * touches the same way): devices without `faderTouch`, or with touch sensing switched off,
 * never fight their own finger. A fader gets what its parameter's position is, rounded to the
 * unit's travel, and only when that differs from the last value sent or received: a value
 * that came from the fader goes back exactly as it came (no drift by re-quantising).
 *
 * Everything shown is rendered from the store and the bank and sent where it changed: after
 * every input, every batch of feedback (`feedbackFor`, 10 ms), every bank change and every
 * tick. So a bank change parks every untouched fader on its new strip's value (empty strips at
 * 0, LEDs, ring, LCD cell and colour off), and a touched one follows on release.
 *
 * What each element shows: view.ts; V-Pot steps and rings: vpot.ts; meters: meters.ts; names and
 * values in LCD cells: names.ts; the LCD and 7-segment memories: display.ts; bytes: codec.ts.
 */
import type { ChangeEvent, SetResult } from '../../control/store.js';
import { Bank } from '../bank.js';
import type { Surface, SurfaceContext, SurfaceStatus, UnitSpec } from '../surface.js';
import type { Action, MidiConnection, MidiMessage, SurfaceProfile } from '../types.js';
import { decodeVpot, deviceQuery, hostReply, LED, meterMessage, meterMode, METER_MODE, parseSysex, scribbleColour, segmentCodes, SYSEX, versionRequest } from './codec.js';
import { timecodeText } from './display.js';
import { METER_CLEAR } from './meters.js';
import { cell } from './names.js';
import { EXTERNAL_CC, GLOBAL_NOTES, globalButtonName, JOG_CC, MASTER_TOUCH, STRIP_NOTES, stripButton, VPOT_CC } from './notes.js';
import { MackieUnit, type FaderTouch } from './unit.js';
import { MackieView } from './view.js';
import { pushValue, turnValue } from './vpot.js';

/** A move counts as a touch until this long after it. */
export const FAKE_TOUCH_MS = 500;
/** A host-connection query within this time of the device query is its answer, not a reboot. */
export const QUERY_REPLY_MS = 1000;
/** A touched fader's lease is renewed this often (leases last 2 s). */
export const LEASE_RENEW_MS = 1000;
const FEEDBACK_TICK_MS = 10;
/** Note velocity from which a note is a press (Ardour: above 64). */
const PRESS_VELOCITY = 0x40;

export interface MackieSurfaceOptions {
  readonly id: string;
  /** Left to right. */
  readonly units: UnitSpec[];
  readonly profile: SurfaceProfile;
}

/** The surface status with the driver's own counters. */
export interface MackieStatus extends SurfaceStatus {
  /** Sets refused because another source held the parameter (E_CONTROL_HELD). */
  readonly refused: number;
  /** Valid messages with nothing to do (rec buttons, unmapped buttons, jog, empty strips). */
  readonly ignored: number;
  readonly models: ReadonlyArray<{ readonly model: number; readonly version?: string }>;
}

export function createMackieSurface(ctx: SurfaceContext, opts: MackieSurfaceOptions): Surface {
  return new MackieSurface(ctx, opts);
}

class MackieSurface implements Surface {
  readonly id: string;
  readonly source: string;
  readonly units: readonly UnitSpec[];
  /** A full render is due (renderSoon sent the motors only). */
  private restPending = false;
  readonly profile: SurfaceProfile;
  private readonly bank: Bank;
  private readonly u: MackieUnit[];
  private readonly view: MackieView;
  private dropped = 0;
  private refused = 0;
  private ignored = 0;
  private disposed = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ctx: SurfaceContext,
    opts: MackieSurfaceOptions,
  ) {
    this.id = opts.id;
    this.source = `midi:${opts.id}`;
    this.units = opts.units;
    this.profile = opts.profile;
    let base = 0;
    this.u = opts.units.map((spec, k) => {
      const unit: MackieUnit = new MackieUnit(
        spec.device,
        base,
        (m) => this.input(unit, m),
        (e) => this.sendFailed(k, e),
      );
      base += unit.strips;
      return unit;
    });
    const m = opts.profile.mackie;
    this.bank = new Bank(ctx, base, { layer: m?.startLayer ?? opts.profile.bank?.layer, vpot: m?.vpot });
    this.view = new MackieView(ctx, this.bank, base);
    const offBank = this.bank.onChange(() => this.bankChanged());
    const sub = ctx.store.feedbackFor(this.source, FEEDBACK_TICK_MS).subscribe((batch: ChangeEvent[]) => {
      if (batch.length > 0) this.renderSoon(ctx.clock());
    });
    this.unsubscribe = () => {
      offBank();
      sub.unsubscribe();
    };
  }

  // ---- lifecycle ----

  connect(unit: number, conn: MidiConnection): void {
    const u = this.unitAt(unit);
    if (u.conn !== undefined) this.drop(u);
    const gen = ++u.gen;
    u.conn = conn;
    u.port = conn.name;
    u.parser.reset();
    conn.onBytes((bytes) => {
      if (u.gen === gen) u.parser.push(bytes);
    });
    conn.onClose(() => {
      if (u.gen === gen) this.drop(u);
    });
    this.refresh(u, true);
  }

  disconnect(unit: number): void {
    this.drop(this.unitAt(unit));
  }

  tick(now: number): void {
    if (this.disposed) return;
    for (const u of this.u) {
      for (let i = 0; i < u.faderCount; i++) {
        const f = u.touch[i];
        if (!f.real && f.movedAt !== -Infinity && now - f.movedAt >= FAKE_TOUCH_MS) {
          f.movedAt = -Infinity;
          this.unhold(f);
        } else if (f.leased !== undefined && now - f.leaseAt >= LEASE_RENEW_MS) {
          this.ctx.store.touch(f.leased, this.source);
          f.leaseAt = now;
        } else if (f.leased === undefined && this.touched(u, i, now)) {
          this.hold(f, this.faderAddress(u, i), now); // someone else held it when touched: take it once free
        }
      }
    }
    const haveMeters = this.view.readMeters();
    for (const u of this.u) {
      if (u.conn === undefined || !this.metersOn(u) || !haveMeters) continue;
      for (let i = 0; i < u.strips; i++) {
        const key = this.bank.strip(u.base + i)?.meter;
        for (const level of u.meters[i].update(key, this.view.peak(key), now)) u.send(meterMessage(i, level));
      }
    }
    this.render(now);
  }

  status(): MackieStatus {
    const b = this.bank;
    const first = b.offset + 1;
    const last = Math.min(b.offset + b.width, b.length);
    const range = b.length === 0 ? '(empty)' : `${first}-${last}`;
    return {
      id: this.id,
      source: this.source,
      profile: this.profile.id,
      units: this.u.map((u) => ({ device: u.device.id, ...(u.port !== undefined ? { port: u.port } : {}), connected: u.conn !== undefined })),
      dropped: this.dropped + this.refused + this.u.reduce((n, u) => n + u.parser.dropped, 0),
      received: this.u.reduce((n, u) => n + u.parser.received, 0),
      sent: this.u.reduce((n, u) => n + u.sent, 0),
      bank: `${b.describe()} ${range}, V-Pots ${b.vpotMode}${b.flip ? ', flipped' : ''}`,
      refused: this.refused,
      ignored: this.ignored,
      models: this.u.map((u) => ({ model: u.model, ...(u.version !== undefined ? { version: u.version } : {}) })),
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unsubscribe();
    for (const u of this.u) {
      if (u.conn !== undefined) this.goDark(u);
      this.drop(u);
    }
    this.ctx.store.releaseAll(this.source);
  }

  /**
   * The server stops: the unit is left showing nothing that looks live (as a console that is
   * switched off): faders down, LEDs, rings, meters and colours off, the LCD says so.
   */
  private goDark(u: MackieUnit): void {
    for (let i = 0; i < u.faderCount; i++) u.fader(i, 0);
    for (let i = 0; i < u.strips; i++) {
      if (u.has('vpotRings')) u.ring(i, 0);
      if (u.has('meters')) u.send(meterMessage(i, 0));
      for (const base of [STRIP_NOTES.rec, STRIP_NOTES.solo, STRIP_NOTES.mute, STRIP_NOTES.select]) u.led(base + i, LED.off);
    }
    for (const name of u.spec.buttons) {
      const note = GLOBAL_NOTES[name];
      if (note !== undefined) u.led(note, LED.off);
    }
    if (u.has('lcd')) {
      const width = u.has('colorScribble') ? 7 : 6;
      const words = ['mixhost', 'stopped'];
      for (let i = 0; i < u.strips; i++) {
        u.lcd.set(0, i, cell(i === 0 ? words[0] : '', width));
        u.lcd.set(1, i, cell(i === 0 ? words[1] : '', width));
      }
      u.flushLcd();
    }
    if (u.has('colorScribble')) u.colours(new Array<number>(u.strips).fill(0));
    if (u.has('assignmentDisplay')) u.showAssignment(segmentCodes('', 2));
    if (u.has('timecodeDisplay')) u.showTimecode(segmentCodes('', 10));
  }

  // ---- connection ----

  private unitAt(i: number): MackieUnit {
    const u = this.u[i];
    if (u === undefined) throw new RangeError(`surface '${this.id}' has no unit ${i} (it has ${this.u.length})`);
    return u;
  }

  /** The unit's connection is gone: forget it, let go of its faders. */
  private drop(u: MackieUnit): void {
    u.gen++;
    u.conn = undefined;
    u.parser.reset();
    for (const f of u.touch) {
      f.real = false;
      f.movedAt = -Infinity;
      this.unhold(f);
    }
  }

  private sendFailed(k: number, e: unknown): void {
    const u = this.u[k];
    if (u.conn === undefined) return;
    this.ctx.report({ surface: this.id, level: 'warn', code: 'E_MIDI_SEND', message: `${u.device.name} on '${u.port ?? '?'}': sending failed (${(e as Error)?.message ?? String(e)}); the unit is offline until it is connected again` });
    this.drop(u);
  }

  private metersOn(u: MackieUnit): boolean {
    return u.has('meters') && this.profile.mackie?.meters !== false;
  }

  /**
   * Send a unit everything: the device query (on connect), the meter mode (signal LED only, so
   * the LCD keeps its text, where the meters live in the LCD), every fader, LED, ring, LCD cell,
   * colour and digit, then clear the meters' overload LEDs.
   */
  private refresh(u: MackieUnit, query: boolean): void {
    const now = this.ctx.clock();
    u.invalidate();
    if (query) {
      u.send(deviceQuery(u.model));
      u.queriedAt = now;
    }
    if (u.has('lcd') && u.has('meters') && !u.has('separateMeters')) {
      for (let i = 0; i < u.strips; i++) u.send(meterMode(u.model, i, this.metersOn(u) ? METER_MODE.signalLed : METER_MODE.off));
    }
    this.renderUnit(u, now);
    if (this.metersOn(u)) for (let i = 0; i < u.strips; i++) u.send(meterMessage(i, METER_CLEAR));
  }

  // ---- input ----

  private input(u: MackieUnit, m: MidiMessage): void {
    if (this.disposed) return;
    const now = this.ctx.clock();
    try {
      switch (m.type) {
        case 'pitch':
          this.onFader(u, m.channel, m.value, now);
          return;
        case 'noteon':
        case 'noteoff':
          if (m.channel !== 0) break;
          this.onNote(u, m.note, m.type === 'noteon' && m.velocity >= PRESS_VELOCITY, now);
          return;
        case 'cc':
          if (m.channel !== 0) break;
          this.onCc(u, m.controller, m.value, now);
          return;
        case 'sysex':
          this.onSysex(u, m.bytes, now);
          return;
      }
      this.dropped++;
    } catch (e) {
      this.dropped++;
      this.ctx.report({ surface: this.id, level: 'warn', code: 'E_INTERNAL', message: `handling ${m.type} failed: ${(e as Error)?.message ?? String(e)}` });
    }
  }

  private faderAddress(u: MackieUnit, i: number): string | undefined {
    return i === u.strips ? this.bank.masterFaderAddress() : this.bank.faderAddress(u.base + i);
  }

  private onFader(u: MackieUnit, channel: number, value: number, now: number): void {
    const i = channel < u.strips ? channel : channel === 8 && u.hasMaster ? u.strips : -1;
    if (i < 0) {
      this.dropped++;
      return;
    }
    if (u.has('motorFaders')) u.fader(i, value); // the echo: the same bytes, unless the fader is there already
    else u.faders[i] = value;
    const f = u.touch[i];
    f.movedAt = now;
    const address = this.faderAddress(u, i);
    this.hold(f, address, now);
    if (address === undefined) {
      this.ignored++;
      return;
    }
    this.result(this.ctx.store.setPosition(address, Math.min(1, value / u.top), this.source));
    if (i < u.strips) this.view.moved(u.base + i, true, now);
    this.renderSoon(now);
  }

  private onNote(u: MackieUnit, note: number, press: boolean, now: number): void {
    if (note === MASTER_TOUCH && u.hasMaster) return this.onTouch(u, u.strips, press, now);
    const sb = stripButton(note);
    if (sb !== undefined && sb.strip < u.strips) {
      if (sb.button === 'touch') return this.onTouch(u, sb.strip, press, now);
      if (!press) return;
      const g = u.base + sb.strip;
      const strip = this.bank.strip(g);
      switch (sb.button) {
        case 'rec':
          this.ignored++; // no record arming in a mixer; its LED stays off
          return;
        case 'mute':
        case 'solo':
          return this.toggle(strip?.targets[sb.button], now);
        case 'select':
          if (strip === undefined) this.ignored++;
          else this.bank.select(strip.key);
          return;
        case 'vselect':
          return this.onPush(g, now);
      }
    }
    const name = globalButtonName(note);
    if (name === undefined || sb !== undefined) {
      this.dropped++;
      return;
    }
    if (!press) return;
    const action: Action | undefined = this.profile.mackie?.buttons[name];
    if (action === 'name-value') {
      this.view.names = !this.view.names;
      this.render(now);
    } else if (action === undefined || !this.bank.action(action)) {
      this.ignored++;
    }
  }

  private onTouch(u: MackieUnit, i: number, press: boolean, now: number): void {
    const f = u.touch[i];
    if (press) {
      f.real = true;
      this.hold(f, this.faderAddress(u, i), now);
      return;
    }
    f.real = false;
    f.movedAt = -Infinity;
    this.unhold(f);
    this.render(now); // repositions the fader to the store's value
  }

  private toggle(address: string | undefined, now: number): void {
    if (address === undefined) {
      this.ignored++;
      return;
    }
    this.result(this.ctx.store.set(address, this.ctx.store.value(address) >= 0.5 ? 0 : 1, this.source));
    this.render(now);
  }

  private onPush(g: number, now: number): void {
    const address = this.bank.vpotAddress(g);
    if (address === undefined) {
      this.ignored++;
      return;
    }
    const d = this.ctx.registry.descriptor(address);
    this.result(this.ctx.store.set(address, pushValue(d, this.ctx.store.value(address)), this.source));
    this.view.moved(g, false, now);
    this.render(now);
  }

  private onCc(u: MackieUnit, cc: number, value: number, now: number): void {
    if (cc >= VPOT_CC && cc < VPOT_CC + u.strips) {
      const g = u.base + cc - VPOT_CC;
      const address = this.bank.vpotAddress(g);
      if (address === undefined) {
        this.ignored++;
        return;
      }
      const d = this.ctx.registry.descriptor(address);
      this.result(this.ctx.store.set(address, turnValue(d, this.ctx.store.value(address), decodeVpot(value)), this.source));
      this.view.moved(g, false, now);
      this.render(now);
      return;
    }
    if (cc === JOG_CC || cc === EXTERNAL_CC) this.ignored++;
    else this.dropped++;
  }

  private onSysex(u: MackieUnit, bytes: readonly number[], now: number): void {
    const s = parseSysex(bytes);
    if (s === undefined) {
      this.dropped++;
      return;
    }
    // The unit's own model byte is the one it reads (Ardour): what went out under another one
    // (LCD, colours, meter mode) is sent again.
    const learnt = s.model !== u.model;
    if (learnt) {
      this.ctx.report({ surface: this.id, level: 'info', code: 'MACKIE_MODEL', message: `${u.device.name} answers as model ${hex2(s.model)} (configured ${hex2(u.spec.model)}): its SysEx goes out as ${hex2(s.model)}` });
      u.model = s.model;
    }
    switch (s.cmd) {
      case SYSEX.hostQuery:
        if (u.has('challenge')) u.send(hostReply(u.model, s.data));
        if (now - u.queriedAt > QUERY_REPLY_MS) {
          this.ctx.report({ surface: this.id, level: 'info', code: 'MACKIE_RESET', message: `${u.device.name} restarted: it is sent everything again` });
          this.refresh(u, false);
          return;
        }
        break;
      case SYSEX.confirmation:
        u.send(versionRequest(u.model));
        break;
      case SYSEX.versionReply:
        u.version = String.fromCharCode(...s.data.filter((b) => b >= 0x20 && b < 0x7f)).trim();
        break;
      case SYSEX.connectionError:
        this.ctx.report({ surface: this.id, level: 'warn', code: 'E_MACKIE_CHALLENGE', message: `${u.device.name} refused the host connection reply (the challenge response); it keeps working here, but may show itself offline` });
        break;
      default:
        this.ignored++;
    }
    if (learnt) this.refresh(u, false);
  }

  private result(r: SetResult): void {
    if (r.ok) return;
    if (r.code === 'E_CONTROL_HELD') this.refused++;
    else this.dropped++;
  }

  // ---- leases ----

  /** Hold the lease of `address` for a touched fader (moving it from the address held before). */
  private hold(f: FaderTouch, address: string | undefined, now: number): void {
    if (f.leased === address) return;
    this.unhold(f);
    if (address !== undefined && this.ctx.store.touch(address, this.source).ok) {
      f.leased = address;
      f.leaseAt = now;
    }
  }

  private unhold(f: FaderTouch): void {
    const address = f.leased;
    if (address === undefined) return;
    f.leased = undefined;
    // Two faders of this surface may move one parameter (the master layer's first strip and the
    // master fader): the lease stays while the other still holds it.
    if (this.u.some((u) => u.touch.some((t) => t.leased === address))) return;
    this.ctx.store.release(address, this.source);
  }

  private touched(u: MackieUnit, i: number, now: number): boolean {
    const f = u.touch[i];
    return f.real || now - f.movedAt < FAKE_TOUCH_MS;
  }

  private bankChanged(): void {
    if (this.disposed) return;
    const now = this.ctx.clock();
    for (const u of this.u) {
      for (let i = 0; i < u.faderCount; i++) if (this.touched(u, i, now)) this.hold(u.touch[i], this.faderAddress(u, i), now);
    }
    this.render(now);
  }

  // ---- output ----

  private render(now: number): void {
    if (this.disposed) return;
    this.restPending = false;
    for (const u of this.u) if (u.conn !== undefined) this.renderUnit(u, now);
  }

  /**
   * The motors now, the rest (LEDs, rings, displays, colours) once the current work is done
   * (setImmediate): a fader move reaches the other surfaces' motors and the remotes first, and
   * the displays follow in the same turn of the event loop.
   */
  private renderSoon(now: number): void {
    if (this.disposed) return;
    for (const u of this.u) if (u.conn !== undefined) this.renderFaders(u, now);
    if (this.restPending) return;
    this.restPending = true;
    setImmediate(() => {
      if (this.restPending) this.render(this.ctx.clock());
    });
  }

  private renderFaders(u: MackieUnit, now: number): void {
    for (let i = 0; i < u.faderCount; i++) if (!this.touched(u, i, now)) u.fader(i, this.view.faderValue(this.faderAddress(u, i), u.top));
  }

  private renderUnit(u: MackieUnit, now: number): void {
    const b = this.bank;
    const v = this.view;
    this.renderFaders(u, now);
    if (u.has('vpotRings')) for (let i = 0; i < u.strips; i++) u.ring(i, v.ring(u.base + i, now));
    if (u.has('ledFeedback')) {
      for (let i = 0; i < u.strips; i++) {
        const s = b.strip(u.base + i);
        u.led(STRIP_NOTES.rec + i, LED.off);
        u.led(STRIP_NOTES.solo + i, v.switchLed(s?.targets.solo));
        u.led(STRIP_NOTES.mute + i, v.switchLed(s?.targets.mute));
        u.led(STRIP_NOTES.select + i, s !== undefined && s.key === b.selected ? LED.on : LED.off);
      }
      for (const name of u.spec.buttons) {
        const note = GLOBAL_NOTES[name];
        if (note !== undefined) u.led(note, v.actionLed(this.profile.mackie?.buttons[name], u.has('noFlash')));
      }
    }
    if (u.has('lcd')) {
      const width = u.has('colorScribble') ? 7 : 6;
      for (let i = 0; i < u.strips; i++) {
        u.lcd.set(0, i, cell(v.upperText(u.base + i, width), width));
        u.lcd.set(1, i, cell(v.lowerText(u.base + i, width, now), width));
      }
      u.flushLcd();
    }
    if (u.has('colorScribble')) {
      u.colours(Array.from({ length: u.strips }, (_, i) => {
        const s = b.strip(u.base + i);
        return s === undefined ? 0 : scribbleColour(s.color);
      }));
    }
    if (u.has('assignmentDisplay')) u.showAssignment(segmentCodes(b.assignment(), 2));
    if (u.has('timecodeDisplay')) {
      const integrated = v.meter('loudness', 'integrated');
      u.showTimecode(segmentCodes(timecodeText(this.profile.mackie?.timecode ?? 'loudness', now, integrated), 10));
    }
  }
}

function hex2(b: number): string {
  return `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
}
