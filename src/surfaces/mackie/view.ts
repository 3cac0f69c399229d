/**
 * What each element of a Mackie surface should show, from the store, the bank and the meters:
 * fader positions, rings, LEDs, the LCD's two lines, the time code. No bytes here; the driver
 * compares this with what each unit shows and sends the difference.
 *
 * LCD: the upper line names the strips (on the channel-strip pages EQ and dynamics: what each
 * pot controls); the lower line shows each pot's value in short form, or its parameter's name
 * while Name/Value is on; a moved fader's value or a turned pot's value stands there for 1.5 s.
 * Names get 7 characters on separate scribble strips (`colorScribble`), else 6 and a blank so
 * that neighbouring names on one continuous LCD do not run together (LCdoc: the 8th cell
 * shows only 6 anyway).
 */
import type { Bank } from '../bank.js';
import type { SurfaceContext } from '../surface.js';
import type { Action } from '../types.js';
import { LED } from './codec.js';
import { METER_FLOOR } from './meters.js';
import { paramLabel, shortenName, shortValue } from './names.js';
import { grRing, RING_OFF, ringFor } from './vpot.js';

/** A moved fader's or turned pot's value stays on the lower line this long. */
export const SHOW_VALUE_MS = 1500;
/** A dynamics threshold ring shows its value, not the gain reduction, this long after a turn. */
export const GR_PAUSE_MS = 1000;

export class MackieView {
  /** Name/Value: the lower line shows the pots' parameter names instead of their values. */
  names = false;
  /** Per bank position: until when the lower line shows a moved value, and whether the fader's. */
  private readonly showUntil: Float64Array;
  private readonly showFader: Uint8Array;
  private readonly turnedAt: Float64Array;
  private readonly meterBuf: Float32Array | undefined;
  private readonly nameCache = new Map<string, string>();
  private readonly meterOffsets = new Map<string, number>();

  constructor(
    private readonly ctx: SurfaceContext,
    private readonly bank: Bank,
    width: number,
  ) {
    this.showUntil = new Float64Array(width).fill(-Infinity);
    this.showFader = new Uint8Array(width);
    this.turnedAt = new Float64Array(width).fill(-Infinity);
    this.meterBuf = ctx.meters !== undefined ? new Float32Array(ctx.meters.layout.size).fill(METER_FLOOR) : undefined;
  }

  /** Take the meters' latest values (once per tick); false if there are none. */
  readMeters(): boolean {
    return this.meterBuf !== undefined && this.ctx.meters !== undefined && this.ctx.meters.read(this.meterBuf);
  }

  /** A meter field's value as of the last read, if the point and field exist. */
  meter(point: string, field: string): number | undefined {
    const buf = this.meterBuf;
    const m = this.ctx.meters;
    if (m === undefined || buf === undefined) return undefined;
    const key = `${point}\u0000${field}`;
    let at = this.meterOffsets.get(key);
    if (at === undefined) {
      const p = m.layout.points.find((x) => x.name === point);
      const k = p?.fields.indexOf(field) ?? -1;
      at = p === undefined || k < 0 ? -1 : p.offset + k;
      this.meterOffsets.set(key, at);
    }
    return at < 0 ? undefined : buf[at];
  }

  /** A strip meter's peak: the louder of left and right (one meter per strip, LCdoc). */
  peak(point: string | undefined): number {
    if (point === undefined) return METER_FLOOR;
    return Math.max(this.meter(point, 'peakL') ?? METER_FLOOR, this.meter(point, 'peakR') ?? METER_FLOOR);
  }

  /** Bank position g's fader moved (or pot turned): its value goes on the lower line. */
  moved(g: number, fader: boolean, now: number): void {
    this.showUntil[g] = now + SHOW_VALUE_MS;
    this.showFader[g] = fader ? 1 : 0;
    if (!fader) this.turnedAt[g] = now;
  }

  /** Pitch-bend value for a parameter on a fader whose travel ends at `top`; 0 for none. */
  faderValue(address: string | undefined, top: number): number {
    if (address === undefined) return 0;
    const k = this.ctx.registry.find(address);
    if (k < 0) return 0;
    const pos = this.ctx.registry.descriptors[k].taper.toPosition(this.ctx.store.valueAt(k));
    return Math.round(Math.max(0, Math.min(1, pos)) * top);
  }

  /**
   * The ring of bank position g. On the dynamics page the compressor's and the gate's threshold
   * rings show the selected channel's live gain reduction, except for 1 s after a turn.
   */
  ring(g: number, now: number): number {
    const address = this.bank.vpotAddress(g);
    if (address === undefined) return RING_OFF;
    const gr = /^(ch\/\d+)\/(comp|gate)\/threshold$/.exec(address);
    if (gr !== null && this.bank.vpotMode === 'dyn' && !this.bank.flip && now - this.turnedAt[g] >= GR_PAUSE_MS) {
      return grRing(this.meter(gr[1], gr[2] === 'comp' ? 'compGr' : 'gateGr') ?? 0);
    }
    return ringFor(this.ctx.registry.descriptor(address), this.ctx.store.value(address));
  }

  switchLed(address: string | undefined): number {
    return address !== undefined && this.ctx.store.value(address) >= 0.5 ? LED.on : LED.off;
  }

  /**
   * The LED of a global button mapped to action `a`: the current layer's, the current V-Pot
   * mode's, sends on faders while on, Name/Value while names show, flip flashing while flipped
   * (steady where the unit cannot flash).
   */
  actionLed(a: Action | undefined, noFlash: boolean): number {
    const b = this.bank;
    if (a === undefined) return LED.off;
    if (a === 'flip') return b.flip ? (noFlash ? LED.on : LED.flash) : LED.off;
    if (a === 'sends-on-faders') return b.sends !== undefined ? LED.on : LED.off;
    if (a === 'name-value') return this.names ? LED.on : LED.off;
    if (a.startsWith('layer:')) return b.sends === undefined && b.layer === a.slice(6) ? LED.on : LED.off;
    if (a.startsWith('vpot:')) return b.vpotMode === a.slice(5) ? LED.on : LED.off;
    return LED.off;
  }

  /** Upper line of bank position g, in `width` characters. */
  upperText(g: number, width: number): string {
    const b = this.bank;
    if (b.vpotMode === 'eq' || b.vpotMode === 'dyn') {
      const a = b.flip ? b.faderAddress(g) : b.vpotAddress(g);
      return a === undefined ? '' : this.label(a, width);
    }
    const s = b.strip(g);
    return s === undefined ? '' : this.shortName(s.name, width);
  }

  /** Lower line of bank position g. */
  lowerText(g: number, width: number, now: number): string {
    const pot = this.bank.vpotAddress(g);
    if (now < this.showUntil[g]) {
      const a = this.showFader[g] === 1 ? this.bank.faderAddress(g) : pot;
      if (a !== undefined) return this.valueText(a, width);
    }
    if (pot === undefined) return '';
    return this.names ? this.label(pot, width) : this.valueText(pot, width);
  }

  valueText(address: string, width: number): string {
    return shortValue(this.ctx.registry.descriptor(address), this.ctx.store.value(address), width);
  }

  label(address: string, width: number): string {
    return paramLabel(address, this.ctx.registry.descriptor(address), this.ctx.layout, width);
  }

  shortName(name: string, width: number): string {
    const key = `${width}\u0000${name}`;
    let s = this.nameCache.get(key);
    if (s === undefined) {
      s = shortenName(name, width);
      if (this.nameCache.size > 4096) this.nameCache.clear();
      this.nameCache.set(key, s);
    }
    return s;
  }
}
