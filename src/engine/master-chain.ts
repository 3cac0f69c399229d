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
 * Latency: the limiter's look-ahead, fixed for a sample rate whatever the settings (a limiter
 * switched off still delays by the same amount), so switching never shifts time and every chain
 * of a mix has the same latency. `latency` reports it; offline renders drop it.
 */
import { chainMeterPoint } from '../model/master-params.js';
import type { MeterLayout } from '../model/meters.js';
import type { ParamRegistry } from '../model/registry.js';
import { dbToGain } from '../model/tapers.js';
import { changeCache, changed } from './block.js';
import { Equalizer } from './filters.js';
import { SmoothGain } from './gain.js';
import { LevelMeter } from './level-meter.js';
import { LoudnessLeveller } from './leveller.js';
import { TruePeakLimiter } from './limiter.js';
import { LoudnessHistory } from './loudness-history.js';
import { projectIntegrated } from './loudness-projection.js';
import { LoudnessMeter, lufsFromPower } from './loudness.js';
import { MultibandCompressor } from './multiband.js';
import { TruePeakDetector } from './true-peak.js';
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
const FLOOR = -120;

const EQ_BANDS = 5;
const MBC_BANDS = 3;

function floorDb(v: number): number {
  return v > FLOOR ? v : FLOOR;
}

export class MasterChain {
  readonly latency: number;
  readonly sampleRate: number;
  /** Loudness of the chain's output since the last reset. */
  readonly meter: LoudnessMeter;
  readonly history: LoudnessHistory;

  private readonly trim: SmoothGain[];
  private readonly eq: Equalizer;
  private readonly mbc: MultibandCompressor;
  private readonly width: StereoWidth;
  private readonly leveller: LoudnessLeveller;
  private readonly limiter: TruePeakLimiter;
  private readonly level: LevelMeter;
  private readonly corr: CorrelationMeter;
  private readonly stepPeak: TruePeakDetector;

  private readonly pTrim: number;
  private readonly pTarget: number;
  private readonly pDuration: number;
  private readonly pReset: number;
  private readonly pEq: Int32Array;
  private readonly pMbc: Int32Array;
  private readonly pWidth: Int32Array;
  private readonly pLev: Int32Array;
  private readonly pLim: Int32Array;
  private readonly sEq: Float64Array;
  private readonly sMbc: Float64Array;
  private readonly sWidth: Float64Array;
  private readonly sLev: Float64Array;
  private readonly sLim: Float64Array;
  private readonly buf: StereoBus;
  private readonly pair: Float32Array[] = [new Float32Array(0), new Float32Array(0)];
  private readonly tickLen: number;
  private readonly stepLen: number;
  private readonly statsLen: number;

  private stepPos = 0;
  private steps = 0;
  private statsPos = 0;
  private lastReset = 0;
  private first = true;
  private integrated = Number.NEGATIVE_INFINITY;
  private range = 0;
  private projected = Number.NEGATIVE_INFINITY;
  private projectedLow = Number.NEGATIVE_INFINITY;
  private projectedHigh = Number.NEGATIVE_INFINITY;
  private truePeakMax = 0;

