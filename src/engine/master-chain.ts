/**
 * One master output chain: trim → EQ (5 bands, the strip types plus tilt) → 3-band multiband
 * compressor → stereo width → loudness leveller → look-ahead true-peak limiter, then metering.
 *
 * The chain reads its parameters from the engine's table (prefix `master` or `master/k`) and
 * calls a block's setter only when one of its parameters moved. It measures its own output:
 * level (peak/hold/RMS), BS.1770 loudness (momentary and short-term every block; integrated,
 * range and the projection of where the integrated value will land once a second, counted in
 * samples), phase correlation, and the gain changes of the leveller, limiter and multiband.
 * Every 100 ms step of the meter goes into a LoudnessHistory, from which the conformity report
 * is built when the show ends.
 *
 * Allocation-free in steady state (docs/engine.md; `npm run bench -- engine.bytes`). V8 boxes
 * (allocates) every double that crosses a call it did not inline and every intermediate value
 * of code it has not compiled, and it compiles a method only once it has run a lot. So: the
 * parameter check is one loop over all the chain's parameters; the loudness (LiveLoudness,
 * src/engine/live-loudness.ts) writes the 100 ms step's work out in its metering loop and stages
 * the step in a LiveProjector, which once a second pushes the staged steps into the history and
 * recomputes integrated loudness, range and projection into fields, passing no number through a
 * call. That update runs too rarely to get compiled early in a show, so LiveLoudness runs the
 * live path on a synthetic programme first (`warmUpLiveProjection`), and the constructor does
 * the same for the leveller's 100 ms update and the limiter's limiting (`warmUpLeveller`,
 * `warmUpLimiter`): code first reached minutes into a show would throw the compiled code away
 * (and V8 may then leave a method uncompiled for long). The blocks' rarely taken branches are
 * written so that they need no new type feedback (both sides computed, fields that hold doubles
 * start as doubles).
 *
 * Latency: the limiter's look-ahead, fixed for a sample rate whatever the settings (a limiter
 * switched off still delays by the same amount), so switching never shifts time and every chain
 * of a mix has the same latency. `latency` reports it; offline renders drop it.
 */
import { chainMeterPoint } from '../model/master-params.js';
import type { MeterLayout } from '../model/meters.js';
import type { ParamRegistry } from '../model/registry.js';
import { dbToGain } from '../model/tapers.js';
import { changeCache } from './block.js';
import { Equalizer } from './filters.js';
import { SmoothGain } from './gain.js';
import { LevelMeter } from './level-meter.js';
import { LoudnessLeveller, warmUpLeveller } from './leveller.js';
import { TruePeakLimiter, warmUpLimiter } from './limiter.js';
import { LiveLoudness } from './live-loudness.js';
import type { LoudnessHistory } from './loudness-history.js';
import type { LiveProjector } from './loudness-projection.js';
import { lufsFromPower } from './loudness.js';
import { MultibandCompressor } from './multiband.js';
import { CorrelationMeter, StereoWidth } from './width.js';
import type { StereoBus } from './strip.js';

/** Chain meter fields after the 6 level fields (src/model/meters.ts CHAIN_FIELDS). */
const F_M = 6;
const F_S = 7;
const F_I = 8;
const F_LRA = 9;
const F_TP = 10;
const F_PROJ = 11;
const F_PROJ_LO = 12;
const F_PROJ_HI = 13;
const F_CORR = 14;
const F_LEV = 15;
const F_LIM = 16;
const F_MBC = 17;
const F_LAT = 20;

const EQ_BANDS = 5;
const MBC_BANDS = 3;

/** Parameter groups (bits of the `update` mask): each has one setter call. */
const G_MISC = 1;
const G_EQ = 2;
const G_MBC = 4;
const G_WIDTH = 8;
const G_LEV = 16;
const G_LIM = 32;

/** Meter floor (−120 dB), written as a literal: a module constant here can box the result. */
function floorDb(v: number): number {
  return v > -120 ? v : -120;
}

export class MasterChain {
  readonly latency: number;
  readonly sampleRate: number;
  /** Loudness of the chain's output since the last reset (meter, history, live projection). */
  readonly loudness: LiveLoudness;

  private readonly trim: SmoothGain[];
  private readonly eq: Equalizer;
  private readonly mbc: MultibandCompressor;
  private readonly width: StereoWidth;
  private readonly leveller: LoudnessLeveller;
  private readonly limiter: TruePeakLimiter;
  private readonly level: LevelMeter;
  private readonly corr: CorrelationMeter;

