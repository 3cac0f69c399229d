/**
 * Stereo algorithmic reverb for an FX bus: writes the 100 % wet signal in place.
 *
 * Signal path:
 *
 *   L, R -> pre-delay (two lines, 0..200 ms)
 *        -> input diffusion: four Schroeder all-passes per side, different lengths per side
 *        -> 8-line feedback delay network (FDN)
 *        -> two orthogonal output taps -> L, R
 *
 * The FDN. Eight delay lines with lengths 29..82 ms (a geometric spread) scaled to the sample
 * rate and moved to distinct primes, so the lengths are mutually prime and their echo patterns
 * never line up. Each line's output passes its loss filter, the eight results are mixed by the
 * 8x8 Hadamard matrix (orthogonal, so lossless: all decay comes from the loss filters; applied as
 * a fast transform of 24 additions, its 1/sqrt 8 folded into the filters), and the mixed values
 * plus the injected input are written back. With loss gain g_i = 10^(-3 d_i / (RT60 fs)) on a
 * line of d_i samples, every path through the network loses 60 dB in RT60 seconds whatever the
 * lines it visits (the poles all lie on one radius), so the broadband decay time is `decayS`.
 *
 * Damping. The loss filter of each line is g_i times a first-order high shelf (bilinear,
 * prewarped at 4 kHz): unity at DC, r_i = g_i^(1/a - 1) at Nyquist and sqrt(r_i) at 4 kHz, where
 * a = 1 - 0.8 * damping/100 is the ratio of the high-frequency decay time to the low-frequency
 * one. So every line gives the same decay time at DC (RT60), at 4 kHz (harmonic mean of RT60 and
 * a*RT60) and at Nyquist (a*RT60): damping 0 is flat (pole and zero cancel), damping
 * 100 makes the top octaves die five times faster.
 *
 * Stereo. The left diffused input is injected into all eight lines with the sign vector
 * SIGN_L = [+ - + + - - + -] / sqrt 8, the right with SIGN_R = [+ + - + + - - -] / sqrt 8
 * (orthogonal to it, and neither a Hadamard row, so one pass of the matrix spreads each over
 * four lines). Each output is the projection of the mixed line values onto its side's vector,
 * plus that side's diffused input at 1/sqrt 8 (see DIRECT_GAIN). The two tails are orthogonal
 * combinations of the same lines: decorrelated, with equal energy for a centred source. A
 * hard-panned source stays about 3 dB toward its side, tail included: the network is reciprocal
 * (symmetric matrix, the same vector in and out), so in the late field each path and its reverse
 * add coherently on the output that matches the input, as in a diffuse room.
 *
 * Timing. The diffused input reaches the outputs without passing a line, and every all-pass has
 * a direct path, so the first output sample after an impulse comes exactly
 * round(predelay * fs / 1000) samples later (zero offset), followed at once by the diffused
 * build-up; the first returns from the lines follow 29 ms later.
 *
 * Short decays. The diffusers have their own short ring (about 0.1-0.2 s to -60 dB), so set
 * decay times below about 0.4 s come out somewhat longer than set (0.2 s measures about 0.25 s).
 *
 * Changes. Decay and damping ramp the 24 loss-filter coefficients linearly over 50 ms. Every
 * intermediate filter is a stable first-order section whose gain never exceeds the larger of the
 * two end gains (its DC and Nyquist gains are mediants of the two ends'), so the network stays
 * stable while it moves. A pre-delay change crossfades between the old and the new read tap
 * over 50 ms along a smoothstep curve (no pitch sweep, no click). All ramps count samples, so
 * output does not depend on the block size. All memory is allocated in the constructor, for the
 * longest pre-delay.
 */
import { countSubnormals, MIN_NORMAL, type DspBlock } from './block.js';

const N = 8;
/** FDN line lengths at any sample rate, before moving to primes. */
const LINE_MS = [29.0, 33.7, 39.1, 45.4, 52.7, 61.2, 71.0, 82.4];
/** Input diffusers: four per side, lengths and all-pass gains. */
const DIFF_MS_L = [4.77, 3.59, 12.73, 9.3];
const DIFF_MS_R = [5.03, 3.31, 12.21, 8.71];
const DIFF_GAIN = [0.75, 0.75, 0.625, 0.625];
/** Output level: about unity energy gain at the default 1.8 s decay. */
const OUTPUT_GAIN = 1.18;
/**
 * Weight of the diffused input in the outputs, relative to the full projection (1). The tail
 * reaches an output through a fixed projection of the eight lines, which carries about 1/8 of
 * their energy; 1/sqrt 8 gives the onset the same density of energy as the tail that follows,
 * instead of a diffused slap louder than the reverb.
 */
