/**
 * The EQ display: the combined magnitude response of a strip's (or master chain's) EQ bands, each
 * band faintly, on a log frequency axis 20 Hz..20 kHz and a ±18 dB gain axis, with one handle per
 * band. Drag a handle: horizontally frequency, vertically gain; a second finger dragged up or down
 * (or the wheel over a handle) sets Q.
 *
 * The response is computed with the engine's own coefficient design (src/engine/biquad.ts, pure),
 * at a display sample rate of 48 kHz, so the curve is what the engine runs (at 44.1 or 96 kHz the
 * top octave differs slightly through the bilinear transform's warping; nothing else does).
 *
 * The pure functions (axes, response, drag mapping) come first and are tested in node; the
 * component (`EqCurve`) touches the DOM only when constructed.
 */
import { HIGHPASS, HIGHPASS1, HIGHSHELF, LOWPASS, LOWSHELF, PEAK, TILT, designBiquad, newCoeffs, responseDb } from '../../../src/engine/biquad.js';
import type { ViewKit, Surface } from './knob.js';
import { el } from './knob.js';

export const DISPLAY_RATE = 48000;
export const F_MIN = 20;
export const F_MAX = 20000;
/** Gain the axis shows (±); the bands' range is ±15 dB. */
export const GAIN_VIEW = 18;
export const GAIN_LIMIT = 15;
export const Q_MIN = 0.3;
export const Q_MAX = 10;
export const FREQ_GRID = [50, 100, 200, 500, 1000, 2000, 5000, 10000] as const;

/** Filter type (biquad.ts) of each EQ type index; the same table as the engine's EQ_FILTER_TYPE. */
export const EQ_FILTER_TYPE: readonly number[] = [PEAK, LOWSHELF, HIGHSHELF, LOWPASS, HIGHPASS, TILT];
/** Butterworth section Qs of the HPF slopes 12/18/24 dB/oct (the engine's HPF_Q_A / HPF_Q_B). */
export const HPF_Q_A: readonly number[] = [Math.SQRT1_2, 1, 1 / (2 * Math.cos(Math.PI / 8))];
export const HPF_Q_B: readonly number[] = [NaN, 1, 1 / (2 * Math.cos((3 * Math.PI) / 8))];

const LOG_SPAN = Math.log(F_MAX / F_MIN);

export function freqToX(freq: number, width: number): number {
  return (width * Math.log(freq / F_MIN)) / LOG_SPAN;
}
export function xToFreq(x: number, width: number): number {
  return F_MIN * Math.exp((x / width) * LOG_SPAN);
}
export function gainToY(gainDb: number, height: number, view = GAIN_VIEW): number {
  return height / 2 - (gainDb / view) * (height / 2);
}
export function yToGain(y: number, height: number, view = GAIN_VIEW): number {
  return ((height / 2 - y) / (height / 2)) * view;
}

const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

/** A handle dragged to (x, y) of a w×h plot: the band's new frequency and gain, clamped to range. */
export function dragToBand(x: number, y: number, w: number, h: number): { freq: number; gain: number } {
  return { freq: clamp(xToFreq(x, w), F_MIN, F_MAX), gain: clamp(yToGain(y, h), -GAIN_LIMIT, GAIN_LIMIT) };
}

/** Q after a second finger moved `dy` CSS pixels (up = negative = narrower): one octave per 60 px. */
export function qFromDrag(q0: number, dy: number): number {
  return clamp(q0 * Math.pow(2, -dy / 60), Q_MIN, Q_MAX);
}

export interface EqBand {
  /** EQ type index: peak, lowshelf, highshelf, lowpass, highpass, tilt. */
  readonly type: number;
  readonly freq: number;
  readonly gain: number;
  readonly q: number;
}

/** Does the band's gain do anything (peak, shelves, tilt)? */
export function bandHasGain(type: number): boolean {
  const t = EQ_FILTER_TYPE[Math.round(type)] ?? PEAK;
  return t === PEAK || t === LOWSHELF || t === HIGHSHELF || t === TILT;
}

