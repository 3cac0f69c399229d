/**
 * The page's copy of the mix: every parameter value the server sent, who holds what, the meters,
 * and the connection state. It implements `RemoteContext` for the views.
 *
 * Writes are optimistic: a `set` shows at once and is sent (the server does not echo it back).
 * A refusal that carries `value` snaps the control back to it. While a fader is being dragged its
 * display ignores incoming changes (the server refuses others while this client holds it).
 * Moves made while the link is down are not queued: they are shown until the link is back, then
 * the control returns to the server's value.
 *
 * Resuming: `epoch` and `lastSeq` are what `hello` carries after a reconnection. `lastSeq` follows
 * `snapshot.seq` and every `change.seq`; after a resumed replay (ended by the first `leases`) it
 * moves up to `welcome.seq`, since the replay skips changes this client may not see.
 */
import { clampValue, formatValue, type ParamDescriptor } from '../../src/model/descriptor.js';
import { ParamRegistry } from '../../src/model/registry.js';
import type { ChangeMsg, ErrorMsg, LearnMsg, LeasesMsg, ServerMessage, SnapshotMsg, SubscribedMsg, WelcomeMsg } from './connection.js';
import { MeterBank } from './meters.js';
import type { ConnectionState, Holder, RemoteContext, RemoteLayout, Role } from './types.js';

/** A pending set is sent at most this often per address (a drag produces 60-240 moves/s). */
export const SET_INTERVAL_MS = 30;
/** The server's touch lease lasts 2 s after the last touch/set: renew it while a finger rests. */
export const TOUCH_RENEW_MS = 1500;
/** Meter wants are gathered this long before one `subscribe` goes out. */
export const SUBSCRIBE_DEBOUNCE_MS = 40;

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface StateOptions {
  /** Send a message; false when the link is not live (the message is dropped). */
  send(msg: object): boolean;
  navigate(view: string): void;
  timers: Timers;
}

export interface RemoteError {
  readonly code: string;
  readonly message: string;
  readonly address?: string;
  /** The `id` of the message refused, if it carried one. */
  readonly id?: number;
}

type ParamListener = { prefix: string; cb: (address: string, value: number) => void };

const EMPTY_LAYOUT: RemoteLayout = {
  mix: { channels: [], auxBuses: 0, fxBuses: [], groups: 0, vcas: 0, masterChains: 1 },
  channels: [],
  auxBuses: [],
  fx: [],
  groups: [],
  vcas: [],
  masterChains: [{ name: 'Master' }],
};

/** Which addresses a performer of aux bus `bus` may write. */
export function performerWrites(address: string, bus: number): boolean {
  return new RegExp(`^(ch/\\d+/send/${bus}/level|bus/${bus}/(fader|mute|pan))$`).test(address);
}

export class RemoteState implements RemoteContext {
  registry: ParamRegistry;
  layout: RemoteLayout = EMPTY_LAYOUT;
  role: Role = 'viewer';
  bus: number | undefined;
  clientId = '';
  name = '';
  connection: ConnectionState = 'connecting';
  /** The session epoch and last sequence number seen: what `hello` carries on reconnection. */
  epoch: string | undefined;
  lastSeq: number | undefined;

  private readonly values = new Map<string, number>();
  /** The last value known to be the server's (its own, or one of ours it accepted). */
  private readonly confirmed = new Map<string, number>();
  private readonly offlineMoves = new Set<string>();
  private readonly dragging = new Map<string, unknown>();
  private readonly outgoing = new Map<string, { last: number; pending?: number; timer?: unknown }>();
  /** Sent sets by message id: the value to return to if the server refuses without one. */
  private readonly sentSets = new Map<number, { address: string; before: number }>();
  private msgId = 0;
  private holders = new Map<string, Holder>();
  private welcomeSeq: number | undefined;
  private layoutKey = '';
  private meterPointNames: Set<string> | undefined;

  private readonly wants = new Map<string, number>();
  private subscribeTimer: unknown;
  private lastSubscribed: string | undefined;
  readonly meters = new MeterBank();

  private readonly paramListeners = new Set<ParamListener>();
  private readonly leaseListeners = new Set<() => void>();
  private readonly meterListeners = new Set<() => void>();
  private readonly connListeners = new Set<(s: ConnectionState) => void>();
  private readonly welcomeListeners = new Set<(layoutChanged: boolean) => void>();
  private readonly errorListeners = new Set<(e: RemoteError) => void>();
  private readonly learnListeners = new Set<(m: LearnMsg) => void>();

  constructor(private readonly opts: StateOptions) {
    this.registry = new ParamRegistry(EMPTY_LAYOUT.mix);
  }

  // ---- RemoteContext: reading ------------------------------------------------------------

