/**
 * Biquad sections at run time, with click-free parameter changes, and the cascade that runs
 * them.
 *
 * A SmoothedBiquad is one section (transposed direct form II, a pair of float64 state values per
 * channel):
 * - Frequency (log domain), gain (dB) and Q (log domain) glide toward their targets with a
 *   one-pole of SMOOTH_MS. Coefficients are redesigned once every SMOOTH_STEP samples while a
 *   glide is under way, at sample positions counted across blocks (the cascade's position modulo
 *   SMOOTH_STEP), so the output does not depend on how the signal is cut into blocks. A glide
 *   snaps to its target once within a tiny distance; from then on nothing is recomputed.
 * - Switching the section on or off crossfades linearly between the dry input and the filtered
 *   signal over FADE_MS, per sample. A type change (e.g. peak to low-pass) cannot be
 *   interpolated, so the section fades out, switches type with cleared state and fades back in.
 * - A peak, shelf or tilt whose gain has reached 0 dB is an exact identity: once its leftover
 *   state has decayed below DRAIN_LEVEL the section stops running and costs nothing until its gain
 *   leaves 0 dB again (the gain then glides up from 0 dB, so there is no step either).
 * - The first `set`/`setEnabled` after construction or `reset()` (until a block has been
 *   processed after it) jumps straight to the target: a freshly loaded scene does not ramp.
 *
 * A BiquadCascade runs a fixed list of sections in series, in place. The recursion of one
 * section is latency-bound (each output waits for the previous one), so consecutive sections are
 * run two or three at a time in one loop, which lets the CPU overlap their chains: about twice
 * the throughput of one section per loop.
 *
 * Denormals: every state value goes through `flushDenormal` at each SMOOTH_STEP boundary (fixed
 * sample positions, so block-size invariant) rather than every sample, which would lengthen the
 * latency-bound chain. After a flush a state is 0 or above ~1e-46; falling from there to the
 * subnormal range (2.2e-308) within 16 samples would need every pole of the section below 5e-17
 * in magnitude, which no section of the strip has.
 */
import { flushDenormal, isSubnormal } from './block.js';
import { HIGHSHELF, LOWSHELF, PEAK, TILT, designBiquadFrom, newCoeffs, newDesignArgs, responseDb as coeffsDb } from './biquad.js';

/** Samples between coefficient redesigns and state flushes (a power of two). */
export const SMOOTH_STEP = 16;
const STEP_MASK = SMOOTH_STEP - 1;
/** Time constant of the parameter glide. */
export const SMOOTH_MS = 15;
/** Length of the on/off (and type change) crossfade. */
export const FADE_MS = 10;
/** State magnitude under which an identity section is dropped (-180 dBFS). */
export const DRAIN_LEVEL = 1e-9;

// Snap distances: 0.001 % in frequency and Q, 0.0001 dB in gain.
const EPS_LOG = 1e-5;
const EPS_DB = 1e-4;
const MIN_FREQ = 10;
const MIN_Q = 0.05;
const MAX_Q = 50;
const MAX_GAIN_DB = 30;

/** Types whose 0 dB setting is an identity (and so can be skipped). */
export function isShapingType(type: number): boolean {
  return type === PEAK || type === LOWSHELF || type === HIGHSHELF || type === TILT;
}

/** Clamp into [lo, hi]; NaN (which fails both comparisons) gives `fallback`. */
function clamp(x: number, lo: number, hi: number, fallback: number): number {
  if (x >= lo) return x <= hi ? x : hi;
  return x < lo ? lo : fallback;
}

export class SmoothedBiquad {
  readonly channels: number;
  readonly sampleRate: number;
  // Running coefficients and state, read and written by the cascade's loops.
  b0 = 1;
  b1 = 0;
  b2 = 0;
  a1 = 0;
  a2 = 0;
  /** [s1, s2] of each channel. */
  readonly state: Float64Array;
  /** Crossfade position, 0 (dry) .. fadeLen (filtered). */
  mixK: number;
  readonly fadeLen: number;
  readonly invFade: number;

  private readonly work = newCoeffs();
  private readonly args = newDesignArgs();
  /** Coefficients of the targets, for `responseDb`. */
  private readonly targetCoeffs = newCoeffs();

  // Last raw arguments, so that an unchanged `set` is one comparison.
  private rawType = NaN;
  private rawFreq = NaN;
  private rawGain = NaN;
  private rawQ = NaN;

