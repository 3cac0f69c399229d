/**
 * The mix engine: every channel strip, the aux, FX, group and master buses, VCAs, solo and the
 * monitor output, processing one block at a time from a flat parameter table.
 *
 * The engine reads its parameters from `params` (indexed by registry index) at the start of each
 * block and writes its meters into `meters` (layout: src/model/meters.ts). Both may live in
 * shared memory: the engine never calls out to the control plane, never allocates in `process`
 * and never waits.
 *
 * Outputs (stereo pairs, in order, see outputPairs()): master, monitor, aux 1..n, master 2..k.
 *   - the master bus = Σ channel main paths + Σ group outputs + Σ FX returns, through the master
 *     stage (fader, mute, balance); each master chain (src/engine/master-chain.ts) masters a copy
 *     of it to its own output: chain 1 to `master`, chain k to `master<k>`;
 *   - monitor = master chain 1's output, or the AFL/PFL solo bus while any channel is soloed in
 *     AFL or PFL mode, through the translation check (monitor only), times the monitor level;
 *   - aux n = its bus after its own stage.
 *
 * Latency: the master outputs lag the aux outputs by the chains' fixed look-ahead
 * (`masterLatency` samples); monitor mixes are not delayed.
 *
 * Faults (docs/engine.md): each unit (a strip, an FX unit, a group, an aux, the master stage, a
 * master chain, the monitor path, the loudness tap) runs inside try/catch. A unit that throws is
 * reset, recorded in `faults`, and skipped (silent) until `rearm`; the rest keeps playing. A
 * master output block holding NaN or ±Inf is zeroed and counted in `nonFiniteBlocks`.
 */
import { inputCount, outputPairs, type MixLayout } from '../model/layout.js';
import { meterLayout, type MeterLayout } from '../model/meters.js';
import type { ParamRegistry } from '../model/registry.js';
import { dbToGain } from '../model/tapers.js';
import { changeCache, changed } from './block.js';
import { BusStage } from './bus.js';
import { StereoDelay, delayTimeMs } from './delay.js';
import { SmoothGain } from './gain.js';
import { LevelMeter } from './level-meter.js';
import { MasterChain } from './master-chain.js';
import { chainMeterPoint, chainPrefix } from '../model/master-params.js';
import { allFinite, FaultTable, type EngineFault } from './faults.js';
import { TranslationFilter } from './translation.js';
import { LiveLoudness } from './live-loudness.js';
import type { LoudnessHistory } from './loudness-history.js';
import { Reverb } from './reverb.js';
import { ChannelStrip, type BusSet, type StereoBus, type StripContext } from './strip.js';

export interface EngineOptions {
  readonly sampleRate: number;
  /** Largest block `process` accepts. */
  readonly maxBlock: number;
}

const SIP = 2;

function stereoBus(n: number): StereoBus {
  return [new Float32Array(n), new Float32Array(n)];
}

interface FxUnit {
  readonly kind: 'reverb' | 'delay';
  readonly reverb?: Reverb;
  readonly delay?: StereoDelay;
  readonly p: Int32Array;
  readonly seen: Float64Array;
}

export class MixEngine {
  readonly layout: MixLayout;
  readonly sampleRate: number;
  readonly maxBlock: number;
  /** Parameter values, indexed by registry index. */
  readonly params: Float64Array;
  /** Meter snapshot, see `meterLayout`. */
  readonly meters: Float32Array;
  readonly meterLayout: MeterLayout;
  readonly inputs: number;
  readonly outputs: number;

