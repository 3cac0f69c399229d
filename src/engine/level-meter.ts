/**
 * Level metering for one stereo (or mono) point: sample peak with a falling release and a peak
 * hold, and RMS, written in dBFS into the meter snapshot (src/model/meters.ts field order).
 *
 * Ballistics: peak rises instantly and falls at PEAK_FALL_DB_PER_S (20 dB in 1.7 s, the return
 * time of IEC 60268-18 digital peak meters); the hold keeps the highest peak for HOLD_S, then
 * follows the falling peak. RMS is the square root of the mean square averaged with a 300 ms
 * exponential window. A sine of peak 1 reads 0 dBFS peak and −3.01 dBFS RMS.
 * Metering is per block (it is read at 30-60 Hz), so it costs one pass over the block.
 */

export const PEAK_FALL_DB_PER_S = 20 / 1.7;
export const HOLD_S = 2;
export const RMS_WINDOW_S = 0.3;

export class LevelMeter {
  private readonly peak = new Float64Array(2);
  private readonly hold = new Float64Array(2);
  private readonly holdLeft = new Float64Array(2);
  private readonly ms = new Float64Array(2);

  // Per-block ballistics factors for the last block length (a pow and an exp per block saved).
  private factorsN = -1;
  private fall = 1;
  private rmsA = 1;

  constructor(private readonly sampleRate: number) {}

  reset(): void {
    this.peak.fill(0);
    this.hold.fill(0);
    this.holdLeft.fill(0);
    this.ms.fill(0);
  }

  /**
   * Measure `n` samples of L and R and write 6 fields at `offset`. Pass the same array twice for
   * a mono point: it is then scanned once.
   */
  measure(left: Float32Array, right: Float32Array, n: number, out: Float32Array, offset: number): void {
    if (n !== this.factorsN) {
      this.factorsN = n;
      this.fall = Math.pow(10, (-PEAK_FALL_DB_PER_S * n) / this.sampleRate / 20);
      this.rmsA = Math.exp(-n / (RMS_WINDOW_S * this.sampleRate));
    }
    const fall = this.fall;
    const rmsA = this.rmsA;
    const peak = this.peak;
    const hold = this.hold;
    const holdLeft = this.holdLeft;
    const ms = this.ms;
    const holdLen = HOLD_S * this.sampleRate;
    const channels = left === right ? 1 : 2;
    for (let c = 0; c < channels; c++) {
      const x = c === 0 ? left : right;
      let pk = 0;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const v = x[i];
        pk = Math.max(pk, Math.abs(v)); // branch-free: a data-dependent branch mispredicts
        sum += v * v;
      }
      // Written out rather than in a helper: numbers passed to a call that is not inlined are
      // boxed, and metering runs for every strip on every block.
      const p = pk > peak[c] * fall ? pk : peak[c] * fall;
      peak[c] = p + 1e-30 - 1e-30; // flushDenormal, inline
      // The hold, without branches: a path first taken after the method was compiled (the
      // hold expires after HOLD_S) would throw the compiled code away.
      const h = hold[c];
      const rise = p >= h;
      const holdFor = rise ? holdLen : holdLeft[c] - n;
      holdLeft[c] = holdFor;
      hold[c] = rise || holdFor <= 0 ? p : h;
      const mean = n > 0 ? sum / n : 0;
      ms[c] = mean + (ms[c] - mean) * rmsA + 1e-30 - 1e-30; // flushDenormal, inline
    }
    if (channels === 1) this.copyLeft();
    // dB conversions written inline: a returned number from a call that is not inlined is boxed.
    const floor = -120; // METER_FLOOR_DB as a literal: a module binding here would make the result a boxed number
    for (let c = 0; c < channels; c++) {
      const pk = this.peak[c];
      const hd = this.hold[c];
      const rms = Math.sqrt(this.ms[c]);
      out[offset + c] = pk > 1e-6 ? 20 * Math.log10(pk) : floor;
      out[offset + 2 + c] = hd > 1e-6 ? 20 * Math.log10(hd) : floor;
      out[offset + 4 + c] = rms > 1e-6 ? 20 * Math.log10(rms) : floor;
    }
    if (channels === 1) {
      // Mono: the right fields equal the left ones; copy rather than take three more logs.
      out[offset + 1] = out[offset];
      out[offset + 3] = out[offset + 2];
      out[offset + 5] = out[offset + 4];
    }
  }

  private copyLeft(): void {
    this.peak[1] = this.peak[0];
    this.hold[1] = this.hold[0];
    this.holdLeft[1] = this.holdLeft[0];
    this.ms[1] = this.ms[0];
  }
}