  has(address: string): boolean {
    return this.values.has(address);
  }

  canWrite(address: string): boolean {
    // Only what the server sent: it is the one judge of what this client may see and change.
    if (this.registry.find(address) < 0 || !this.values.has(address)) return false;
    if (this.role === 'engineer') return true;
    if (this.role === 'performer') return this.bus !== undefined && performerWrites(address, this.bus);
    return false;
  }

  value(address: string): number {
    return this.values.get(address) ?? NaN;
  }

  position(address: string): number {
    const d = this.descriptor(address);
    if (d === undefined) return 0;
    const v = this.values.get(address);
    return d.taper.toPosition(v ?? d.default);
  }

  format(address: string, value?: number): string {
    const d = this.descriptor(address);
    const v = value ?? this.values.get(address);
    if (d === undefined || v === undefined || Number.isNaN(v)) return '—';
    return formatValue(d, v);
  }

  descriptor(address: string): ParamDescriptor | undefined {
    const i = this.registry.find(address);
    return i < 0 ? undefined : this.registry.descriptors[i];
  }

  holder(address: string): Holder | undefined {
    const h = this.holders.get(address);
    return h !== undefined && h.source !== this.clientId ? h : undefined;
  }

  /** The first holder (other than this client) of any address starting with `prefix`. */
  holderUnder(prefix: string): Holder | undefined {
    for (const [a, h] of this.holders) if (a.startsWith(prefix) && h.source !== this.clientId) return h;
    return undefined;
  }

  isDragging(address: string): boolean {
    return this.dragging.has(address);
  }

  meter(point: string): Float32Array | undefined {
    return this.meters.get(point);
  }

  // ---- RemoteContext: writing ------------------------------------------------------------

  set(address: string, value: number): void {
    const d = this.descriptor(address);
    if (d === undefined || Number.isNaN(value) || !this.canWrite(address)) return;
    if (this.holder(address) !== undefined) return;
    const v = clampValue(d, value === -Infinity ? d.min : value === Infinity ? d.max : value);
    if (this.values.get(address) === v && this.connection === 'live') return;
    this.values.set(address, v);
    this.emitParam(address, v);
    if (this.connection !== 'live') {
      this.offlineMoves.add(address);
      return;
    }
    this.queueSet(address, v);
  }

  setPosition(address: string, position: number): void {
    const d = this.descriptor(address);
    if (d === undefined) return;
    const v = d.taper.fromPosition(position);
    // A position is a pixel's worth of travel: keep a thousandth of the unit, not float dust.
    this.set(address, d.steps === undefined ? Math.round(v * 1000) / 1000 : v);
  }

  touch(address: string): void {
    if (!this.canWrite(address) || this.dragging.has(address)) return;
    const renew = (): void => {
      this.opts.send({ type: 'touch', address });
      this.dragging.set(address, this.opts.timers.setTimeout(renew, TOUCH_RENEW_MS));
    };
    renew();
  }

  release(address: string): void {
    const timer = this.dragging.get(address);
    if (!this.dragging.delete(address)) return;
    this.opts.timers.clearTimeout(timer);
    this.flushSet(address);
    this.opts.send({ type: 'release', address });
    // A change that arrived during the drag (a scene recall, the engine) shows now.
    const c = this.confirmed.get(address);
    if (c !== undefined && this.values.get(address) !== c && this.connection === 'live') {
      this.values.set(address, c);
      this.emitParam(address, c);
    }
  }

  private queueSet(address: string, v: number): void {
    const now = this.opts.timers.now();
    const o = this.outgoing.get(address) ?? { last: -Infinity };
    this.outgoing.set(address, o);
    if (now - o.last >= SET_INTERVAL_MS && o.timer === undefined) {
      this.sendSet(address, v);
      o.last = now;
      return;
    }
    o.pending = v;
    if (o.timer === undefined) {
      o.timer = this.opts.timers.setTimeout(() => this.flushSet(address), Math.max(0, SET_INTERVAL_MS - (now - o.last)));
    }
  }

  private flushSet(address: string): void {
    const o = this.outgoing.get(address);
    if (o === undefined) return;
    if (o.timer !== undefined) this.opts.timers.clearTimeout(o.timer);
    o.timer = undefined;
    if (o.pending !== undefined) {
      const v = o.pending;
      o.pending = undefined;
      o.last = this.opts.timers.now();
      this.sendSet(address, v);
    }
  }

  private sendSet(address: string, v: number): void {
    const id = ++this.msgId;
    const before = this.confirmed.get(address);
    if (!this.opts.send({ type: 'set', address, value: v, id })) {
      this.offlineMoves.add(address);
      return;
    }
    if (before !== undefined) this.sentSets.set(id, { address, before });
    if (this.sentSets.size > 256) this.sentSets.delete(this.sentSets.keys().next().value as number);
    this.confirmed.set(address, v);
  }

