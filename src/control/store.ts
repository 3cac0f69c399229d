/**
 * The control plane's state store: the one source of truth for every parameter value that the
 * HTTP API, the WebSocket remote, MIDI surfaces and OSC read and write.
 *
 * - Every accepted change becomes a `ChangeEvent` with a store-wide, gap-free sequence number
 *   and the id of its source, published on `changes$` in sequence order.
 * - Values are stored exactly as the registry clamps them (enums and switches rounded to a
 *   step); an equal value is no change (no event, no sequence number).
 * - Touch leases (leases.ts) stop fader fights: while one source holds an address, the others'
 *   sets are refused with `E_CONTROL_HELD`. The engine and session loads use `force()`.
 * - `feedbackFor(client)` is what one client must be sent: everybody else's changes (never its
 *   own: no echo, so a surface never sees its value come back re-quantised). The first change
 *   after a quiet tick goes out at once; the ones that follow within the tick are coalesced to
 *   the latest value per address and go out when it ends.
 * - `since(lastSeq)` lets a reconnecting client catch up from a history ring, or tells it to
 *   take a snapshot. `epoch` names this store's run: sequence numbers of another epoch mean
 *   nothing here.
 *
 * Lease expiry is read lazily from the clock (an expired lease counts as absent at once).
 * `sweep()` removes expired leases and publishes the change on `leases$`; with the default
 * (real) clock a timer calls it at each expiry, with an injected clock the owner calls it.
 */
import { randomBytes } from 'node:crypto';
import { BehaviorSubject, Observable, Subject } from 'rxjs';
import { clampValue, type ParamDescriptor } from '../model/descriptor.js';
import { MixhostError, type ParamRegistry } from '../model/registry.js';
import { DEFAULT_LEASE_TTL_MS, LeaseTable } from './leases.js';

export { DEFAULT_LEASE_TTL_MS } from './leases.js';

export interface ChangeEvent {
  readonly address: string;
  /** Registry index. */
  readonly index: number;
  /** In the parameter's unit, after clamping/quantising. */
  readonly value: number;
  /** Client or surface id, e.g. 'ws:3', 'midi:xtouch', 'engine'. */
  readonly source: string;
  /** Store-wide sequence number, 1, 2, 3, ... (gap-free). */
  readonly seq: number;
  /** ms, from the store's clock (Date.now() by default). */
  readonly time: number;
}

export type SetFailure = { ok: false; code: string; message: string };
export type SetResult = { ok: true; event: ChangeEvent | null /* null: value unchanged */ } | SetFailure;
export type TouchResult = { ok: true } | SetFailure;
export type LeaseView = ReadonlyMap<string, { source: string; expires: number }>;

export interface ControlStoreOptions {
  /** Number of events kept for `since()`; default 4096. */
  historySize?: number;
  /** Clock in ms; default Date.now. With an injected clock no expiry timer runs (call sweep()). */
  clock?: () => number;
  /** Name of this run (default: 8 random hex digits). */
  epoch?: string;
}

export const DEFAULT_HISTORY_SIZE = 4096;

function fail(code: string, message: string): SetFailure {
  return { ok: false, code, message };
}

/** Latest event per address, in the sequence order of those latest events. */
export function coalesce(events: readonly ChangeEvent[]): ChangeEvent[] {
  const latest = new Map<string, ChangeEvent>();
  for (const e of events) {
    latest.delete(e.address); // re-insert: Map order becomes the order of the latest changes
    latest.set(e.address, e);
  }
  return [...latest.values()];
}

export class ControlStore {
  /**
   * Names this store's run of sequence numbers. A client that reconnects with another epoch (it
   * saw an earlier run of the server) gets a snapshot, never a catch-up.
   */
  readonly epoch: string;
  /** All changes, in sequence order (hot). */
  readonly changes$: Observable<ChangeEvent>;
  /** Live leases (address -> holder, expiry); the current map on subscribe, then every change. */
  readonly leases$: Observable<LeaseView>;

