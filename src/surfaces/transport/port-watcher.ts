/**
 * Watches a MIDI backend's port lists and says what changed: a surface plugged in after start is
 * opened without a restart, one that is unplugged is let go, and a machine without a MIDI
 * subsystem is a state that is reported once, then retried with a growing interval.
 *
 * - Ports are compared as multisets: two ports of the same name are two entries (easymidi numbers
 *   duplicates itself, "Name", "Name1"; a backend that does not is handled the same way).
 * - Events of one poll come in this order: vanished inputs, vanished outputs, appeared inputs,
 *   appeared outputs. The first poll reports every port as appeared.
 * - `unavailable` comes once, on the transition (after `vanished` for every port known until
 *   then), not at every failed poll; `available` comes once when listing works again (before
 *   the `appeared` events). A first poll that works gives no `available`: nothing changed.
 * - While unavailable, the interval doubles from max(1 s, pollMs) up to maxBackoffMs; when
 *   available, it is pollMs again.
 * - start() runs its own timer; a caller with its own interval calls pollIfDue() instead, which
 *   skips the polls that the back-off would not make. poll() always polls (tests, "look now").
 * - It never throws: a failing list() is "unavailable", a throwing listener is caught (counted in
 *   `listenerErrors`) and the poll goes on. The timer is unref'd: it keeps no process alive.
 */
import { MixhostError } from '../../model/errors.js';
import type { MidiBackend, MidiPortList } from '../types.js';

export type PortKind = 'input' | 'output';

export type PortEvent =
  | { readonly type: 'appeared' | 'vanished'; readonly kind: PortKind; readonly name: string }
  | { readonly type: 'unavailable'; readonly reason: string }
  | { readonly type: 'available' };

export interface PortWatcherOptions {
  /** Interval between polls while MIDI is available (ms); default 1000. */
  readonly pollMs?: number;
  /** Longest interval while MIDI is unavailable (ms); default 30000. */
  readonly maxBackoffMs?: number;
  readonly onEvent: (event: PortEvent) => void;
  /** Milliseconds, for pollIfDue(); default Date.now. */
  readonly clock?: () => number;
}

const EMPTY: MidiPortList = { inputs: [], outputs: [] };

/** Entries of `a` not matched by one of `b`, duplicates counted, in `a`'s order. */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const pool = new Map<string, number>();
  for (const n of b) pool.set(n, (pool.get(n) ?? 0) + 1);
  const out: string[] = [];
  for (const n of a) {
    const left = pool.get(n) ?? 0;
    if (left > 0) pool.set(n, left - 1);
    else out.push(n);
  }
  return out;
}

function names(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string') : [];
}

export class PortWatcher {
  /** Exceptions thrown by onEvent, caught. */
  listenerErrors = 0;
  /** Polls made. */
  polls = 0;
  private readonly pollMs: number;
  private readonly maxBackoffMs: number;
  private readonly onEvent: (event: PortEvent) => void;
  private readonly clock: () => number;
  private lastPollAt = -Infinity;
  private ports: MidiPortList = EMPTY;
  private state: 'unknown' | 'available' | 'unavailable' = 'unknown';
  private reason: string | undefined;
  private backoffMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private polling = false;
  private again = false;

  constructor(
    private readonly backend: MidiBackend,
    opts: PortWatcherOptions,
  ) {
    this.pollMs = Math.max(1, opts.pollMs ?? 1000);
    this.maxBackoffMs = Math.max(1, opts.maxBackoffMs ?? 30_000);
    this.onEvent = opts.onEvent;
    this.clock = opts.clock ?? Date.now;
  }

  /** Ports seen at the last poll (empty while unavailable). */
  get seen(): MidiPortList {
    return this.ports;
  }

  /** undefined before the first poll. */
  get available(): boolean | undefined {
    return this.state === 'unknown' ? undefined : this.state === 'available';
  }

  /** Why MIDI is unavailable, while it is. */
  get unavailableReason(): string | undefined {
    return this.state === 'unavailable' ? this.reason : undefined;
  }

  /** The interval before the next timed poll (ms). */
  get delayMs(): number {
    return this.state === 'unavailable' ? this.backoffMs : this.pollMs;
  }

  /** Poll now, then on the timer until stop(). A second start() does nothing. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.poll();
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One poll, synchronously. Called from a listener, it runs after the current one. */
  poll(): void {
    if (this.polling) {
      this.again = true;
      return;
    }
    this.polling = true;
    try {
      do {
        this.again = false;
        this.pollOnce();
      } while (this.again);
    } finally {
      this.polling = false;
    }
  }

  /**
   * For a caller that runs its own interval: poll, unless MIDI is unavailable and the back-off
   * interval since the last poll has not passed yet. True if it polled.
   */
  pollIfDue(): boolean {
    if (this.state === 'unavailable' && this.clock() - this.lastPollAt < this.backoffMs) return false;
    this.poll();
    return true;
  }

  private schedule(): void {
    if (!this.running || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.poll();
      this.schedule();
    }, this.delayMs);
    this.timer.unref();
  }

  private pollOnce(): void {
    this.polls++;
    this.lastPollAt = this.clock();
    let now: MidiPortList;
    try {
      const listed = this.backend.list() as Partial<MidiPortList> | undefined;
      now = { inputs: names(listed?.inputs), outputs: names(listed?.outputs) };
    } catch (e) {
      const reason = e instanceof MixhostError ? e.message : `listing MIDI ports failed: ${e instanceof Error ? e.message : String(e)}`;
      this.failed(reason);
      return;
    }
    const was = this.state;
    this.state = 'available';
    this.reason = undefined;
    this.backoffMs = 0;
    if (was === 'unavailable') this.emit({ type: 'available' });
    this.update(now);
  }

  private failed(reason: string): void {
    this.reason = reason;
    if (this.state === 'unavailable') {
      this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
      return;
    }
    this.state = 'unavailable';
    this.backoffMs = Math.min(Math.max(1000, this.pollMs), this.maxBackoffMs);
    this.update(EMPTY);
    this.emit({ type: 'unavailable', reason });
  }

  private update(now: MidiPortList): void {
    const before = this.ports;
    this.ports = now;
    for (const name of minus(before.inputs, now.inputs)) this.emit({ type: 'vanished', kind: 'input', name });
    for (const name of minus(before.outputs, now.outputs)) this.emit({ type: 'vanished', kind: 'output', name });
    for (const name of minus(now.inputs, before.inputs)) this.emit({ type: 'appeared', kind: 'input', name });
    for (const name of minus(now.outputs, before.outputs)) this.emit({ type: 'appeared', kind: 'output', name });
  }

  private emit(event: PortEvent): void {
    try {
      this.onEvent(event);
    } catch {
      this.listenerErrors++;
    }
  }
}
