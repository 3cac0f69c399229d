/**
 * One input channel strip, mono or stereo:
 *
 *   input → trim & polarity → high-pass → gate → 4-band EQ → compressor ─┬→ meter (pre-fader)
 *                                                                         ├→ pre-fader sends (pan follows)
 *                                                                         ├→ PFL
 *                                  fader (+ VCA offsets) · mute · pan ────┼→ main, groups, post-fader sends, AFL
 *
 * Every destination is a pair of smoothed gains applied to the processed signal and added into
 * the destination's stereo bus, so a send, the main assign or a group assign costs nothing while
 * it is off. Mute (the channel's own or a VCA's) silences every destination, pre-fader sends
 * included; solo-in-place muting silences the main, group and post-fader paths only, so monitor
 * mixes fed pre-fader are left alone.
 */
import type { ParamRegistry } from '../model/registry.js';
import { FADER_OFF_DB } from '../model/tapers.js';
import { Compressor } from './compressor.js';
import { Equalizer, HighPass } from './filters.js';
import { addMonoToStereo, balanceGains, DbGain, panGains, SmoothGain } from './gain.js';
import { Gate } from './gate.js';
import { LevelMeter } from './level-meter.js';
import { changeCache, changed } from './block.js';

/** A stereo bus: two accumulation buffers. */
export type StereoBus = readonly [Float32Array, Float32Array];

export interface BusSet {
  readonly main: StereoBus;
  readonly groups: readonly StereoBus[];
  readonly aux: readonly StereoBus[];
  readonly fx: readonly StereoBus[];
  readonly solo: StereoBus;
}

/** What the mixer works out once per block for each strip. */
export interface StripContext {
  /** Sum of the fader levels of the VCAs this channel belongs to (dB). */
  vcaOffsetDb: number;
  /** A VCA this channel belongs to is muted. */
  vcaMuted: boolean;
  /** Solo-in-place is active and this channel is neither soloed nor solo-safe. */
  sipMuted: boolean;
  /** Solo mode: 0 = AFL, 1 = PFL, 2 = SIP (SOLO_MODES order). */
  soloMode: number;
}

const AFL = 0;
const PFL = 1;

/** Destination: a gain pair into one bus. */
class Send {
  readonly l: SmoothGain;
  readonly r: SmoothGain;
  /** Cached dB → gain of this send's level. */
  readonly level = new DbGain();
  constructor(
    sampleRate: number,
    readonly bus: StereoBus,
  ) {
    this.l = new SmoothGain(sampleRate);
    this.r = new SmoothGain(sampleRate);
  }
  set(l: number, r: number): void {
    this.l.target = l;
    this.r.target = r;
  }
  jump(): void {
    this.l.jump(this.l.target);
    this.r.jump(this.r.target);
  }
  /** Mono source, both gains steady and not both zero: can join a fused pass (see `addPair`). */
  steadyMono(): boolean {
    const l = this.l;
    const r = this.r;
    return l.current === l.target && r.current === r.target && (l.current !== 0 || r.current !== 0);
  }
  add(left: Float32Array, right: Float32Array, n: number): void {
    if (left === right) addMonoToStereo(left, this.l, this.bus[0], this.r, this.bus[1], n);
    else {
      this.l.addTo(left, this.bus[0], n);
      this.r.addTo(right, this.bus[1], n);
    }
  }
}

/**
 * Two steady sends of a mono source in one pass: the same `dst[i] += x·g` per destination as
 * `addMonoToStereo` (the buses are distinct, so the order of the additions does not matter),
 * with the source read and converted once for four destinations instead of once per pair.
 */
function addPair(x: Float32Array, a: Send, b: Send, n: number): void {
  const a0 = a.l.current;
  const a1 = a.r.current;
  const b0 = b.l.current;
  const b1 = b.r.current;
  const da0 = a.bus[0];
  const da1 = a.bus[1];
  const db0 = b.bus[0];
  const db1 = b.bus[1];
  for (let i = 0; i < n; i++) {
    const v = x[i];
    da0[i] += v * a0;
    da1[i] += v * a1;
    db0[i] += v * b0;
    db1[i] += v * b1;
  }
}

