/**
 * The bank of a surface (or of a Mackie main unit with its extenders): which layer the faders
 * show, from which strip, whether sends are on faders, what the V-Pots control, flip, and the
 * selected channel. It is pure state plus listeners; drivers turn it into bytes.
 *
 * - Bank left/right move by the whole width (all units together), channel left/right by one;
 *   the offset is clamped so that the last bank is full, and remembered per layer.
 * - Sends on faders: the inputs' faders carry their sends to one aux or FX bus (the master
 *   fader carries that bus's own fader). `sends-on-faders` steps through aux 1..n, FX 1..m, off.
 * - Flip swaps what the faders and the V-Pots control.
 * - EQ and dynamics are channel-strip modes: the pots show the selected input channel.
 *   Pressing EQ again turns the page.
 */
import { channelStripPots, layerStrips, sendStrips, sendTargetName, sendTargets, vpotAddress, type SendTarget, type Strip, type StripSource } from './strips.js';
import type { Action, LayerId, VpotMode } from './types.js';

export interface BankOptions {
  readonly layer?: LayerId;
  readonly vpot?: VpotMode;
}

/** Two characters for the Mackie assignment display, per layer. */
const LAYER_CODE: Record<LayerId, string> = { inputs: 'IN', aux: 'AU', fx: 'FX', groups: 'GR', master: 'MA' };

export class Bank {
  private layerId: LayerId;
  private readonly offsets = new Map<LayerId, number>();
  private sendTo: SendTarget | undefined;
  private vpot: VpotMode;
  private eqPage = 0;
  private flipped = false;
  private selectedKey: string | undefined;
  private strips: Strip[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly src: StripSource,
    private w: number,
    opts: BankOptions = {},
  ) {
    this.layerId = opts.layer ?? 'inputs';
    this.vpot = opts.vpot ?? 'pan';
    this.selectedKey = src.layout.channels.length > 0 ? 'ch/1' : undefined;
    this.rebuild();
  }

  // ---- reading ----

  get width(): number {
    return this.w;
  }
  get layer(): LayerId {
    return this.layerId;
  }
  get sends(): SendTarget | undefined {
    return this.sendTo;
  }
  get vpotMode(): VpotMode {
    return this.vpot;
  }
  get page(): number {
    return this.eqPage;
  }
  get flip(): boolean {
    return this.flipped;
  }
  get selected(): string | undefined {
    return this.selectedKey;
  }
  get offset(): number {
    return this.offsets.get(this.layerId) ?? 0;
  }
  /** Strips in the layer (or the inputs' sends). */
  get length(): number {
    return this.strips.length;
  }

  /** The strip at bank position i (0..width-1), if any. */
  strip(i: number): Strip | undefined {
    return i >= 0 && i < this.w ? this.strips[this.offset + i] : undefined;
  }

  /** Address the fader at position i moves (undefined: the fader has nothing to do). */
  faderAddress(i: number): string | undefined {
    return this.flipped ? this.potTarget(i) : this.strip(i)?.targets.fader;
  }

  /** Address the V-Pot at position i turns. */
  vpotAddress(i: number): string | undefined {
    return this.flipped ? this.strip(i)?.targets.fader : this.potTarget(i);
  }

  /** The send of the strip at position i to the V-Pots' send bus (inputs only). */
  sendAddress(i: number): string | undefined {
    const s = this.strip(i);
    return s === undefined ? undefined : vpotAddress(this.src, s, 'send', this.potSend());
  }

  /** The master fader: the master bus, or the bus whose sends are on the faders. */
  masterFaderAddress(): string | undefined {
    if (this.sendTo !== undefined) {
      const a = this.sendTo.kind === 'bus' ? `bus/${this.sendTo.n}/fader` : `fx/${this.sendTo.n}/fader`;
      return this.src.registry.find(a) >= 0 ? a : undefined;
    }
    return this.src.registry.find('master/fader') >= 0 ? 'master/fader' : undefined;
  }

  /** Two characters for the assignment display: layer, or `A1`/`F2` while sends are on faders. */
  assignment(): string {
    if (this.sendTo !== undefined) return `${this.sendTo.kind === 'bus' ? 'A' : 'F'}${this.sendTo.n % 10}`;
    return LAYER_CODE[this.layerId];
  }

  /** What the faders are now, in words (for a display line). */
  describe(): string {
    if (this.sendTo !== undefined) return `Sends to ${sendTargetName(this.src, this.sendTo)}`;
    return { inputs: 'Inputs', aux: 'Aux buses', fx: 'FX returns', groups: 'Groups and VCAs', master: 'Master' }[this.layerId];
  }

