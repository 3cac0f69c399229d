/**
 * Live BS.1770 / EBU R128 loudness of one stereo point in the render plane: momentary and
 * short-term every block, integrated, range and the projection once a second (counted in
 * samples), the true peak, and a LoudnessHistory of every 100 ms step for reports.
 *
 * Every master chain measures its output with one, and the engine's loudness tap (parameter
 * `loudness/source`) uses one to measure any other bus: the monitor, an aux, an FX return or a
 * group. Allocation-free in steady state, written like the
 * master chain's metering (src/engine/master-chain.ts): the step's work is written out in the
 * metering loop and staged in the LiveProjector, which folds it into the history once a second.
 */
import { LoudnessHistory } from './loudness-history.js';
import { LIVE_STAGE_STEPS, LiveProjector, warmUpLiveProjection } from './loudness-projection.js';
import { LoudnessMeter } from './loudness.js';
import { TruePeakDetector } from './true-peak.js';

/** Fields a loudness tap writes (src/model/meters.ts LOUDNESS_FIELDS), in order. */
const F_M = 0;
const F_S = 1;
const F_I = 2;
const F_LRA = 3;
const F_TP = 4;
const F_PROJ = 5;

export class LiveLoudness {
  readonly meter: LoudnessMeter;
  readonly live: LiveProjector;
  private readonly hist: LoudnessHistory;
  private readonly stepPeak: TruePeakDetector;
  private readonly pair: Float32Array[] = [new Float32Array(0), new Float32Array(0)];
  private readonly stepLen: number;
  private readonly statsLen: number;
  private stepPos = 0;
  private steps = 0;
  private statsPos = 0;
  /** (NaN until the constructor sets it: a double field from the start.) */
  private truePeakMax = NaN;

  constructor(readonly sampleRate: number) {
    this.meter = new LoudnessMeter(sampleRate, 2);
    // Warm up first: objects made afterwards get the field layouts the warm-up settled, so the
    // compiled code fits them (see master-chain.ts).
    warmUpLiveProjection();
    this.hist = new LoudnessHistory();
    this.live = new LiveProjector(this.hist);
    this.stepPeak = new TruePeakDetector(sampleRate, 2);
    this.stepLen = this.meter.tickLen * 10;
    this.statsLen = this.meter.tickLen * 100;
    this.truePeakMax = 0;
  }

  /** The loudness history since the last reset (for reports). */
  get history(): LoudnessHistory {
    this.live.flush();
    return this.hist;
  }

  reset(): void {
    this.meter.reset();
    this.hist.clear();
    this.live.reset();
    this.stepPeak.reset();
    this.stepPos = 0;
    this.steps = 0;
    this.statsPos = 0;
    this.truePeakMax = 0;
  }

  /** Measure `n` samples of `l`/`r` and write 6 fields (M, S, I, LRA, TP, projection) at `o`. */
  measure(l: Float32Array, r: Float32Array, n: number, m: Float32Array, o: number): void {
    const live = this.live;
    let i = 0;
    let ml = Number.NEGATIVE_INFINITY;
    let sl = Number.NEGATIVE_INFINITY;
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
      const tp = this.stepPeak.truePeak();
      ml = this.meter.momentaryLufs();
      sl = this.meter.shortTermLufs();
      if (this.stepPos === this.stepLen) {
        this.stepPos = 0;
        this.steps++;
        this.stepPeak.resetPeaks();
        if (tp > this.truePeakMax) this.truePeakMax = tp;
        // The first gating block ends at 400 ms; short-term values exist from 3 s.
        if (this.steps >= 4) {
          if (live.pending === LIVE_STAGE_STEPS) live.flush();
          const mp = Math.pow(10, (ml + 0.691) / 10);
          const sp = Math.pow(10, (sl + 0.691) / 10);
          const mOk = ml > -1e9;
          const sOk = sl > -1e9;
          const st = live.staged;
          const q = 3 * live.pending;
          st[q] = mOk ? mp : 0;
          st[q + 1] = this.steps >= 30 && sOk ? sp : 0;
          st[q + 2] = tp;
          live.pending++;
        }
      }
      this.statsPos += k;
      if (this.statsPos >= this.statsLen) {
        this.statsPos = 0;
        live.update();
      }
    }
    if (n === 0) {
      ml = this.meter.momentaryLufs();
      sl = this.meter.shortTermLufs();
    }
    m[o + F_M] = ml > -120 ? ml : -120;
    m[o + F_S] = sl > -120 ? sl : -120;
    const il = live.integratedLufs;
    m[o + F_I] = il > -120 ? il : -120;
    m[o + F_LRA] = live.rangeLu;
    const tpDb = this.truePeakMax > 0 ? 20 * Math.log10(this.truePeakMax) : -120;
    m[o + F_TP] = tpDb > -120 ? tpDb : -120;
    const pl = live.projectedLufs;
    m[o + F_PROJ] = pl > -120 ? pl : -120;
  }
}
