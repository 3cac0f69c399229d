/**
 * Three-band compressor for the master bus (stereo, detection linked across the two channels
 * within each band):
 *
 *   x → ThreeBandSplit(f1, f2) → low, mid, high        Linkwitz-Riley 4th order (crossover.ts)
 *   low' = C_low(low), mid' = C_mid(mid), high' = C_high(high)
 *                                                      feed-forward compressors (compressor.ts:
 *                                                      Giannoulis et al., soft knee, makeup)
 *   y = low' + mid' + high'
 *
 * With every band at unity (ratio 1, or the signal below the knee, makeup 0), y is the allpass
 * AP2(f1)·AP2(f2)·x: a flat magnitude with the crossover's phase. Each band's compressor reads
 * only its band, so a band's gain change leaves the other bands alone apart from the crossover
 * leakage (an LR4 band is 24 dB/oct outside its range).
 *
 * Off is an exact bypass: y = x bit for bit, nothing runs. Switching on or off crossfades
 * linearly between x and y over FADE_MS, counted in samples (the result does not depend on the
 * block size); switching on from full bypass starts the crossover and the detectors afresh. The
 * first `setOn` after construction or `reset()` applies at once. A band switched off passes its
 * band signal unchanged (crossfaded by its compressor), so the sum stays flat.
 *
 * The band signals live in buffers of `maxBlock` frames allocated once; a longer block is
 * processed in pieces of `maxBlock`, which gives the same output (every part is sample-exact).
 */
import type { DspBlock } from './block.js';
import { Compressor } from './compressor.js';
import { ThreeBandSplit } from './crossover.js';

/** On/off crossfade length. */
export const FADE_MS = 10;
export const BANDS = 3;

export class MultibandCompressor implements DspBlock {
  readonly channels = 2;
  /** Largest gain reduction (dB, ≥ 0, makeup not included) of each band during the last `process`. */
  readonly gainReductionDb = new Float64Array(BANDS);
  readonly sampleRate: number;
  readonly maxBlock: number;

  private readonly split: ThreeBandSplit;
  private readonly comps: readonly Compressor[];
  private readonly low: readonly Float32Array[];
  private readonly mid: readonly Float32Array[];
  private readonly high: readonly Float32Array[];
  private readonly fadeLen: number;
  private on = false;
  private primed = false;
  /** Crossfade position in samples: 0 = bypassed, fadeLen = fully on. */
  private fadePos = 0;

  constructor(sampleRate: number, maxBlock: number) {
    if (!(sampleRate > 0)) throw new RangeError(`MultibandCompressor: bad sample rate ${sampleRate}`);
    if (!(maxBlock >= 1)) throw new RangeError(`MultibandCompressor: bad block size ${maxBlock}`);
    this.sampleRate = sampleRate;
    this.maxBlock = Math.floor(maxBlock);
    this.split = new ThreeBandSplit(2, sampleRate);
    const comps: Compressor[] = [];
    for (let b = 0; b < BANDS; b++) {
      const c = new Compressor(2, sampleRate);
      // Unity until set (on, ratio 1); reset so that the first real `setBand` applies at once.
      c.set(true, 0, 1, 6, 10, 100, 0, false, 100);
      c.reset();
      comps.push(c);
    }
    this.comps = comps;
    const pair = (): Float32Array[] => [new Float32Array(this.maxBlock), new Float32Array(this.maxBlock)];
    this.low = pair();
    this.mid = pair();
    this.high = pair();
    this.fadeLen = Math.max(1, Math.round((FADE_MS * sampleRate) / 1000));
  }

  /** Switch the whole block in or out (crossfaded; off = exact bypass). */
  setOn(on: boolean): void {
    if (!this.primed) {
      this.primed = true;
      this.on = on;
      this.fadePos = on ? this.fadeLen : 0;
      return;
    }
    if (on === this.on) return;
    // From full bypass: the crossover and detector states are stale; start afresh.
    if (on && this.fadePos === 0) this.clearState();
    this.on = on;
  }

