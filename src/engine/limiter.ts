/**
 * Look-ahead true-peak limiter, linked over its channels (1 or 2).
 *
 * Detector. Each input sample x[n] enters a T-tap window (T = LIMITER_TAPS = 32). For the
 * interval [m, m+1) with m = n − T/2, the detector evaluates the reconstructed signal at L points
 * v_k = x(m + k/L), k = 0 … L−1: v_0 = x[m] itself, the others from a polyphase Kaiser-windowed
 * sinc (β = 5, cutoff at the input Nyquist, each phase normalised to unit DC gain; phases p and
 * L − p are mirror images and are evaluated together from x_j ± x_{T−1−j}). L = 8 below
 * 88.2 kHz, 4 from there (the oversampled grid is ≥ 352.8 kHz everywhere).
 * A grid of L points can miss the crest that lies between two of them; near a crest a
 * band-limited signal is a parabola, x(t) ≈ M − ½·|x''|·(t − t*)², so the grid point nearest the
 * crest (|t − t*| ≤ ½ grid step) reads at most |x''|/8 low. The detector therefore takes
 *   e_k = |v_k| + κ·|v_{k−1} − 2·v_k + v_{k+1}|            (second difference ≈ x'' per step²)
 *   peak[m] = max over k and over the channels of e_k,
 * with κ slightly above 1/8 so that the estimate is exact for a sine at Nyquist whose crest lies
 * half a grid step from the nearest point: with ω = π/L, |v| = A·cos(ω/2), Δ² = −2(1 − cos ω)·v,
 * so κ = (1/cos(ω/2) − 1) / (2(1 − cos ω)) = 0.1287 at 8×, 0.1407 at 4×; κ(ω) grows with ω,
 * so every sine below Nyquist reads at or above its amplitude (up to the FIR's own passband
 * error). For a 1 kHz sine the estimate is 0.00 to 0.01 dB high; for sines at 0.25–0.45·fs up to
 * 0.14 dB high at 8× (where the plain 8× grid reads up to 0.14 dB low) and 0.6 dB at 4× (that is
 * above 22 kHz). Reading high is the safe side: the limiter reduces a little more than needed on
 * content near Nyquist. Where the whole
 * T-sample window is below ceiling / ((1 + 4κ)·max_p Σ|c_p|), no e_k can reach the ceiling and
 * the FIR is skipped (exact).
 *
 * Why 32 taps. The phases are flat (±0.04 dB) to 0.45·fs and roll off to −6 dB at Nyquist, like
 * the interpolators of BS.1770 meters: ours (true-peak.ts, the same prototype at 4×) and FFmpeg's
 * ebur128 (swresample to 192 kHz: −0.4 dB at 0.45·fs, −1.5 dB at 0.47·fs, −6 dB at fs/2,
 * measured from its impulse response). What lies between 0.45·fs and Nyquist is resolved by no
 * finite meter, and attenuating it can raise a peak as well as lower it (it may have been
 * cancelling part of the crest). A longer, flatter detector (64 or 128 taps) therefore let
 * clipped drums and +6 dBFS white noise through 0.1–0.25 dB above the ceiling as those meters
 * read them, while this one keeps them at or below it (measured; see the tests).
 *
 * Gain (one path for all channels; positions counted in samples, K = T/2, A = A1 + A2 − 1):
 *   q[m]  = min(0, log2(c) − log2(peak[m]))               required gain in octaves, c = ceiling
 *   h[m]  = min over the last W = 2K + A values of q        sliding minimum (monotonic deque)
 *   r[m]  = min(h[m], α·r[m−1] + (1 − α)·h[m])             release: one pole in the log (dB)
 *                                                           domain, α = exp(−1/(τ_release·fs))
 *   d[m]  = ⌈(1 − 2^r[m])·2^32⌉                             reduction as an exact integer
 *   G[m]  = 1 − (box_A2 ∘ box_A1)(d)[m] / 2^32              two moving averages: the attack
 * and output sample j = m − P, P = K + A − 1, gets y[j] = G[j + P]·x[j]. Latency = T/2 + P.
 * Guarantee: r ≤ h (by induction), and every value the two boxes average into G[j + P] is an
 * r[i] with i ∈ [j + P − A + 1, j + P]; the hold window of each such i spans [i − W + 1, i],
 * which contains every peak m with |j − m| ≤ K. So every output sample within K = T/2 samples of
 * a detected peak is multiplied by at most c / peak[m]: across the whole interpolation window
 * around a peak the gain is at or below what that peak requires, and the detector, run on the
 * output, reads at most the ceiling (the tests run a second limiter on the output: it finds
 * 3e-6 dB to do, the float32 rounding of the output samples). The attack is a
 * smooth S-curve (the moving average of a moving average: continuous slope, so the gain
 * modulation adds little above the audio band) that reaches the required gain before the peak
 * leaves the delay line; release starts only once the hold window has passed the peak. Rounding
 * the reduction up keeps the integer sums exact (no drift) and on the safe side, and a gain of
 * exactly 1 leaves samples untouched. (The fast log2/exp2 of fastmath.ts are within 3e-6 dB.)
 *
 * Look-ahead: two 1 ms boxes (A ≈ 2 ms of attack) plus K = 16 samples: P = 110 samples
 * (2.3 ms) at 48 kHz; latency 126 samples at 48 kHz (2.6 ms), 118 at 44.1 kHz, 222 at 96 kHz.
 * About 2 ms of attack keeps the gain modulation's spectrum low (a gain change within a fraction
 * of a bass cycle is heard as distortion) while keeping the ducking ahead of a transient short;
 * x42/zita's peaklim uses 1.3 ms, LSP's limiter defaults to 5 ms.
 *
 * Off passes the audio unchanged but delayed by the same latency, so switching never shifts
 * time; on/off crossfades linearly over FADE_MS, counted in samples. While fully off the detector
 * does not run; switching on starts the gain path afresh (the ceiling holds from the end of the
 * fade). Lowering the ceiling applies to samples entering the look-ahead from then on.
 *
 * Meters: the engine should publish `gainReductionDb` (largest gain reduction of the last
 * block, dB ≥ 0) as the limiter's GR meter, and report `latency` (samples) to the latency
 * compensation once at construction.
 */