  private readonly strips: ChannelStrip[];
  private readonly stripInput: Int32Array;
  private readonly ctx: StripContext[];
  private readonly buses: BusSet;
  private readonly auxStages: BusStage[];
  private readonly fxStages: BusStage[];
  private readonly groupStages: BusStage[];
  private readonly masterStage: BusStage;
  private readonly chains: MasterChain[];
  private readonly chainOut: Int32Array;
  private readonly translate: TranslationFilter;
  private readonly pTranslate: Int32Array;
  private readonly sTranslate: Float64Array;
  private readonly monBuf: StereoBus;
  /** The loudness tap: off, monitor, aux 1..n, fx 1..n, group 1..n (loudnessSources()). */
  private readonly tap: LiveLoudness;
  /** Table indices of loudness/source and loudness/reset, and their values at the last block. */
  private readonly pTap: Int32Array;
  private readonly sTap = new Float64Array(2);
  private readonly monPair: [Float32Array, Float32Array] = [new Float32Array(0), new Float32Array(0)];
  private readonly fx: FxUnit[];
  private readonly vcaFader: Int32Array;
  private readonly vcaMute: Int32Array;
  private readonly monitorLevel: number;
  private readonly soloMode: number;
  private readonly monL: SmoothGain;
  private readonly monR: SmoothGain;
  private readonly monMeter: LevelMeter;
  private readonly zeros: Float32Array;
  private readonly meterOffsets: {
    strips: Int32Array;
    aux: Int32Array;
    fx: Int32Array;
    groups: Int32Array;
    master: number;
    chains: Int32Array;
    monitor: number;
    tap: number;
  };
  private blocks = 0;
  /** Fault flags and records; unit numbers: strips, FX, groups, aux, master stage, chains, monitor, tap. */
  private readonly faultTable: FaultTable;
  private readonly uFx: number;
  private readonly uGroup: number;
  private readonly uAux: number;
  private readonly uMaster: number;
  private readonly uChain: number;
  private readonly uMonitor: number;
  private readonly uTap: number;
  /**
   * Faults so far (one per throw, a re-armed unit that throws again adds another). Read it
   * freely; only the engine writes it. Polled every block by the render worker: a plain field.
   */
  faultCount = 0;
  /** Master output blocks (one stereo pair of one block) zeroed because they held NaN or ±Inf. */
  nonFiniteBlocks = 0;

