/**
 * Stereo delay for an FX bus: writes the 100 % wet signal in place.
 *
 * Topology (per channel, one shared coefficient set):
 *
 *   tap  = crossfaded read of the delay line at the current time
 *   t    = highcut(tap)             12 dB/oct Butterworth low-pass (RBJ, Q = 1/sqrt 2)
 *   out  = t
 *   line <- in-matrix * (xL, xR) + feedback-matrix * (tL, tR)
 *
 * Because the high-cut sits after the read, it filters the output and, through the feedback
 * matrix, every further repeat: echo n has passed the filter n times and carries
 * feedback^(n-1). Normal mode uses identity matrices (in = I, feedback = fb * I). Ping-pong sums
 * the input to mono ((L + R) / 2, so a centred source keeps its level) into the left line only,
 * and cross-couples the feedback (L -> R and R -> L, each with gain fb): the first echo is on the
 * left, the second on the right, and so on.
 *
 * Delay times are whole samples (round(timeMs * fs / 1000), at least one sample): an echo lands
 * exactly on its sample, with no interpolation filter colouring it. Time changes crossfade
 * between two taps over 50 ms (the old tap fades out, the new one fades in along a smoothstep
 * curve; the weights sum to 1) rather than slewing the read position: no pitch glide, and a
 * steady tone keeps its frequency (its level can dip while two phases mix, never rise). A change
 * that arrives during a fade waits for that fade to finish and then fades to the newest time, so
 * a turning knob gives a chain of clean fades.
 *
 * Feedback, routing (ping-pong on/off) and the high-cut coefficients move by linear ramps over
 * 20 ms, counted in samples so output does not depend on the block size. The ramped biquad
 * coefficients stay stable because the stability region of (a1, a2) is convex, and every
 * intermediate low-pass keeps unity DC gain.
 */
import { DELAY_DIVISION_BEATS } from '../model/params.js';
import { designBiquad, LOWPASS, newCoeffs } from './biquad.js';
import { countSubnormals, MIN_NORMAL, type DspBlock } from './block.js';

/** Crossfade time for delay-time changes. */
const FADE_MS = 50;
/** Ramp time for feedback, routing and high-cut changes. */
const RAMP_MS = 20;

const MIN_TIME_MS = 1;
const MAX_SYNC_MS = 2000;

/**
 * Recursive values below this magnitude (-400 dBFS) become exact zeros: line samples one by one,
 * the two filter states together. The shared denormal guard alone rounds to a grid of about
 * 1e-46, and with 95 % feedback and a unity-gain low-pass in the loop that rounding sustains a
 * limit cycle near 3e-44 forever: a tail that never ends, and output samples that are subnormal
 * as 32-bit floats. Cutting at 1e-20 lets every tail die into true silence (and, being far above
 * the subnormal range, does the denormal guard's job too).
 */
const SETTLE = 1e-20;

function settle(x: number): number {
  return Math.abs(x) < SETTLE ? 0 : x;
}

// Indices of the ramped values in `cur` / `inc` / `tgt`.
const B0 = 0;
const B1 = 1;
const B2 = 2;
const A1 = 3;
const A2 = 4;
const ILL = 5; // input L -> line L
const ILR = 6; // input R -> line L
const IRL = 7; // input L -> line R
const IRR = 8; // input R -> line R
const FLL = 9; // tap L -> line L
const FLR = 10; // tap R -> line L
const FRL = 11; // tap L -> line R
const FRR = 12; // tap R -> line R
const NRAMP = 13;

/**
 * The delay time for the current settings: `timeMs` as given when not synced; otherwise the
 * division's length at `tempoBpm` (a quarter note is 60000 / bpm ms), clamped to 1..2000 ms.
 * `division` indexes DELAY_DIVISIONS / DELAY_DIVISION_BEATS (rounded and clamped to the list).
 */
export function delayTimeMs(sync: boolean, timeMs: number, tempoBpm: number, division: number): number {
  if (!sync) return timeMs;
  const last = DELAY_DIVISION_BEATS.length - 1;
  const d = Math.min(Math.max(Math.round(Number.isFinite(division) ? division : 0), 0), last);
  const bpm = tempoBpm > 0 && Number.isFinite(tempoBpm) ? tempoBpm : 120;
  const ms = (60000 / bpm) * DELAY_DIVISION_BEATS[d];
  return Math.min(Math.max(ms, MIN_TIME_MS), MAX_SYNC_MS);
}

export class StereoDelay implements DspBlock {
  readonly channels = 2;
  private readonly sampleRate: number;
  private readonly maxDelay: number; // samples
  private readonly size: number; // line length (maxDelay + 1)
  private readonly lineL: Float64Array;
  private readonly lineR: Float64Array;
  private pos = 0;
  /** Samples written since the last subnormalStates() scan. */
  private unscanned = 0;

  // Taps: `tapA` is the current delay, `tapB` the one being faded in.
  private tapA = 1;
  private tapB = 1;
  private target = 1;
  private fade = 0; // weight of tapB, 0..1
  private fadeLeft = 0; // samples left in the running fade (0 = none)
  private readonly fadeLen: number;
  private readonly fadeInc: number;

