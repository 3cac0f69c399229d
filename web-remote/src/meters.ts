/**
 * Binary meter frames (docs/remote-protocol.md, "Meter frames"): decoding into a bank of
 * per-point arrays, the meter scale, and a 30 fps drawing loop. No DOM at import time.
 *
 * Frame layout, little-endian: u8 kind (1), u8 version (1), u16 subscription id, u32 frame
 * counter, then `size` f32 values at the offsets the `subscribed` message gave.
 */

export const METER_FRAME_KIND = 1;
export const METER_FRAME_VERSION = 1;
export const METER_HEADER_BYTES = 8;
/** Floor of every level field (dBFS). */
export const METER_FLOOR_DB = -120;

export interface SubscribedPoint {
  readonly name: string;
  readonly offset: number;
  readonly fields: readonly string[];
}

export interface Subscription {
  readonly id: number;
  readonly size: number;
  readonly points: readonly SubscribedPoint[];
}

export interface FrameHeader {
  readonly subscription: number;
  readonly counter: number;
  /** Number of f32 values after the header. */
  readonly count: number;
}

/** The header of a meter frame, or undefined when the buffer is not one (kind, version, length). */
export function readFrameHeader(buf: ArrayBuffer): FrameHeader | undefined {
  if (buf.byteLength < METER_HEADER_BYTES || (buf.byteLength - METER_HEADER_BYTES) % 4 !== 0) return undefined;
  const dv = new DataView(buf);
  if (dv.getUint8(0) !== METER_FRAME_KIND || dv.getUint8(1) !== METER_FRAME_VERSION) return undefined;
  return {
    subscription: dv.getUint16(2, true),
    counter: dv.getUint32(4, true),
    count: (buf.byteLength - METER_HEADER_BYTES) / 4,
  };
}

/**
 * The latest values of every subscribed point. One Float32Array holds the whole frame; each
 * point's array is a view into it, so readers hold no copies and a frame costs no allocation.
 */
export class MeterBank {
  private sub: Subscription | undefined;
  private data = new Float32Array(0);
  private views = new Map<string, Float32Array>();
  private lastCounter = -1;
  /** Frames dropped: an older subscription, a malformed header or a short frame. */
  dropped = 0;
  /** Frames applied. */
  applied = 0;

  get subscriptionId(): number | undefined {
    return this.sub?.id;
  }

  /** Adopt the layout of a `subscribed` message; values start at the floor until a frame comes. */
  subscribe(sub: Subscription): void {
    this.sub = sub;
    this.data = new Float32Array(Math.max(0, sub.size)).fill(METER_FLOOR_DB);
    const views = new Map<string, Float32Array>();
    for (const p of sub.points) {
      const end = p.offset + p.fields.length;
      if (p.offset < 0 || end > sub.size) continue;
      views.set(p.name, this.data.subarray(p.offset, end));
    }
    this.views = views;
    this.lastCounter = -1;
  }

  /** Forget the subscription (a new connection): no values until the next `subscribed`. */
  reset(): void {
    this.sub = undefined;
    this.data = new Float32Array(0);
    this.views = new Map();
    this.lastCounter = -1;
  }

  /** Apply one binary frame. False (and counted as dropped) when it is not for this subscription. */
  apply(buf: ArrayBuffer): boolean {
    const h = readFrameHeader(buf);
    const sub = this.sub;
    if (h === undefined || sub === undefined || h.subscription !== sub.id || h.count < sub.size) {
      this.dropped++;
      return false;
    }
    const dv = new DataView(buf);
    const data = this.data;
    for (let i = 0; i < sub.size; i++) data[i] = dv.getFloat32(METER_HEADER_BYTES + 4 * i, true);
    this.lastCounter = h.counter;
    this.applied++;
    return true;
  }

  get counter(): number {
    return this.lastCounter;
  }

  /** Latest fields of one point, or undefined if it is not subscribed. */
  get(point: string): Float32Array | undefined {
    return this.views.get(point);
  }
}

/**
 * Meter deflection 0..1 for a level in dBFS, the IEC 60268-18 scale: 0 dBFS at the top,
 * −20 dB at half travel, −40 at 15 %, −60 at 2.5 %, nothing below −70.
 */
export function meterDeflection(db: number): number {
  if (!(db > -70)) return 0;
  let pct: number;
  if (db < -60) pct = (db + 70) * 0.25;
  else if (db < -50) pct = (db + 60) * 0.5 + 2.5;
  else if (db < -40) pct = (db + 50) * 0.75 + 7.5;
  else if (db < -30) pct = (db + 40) * 1.5 + 15;
  else if (db < -20) pct = (db + 30) * 2 + 30;
  else pct = (db + 20) * 2.5 + 50;
  return pct >= 100 ? 1 : pct / 100;
}

/** Scale marks for a meter, in dBFS. */
export const METER_MARKS: readonly number[] = [0, -6, -12, -20, -30, -40, -60];

export interface FrameScheduler {
  request(cb: (t: number) => void): number;
  cancel(id: number): void;
}

/**
 * Calls `draw` at most `fps` times a second from animation frames, only while started. One loop
 * per view: every meter of the view is drawn in one pass, writing transforms only.
 */
export class MeterLoop {
  private handle: number | undefined;
  private last = -Infinity;
  private readonly interval: number;

  constructor(
    private readonly draw: (now: number) => void,
    private readonly scheduler: FrameScheduler,
    fps = 30,
  ) {
    // A little under the period, so that a 60 Hz display draws on every other frame exactly.
    this.interval = 1000 / fps - 4;
  }

  start(): void {
    if (this.handle !== undefined) return;
    const tick = (t: number): void => {
      this.handle = this.scheduler.request(tick);
      if (t - this.last >= this.interval) {
        this.last = t;
        this.draw(t);
      }
    };
    this.handle = this.scheduler.request(tick);
  }

  stop(): void {
    if (this.handle !== undefined) this.scheduler.cancel(this.handle);
    this.handle = undefined;
  }
}