/** Registry indices of one strip's parameters, resolved once. */
class StripIndex {
  readonly trim: number;
  readonly polarity: number;
  readonly hpf: Int32Array;
  readonly gate: Int32Array;
  readonly eqOn: number;
  readonly eq: readonly Int32Array[];
  readonly comp: Int32Array;
  /** Everything the gain and routing stage reads (trim to routing switches). */
  readonly out: Int32Array;
  readonly pan: number;
  readonly fader: number;
  readonly mute: number;
  readonly solo: number;
  readonly solosafe: number;
  readonly main: number;
  readonly sends: readonly (readonly [level: number, pre: number])[];
  readonly fxSends: readonly (readonly [level: number, pre: number])[];
  readonly groups: readonly number[];
  readonly vcas: readonly number[];
  /** The table range [lo, lo + span) holding every index `update` reads. */
  readonly lo: number;
  readonly span: number;

  constructor(reg: ParamRegistry, n: number) {
    const a = (s: string): number => reg.index(`ch/${n}/${s}`);
    const L = reg.layout;
    this.trim = a('trim');
    this.polarity = a('polarity');
    const ids = (names: string[]): Int32Array => Int32Array.from(names, a);
    this.hpf = ids(['hpf/on', 'hpf/freq', 'hpf/slope']);
    this.gate = ids(['on', 'mode', 'threshold', 'range', 'ratio', 'attack', 'hold', 'release', 'hysteresis'].map((s) => `gate/${s}`));
    this.eqOn = a('eq/on');
    this.eq = [1, 2, 3, 4].map((b) => ids(['type', 'freq', 'gain', 'q'].map((s) => `eq/${b}/${s}`)));
    this.comp = ids(['on', 'threshold', 'ratio', 'knee', 'attack', 'release', 'makeup', 'schpf/on', 'schpf/freq'].map((s) => `comp/${s}`));
    this.pan = a('pan');
    this.fader = a('fader');
    this.mute = a('mute');
    this.solo = a('solo');
    this.solosafe = a('solosafe');
    this.main = a('main');
    this.sends = Array.from({ length: L.auxBuses }, (_, i) => [a(`send/${i + 1}/level`), a(`send/${i + 1}/pre`)] as const);
    this.fxSends = Array.from({ length: L.fxBuses.length }, (_, i) => [a(`fx/${i + 1}/level`), a(`fx/${i + 1}/pre`)] as const);
    this.groups = Array.from({ length: L.groups }, (_, i) => a(`group/${i + 1}`));
    this.vcas = Array.from({ length: L.vcas }, (_, i) => a(`vca/${i + 1}`));
    this.out = Int32Array.from([
      this.trim, this.polarity, this.pan, this.fader, this.mute, this.solo, this.main,
      ...this.sends.flat(), ...this.fxSends.flat(), ...this.groups,
    ]);
    const all = [this.eqOn, ...this.hpf, ...this.gate, ...this.eq.flatMap((e) => [...e]), ...this.comp, ...this.out];
    this.lo = Math.min(...all);
    this.span = Math.max(...all) + 1 - this.lo;
  }
}

export class ChannelStrip {
  readonly channels: number;
  readonly idx: StripIndex;
  readonly hpf: HighPass;
  readonly gate: Gate;
  readonly eq: Equalizer;
  readonly comp: Compressor;
  private readonly work: Float32Array[];
  private readonly trimL: SmoothGain;
  private readonly trimR: SmoothGain;
  private readonly meter: LevelMeter;
  private readonly main: Send;
  private readonly groups: Send[];
  private readonly aux: Send[];
  private readonly fx: Send[];
  private readonly solo: Send;
  /** Every destination, and scratch for the steady ones of a block (mono fused pass). */
  private readonly sends: Send[];
  private readonly steady: Send[];
  private readonly pan = new Float64Array(2);
  private readonly hpfSeen: Float64Array;
  private readonly gateSeen: Float64Array;
  private readonly eqSeen: Float64Array[];
  private readonly compSeen: Float64Array;
  private readonly outSeen: Float64Array;
  /** The strip context as last seen: VCA offset, VCA mute, SIP mute, solo mode. */
  private readonly ctxSeen = changeCache(4);
  /** The strip's whole table range as of the last full `update` (see there). */
  private readonly rangeSeen: Float64Array;
  private readonly trimDb = new DbGain();
  private readonly faderDb = new DbGain();
  private first = true;

