/**
 * The last ten minutes of each master chain's loudness (momentary, short-term, integrated), kept
 * on the server at 10 points a second from the render thread's meter snapshot. A remote that
 * opens the loudness panel, reconnects or reloads draws the whole history at once instead of
 * starting an empty graph.
 */
import { CHAIN_FIELDS, METER_FLOOR_DB, type MeterLayout } from '../model/meters.js';
import { chainMeterPoint } from '../model/master-params.js';

export const RECORDER_HZ = 10;
export const RECORDER_POINTS = 6000;

export interface LoudnessHistoryBody {
  readonly chain: number;
  readonly hz: number;
  /** Wall-clock time (ms since 1970) of the newest point. */
  readonly end: number;
  /** Oldest first; null where nothing was measured (silence below the gate, or before the start). */
  readonly momentary: Array<number | null>;
  readonly shortTerm: Array<number | null>;
  readonly integrated: Array<number | null>;
}

interface Ring {
  offset: number;
  m: Float32Array;
  s: Float32Array;
  i: Float32Array;
}

const M = CHAIN_FIELDS.indexOf('momentary');
const S = CHAIN_FIELDS.indexOf('shortTerm');
const I = CHAIN_FIELDS.indexOf('integrated');

export class LoudnessRecorder {
  private readonly rings: Ring[] = [];
  private readonly values: Float32Array;
  private head = 0;
  private count = 0;
  private end = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly meters: { readonly layout: MeterLayout; read(dst: Float32Array): boolean },
    chains: number,
    private readonly capacity = RECORDER_POINTS,
    private readonly clock: () => number = Date.now,
  ) {
    this.values = new Float32Array(meters.layout.size);
    for (let k = 1; k <= chains; k++) {
      this.rings.push({ offset: meters.layout.offsetOf(chainMeterPoint(k)), m: new Float32Array(capacity), s: new Float32Array(capacity), i: new Float32Array(capacity) });
    }
  }

  /** Record at 10 Hz until stop() (the timer keeps no process alive). */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.sample(), 1000 / RECORDER_HZ);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Take one point of every chain now (the timer calls this; tests call it directly). */
  sample(): void {
    if (!this.meters.read(this.values)) return;
    const v = this.values;
    for (const r of this.rings) {
      r.m[this.head] = v[r.offset + M];
      r.s[this.head] = v[r.offset + S];
      r.i[this.head] = v[r.offset + I];
    }
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    this.end = this.clock();
  }

  /** The history of chain `k` (1-based), or undefined if there is no such chain. */
  history(k: number): LoudnessHistoryBody | undefined {
    const r = this.rings[k - 1];
    if (r === undefined) return undefined;
    const out = (a: Float32Array): Array<number | null> => {
      const list: Array<number | null> = new Array<number | null>(this.count);
      for (let n = 0; n < this.count; n++) {
        const x = a[(this.head - this.count + n + this.capacity) % this.capacity];
        list[n] = Number.isFinite(x) && x > METER_FLOOR_DB ? Math.round(x * 100) / 100 : null;
      }
      return list;
    };
    return { chain: k, hz: RECORDER_HZ, end: this.end, momentary: out(r.m), shortTerm: out(r.s), integrated: out(r.i) };
  }
}