import { type DspBlock, isSubnormal } from './block.js';
import { FastMath, LOG2_PER_DB, MANT_UNIT, exp2Fraction, log2Mantissa } from './fastmath.js';

/** Interpolator taps (T): the detector window, and twice the gain's flat zone around a peak. */
export const LIMITER_TAPS = 32;
/** Kaiser window β of the interpolator prototype. */
const KAISER_BETA = 5;
/** Length of each of the two attack moving averages. */
export const ATTACK_BOX_MS = 1;
/** On/off crossfade length. */
export const FADE_MS = 5;
/** The release state is snapped to 0 above −1e-7 dB (in octaves). */
const SNAP_OCT = 1e-7 * LOG2_PER_DB;
/** Samples per internal chunk (the detector's peak buffer). */
const CHUNK = 512;
/** 2^32: fixed-point unit of the integer reduction sums. */
const FIX = 4294967296;

if (MANT_UNIT !== 1.1920928955078125e-7 || FIX !== 4294967296 || LIMITER_TAPS !== 32) {
  throw new Error('limiter.ts: literal constants out of date');
}

/** Oversampling of the detector: 8× below 88.2 kHz, 4× from there (≥ 352.8 kHz everywhere). */
export function limiterOversampling(sampleRate: number): number {
  return sampleRate < 88200 ? 8 : 4;
}

function attackBox(sampleRate: number): number {
  return Math.max(1, Math.round((ATTACK_BOX_MS * sampleRate) / 1000));
}

/** Latency in samples at a sample rate: T/2 (detector) + K + A − 1 (look-ahead). */
export function limiterLatency(sampleRate: number): number {
  const a = attackBox(sampleRate);
  return LIMITER_TAPS / 2 + LIMITER_TAPS / 2 + (2 * a - 1) - 1;
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 80; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Phase p (1 … L−1) of the interpolator, T taps in window order (0 = oldest): the value at p/L
 * of a sample period after the window's sample T/2 − 1, unit DC gain.
 */
export function limiterPhase(factor: number, p: number, taps = LIMITER_TAPS): Float64Array {
  const half = taps / 2;
  const c = new Float64Array(taps);
  const i0b = besselI0(KAISER_BETA);
  let dc = 0;
  for (let j = 0; j < taps; j++) {
    const t = half - 1 + p / factor - j;
    const r = t / half;
    const w = Math.abs(r) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0b;
    c[j] = (t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t)) * w;
    dc += c[j];
  }
  for (let j = 0; j < taps; j++) c[j] /= dc;
  return c;
}