  private readonly pTarget: number;
  private readonly pMisc: Int32Array;
  private readonly pEq: Int32Array;
  private readonly pMbc: Int32Array;
  private readonly pWidth: Int32Array;
  private readonly pLev: Int32Array;
  private readonly pLim: Int32Array;
  /** Every parameter index of the chain (the p… arrays are views of it), its group bit, its last value (NaN: none yet). */
  private readonly pAll: Int32Array;
  private readonly gAll: Uint8Array;
  private readonly sAll: Float64Array;
  private readonly buf: StereoBus;
  private lastReset = 0;
  private first = true;

  constructor(
    registry: ParamRegistry,
    readonly prefix: string,
    sampleRate: number,
    maxBlock: number,
  ) {
    this.sampleRate = sampleRate;
    const a = (s: string): number => registry.index(`${prefix}/${s}`);
    this.pTarget = a('target');
    const eq = ['eq/on'];
    for (let b = 1; b <= EQ_BANDS; b++) eq.push(`eq/${b}/type`, `eq/${b}/freq`, `eq/${b}/gain`, `eq/${b}/q`);
    const mbc = ['mbc/on', 'mbc/xover/1', 'mbc/xover/2'];
    for (let b = 1; b <= MBC_BANDS; b++) for (const s of ['on', 'threshold', 'ratio', 'knee', 'attack', 'release', 'makeup']) mbc.push(`mbc/${b}/${s}`);
    const groups: [number, string[]][] = [
      [G_MISC, ['trim', 'meter/reset', 'duration']],
      [G_EQ, eq],
      [G_MBC, mbc],
      [G_WIDTH, ['width/amount', 'width/bassmono']],
      [G_LEV, ['leveller/on', 'target', 'leveller/maxboost', 'leveller/maxcut', 'leveller/rate', 'leveller/hold']],
      [G_LIM, ['limiter/on', 'limiter/ceiling', 'limiter/release']],
    ];
    const names = groups.flatMap(([, n]) => n);
    this.pAll = Int32Array.from(names, a);
    this.gAll = Uint8Array.from(groups.flatMap(([g, n]) => n.map(() => g)));
    this.sAll = changeCache(names.length);
    const views: Int32Array[] = [];
    let at = 0;
    for (const [, n] of groups) {
      views.push(this.pAll.subarray(at, at + n.length));
      at += n.length;
    }
    [this.pMisc, this.pEq, this.pMbc, this.pWidth, this.pLev, this.pLim] = views;

    this.trim = [new SmoothGain(sampleRate, 1), new SmoothGain(sampleRate, 1)];
    this.eq = new Equalizer(2, sampleRate, EQ_BANDS);
    this.mbc = new MultibandCompressor(sampleRate, maxBlock);
    this.width = new StereoWidth(sampleRate);
    // The leveller's 100 ms update and the limiter's limiting are paths that first run seconds
    // or minutes into a show: warm them up first (leveller.ts, limiter.ts).
    warmUpLeveller();
    this.leveller = new LoudnessLeveller(sampleRate);
    warmUpLimiter();
    this.limiter = new TruePeakLimiter(2, sampleRate);
    this.latency = this.limiter.latency;
    this.level = new LevelMeter(sampleRate);
    this.corr = new CorrelationMeter(sampleRate);
    this.loudness = new LiveLoudness(sampleRate);
    this.buf = [new Float32Array(maxBlock), new Float32Array(maxBlock)];
  }

  /** Integrated loudness, range and projection, updated once a second. */
  get live(): LiveProjector {
    return this.loudness.live;
  }

  /** The programme's loudness history since the last loudness reset (for reports). */
  get history(): LoudnessHistory {
    return this.loudness.history;
  }

  /** The meter point name of chain k. */
  static meterPoint(k: number): string {
    return chainMeterPoint(k);
  }

  /** Clear every filter, envelope, delay line and the loudness measurement. */
  reset(): void {
    this.eq.reset();
    this.mbc.reset();
    this.width.reset();
    this.leveller.reset();
    this.limiter.reset();
    this.level.reset();
    this.resetLoudness();
    this.sAll.fill(Number.NaN);
    this.first = true;
  }

  /** Start the loudness measurement afresh (the start of a show or a song). */
  resetLoudness(): void {
    this.loudness.reset();
    this.corr.reset();
  }

  subnormalStates(): number {
    return this.eq.subnormalStates() + this.mbc.subnormalStates() + this.width.subnormalStates() + this.leveller.subnormalStates() + this.limiter.subnormalStates();
  }

