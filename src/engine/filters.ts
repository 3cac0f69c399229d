/**
 * The channel strip's filters: a high-pass with 12/18/24 dB/oct slopes and a parametric EQ.
 * Both are BiquadCascades of SmoothedBiquad sections (see smoothed-biquad.ts for the smoothing,
 * crossfades, bypass and denormal handling).
 */
import type { DspBlock } from './block.js';
import { HIGHPASS, HIGHPASS1, HIGHSHELF, LOWPASS, LOWSHELF, PEAK, TILT } from './biquad.js';
import { BiquadCascade, type SmoothedBiquad } from './smoothed-biquad.js';

/**
 * Section Q values of the Butterworth high-pass for each slope (index into HPF_SLOPES):
 *  12 dB/oct: one biquad, Q = 1/√2;
 *  18 dB/oct: a first-order section and a biquad with Q = 1 (poles of the 3rd-order Butterworth);
 *  24 dB/oct: biquads with Q = 1/(2 cos(π/8)) and 1/(2 cos(3π/8)).
 * The first biquad (section A) exists at every slope, so a slope change glides its Q; the second
 * section (B) fades in or out, and a change of its order fades out, switches and fades in.
 */
export const HPF_Q_A: readonly number[] = [Math.SQRT1_2, 1, 1 / (2 * Math.cos(Math.PI / 8))];
export const HPF_Q_B: readonly number[] = [NaN, 1, 1 / (2 * Math.cos((3 * Math.PI) / 8))];
/** Butterworth order of each slope. */
export const HPF_ORDER: readonly number[] = [2, 3, 4];

export class HighPass implements DspBlock {
  readonly channels: number;
  readonly sampleRate: number;
  private readonly cascade: BiquadCascade;
  private readonly a: SmoothedBiquad;
  private readonly b: SmoothedBiquad;
  private on = false;
  private freq = 80;
  private slope = 2;
  private bType = HIGHPASS;
  private bQ = HPF_Q_B[2];

  constructor(channels: number, sampleRate: number) {
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.cascade = new BiquadCascade(channels, sampleRate, 2);
    this.a = this.cascade.sections[0];
    this.b = this.cascade.sections[1];
    this.apply();
    this.reset();
  }

  /**
   * `slope` indexes HPF_SLOPES (0 = 12, 1 = 18, 2 = 24 dB/oct). Called every block with the
   * current values: a comparison and return when nothing changed.
   */
  set(on: boolean, freq: number, slope: number): void {
    if (on === this.on && freq === this.freq && slope === this.slope) return;
    this.on = on;
    this.freq = freq;
    this.slope = slope;
    this.apply();
  }

  /** Magnitude (dB) at `freq` of the target setting (0 when off). */
  responseDb(freq: number): number {
    return this.a.responseDb(freq) + this.b.responseDb(freq);
  }

  process(buffers: readonly Float32Array[], frames: number): void {
    this.cascade.process(buffers, frames);
  }

  reset(): void {
    this.cascade.reset();
  }

  subnormalStates(): number {
    return this.cascade.subnormalStates();
  }

  private apply(): void {
    const s = this.slope >= 0.5 ? (this.slope >= 1.5 ? 2 : 1) : 0;
    // At 12 dB/oct section B is faded out; it keeps its last type and Q so that only the fade runs.
    if (s > 0) {
      this.bType = s === 1 ? HIGHPASS1 : HIGHPASS;
      this.bQ = HPF_Q_B[s];
    }
    this.a.set(HIGHPASS, this.freq, 0, HPF_Q_A[s]);
    this.a.setEnabled(this.on);
    this.b.set(this.bType, this.freq, 0, this.bQ);
    this.b.setEnabled(this.on && s > 0);
  }
}

/**
 * Filter type (index into FILTER_TYPES of biquad.ts) of each EQ type index: the strip's list
 * (peak, lowshelf, highshelf, lowpass, highpass) and the master EQ's, which adds tilt as index 5.
 */
export const EQ_FILTER_TYPE: readonly number[] = [PEAK, LOWSHELF, HIGHSHELF, LOWPASS, HIGHPASS, TILT];

export class Equalizer implements DspBlock {
  readonly channels: number;
  readonly sampleRate: number;
  readonly bands: number;
  private readonly cascade: BiquadCascade;
  private readonly sections: readonly SmoothedBiquad[];

  constructor(channels: number, sampleRate: number, bands = 4) {
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.bands = bands;
    // Every band starts as a 0 dB peak (an identity that does not run).
    this.cascade = new BiquadCascade(channels, sampleRate, bands);
    this.sections = this.cascade.sections;
  }

  /** Switch the whole EQ in or out (crossfaded). */
  setOn(on: boolean): void {
    for (let b = 0; b < this.bands; b++) this.sections[b].setEnabled(on);
  }

  /**
   * One band: `type` indexes the EQ type list (peak, lowshelf, highshelf, lowpass, highpass, and
   * for the master EQ tilt; see EQ_FILTER_TYPE), `band` is 0-based. A peak, shelf or tilt at 0 dB
   * costs nothing once it has settled there.
   */
  setBand(band: number, type: number, freq: number, gainDb: number, q: number): void {
    if (!(band >= 0 && band < this.bands)) throw new RangeError(`Equalizer.setBand: no band ${band}`);
    // An unknown type (or NaN) falls back to a peak.
    const i = Math.round(type);
    const t = i >= 0 && i < EQ_FILTER_TYPE.length ? EQ_FILTER_TYPE[i] : PEAK;
    this.sections[band | 0].set(t, freq, gainDb, q);
  }

  /** Total magnitude (dB) at `freq` of the target settings, for drawing the curve. */
  responseDb(freq: number): number {
    let db = 0;
    for (let b = 0; b < this.bands; b++) db += this.sections[b].responseDb(freq);
    return db;
  }

  process(buffers: readonly Float32Array[], frames: number): void {
    this.cascade.process(buffers, frames);
  }

  reset(): void {
    this.cascade.reset();
  }

  subnormalStates(): number {
    return this.cascade.subnormalStates();
  }
}