const finite = (x: number, fallback: number): number => (Number.isFinite(x) ? x : fallback);

export class TruePeakLimiter implements DspBlock {
  readonly channels: number;
  /** Delay of the audio through the block in samples (on or off), fixed for the sample rate. */
  readonly latency: number;
  /** Detector oversampling factor. */
  readonly factor: number;
  /** Largest gain reduction (dB, ≥ 0) applied during the last process call. */
  gainReductionDb = NaN;

  private readonly sampleRate: number;
  private readonly fm = new FastMath();
  private readonly fadeLen: number;
  /** Folded coefficients, per tap pair j: [s1, d1, s2, d2, s3, d3, mid] (8×), [s1, d1, mid] (4×). */
  private readonly coef: Float64Array;
  /** max over phases of Σ|c| (phase 0 = 1): the interpolator's largest possible gain. */
  private readonly l1: number;
  /** κ of the curvature term (1/8 plus the sine correction at Nyquist; see the header). */
  private readonly curv: number;
  private readonly box1: number;
  private readonly box2: number;
  private readonly holdLen: number;
  private readonly invScale: number;

  // Parameters.
  private primed = false;
  private on = false;
  private ceilingDb = NaN;
  private releaseMs = NaN;
  // Derived (NaN first so the fields are doubles from the start; `set` writes them).
  private ceilLin = NaN;
  private log2Ceil = NaN;
  private skipLevel = NaN;
  private alpha = NaN;

  // Detector state: per channel a doubled ring of the last T samples, the quiet-run counter and
  // the previous interval's last grid value.
  private readonly hist: Float64Array;
  private readonly histPos: Int32Array;
  private readonly quiet: Int32Array;
  private readonly prevV: Float64Array;
  private readonly peaks = new Float64Array(CHUNK);

  // Gain path.
  private readonly dqVal: Float64Array;
  private readonly dqIdx: Float64Array;
  private readonly dqMask: number;
  private dqHead = 0;
  private dqTail = 0;
  private pos = 0;
  // (NaN until the constructor's clearGainPath, as the fields below: doubles from the start, so
  // compiled code never meets a change of their layout, e.g. when limiting first starts.)
  private rOct = NaN;
  private readonly ring1: Float64Array;
  private readonly ring2: Float64Array;
  private p1 = 0;
  private p2 = 0;
  private sum1 = NaN;
  private sum2 = NaN;

  // Audio delay: per channel a ring of `delayMask + 1` samples.
  private readonly delay: Float32Array;
  private readonly delayMask: number;
  private delayPos = 0;
  /** Crossfade position in samples: 0 = bypassed, fadeLen = fully on. */
  private fadePos = 0;
  /** Smallest gain of the last chunk (a field, so no double is returned from the hot path). */
  private chunkMinGain = NaN;