  constructor(
    readonly registry: ParamRegistry,
    opts: EngineOptions,
    params?: Float64Array,
    meters?: Float32Array,
  ) {
    const L = registry.layout;
    this.layout = L;
    this.sampleRate = opts.sampleRate;
    this.maxBlock = opts.maxBlock;
    const n = opts.maxBlock;
    const sr = opts.sampleRate;
    this.params = params ?? registry.createTable();
    if (this.params.length !== registry.size) throw new RangeError(`parameter table has ${this.params.length} entries, registry ${registry.size}`);
    this.meterLayout = meterLayout(L);
    this.meters = meters ?? new Float32Array(this.meterLayout.size);
    this.inputs = inputCount(L);
    this.outputs = outputPairs(L).length * 2;
    this.zeros = new Float32Array(n);

    this.buses = {
      main: stereoBus(n),
      groups: Array.from({ length: L.groups }, () => stereoBus(n)),
      aux: Array.from({ length: L.auxBuses }, () => stereoBus(n)),
      fx: L.fxBuses.map(() => stereoBus(n)),
      solo: stereoBus(n),
    };
    this.stripInput = new Int32Array(L.channels.length);
    let input = 0;
    this.strips = L.channels.map((c, i) => {
      this.stripInput[i] = input;
      input += c.stereo ? 2 : 1;
      return new ChannelStrip(registry, i + 1, c.stereo, sr, n, this.buses);
    });
    this.ctx = this.strips.map(() => ({ vcaOffsetDb: 0, vcaMuted: false, sipMuted: false, soloMode: 0 }));
    this.auxStages = Array.from({ length: L.auxBuses }, (_, i) => new BusStage(registry, `bus/${i + 1}`, sr));
    this.fxStages = L.fxBuses.map((_, i) => new BusStage(registry, `fx/${i + 1}`, sr));
    this.groupStages = Array.from({ length: L.groups }, (_, i) => new BusStage(registry, `group/${i + 1}`, sr));
    this.masterStage = new BusStage(registry, 'master', sr);
    this.chains = Array.from({ length: L.masterChains }, (_, k) => new MasterChain(registry, k === 0 ? 'master' : `master/${k + 1}`, sr, n));
    this.chainOut = Int32Array.from({ length: L.masterChains }, (_, k) => (k === 0 ? 0 : 2 * (2 + L.auxBuses + k - 1)));
    this.translate = new TranslationFilter(sr);
    this.pTranslate = Int32Array.from(['monitor/translate', 'monitor/mono'], (a) => registry.index(a));
    this.sTranslate = changeCache(2);
    this.monBuf = stereoBus(n);
    this.tap = new LiveLoudness(sr);
    this.pTap = Int32Array.from(['loudness/source', 'loudness/reset'], (a) => registry.index(a));
    this.fx = L.fxBuses.map((kind, i): FxUnit => {
      const a = (s: string): number => registry.index(`fx/${i + 1}/${kind}/${s}`);
      return kind === 'reverb'
        ? { kind, reverb: new Reverb(sr), p: Int32Array.from(['decay', 'predelay', 'damping'], a), seen: changeCache(3) }
        : { kind, delay: new StereoDelay(sr), p: Int32Array.from(['time', 'sync', 'tempo', 'division', 'feedback', 'highcut', 'pingpong'], a), seen: changeCache(7) };
    });
    this.vcaFader = Int32Array.from({ length: L.vcas }, (_, i) => registry.index(`vca/${i + 1}/fader`));
    this.vcaMute = Int32Array.from({ length: L.vcas }, (_, i) => registry.index(`vca/${i + 1}/mute`));
    this.monitorLevel = registry.index('monitor/level');
    this.soloMode = registry.index('monitor/solo/mode');
    this.monL = new SmoothGain(sr, 1);
    this.monR = new SmoothGain(sr, 1);
    this.monMeter = new LevelMeter(sr);
    const ml = this.meterLayout;
    this.meterOffsets = {
      strips: Int32Array.from(this.strips, (_, i) => ml.offsetOf(`ch/${i + 1}`)),
      aux: Int32Array.from({ length: L.auxBuses }, (_, i) => ml.offsetOf(`bus/${i + 1}`)),
      fx: Int32Array.from(L.fxBuses, (_, i) => ml.offsetOf(`fx/${i + 1}`)),
      groups: Int32Array.from({ length: L.groups }, (_, i) => ml.offsetOf(`group/${i + 1}`)),
      master: ml.offsetOf('master'),
      chains: Int32Array.from({ length: L.masterChains }, (_, k) => ml.offsetOf(chainMeterPoint(k + 1))),
      monitor: ml.offsetOf('monitor'),
      tap: ml.offsetOf('loudness'),
    };
    const S = this.strips.length;
    this.uFx = S;
    this.uGroup = this.uFx + this.fx.length;
    this.uAux = this.uGroup + L.groups;
    this.uMaster = this.uAux + L.auxBuses;
    this.uChain = this.uMaster + 1;
    this.uMonitor = this.uChain + L.masterChains;
    this.uTap = this.uMonitor + 1;
    const many = (count: number, prefix: string): string[] => Array.from({ length: count }, (_, i) => `${prefix}/${i + 1}`);
    const points = [...many(S, 'ch'), ...many(this.fx.length, 'fx'), ...many(L.groups, 'group'), ...many(L.auxBuses, 'bus')];
    const chains = this.chains.map((_, k) => k + 1);
    // The master stage (the master bus's fader, mute and balance; meter point `master`) is named
    // apart from chain 1, whose parameter prefix is also `master`.
    this.faultTable = new FaultTable(
      [...points, 'master/stage', ...chains.map(chainPrefix), 'monitor', 'loudness'],
      [...points, 'master', ...chains.map(chainMeterPoint), 'monitor', 'loudness'],
    );
  }

  /** Every fault so far, oldest first: `{ unit, message, block }` (block: 0-based engine block). */
  get faults(): readonly EngineFault[] {
    return this.faultTable.list;
  }

  /** Unit names, in unit order (for inspection). */
  get units(): readonly string[] {
    return this.faultTable.units;
  }

  /** Whether a unit is faulted (skipped). */
  isFaulted(unit: string): boolean {
    const u = this.faultTable.indexOf(unit);
    return u >= 0 && this.faultTable.flags[u] !== 0;
  }

  /**
   * Let a faulted unit play again: its state is reset (it starts clean), then its flag cleared.
   * Call it between blocks (on the render thread). False if the unit is unknown or not faulted.
   */
  rearm(unit: string): boolean {
    const u = this.faultTable.indexOf(unit);
    if (u < 0 || this.faultTable.flags[u] === 0) return false;
    this.resetUnit(u);
    this.faultTable.flags[u] = 0;
    return true;
  }