  // Biquad state (transposed direct form II), per channel.
  private sL1 = 0;
  private sL2 = 0;
  private sR1 = 0;
  private sR2 = 0;

  private readonly cur = new Float64Array(NRAMP);
  private readonly inc = new Float64Array(NRAMP);
  private readonly tgt = new Float64Array(NRAMP);
  private rampLeft = 0;
  private readonly rampLen: number;
  private readonly coeffs = newCoeffs();

  // Last values passed to set(), to make repeated calls cheap.
  private lastTime = NaN;
  private lastFeedback = NaN;
  private lastHighcut = NaN;
  private lastPingpong = false;
  /** True until the first set() after construction or reset: that call applies at once. */
  private fresh = true;

  constructor(sampleRate: number, maxMs = 2000) {
    this.sampleRate = sampleRate;
    this.maxDelay = Math.max(1, Math.ceil((maxMs * sampleRate) / 1000));
    this.size = this.maxDelay + 1;
    this.lineL = new Float64Array(this.size);
    this.lineR = new Float64Array(this.size);
    this.fadeLen = Math.max(1, Math.round((FADE_MS * sampleRate) / 1000));
    this.fadeInc = 1 / this.fadeLen;
    this.rampLen = Math.max(1, Math.round((RAMP_MS * sampleRate) / 1000));
    // Parameter defaults of the model (375 ms, 35 %, 6 kHz, ping-pong off).
    this.set(375, 35, 6000, false);
    this.fresh = true;
  }

  /**
   * Current settings; called every block. Cheap when nothing changed. `timeMs` is clamped to
   * one sample .. maxMs, `feedbackPct` to 0..95, `highcutHz` to 1000..20000 (and 0.49 fs).
   */
  set(timeMs: number, feedbackPct: number, highcutHz: number, pingpong: boolean): void {
    if (timeMs !== this.lastTime) {
      this.lastTime = timeMs;
      const t = Number.isFinite(timeMs) ? timeMs : 1;
      this.target = Math.min(Math.max(Math.round((t * this.sampleRate) / 1000), 1), this.maxDelay);
      if (this.fresh) {
        this.tapA = this.tapB = this.target;
        this.fade = 0;
        this.fadeLeft = 0;
      }
    }
    if (feedbackPct === this.lastFeedback && highcutHz === this.lastHighcut && pingpong === this.lastPingpong && !this.fresh) {
      return;
    }
    this.lastFeedback = feedbackPct;
    this.lastHighcut = highcutHz;
    this.lastPingpong = pingpong;

    const fb = Math.min(Math.max(Number.isFinite(feedbackPct) ? feedbackPct : 0, 0), 95) / 100;
    // Below 0.49 fs the prewarped design stays well conditioned (matters only under 41 kHz).
    const hc = Math.min(Math.max(Number.isFinite(highcutHz) ? highcutHz : 20000, 1000), 20000, 0.49 * this.sampleRate);
    const tg = this.tgt;
    designBiquad(this.coeffs, LOWPASS, hc, 0, Math.SQRT1_2, this.sampleRate);
    for (let k = 0; k < 5; k++) tg[k] = this.coeffs[k];
    if (pingpong) {
      tg[ILL] = 0.5;
      tg[ILR] = 0.5;
      tg[IRL] = 0;
      tg[IRR] = 0;
      tg[FLL] = 0;
      tg[FLR] = fb;
      tg[FRL] = fb;
      tg[FRR] = 0;
    } else {
      tg[ILL] = 1;
      tg[ILR] = 0;
      tg[IRL] = 0;
      tg[IRR] = 1;
      tg[FLL] = fb;
      tg[FLR] = 0;
      tg[FRL] = 0;
      tg[FRR] = fb;
    }
    if (this.fresh) {
      this.cur.set(tg);
      this.inc.fill(0);
      this.rampLeft = 0;
      this.fresh = false;
    } else {
      for (let k = 0; k < NRAMP; k++) this.inc[k] = (tg[k] - this.cur[k]) / this.rampLen;
      this.rampLeft = this.rampLen;
    }
  }

  process(buffers: readonly Float32Array[], frames: number): void {
    const bl = buffers[0];
    const br = buffers[1];
    this.unscanned += frames;
    let i = 0;
    while (i < frames) {
      let n = frames - i;
      const ramping = this.rampLeft > 0;
      if (ramping && this.rampLeft < n) n = this.rampLeft;
      this.run(bl, br, i, i + n, ramping);
      if (ramping) {
        this.rampLeft -= n;
        if (this.rampLeft === 0) {
          // Land exactly on the targets (the running sums carry rounding).
          this.cur.set(this.tgt);
          this.inc.fill(0);
        }
      }
      i += n;
    }
  }

