/**
 * Stereo width (mid/side) with bass mono, and the phase correlation meter.
 *
 * StereoWidth, with w = width/100 in 0..2:
 *
 *   M = (L + R)/2,   S = (L − R)/2
 *   S' = w·HP(S)                       HP: 2nd-order Butterworth high-pass (Q = 1/√2, RBJ
 *                                      cookbook, biquad.ts) at the bass-mono frequency; S itself
 *                                      when bass mono is off
 *   L' = M + S',     R' = M − S'
 *
 * 0 % is mono (L' = R' = M), 100 % leaves the image alone, 200 % doubles the side signal (+6.02
 * dB on a pure side signal, a pure mid signal unchanged). With bass mono the side signal below
 * the corner falls at 12 dB/oct (−3.01 dB at the corner), so the low end is mono while the
 * width above it is untouched; a 2nd-order slope keeps the phase shift it adds to S small above
 * the corner (under 10° from 2.5 octaves up).
 *
 * Computed as a correction of the input, L' = L + D and R' = R − D with D = S' − S, so that
 * 100 % without bass mono is an exact identity (D = 0), bit for bit, whatever the block size;
 * it is also skipped entirely then. At 0 %, L' = L − S and R' = R + S are both (L + R)/2.
 *
 * De-zippering, counted in samples (block-size invariant): a width change ramps linearly over
 * RAMP_MS; switching bass mono on or off crossfades S between S and HP(S) over RAMP_MS (on from
 * off starts the filter from clean state); a change of its frequency glides in the log domain
 * with a one-pole of SMOOTH_MS, redesigned every SMOOTH_STEP samples (as SmoothedBiquad does).
 * The first `set` after construction or `reset()` applies at once.
 *
 * CorrelationMeter: exponentially averaged products (one-pole, time constant τ = windowMs),
 *
 *   P_LR[n] = a·P_LR[n−1] + (1 − a)·L·R,   P_LL, P_RR alike,   a = exp(−1/(τ·fs))
 *   ρ = P_LR / √(P_LL·P_RR)  in [−1, 1]
 *
 * +1 for identical channels, −1 for inverted ones, about 0 for unrelated ones or a 90° phase
 * shift. 0 while both channels are near silence (P < SILENCE) or either is exactly silent.
 */
import { type DspBlock, flushDenormal, isSubnormal } from './block.js';
import { HIGHPASS, designBiquadFrom, newCoeffs, newDesignArgs } from './biquad.js';
import { SMOOTH_MS, SMOOTH_STEP } from './smoothed-biquad.js';

/** Width ramp and bass-mono crossfade length. */
export const RAMP_MS = 20;
export const MAX_WIDTH_PCT = 200;
/** Bass-mono corner range (0 or less switches it off). */
export const MIN_BASS_MONO_HZ = 20;
export const MAX_BASS_MONO_HZ = 1000;
const STEP_MASK = SMOOTH_STEP - 1;
const EPS_LOG = 1e-5;

export class StereoWidth implements DspBlock {
  readonly channels = 2;
  readonly sampleRate: number;

  private readonly rampLen: number;
  private readonly invRamp: number;
  private readonly glide: number;
  private readonly work = newCoeffs();
  private readonly args = newDesignArgs();

  private primed = false;
  /** True while the block is an exact identity (width 100 %, no bass mono, no ramp running). */
  private identity = true;
  private rawWidth = NaN;
  private rawBass = NaN;

  // Width: current, target, linear ramp.
  // (NaN until the constructor sets them: double fields from the start.)
  private w = NaN;
  private tw = NaN;
  private wStep = NaN;
  private wLeft = 0;

  // Bass mono: on/off target, crossfade position 0..rampLen, frequency glide, filter.
  private hpOn = false;
  private hpRunning = false;
  private mixPos = 0;
  private tLogF = Math.log(120);
  private logF = Math.log(120);
  private moving = false;
  /** Sample position modulo SMOOTH_STEP, counted over all processed samples. */
  private pos = 0;
  // (NaN until designed, so the fields hold doubles from the start.)
  private b0 = NaN;
  private a1 = NaN;
  private a2 = NaN;
  private z1 = 0;
  private z2 = 0;