  constructor(channels: number, sampleRate: number) {
    if (channels !== 1 && channels !== 2) throw new RangeError(`TruePeakLimiter: 1 or 2 channels, got ${channels}`);
    if (!(sampleRate >= 8000 && sampleRate <= 768000)) throw new RangeError(`TruePeakLimiter: bad sample rate ${sampleRate}`);
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.factor = limiterOversampling(sampleRate);
    this.latency = limiterLatency(sampleRate);
    this.fadeLen = Math.max(1, Math.round((FADE_MS * sampleRate) / 1000));

    const t = LIMITER_TAPS;
    const half = t / 2;
    const L = this.factor;
    const stride = L / 2 - 1 + L / 2; // pairs (s, d) for p < L/2, plus the mid phase
    this.coef = new Float64Array(half * stride);
    let l1 = 1;
    for (let p = 1; p < L; p++) {
      const c = limiterPhase(L, p);
      let s = 0;
      for (let j = 0; j < t; j++) s += Math.abs(c[j]);
      if (s > l1) l1 = s;
      if (p > L / 2) continue;
      for (let j = 0; j < half; j++) {
        const a = c[j];
        const b = c[t - 1 - j];
        if (p === L / 2) this.coef[j * stride + stride - 1] = a; // symmetric: a = b
        else {
          this.coef[j * stride + 2 * (p - 1)] = (a + b) / 2;
          this.coef[j * stride + 2 * (p - 1) + 1] = (a - b) / 2;
        }
      }
    }
    this.l1 = l1;
    // Nearest grid point to a sine's crest, at most half a step ω/2 away: |v| = A·cos(ω/2) and
    // Δ² = −2(1 − cos ω)·v, so κ = (1/cos(ω/2) − 1) / (2(1 − cos ω)) makes e = A exactly. κ grows
    // with ω (1/8 as ω → 0); taking it at Nyquist (ω = π/L) covers every lower frequency.
    const om = Math.PI / L;
    this.curv = (1 / Math.cos(om / 2) - 1) / (2 * (1 - Math.cos(om)));
    this.hist = new Float64Array(channels * 2 * t);
    this.histPos = new Int32Array(channels);
    this.quiet = new Int32Array(channels);
    this.prevV = new Float64Array(channels);

    this.box1 = attackBox(sampleRate);
    this.box2 = this.box1;
    this.ring1 = new Float64Array(this.box1);
    this.ring2 = new Float64Array(this.box2);
    this.invScale = 1 / (this.box1 * this.box2 * FIX);
    const a = this.box1 + this.box2 - 1;
    this.holdLen = 2 * half + a;
    let size = 1;
    while (size < this.holdLen + 1) size *= 2;
    this.dqVal = new Float64Array(size);
    this.dqIdx = new Float64Array(size);
    this.dqMask = size - 1;

    let dsize = 1;
    while (dsize < this.latency + 1) dsize *= 2;
    this.delay = new Float32Array(channels * dsize);
    this.delayMask = dsize - 1;
    this.clearGainPath();
    this.gainReductionDb = 0;
    this.chunkMinGain = 1;
  }

  /** Ceiling in dBTP, release time constant in ms (one pole in dB, after the hold). */
  set(on: boolean, ceilingDbtp: number, releaseMs: number): void {
    if (this.primed && on === this.on && ceilingDbtp === this.ceilingDb && releaseMs === this.releaseMs) return;
    if (ceilingDbtp !== this.ceilingDb) {
      const c = Math.min(Math.max(finite(ceilingDbtp, -1), -120), 24);
      this.ceilLin = Math.pow(10, c / 20);
      this.log2Ceil = Math.log2(this.ceilLin);
      // Below this level in every sample of the window, no grid value (≤ l1·level) with its
      // curvature term (≤ 4κ times that) can reach the ceiling.
      this.skipLevel = this.ceilLin / ((1 + 4 * this.curv) * this.l1 * (1 + 1e-9));
      // Samples counted as quiet under the old ceiling may not be under the new one.
      this.quiet.fill(0);
    }
    if (releaseMs !== this.releaseMs) {
      const ms = Math.min(Math.max(finite(releaseMs, 100), 0), 60000);
      this.alpha = ms > 0 ? Math.exp(-1000 / (ms * this.sampleRate)) : 0;
    }
    const bypassed = !this.on && this.fadePos === 0;
    if (!this.primed) {
      this.fadePos = on ? this.fadeLen : 0;
      this.clearGainPath();
    } else if (on && bypassed) this.clearGainPath();
    this.primed = true;
    this.on = on;
    this.ceilingDb = ceilingDbtp;
    this.releaseMs = releaseMs;
  }

  process(buffers: readonly Float32Array[], frames: number): void {
    let done = 0;
    let minG = 1;
    while (done < frames) {
      const n = frames - done < CHUNK ? frames - done : CHUNK;
      if (!this.on && this.fadePos === 0) this.bypass(buffers, done, n);
      else {
        for (let c = 0; c < this.channels; c++) {
          const x = buffers[c];
          if (this.factor === 8) this.detect8(c, x, done, n);
          else this.detect4(c, x, done, n);
        }
        this.applyGain(buffers, done, n);
        if (this.chunkMinGain < minG) minG = this.chunkMinGain;
      }
      done += n;
    }
    this.gainReductionDb = minG < 1 ? -20 * Math.log10(minG) : 0;
  }