  private run(bl: Float32Array, br: Float32Array, start: number, end: number, ramping: boolean): void {
    const lineL = this.lineL;
    const lineR = this.lineR;
    const size = this.size;
    const c = this.cur;
    const d = this.inc;
    let b0 = c[B0], b1 = c[B1], b2 = c[B2], a1 = c[A1], a2 = c[A2];
    let iLL = c[ILL], iLR = c[ILR], iRL = c[IRL], iRR = c[IRR];
    let fLL = c[FLL], fLR = c[FLR], fRL = c[FRL], fRR = c[FRR];
    let sL1 = this.sL1, sL2 = this.sL2, sR1 = this.sR1, sR2 = this.sR2;
    let pos = this.pos;
    let tapA = this.tapA;
    let tapB = this.tapB;
    let fade = this.fade;
    let fadeLeft = this.fadeLeft;
    const target = this.target;
    const fadeLen = this.fadeLen;
    const fadeInc = this.fadeInc;

    for (let n = start; n < end; n++) {
      if (fadeLeft === 0 && tapA !== target) {
        tapB = target;
        fade = 0;
        fadeLeft = fadeLen;
      }
      let ra = pos - tapA;
      if (ra < 0) ra += size;
      let yL = lineL[ra];
      let yR = lineR[ra];
      if (fadeLeft > 0) {
        let rb = pos - tapB;
        if (rb < 0) rb += size;
        fade += fadeInc;
        const w = fade * fade * (3 - 2 * fade); // smoothstep: no corner at either end
        yL += w * (lineL[rb] - yL);
        yR += w * (lineR[rb] - yR);
        if (--fadeLeft === 0) {
          tapA = tapB;
          fade = 0;
        }
      }
      // High-cut, transposed direct form II. The two states settle together: zeroing one while
      // the other lives could undo a cancellation between them and feed the loop.
      const tL = b0 * yL + sL1;
      sL1 = b1 * yL - a1 * tL + sL2;
      sL2 = b2 * yL - a2 * tL;
      if (Math.abs(sL1) + Math.abs(sL2) < SETTLE) sL1 = sL2 = 0;
      const tR = b0 * yR + sR1;
      sR1 = b1 * yR - a1 * tR + sR2;
      sR2 = b2 * yR - a2 * tR;
      if (Math.abs(sR1) + Math.abs(sR2) < SETTLE) sR1 = sR2 = 0;

      const xL = bl[n];
      const xR = br[n];
      lineL[pos] = settle(iLL * xL + iLR * xR + fLL * tL + fLR * tR);
      lineR[pos] = settle(iRL * xL + iRR * xR + fRL * tL + fRR * tR);
      if (++pos === size) pos = 0;
      bl[n] = tL;
      br[n] = tR;

      if (ramping) {
        b0 += d[B0];
        b1 += d[B1];
        b2 += d[B2];
        a1 += d[A1];
        a2 += d[A2];
        iLL += d[ILL];
        iLR += d[ILR];
        iRL += d[IRL];
        iRR += d[IRR];
        fLL += d[FLL];
        fLR += d[FLR];
        fRL += d[FRL];
        fRR += d[FRR];
      }
    }

    if (ramping) {
      c[B0] = b0;
      c[B1] = b1;
      c[B2] = b2;
      c[A1] = a1;
      c[A2] = a2;
      c[ILL] = iLL;
      c[ILR] = iLR;
      c[IRL] = iRL;
      c[IRR] = iRR;
      c[FLL] = fLL;
      c[FLR] = fLR;
      c[FRL] = fRL;
      c[FRR] = fRR;
    }
    this.sL1 = sL1;
    this.sL2 = sL2;
    this.sR1 = sR1;
    this.sR2 = sR2;
    this.pos = pos;
    this.tapA = tapA;
    this.tapB = tapB;
    this.fade = fade;
    this.fadeLeft = fadeLeft;
  }

  reset(): void {
    this.lineL.fill(0);
    this.lineR.fill(0);
    this.pos = 0;
    this.unscanned = 0;
    this.sL1 = this.sL2 = this.sR1 = this.sR2 = 0;
    // Finish any fade or ramp at once: with empty lines there is nothing to click.
    this.tapA = this.tapB = this.target;
    this.fade = 0;
    this.fadeLeft = 0;
    this.cur.set(this.tgt);
    this.inc.fill(0);
    this.rampLeft = 0;
    this.fresh = true;
  }

  /**
   * Subnormal values in the filter state and among the line samples written since the previous
   * call. A stored sample never changes until it is overwritten, so checking each one once, when
   * new, covers the lines without rescanning their whole length every block.
   */
  subnormalStates(): number {
    const n = Math.min(this.unscanned, this.size);
    this.unscanned = 0;
    return (
      countSubnormals(this.sL1, this.sL2, this.sR1, this.sR2) +
      recentSubnormals(this.lineL, this.pos, n) +
      recentSubnormals(this.lineR, this.pos, n)
    );
  }
}

/** Subnormal values among the `n` samples written last into circular `line` (next write at `pos`). */
function recentSubnormals(line: Float64Array, pos: number, n: number): number {
  let count = 0;
  let j = pos;
  for (let k = 0; k < n; k++) {
    if (--j < 0) j = line.length - 1;
    const v = line[j];
    if (v !== 0 && v < MIN_NORMAL && v > -MIN_NORMAL) count++;
  }
  return count;
}