/** Coefficients of a band as the engine designs them (an unknown type falls back to a peak). */
export function bandCoeffs(b: EqBand, sampleRate = DISPLAY_RATE, out = newCoeffs()): Float64Array {
  const i = Math.round(b.type);
  const t = i >= 0 && i < EQ_FILTER_TYPE.length ? EQ_FILTER_TYPE[i] : PEAK;
  designBiquad(out, t, b.freq, b.gain, b.q, sampleRate);
  return out;
}

export function bandResponseDb(b: EqBand, freq: number, sampleRate = DISPLAY_RATE): number {
  return responseDb(bandCoeffs(b, sampleRate), freq, sampleRate);
}

/** The strip's high-pass (slope index 0/1/2 = 12/18/24 dB/oct) at `freq`; 0 dB when off. */
export function hpfResponseDb(on: boolean, cutoff: number, slope: number, freq: number, sampleRate = DISPLAY_RATE): number {
  if (!on) return 0;
  const s = slope >= 0.5 ? (slope >= 1.5 ? 2 : 1) : 0;
  const c = newCoeffs();
  designBiquad(c, HIGHPASS, cutoff, 0, HPF_Q_A[s], sampleRate);
  let db = responseDb(c, freq, sampleRate);
  if (s > 0) {
    designBiquad(c, s === 1 ? HIGHPASS1 : HIGHPASS, cutoff, 0, HPF_Q_B[s], sampleRate);
    db += responseDb(c, freq, sampleRate);
  }
  return db;
}

/** `n` frequencies spaced evenly on the log axis from F_MIN to F_MAX. */
export function logFrequencies(n: number): Float64Array {
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = F_MIN * Math.exp((i / (n - 1)) * LOG_SPAN);
  return f;
}

/**
 * Response (dB) of each band at each frequency (`perBand[b][i]`) and their sum (`total[i]`):
 * cascaded sections multiply, so their dB add.
 */
export function eqResponse(bands: readonly EqBand[], freqs: Float64Array, sampleRate = DISPLAY_RATE): { total: Float64Array; perBand: Float64Array[] } {
  const total = new Float64Array(freqs.length);
  const c = newCoeffs();
  const perBand = bands.map((b) => {
    bandCoeffs(b, sampleRate, c);
    const r = new Float64Array(freqs.length);
    for (let i = 0; i < freqs.length; i++) {
      r[i] = responseDb(c, freqs[i], sampleRate);
      total[i] += r[i];
    }
    return r;
  });
  return { total, perBand };
}

export function formatFreq(f: number): string {
  return f >= 1000 ? `${(f / 1000).toFixed(f >= 10000 ? 1 : 2)}k` : f.toFixed(0);
}

/** Short names of the EQ types (peak, lowshelf, highshelf, lowpass, highpass, tilt) for the band pickers. */
export const EQ_TYPE_LABELS = ['Bell', 'Lo shelf', 'Hi shelf', 'Lo pass', 'Hi pass', 'Tilt'] as const;

/** Band colours (handles, band curves, chips). */
export const BAND_COLORS = ['#ff7a59', '#f5c542', '#4fd18b', '#4fb3ff', '#c58bff', '#ff6fb1'];

export interface EqCurveOptions {
  /** `ch/3` or `master`, `master/2`: the EQ lives under `<prefix>/eq/`. */
  readonly prefix: string;
  readonly bands: number;
  /** The strip's HPF drawn into the curve (`ch/<n>`), if any. */
  readonly hpfPrefix?: string;
  /** Called when a band is picked on the canvas. */
  readonly onSelect?: (band: number) => void;
}

interface Drag {
  readonly band: number;
  readonly pointer: number;
  readonly offX: number;
  readonly offY: number;
  /** Pass filters have no gain: their handle moves frequency only. */
  readonly gain: boolean;
  qPointer: number;
  qStartY: number;
  q0: number;
}

