/**
 * The one message type that crosses from the control plane to the render thread: a parameter
 * change `(index, value)`, in a single-producer single-consumer ring in a SharedArrayBuffer.
 *
 * Layout: a header of Int32 counters (`head` written only by the consumer, `tail` only by the
 * producer, both free-running and compared modulo the capacity), then three lanes of
 * `capacity` entries: the registry index (Int32), the value (Float64) and the time the change
 * was written (Float64, ms since the epoch from `performance.timeOrigin + performance.now()`,
 * a clock both threads share) so the render side can measure control-to-audio latency.
 *
 * Ordering: the producer fills an entry, then publishes it with `Atomics.store(tail)`; the
 * consumer reads `Atomics.load(tail)`, then the entries below it, then `Atomics.store(head)`.
 * Atomics give the sequentially consistent fences that make the plain lane writes visible.
 *
 * Neither side waits. The render side drains what is there at the start of a block and
 * allocates nothing. When the ring is full the producer keeps the change in a small backlog
 * of its own (on the main thread, where allocating is fine), latest value per index, and
 * moves it into the ring at the next `flush()`: no change is lost and none is applied out of
 * order for its index.
 */

const HEAD = 0;
const TAIL = 1;
/** Entries the producer had to hold back because the ring was full (a count, for status). */
const DEFERRED = 2;
const HEADER_INTS = 4;

export interface ParamRingBuffers {
  readonly sab: SharedArrayBuffer;
  readonly capacity: number;
}

/** Make the shared memory of a ring of `capacity` entries (a power of two). */
export function createParamRing(capacity = 4096): ParamRingBuffers {
  if (!(capacity >= 2 && (capacity & (capacity - 1)) === 0)) throw new RangeError(`ring capacity must be a power of two ≥ 2, not ${capacity}`);
  const bytes = HEADER_INTS * 4 + capacity * 4 + capacity * 8 * 2;
  return { sab: new SharedArrayBuffer(bytes + 8), capacity };
}

interface Lanes {
  header: Int32Array;
  index: Int32Array;
  value: Float64Array;
  time: Float64Array;
  mask: number;
}

function lanes(b: ParamRingBuffers): Lanes {
  const c = b.capacity;
  const header = new Int32Array(b.sab, 0, HEADER_INTS);
  const index = new Int32Array(b.sab, HEADER_INTS * 4, c);
  // Float64 lanes start on an 8-byte boundary.
  const f0 = Math.ceil((HEADER_INTS * 4 + c * 4) / 8) * 8;
  const value = new Float64Array(b.sab, f0, c);
  const time = new Float64Array(b.sab, f0 + c * 8, c);
  return { header, index, value, time, mask: c - 1 };
}

/** Wall-clock milliseconds on a clock both threads share. */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The control-plane side: writes changes, never waits. */
export class ParamRingWriter {
  private readonly l: Lanes;
  private readonly backlog = new Map<number, { value: number; time: number }>();

  constructor(buffers: ParamRingBuffers) {
    this.l = lanes(buffers);
  }

  /** Queue a change. Returns false when it went to the backlog (the ring was full). */
  write(index: number, value: number, time = sharedNow()): boolean {
    if (this.backlog.size > 0) {
      this.flush();
      if (this.backlog.size > 0) {
        this.defer(index, value, time);
        return false;
      }
    }
    if (this.put(index, value, time)) return true;
    this.defer(index, value, time);
    return false;
  }

  /** Move held-back changes into the ring, as far as it has room. Returns how many remain. */
  flush(): number {
    for (const [index, e] of this.backlog) {
      if (!this.put(index, e.value, e.time)) break;
      this.backlog.delete(index);
    }
    return this.backlog.size;
  }

  /** Changes waiting in the backlog. */
  get pending(): number {
    return this.backlog.size;
  }

  private defer(index: number, value: number, time: number): void {
    // Latest value per index; re-inserting keeps the order of first deferral, which is fine
    // because only one value per index is ever pending.
    this.backlog.set(index, { value, time });
    Atomics.add(this.l.header, DEFERRED, 1);
  }

  private put(index: number, value: number, time: number): boolean {
    const l = this.l;
    const tail = Atomics.load(l.header, TAIL);
    const head = Atomics.load(l.header, HEAD);
    if (((tail - head) | 0) > l.mask) return false;
    const k = tail & l.mask;
    l.index[k] = index;
    l.value[k] = value;
    l.time[k] = time;
    Atomics.store(l.header, TAIL, (tail + 1) | 0);
    return true;
  }
}

/** The render side: drains the ring into a parameter table, allocation-free. */
export class ParamRingReader {
  private readonly l: Lanes;
  /**
   * [0] the oldest write time among the entries of the last drain (NaN if none), shared-clock
   * ms; [1] entries dropped since the start (index outside the table, or a non-finite value).
   * A typed array, so the render loop stores doubles without boxing them.
   */
  readonly stats = new Float64Array(2);

  constructor(buffers: ParamRingBuffers) {
    this.l = lanes(buffers);
  }

  /**
   * Apply every queued change to `table` (table[index] = value) and return how many.
   * Out-of-range indices and non-finite values are dropped and counted in `stats[1]`.
   */
  drain(table: Float64Array): number {
    const l = this.l;
    const tail = Atomics.load(l.header, TAIL);
    let head = Atomics.load(l.header, HEAD);
    let n = 0;
    let oldest = Number.POSITIVE_INFINITY;
    const size = table.length;
    while (head !== tail) {
      const k = head & l.mask;
      const i = l.index[k];
      const v = l.value[k];
      const t = l.time[k];
      if (i >= 0 && i < size && v - v === 0) {
        table[i] = v;
        n++;
      } else this.stats[1]++;
      if (t < oldest) oldest = t;
      head = (head + 1) | 0;
    }
    Atomics.store(l.header, HEAD, head);
    this.stats[0] = oldest === Number.POSITIVE_INFINITY ? Number.NaN : oldest;
    return n;
  }

  /** Changes the producer has had to hold back since the start (ring full). */
  deferred(): number {
    return Atomics.load(this.l.header, DEFERRED);
  }
}
