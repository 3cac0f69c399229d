/**
 * A stereo bus output stage: fader, mute and balance with de-zippered gains, then metering.
 * Used by aux, FX-return, group and master buses (and the monitor, with its level only).
 */
import type { ParamRegistry } from '../model/registry.js';
import { dbToGain, FADER_OFF_DB } from '../model/tapers.js';
import { balanceGains, SmoothGain } from './gain.js';
import { LevelMeter } from './level-meter.js';
import type { StereoBus } from './strip.js';

export class BusStage {
  private readonly fader: number;
  private readonly mute: number;
  private readonly pan: number;
  private readonly gl: SmoothGain;
  private readonly gr: SmoothGain;
  private readonly meter: LevelMeter;
  private readonly bal = new Float64Array(2);
  private first = true;

  /** `prefix` is e.g. `bus/3`, `fx/1`, `group/2`, `master`. */
  constructor(reg: ParamRegistry, prefix: string, sampleRate: number) {
    this.fader = reg.index(`${prefix}/fader`);
    this.mute = reg.index(`${prefix}/mute`);
    this.pan = reg.index(`${prefix}/pan`);
    this.gl = new SmoothGain(sampleRate);
    this.gr = new SmoothGain(sampleRate);
    this.meter = new LevelMeter(sampleRate);
  }

  reset(): void {
    this.meter.reset();
    this.first = true;
  }

  /** Apply the stage in place on `bus` and meter the result into 6 fields at `meterOffset`. */
  process(t: Float64Array, bus: StereoBus, n: number, meters: Float32Array, meterOffset: number): void {
    const db = t[this.fader];
    const g = t[this.mute] >= 0.5 || db <= FADER_OFF_DB ? 0 : dbToGain(db);
    balanceGains(t[this.pan], this.bal);
    this.gl.target = g * this.bal[0];
    this.gr.target = g * this.bal[1];
    if (this.first) {
      this.first = false;
      this.gl.jump(this.gl.target);
      this.gr.jump(this.gr.target);
    }
    this.gl.apply(bus[0], bus[0], n);
    this.gr.apply(bus[1], bus[1], n);
    this.meter.measure(bus[0], bus[1], n, meters, meterOffset);
  }
}
