/**
 * Gain stages with de-zippering, and the pan laws.
 *
 * A `SmoothGain` moves toward its target with a one-pole glide (time constant GAIN_SMOOTH_MS)
 * computed per sample, and snaps exactly onto the target once within 1e-6 of it, so a static
 * gain costs one multiply per sample and gives identical output for any block size.
 */
import { onePoleCoeff } from './block.js';

export const GAIN_SMOOTH_MS = 8;
const SNAP = 1e-6;

export class SmoothGain {
  current = 0;
  target = 0;
  private readonly a: number;

  constructor(sampleRate: number, initial = 0, smoothMs = GAIN_SMOOTH_MS) {
    this.a = onePoleCoeff(smoothMs, sampleRate);
    this.current = initial;
    this.target = initial;
  }

  /** Jump to a value with no glide (construction, reset). */
  jump(v: number): void {
    this.current = v;
    this.target = v;
  }

  /** True when both current and target are exactly zero: the stage can be skipped. */
  get silent(): boolean {
    return this.current === 0 && this.target === 0;
  }

  /** dst[i] = src[i] * g */
  apply(src: Float32Array, dst: Float32Array, n: number): void {
    let g = this.current;
    const t = this.target;
    if (g === t) {
      for (let i = 0; i < n; i++) dst[i] = src[i] * g;
      return;
    }
    const a = this.a;
    for (let i = 0; i < n; i++) {
      g = t + (g - t) * a;
      if (Math.abs(g - t) < SNAP) g = t;
      dst[i] = src[i] * g;
    }
    this.current = g;
  }

  /** dst[i] += src[i] * g */
  addTo(src: Float32Array, dst: Float32Array, n: number): void {
    let g = this.current;
    const t = this.target;
    if (g === t) {
      if (g === 0) return;
      for (let i = 0; i < n; i++) dst[i] += src[i] * g;
      return;
    }
    const a = this.a;
    for (let i = 0; i < n; i++) {
      g = t + (g - t) * a;
      if (Math.abs(g - t) < SNAP) g = t;
      dst[i] += src[i] * g;
    }
    this.current = g;
  }
}

/**
 * Mono pan, constant power (sine/cosine law): −3.01 dB in each side at centre, 0 dB / −∞ at the
 * extremes; L² + R² = 1 everywhere. `pan` is −100..+100. Writes [left, right] into `out`.
 */
export function panGains(pan: number, out: Float64Array): void {
  if (pan === 0) {
    out[0] = Math.SQRT1_2;
    out[1] = Math.SQRT1_2;
    return;
  }
  if (pan <= -100 || pan >= 100) {
    out[0] = pan < 0 ? 1 : 0;
    out[1] = pan < 0 ? 0 : 1;
    return;
  }
  const theta = ((pan + 100) / 200) * (Math.PI / 2);
  out[0] = Math.cos(theta);
  out[1] = Math.sin(theta);
}

/**
 * Stereo balance (stereo channels and buses): centre leaves both sides at 0 dB; turning toward
 * one side attenuates the other along the cosine law (−3.01 dB at ±50, −∞ at ±100), leaving the
 * near side at 0 dB.
 */
export function balanceGains(pan: number, out: Float64Array): void {
  const p = Math.max(-100, Math.min(100, pan)) / 100;
  out[0] = p >= 1 ? 0 : p > 0 ? Math.cos((p * Math.PI) / 2) : 1;
  out[1] = p <= -1 ? 0 : p < 0 ? Math.cos((-p * Math.PI) / 2) : 1;
}