  // Targets and the running (smoothed) values.
  private tType = PEAK;
  private tLogF = Math.log(1000);
  private tGain = 0;
  private tLogQ = Math.log(Math.SQRT1_2);
  private type = PEAK;
  private logF = Math.log(1000);
  private gain = 0;
  private logQ = Math.log(Math.SQRT1_2);

  private readonly maxFreq: number;
  /** One-pole factor applied once per SMOOTH_STEP samples. */
  private readonly glide: number;

  private enabled = true;
  private moving = false;
  /** The running coefficients are an exact identity (peak/shelf/tilt at 0 dB). */
  private identity = true;
  private running = false;
  // Until a block has been processed after the first call, parameters jump instead of gliding.
  private freshParams = true;
  private freshEnable = true;
  private touchedParams = false;
  private touchedEnable = false;

  constructor(channels: number, sampleRate: number) {
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.state = new Float64Array(2 * channels);
    this.maxFreq = 0.49 * sampleRate;
    this.glide = Math.exp(-(SMOOTH_STEP * 1000) / (SMOOTH_MS * sampleRate));
    this.fadeLen = Math.max(1, Math.round((FADE_MS * sampleRate) / 1000));
    this.invFade = 1 / this.fadeLen;
    this.mixK = this.fadeLen;
    this.jump();
    this.designTarget();
  }

  /** True while the section processes audio (false: the input passes untouched, at no cost). */
  get isRunning(): boolean {
    return this.running;
  }

  /** Needs a call to `step` at every SMOOTH_STEP boundary (gliding, or draining to identity). */
  get isStepping(): boolean {
    return this.moving || this.identity;
  }

  /** Crossfade target: filtered when enabled and no type change waits. */
  get fadeGoal(): number {
    return this.enabled && this.tType === this.type ? this.fadeLen : 0;
  }

  /** Set the targets. `type` indexes FILTER_TYPES of biquad.ts. Cheap when nothing changed. */
  set(type: number, freq: number, gainDb: number, q: number): void {
    if (type === this.rawType && freq === this.rawFreq && gainDb === this.rawGain && q === this.rawQ) return;
    this.rawType = type;
    this.rawFreq = freq;
    this.rawGain = gainDb;
    this.rawQ = q;
    const t = Math.round(type);
    if (t >= 0 && t <= TILT) this.tType = t;
    this.tLogF = Math.log(clamp(freq, MIN_FREQ, this.maxFreq, Math.exp(this.tLogF)));
    this.tGain = clamp(gainDb, -MAX_GAIN_DB, MAX_GAIN_DB, this.tGain);
    this.tLogQ = Math.log(clamp(q, MIN_Q, MAX_Q, Math.exp(this.tLogQ)));
    this.designTarget();
    this.touchedParams = true;

    if (this.freshParams) {
      this.type = this.tType;
      this.jump();
    } else if (!this.running) {
      if (this.tType !== this.type || !this.enabled) {
        // Nothing audible runs: switch at once, and fade in from dry if a new type starts.
        if (this.tType !== this.type) this.mixK = 0;
        this.type = this.tType;
        this.jump();
      } else {
        // Stopped at 0 dB: frequency and Q are inaudible there and jump; the gain glides.
        this.logF = this.tLogF;
        this.logQ = this.tLogQ;
        this.moving = this.gain !== this.tGain;
        this.design();
      }
    } else {
      // (During a type change the old section glides toward the new values as it fades out.)
      this.moving = this.logF !== this.tLogF || this.gain !== this.tGain || this.logQ !== this.tLogQ;
    }
    this.settle();
  }

  /** Switch the section in or out (crossfaded). */
  setEnabled(on: boolean): void {
    if (this.freshEnable) {
      this.touchedEnable = true;
      this.enabled = on;
      this.mixK = this.fadeGoal;
      this.settle();
      return;
    }
    if (on === this.enabled) return;
    this.touchedEnable = true;
    this.enabled = on;
    if (on && !this.running) {
      // Back from fully off: start from clean state at the current targets, faded in from dry.
      this.type = this.tType;
      this.jump();
      this.state.fill(0);
      this.mixK = 0;
    }
    this.settle();
  }

