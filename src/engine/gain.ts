/**
 * Gain stages with de-zippering, and the pan laws.
 *
 * A `SmoothGain` moves toward its target with a one-pole glide (time constant GAIN_SMOOTH_MS)
 * computed per sample, and snaps exactly onto the target once within 1e-6 of it, so a static
 * gain costs one multiply per sample and gives identical output for any block size.
 */
import { dbToGain } from '../model/tapers.js';
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
 * dst0[i] += src[i]·g0 and dst1[i] += src[i]·g1 in one pass: a mono source into a stereo bus
 * (one load per sample instead of two). Same arithmetic as two `addTo` calls.
 */
export function addMonoToStereo(src: Float32Array, g0: SmoothGain, dst0: Float32Array, g1: SmoothGain, dst1: Float32Array, n: number): void {
  if (g0.current !== g0.target || g1.current !== g1.target) {
    g0.addTo(src, dst0, n);
    g1.addTo(src, dst1, n);
    return;
  }
  const a = g0.current;
  const b = g1.current;
  if (a === 0 && b === 0) return;
  for (let i = 0; i < n; i++) {
    const x = src[i];
    dst0[i] += x * a;
    dst1[i] += x * b;
  }
}

/** dB to gain through a one-entry cache: the conversion is redone only when the value moves. */
export class DbGain {
  private db = Number.NaN;
  private gain = 0;
  of(db: number): number {
    if (db !== this.db) {
      this.db = db;
      this.gain = dbToGain(db);
    }
    return this.gain;
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