  private readonly values: Float64Array;
  private readonly changeSubject = new Subject<ChangeEvent>();
  private readonly leaseSubject: BehaviorSubject<LeaseView>;
  private readonly leases = new LeaseTable();
  private readonly clock: () => number;
  private readonly autoExpire: boolean;
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiryAt = Infinity;
  private lastSeq = 0;
  // History ring: the last `history.length` events; `historyCount` of them are filled.
  private readonly history: (ChangeEvent | undefined)[];
  private historyCount = 0;
  // Events committed while another is being delivered wait here, so that every subscriber
  // sees them in sequence order even when a subscriber sets a value synchronously.
  private readonly pending: ChangeEvent[] = [];
  private delivering = false;
  private disposed = false;

  constructor(
    private readonly registry: ParamRegistry,
    table?: Float64Array,
    opts: ControlStoreOptions = {},
  ) {
    if (table !== undefined && table.length !== registry.size) {
      throw new RangeError(`ControlStore: the table has ${table.length} values, the registry ${registry.size} parameters`);
    }
    this.values = table !== undefined ? Float64Array.from(table) : registry.createTable();
    const size = opts.historySize ?? DEFAULT_HISTORY_SIZE;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`ControlStore: historySize ${size} must be an integer >= 1`);
    this.history = new Array<ChangeEvent | undefined>(size);
    this.clock = opts.clock ?? Date.now;
    this.epoch = opts.epoch ?? randomBytes(4).toString('hex');
    this.autoExpire = opts.clock === undefined;
    this.leaseSubject = new BehaviorSubject<LeaseView>(new Map());
    this.changes$ = this.changeSubject.asObservable();
    this.leases$ = this.leaseSubject.asObservable();
  }

  /** Sequence number of the latest change (0 before the first). */
  get seq(): number {
    return this.lastSeq;
  }

  /** Current value in the parameter's unit; throws `E_PARAM_UNKNOWN`. */
  value(address: string): number {
    return this.values[this.registry.index(address)];
  }

  /** A copy of every value, with the sequence number (and epoch) it is current at. */
  snapshot(): { epoch: string; seq: number; values: Float64Array } {
    return { epoch: this.epoch, seq: this.lastSeq, values: Float64Array.from(this.values) };
  }

  /** Current value by registry index (no copy). */
  valueAt(index: number): number {
    return this.values[index];
  }

  /**
   * Set by address in the parameter's unit. Refused when another source holds a touch lease
   * (`E_CONTROL_HELD`, naming the holder), the address is unknown (`E_PARAM_UNKNOWN`) or the
   * value is not a finite number (`E_PARAM_VALUE`). Clamped to range, enums rounded; an equal
   * value gives `event: null`. A set by the lease holder renews its lease.
   */
  set(address: string, value: number, source: string): SetResult {
    const target = this.resolve(address, value, 'value');
    if (!target.ok) return target;
    return this.guardedApply(address, target.index, value, source);
  }

  /** As set(), with a 0..1 position mapped through the parameter's taper. */
  setPosition(address: string, position: number, source: string): SetResult {
    const target = this.resolve(address, position, 'position');
    if (!target.ok) return target;
    const value = this.registry.descriptors[target.index].taper.fromPosition(position);
    return this.guardedApply(address, target.index, value, source);
  }

  /**
   * Apply a change from the engine or a session load (source 'engine' / 'session'): as set()
   * but never refused by leases. Throws `E_PARAM_UNKNOWN` / `E_PARAM_VALUE`.
   */
  force(address: string, value: number, source: string): ChangeEvent | null {
    this.assertOpen();
    const index = this.registry.index(address);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new MixhostError('E_PARAM_VALUE', valueMessage(address, value, 'value'));
    return this.apply(index, value, source);
  }

  /**
   * Take or renew the touch lease of `source` on `address` for `ttlMs` (default 2000 ms).
   * Refused with `E_CONTROL_HELD` while another source holds it.
   */
  touch(address: string, source: string, ttlMs: number = DEFAULT_LEASE_TTL_MS): TouchResult {
    this.assertOpen();
    if (this.registry.find(address) < 0) return fail('E_PARAM_UNKNOWN', `unknown parameter address '${address}'`);
    if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
      return fail('E_PARAM_VALUE', `'${address}': a touch lasts a positive, finite number of ms, not ${String(ttlMs)}`);
    }
    const now = this.clock();
    const swept = this.leases.sweep(now) > 0;
    const r = this.leases.acquire(address, source, ttlMs, now);
    if (swept || (r.ok && r.changed)) this.publishLeases(now);
    return r.ok ? { ok: true } : fail('E_CONTROL_HELD', heldMessage(address, r.holder));
  }

  /** Free `address` if `source` holds it; by any other source a no-op (false). */
  release(address: string, source: string): boolean {
    if (this.disposed) return false;
    const now = this.clock();
    const swept = this.leases.sweep(now) > 0;
    const released = this.leases.release(address, source, now);
    if (swept || released) this.publishLeases(now);
    return released;
  }

  /** Drop every lease of a source (a client disconnected). */
  releaseAll(source: string): void {
    if (this.disposed) return;
    const now = this.clock();
    const swept = this.leases.sweep(now);
    if (this.leases.releaseAll(source) + swept > 0) this.publishLeases(now);
  }

  /** The source holding `address` now, if any (an expired lease counts as none). */
  holder(address: string): string | undefined {
    return this.leases.holder(address, this.clock());
  }

  /** Remove expired leases and publish the new map on leases$ if any went; returns how many. */
  sweep(now: number = this.clock()): number {
    if (this.disposed) return 0;
    const n = this.leases.sweep(now);
    if (n > 0) this.publishLeases(now);
    return n;
  }

  /**
   * What `client` must be sent: every change not made by `client` itself. The first change after
   * a quiet spell is emitted at once (synchronously, as a batch of one) and opens a tick of
   * `tickMs`; the changes that arrive within the tick are coalesced (one event per address, its
   * latest, in the sequence order of those latest changes) and emitted when the tick ends, which
   * opens the next tick. A tick with nothing to send ends the cycle: no timer runs while
   * nothing changes. So a single move reaches the client without delay, and a stream of moves
   * at most once per tick.
   */
  feedbackFor(client: string, tickMs: number): Observable<ChangeEvent[]> {
    if (!Number.isFinite(tickMs) || tickMs < 0) throw new RangeError(`feedbackFor: tickMs ${tickMs} must be a finite number >= 0`);
    return new Observable<ChangeEvent[]>((subscriber) => {
      let pending: ChangeEvent[] = [];
      let timer: NodeJS.Timeout | undefined;
      const tick = (): void => {
        timer = undefined;
        if (pending.length === 0) return;
        const batch = coalesce(pending);
        pending = [];
        timer = setTimeout(tick, tickMs);
        subscriber.next(batch);
      };
      const sub = this.changes$.subscribe({
        next: (e) => {
          if (e.source === client) return;
          if (timer !== undefined) {
            pending.push(e);
            return;
          }
          timer = setTimeout(tick, tickMs);
          subscriber.next([e]);
        },
        complete: () => {
          if (timer !== undefined) clearTimeout(timer);
          timer = undefined;
          if (pending.length > 0) subscriber.next(coalesce(pending));
          pending = [];
          subscriber.complete();
        },
      });
      return () => {
        sub.unsubscribe();
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        pending = [];
      };
    });
  }

  /**
   * Catch-up for a reconnecting client that saw every change up to `lastSeq`: the changes
   * after it, coalesced (latest per address, in sequence order), if the history ring still holds
   * them all; else null, and the client must take a snapshot. Also null for a `lastSeq` this
   * store never reached (a client of an earlier run) or that is not a whole number >= 0.
   */
  since(lastSeq: number): ChangeEvent[] | null {
    if (!Number.isInteger(lastSeq) || lastSeq < 0 || lastSeq > this.lastSeq) return null;
    const missing = this.lastSeq - lastSeq;
    if (missing > this.historyCount) return null;
    const size = this.history.length;
    const out: ChangeEvent[] = [];
    for (let s = lastSeq + 1; s <= this.lastSeq; s++) out.push(this.history[(s - 1) % size] as ChangeEvent);
    return coalesce(out);
  }

  /** Complete the subjects and stop the expiry timer; later sets throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.expiryTimer !== undefined) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.changeSubject.complete();
    this.leaseSubject.complete();
  }

  // ---- internals ----

  private resolve(address: string, x: number, what: 'value' | 'position'): { ok: true; index: number } | SetFailure {
    this.assertOpen();
    const index = this.registry.find(address);
    if (index < 0) return fail('E_PARAM_UNKNOWN', `unknown parameter address '${address}'`);
    if (typeof x !== 'number' || !Number.isFinite(x)) return fail('E_PARAM_VALUE', valueMessage(address, x, what));
    return { ok: true, index };
  }

  private guardedApply(address: string, index: number, value: number, source: string): SetResult {
    const now = this.clock();
    const held = this.leases.get(address, now);
    if (held !== undefined && held.source !== source) return fail('E_CONTROL_HELD', heldMessage(address, held.source));
    const event = this.apply(index, value, source, now);
    if (held !== undefined && this.leases.renew(address, source, now)) this.publishLeases(now);
    return { ok: true, event };
  }

  private apply(index: number, value: number, source: string, now: number = this.clock()): ChangeEvent | null {
    const d: ParamDescriptor = this.registry.descriptors[index];
    const v = clampValue(d, value) + 0; // + 0 turns -0 into 0
    if (v === this.values[index]) return null;
    this.values[index] = v;
    const event: ChangeEvent = { address: d.address, index, value: v, source, seq: ++this.lastSeq, time: now };
    this.history[(event.seq - 1) % this.history.length] = event;
    if (this.historyCount < this.history.length) this.historyCount++;
    this.deliver(event);
    return event;
  }

  private deliver(event: ChangeEvent): void {
    this.pending.push(event);
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let e = this.pending.shift(); e !== undefined; e = this.pending.shift()) this.changeSubject.next(e);
    } finally {
      this.delivering = false;
      this.pending.length = 0;
    }
  }

  private publishLeases(now: number): void {
    this.leaseSubject.next(this.leases.view(now));
    this.scheduleExpiry(now);
  }

  /** With the real clock: a timer that sweeps at the next expiry (unref'd: it keeps no process alive). */
  private scheduleExpiry(now: number): void {
    if (!this.autoExpire || this.disposed) return;
    const next = this.leases.nextExpiry();
    if (next === undefined) {
      if (this.expiryTimer !== undefined) clearTimeout(this.expiryTimer);
      this.expiryTimer = undefined;
      this.expiryAt = Infinity;
      return;
    }
    if (this.expiryTimer !== undefined && this.expiryAt <= next) return;
    if (this.expiryTimer !== undefined) clearTimeout(this.expiryTimer);
    this.expiryAt = next;
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      this.expiryAt = Infinity;
      const t = this.clock();
      if (this.leases.sweep(t) > 0) this.publishLeases(t);
      else this.scheduleExpiry(t);
    }, Math.max(1, next - now));
    this.expiryTimer.unref();
  }

  private assertOpen(): void {
    if (this.disposed) throw new Error('ControlStore: used after dispose()');
  }
}

function heldMessage(address: string, holder: string): string {
  return `'${address}' is held by ${holder}: it can be set again when ${holder} lets go`;
}

function valueMessage(address: string, x: unknown, what: 'value' | 'position'): string {
  return `'${address}': the ${what} must be a finite number, not ${typeof x === 'number' ? String(x) : typeof x}`;
}