  constructor(sampleRate: number) {
    if (!(sampleRate > 0)) throw new RangeError(`StereoWidth: bad sample rate ${sampleRate}`);
    this.sampleRate = sampleRate;
    this.rampLen = Math.max(1, Math.round((RAMP_MS * sampleRate) / 1000));
    this.invRamp = 1 / this.rampLen;
    this.glide = Math.exp(-(SMOOTH_STEP * 1000) / (SMOOTH_MS * sampleRate));
    this.w = 1;
    this.tw = 1;
    this.wStep = 0;
    this.design();
  }

  /** Width in percent (clamped to 0..200) and the bass-mono corner in Hz (≤ 0: off). NaN keeps the last value. */
  set(widthPct: number, bassMonoHz: number): void {
    if (this.primed && widthPct === this.rawWidth && bassMonoHz === this.rawBass) return;
    this.rawWidth = widthPct;
    this.rawBass = bassMonoHz;
    const pct = widthPct >= 0 ? (widthPct <= MAX_WIDTH_PCT ? widthPct : MAX_WIDTH_PCT) : widthPct < 0 ? 0 : this.tw * 100;
    const t = pct / 100;
    const on = bassMonoHz > 0 ? true : bassMonoHz <= 0 ? false : this.hpOn;
    if (on) {
      const f = bassMonoHz >= MIN_BASS_MONO_HZ ? (bassMonoHz <= MAX_BASS_MONO_HZ ? bassMonoHz : MAX_BASS_MONO_HZ) : MIN_BASS_MONO_HZ;
      this.tLogF = Math.log(f);
    }

    if (!this.primed) {
      this.primed = true;
      this.w = t;
      this.tw = t;
      this.wLeft = 0;
      this.hpOn = on;
      this.hpRunning = on;
      this.mixPos = on ? this.rampLen : 0;
      this.jump();
      this.identity = !this.hpRunning && this.w === 1;
      return;
    }
    if (t !== this.tw) {
      this.tw = t;
      this.wStep = (t - this.w) * this.invRamp;
      this.wLeft = this.rampLen;
    }
    if (on && !this.hpRunning) {
      // From fully off: clean state at the new frequency, faded in from S.
      this.z1 = 0;
      this.z2 = 0;
      this.mixPos = 0;
      this.hpRunning = true;
      this.jump();
    } else if (!this.hpRunning) {
      this.jump();
    } else {
      this.moving = this.logF !== this.tLogF;
    }
    this.hpOn = on;
    this.identity = !this.hpRunning && this.wLeft === 0 && this.w === 1;
  }

  process(buffers: readonly Float32Array[], frames: number): void {
    if (this.identity) {
      // Exact identity: nothing to do (the general path below would give the same samples).
      // Tested on a flag: this path has no loop, so it may run uncompiled, and reading the
      // width (a double) there would allocate.
      this.pos = (this.pos + frames) & STEP_MASK;
      return;
    }
    let pos = this.pos;
    let w = this.w;
    let wLeft = this.wLeft;
    const L = buffers[0];
    const R = buffers[1];
    const tw = this.tw;
    const wStep = this.wStep;
    const inv = this.invRamp;
    const rampLen = this.rampLen;
    const hpOn = this.hpOn;
    let running = this.hpRunning;
    let mixPos = this.mixPos;
    let b0 = this.b0, a1 = this.a1, a2 = this.a2;
    let z1 = this.z1, z2 = this.z2;
    for (let i = 0; i < frames; i++) {
      if (wLeft > 0) {
        wLeft--;
        w = wLeft === 0 ? tw : w + wStep;
      }
      const l = L[i];
      const r = R[i];
      const s = (l - r) * 0.5;
      let sp = s;
      if (running) {
        if (pos === 0 && this.moving) {
          this.step();
          b0 = this.b0;
          a1 = this.a1;
          a2 = this.a2;
        }
        // Butterworth high-pass: b = b0·(1, −2, 1).
        const u = b0 * s;
        const h = u + z1;
        z1 = flushDenormal(-(u + u) - a1 * h + z2);
        z2 = flushDenormal(u - a2 * h);
        if (hpOn) {
          if (mixPos < rampLen) mixPos++;
        } else if (mixPos > 0) mixPos--;
        sp = s + mixPos * inv * (h - s);
        if (mixPos === 0) {
          // Faded out: the filter stops, from clean state.
          running = false;
          z1 = 0;
          z2 = 0;
        }
      }
      const d = w * sp - s;
      L[i] = l + d;
      R[i] = r - d;
      pos = (pos + 1) & STEP_MASK;
    }
    this.pos = pos;
    this.w = w;
    this.wLeft = wLeft;
    this.hpRunning = running;
    this.mixPos = mixPos;
    this.z1 = z1;
    this.z2 = z2;
    this.identity = !running && wLeft === 0 && w === 1;
  }