  constructor(
    reg: ParamRegistry,
    /** 1-based channel number */
    readonly number: number,
    readonly stereo: boolean,
    sampleRate: number,
    maxBlock: number,
    buses: BusSet,
  ) {
    this.channels = stereo ? 2 : 1;
    this.idx = new StripIndex(reg, number);
    this.hpf = new HighPass(this.channels, sampleRate);
    this.gate = new Gate(this.channels, sampleRate);
    this.eq = new Equalizer(this.channels, sampleRate, 4);
    this.comp = new Compressor(this.channels, sampleRate);
    this.work = Array.from({ length: this.channels }, () => new Float32Array(maxBlock));
    this.trimL = new SmoothGain(sampleRate, 1);
    this.trimR = new SmoothGain(sampleRate, 1);
    this.meter = new LevelMeter(sampleRate);
    this.main = new Send(sampleRate, buses.main);
    this.groups = buses.groups.map((b) => new Send(sampleRate, b));
    this.aux = buses.aux.map((b) => new Send(sampleRate, b));
    this.fx = buses.fx.map((b) => new Send(sampleRate, b));
    this.solo = new Send(sampleRate, buses.solo);
    this.sends = [this.main, ...this.groups, ...this.aux, ...this.fx, this.solo];
    this.steady = this.sends.slice();
    this.hpfSeen = changeCache(this.idx.hpf.length);
    this.gateSeen = changeCache(this.idx.gate.length);
    this.eqSeen = this.idx.eq.map((e) => changeCache(e.length + 1));
    this.compSeen = changeCache(this.idx.comp.length);
    this.outSeen = changeCache(this.idx.out.length);
    this.rangeSeen = changeCache(this.idx.span);
  }

  /** Soloed, as read from the table (the mixer asks before working out solo-in-place). */
  isSoloed(t: Float64Array): boolean {
    return t[this.idx.solo] >= 0.5;
  }
  isSoloSafe(t: Float64Array): boolean {
    return t[this.idx.solosafe] >= 0.5;
  }

  /** Subnormal state values in this strip's blocks (see DspBlock.subnormalStates). */
  subnormalStates(): number {
    return this.hpf.subnormalStates() + this.gate.subnormalStates() + this.eq.subnormalStates() + this.comp.subnormalStates();
  }

  reset(): void {
    this.hpf.reset();
    this.gate.reset();
    this.eq.reset();
    this.comp.reset();
    this.meter.reset();
    this.first = true;
    for (const c of [this.hpfSeen, this.gateSeen, ...this.eqSeen, this.compSeen, this.outSeen, this.ctxSeen, this.rangeSeen]) c.fill(Number.NaN);
  }

