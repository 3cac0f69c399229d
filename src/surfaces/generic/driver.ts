/**
 * A generic MIDI controller (any knobs, faders, encoders and buttons) driven by a device file
 * (what each control sends, what it can show) and a profile (what each control moves).
 * Behaviour follows the device's capability flags and control declarations, never its name.
 *
 * Input: bytes -> MidiParser (running status, real-time bytes, garbage dropped) -> 14-bit CC
 * pairs and (N)RPN assembled (midi/assemblers.ts) -> matched to a declared control
 * (controls.ts) -> its mapping:
 * - a target `strip:N:ROLE` follows the bank (bank.ts; width = profile.bank.width, else the
 *   highest N the mappings use), a parameter address stays put, `action:NAME` runs a bank action;
 * - absolute controls set the parameter's position, mapped into the mapping's [min, max], through
 *   the takeover mode (takeover.ts; mapping, then profile, default pickup) unless the control
 *   shows values sent to it (motor faders, rings the device follows): those are simply set;
 * - encoders move by `step` (default 0.01) of the position per tick, switches and enums by one
 *   step per tick;
 * - buttons toggle (each press flips; release ignored), are momentary (on while held), or, when
 *   the hardware latches, set the state they send; a program change sets an enum or switch to
 *   the program number, anything else to number / 127.
 *
 * Feedback (controls with `feedback`, or per the device's ledFeedback / ringFeedback /
 * motorFaders): everybody else's changes (store.feedbackFor: never our own) are sent on the
 * control's own message. After its own change a button's LED and an encoder's ring are sent
 * (the hardware does not know the new state); an absolute control's value is never sent back.
 * A value that came in from a control goes back exactly as it came: the raw value is kept with
 * the parameter value it produced, and sent again while the parameter still holds that value
 * (after a bank round trip), never re-quantised. Values the device already shows are not sent
 * again. A bank change re-sends every control whose parameter changed (forced) and puts their
 * takeover back to "pick up"; a control left with no parameter is parked (0, LED off).
 *
 * Learn: see learn.ts. Store source: `midi:<id>`.
 */
import type { Subscription } from 'rxjs';
import type { SetResult } from '../../control/store.js';
import type { ParamDescriptor } from '../../model/descriptor.js';
import { MixhostError } from '../../model/errors.js';
import { Bank } from '../bank.js';
import { Cc14Assembler, isParamCc, ParamNumberAssembler, type ParamValue } from '../midi/assemblers.js';
import { MidiParser } from '../midi/parser.js';
import type { LearningSurface, SurfaceContext, SurfaceStatus, UnitSpec } from '../surface.js';
import type { Action, DeviceSpec, GenericControl, Mapping, MidiConnection, MidiMessage, SurfaceProfile, TakeoverMode } from '../types.js';
import { ControlMatcher, encodeFeedback, hasFeedback, parseSynthesisedId, positionToRaw, synthesisedId, type ControlInput, type Incoming } from './controls.js';
import { CcLearnWindow, checkMapping, detectCcControl, type CcSample } from './learn.js';
import { newTakeoverState, TAKEOVER, unlock, type TakeoverState } from './takeover.js';
import { parseTarget, stripsUsed, type Target } from './targets.js';

/** Feedback coalescing tick (ms): a stream of changes reaches the device at most this often. */
export const FEEDBACK_TICK_MS = 10;
/** Encoder step per tick, as a share of the parameter's travel. */
export const DEFAULT_STEP = 0.01;

interface Binding {
  readonly mapping: Mapping;
  readonly control: GenericControl;
  readonly target: Target;
  readonly lo: number;
  readonly hi: number;
  readonly mode: TakeoverMode;
  readonly feedback: boolean;
  /** The parameter it moves now (strip targets follow the bank). */
  address: string | undefined;
  /** The strip a `select` role selects. */
  stripKey: string | undefined;
}

interface Learning {
  readonly address: string;
  readonly done: (mapping: Mapping | undefined) => void;
  readonly window: CcLearnWindow;
}

export function createGenericSurface(ctx: SurfaceContext, opts: { id: string; device: DeviceSpec; profile: SurfaceProfile }): LearningSurface {
  return new GenericSurface(ctx, opts.id, opts.device, opts.profile);
}