  reset(): void {
    this.z1 = 0;
    this.z2 = 0;
    this.pos = 0;
    this.w = this.tw;
    this.wLeft = 0;
    this.hpRunning = this.hpOn;
    this.mixPos = this.hpOn ? this.rampLen : 0;
    this.jump();
    this.primed = false;
    this.identity = !this.hpRunning && this.w === 1;
  }

  subnormalStates(): number {
    return (isSubnormal(this.z1) ? 1 : 0) + (isSubnormal(this.z2) ? 1 : 0);
  }

  private step(): void {
    const d = this.logF - this.tLogF;
    if (d < EPS_LOG && d > -EPS_LOG) {
      this.logF = this.tLogF;
      this.moving = false;
    } else {
      this.logF = this.tLogF + d * this.glide;
    }
    this.design();
  }

  private jump(): void {
    this.logF = this.tLogF;
    this.moving = false;
    this.design();
  }

  private design(): void {
    const c = this.work;
    const p = this.args;
    p[0] = Math.exp(this.logF);
    p[1] = 0;
    p[2] = Math.SQRT1_2;
    designBiquadFrom(c, HIGHPASS, p, this.sampleRate);
    this.b0 = c[0];
    this.a1 = c[3];
    this.a2 = c[4];
  }
}

/** Mean-square level (per channel) under which a channel counts as silent for the meter. */
export const SILENCE = 1e-10;

export class CorrelationMeter {
  private readonly a: number;
  // (NaN until the constructor's reset: double fields from the start.)
  private lr = NaN;
  private ll = NaN;
  private rr = NaN;
  /** ρ after the last `measure` (computed there: a getter that computes may not be inlined, and its result would be boxed). */
  private rho = NaN;

  constructor(sampleRate: number, windowMs = 300) {
    if (!(sampleRate > 0) || !(windowMs > 0)) throw new RangeError(`CorrelationMeter: bad sample rate ${sampleRate} or window ${windowMs}`);
    this.a = Math.exp(-1000 / (windowMs * sampleRate));
    this.reset();
  }

  /** Add `n` samples of each channel to the averages. */
  measure(l: Float32Array, r: Float32Array, n: number): void {
    const a = this.a;
    const b = 1 - a;
    let lr = this.lr;
    let ll = this.ll;
    let rr = this.rr;
    for (let i = 0; i < n; i++) {
      const x = l[i];
      const y = r[i];
      lr = flushDenormal(a * lr + b * (x * y));
      ll = flushDenormal(a * ll + b * (x * x));
      rr = flushDenormal(a * rr + b * (y * y));
    }
    this.lr = lr;
    this.ll = ll;
    this.rr = rr;
    // ρ, with every comparison made on every call (a branch first taken after the method was
    // compiled, e.g. the first silence, would throw the compiled code away).
    const p = ll * rr;
    const quietL = ll < SILENCE;
    const quietR = rr < SILENCE;
    const live = !(quietL && quietR) && p > 0;
    const v = lr / Math.sqrt(live ? p : 1);
    this.rho = live ? Math.max(-1, Math.min(1, v)) : 0;
  }

  /** ρ in [−1, 1]; 0 while both channels are near silence or either is silent. */
  get value(): number {
    return this.rho;
  }

  reset(): void {
    this.lr = 0;
    this.ll = 0;
    this.rr = 0;
    this.rho = 0;
  }

  subnormalStates(): number {
    return (isSubnormal(this.lr) ? 1 : 0) + (isSubnormal(this.ll) ? 1 : 0) + (isSubnormal(this.rr) ? 1 : 0);
  }
}