  // ---- listeners ---------------------------------------------------------------------------

  onParam(prefix: string, cb: (address: string, value: number) => void): () => void {
    const l = { prefix, cb };
    this.paramListeners.add(l);
    return () => this.paramListeners.delete(l);
  }

  onLeases(cb: () => void): () => void {
    this.leaseListeners.add(cb);
    return () => this.leaseListeners.delete(cb);
  }

  onMeters(cb: () => void): () => void {
    this.meterListeners.add(cb);
    return () => this.meterListeners.delete(cb);
  }

  onConnection(cb: (state: ConnectionState) => void): () => void {
    this.connListeners.add(cb);
    return () => this.connListeners.delete(cb);
  }

  /** After each `welcome`; `layoutChanged` when the registry was rebuilt (views must remount). */
  onWelcome(cb: (layoutChanged: boolean) => void): () => void {
    this.welcomeListeners.add(cb);
    return () => this.welcomeListeners.delete(cb);
  }

  /** Refusals and other errors the user should see. */
  onError(cb: (e: RemoteError) => void): () => void {
    this.errorListeners.add(cb);
    return () => this.errorListeners.delete(cb);
  }

  /** MIDI learn's answers (`learn` messages). */
  onLearn(cb: (m: LearnMsg) => void): () => void {
    this.learnListeners.add(cb);
    return () => this.learnListeners.delete(cb);
  }

  /**
   * Send a message with a fresh `id` (from the same counter as sets, so that an error about it
   * is never taken for a refused set). The id, or undefined when the link is not live.
   */
  request(msg: { readonly type: string; readonly [field: string]: unknown }): number | undefined {
    const id = ++this.msgId;
    return this.opts.send({ ...msg, id }) ? id : undefined;
  }

  navigate(view: string): void {
    this.opts.navigate(view);
  }

  private emitParam(address: string, value: number): void {
    for (const l of this.paramListeners) if (address.startsWith(l.prefix)) l.cb(address, value);
  }

  // ---- meters ------------------------------------------------------------------------------

  wantMeters(points: readonly string[]): () => void {
    const mine = [...new Set(points)];
    for (const p of mine) this.wants.set(p, (this.wants.get(p) ?? 0) + 1);
    this.scheduleSubscribe();
    let withdrawn = false;
    return () => {
      if (withdrawn) return;
      withdrawn = true;
      for (const p of mine) {
        const n = (this.wants.get(p) ?? 1) - 1;
        if (n <= 0) this.wants.delete(p);
        else this.wants.set(p, n);
      }
      this.scheduleSubscribe();
    };
  }

  /** The meter points to subscribe to: the union of every want this role may receive, sorted. */
  meterUnion(): string[] {
    const out: string[] = [];
    for (const p of this.wants.keys()) {
      if (this.meterPointNames !== undefined && !this.meterPointNames.has(p)) continue;
      if (this.role === 'performer' && !(p.startsWith('ch/') || p === `bus/${this.bus}`)) continue;
      out.push(p);
    }
    return out.sort();
  }

  private scheduleSubscribe(): void {
    if (this.subscribeTimer !== undefined) return;
    this.subscribeTimer = this.opts.timers.setTimeout(() => {
      this.subscribeTimer = undefined;
      this.sendSubscribe();
    }, SUBSCRIBE_DEBOUNCE_MS);
  }

  private sendSubscribe(): void {
    if (this.connection !== 'live') return;
    const meters = this.meterUnion();
    const key = meters.join(',');
    if (key === this.lastSubscribed) return;
    if (this.opts.send({ type: 'subscribe', meters })) this.lastSubscribed = key;
  }

  // ---- from the link -----------------------------------------------------------------------

  setConnection(state: ConnectionState): void {
    if (state === this.connection) return;
    this.connection = state;
    if (state !== 'live') {
      this.meters.reset();
      this.lastSubscribed = undefined;
      if (this.holders.size > 0) {
        this.holders = new Map();
        for (const cb of this.leaseListeners) cb();
      }
    }
    for (const cb of this.connListeners) cb(state);
  }

  handle(msg: ServerMessage): void {
    switch (msg.type) {
      case 'welcome':
        return this.onWelcomeMsg(msg);
      case 'snapshot':
        return this.onSnapshot(msg);
      case 'change':
        return this.onChange(msg);
      case 'leases':
        return this.onLeasesMsg(msg);
      case 'subscribed':
        return this.onSubscribed(msg);
      case 'error':
        return this.onErrorMsg(msg);
      case 'learn':
        for (const cb of this.learnListeners) cb(msg);
        return;
      default:
    }
  }