  constructor(
    registry: ParamRegistry,
    readonly prefix: string,
    sampleRate: number,
    maxBlock: number,
  ) {
    this.sampleRate = sampleRate;
    const a = (s: string): number => registry.index(`${prefix}/${s}`);
    this.pTrim = a('trim');
    this.pTarget = a('target');
    this.pDuration = a('duration');
    this.pReset = a('meter/reset');
    const eq = ['eq/on'];
    for (let b = 1; b <= EQ_BANDS; b++) eq.push(`eq/${b}/type`, `eq/${b}/freq`, `eq/${b}/gain`, `eq/${b}/q`);
    this.pEq = Int32Array.from(eq, a);
    const mbc = ['mbc/on', 'mbc/xover/1', 'mbc/xover/2'];
    for (let b = 1; b <= MBC_BANDS; b++) for (const s of ['on', 'threshold', 'ratio', 'knee', 'attack', 'release', 'makeup']) mbc.push(`mbc/${b}/${s}`);
    this.pMbc = Int32Array.from(mbc, a);
    this.pWidth = Int32Array.from(['width/amount', 'width/bassmono'], a);
    this.pLev = Int32Array.from(['leveller/on', 'target', 'leveller/maxboost', 'leveller/maxcut', 'leveller/rate', 'leveller/hold'], a);
    this.pLim = Int32Array.from(['limiter/on', 'limiter/ceiling', 'limiter/release'], a);
    this.sEq = changeCache(this.pEq.length);
    this.sMbc = changeCache(this.pMbc.length);
    this.sWidth = changeCache(this.pWidth.length);
    this.sLev = changeCache(this.pLev.length);
    this.sLim = changeCache(this.pLim.length);

    this.trim = [new SmoothGain(sampleRate, 1), new SmoothGain(sampleRate, 1)];
    this.eq = new Equalizer(2, sampleRate, EQ_BANDS);
    this.mbc = new MultibandCompressor(sampleRate, maxBlock);
    this.width = new StereoWidth(sampleRate);
    this.leveller = new LoudnessLeveller(sampleRate);
    this.limiter = new TruePeakLimiter(2, sampleRate);
    this.latency = this.limiter.latency;
    this.level = new LevelMeter(sampleRate);
    this.corr = new CorrelationMeter(sampleRate);
    this.meter = new LoudnessMeter(sampleRate, 2);
    this.history = new LoudnessHistory();
    this.stepPeak = new TruePeakDetector(sampleRate, 2);
    this.tickLen = this.meter.tickLen;
    this.stepLen = this.tickLen * 10;
    this.statsLen = this.tickLen * 100;
    this.buf = [new Float32Array(maxBlock), new Float32Array(maxBlock)];
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
    for (const c of [this.sEq, this.sMbc, this.sWidth, this.sLev, this.sLim]) c.fill(Number.NaN);
    this.first = true;
  }

  /** Start the loudness measurement afresh (the start of a show or a song). */
  resetLoudness(): void {
    this.meter.reset();
    this.history.clear();
    this.stepPeak.reset();
    this.corr.reset();
    this.stepPos = 0;
    this.steps = 0;
    this.statsPos = 0;
    this.integrated = Number.NEGATIVE_INFINITY;
    this.range = 0;
    this.projected = Number.NEGATIVE_INFINITY;
    this.projectedLow = Number.NEGATIVE_INFINITY;
    this.projectedHigh = Number.NEGATIVE_INFINITY;
    this.truePeakMax = 0;
  }

  subnormalStates(): number {
    return this.eq.subnormalStates() + this.mbc.subnormalStates() + this.width.subnormalStates() + this.leveller.subnormalStates() + this.limiter.subnormalStates();
  }

  private update(t: Float64Array): void {
    const tg = dbToGain(t[this.pTrim]);
    this.trim[0].target = tg;
    this.trim[1].target = tg;
    if (this.first) {
      this.trim[0].jump(tg);
      this.trim[1].jump(tg);
    }
    const reset = t[this.pReset] >= 0.5 ? 1 : 0;
    if (reset === 1 && this.lastReset === 0) this.resetLoudness();
    this.lastReset = reset;

    let p = this.pEq;
    if (changed(t, p, this.sEq)) {
      this.eq.setOn(t[p[0]] >= 0.5);
      for (let b = 0; b < EQ_BANDS; b++) {
        const o = 1 + 4 * b;
        this.eq.setBand(b, Math.round(t[p[o]]), t[p[o + 1]], t[p[o + 2]], t[p[o + 3]]);
      }
    }
    p = this.pMbc;
    if (changed(t, p, this.sMbc)) {
      this.mbc.setOn(t[p[0]] >= 0.5);
      this.mbc.setCrossovers(t[p[1]], t[p[2]]);
      for (let b = 0; b < MBC_BANDS; b++) {
        const o = 3 + 7 * b;
        this.mbc.setBand(b, t[p[o]] >= 0.5, t[p[o + 1]], t[p[o + 2]], t[p[o + 3]], t[p[o + 4]], t[p[o + 5]], t[p[o + 6]]);
      }
    }
    p = this.pWidth;
    if (changed(t, p, this.sWidth)) this.width.set(t[p[0]], t[p[1]]);
    p = this.pLev;
    if (changed(t, p, this.sLev)) this.leveller.set(t[p[0]] >= 0.5, t[p[1]], t[p[2]], t[p[3]], t[p[4]], t[p[5]]);
    p = this.pLim;
    if (changed(t, p, this.sLim)) this.limiter.set(t[p[0]] >= 0.5, t[p[1]], t[p[2]]);
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
    this.measure(t, outL, outR, n, meters, meterOffset);
  }