  /** Magnitude (dB) at `freq` of the target setting: 0 when switched off or at 0 dB. */
  responseDb(freq: number): number {
    if (!this.enabled || (isShapingType(this.tType) && this.tGain === 0)) return 0;
    return coeffsDb(this.targetCoeffs, freq, this.sampleRate);
  }

  reset(): void {
    this.state.fill(0);
    this.type = this.tType;
    this.jump();
    this.mixK = this.fadeGoal;
    this.freshParams = true;
    this.freshEnable = true;
    this.touchedParams = false;
    this.touchedEnable = false;
    this.settle();
  }

  subnormalStates(): number {
    let n = 0;
    for (let i = 0; i < this.state.length; i++) if (isSubnormal(this.state[i])) n++;
    return n;
  }

  /** Called by the cascade at the start of every block. */
  beginBlock(): void {
    if (this.touchedParams) this.freshParams = false;
    if (this.touchedEnable) this.freshEnable = false;
  }

  /** One glide step (at a SMOOTH_STEP boundary), then the drain check of an identity section. */
  step(): void {
    if (this.moving) {
      const k = this.glide;
      const dF = this.logF - this.tLogF;
      const dG = this.gain - this.tGain;
      const dQ = this.logQ - this.tLogQ;
      if (dF < EPS_LOG && dF > -EPS_LOG && dG < EPS_DB && dG > -EPS_DB && dQ < EPS_LOG && dQ > -EPS_LOG) {
        this.logF = this.tLogF;
        this.gain = this.tGain;
        this.logQ = this.tLogQ;
        this.moving = false;
      } else {
        this.logF = this.tLogF + dF * k;
        this.gain = this.tGain + dG * k;
        this.logQ = this.tLogQ + dQ * k;
      }
      this.design();
    }
    if (this.identity && !this.moving) this.settle();
  }

  /** Called by the cascade when the crossfade has reached its goal. */
  fadeDone(): void {
    this.settle();
  }

  /** Decide whether the section runs, after any change and at the end of a fade. */
  private settle(): void {
    if (this.tType !== this.type && (this.mixK === 0 || (this.identity && !this.moving && this.drained()))) {
      // An inaudible moment (faded out, or an identity): switch type with clean state and fade
      // the new type in from dry.
      this.type = this.tType;
      this.jump();
      this.state.fill(0);
      this.mixK = 0;
    }
    if ((this.mixK === 0 && !this.enabled) || (this.identity && !this.moving && this.drained())) {
      // Output = input from here on; a pending glide completes at once (it is inaudible).
      this.state.fill(0);
      this.jump();
      this.mixK = this.fadeGoal;
      this.running = false;
      return;
    }
    this.running = true;
  }

  private drained(): boolean {
    const s = this.state;
    for (let i = 0; i < s.length; i++) if (s[i] > DRAIN_LEVEL || s[i] < -DRAIN_LEVEL) return false;
    return true;
  }

  /** Running values := targets (no glide). */
  private jump(): void {
    this.logF = this.tLogF;
    this.gain = this.tGain;
    this.logQ = this.tLogQ;
    this.moving = false;
    this.design();
  }

  /** The target's coefficients (for the response and the crossfade's goal). */
  private designTarget(): void {
    const p = this.args;
    p[0] = Math.exp(this.tLogF);
    p[1] = this.tGain;
    p[2] = Math.exp(this.tLogQ);
    designBiquadFrom(this.targetCoeffs, this.tType, p, this.sampleRate);
  }

  /** The running coefficients, at every glide step: the arguments go in a typed array (no boxing). */
  private design(): void {
    const c = this.work;
    const p = this.args;
    p[0] = Math.exp(this.logF);
    p[1] = this.gain;
    p[2] = Math.exp(this.logQ);
    designBiquadFrom(c, this.type, p, this.sampleRate);
    this.b0 = c[0];
    this.b1 = c[1];
    this.b2 = c[2];
    this.a1 = c[3];
    this.a2 = c[4];
    this.identity = this.gain === 0 && isShapingType(this.type);
  }
}

/**
 * A fixed series of sections processed in place. Sections that are not running are skipped;
 * consecutive steady sections run in fused loops of up to three.
 */
export class BiquadCascade {
  readonly channels: number;
  readonly sections: readonly SmoothedBiquad[];
  /** Sample position modulo SMOOTH_STEP, counted over all processed samples. */
  private pos = 0;
  /** Scratch: indices of running sections this chunk, and whether each is fading. */
  private readonly live: Int32Array;
  private readonly fading: Uint8Array;