  frame(buf: ArrayBuffer): void {
    if (this.meters.apply(buf)) for (const cb of this.meterListeners) cb();
  }

  private onWelcomeMsg(w: WelcomeMsg): void {
    const key = JSON.stringify([w.layout, w.role, w.bus]);
    const layoutChanged = key !== this.layoutKey;
    if (layoutChanged) {
      this.registry = new ParamRegistry(w.layout.mix);
      this.layout = w.layout;
      this.role = w.role;
      this.bus = w.role === 'performer' ? w.bus : undefined;
      this.layoutKey = key;
      this.values.clear();
      this.confirmed.clear();
      this.offlineMoves.clear();
    }
    this.meterPointNames = w.meterPoints !== undefined ? new Set(w.meterPoints.map((p) => p.name)) : undefined;
    this.clientId = w.client;
    this.name = w.name ?? '';
    if (w.epoch !== this.epoch) {
      this.epoch = w.epoch;
      this.lastSeq = undefined;
    }
    this.welcomeSeq = w.seq;
    this.sentSets.clear();
    for (const o of this.outgoing.values()) {
      if (o.timer !== undefined) this.opts.timers.clearTimeout(o.timer);
      o.timer = o.pending = undefined;
    }
    // Moves made while the link was down are not sent: back to the server's value.
    for (const a of this.offlineMoves) {
      const c = this.confirmed.get(a);
      if (c !== undefined && this.values.get(a) !== c) {
        this.values.set(a, c);
        this.emitParam(a, c);
      }
    }
    this.offlineMoves.clear();
    this.meters.reset();
    this.lastSubscribed = undefined;
    for (const cb of this.welcomeListeners) cb(layoutChanged);
    // Re-subscribe right away (the server forgot this client's meters with its last socket).
    // Sent after `welcome` listeners so that remounted views' wants are included.
    if (this.subscribeTimer !== undefined) this.opts.timers.clearTimeout(this.subscribeTimer);
    this.subscribeTimer = undefined;
    this.scheduleSubscribe();
  }

  private onSnapshot(s: SnapshotMsg): void {
    this.epoch = s.epoch;
    this.lastSeq = s.seq;
    const seen = new Set<string>();
    for (const [a, v] of Object.entries(s.params)) {
      seen.add(a);
      this.confirmed.set(a, v);
      if (this.dragging.has(a)) continue;
      this.values.set(a, v);
      this.emitParam(a, v);
    }
    for (const a of [...this.values.keys()]) {
      if (!seen.has(a)) {
        this.values.delete(a);
        this.confirmed.delete(a);
      }
    }
  }

  private onChange(c: ChangeMsg): void {
    this.lastSeq = this.lastSeq === undefined ? c.seq : Math.max(this.lastSeq, c.seq);
    this.confirmed.set(c.address, c.value);
    if (this.dragging.has(c.address)) return;
    this.values.set(c.address, c.value);
    this.emitParam(c.address, c.value);
  }

  private onLeasesMsg(l: LeasesMsg): void {
    if (this.welcomeSeq !== undefined) {
      // The first `leases` after `welcome` ends the snapshot or the resumed replay.
      this.lastSeq = this.lastSeq === undefined ? this.welcomeSeq : Math.max(this.lastSeq, this.welcomeSeq);
      this.welcomeSeq = undefined;
    }
    const next = new Map<string, Holder>();
    for (const x of l.leases) next.set(x.address, { source: x.source, name: x.name });
    this.holders = next;
    for (const cb of this.leaseListeners) cb();
  }

  private onSubscribed(s: SubscribedMsg): void {
    this.meters.subscribe({ id: s.id, size: s.size, points: s.points });
  }

  private onErrorMsg(e: ErrorMsg): void {
    const sent = e.id !== undefined ? this.sentSets.get(e.id) : undefined;
    if (e.id !== undefined) this.sentSets.delete(e.id);
    const address = e.address ?? sent?.address;
    const back = e.value ?? (sent !== undefined && sent.address === address ? sent.before : undefined);
    if (address !== undefined && back !== undefined && this.descriptor(address) !== undefined) {
      // Snap back: the refused value was shown optimistically.
      this.confirmed.set(address, back);
      const o = this.outgoing.get(address);
      if (o !== undefined) o.pending = undefined;
      if (this.values.get(address) !== back) {
        this.values.set(address, back);
        this.emitParam(address, back);
      }
    }
    const err: RemoteError = {
      code: e.code,
      message: e.message,
      ...(address !== undefined ? { address } : {}),
      ...(e.id !== undefined ? { id: e.id } : {}),
    };
    for (const cb of this.errorListeners) cb(err);
  }
}