/** The interactive EQ canvas. */
export class EqCurve {
  readonly el: HTMLElement;
  readonly surface: Surface;
  selected = 0;
  private drag: Drag | undefined;
  private freqs = logFrequencies(256);
  private readonly addr: (b: number, k: 'type' | 'freq' | 'gain' | 'q') => string;

  constructor(private readonly kit: ViewKit, private readonly opts: EqCurveOptions) {
    this.addr = (b, k) => `${opts.prefix}/eq/${b + 1}/${k}`;
    this.el = el('div', 'mx-eq');
    this.surface = kit.surface('mx-eq-canvas', (s) => {
      const n = Math.max(64, Math.min(1024, Math.round(s.w / 2)));
      if (n !== this.freqs.length) this.freqs = logFrequencies(n);
      this.draw();
    });
    this.el.append(this.surface.canvas);
    const watched = [`${opts.prefix}/eq/on`];
    for (let b = 0; b < opts.bands; b++) watched.push(this.addr(b, 'type'), this.addr(b, 'freq'), this.addr(b, 'gain'), this.addr(b, 'q'));
    if (opts.hpfPrefix) watched.push(`${opts.hpfPrefix}/hpf/on`, `${opts.hpfPrefix}/hpf/freq`, `${opts.hpfPrefix}/hpf/slope`);
    kit.watch(watched, () => this.draw());
    this.listen();
  }

  band(b: number): EqBand {
    const v = (k: 'type' | 'freq' | 'gain' | 'q'): number => this.kit.ctx.value(this.addr(b, k));
    return { type: v('type'), freq: v('freq'), gain: v('gain'), q: v('q') };
  }

  select(b: number): void {
    this.selected = b;
    this.kit.schedule(() => this.draw());
  }

  private handleXY(b: number): [number, number] {
    const { w, h } = this.surface;
    const band = this.band(b);
    const x = freqToX(clamp(band.freq, F_MIN, F_MAX), w);
    return [x, bandHasGain(band.type) ? gainToY(band.gain, h) : gainToY(0, h)];
  }

  private hit(px: number, py: number): number {
    let best = -1;
    let bestD = 36 * 36;
    for (let b = 0; b < this.opts.bands; b++) {
      const [x, y] = this.handleXY(b);
      const d = (x - px) ** 2 + (y - py) ** 2;
      if (d < bestD) {
        bestD = d;
        best = b;
      }
    }
    return best;
  }