  constructor(channels: number, sampleRate: number, sections: number) {
    this.channels = channels;
    const list: SmoothedBiquad[] = [];
    for (let i = 0; i < sections; i++) list.push(new SmoothedBiquad(channels, sampleRate));
    this.sections = list;
    this.live = new Int32Array(sections);
    this.fading = new Uint8Array(sections);
  }

  process(buffers: readonly Float32Array[], frames: number): void {
    const secs = this.sections;
    const count = secs.length;
    let any = false;
    for (let s = 0; s < count; s++) {
      secs[s].beginBlock();
      if (secs[s].isRunning) any = true;
    }
    if (!any) {
      this.pos = (this.pos + frames) & STEP_MASK;
      return;
    }
    let i = 0;
    while (i < frames) {
      const pos = this.pos;
      // Glide steps and drain checks happen on the boundaries only.
      if (pos === 0) for (let s = 0; s < count; s++) if (secs[s].isRunning && secs[s].isStepping) secs[s].step();
      let n = frames - i;
      let stepping = false;
      let live = 0;
      for (let s = 0; s < count; s++) {
        const sec = secs[s];
        if (!sec.isRunning) continue;
        if (sec.isStepping) stepping = true;
        const goal = sec.fadeGoal;
        const f = sec.mixK !== goal;
        if (f) {
          const r = goal > sec.mixK ? goal - sec.mixK : sec.mixK - goal;
          if (n > r) n = r;
        }
        this.fading[live] = f ? 1 : 0;
        this.live[live++] = s;
      }
      if (stepping && n > SMOOTH_STEP - pos) n = SMOOTH_STEP - pos;
      if (live > 0) this.runChunk(buffers, live, i, i + n, pos);
      // Advance crossfades; a fade that reached its goal may stop its section or switch its type.
      for (let l = 0; l < live; l++) {
        if (this.fading[l] === 0) continue;
        const sec = secs[this.live[l]];
        sec.mixK += sec.fadeGoal > sec.mixK ? n : -n;
        if (sec.mixK === sec.fadeGoal) sec.fadeDone();
      }
      i += n;
      this.pos = (pos + n) & STEP_MASK;
    }
  }

  reset(): void {
    this.pos = 0;
    for (let s = 0; s < this.sections.length; s++) this.sections[s].reset();
  }

  subnormalStates(): number {
    let n = 0;
    for (let s = 0; s < this.sections.length; s++) n += this.sections[s].subnormalStates();
    return n;
  }

  /** Run the live sections over [start, end) in order, fusing runs of steady ones. */
  private runChunk(buffers: readonly Float32Array[], live: number, start: number, end: number, pos: number): void {
    const secs = this.sections;
    const ch = this.channels;
    let l = 0;
    while (l < live) {
      const a = secs[this.live[l]];
      if (this.fading[l] === 1) {
        runFade(a, buffers, ch, start, end, pos);
        l++;
        continue;
      }
      let run = 1;
      while (l + run < live && this.fading[l + run] === 0) run++;
      // Three at a time is fastest; four go as two pairs (in one loop) rather than three and a single.
      if (run === 1) {
        run1(a, buffers, ch, start, end, pos);
        l += 1;
      } else if (run === 4) {
        run2x2(a, secs[this.live[l + 1]], secs[this.live[l + 2]], secs[this.live[l + 3]], buffers, ch, start, end, pos);
        l += 4;
      } else if (run === 3 || run === 5) {
        run3(a, secs[this.live[l + 1]], secs[this.live[l + 2]], buffers, ch, start, end, pos);
        l += 3;
      } else {
        run2(a, secs[this.live[l + 1]], buffers, ch, start, end, pos);
        l += 2;
      }
    }
  }
}

// The loops below process [start, end) of every channel; `pos` is the position of `start`
// modulo SMOOTH_STEP, and the state is flushed whenever a boundary is crossed.