class GenericSurface implements LearningSurface {
  readonly source: string;
  readonly units: readonly UnitSpec[];
  private readonly bank: Bank;
  private readonly declared = new Map<string, GenericControl>();
  private readonly profileMappings: Mapping[] = [];
  private learntMappings: Mapping[] = [];
  private matcher: ControlMatcher;
  private bindings = new Map<string, Binding>();
  private byAddress = new Map<string, Binding[]>();
  private readonly takeover = new Map<string, TakeoverState>();
  /** Raw value the device shows, per control id. */
  private readonly shown = new Map<string, number>();
  /** Last raw value in from a control per (control, address, range), with the value it produced. */
  private readonly memo = new Map<string, { raw: number; value: number }>();
  private readonly parser = new MidiParser((m) => this.onMessage(m));
  private readonly cc14 = new Cc14Assembler();
  private readonly params: ParamNumberAssembler;
  private conn: MidiConnection | undefined;
  private learning: Learning | undefined;
  private dropped = 0;
  private sent = 0;
  private sendFailed = false;
  private disposed = false;
  private readonly feedbackSub: Subscription;
  private readonly bankOff: () => void;

  constructor(
    private readonly ctx: SurfaceContext,
    readonly id: string,
    private readonly device: DeviceSpec,
    readonly profile: SurfaceProfile,
  ) {
    this.source = `midi:${id}`;
    this.units = [{ device }];
    for (const c of device.controls ?? []) this.declared.set(c.id, c);
    for (const m of profile.mappings ?? []) {
      const checked = checkMapping(m, (cid) => this.resolveControl(cid), ctx.registry);
      if (checked.ok) this.profileMappings.push(checked.mapping);
      else this.report('warn', 'E_SURFACE_MAPPING', `profile ${profile.id}: mapping skipped: ${checked.reason}`);
    }
    this.params = new ParamNumberAssembler((registered, ch, n) => (registered ? 14 : (this.matcher.nrpnBits(ch, n) ?? 7)));
    this.matcher = new ControlMatcher([]);
    this.bank = new Bank(ctx, 1, profile.bank?.layer !== undefined ? { layer: profile.bank.layer } : {});
    this.rebuild();
    this.bankOff = this.bank.onChange(() => this.refresh());
    this.feedbackSub = ctx.store.feedbackFor(this.source, FEEDBACK_TICK_MS).subscribe((batch) => {
      for (const e of batch) {
        for (const b of this.byAddress.get(e.address) ?? []) {
          unlock(this.takeoverOf(b));
          this.sendFeedback(b, false);
        }
      }
    });
  }

  // ---- Surface ----

  connect(unit: number, conn: MidiConnection): void {
    if (unit !== 0) throw new RangeError(`generic surface ${this.id} has one unit, not unit ${unit}`);
    if (this.disposed) return;
    this.conn = conn;
    this.sendFailed = false;
    this.parser.reset();
    this.cc14.reset();
    this.params.reset();
    this.shown.clear();
    // The controls may have moved while the device was away: take over anew.
    for (const s of this.takeover.values()) {
      s.last = undefined;
      s.locked = false;
    }
    conn.onBytes((bytes) => {
      if (this.conn === conn && !this.disposed) this.parser.push(bytes);
    });
    conn.onClose(() => {
      if (this.conn === conn) this.conn = undefined;
    });
    for (const b of this.bindings.values()) this.sendFeedback(b, true);
  }

  disconnect(unit: number): void {
    if (unit === 0) this.conn = undefined;
  }

  tick(now: number): void {
    if (this.disposed) return;
    for (const v of this.cc14.flush(now)) this.deliver([{ type: 'cc14', ...v }], undefined, now);
    this.deliverParams(this.params.flush(now), undefined, now);
    const l = this.learning;
    if (l !== undefined && l.window.due(now)) this.decideLearn(l);
  }