  /** Clear the state of one unit (after a fault, and again on re-arm). */
  private resetUnit(u: number): void {
    if (u < this.uFx) this.strips[u].reset();
    else if (u < this.uGroup) {
      const f = this.fx[u - this.uFx];
      (f.reverb ?? f.delay)?.reset();
      f.seen.fill(Number.NaN);
      this.fxStages[u - this.uFx].reset();
    } else if (u < this.uAux) this.groupStages[u - this.uGroup].reset();
    else if (u < this.uMaster) this.auxStages[u - this.uAux].reset();
    else if (u === this.uMaster) this.masterStage.reset();
    else if (u < this.uMonitor) this.chains[u - this.uChain].reset();
    else if (u === this.uMonitor) {
      this.translate.reset();
      this.sTranslate.fill(Number.NaN);
      this.monMeter.reset();
      this.monL.jump(this.monL.target);
      this.monR.jump(this.monR.target);
    } else this.tap.reset();
  }

  /** The catch of every unit: record, reset, silence its meters. Allocates (exceptional path only). */
  private fault(u: number, err: unknown): void {
    const ft = this.faultTable;
    ft.record(u, err, this.blocks);
    this.faultCount++;
    try {
      this.resetUnit(u);
    } catch {
      // A unit whose reset throws stays faulted; there is nothing more to do for it here.
    }
    ft.silenceMeters(u, this.meterLayout, this.meters);
  }

  /** Clear every filter, envelope, delay line and meter (parameters are kept). */
  reset(): void {
    for (const s of this.strips) s.reset();
    for (const s of [...this.auxStages, ...this.fxStages, ...this.groupStages, this.masterStage]) s.reset();
    for (const c of this.chains) c.reset();
    this.translate.reset();
    this.sTranslate.fill(Number.NaN);
    this.tap.reset();
    for (const f of this.fx) {
      (f.reverb ?? f.delay)?.reset();
      f.seen.fill(Number.NaN);
    }
    this.monMeter.reset();
  }

  /** Subnormal state values anywhere in the engine's DSP blocks (see DspBlock.subnormalStates). */
  subnormalStates(): number {
    let n = 0;
    for (const s of this.strips) n += s.subnormalStates();
    for (const f of this.fx) n += (f.reverb ?? f.delay)!.subnormalStates();
    for (const c of this.chains) n += c.subnormalStates();
    return n + this.translate.subnormalStates();
  }

  /** Samples by which the master outputs lag the inputs (the chains' look-ahead). */
  get masterLatency(): number {
    return this.chains[0].latency;
  }

  /** Master chain k (1-based), for its loudness history and reports. */
  chain(k: number): MasterChain {
    return this.chains[k - 1];
  }

  /** The strip of a 1-based channel number (for inspection and tests). */
  strip(channel: number): ChannelStrip {
    return this.strips[channel - 1];
  }

  /** The effect of FX bus i, 1-based (for inspection and tests). */
  effect(i: number): Reverb | StereoDelay {
    const f = this.fx[i - 1];
    return (f.reverb ?? f.delay)!;
  }

  /** The loudness tap's meter (for inspection and tests). */
  get loudnessTap(): LiveLoudness {
    return this.tap;
  }

  /** Work out VCA offsets and solo muting for every strip, once per block. */
  private updateContexts(t: Float64Array): boolean {
    const mode = Math.round(t[this.soloMode]);
    let anySolo = false;
    for (let i = 0; i < this.strips.length; i++) if (this.strips[i].isSoloed(t)) anySolo = true;
    for (let i = 0; i < this.strips.length; i++) {
      const s = this.strips[i];
      const c = this.ctx[i];
      let off = 0;
      let vm = false;
      const vcas = s.idx.vcas;
      for (let v = 0; v < vcas.length; v++) {
        if (t[vcas[v]] >= 0.5) {
          off += t[this.vcaFader[v]];
          if (t[this.vcaMute[v]] >= 0.5) vm = true;
        }
      }
      c.vcaOffsetDb = off;
      c.vcaMuted = vm;
      c.soloMode = mode;
      c.sipMuted = mode === SIP && anySolo && !s.isSoloed(t) && !s.isSoloSafe(t);
    }
    return anySolo && mode !== SIP;
  }

  /** FX unit i: its effect's parameters (when they moved), the effect, the return stage. */
  private processFx(t: Float64Array, i: number, n: number, m: Float32Array): void {
    const f = this.fx[i];
    const p = f.p;
    if (changed(t, p, f.seen)) {
      if (f.reverb) f.reverb.set(t[p[0]], t[p[1]], t[p[2]]);
      else if (f.delay) f.delay.set(delayTimeMs(t[p[1]] >= 0.5, t[p[0]], t[p[2]], Math.round(t[p[3]])), t[p[4]], t[p[5]], t[p[6]] >= 0.5);
    }
    const bus = this.buses.fx[i];
    (f.reverb ?? f.delay)!.process(bus, n);
    this.fxStages[i].process(t, bus, n, m, this.meterOffsets.fx[i]);
  }