function run1(a: SmoothedBiquad, buffers: readonly Float32Array[], channels: number, start: number, end: number, pos: number): void {
  const ab0 = a.b0, ab1 = a.b1, ab2 = a.b2, aa1 = a.a1, aa2 = a.a2;
  const as = a.state;
  for (let c = 0; c < channels; c++) {
    const buf = buffers[c];
    let p1 = as[2 * c], p2 = as[2 * c + 1];
    let i = start, edge = start + SMOOTH_STEP - pos;
    for (;;) {
      const stop = edge < end ? edge : end;
      for (; i < stop; i++) {
        const x = buf[i];
        const y = ab0 * x + p1;
        p1 = ab1 * x - aa1 * y + p2;
        p2 = ab2 * x - aa2 * y;
        buf[i] = y;
      }
      if (stop === edge) {
        p1 = flushDenormal(p1); p2 = flushDenormal(p2);
      }
      if (stop === end) break;
      edge += SMOOTH_STEP;
    }
    as[2 * c] = p1; as[2 * c + 1] = p2;
  }
}

function run2(a: SmoothedBiquad, b: SmoothedBiquad, buffers: readonly Float32Array[], channels: number, start: number, end: number, pos: number): void {
  const ab0 = a.b0, ab1 = a.b1, ab2 = a.b2, aa1 = a.a1, aa2 = a.a2;
  const bb0 = b.b0, bb1 = b.b1, bb2 = b.b2, ba1 = b.a1, ba2 = b.a2;
  const as = a.state, bs = b.state;
  for (let c = 0; c < channels; c++) {
    const buf = buffers[c];
    let p1 = as[2 * c], p2 = as[2 * c + 1], q1 = bs[2 * c], q2 = bs[2 * c + 1];
    let i = start, edge = start + SMOOTH_STEP - pos;
    for (;;) {
      const stop = edge < end ? edge : end;
      for (; i < stop; i++) {
        const x = buf[i];
        const y = ab0 * x + p1;
        p1 = ab1 * x - aa1 * y + p2;
        p2 = ab2 * x - aa2 * y;
        const z = bb0 * y + q1;
        q1 = bb1 * y - ba1 * z + q2;
        q2 = bb2 * y - ba2 * z;
        buf[i] = z;
      }
      if (stop === edge) {
        p1 = flushDenormal(p1); p2 = flushDenormal(p2);
        q1 = flushDenormal(q1); q2 = flushDenormal(q2);
      }
      if (stop === end) break;
      edge += SMOOTH_STEP;
    }
    as[2 * c] = p1; as[2 * c + 1] = p2;
    bs[2 * c] = q1; bs[2 * c + 1] = q2;
  }
}

function run3(a: SmoothedBiquad, b: SmoothedBiquad, d: SmoothedBiquad, buffers: readonly Float32Array[], channels: number, start: number, end: number, pos: number): void {
  const ab0 = a.b0, ab1 = a.b1, ab2 = a.b2, aa1 = a.a1, aa2 = a.a2;
  const bb0 = b.b0, bb1 = b.b1, bb2 = b.b2, ba1 = b.a1, ba2 = b.a2;
  const db0 = d.b0, db1 = d.b1, db2 = d.b2, da1 = d.a1, da2 = d.a2;
  const as = a.state, bs = b.state, ds = d.state;
  for (let c = 0; c < channels; c++) {
    const buf = buffers[c];
    let p1 = as[2 * c], p2 = as[2 * c + 1], q1 = bs[2 * c], q2 = bs[2 * c + 1];
    let r1 = ds[2 * c], r2 = ds[2 * c + 1];
    let i = start, edge = start + SMOOTH_STEP - pos;
    for (;;) {
      const stop = edge < end ? edge : end;
      for (; i < stop; i++) {
        const x = buf[i];
        const y = ab0 * x + p1;
        p1 = ab1 * x - aa1 * y + p2;
        p2 = ab2 * x - aa2 * y;
        const z = bb0 * y + q1;
        q1 = bb1 * y - ba1 * z + q2;
        q2 = bb2 * y - ba2 * z;
        const w = db0 * z + r1;
        r1 = db1 * z - da1 * w + r2;
        r2 = db2 * z - da2 * w;
        buf[i] = w;
      }
      if (stop === edge) {
        p1 = flushDenormal(p1); p2 = flushDenormal(p2);
        q1 = flushDenormal(q1); q2 = flushDenormal(q2);
        r1 = flushDenormal(r1); r2 = flushDenormal(r2);
      }
      if (stop === end) break;
      edge += SMOOTH_STEP;
    }
    as[2 * c] = p1; as[2 * c + 1] = p2;
    bs[2 * c] = q1; bs[2 * c + 1] = q2;
    ds[2 * c] = r1; ds[2 * c + 1] = r2;
  }
}