  /**
   * Detector for 8×: writes peak[i] (max with the earlier channels' values for c > 0) for the
   * intervals that `n` new samples complete.
   */
  private detect8(ch: number, x: Float32Array, start: number, n: number): void {
    const t = 32; // LIMITER_TAPS (literals: see compressor.ts on module constants in loops)
    const half = 16;
    const h = this.hist;
    const cf = this.coef;
    const pk = this.peaks;
    const base = ch * 2 * t;
    const thr = this.skipLevel;
    const kc = this.curv;
    const first = ch === 0;
    let w = this.histPos[ch];
    let quiet = this.quiet[ch];
    let prev = this.prevV[ch];
    for (let i = 0; i < n; i++) {
      const v = x[start + i];
      h[base + w] = v;
      h[base + w + t] = v;
      w = w + 1 === t ? 0 : w + 1;
      quiet = Math.abs(v) > thr ? 0 : quiet + 1;
      let e = 0;
      if (quiet < t) {
        const lo = base + w;
        const hi = lo + t - 1;
        let s1 = 0, d1 = 0, s2 = 0, d2 = 0, s3 = 0, d3 = 0, m4 = 0;
        for (let j = 0, k = 0; j < half; j++, k += 7) {
          const a = h[lo + j];
          const b = h[hi - j];
          const u = a + b;
          const dv = a - b;
          s1 += cf[k] * u;
          d1 += cf[k + 1] * dv;
          s2 += cf[k + 2] * u;
          d2 += cf[k + 3] * dv;
          s3 += cf[k + 4] * u;
          d3 += cf[k + 5] * dv;
          m4 += cf[k + 6] * u;
        }
        const g0 = h[lo + half - 1];
        const g1 = s1 + d1;
        const g2 = s2 + d2;
        const g3 = s3 + d3;
        const g5 = s3 - d3;
        const g6 = s2 - d2;
        const g7 = s1 - d1;
        const g8 = h[lo + half];
        e = Math.abs(g0) + kc * Math.abs(prev - 2 * g0 + g1);
        e = Math.max(e, Math.abs(g1) + kc * Math.abs(g0 - 2 * g1 + g2));
        e = Math.max(e, Math.abs(g2) + kc * Math.abs(g1 - 2 * g2 + g3));
        e = Math.max(e, Math.abs(g3) + kc * Math.abs(g2 - 2 * g3 + m4));
        e = Math.max(e, Math.abs(m4) + kc * Math.abs(g3 - 2 * m4 + g5));
        e = Math.max(e, Math.abs(g5) + kc * Math.abs(m4 - 2 * g5 + g6));
        e = Math.max(e, Math.abs(g6) + kc * Math.abs(g5 - 2 * g6 + g7));
        e = Math.max(e, Math.abs(g7) + kc * Math.abs(g6 - 2 * g7 + g8));
        prev = g7;
      } else prev = 0;
      pk[i] = first ? e : Math.max(pk[i], e);
    }
    this.histPos[ch] = w;
    this.quiet[ch] = quiet < t ? quiet : t;
    this.prevV[ch] = prev;
  }

  /** Detector for 4× (see detect8). */
  private detect4(ch: number, x: Float32Array, start: number, n: number): void {
    const t = 32; // LIMITER_TAPS (literals: see compressor.ts on module constants in loops)
    const half = 16;
    const h = this.hist;
    const cf = this.coef;
    const pk = this.peaks;
    const base = ch * 2 * t;
    const thr = this.skipLevel;
    const kc = this.curv;
    const first = ch === 0;
    let w = this.histPos[ch];
    let quiet = this.quiet[ch];
    let prev = this.prevV[ch];
    for (let i = 0; i < n; i++) {
      const v = x[start + i];
      h[base + w] = v;
      h[base + w + t] = v;
      w = w + 1 === t ? 0 : w + 1;
      quiet = Math.abs(v) > thr ? 0 : quiet + 1;
      let e = 0;
      if (quiet < t) {
        const lo = base + w;
        const hi = lo + t - 1;
        let s1 = 0, d1 = 0, m2 = 0;
        for (let j = 0, k = 0; j < half; j++, k += 3) {
          const a = h[lo + j];
          const b = h[hi - j];
          const u = a + b;
          s1 += cf[k] * u;
          d1 += cf[k + 1] * (a - b);
          m2 += cf[k + 2] * u;
        }
        const g0 = h[lo + half - 1];
        const g1 = s1 + d1;
        const g3 = s1 - d1;
        const g4 = h[lo + half];
        e = Math.abs(g0) + kc * Math.abs(prev - 2 * g0 + g1);
        e = Math.max(e, Math.abs(g1) + kc * Math.abs(g0 - 2 * g1 + m2));
        e = Math.max(e, Math.abs(m2) + kc * Math.abs(g1 - 2 * m2 + g3));
        e = Math.max(e, Math.abs(g3) + kc * Math.abs(m2 - 2 * g3 + g4));
        prev = g3;
      } else prev = 0;
      pk[i] = first ? e : Math.max(pk[i], e);
    }
    this.histPos[ch] = w;
    this.quiet[ch] = quiet < t ? quiet : t;
    this.prevV[ch] = prev;
  }