  /** Crossover frequencies (Hz); clamped and glided by ThreeBandSplit. */
  setCrossovers(f1Hz: number, f2Hz: number): void {
    this.split.setFrequencies(f1Hz, f2Hz);
  }

  /** One band (0 = low, 1 = mid, 2 = high): the compressor's settings (compressor.ts). */
  setBand(band: number, on: boolean, thresholdDb: number, ratio: number, kneeDb: number, attackMs: number, releaseMs: number, makeupDb: number): void {
    if (!(band >= 0 && band < BANDS)) throw new RangeError(`MultibandCompressor.setBand: no band ${band}`);
    this.comps[band | 0].set(on, thresholdDb, ratio, kneeDb, attackMs, releaseMs, makeupDb, false, 100);
  }

  process(buffers: readonly Float32Array[], frames: number): void {
    const gr = this.gainReductionDb;
    if (!this.on && this.fadePos === 0) {
      gr[0] = 0;
      gr[1] = 0;
      gr[2] = 0;
      return;
    }
    const c0 = this.comps[0];
    const c1 = this.comps[1];
    const c2 = this.comps[2];
    let g0 = 0;
    let g1 = 0;
    let g2 = 0;
    let done = 0;
    while (done < frames) {
      const n = frames - done < this.maxBlock ? frames - done : this.maxBlock;
      this.split.split(buffers, this.low, this.mid, this.high, n, done);
      c0.process(this.low, n);
      c1.process(this.mid, n);
      c2.process(this.high, n);
      if (c0.gainReductionDb > g0) g0 = c0.gainReductionDb;
      if (c1.gainReductionDb > g1) g1 = c1.gainReductionDb;
      if (c2.gainReductionDb > g2) g2 = c2.gainReductionDb;
      this.mix(buffers, done, n);
      done += n;
    }
    gr[0] = g0;
    gr[1] = g1;
    gr[2] = g2;
  }

  reset(): void {
    this.clearState();
    this.fadePos = this.on ? this.fadeLen : 0;
    this.primed = false;
    this.gainReductionDb.fill(0);
  }

  subnormalStates(): number {
    return this.split.subnormalStates() + this.comps[0].subnormalStates() + this.comps[1].subnormalStates() + this.comps[2].subnormalStates();
  }

  /** buffers[c][offset + i] = low + mid + high (crossfaded with the dry input while switching). */
  private mix(buffers: readonly Float32Array[], offset: number, n: number): void {
    const fadeLen = this.fadeLen;
    const on = this.on;
    let start = 0;
    if (!on || this.fadePos !== fadeLen) {
      // Fading: in for at most the rest of the fade (then the plain sum below, so a fade that ends
      // inside a block gives exactly what the next block would); out to the end of the block (at
      // position 0 the formula gives x exactly).
      const len = on ? Math.min(n, fadeLen - this.fadePos) : n;
      const step = on ? 1 : -1;
      const inv = 1 / fadeLen;
      let k = this.fadePos;
      for (let c = 0; c < 2; c++) {
        const out = buffers[c];
        const lo = this.low[c];
        const mi = this.mid[c];
        const hi = this.high[c];
        k = this.fadePos;
        for (let i = 0; i < len; i++) {
          k = Math.max(k + step, 0);
          const x = out[offset + i];
          out[offset + i] = x + k * inv * (lo[i] + mi[i] + hi[i] - x);
        }
      }
      this.fadePos = k;
      if (!on) return;
      start = len;
    }
    for (let c = 0; c < 2; c++) {
      const out = buffers[c];
      const lo = this.low[c];
      const mi = this.mid[c];
      const hi = this.high[c];
      for (let i = start; i < n; i++) out[offset + i] = lo[i] + mi[i] + hi[i];
    }
  }

  private clearState(): void {
    this.split.reset();
    for (let b = 0; b < BANDS; b++) this.comps[b].reset();
  }
}