const DIRECT_GAIN = 1 / Math.sqrt(8);
const SHELF_HZ = 4000;
/**
 * Recursive values (delay-memory samples, loss-filter states) below this magnitude (-400 dBFS)
 * become exact zeros. The shared denormal guard alone rounds to a grid of about 1e-46, and a
 * nearly lossless loop or a loss filter with its pole near z = 1 can sustain a rounding limit
 * cycle on that grid: a tail that never ends, and output samples that are subnormal as 32-bit
 * floats. Cutting at 1e-20 lets every tail die into true silence (and, being far above the
 * subnormal range, does the denormal guard's job too).
 */
const SETTLE = 1e-20;
const MAX_PREDELAY_MS = 200;
const RAMP_MS = 50;
const FADE_MS = 50;

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let k = 2; k * k <= n; k++) if (n % k === 0) return false;
  return true;
}

/** Delay lengths in samples: distinct primes near the given times (hence mutually prime). */
function primeLengths(ms: readonly number[], sampleRate: number, taken: Set<number>): number[] {
  return ms.map((t) => {
    let n = Math.max(2, Math.round((t * sampleRate) / 1000));
    while (!isPrime(n) || taken.has(n)) n++;
    taken.add(n);
    return n;
  });
}

export class Reverb implements DspBlock {
  readonly channels = 2;
  private readonly sampleRate: number;

  /**
   * One block of memory: eight FDN lines, then eight diffusers, each in a power-of-two region
   * so one shared write counter and a mask address them all (no per-line index bookkeeping).
   */
  private readonly mem: Float64Array;
  /** Per line/diffuser: start of its region in `mem` and its delay in samples. */
  private readonly off: Int32Array;
  private readonly len: Int32Array;
  private readonly lineMask: number;
  private readonly diffMask: number;
  /** Write counter, wrapping at the (larger) line region size. */
  private wpos = 0;

  // Loss filters: y = b0 x + s; s = b1 x - a1 y (transposed direct form II).
  private readonly b0 = new Float64Array(N);
  private readonly b1 = new Float64Array(N);
  private readonly a1 = new Float64Array(N);
  private readonly st = new Float64Array(N);
  private readonly tgt = new Float64Array(3 * N);
  private readonly inc = new Float64Array(3 * N);
  private rampLeft = 0;
  private readonly rampLen: number;

  // Pre-delay: two lines, write first and then read, so a delay of 0 passes straight through.
  private readonly preL: Float64Array;
  private readonly preR: Float64Array;
  private readonly preSize: number;
  private prePos = 0;
  private tapA = 0;
  private tapB = 0;
  private preTarget = 0;
  private fade = 0;
  private fadeLeft = 0;
  private readonly fadeLen: number;
  private readonly fadeInc: number;

  /** Samples processed since the last subnormalStates() scan of the memories. */
  private unscanned = 0;

  private lastDecay = NaN;
  private lastDamping = NaN;
  private lastPredelay = NaN;
  /** True until the first set() after construction or reset: that call applies at once. */
  private fresh = true;

  constructor(sampleRate: number) {
    this.sampleRate = sampleRate;
    const taken = new Set<number>();
    const lens = [
      ...primeLengths(LINE_MS, sampleRate, taken),
      ...primeLengths(DIFF_MS_L, sampleRate, taken),
      ...primeLengths(DIFF_MS_R, sampleRate, taken),
    ];
    this.len = Int32Array.from(lens);
    const pow2 = (n: number): number => 2 ** Math.ceil(Math.log2(n + 1));
    const lineSize = pow2(Math.max(...lens.slice(0, N)));
    const diffSize = pow2(Math.max(...lens.slice(N)));
    this.lineMask = lineSize - 1;
    this.diffMask = diffSize - 1;
    this.off = Int32Array.from(lens, (_, i) => (i < N ? i * lineSize : N * lineSize + (i - N) * diffSize));
    this.mem = new Float64Array(N * lineSize + N * diffSize);
    this.preSize = Math.ceil((MAX_PREDELAY_MS * sampleRate) / 1000) + 1;
    this.preL = new Float64Array(this.preSize);
    this.preR = new Float64Array(this.preSize);
    this.rampLen = Math.max(1, Math.round((RAMP_MS * sampleRate) / 1000));
    this.fadeLen = Math.max(1, Math.round((FADE_MS * sampleRate) / 1000));
    this.fadeInc = 1 / this.fadeLen;
    // Parameter defaults of the model (1.8 s, 20 ms, 50 %).
    this.set(1.8, 20, 50);
    this.fresh = true;
  }