  /** The monitor path: source copy, translation check, level, meter (outputs 2 and 3). */
  private processMonitor(t: Float64Array, soloToMonitor: boolean, outputs: readonly Float32Array[], n: number, m: Float32Array): void {
    const B = this.buses;
    const mon = dbToGain(t[this.monitorLevel]);
    this.monL.target = mon;
    this.monR.target = mon;
    if (this.blocks === 0) {
      this.monL.jump(mon);
      this.monR.jump(mon);
    }
    const mb = this.monBuf;
    copy(soloToMonitor ? B.solo[0] : outputs[0], mb[0], n);
    copy(soloToMonitor ? B.solo[1] : outputs[1], mb[1], n);
    const pt = this.pTranslate;
    if (changed(t, pt, this.sTranslate)) this.translate.set(Math.round(t[pt[0]]), t[pt[1]] >= 0.5);
    this.translate.process(mb, n);
    this.monL.apply(mb[0], outputs[2], n);
    this.monR.apply(mb[1], outputs[3], n);
    this.monMeter.measure(outputs[2], outputs[3], n, m, this.meterOffsets.monitor);
  }

  /**
   * Process `frames` (≤ maxBlock) samples. `inputs` holds one buffer per interface input
   * (missing entries are silent); `outputs` one buffer per output channel (master L/R, monitor
   * L/R, aux 1 L/R, ...), each at least `frames` long.
   */
  process(inputs: readonly (Float32Array | undefined)[], outputs: readonly Float32Array[], frames: number): void {
    if (frames > this.maxBlock) throw new RangeError(`block of ${frames} frames exceeds maxBlock ${this.maxBlock}`);
    const t = this.params;
    const m = this.meters;
    const n = frames;
    const B = this.buses;
    B.main[0].fill(0, 0, n);
    B.main[1].fill(0, 0, n);
    B.solo[0].fill(0, 0, n);
    B.solo[1].fill(0, 0, n);
    clear(B.groups, n);
    clear(B.aux, n);
    clear(B.fx, n);

    const f = this.faultTable.flags;
    const soloToMonitor = this.updateContexts(t);
    // A strip that throws may already have added part of this block into buses; from the next
    // block on it adds nothing.
    for (let i = 0; i < this.strips.length; i++) {
      if (f[i] !== 0) continue;
      const s = this.strips[i];
      const k = this.stripInput[i];
      const inL = inputs[k] ?? this.zeros;
      const inR = s.stereo ? (inputs[k + 1] ?? this.zeros) : inL;
      try {
        s.process(t, this.ctx[i], inL, inR, n, m, this.meterOffsets.strips[i]);
      } catch (e) {
        this.fault(i, e);
      }
    }

    // FX buses: effect (100 % wet), return stage, into the master. A faulted unit's bus is
    // zeroed (the sends still reach it), so it adds nothing and the loudness tap reads silence.
    for (let i = 0; i < this.fx.length; i++) {
      const u = this.uFx + i;
      if (f[u] === 0) {
        try {
          this.processFx(t, i, n, m);
        } catch (e) {
          this.fault(u, e);
        }
      }
      if (f[u] === 0) addInto(B.fx[i], B.main, n);
      else zero(B.fx[i], n);
    }
    for (let i = 0; i < B.groups.length; i++) {
      const u = this.uGroup + i;
      if (f[u] === 0) {
        try {
          this.groupStages[i].process(t, B.groups[i], n, m, this.meterOffsets.groups[i]);
        } catch (e) {
          this.fault(u, e);
        }
      }
      if (f[u] === 0) addInto(B.groups[i], B.main, n);
      else zero(B.groups[i], n);
    }
    if (f[this.uMaster] === 0) {
      try {
        this.masterStage.process(t, B.main, n, m, this.meterOffsets.master);
      } catch (e) {
        this.fault(this.uMaster, e);
      }
    }
    if (f[this.uMaster] !== 0) zero(B.main, n);
    for (let k = 0; k < this.chains.length; k++) {
      const u = this.uChain + k;
      const oL = outputs[this.chainOut[k]];
      const oR = outputs[this.chainOut[k] + 1];
      if (f[u] === 0) {
        try {
          this.chains[k].process(t, B.main, oL, oR, n, m, this.meterOffsets.chains[k]);
        } catch (e) {
          this.fault(u, e);
        }
      }
      if (f[u] !== 0) {
        oL.fill(0, 0, n);
        oR.fill(0, 0, n);
      } else if (!allFinite(oL, oR, n)) {
        // NaN or ±Inf escaped a block: never send it to the speakers. The chain's state may
        // hold it too, so the chain starts afresh.
        oL.fill(0, 0, n);
        oR.fill(0, 0, n);
        this.nonFiniteBlocks++;
        this.chains[k].reset();
      }
    }

    // Monitor: the solo bus while AFL/PFL is active, else master chain 1 (silent while chain 1
    // is faulted), through the translation check (which never touches the master outputs).
    if (f[this.uMonitor] === 0) {
      try {
        this.processMonitor(t, soloToMonitor, outputs, n, m);
      } catch (e) {
        this.fault(this.uMonitor, e);
      }
    }
    if (f[this.uMonitor] !== 0) {
      outputs[2].fill(0, 0, n);
      outputs[3].fill(0, 0, n);
    }

    for (let i = 0; i < B.aux.length; i++) {
      const u = this.uAux + i;
      if (f[u] === 0) {
        try {
          this.auxStages[i].process(t, B.aux[i], n, m, this.meterOffsets.aux[i]);
        } catch (e) {
          this.fault(u, e);
        }
      }
      if (f[u] !== 0) zero(B.aux[i], n);
      copy(B.aux[i][0], outputs[4 + 2 * i], n);
      copy(B.aux[i][1], outputs[5 + 2 * i], n);
    }
    // The tap costs nothing while off and unchanged (checked here, in the compiled hot path).
    const pl = this.pTap;
    if (f[this.uTap] === 0 && (t[pl[0]] !== this.sTap[0] || t[pl[1]] !== this.sTap[1] || t[pl[0]] >= 0.5)) {
      try {
        this.measureTap(t, outputs, n, m);
      } catch (e) {
        this.fault(this.uTap, e);
      }
    }
    this.blocks++;
    m[m.length - 1] = this.blocks;
  }

