/**
 * Fault bookkeeping of the mix engine: which processing units have thrown, and what they said.
 *
 * Live, a bug in one DSP block must not stop the show. The engine runs each unit (a channel
 * strip, an FX unit, a group, an aux, the master stage, a master chain, the monitor path, the
 * loudness tap) inside try/catch; a unit that throws is marked here, reset, reported, and skipped
 * from then on until `rearm` (see MixEngine and docs/engine.md, "Faults").
 *
 * The flags are one preallocated Int8Array indexed by unit number, so the engine's per-block
 * check is a typed-array read; the list and its entries are only allocated when a fault happens
 * (the exceptional path).
 */
import { METER_FLOOR_DB, type MeterLayout } from '../model/meters.js';

/** One fault: the unit that threw, the error's message, and the engine block it happened in (0-based). */
export interface EngineFault {
  readonly unit: string;
  readonly message: string;
  readonly block: number;
}

/** Meter fields that read 0 (not the dB floor) when a unit is silent: gain reductions, gains, correlation. */
const ZERO_FIELDS: ReadonlySet<string> = new Set(['gateGr', 'compGr', 'correlation', 'levellerGain', 'limiterGr', 'mbcGr1', 'mbcGr2', 'mbcGr3']);
/** Meter fields a fault leaves alone (not a measurement of the signal). */
const KEEP_FIELDS: ReadonlySet<string> = new Set(['latency']);

export class FaultTable {
  /** 1 while unit u is faulted (skipped), else 0. */
  readonly flags: Int8Array;
  /** Every fault so far, oldest first. */
  readonly list: EngineFault[] = [];
  private readonly byName: Map<string, number>;

  /**
   * `units[u]` is the name of unit u (e.g. `ch/3`, `master/2`); `meterPoints[u]` the meter
   * point it writes (a name of the engine's MeterLayout), or '' for none.
   */
  constructor(
    readonly units: readonly string[],
    private readonly meterPoints: readonly string[],
  ) {
    this.flags = new Int8Array(units.length);
    this.byName = new Map(units.map((u, i) => [u, i]));
  }

  /** The unit number of a name, or −1. */
  indexOf(unit: string): number {
    return this.byName.get(unit) ?? -1;
  }

  /** Mark unit u faulted and append the fault. */
  record(u: number, err: unknown, block: number): void {
    this.flags[u] = 1;
    this.list.push({ unit: this.units[u], message: messageOf(err), block });
  }

  /**
   * Write "silent" into unit u's meter point: the level and loudness fields read the floor
   * (−120 dB), gain reductions and correlation 0, the latency is kept. A faulted unit no longer
   * writes its meters, so they stay there until it is re-armed.
   */
  silenceMeters(u: number, layout: MeterLayout, meters: Float32Array): void {
    const name = this.meterPoints[u];
    if (name === '') return;
    const point = layout.points.find((p) => p.name === name);
    if (!point) return;
    point.fields.forEach((f, i) => {
      if (!KEEP_FIELDS.has(f)) meters[point.offset + i] = ZERO_FIELDS.has(f) ? 0 : METER_FLOOR_DB;
    });
  }
}

/**
 * The output guard: true when every sample of both buffers is finite. x·0 is 0 (or −0) for a
 * finite x and NaN for NaN or ±Inf, so the sum is 0 or NaN: one multiply-add per sample and no
 * branch in the loop.
 */
export function allFinite(l: Float32Array, r: Float32Array, n: number): boolean {
  let s = 0;
  for (let i = 0; i < n; i++) s += l[i] * 0 + r[i] * 0;
  return s === 0;
}

/** The message of anything thrown (an Error or not). */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  try {
    return String(err);
  } catch {
    return 'unprintable error';
  }
}