  /**
   * Current settings; called every block, cheap when nothing changed. `decayS` is the RT60 in
   * seconds (0.2..20), `predelayMs` 0..200, `dampingPct` 0..100 (values outside are clamped).
   */
  set(decayS: number, predelayMs: number, dampingPct: number): void {
    if (predelayMs !== this.lastPredelay) {
      this.lastPredelay = predelayMs;
      const ms = Math.min(Math.max(Number.isFinite(predelayMs) ? predelayMs : 0, 0), MAX_PREDELAY_MS);
      this.preTarget = Math.min(Math.round((ms * this.sampleRate) / 1000), this.preSize - 1);
      if (this.fresh) {
        this.tapA = this.tapB = this.preTarget;
        this.fade = 0;
        this.fadeLeft = 0;
      }
    }
    if (decayS === this.lastDecay && dampingPct === this.lastDamping && !this.fresh) return;
    this.lastDecay = decayS;
    this.lastDamping = dampingPct;

    const rt = Math.min(Math.max(Number.isFinite(decayS) ? decayS : 1.8, 0.2), 20);
    const damp = Math.min(Math.max(Number.isFinite(dampingPct) ? dampingPct : 0, 0), 100) / 100;
    const ratio = 1 - 0.8 * damp; // high-frequency decay time / low-frequency decay time
    const t = Math.tan((Math.PI * Math.min(SHELF_HZ, 0.45 * this.sampleRate)) / this.sampleRate);
    const norm = 1 / Math.sqrt(N);
    const tg = this.tgt;
    for (let i = 0; i < N; i++) {
      const d = this.len[i];
      const g = Math.pow(10, (-3 * d) / (rt * this.sampleRate));
      // Shelf: DC 1, Nyquist r, sqrt(r) at SHELF_HZ; r = 1 (no damping) cancels pole and zero.
      const sr = Math.sqrt(Math.pow(g, 1 / ratio - 1));
      const a0 = t + 1 / sr;
      tg[i] = (g * norm * (t + sr)) / a0;
      tg[N + i] = (g * norm * (t - sr)) / a0;
      tg[2 * N + i] = (t - 1 / sr) / a0;
    }
    if (this.fresh) {
      this.snapFilters();
      this.rampLeft = 0;
      this.fresh = false;
    } else {
      for (let i = 0; i < N; i++) {
        this.inc[i] = (tg[i] - this.b0[i]) / this.rampLen;
        this.inc[N + i] = (tg[N + i] - this.b1[i]) / this.rampLen;
        this.inc[2 * N + i] = (tg[2 * N + i] - this.a1[i]) / this.rampLen;
      }
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
        // Land exactly on the targets (the running sums carry rounding).
        if (this.rampLeft === 0) this.snapFilters();
      }
      i += n;
    }
  }

  private run(bl: Float32Array, br: Float32Array, start: number, end: number, ramping: boolean): void {
    const mem = this.mem;
    const off = this.off;
    const len = this.len;
    const lm = this.lineMask;
    const dm = this.diffMask;
    const b0 = this.b0;
    const b1 = this.b1;
    const a1 = this.a1;
    const st = this.st;
    const inc = this.inc;
    const preL = this.preL;
    const preR = this.preR;
    const preSize = this.preSize;
    const preTarget = this.preTarget;
    const fadeLen = this.fadeLen;
    const fadeInc = this.fadeInc;
    let wpos = this.wpos;
    let prePos = this.prePos;
    let tapA = this.tapA;
    let tapB = this.tapB;
    let fade = this.fade;
    let fadeLeft = this.fadeLeft;
    // Region starts and delays as locals: the unrolled loop below is twice as fast as loops
    // over the eight lines.
    const o0 = off[0], o1 = off[1], o2 = off[2], o3 = off[3], o4 = off[4], o5 = off[5], o6 = off[6], o7 = off[7];
    const d0 = len[0], d1 = len[1], d2 = len[2], d3 = len[3], d4 = len[4], d5 = len[5], d6 = len[6], d7 = len[7];
    const o8 = off[8], o9 = off[9], o10 = off[10], o11 = off[11], o12 = off[12], o13 = off[13], o14 = off[14], o15 = off[15];
    const d8 = len[8], d9 = len[9], d10 = len[10], d11 = len[11], d12 = len[12], d13 = len[13], d14 = len[14], d15 = len[15];
    const ga = DIFF_GAIN[0], gb = DIFF_GAIN[1], gc = DIFF_GAIN[2], gd = DIFF_GAIN[3];
    const direct = DIRECT_GAIN * OUTPUT_GAIN;
    const inj = 1 / Math.sqrt(N);
    const tap = OUTPUT_GAIN / Math.sqrt(N);

    for (let n = start; n < end; n++) {
      // Pre-delay (the input needs no flushing: it is not fed back).
      preL[prePos] = bl[n];
      preR[prePos] = br[n];
      if (fadeLeft === 0 && tapA !== preTarget) {
        tapB = preTarget;
        fade = 0;
        fadeLeft = fadeLen;
      }
      let ra = prePos - tapA;
      if (ra < 0) ra += preSize;
      let uL = preL[ra];
      let uR = preR[ra];
      if (fadeLeft > 0) {
        let rb = prePos - tapB;
        if (rb < 0) rb += preSize;
        fade += fadeInc;
        const w = fade * fade * (3 - 2 * fade); // smoothstep: no corner at either end
        uL += w * (preL[rb] - uL);
        uR += w * (preR[rb] - uR);
        if (--fadeLeft === 0) {
          tapA = tapB;
          fade = 0;
        }
      }
      if (++prePos === preSize) prePos = 0;

      // Input diffusion: y = -g x + x[n-d] + g y[n-d], each all-pass in its own region.
      const wd = wpos & dm;
      const r8 = mem[o8 + ((wpos - d8) & dm)];
      const v8 = settle(uL + ga * r8);
      mem[o8 + wd] = v8;
      uL = r8 - ga * v8;
      const r9 = mem[o9 + ((wpos - d9) & dm)];
      const v9 = settle(uL + gb * r9);
      mem[o9 + wd] = v9;
      uL = r9 - gb * v9;
      const r10 = mem[o10 + ((wpos - d10) & dm)];
      const v10 = settle(uL + gc * r10);
      mem[o10 + wd] = v10;
      uL = r10 - gc * v10;
      const r11 = mem[o11 + ((wpos - d11) & dm)];
      const v11 = settle(uL + gd * r11);
      mem[o11 + wd] = v11;
      uL = r11 - gd * v11;
      const r12 = mem[o12 + ((wpos - d12) & dm)];
      const v12 = settle(uR + ga * r12);
      mem[o12 + wd] = v12;
      uR = r12 - ga * v12;
      const r13 = mem[o13 + ((wpos - d13) & dm)];
      const v13 = settle(uR + gb * r13);
      mem[o13 + wd] = v13;
      uR = r13 - gb * v13;
      const r14 = mem[o14 + ((wpos - d14) & dm)];
      const v14 = settle(uR + gc * r14);
      mem[o14 + wd] = v14;
      uR = r14 - gc * v14;
      const r15 = mem[o15 + ((wpos - d15) & dm)];
      const v15 = settle(uR + gd * r15);
      mem[o15 + wd] = v15;
      uR = r15 - gd * v15;

      // Line outputs through their loss filters.
      const x0 = mem[o0 + ((wpos - d0) & lm)];
      const y0 = b0[0] * x0 + st[0];
      st[0] = settle(b1[0] * x0 - a1[0] * y0);
      const x1 = mem[o1 + ((wpos - d1) & lm)];
      const y1 = b0[1] * x1 + st[1];
      st[1] = settle(b1[1] * x1 - a1[1] * y1);
      const x2 = mem[o2 + ((wpos - d2) & lm)];
      const y2 = b0[2] * x2 + st[2];
      st[2] = settle(b1[2] * x2 - a1[2] * y2);
      const x3 = mem[o3 + ((wpos - d3) & lm)];
      const y3 = b0[3] * x3 + st[3];
      st[3] = settle(b1[3] * x3 - a1[3] * y3);
      const x4 = mem[o4 + ((wpos - d4) & lm)];
      const y4 = b0[4] * x4 + st[4];
      st[4] = settle(b1[4] * x4 - a1[4] * y4);
      const x5 = mem[o5 + ((wpos - d5) & lm)];
      const y5 = b0[5] * x5 + st[5];
      st[5] = settle(b1[5] * x5 - a1[5] * y5);
      const x6 = mem[o6 + ((wpos - d6) & lm)];
      const y6 = b0[6] * x6 + st[6];
      st[6] = settle(b1[6] * x6 - a1[6] * y6);
      const x7 = mem[o7 + ((wpos - d7) & lm)];
      const y7 = b0[7] * x7 + st[7];
      st[7] = settle(b1[7] * x7 - a1[7] * y7);
      if (ramping) {
        for (let i = 0; i < N; i++) {
          b0[i] += inc[i];
          b1[i] += inc[N + i];
          a1[i] += inc[2 * N + i];
        }
      }

      // Fast Hadamard transform (its 1/sqrt 8 is in b0, b1).
      const p0 = y0 + y1, p1 = y0 - y1, p2 = y2 + y3, p3 = y2 - y3;
      const p4 = y4 + y5, p5 = y4 - y5, p6 = y6 + y7, p7 = y6 - y7;
      const q0 = p0 + p2, q1 = p1 + p3, q2 = p0 - p2, q3 = p1 - p3;
      const q4 = p4 + p6, q5 = p5 + p7, q6 = p4 - p6, q7 = p5 - p7;
      const f0 = q0 + q4, f1 = q1 + q5, f2 = q2 + q6, f3 = q3 + q7;
      const f4 = q0 - q4, f5 = q1 - q5, f6 = q2 - q6, f7 = q3 - q7;

      // Inject with SIGN_L = [+ - + + - - + -] and SIGN_R = [+ + - + + - - -]: each line gets
      // +-(uL + uR) or +-(uL - uR).
      const s = (uL + uR) * inj;
      const m = (uL - uR) * inj;
      const w = wpos & lm;
      mem[o0 + w] = settle(f0 + s);
      mem[o1 + w] = settle(f1 - m);
      mem[o2 + w] = settle(f2 + m);
      mem[o3 + w] = settle(f3 + s);
      mem[o4 + w] = settle(f4 - m);
      mem[o5 + w] = settle(f5 - s);
      mem[o6 + w] = settle(f6 + m);
      mem[o7 + w] = settle(f7 - s);

      // Output taps with the same sign vectors, plus the diffused input.
      bl[n] = direct * uL + tap * (f0 - f1 + f2 + f3 - f4 - f5 + f6 - f7);
      br[n] = direct * uR + tap * (f0 + f1 - f2 + f3 + f4 - f5 - f6 - f7);

      wpos = (wpos + 1) & lm;
    }

    this.wpos = wpos;
    this.prePos = prePos;
    this.tapA = tapA;
    this.tapB = tapB;
    this.fade = fade;
    this.fadeLeft = fadeLeft;
  }

  reset(): void {
    this.mem.fill(0);
    this.wpos = 0;
    this.st.fill(0);
    this.preL.fill(0);
    this.preR.fill(0);
    this.prePos = 0;
    this.unscanned = 0;
    // Finish any fade or ramp at once: with empty memories there is nothing to click.
    this.tapA = this.tapB = this.preTarget;
    this.fade = 0;
    this.fadeLeft = 0;
    this.snapFilters();
    this.rampLeft = 0;
    this.fresh = true;
  }

  /** Loss-filter coefficients straight to their targets, no ramp. */
  private snapFilters(): void {
    const tg = this.tgt;
    for (let i = 0; i < N; i++) {
      this.b0[i] = tg[i];
      this.b1[i] = tg[N + i];
      this.a1[i] = tg[2 * N + i];
      this.inc[i] = this.inc[N + i] = this.inc[2 * N + i] = 0;
    }
  }

  /**
   * Subnormal values in the filter states and among the memory values written since the previous
   * call (each line and all-pass writes one value per sample, just behind the write counter). A stored
   * value never changes until it is overwritten, so checking each one once, when new, covers the
   * memories without rescanning them every block. The pre-delay lines only hold input samples.
   */
  subnormalStates(): number {
    let count = countSubnormals(this.st);
    const k = this.unscanned;
    this.unscanned = 0;
    const mem = this.mem;
    for (let i = 0; i < 2 * N; i++) {
      const mask = i < N ? this.lineMask : this.diffMask;
      const o = this.off[i];
      for (let m = Math.min(k, mask + 1); m > 0; m--) {
        const v = mem[o + ((this.wpos - m) & mask)];
        if (v !== 0 && v < MIN_NORMAL && v > -MIN_NORMAL) count++;
      }
    }
    return count;
  }
}

function settle(x: number): number {
  return Math.abs(x) < SETTLE ? 0 : x;
}