/**
 * Two `run2` passes in one loop, bit for bit (`Math.fround` is run2's float32 store and reload
 * between the pairs): the CPU overlaps four recursions instead of two, with one load and store.
 */
function run2x2(a: SmoothedBiquad, b: SmoothedBiquad, d: SmoothedBiquad, e: SmoothedBiquad, buffers: readonly Float32Array[], channels: number, start: number, end: number, pos: number): void {
  const ab0 = a.b0, ab1 = a.b1, ab2 = a.b2, aa1 = a.a1, aa2 = a.a2;
  const bb0 = b.b0, bb1 = b.b1, bb2 = b.b2, ba1 = b.a1, ba2 = b.a2;
  const db0 = d.b0, db1 = d.b1, db2 = d.b2, da1 = d.a1, da2 = d.a2;
  const eb0 = e.b0, eb1 = e.b1, eb2 = e.b2, ea1 = e.a1, ea2 = e.a2;
  const as = a.state, bs = b.state, ds = d.state, es = e.state;
  for (let c = 0; c < channels; c++) {
    const buf = buffers[c];
    let p1 = as[2 * c], p2 = as[2 * c + 1], q1 = bs[2 * c], q2 = bs[2 * c + 1];
    let r1 = ds[2 * c], r2 = ds[2 * c + 1], t1 = es[2 * c], t2 = es[2 * c + 1];
    let i = start, edge = start + SMOOTH_STEP - pos;
    for (;;) {
      const stop = edge < end ? edge : end;
      for (; i < stop; i++) {
        const x = buf[i];
        const y = ab0 * x + p1;
        p1 = ab1 * x - aa1 * y + p2;
        p2 = ab2 * x - aa2 * y;
        const z = bb0 * y + q1;
        q1 = bb1 * y - ba1 * z + q2;
        q2 = bb2 * y - ba2 * z;
        const u = Math.fround(z);
        const w = db0 * u + r1;
        r1 = db1 * u - da1 * w + r2;
        r2 = db2 * u - da2 * w;
        const o = eb0 * w + t1;
        t1 = eb1 * w - ea1 * o + t2;
        t2 = eb2 * w - ea2 * o;
        buf[i] = o;
      }
      if (stop === edge) {
        p1 = flushDenormal(p1); p2 = flushDenormal(p2);
        q1 = flushDenormal(q1); q2 = flushDenormal(q2);
        r1 = flushDenormal(r1); r2 = flushDenormal(r2);
        t1 = flushDenormal(t1); t2 = flushDenormal(t2);
      }
      if (stop === end) break;
      edge += SMOOTH_STEP;
    }
    as[2 * c] = p1; as[2 * c + 1] = p2;
    bs[2 * c] = q1; bs[2 * c + 1] = q2;
    ds[2 * c] = r1; ds[2 * c + 1] = r2;
    es[2 * c] = t1; es[2 * c + 1] = t2;
  }
}

/** One section mixed with the dry input by its crossfade position (±1 per sample). */
function runFade(a: SmoothedBiquad, buffers: readonly Float32Array[], channels: number, start: number, end: number, pos: number): void {
  const ab0 = a.b0, ab1 = a.b1, ab2 = a.b2, aa1 = a.a1, aa2 = a.a2;
  const as = a.state;
  const inv = a.invFade;
  const dir = a.fadeGoal > a.mixK ? 1 : -1;
  for (let c = 0; c < channels; c++) {
    const buf = buffers[c];
    let p1 = as[2 * c], p2 = as[2 * c + 1];
    let k = a.mixK;
    let i = start, edge = start + SMOOTH_STEP - pos;
    for (;;) {
      const stop = edge < end ? edge : end;
      for (; i < stop; i++) {
        const x = buf[i];
        const y = ab0 * x + p1;
        p1 = ab1 * x - aa1 * y + p2;
        p2 = ab2 * x - aa2 * y;
        k += dir;
        buf[i] = x + k * inv * (y - x);
      }
      if (stop === edge) {
        p1 = flushDenormal(p1); p2 = flushDenormal(p2);
      }
      if (stop === end) break;
      edge += SMOOTH_STEP;
    }
    as[2 * c] = p1; as[2 * c + 1] = p2;
  }
}
