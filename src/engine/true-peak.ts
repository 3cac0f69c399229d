/**
 * True-peak detection per ITU-R BS.1770 Annex 2: oversample, low-pass interpolate, take the
 * absolute maximum. The interpolator is a polyphase Kaiser-windowed sinc whose cutoff sits at
 * the original Nyquist frequency. Because a windowed sinc keeps the sinc's zeros at whole
 * sample offsets, phase 0 is exactly the input sample: only the factor − 1 in-between phases
 * are computed, and the sample peak is the phase-0 maximum. The result is never below the sample peak
 * (the ITU 48-tap example filter, whose phases all have gains 0.973…1.0016, can read below it).
 *
 * Oversampling follows the Annex 2 guidance of ≥ 192 kHz where it matters: 4× below 88.2 kHz,
 * 2× from 88.2 kHz, none from 176.4 kHz.
 *
 * Most interpolated points are never computed: a bound from the samples and their second
 * differences (`smoothnessGain`) shows that they cannot exceed the peak found so far. The result
 * is bit-identical to computing them all (see `TruePeakDetector`).
 */

/**
 * Taps per phase and Kaiser β: 32 taps with β = 5 keep every phase's gain within ±0.04 dB up to
 * 0.45·fs (24 taps could not do better than ±0.25 dB there; the transition band is too wide).
 */
export const TP_TAPS = 32;
const KAISER_BETA = 5;

export function oversampleFactor(sampleRate: number): number {
  if (sampleRate < 88200) return 4;
  if (sampleRate < 176400) return 2;
  return 1;
}