  status(): SurfaceStatus {
    const first = this.bank.offset + 1;
    return {
      id: this.id,
      source: this.source,
      profile: this.profile.id,
      units: [{ device: this.device.id, ...(this.conn !== undefined ? { port: this.conn.name } : {}), connected: this.conn !== undefined }],
      dropped: this.dropped + this.parser.dropped + this.cc14.dropped + this.params.dropped,
      received: this.parser.received,
      sent: this.sent,
      bank: `${this.bank.describe()} ${first}-${Math.min(first + this.bank.width - 1, this.bank.length)}${this.bank.selected !== undefined ? `, selected ${this.bank.selected}` : ''}`,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.cancelLearn();
    this.disposed = true;
    this.feedbackSub.unsubscribe();
    this.bankOff();
    this.conn = undefined;
  }

  // ---- learn ----

  learn(address: string, done: (mapping: Mapping | undefined) => void): void {
    if (parseTarget(address, this.ctx.registry) === undefined) {
      throw new MixhostError('E_LEARN_TARGET', `cannot learn a control for '${String(address).slice(0, 200)}': not a parameter, strip role or action`);
    }
    this.cancelLearn();
    if (this.disposed) {
      done(undefined);
      return;
    }
    this.learning = { address, done, window: new CcLearnWindow() };
  }

  cancelLearn(): void {
    const l = this.learning;
    this.learning = undefined;
    l?.done(undefined);
  }

  learnt(): readonly Mapping[] {
    return this.learntMappings.map((m) => ({ ...m }));
  }

  setLearnt(mappings: readonly Mapping[]): void {
    const list: unknown = mappings;
    const valid = new Map<string, Mapping>();
    if (!Array.isArray(list)) {
      this.report('warn', 'E_LEARN_INVALID', 'learnt mappings must be a list; none loaded');
    } else {
      for (const m of list) {
        const checked = checkMapping(m, (cid) => this.resolveControl(cid), this.ctx.registry);
        if (!checked.ok) {
          this.report('warn', 'E_LEARN_INVALID', `learnt mapping skipped: ${checked.reason}`);
          continue;
        }
        valid.delete(checked.mapping.control); // a later one for the same control wins
        valid.set(checked.mapping.control, checked.mapping);
      }
    }
    this.learntMappings = [...valid.values()];
    this.rebuild();
  }

  // ---- bindings ----

  private resolveControl(id: string): GenericControl | undefined {
    return this.declared.get(id) ?? parseSynthesisedId(id);
  }

  /** Bindings from the profile's mappings and the learnt ones (which replace the profile's of the same control). */
  private rebuild(): void {
    const learntIds = new Set(this.learntMappings.map((m) => m.control));
    const mappings = [...this.profileMappings.filter((m) => !learntIds.has(m.control)), ...this.learntMappings];
    const old = this.bindings;
    const bindings = new Map<string, Binding>();
    for (const m of mappings) {
      const control = this.resolveControl(m.control);
      const target = parseTarget(m.target, this.ctx.registry);
      if (control === undefined || target === undefined) continue; // checked before
      const prev = old.get(control.id);
      const same = prev !== undefined && prev.mapping.target === m.target;
      bindings.delete(control.id);
      bindings.set(control.id, {
        mapping: m,
        control,
        target,
        lo: m.min ?? 0,
        hi: m.max ?? 1,
        mode: m.takeover ?? this.profile.takeover ?? 'pickup',
        feedback: hasFeedback(control, this.device.capabilities),
        address: same ? prev.address : undefined,
        stripKey: same ? prev.stripKey : undefined,
      });
    }
    this.bindings = bindings;
    const synthesised = [...bindings.values()].map((b) => b.control).filter((c) => !this.declared.has(c.id));
    this.matcher = new ControlMatcher([...this.declared.values(), ...synthesised]);
    const width = this.profile.bank?.width ?? Math.max(1, stripsUsed([...bindings.values()].map((b) => b.target)));
    this.bank.setWidth(width); // refreshes if the width changed
    this.refresh();
  }

  /** Bank moved (or bindings changed): follow the strips, re-send what changed, park what has nothing. */
  private refresh(): void {
    const byAddress = new Map<string, Binding[]>();
    for (const b of this.bindings.values()) {
      const { address, stripKey } = this.resolve(b.target);
      const changed = address !== b.address || stripKey !== b.stripKey;
      b.address = address;
      b.stripKey = stripKey;
      if (address !== undefined) byAddress.set(address, [...(byAddress.get(address) ?? []), b]);
      if (changed) unlock(this.takeoverOf(b));
      this.sendFeedback(b, changed);
    }
    this.byAddress = byAddress;
  }

  private resolve(t: Target): { address: string | undefined; stripKey: string | undefined } {
    switch (t.kind) {
      case 'param':
        return { address: t.address, stripKey: undefined };
      case 'action':
        return { address: undefined, stripKey: undefined };
      case 'strip':
        switch (t.role) {
          case 'fader':
            return { address: this.bank.faderAddress(t.index), stripKey: undefined };
          case 'vpot':
            return { address: this.bank.vpotAddress(t.index), stripKey: undefined };
          case 'send':
            return { address: this.bank.sendAddress(t.index), stripKey: undefined };
          case 'select':
            return { address: undefined, stripKey: this.bank.strip(t.index)?.key };
          default:
            return { address: this.bank.strip(t.index)?.targets[t.role], stripKey: undefined };
        }
    }
  }

  private takeoverOf(b: Binding): TakeoverState {
    let s = this.takeover.get(b.control.id);
    if (s === undefined) {
      s = newTakeoverState();
      this.takeover.set(b.control.id, s);
    }
    return s;
  }

  // ---- input ----

  private onMessage(m: MidiMessage): void {
    if (this.disposed) return;
    const now = this.ctx.clock();
    const l = this.learning;
    if (l !== undefined && l.window.due(now)) this.decideLearn(l);
    switch (m.type) {
      case 'cc':
        this.onCc(m.channel, m.controller, m.value, now);
        return;
      case 'noteon':
      case 'noteoff':
        this.deliver([{ type: 'note', channel: m.channel, number: m.note, velocity: m.velocity, on: m.type === 'noteon' }], undefined, now);
        return;
      case 'pitch':
        this.deliver([{ type: 'pitchbend', channel: m.channel, value: m.value }], undefined, now);
        return;
      case 'program':
        this.deliver([{ type: 'program', channel: m.channel, number: m.number }], undefined, now);
        return;
      default:
        // Pressure and SysEx: nothing a generic control sends.
        this.dropped++;
    }
  }

  private onCc(channel: number, controller: number, value: number, now: number): void {
    const raw: CcSample = { channel, controller, value };
    if (this.matcher.isPlainCc(channel, controller)) {
      this.deliver([{ type: 'cc', channel, number: controller, value }], raw, now);
    } else if (this.matcher.isCc14(channel, controller)) {
      const done = this.cc14.push(channel, controller, value, now).map((v): Incoming => ({ type: 'cc14', ...v }));
      this.deliver(done, raw, now);
    } else if (isParamCc(controller) && (controller >= 98 || this.params.selected(channel) !== undefined)) {
      this.deliverParams(this.params.push(channel, controller, value, now), raw, now);
    } else {
      this.deliver([{ type: 'cc', channel, number: controller, value }], raw, now);
    }
  }

  private deliverParams(values: readonly ParamValue[], raw: CcSample | undefined, now: number): void {
    const rpns = values.filter((p) => p.registered).length;
    if (this.learning === undefined) this.dropped += rpns;
    this.deliver(values.flatMap(paramIncoming), raw, now);
  }

  /** What arrived, assembled (`raw`: the CC it came in, for learn). */
  private deliver(incoming: readonly Incoming[], raw: CcSample | undefined, now: number): void {
    if (this.learning !== undefined) {
      this.learnFrom(this.learning, incoming, raw, now);
      return;
    }
    for (const inc of incoming) {
      const input = this.matcher.match(inc);
      if (input === undefined) this.dropped++;
      else this.apply(input);
    }
  }

  private apply(input: ControlInput): void {
    const b = this.bindings.get(input.control.id);
    if (b === undefined) return; // a declared control this profile leaves unmapped
    const c = b.control;
    if (input.kind === 'absolute' && c.message !== 'program') this.shown.set(c.id, input.raw);
    const t = b.target;
    if (t.kind === 'action' || (t.kind === 'strip' && t.role === 'select')) {
      if (input.kind !== 'press') return;
      if (t.kind === 'action') this.bank.action(t.action);
      else if (b.stripKey !== undefined) this.bank.select(b.stripKey);
      this.sendFeedback(b, false); // its LED, if the bank change did not already send it
      return;
    }
    const address = b.address;
    if (address === undefined) return; // the strip has nothing there
    const index = this.ctx.registry.find(address);
    const d = this.ctx.registry.descriptors[index];
    const current = this.ctx.store.valueAt(index);
    const lo = Math.min(b.lo, b.hi);
    const hi = Math.max(b.lo, b.hi);
    switch (input.kind) {
      case 'absolute': {
        if (c.message === 'program') {
          const value = d.steps !== undefined ? input.raw : d.taper.fromPosition(b.lo + (input.raw / 127) * (b.hi - b.lo));
          this.after(b, this.ctx.store.set(address, value, this.source), false);
          return;
        }
        const hw = b.lo + input.position * (b.hi - b.lo);
        const pos = b.feedback ? hw : TAKEOVER[b.mode].move(this.takeoverOf(b), hw, d.taper.toPosition(current), lo, hi, (hi - lo) / 127);
        if (pos === undefined) return;
        const r = this.ctx.store.setPosition(address, pos, this.source);
        if (r.ok) this.memo.set(memoKey(b, address), { raw: input.raw, value: this.ctx.store.valueAt(index) });
        this.after(b, r, false);
        return;
      }
      case 'relative': {
        if (d.steps !== undefined) {
          const v = Math.min(d.taper.fromPosition(hi), Math.max(d.taper.fromPosition(lo), Math.round(current) + input.delta));
          this.after(b, this.ctx.store.set(address, v, this.source), true);
        } else {
          const p = Math.min(hi, Math.max(lo, d.taper.toPosition(current) + input.delta * (b.mapping.step ?? DEFAULT_STEP)));
          this.after(b, this.ctx.store.setPosition(address, p, this.source), true);
        }
        return;
      }
      case 'press':
      case 'release': {
        const on = d.taper.fromPosition(b.hi);
        const off = d.taper.fromPosition(b.lo);
        const mode = c.latching === true ? 'latching' : (b.mapping.button ?? 'toggle');
        let value: number;
        if (mode !== 'toggle') value = input.kind === 'press' ? on : off;
        else if (input.kind === 'release') return;
        else if (d.steps !== undefined && d.steps > 2) value = Math.round(current) + 1 > Math.max(on, off) ? Math.min(on, off) : Math.round(current) + 1;
        else value = isOn(b, d, current) ? off : on;
        this.after(b, this.ctx.store.set(address, value, this.source), true);
        return;
      }
    }
  }

  /** After our own set: show what the hardware cannot know, and keep our other controls in step. */
  private after(b: Binding, r: SetResult, showOwn: boolean): void {
    if (!r.ok) {
      // Refused (another source holds the parameter): show the value that stands.
      this.dropped++;
      this.sendFeedback(b, true);
      return;
    }
    if (showOwn) this.sendFeedback(b, true);
    if (r.event === null || b.address === undefined) return;
    for (const other of this.byAddress.get(b.address) ?? []) {
      if (other === b) continue;
      unlock(this.takeoverOf(other));
      this.sendFeedback(other, false);
    }
  }

  // ---- feedback ----

  private sendFeedback(b: Binding, force: boolean): void {
    const conn = this.conn;
    if (conn === undefined || !b.feedback || this.disposed) return;
    const raw = this.feedbackRaw(b);
    if (raw === undefined) return;
    if (!force && this.shown.get(b.control.id) === raw) return;
    this.shown.set(b.control.id, raw);
    const messages = encodeFeedback(b.control, raw);
    try {
      conn.send(messages.flat());
      this.sent += messages.length;
    } catch (err) {
      this.dropped += messages.length;
      if (!this.sendFailed) {
        this.sendFailed = true;
        this.report('warn', 'E_MIDI_SEND', `cannot send to ${conn.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** The raw value a control must show now (undefined: nothing to show). */
  private feedbackRaw(b: Binding): number | undefined {
    const c = b.control;
    const button = c.kind === 'button' && c.message !== 'program';
    const t = b.target;
    if (t.kind === 'action') return button ? led(c, this.actionLit(t.action)) : undefined;
    if (t.kind === 'strip' && t.role === 'select') return button ? led(c, b.stripKey !== undefined && this.bank.selected === b.stripKey) : undefined;
    const address = b.address;
    if (address === undefined) return button ? led(c, false) : 0; // parked
    const index = this.ctx.registry.find(address);
    const d = this.ctx.registry.descriptors[index];
    const v = this.ctx.store.valueAt(index);
    if (button) return led(c, isOn(b, d, v));
    if (c.message === 'program' && d.steps !== undefined) return Math.min(127, Math.max(0, Math.round(v)));
    const m = this.memo.get(memoKey(b, address));
    if (m !== undefined && m.value === v) return m.raw;
    const span = b.hi - b.lo;
    return positionToRaw(c, span === 0 ? 0 : (d.taper.toPosition(v) - b.lo) / span);
  }

  private actionLit(a: Action): boolean {
    if (a === 'flip') return this.bank.flip;
    if (a === 'sends-on-faders') return this.bank.sends !== undefined;
    if (a.startsWith('layer:')) return this.bank.sends === undefined && this.bank.layer === a.slice(6);
    if (a.startsWith('vpot:')) return this.bank.vpotMode === a.slice(5);
    return false;
  }

  // ---- learn ----

  private learnFrom(l: Learning, incoming: readonly Incoming[], raw: CcSample | undefined, now: number): void {
    // A declared control says what it is: bind it on its first move (a release is ignored).
    for (const inc of incoming) {
      const input = this.matcher.match(inc);
      if (input === undefined) continue;
      if (input.kind !== 'release') this.bindLearnt(l, input.control);
      return;
    }
    if (raw !== undefined) {
      // Half of a declared 14-bit pair waits for its other half; any other CC is collected.
      if (!this.matcher.isCc14(raw.channel, raw.controller) && !this.matcher.isPlainCc(raw.channel, raw.controller)) l.window.record(raw, now);
      return;
    }
    if (l.window.open) return; // a CC came first: it decides
    for (const inc of incoming) {
      const channel = inc.channel + 1;
      const detected: Omit<GenericControl, 'id'> | undefined =
        inc.type === 'note' && inc.on
          ? { kind: 'button', message: 'note', channel, number: inc.number }
          : inc.type === 'pitchbend'
            ? { kind: 'fader', message: 'pitchbend', channel }
            : inc.type === 'program'
              ? { kind: 'button', message: 'program', channel }
              : undefined;
      if (detected !== undefined) {
        this.bindLearnt(l, { ...detected, id: synthesisedId(detected) });
        return;
      }
    }
  }

  private decideLearn(l: Learning): void {
    const detected = detectCcControl(l.window.take());
    if (detected === undefined) return; // nothing usable (an RPN): keep listening
    const id = synthesisedId(detected);
    this.bindLearnt(l, this.declared.get(id) ?? { ...detected, id });
  }

  private bindLearnt(l: Learning, control: GenericControl): void {
    const mapping: Mapping = { control: control.id, target: l.address };
    this.learning = undefined;
    this.learntMappings = [...this.learntMappings.filter((m) => m.control !== control.id), mapping];
    this.rebuild(); // sends the control's new state: its parameter changed
    l.done({ ...mapping });
  }

  private report(level: 'info' | 'warn', code: string, message: string): void {
    this.ctx.report({ surface: this.id, level, code, message });
  }
}

/** An assembled (N)RPN as the matcher's input; RPNs give none (no control sends them). */
function paramIncoming(p: ParamValue): Incoming[] {
  if (p.registered) return [];
  return p.kind === 'value'
    ? [{ type: 'nrpn', channel: p.channel, number: p.number, value: p.value, bits: p.bits }]
    : [{ type: 'nrpn-step', channel: p.channel, number: p.number, delta: p.delta }];
}

/** The raw value is only good for the same control, parameter and mapped range. */
function memoKey(b: Binding, address: string): string {
  return `${b.control.id}\n${address}\n${b.lo}\n${b.hi}`;
}

function led(c: GenericControl, lit: boolean): number {
  return lit ? (c.ledOn ?? 127) : (c.ledOff ?? 0);
}

/** A button's parameter is "on": an enum or switch off its `min` step, else past the middle of the mapped travel. */
function isOn(b: Binding, d: ParamDescriptor, v: number): boolean {
  if (d.steps !== undefined) return Math.round(v) !== d.taper.fromPosition(b.lo);
  return d.taper.toPosition(v) >= (b.lo + b.hi) / 2;
}