  /**
   * Call the blocks' setters for the parameters that moved (one scan of all of them; `changed`
   * of block.ts per group). Runs on every block: it does no arithmetic unless something moved,
   * and its scan keeps it compiled.
   */
  private update(t: Float64Array): void {
    const all = this.pAll;
    const last = this.sAll;
    const group = this.gAll;
    let moved = 0;
    for (let i = 0; i < all.length; i++) {
      const v = t[all[i]];
      if (v !== last[i]) {
        last[i] = v;
        moved |= group[i];
      }
    }
    if (moved === 0) return;
    let p = this.pMisc;
    if (moved & G_MISC) {
      const tg = dbToGain(t[p[0]]);
      this.trim[0].target = tg;
      this.trim[1].target = tg;
      if (this.first) {
        this.trim[0].jump(tg);
        this.trim[1].jump(tg);
      }
      const reset = t[p[1]] >= 0.5 ? 1 : 0;
      if (reset === 1 && this.lastReset === 0) this.resetLoudness();
      this.lastReset = reset;
      const minutes = t[p[2]];
      this.live.expectedDurationS = minutes > 0 ? minutes * 60 : Number.NaN;
    }
    p = this.pEq;
    if (moved & G_EQ) {
      this.eq.setOn(t[p[0]] >= 0.5);
      for (let b = 0; b < EQ_BANDS; b++) {
        const o = 1 + 4 * b;
        this.eq.setBand(b, Math.round(t[p[o]]), t[p[o + 1]], t[p[o + 2]], t[p[o + 3]]);
      }
    }
    p = this.pMbc;
    if (moved & G_MBC) {
      this.mbc.setOn(t[p[0]] >= 0.5);
      this.mbc.setCrossovers(t[p[1]], t[p[2]]);
      for (let b = 0; b < MBC_BANDS; b++) {
        const o = 3 + 7 * b;
        this.mbc.setBand(b, t[p[o]] >= 0.5, t[p[o + 1]], t[p[o + 2]], t[p[o + 3]], t[p[o + 4]], t[p[o + 5]], t[p[o + 6]]);
      }
    }
    p = this.pWidth;
    if (moved & G_WIDTH) this.width.set(t[p[0]], t[p[1]]);
    p = this.pLev;
    if (moved & G_LEV) {
      this.leveller.set(t[p[0]] >= 0.5, t[p[1]], t[p[2]], t[p[3]], t[p[4]], t[p[5]]);
      this.live.levellerTargetLufs = t[p[0]] >= 0.5 ? t[p[1]] : Number.NaN;
    }
    p = this.pLim;
    if (moved & G_LIM) this.limiter.set(t[p[0]] >= 0.5, t[p[1]], t[p[2]]);
  }

  /**
   * Process `n` samples of `input` (left untouched) into `outL`/`outR`, and write the chain's
   * meter fields at `meterOffset`.
   */
  process(t: Float64Array, input: StereoBus, outL: Float32Array, outR: Float32Array, n: number, meters: Float32Array, meterOffset: number): void {
    this.update(t);
    const b = this.buf;
    this.trim[0].apply(input[0], b[0], n);
    this.trim[1].apply(input[1], b[1], n);
    this.eq.process(b, n);
    this.mbc.process(b, n);
    this.width.process(b, n);
    this.leveller.process(b, n);
    this.limiter.process(b, n);
    const l = b[0];
    const r = b[1];
    for (let i = 0; i < n; i++) {
      outL[i] = l[i];
      outR[i] = r[i];
    }
    this.first = false;
    this.measure(outL, outR, n, meters, meterOffset);
  }

  private measure(l: Float32Array, r: Float32Array, n: number, m: Float32Array, o: number): void {
    this.level.measure(l, r, n, m, o);
    this.corr.measure(l, r, n);
    // Momentary, short-term, integrated, range, true peak and projection: six fields in a row.
    this.loudness.measure(l, r, n, m, o + F_M);
    const live = this.loudness.live;
    m[o + F_PROJ_LO] = floorDb(live.lowLufs);
    m[o + F_PROJ_HI] = floorDb(live.highLufs);
    m[o + F_CORR] = this.corr.value;
    m[o + F_LEV] = this.leveller.gainDb;
    m[o + F_LIM] = this.limiter.gainReductionDb;
    m[o + F_MBC] = this.mbc.gainReductionDb[0];
    m[o + F_MBC + 1] = this.mbc.gainReductionDb[1];
    m[o + F_MBC + 2] = this.mbc.gainReductionDb[2];
    m[o + F_LAT] = this.latency;
  }

  /** The chain's current target loudness (LUFS) and ceiling (dBTP), for reports. */
  targetOf(t: Float64Array): { integratedLufs: number; truePeakDbtp: number } {
    return { integratedLufs: t[this.pTarget], truePeakDbtp: t[this.pLim[1]] };
  }
}

export { lufsFromPower };