function besselI0(x: number): number {
  // Power series; converges fast for the β used here.
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 60; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Coefficients of phases 1 … factor−1, each TP_TAPS long, in chronological order of the input
 * window (index 0 = oldest sample). Phase p interpolates the point p/factor of a sample period
 * after the window's sample TP_TAPS/2 − 1. Each phase is normalised to unity DC gain.
 */
export function designInterpolator(factor: number, taps = TP_TAPS): Float64Array {
  const half = taps / 2;
  const out = new Float64Array(Math.max(0, factor - 1) * taps);
  const i0b = besselI0(KAISER_BETA);
  for (let p = 1; p < factor; p++) {
    let dc = 0;
    for (let j = 0; j < taps; j++) {
      // Distance (in input samples) from the window's sample j to the interpolated point.
      const t = half - 1 + p / factor - j;
      const r = t / half;
      const w = Math.abs(r) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0b;
      const s = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
      out[(p - 1) * taps + j] = s * w;
      dc += s * w;
    }
    for (let j = 0; j < taps; j++) out[(p - 1) * taps + j] /= dc;
  }
  return out;
}

/**
 * The smoothness gain H of one interpolation phase `k` (T taps, T even, DC gain 1, its point
 * lying between window samples a = T/2 − 1 and a + 1): in exact arithmetic, for every window w,
 *
 *   |Σ k_j·w_j| ≤ max(|w_a|, |w_{a+1}|) + H·max_j |w_j − 2·w_{j+1} + w_{j+2}| + |Σk − 1|·|w_a|.
 *
 * Proof: with α = Σ (j − a)·k_j (the centroid, 0 ≤ α ≤ 1) the residual r = k − (1 − α)·δ_a −
 * α·δ_{a+1} − (Σk − 1)·δ_a has zero sum and zero first moment, so summing by parts twice gives
 * Σ r_j·w_j = Σ_{j=0}^{T−3} S_j·(w_j − 2·w_{j+1} + w_{j+2}) with R_j = Σ_{i≤j} r_i,
 * S_j = Σ_{i≤j} R_i; then H = Σ |S_j|, and |(1 − α)·w_a + α·w_{a+1}| ≤ max(|w_a|, |w_{a+1}|).
 * Returns Infinity (no bound) if the centroid is not between the two samples or Σk is not 1.
 */
export function smoothnessGain(k: ArrayLike<number>): number {
  const t = k.length;
  const a = t / 2 - 1;
  let sum = 0;
  let alpha = 0;
  for (let j = 0; j < t; j++) {
    sum += k[j];
    alpha += (j - a) * k[j];
  }
  if (!(alpha >= 0 && alpha <= 1 && Math.abs(sum - 1) < 1e-12)) return Number.POSITIVE_INFINITY;
  let r1 = 0;
  let s1 = 0;
  let h = 0;
  for (let j = 0; j < t - 2; j++) {
    let r = k[j];
    if (j === a) r -= 1 - alpha + (sum - 1);
    else if (j === a + 1) r -= alpha;
    r1 += r;
    s1 += r1;
    h += Math.abs(s1);
  }
  return h;
}

/** The interpolator of a sample rate as `TruePeakDetector` evaluates it (see its comment). */
export interface FoldedInterpolator {
  /** Oversampling factor: 4, 2 or 1 (no interpolation). */
  factor: number;
  /** Half-sample phase, first half (symmetric); zeros at 1×. */
  mid: Float64Array;
  /** Quarter phases folded: (a+b)/2 and (a−b)/2 with a = c1[j], b = c1[T−1−j]; zeros below 4×. */
  sum: Float64Array;
  diff: Float64Array;
  /** Largest `smoothnessGain` of the evaluated phases (as folded); Infinity at 1×. */
  smooth: number;
}

export function foldedInterpolator(sampleRate: number): FoldedInterpolator {
  const factor = oversampleFactor(sampleRate);
  const c = designInterpolator(factor);
  const t = TP_TAPS;
  const half = t / 2;
  const mid = new Float64Array(half);
  const sum = new Float64Array(half);
  const diff = new Float64Array(half);
  if (factor === 4) {
    for (let j = 0; j < half; j++) {
      const a = c[j];
      const b = c[t - 1 - j];
      sum[j] = (a + b) / 2;
      diff[j] = (a - b) / 2;
      mid[j] = c[t + j];
    }
  } else if (factor === 2) {
    for (let j = 0; j < half; j++) mid[j] = c[j];
  } else if (factor !== 1) {
    throw new RangeError(`true peak: unsupported oversampling factor ${factor}`);
  }
  // The kernels the folded sums evaluate: phase 1 = sum + diff | mirrored sum − diff, phase 3
  // its mirror image, the half-sample phase mid | mirrored mid.
  const k1 = new Float64Array(t);
  const k2 = new Float64Array(t);
  const k3 = new Float64Array(t);
  for (let j = 0; j < half; j++) {
    k1[j] = sum[j] + diff[j];
    k1[t - 1 - j] = sum[j] - diff[j];
    k3[j] = sum[j] - diff[j];
    k3[t - 1 - j] = sum[j] + diff[j];
    k2[j] = mid[j];
    k2[t - 1 - j] = mid[j];
  }
  const h2 = smoothnessGain(k2);
  const smooth = factor === 4 ? Math.max(h2, smoothnessGain(k1), smoothnessGain(k3)) : h2;
  return { factor, mid, sum, diff, smooth };
}

/** Samples per skip decision of the first, coarse test (see `TruePeakDetector`). */
const COARSE = 1024;
/** Coarse chunks scanned before they are tested, so that the sample peak of all of them counts. */
const GROUP = 16;
/** Points per skip decision of the second, fine test. */
const FINE = 64;
/** The fine test's maxima are kept per half run, which must hold the KEEP samples windows reach back. */
const HALF = FINE / 2;
/** Below this many points, the bound costs more than the sums it could save. */
const MIN_SKIP = 8;
/** Samples of window history before a chunk (TP_TAPS − 1). */
const KEEP = TP_TAPS - 1;
/**
 * Rounding allowance of the skip test, as a fraction of the span's largest sample (a computed
 * 16-pair sum differs from the exact one by < 1e-14 of it) and of the bound itself.
 */
const ROUNDING = 1e-9;

/**
 * Per-channel true-peak and sample-peak tracker. Keeps the absolute maxima (linear) since the
 * last reset. The interpolated points lag the input by TP_TAPS/2 samples; those of the last
 * TP_TAPS/2 samples are not evaluated until more input arrives, but their sample peaks are.
 *
 * The phases are folded by symmetry: the half-sample phase is symmetric, and phases 1 and 3 (at
 * 4×) are mirror images, so with u = x_j + x_{T−1−j}, v = x_j − x_{T−1−j} one pass of T/2 pairs
 * gives phase 2 = Σ c2·u and phases 1, 3 = S ± D with S = Σ (a+b)/2·u, D = Σ (a−b)/2·v:
 * 1.5 multiplies per tap instead of 3.
 *
 * Exact skipping. Every point of a window lies between two of its samples, so by
 * `smoothnessGain` no point of a run of windows exceeds B = M + H·D2, with M the largest |x| and
 * D2 the largest second difference |x_{i−2} − 2·x_{i−1} + x_i| over the samples the windows span
 * (plus the rounding allowance). Programme material is smooth at the sample rate (second
 * differences 20–40 dB below the samples), so B stays close to the local sample peak. When B ≤
 * max(true peak so far, sample peak so far), no point of the run can raise `truePeak()` and its
 * sums are skipped. Two levels keep the test cheap:
 * - coarse: one read-only pass takes M and D2 of each chunk of COARSE samples (a group of GROUP
 *   chunks first, so that their sample peak counts in every test); a chunk's windows reach
 *   TP_TAPS − 1 samples back, so its test includes the maxima of the chunks before it;
 * - fine: in a chunk that fails, M and D2 per half run of FINE / 2 ≥ TP_TAPS − 1 samples, and the
 *   test of each run of FINE points over its halves and the half before (the history, for the
 *   first); a run that fails is computed, from the chunk copied after its history.
 * On the 3-minute test programme 13 % of the chunks reach the fine test and 0.7 % of the points
 * are computed. The points computed use the same arithmetic in the same order as without
 * skipping, so `truePeak()` is bit-identical to the full evaluation, whatever the block size
 * (`truePeakLin` alone may stay below a skipped point that did not exceed the sample peak, which
 * `truePeak()` covers). A NaN sample makes D2 NaN, which fails every test.
 */
export class TruePeakDetector {
  readonly factor: number;
  /** Half-sample phase, first half (symmetric). */
  private readonly mid: Float64Array;
  /** Quarter phases folded: (a+b)/2 and (a−b)/2 with a = c1[j], b = c1[T−1−j]. */
  private readonly sum: Float64Array;
  private readonly diff: Float64Array;
  /** Largest `smoothnessGain` of the evaluated phases (as folded). */
  private readonly smooth: number;
  /**
   * Per channel, KEEP + COARSE samples: the last KEEP inputs, then (while a chunk is evaluated)
   * the chunk, so that every window is contiguous.
   */
  private readonly work: Float64Array;
  /**
   * Per channel: max |x| and max |second difference| of the latest chunks, covering at least the
   * last KEEP samples (NaN-propagating), then the last two inputs.
   */
  private readonly recent: Float64Array;
  /** The maxima of the chunks of the group being processed (any channel). */
  private readonly stats = new Float64Array(2 * GROUP);
  /** The maxima of the runs of the chunk being evaluated. */
  private readonly runStats = new Float64Array((2 * COARSE) / HALF);
  private samplePeakLin = 0;
  private truePeakLin = 0;

  constructor(
    sampleRate: number,
    readonly channels: number,
  ) {
    const f = foldedInterpolator(sampleRate);
    this.factor = f.factor;
    this.mid = f.mid;
    this.sum = f.sum;
    this.diff = f.diff;
    this.smooth = f.smooth;
    this.work = new Float64Array(channels * (KEEP + COARSE));
    this.recent = new Float64Array(channels * 4);
  }

  reset(): void {
    this.work.fill(0);
    this.recent.fill(0);
    this.samplePeakLin = 0;
    this.truePeakLin = 0;
  }

  /** Restart the maxima (sample and true peak) without clearing the interpolator's history. */
  resetPeaks(): void {
    this.samplePeakLin = 0;
    this.truePeakLin = 0;
  }

  /** Scan `n` samples of channel `ch` starting at `start`. */
  process(ch: number, x: Float32Array, start: number, n: number): void {
    const end = start + n;
    if (this.factor === 1) {
      this.scanPeak(x, start, end);
      return;
    }
    const r = this.recent;
    const o = ch * 4;
    const st = this.stats;
    for (let g = start; g < end; ) {
      const gEnd = end - g < GROUP * COARSE ? end : g + GROUP * COARSE;
      // Scan the whole group first, so that its sample peak raises the threshold of every test.
      for (let i = g, q = 0; i < gEnd; i += COARSE, q += 2) this.scan(ch, x, i, gEnd - i < COARSE ? gEnd - i : COARSE, q);
      for (let i = g, q = 0; i < gEnd; q += 2) {
        const m = gEnd - i < COARSE ? gEnd - i : COARSE;
        // The first windows reach KEEP samples back: include the maxima of the chunks before.
        const bigSpan = Math.max(st[q], r[o]);
        const d2Span = Math.max(st[q + 1], r[o + 1]);
        r[o] = m >= KEEP ? st[q] : bigSpan;
        r[o + 1] = m >= KEEP ? st[q + 1] : d2Span;
        const bound = (bigSpan + this.smooth * d2Span + ROUNDING * bigSpan) * (1 + ROUNDING);
        const tp = this.truePeakLin;
        const sp = this.samplePeakLin;
        if (m < MIN_SKIP || !(bound <= (tp > sp ? tp : sp))) this.evaluate(ch, x, i, m);
        this.remember(ch, x, i, m);
        i += m;
      }
      g = gEnd;
    }
  }

  /**
   * One read-only pass over chunk x[i … i + m − 1]: its largest |x| and |second difference| into
   * stats[q], stats[q + 1], and the sample peak. Two samples per step into two pairs of maxima
   * (independent chains run faster).
   */
  private scan(ch: number, x: Float32Array, i: number, m: number, q: number): void {
    const r = this.recent;
    const o = ch * 4;
    let a = r[o + 2];
    let b = r[o + 3];
    let big = 0;
    let big1 = 0;
    let d2 = 0;
    let d21 = 0;
    let k = i;
    for (const last = i + m - 1; k < last; k += 2) {
      const c0 = x[k];
      const c1 = x[k + 1];
      big = Math.max(big, Math.abs(c0));
      big1 = Math.max(big1, Math.abs(c1));
      d2 = Math.max(d2, Math.abs(a - 2 * b + c0));
      d21 = Math.max(d21, Math.abs(b - 2 * c0 + c1));
      a = c0;
      b = c1;
    }
    if (k < i + m) {
      const c = x[k];
      big = Math.max(big, Math.abs(c));
      d2 = Math.max(d2, Math.abs(a - 2 * b + c));
      a = b;
      b = c;
    }
    big = Math.max(big, big1);
    r[o + 2] = a;
    r[o + 3] = b;
    this.stats[q] = big;
    this.stats[q + 1] = Math.max(d2, d21);
    if (big === big) {
      if (big > this.samplePeakLin) this.samplePeakLin = big;
    } else {
      this.scanPeak(x, i, i + m);
    }
  }

  /**
   * The fine level for chunk x[i … i + m − 1], whose history is in the work area: the maxima of
   * each half run (FINE / 2 ≥ KEEP samples), then the test of each run of FINE points over its
   * two halves and the half before (the history, for the first run), which hold every sample its
   * windows reach; a run that fails is computed, from the chunk copied after its history.
   */
  private evaluate(ch: number, x: Float32Array, i: number, m: number): void {
    const w = this.work;
    const base = ch * (KEEP + COARSE);
    const bs = this.runStats;
    // The history (the KEEP samples before the chunk) stands for the half before the first run.
    let a = w[base];
    let b = w[base + 1];
    let hBig = Math.max(Math.abs(a), Math.abs(b));
    let hD2 = 0;
    for (let k = base + 2; k < base + KEEP; k++) {
      const c = w[k];
      hBig = Math.max(hBig, Math.abs(c));
      hD2 = Math.max(hD2, Math.abs(a - 2 * b + c));
      a = b;
      b = c;
    }
    for (let o = 0, q = 0; o < m; o += HALF, q += 2) {
      const end = o + HALF < m ? i + o + HALF : i + m;
      let big = 0;
      let d2 = 0;
      for (let k = i + o; k < end; k++) {
        const c = x[k];
        big = Math.max(big, Math.abs(c));
        d2 = Math.max(d2, Math.abs(a - 2 * b + c));
        a = b;
        b = c;
      }
      bs[q] = big;
      bs[q + 1] = d2;
    }
    let copied = false;
    for (let o = 0, q = 0; o < m; o += FINE, q += 4) {
      const s = m - o < FINE ? m - o : FINE;
      // Halves q/2 and q/2 + 1 (if the chunk has it) and the one before.
      let big = Math.max(bs[q], q === 0 ? hBig : bs[q - 2]);
      let d2 = Math.max(bs[q + 1], q === 0 ? hD2 : bs[q - 1]);
      if (s > HALF) {
        big = Math.max(big, bs[q + 2]);
        d2 = Math.max(d2, bs[q + 3]);
      }
      const bound = (big + this.smooth * d2 + ROUNDING * big) * (1 + ROUNDING);
      const tp = this.truePeakLin;
      const sp = this.samplePeakLin;
      if (s < MIN_SKIP || !(bound <= (tp > sp ? tp : sp))) {
        if (!copied) {
          const at = base + KEEP - i;
          for (let k = i; k < i + m; k++) w[at + k] = x[k];
          copied = true;
        }
        // The windows of points o … o + s − 1 span work[base + o … base + o + KEEP + s − 1].
        if (this.factor === 4) this.interp4(base + o, s);
        else this.interp2(base + o, s);
      }
    }
  }

  /** Keep the last KEEP inputs (the history of the next chunk) after chunk x[i … i + m − 1]. */
  private remember(ch: number, x: Float32Array, i: number, m: number): void {
    const w = this.work;
    const base = ch * (KEEP + COARSE);
    if (m >= KEEP) {
      const at = base - (i + m - KEEP);
      for (let k = i + m - KEEP; k < i + m; k++) w[at + k] = x[k];
    } else {
      w.copyWithin(base, base + m, base + KEEP);
      const at = base + KEEP - m - i;
      for (let k = i; k < i + m; k++) w[at + k] = x[k];
    }
  }

  /** The sample peak of x[start … end − 1], ignoring NaN samples. */
  private scanPeak(x: Float32Array, start: number, end: number): void {
    let sp = this.samplePeakLin;
    for (let i = start; i < end; i++) {
      const v = x[i];
      const a = v < 0 ? -v : v;
      if (a > sp) sp = a;
    }
    this.samplePeakLin = sp;
  }

  /** Phases 1–3 of 4× for the `m` windows starting at work[base], work[base + 1] …: one pass over T/2 sample pairs (see the class comment). */
  private interp4(base: number, m: number): void {
    const t = TP_TAPS;
    const half = t / 2;
    const mid = this.mid;
    const sm = this.sum;
    const df = this.diff;
    const h = this.work;
    let tp = this.truePeakLin;
    for (let lo = base; lo < base + m; lo++) {
      // The window oldest → newest is h[lo … hi].
      const hi = lo + t - 1;
      let s = 0;
      let d = 0;
      let p2 = 0;
      for (let j = 0; j < half; j++) {
        const xa = h[lo + j];
        const xb = h[hi - j];
        const u = xa + xb;
        s += sm[j] * u;
        d += df[j] * (xa - xb);
        p2 += mid[j] * u;
      }
      // max(|s + d|, |s − d|) = |s| + |d|
      const q = (s < 0 ? -s : s) + (d < 0 ? -d : d);
      if (q > tp) tp = q;
      if (p2 < 0) p2 = -p2;
      if (p2 > tp) tp = p2;
    }
    this.truePeakLin = tp;
  }

  /** The half-sample phase of 2× (symmetric) for the `m` windows starting at work[base], work[base + 1] …. */
  private interp2(base: number, m: number): void {
    const t = TP_TAPS;
    const half = t / 2;
    const mid = this.mid;
    const h = this.work;
    let tp = this.truePeakLin;
    for (let lo = base; lo < base + m; lo++) {
      const hi = lo + t - 1;
      let p = 0;
      for (let j = 0; j < half; j++) p += mid[j] * (h[lo + j] + h[hi - j]);
      if (p < 0) p = -p;
      if (p > tp) tp = p;
    }
    this.truePeakLin = tp;
  }

  /** Largest absolute input sample since reset (linear). */
  samplePeak(): number {
    return this.samplePeakLin;
  }

  /** Largest absolute oversampled value since reset (linear), never below the sample peak. */
  truePeak(): number {
    return this.truePeakLin > this.samplePeakLin ? this.truePeakLin : this.samplePeakLin;
  }
}