  private listen(): void {
    const c = this.surface.canvas;
    const { ctx } = this.kit;
    // The canvas's page position, read once per gesture (not on every move).
    let rect = c.getBoundingClientRect();
    const local = (e: PointerEvent | WheelEvent): [number, number] => [e.clientX - rect.left, e.clientY - rect.top];
    c.addEventListener('pointerdown', (e) => {
      if (!this.drag) rect = c.getBoundingClientRect();
      const [px, py] = local(e);
      const d = this.drag;
      if (d) {
        // A second finger: vertical travel sets the dragged band's Q.
        if (d.qPointer === -1 && ctx.canWrite(this.addr(d.band, 'q'))) {
          d.qPointer = e.pointerId;
          d.qStartY = py;
          d.q0 = ctx.value(this.addr(d.band, 'q'));
          c.setPointerCapture(e.pointerId);
          ctx.touch(this.addr(d.band, 'q'));
        }
        return;
      }
      const b = this.hit(px, py);
      if (b < 0) return;
      this.select(b);
      this.opts.onSelect?.(b);
      if (!ctx.canWrite(this.addr(b, 'freq'))) return;
      e.preventDefault();
      const [hx, hy] = this.handleXY(b);
      const gain = bandHasGain(this.band(b).type);
      this.drag = { band: b, pointer: e.pointerId, offX: hx - px, offY: hy - py, gain, qPointer: -1, qStartY: 0, q0: 1 };
      c.setPointerCapture(e.pointerId);
      ctx.touch(this.addr(b, 'freq'));
      if (gain) ctx.touch(this.addr(b, 'gain'));
    });
    c.addEventListener('pointermove', (e) => {
      const d = this.drag;
      if (!d) return;
      const [px, py] = local(e);
      if (e.pointerId === d.pointer) {
        const { freq, gain } = dragToBand(px + d.offX, py + d.offY, this.surface.w, this.surface.h);
        this.kit.write(this.addr(d.band, 'freq'), freq);
        if (d.gain) this.kit.write(this.addr(d.band, 'gain'), gain);
      } else if (e.pointerId === d.qPointer) {
        this.kit.write(this.addr(d.band, 'q'), qFromDrag(d.q0, py - d.qStartY));
      }
    });
    const end = (e: PointerEvent): void => {
      const d = this.drag;
      if (!d) return;
      if (e.pointerId === d.qPointer) {
        d.qPointer = -1;
        this.kit.release(this.addr(d.band, 'q'));
      } else if (e.pointerId === d.pointer) {
        if (d.qPointer !== -1) this.kit.release(this.addr(d.band, 'q'));
        this.kit.release(this.addr(d.band, 'freq'));
        if (d.gain) this.kit.release(this.addr(d.band, 'gain'));
        this.drag = undefined;
      }
    };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    let wheelBand = -1;
    let wheelTimer: ReturnType<typeof setTimeout> | undefined;
    c.addEventListener(
      'wheel',
      (e) => {
        if (wheelBand < 0) rect = c.getBoundingClientRect();
        const [px, py] = local(e);
        const b = wheelBand >= 0 ? wheelBand : this.hit(px, py);
        if (b < 0 || !ctx.canWrite(this.addr(b, 'q'))) return;
        e.preventDefault();
        if (wheelTimer === undefined) ctx.touch(this.addr(b, 'q'));
        else clearTimeout(wheelTimer);
        wheelBand = b;
        this.kit.write(this.addr(b, 'q'), qFromDrag(ctx.value(this.addr(b, 'q')), e.deltaY > 0 ? 6 : -6));
        wheelTimer = setTimeout(() => {
          wheelTimer = undefined;
          this.kit.release(this.addr(b, 'q'));
          wheelBand = -1;
        }, 400);
      },
      { passive: false },
    );
  }