  /** Gain path and output for `n` samples from `start`; leaves the smallest gain in chunkMinGain. */
  private applyGain(buffers: readonly Float32Array[], start: number, n: number): void {
    const pk = this.peaks;
    const f32 = this.fm.f32;
    const i32 = this.fm.i32;
    const mantUnit = 1.1920928955078125e-7; // MANT_UNIT
    const ceil = this.ceilLin;
    const log2Ceil = this.log2Ceil;
    const alpha = this.alpha;
    const snap = -SNAP_OCT;
    const fix = 4294967296; // FIX
    const invScale = this.invScale;
    const hold = this.holdLen;
    const dqVal = this.dqVal;
    const dqIdx = this.dqIdx;
    const mask = this.dqMask;
    let head = this.dqHead;
    let tail = this.dqTail;
    let pos = this.pos;
    let r = this.rOct;
    const ring1 = this.ring1;
    const ring2 = this.ring2;
    const len1 = this.box1;
    const len2 = this.box2;
    let p1 = this.p1;
    let p2 = this.p2;
    let sum1 = this.sum1;
    let sum2 = this.sum2;
    const stereo = this.channels === 2;
    const L = buffers[0];
    const R = stereo ? buffers[1] : L;
    const dl = this.delay;
    const dmask = this.delayMask;
    const dsize = dmask + 1;
    const lat = this.latency;
    let dp = this.delayPos;
    const on = this.on;
    const fadeLen = this.fadeLen;
    const invFade = 1 / fadeLen;
    const fadeStep = on ? 1 : -1;
    let fadePos = this.fadePos;
    let minG = 1;

    for (let i = 0; i < n; i++) {
      // Required gain (octaves) of the interval the detector just completed.
      const p = pk[i];
      let q = 0;
      if (p > ceil) {
        f32[0] = p;
        const bits = i32[0];
        q = log2Ceil - ((bits >> 23) - 127 + log2Mantissa((bits & 0x7fffff) * mantUnit));
        q = Math.min(q, 0);
      }
      // Sliding minimum over the hold window: a deque of increasing values.
      while (tail !== head && dqVal[(tail - 1) & mask] >= q) tail = (tail - 1) & mask;
      dqVal[tail] = q;
      dqIdx[tail] = pos;
      tail = (tail + 1) & mask;
      if (dqIdx[head] <= pos - hold) head = (head + 1) & mask;
      const hm = dqVal[head];
      pos++;
      // Release: one pole toward the held value, never above it.
      r = Math.min(hm, hm + alpha * (r - hm));
      if (r > snap) r = 0;
      // Reduction as an integer (rounded up: the gain rounds down), then the two boxes.
      let d = 0;
      if (r < 0) {
        const v = r < -126 ? -126 : r;
        const k = Math.round(v);
        i32[0] = (k + 127) << 23;
        d = Math.ceil((1 - exp2Fraction(v - k) * f32[0]) * fix);
      }
      sum1 += d - ring1[p1];
      ring1[p1] = d;
      p1 = p1 + 1 === len1 ? 0 : p1 + 1;
      sum2 += sum1 - ring2[p2];
      ring2[p2] = sum1;
      p2 = p2 + 1 === len2 ? 0 : p2 + 1;
      let g = 1 - sum2 * invScale;
      if (g < minG) minG = g;
      if (fadePos !== fadeLen || !on) {
        fadePos += fadeStep;
        if (fadePos < 0) fadePos = 0;
        g = 1 + fadePos * invFade * (g - 1);
      }
      // Delay and apply.
      const rd = (dp - lat) & dmask;
      const xa = L[start + i];
      dl[dp] = xa;
      L[start + i] = g * dl[rd];
      if (stereo) {
        const xb = R[start + i];
        dl[dsize + dp] = xb;
        R[start + i] = g * dl[dsize + rd];
      }
      dp = (dp + 1) & dmask;
    }
    this.dqHead = head;
    this.dqTail = tail;
    this.pos = pos;
    this.rOct = r;
    this.p1 = p1;
    this.p2 = p2;
    this.sum1 = sum1;
    this.sum2 = sum2;
    this.delayPos = dp;
    this.fadePos = fadePos;
    this.chunkMinGain = minG;
  }