  private measure(t: Float64Array, l: Float32Array, r: Float32Array, n: number, m: Float32Array, o: number): void {
    this.level.measure(l, r, n, m, o);
    this.corr.measure(l, r, n);
    // Feed the loudness meter in pieces that end on its 100 ms steps, so every step's
    // momentary and short-term values can be recorded exactly.
    let i = 0;
    while (i < n) {
      const room = this.stepLen - this.stepPos;
      const k = n - i < room ? n - i : room;
      this.pair[0] = l;
      this.pair[1] = r;
      this.meter.processRange(this.pair, i, k);
      this.stepPeak.process(0, l, i, k);
      this.stepPeak.process(1, r, i, k);
      i += k;
      this.stepPos += k;
      if (this.stepPos === this.stepLen) this.endStep();
      this.statsPos += k;
      if (this.statsPos >= this.statsLen) {
        this.statsPos = 0;
        this.updateStats(t);
      }
    }
    m[o + F_M] = floorDb(this.meter.momentaryLufs());
    m[o + F_S] = floorDb(this.meter.shortTermLufs());
    m[o + F_I] = floorDb(this.integrated);
    m[o + F_LRA] = this.range;
    m[o + F_TP] = this.truePeakMax > 0 ? floorDb(20 * Math.log10(this.truePeakMax)) : FLOOR;
    m[o + F_PROJ] = floorDb(this.projected);
    m[o + F_PROJ_LO] = floorDb(this.projectedLow);
    m[o + F_PROJ_HI] = floorDb(this.projectedHigh);
    m[o + F_CORR] = this.corr.value;
    m[o + F_LEV] = this.leveller.gainDb;
    m[o + F_LIM] = this.limiter.gainReductionDb;
    m[o + F_MBC] = this.mbc.gainReductionDb[0];
    m[o + F_MBC + 1] = this.mbc.gainReductionDb[1];
    m[o + F_MBC + 2] = this.mbc.gainReductionDb[2];
    m[o + F_LAT] = this.latency;
  }

  private endStep(): void {
    this.stepPos = 0;
    this.steps++;
    const tp = this.stepPeak.truePeak();
    this.stepPeak.resetPeaks();
    if (tp > this.truePeakMax) this.truePeakMax = tp;
    // The first gating block ends at 400 ms; short-term values exist from 3 s.
    if (this.steps < 4) return;
    const mPow = powerOf(this.meter.momentaryLufs());
    const sPow = this.steps >= 30 ? powerOf(this.meter.shortTermLufs()) : 0;
    this.history.push(mPow, sPow, tp);
  }

  private updateStats(t: Float64Array): void {
    const h = this.history;
    // Constant-cost, allocation-free forms (0.01 LU histograms) for the render thread.
    this.integrated = h.liveIntegratedLufs();
    this.range = h.liveLoudnessRangeLu();
    const levellerOn = t[this.pLev[0]] >= 0.5;
    const minutes = t[this.pDuration];
    // Once a second: a few small objects, O(history) work (docs/loudness.md, projection).
    const p = projectIntegrated({
      history: h,
      expectedDurationS: minutes > 0 ? minutes * 60 : undefined,
      levellerTargetLufs: levellerOn ? t[this.pTarget] : undefined,
    });
    this.projected = p.projectedLufs;
    this.projectedLow = p.lowLufs;
    this.projectedHigh = p.highLufs;
  }

  /** The chain's current target loudness (LUFS) and ceiling (dBTP), for reports. */
  targetOf(t: Float64Array): { integratedLufs: number; truePeakDbtp: number } {
    return { integratedLufs: t[this.pTarget], truePeakDbtp: t[this.pLim[1]] };
  }
}

function powerOf(lufs: number): number {
  return lufs > -1e9 ? Math.pow(10, (lufs + 0.691) / 10) : 0;
}

export { lufsFromPower };