  draw(): void {
    const s = this.surface;
    if (!s.begin()) return;
    const { g, w, h } = s;
    const { ctx } = this.kit;
    const on = ctx.value(`${this.opts.prefix}/eq/on`) >= 0.5;
    // Grid.
    g.fillStyle = '#0d1116';
    g.fillRect(0, 0, w, h);
    g.lineWidth = 1;
    g.font = '11px system-ui, sans-serif';
    g.textBaseline = 'top';
    for (const f of FREQ_GRID) {
      const x = Math.round(freqToX(f, w)) + 0.5;
      g.strokeStyle = f === 100 || f === 1000 || f === 10000 ? '#2a323c' : '#1b2129';
      g.beginPath();
      g.moveTo(x, 0);
      g.lineTo(x, h);
      g.stroke();
      g.fillStyle = '#6b7785';
      g.fillText(formatFreq(f), x + 3, h - 15);
    }
    g.textBaseline = 'middle';
    for (let db = -GAIN_VIEW + 3; db < GAIN_VIEW; db += 3) {
      const y = Math.round(gainToY(db, h)) + 0.5;
      g.strokeStyle = db === 0 ? '#3a4450' : db % 6 === 0 ? '#1f262e' : '#161b21';
      g.beginPath();
      g.moveTo(0, y);
      g.lineTo(w, y);
      g.stroke();
      if (db % 6 === 0) {
        g.fillStyle = '#6b7785';
        g.fillText(`${db > 0 ? '+' : ''}${db}`, 4, y - 7);
      }
    }
    const freqs = this.freqs;
    const bands = Array.from({ length: this.opts.bands }, (_, b) => this.band(b));
    if (bands.some((b) => Number.isNaN(b.freq))) return;
    const { total, perBand } = eqResponse(bands, freqs);
    const hp = this.opts.hpfPrefix;
    let hpf: Float64Array | undefined;
    if (hp && ctx.value(`${hp}/hpf/on`) >= 0.5) {
      hpf = new Float64Array(freqs.length);
      const cut = ctx.value(`${hp}/hpf/freq`);
      const slope = ctx.value(`${hp}/hpf/slope`);
      for (let i = 0; i < freqs.length; i++) hpf[i] = hpfResponseDb(true, cut, slope, freqs[i]);
    }
    const path = (db: (i: number) => number): void => {
      g.beginPath();
      for (let i = 0; i < freqs.length; i++) {
        const x = freqToX(freqs[i], w);
        const y = clamp(gainToY(db(i), h), -2, h + 2);
        if (i === 0) g.moveTo(x, y);
        else g.lineTo(x, y);
      }
    };
    // Each band faintly.
    perBand.forEach((r, b) => {
      path((i) => r[i]);
      g.strokeStyle = BAND_COLORS[b % BAND_COLORS.length];
      g.globalAlpha = b === this.selected ? 0.55 : 0.25;
      g.lineWidth = 1.25;
      g.stroke();
    });
    if (hpf) {
      const r = hpf;
      path((i) => r[i]);
      g.strokeStyle = '#8fa3b8';
      g.globalAlpha = 0.35;
      g.stroke();
    }
    g.globalAlpha = 1;
    // The combined curve, filled towards 0 dB.
    const comb = (i: number): number => total[i] + (hpf ? hpf[i] : 0);
    path(comb);
    g.lineTo(w, gainToY(0, h));
    g.lineTo(0, gainToY(0, h));
    g.closePath();
    g.fillStyle = on ? 'rgba(94, 176, 255, 0.14)' : 'rgba(140, 150, 160, 0.07)';
    g.fill();
    path(comb);
    g.strokeStyle = on ? '#8cc8ff' : '#5d6773';
    g.lineWidth = 2.25;
    g.stroke();
    // Handles.
    g.textBaseline = 'middle';
    g.textAlign = 'center';
    g.font = 'bold 12px system-ui, sans-serif';
    for (let b = 0; b < bands.length; b++) {
      const [x, y] = this.handleXY(b);
      const col = BAND_COLORS[b % BAND_COLORS.length];
      const held = this.kit.foreignHolder(this.addr(b, 'freq')) ?? this.kit.foreignHolder(this.addr(b, 'gain'));
      g.beginPath();
      g.arc(x, y, b === this.selected ? 13 : 11, 0, 2 * Math.PI);
      g.fillStyle = on ? col : '#56606b';
      g.globalAlpha = b === this.selected ? 1 : 0.8;
      g.fill();
      g.globalAlpha = 1;
      if (b === this.selected) {
        g.strokeStyle = '#ffffff';
        g.lineWidth = 2;
        g.stroke();
      }
      if (held) {
        g.strokeStyle = '#ff4d4d';
        g.setLineDash([3, 3]);
        g.lineWidth = 2;
        g.beginPath();
        g.arc(x, y, 18, 0, 2 * Math.PI);
        g.stroke();
        g.setLineDash([]);
        g.fillStyle = '#ff8080';
        g.font = '11px system-ui, sans-serif';
        g.fillText(held.name || held.source, x, y - 27);
        g.font = 'bold 12px system-ui, sans-serif';
      }
      g.fillStyle = '#0d1116';
      g.fillText(String(b + 1), x, y + 0.5);
    }
    g.textAlign = 'start';
  }
}