  /** Fully off: keep the detector's history current and delay the audio. */
  private bypass(buffers: readonly Float32Array[], start: number, n: number): void {
    const t = LIMITER_TAPS;
    const h = this.hist;
    const dl = this.delay;
    const dmask = this.delayMask;
    const dsize = dmask + 1;
    const lat = this.latency;
    for (let c = 0; c < this.channels; c++) {
      const x = buffers[c];
      const base = c * 2 * t;
      const dbase = c * dsize;
      let w = this.histPos[c];
      let dp = this.delayPos;
      for (let i = 0; i < n; i++) {
        const v = x[start + i];
        h[base + w] = v;
        h[base + w + t] = v;
        w = w + 1 === t ? 0 : w + 1;
        dl[dbase + dp] = v;
        x[start + i] = dl[dbase + ((dp - lat) & dmask)];
        dp = (dp + 1) & dmask;
      }
      this.histPos[c] = w;
      this.quiet[c] = 0;
      this.prevV[c] = 0;
    }
    this.delayPos = (this.delayPos + n) & dmask;
  }

  reset(): void {
    this.hist.fill(0);
    this.histPos.fill(0);
    this.quiet.fill(0);
    this.prevV.fill(0);
    this.delay.fill(0);
    this.delayPos = 0;
    this.clearGainPath();
    this.gainReductionDb = 0;
    this.fadePos = this.on ? this.fadeLen : 0;
    this.primed = false;
  }

  subnormalStates(): number {
    let n = 0;
    if (isSubnormal(this.rOct)) n++;
    if (isSubnormal(this.sum1)) n++;
    if (isSubnormal(this.sum2)) n++;
    for (let c = 0; c < this.channels; c++) if (isSubnormal(this.prevV[c])) n++;
    return n;
  }

  private clearGainPath(): void {
    this.dqHead = 0;
    this.dqTail = 0;
    this.pos = 0;
    this.rOct = 0;
    this.ring1.fill(0);
    this.ring2.fill(0);
    this.p1 = 0;
    this.p2 = 0;
    this.sum1 = 0;
    this.sum2 = 0;
    this.quiet.fill(0);
    this.prevV.fill(0);
  }
}

/**
 * Run a throwaway limiter (8 kHz, the 8× detector of every rate below 88.2 kHz) over a
 * synthetic programme that takes every path (quiet, limiting hard, releasing, silence, switched
 * off and on), so the JIT compiles it with the type feedback of all of them before a show: a
 * path first taken in compiled code (the first limiting, minutes into a show) throws that code
 * away, and V8 can then keep the method uncompiled (boxing every number) for a long while.
 */
export function warmUpLimiter(): void {
  const lim = new TruePeakLimiter(2, 8000);
  const l = new Float32Array(256);
  const r = new Float32Array(256);
  const bufs = [l, r];
  let phase = 0;
  for (let k = 0; k < 60; k++) {
    if (k === 0) lim.set(true, -1, 50);
    if (k === 40) lim.set(false, -1, 50);
    if (k === 46) lim.set(true, -3, 200);
    // Far over the ceiling and quiet by turns from the first blocks (every path early, before
    // the compiler's first snapshot), then silence, then loud again; odd block sizes.
    const amp = k < 24 ? (k % 4 < 2 ? 1.5 : 0.3) : k < 32 ? 0 : 0.9;
    const n = k % 2 === 0 ? 256 : 97;
    for (let i = 0; i < n; i++, phase++) {
      l[i] = amp * Math.sin(phase * 0.41);
      r[i] = amp * Math.sin(phase * 0.29 + 1);
    }
    lim.process(bufs, n);
  }
}