  /** The loudness tap: measure the chosen bus; a new source or the reset switch starts afresh. */
  private measureTap(t: Float64Array, outputs: readonly Float32Array[], n: number, m: Float32Array): void {
    // Values stay in typed arrays: a double stored in a field or passed to a call is boxed.
    const st = this.sTap;
    const sv = t[this.pTap[0]];
    const rv = t[this.pTap[1]];
    if (sv !== st[0] || (rv >= 0.5 && !(st[1] >= 0.5))) this.tap.reset();
    st[0] = sv;
    st[1] = rv;
    if (!(sv >= 0.5)) return;
    const src = (sv + 0.5) | 0;
    const B = this.buses;
    const aux = B.aux.length;
    const fx = B.fx.length;
    let bus: StereoBus | undefined;
    if (src === 1) {
      this.monPair[0] = outputs[2];
      this.monPair[1] = outputs[3];
      bus = this.monPair;
    } else if (src - 2 < aux) bus = B.aux[src - 2];
    else if (src - 2 - aux < fx) bus = B.fx[src - 2 - aux];
    else bus = B.groups[src - 2 - aux - fx];
    if (bus) this.tap.measure(bus[0], bus[1], n, m, this.meterOffsets.tap);
  }

  /** The loudness tap's history since its last reset (for a report on any bus). */
  get tapHistory(): LoudnessHistory {
    return this.tap.history;
  }
}

function addInto(src: StereoBus, dst: StereoBus, n: number): void {
  const a = src[0];
  const b = src[1];
  const l = dst[0];
  const r = dst[1];
  for (let i = 0; i < n; i++) {
    l[i] += a[i];
    r[i] += b[i];
  }
}

function zero(bus: StereoBus, n: number): void {
  bus[0].fill(0, 0, n);
  bus[1].fill(0, 0, n);
}

function clear(buses: readonly StereoBus[], n: number): void {
  for (let i = 0; i < buses.length; i++) {
    buses[i][0].fill(0, 0, n);
    buses[i][1].fill(0, 0, n);
  }
}

function copy(src: Float32Array, dst: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) dst[i] = src[i];
}