  /** The send target the V-Pots use in send mode (the sends-on-faders bus, else aux 1). */
  potSend(): SendTarget {
    return this.sendTo ?? this.potSendTarget;
  }

  // ---- changing ----

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setWidth(w: number): void {
    if (w === this.w) return;
    this.w = Math.max(0, w);
    this.clamp();
    this.emit();
  }

  setLayer(layer: LayerId): void {
    if (layer === this.layerId && this.sendTo === undefined) return;
    this.layerId = layer;
    this.sendTo = undefined;
    this.rebuild();
    this.emit();
  }

  /** Sends on faders for `to` (undefined: off). */
  setSends(to: SendTarget | undefined): void {
    this.sendTo = to;
    if (to !== undefined) this.layerId = 'inputs';
    this.rebuild();
    this.emit();
  }

  /** Move by whole banks (dir -1/+1). */
  bank(dir: number): void {
    this.moveTo(this.offset + dir * Math.max(1, this.w));
  }

  /** Move by one strip. */
  channel(dir: number): void {
    this.moveTo(this.offset + dir);
  }

  setVpot(mode: VpotMode): void {
    if (mode === this.vpot && (mode === 'eq' || mode === 'send')) {
      // Again: EQ turns the page; send steps to the next bus.
      if (mode === 'eq') this.eqPage = (this.eqPage + 1) % 2;
      else this.stepPotSend();
    } else {
      this.vpot = mode;
      this.eqPage = 0;
    }
    this.emit();
  }

  toggleFlip(): void {
    this.flipped = !this.flipped;
    this.emit();
  }

  select(key: string): void {
    if (this.selectedKey === key) return;
    this.selectedKey = key;
    this.emit();
  }

  /** Run a profile action; false if it is not a bank action. */
  action(a: Action): boolean {
    switch (a) {
      case 'bank-left':
        this.bank(-1);
        return true;
      case 'bank-right':
        this.bank(1);
        return true;
      case 'channel-left':
        this.channel(-1);
        return true;
      case 'channel-right':
        this.channel(1);
        return true;
      case 'flip':
        this.toggleFlip();
        return true;
      case 'sends-on-faders':
        this.setSends(this.nextSend(this.sendTo));
        return true;
      case 'sends-off':
        this.setSends(undefined);
        return true;
      case 'name-value':
        return false;
      default:
        if (a.startsWith('layer:')) {
          this.setLayer(a.slice(6) as LayerId);
          return true;
        }
        if (a.startsWith('vpot:')) {
          this.setVpot(a.slice(5) as VpotMode);
          return true;
        }
        return false;
    }
  }

  // ---- internals ----

  private potSendTarget: SendTarget = { kind: 'bus', n: 1 };

  private stepPotSend(): void {
    this.potSendTarget = this.nextSend(this.potSendTarget) ?? sendTargets(this.src)[0] ?? this.potSendTarget;
  }

  private nextSend(from: SendTarget | undefined): SendTarget | undefined {
    const all = sendTargets(this.src);
    if (from === undefined) return all[0];
    const i = all.findIndex((t) => t.kind === from.kind && t.n === from.n);
    return all[i + 1];
  }

  private potTarget(i: number): string | undefined {
    const s = this.strip(i);
    if (this.vpot === 'eq' || this.vpot === 'dyn') {
      const ch = this.selectedChannel();
      if (ch === undefined || i < 0 || i >= this.w) return undefined;
      return channelStripPots(this.src, ch, this.vpot, this.eqPage)[i];
    }
    return s === undefined ? undefined : vpotAddress(this.src, s, this.vpot, this.potSend());
  }

  /** The selected input channel's number, if an input channel is selected. */
  selectedChannel(): number | undefined {
    const m = /^ch\/(\d+)$/.exec(this.selectedKey ?? '');
    return m === null ? undefined : Number(m[1]);
  }

  private rebuild(): void {
    this.strips = this.sendTo !== undefined ? sendStrips(this.src, this.sendTo) : layerStrips(this.src, this.layerId);
    this.clamp();
  }

  private moveTo(offset: number): void {
    const before = this.offset;
    this.offsets.set(this.layerId, offset);
    this.clamp();
    if (this.offset !== before) this.emit();
  }

  private clamp(): void {
    const max = Math.max(0, this.strips.length - this.w);
    const o = this.offsets.get(this.layerId) ?? 0;
    this.offsets.set(this.layerId, Math.min(max, Math.max(0, o)));
  }

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}