  /** Read this block's parameters from the table into the blocks and gain targets. */
  private update(t: Float64Array, ctx: StripContext): void {
    const x = this.idx;
    // Fast path: parameters rarely move, and the strip's parameters sit in one contiguous run of
    // the table. One straight compare loop over that run (and the context) replaces the indexed
    // per-group checks below; when nothing moved, every one of them would have found nothing.
    const cs = this.ctxSeen;
    const ctxMoved = cs[0] !== ctx.vcaOffsetDb || cs[1] !== +ctx.vcaMuted || cs[2] !== +ctx.sipMuted || cs[3] !== ctx.soloMode;
    const seen = this.rangeSeen;
    const lo = x.lo;
    const span = x.span;
    let moved = ctxMoved;
    for (let i = 0; i < span; i++) {
      const v = t[lo + i];
      if (v !== seen[i]) {
        seen[i] = v;
        moved = true;
      }
    }
    if (!moved) return;
    // Setters run only when their parameters moved (see `changed`).
    const h = x.hpf;
    if (changed(t, h, this.hpfSeen)) this.hpf.set(t[h[0]] >= 0.5, t[h[1]], t[h[2]]);
    const g = x.gate;
    if (changed(t, g, this.gateSeen)) this.gate.set(t[g[0]] >= 0.5, t[g[1]], t[g[2]], t[g[3]], t[g[4]], t[g[5]], t[g[6]], t[g[7]], t[g[8]]);
    for (let b = 0; b < 4; b++) {
      const e = x.eq[b];
      const seen = this.eqSeen[b];
      // The EQ switch is compared too (last slot), so switching re-sends every band.
      const on = t[x.eqOn];
      const moved = changed(t, e, seen) || seen[4] !== on;
      seen[4] = on;
      if (moved) {
        this.eq.setOn(on >= 0.5);
        this.eq.setBand(b, t[e[0]], t[e[1]], t[e[2]], t[e[3]]);
      }
    }
    const c = x.comp;
    if (changed(t, c, this.compSeen)) this.comp.set(t[c[0]] >= 0.5, t[c[1]], t[c[2]], t[c[3]], t[c[4]], t[c[5]], t[c[6]], t[c[7]] >= 0.5, t[c[8]]);

    if (!changed(t, x.out, this.outSeen) && !ctxMoved) return;
    cs[0] = ctx.vcaOffsetDb;
    cs[1] = +ctx.vcaMuted;
    cs[2] = +ctx.sipMuted;
    cs[3] = ctx.soloMode;

    const trim = this.trimDb.of(t[x.trim]) * (t[x.polarity] >= 0.5 ? -1 : 1);
    this.trimL.target = trim;
    this.trimR.target = trim;

    // Pan (mono) or balance (stereo) gains.
    const pan = this.pan;
    if (this.stereo) balanceGains(t[x.pan], pan);
    else panGains(t[x.pan], pan);
    const pl = pan[0];
    const pr = pan[1];

    const muted = t[x.mute] >= 0.5 || ctx.vcaMuted;
    const faderDb = t[x.fader];
    const level = muted || faderDb <= FADER_OFF_DB ? 0 : this.faderDb.of(faderDb + ctx.vcaOffsetDb);
    const post = ctx.sipMuted ? 0 : level;
    this.main.set(t[x.main] >= 0.5 ? post * pl : 0, t[x.main] >= 0.5 ? post * pr : 0);
    for (let i = 0; i < this.groups.length; i++) {
      const on = t[x.groups[i]] >= 0.5;
      this.groups[i].set(on ? post * pl : 0, on ? post * pr : 0);
    }
    const preLevel = muted ? 0 : 1;
    for (let i = 0; i < this.aux.length; i++) {
      const si = x.sends[i];
      const s = this.aux[i].level.of(t[si[0]]) * (t[si[1]] >= 0.5 ? preLevel : post);
      this.aux[i].set(s * pl, s * pr);
    }
    for (let i = 0; i < this.fx.length; i++) {
      const si = x.fxSends[i];
      const s = this.fx[i].level.of(t[si[0]]) * (t[si[1]] >= 0.5 ? preLevel : post);
      this.fx[i].set(s * pl, s * pr);
    }
    // AFL/PFL: only while this channel is soloed and the mode sends solo to the monitor bus.
    const soloed = t[x.solo] >= 0.5 && ctx.soloMode !== 2;
    if (!soloed) this.solo.set(0, 0);
    else if (ctx.soloMode === AFL) this.solo.set(level * pl, level * pr);
    else if (ctx.soloMode === PFL) this.solo.set(1, 1);

    if (this.first) {
      // Start at the session's values: no fade-in from silence on the first block.
      this.first = false;
      this.trimL.jump(trim);
      this.trimR.jump(trim);
      this.main.jump();
      this.solo.jump();
      for (const s of this.groups) s.jump();
      for (const s of this.aux) s.jump();
      for (const s of this.fx) s.jump();
    }
  }

  /**
   * Process one block: `inL` (and `inR` for stereo) are the interface inputs; results are added
   * into the buses. Writes 8 meter fields at `meterOffset`.
   */
  process(t: Float64Array, ctx: StripContext, inL: Float32Array, inR: Float32Array, n: number, meters: Float32Array, meterOffset: number): void {
    this.update(t, ctx);
    const w = this.work;
    this.trimL.apply(inL, w[0], n);
    if (this.stereo) this.trimR.apply(inR, w[1], n);
    this.hpf.process(w, n);
    this.gate.process(w, n);
    this.eq.process(w, n);
    this.comp.process(w, n);

    const l = w[0];
    const r = this.stereo ? w[1] : w[0];
    this.meter.measure(l, r, n, meters, meterOffset);
    meters[meterOffset + 6] = this.gate.gainReductionDb;
    meters[meterOffset + 7] = this.comp.gainReductionDb;

    const sends = this.sends;
    if (this.stereo) {
      for (let i = 0; i < sends.length; i++) sends[i].add(l, r, n);
      return;
    }
    // Mono: gliding sends run on their own; steady ones go two at a time through one pass.
    const steady = this.steady;
    let k = 0;
    for (let i = 0; i < sends.length; i++) {
      const s = sends[i];
      if (s.steadyMono()) steady[k++] = s;
      else s.add(l, l, n);
    }
    let j = 0;
    for (; j + 1 < k; j += 2) addPair(l, steady[j], steady[j + 1], n);
    if (j < k) steady[j].add(l, l, n);
  }
}
