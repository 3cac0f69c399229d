/**
 * Touch leases of the control plane: while a surface or client holds an address (a finger on a
 * touch-sensing fader, a finger down on the tablet), nobody else may set it. This is what stops
 * fader fights between two surfaces, and between a surface and a remote.
 *
 * A lease lasts `ttl` ms from its last renewal; a lease whose `expires <= now` counts as absent
 * everywhere (lazily, so a frozen holder can never lock a parameter). `sweep(now)` removes the
 * expired ones so that the owner can publish the change. Plain data, no timers and no clock of
 * its own: the owner passes `now` in.
 */

/** One lease: who holds the address, until when (ms, on the owner's clock), and its length. */
export interface Lease {
  readonly source: string;
  readonly expires: number;
  readonly ttl: number;
}

/** Default length of a touch lease, ms. */
export const DEFAULT_LEASE_TTL_MS = 2000;

export type AcquireResult = { ok: true; changed: boolean } | { ok: false; holder: string };

export class LeaseTable {
  private readonly leases = new Map<string, Lease>();

  /** Number of stored leases (expired ones included until the next sweep). */
  get size(): number {
    return this.leases.size;
  }

  /** The live lease of an address, if any. */
  get(address: string, now: number): Lease | undefined {
    const l = this.leases.get(address);
    return l !== undefined && l.expires > now ? l : undefined;
  }

  /** The source holding an address now, if any. */
  holder(address: string, now: number): string | undefined {
    return this.get(address, now)?.source;
  }

  /**
   * Take or renew a lease for `source`. Refused (with the holder) when another source holds a
   * live lease. `changed` is false only when nothing at all changed (never, in practice: a
   * renewal moves `expires` unless the clock stood still with the same ttl).
   */
  acquire(address: string, source: string, ttl: number, now: number): AcquireResult {
    const held = this.get(address, now);
    if (held !== undefined && held.source !== source) return { ok: false, holder: held.source };
    const expires = now + ttl;
    const changed = held === undefined || held.expires !== expires || held.ttl !== ttl;
    if (changed) this.leases.set(address, { source, expires, ttl });
    return { ok: true, changed };
  }

  /** Renew the live lease of `source` on `address` by its own ttl; false if it holds none. */
  renew(address: string, source: string, now: number): boolean {
    const held = this.get(address, now);
    if (held === undefined || held.source !== source) return false;
    const expires = now + held.ttl;
    if (expires === held.expires) return false;
    this.leases.set(address, { ...held, expires });
    return true;
  }

  /** Free an address if `source` holds it (live); false (and no change) otherwise. */
  release(address: string, source: string, now: number): boolean {
    if (this.holder(address, now) !== source) return false;
    this.leases.delete(address);
    return true;
  }

  /** Drop every lease of a source; returns how many were dropped (expired ones included). */
  releaseAll(source: string): number {
    let n = 0;
    for (const [address, l] of this.leases) {
      if (l.source === source) {
        this.leases.delete(address);
        n++;
      }
    }
    return n;
  }

  /** Remove the expired leases; returns how many were removed. */
  sweep(now: number): number {
    let n = 0;
    for (const [address, l] of this.leases) {
      if (l.expires <= now) {
        this.leases.delete(address);
        n++;
      }
    }
    return n;
  }

  /** The earliest expiry of any stored lease, or undefined if there is none. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const l of this.leases.values()) if (next === undefined || l.expires < next) next = l.expires;
    return next;
  }

  /** A copy of the live leases: address -> holder and expiry. */
  view(now: number): ReadonlyMap<string, { source: string; expires: number }> {
    const out = new Map<string, { source: string; expires: number }>();
    for (const [address, l] of this.leases) if (l.expires > now) out.set(address, { source: l.source, expires: l.expires });
    return out;
  }
}
