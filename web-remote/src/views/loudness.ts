/**
 * The master view's loudness panel: momentary, short-term, integrated, range and true peak, the
 * chain's target with quick picks for common platforms, the projected integrated loudness with
 * its range, and a history graph of the last 10 minutes built in the page from the meter frames.
 *
 * History: meter frames arrive at about 30 Hz; they are decimated to 10 Hz slots (the loudest
 * momentary and short-term value of each slot, the last integrated value) into a ring of 6000
 * points. A slot in which no frame arrived (the tablet slept, the connection dropped) is stored
 * as a gap (NaN), so the time axis stays true.
 */
import { CHAIN_FIELDS, METER_FLOOR_DB } from '../../../src/model/meters.js';
import type { ViewKit, Surface } from './knob.js';
import { el, knob } from './knob.js';

export const HISTORY_HZ = 10;
export const HISTORY_POINTS = 6000;
const SLOT_MS = 1000 / HISTORY_HZ;

/**
 * Platform targets offered as quick picks. Numbers from profiles/mastering/targets/ (spotify.json,
 * apple-music.json, youtube.json, ebu-r128.json, atsc-a85.json): integratedLufs, truePeakDbtp,
 * toleranceLu.
 */
export const TARGET_PRESETS: ReadonlyArray<{ readonly id: string; readonly name: string; readonly lufs: number; readonly ceiling: number; readonly tolerance: number }> = [
  { id: 'spotify', name: 'Spotify', lufs: -14, ceiling: -1, tolerance: 0.5 },
  { id: 'apple-music', name: 'Apple Music', lufs: -16, ceiling: -1, tolerance: 0.5 },
  { id: 'youtube', name: 'YouTube', lufs: -14, ceiling: -1, tolerance: 0.5 },
  { id: 'ebu-r128', name: 'EBU R128', lufs: -23, ceiling: -1, tolerance: 0.2 },
  { id: 'atsc-a85', name: 'ATSC A/85', lufs: -24, ceiling: -2, tolerance: 0.5 },
];
/** Tolerance for a target that is none of the presets': EBU R 128's ±1 LU for live programmes. */
export const DEFAULT_TOLERANCE_LU = 1;

/** The tolerance (LU) shown around a target: the preset's when the target is a preset's. */
export function toleranceFor(target: number, ceiling?: number): number {
  const hits = TARGET_PRESETS.filter((p) => Math.abs(p.lufs - target) < 0.05 && (ceiling === undefined || Math.abs(p.ceiling - ceiling) < 0.05));
  return hits.length > 0 ? Math.min(...hits.map((p) => p.tolerance)) : DEFAULT_TOLERANCE_LU;
}

/** [low, high] of the band that counts as on target. */
export function targetBand(target: number, tolerance: number): [number, number] {
  return [target - tolerance, target + tolerance];
}

/** Nothing measured yet (the meter's floor, or no value). */
export function unmeasured(v: number): boolean {
  return !Number.isFinite(v) || v <= METER_FLOOR_DB + 0.5;
}

const MINUS = '\u2212';
/** One decimal with a typographic minus; `—` when nothing has been measured. */
export function formatLoudness(v: number): string {
  if (unmeasured(v)) return '—';
  const s = Math.abs(v).toFixed(1);
  return v < 0 && s !== '0.0' ? `${MINUS}${s}` : s;
}

/** A signed deviation, e.g. `+0.4 LU`, `−2.1 LU`. */
export function formatDeviation(v: number, target: number): string {
  if (unmeasured(v) || !Number.isFinite(target)) return '';
  const d = v - target;
  const s = Math.abs(d).toFixed(1);
  return `${s === '0.0' ? '±' : d > 0 ? '+' : MINUS}${s} LU`;
}

export type ToleranceState = 'none' | 'in' | 'near' | 'out';

/** In the band, within 1 LU outside it ('near'), or further off. */
export function toleranceState(v: number, target: number, tolerance: number): ToleranceState {
  if (unmeasured(v) || !Number.isFinite(target)) return 'none';
  const off = Math.abs(v - target);
  return off <= tolerance + 1e-9 ? 'in' : off <= tolerance + 1 ? 'near' : 'out';
}

/** The 10 Hz ring of loudness history. */
export class LoudnessHistory {
  readonly capacity: number;
  readonly momentary: Float32Array;
  readonly shortTerm: Float32Array;
  readonly integrated: Float32Array;
  private head = 0;
  private count = 0;
  private slot = NaN;
  private m = NaN;
  private s = NaN;
  private i = NaN;
  /** Bumped for every stored point (the graph redraws when it moves). */
  version = 0;

  constructor(capacity = HISTORY_POINTS) {
    this.capacity = capacity;
    this.momentary = new Float32Array(capacity);
    this.shortTerm = new Float32Array(capacity);
    this.integrated = new Float32Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** One meter frame at time `tMs` (any monotonic clock). */
  add(tMs: number, momentary: number, shortTerm: number, integrated: number): void {
    const slot = Math.floor(tMs / SLOT_MS);
    if (Number.isNaN(this.slot)) this.slot = slot;
    else if (slot > this.slot) {
      this.commit(this.m, this.s, this.i);
      const gap = Math.min(slot - this.slot - 1, this.capacity);
      for (let k = 0; k < gap; k++) this.commit(NaN, NaN, NaN);
      this.slot = slot;
      this.m = this.s = this.i = NaN;
    }
    const val = (v: number): number => (unmeasured(v) ? NaN : v);
    const m = val(momentary);
    const s = val(shortTerm);
    if (!(this.m >= m)) this.m = Number.isNaN(m) ? this.m : m;
    if (!(this.s >= s)) this.s = Number.isNaN(s) ? this.s : s;
    this.i = val(integrated);
  }

  /** Point `k` counted from the oldest (0) to the newest (length − 1). */
  index(k: number): number {
    return (this.head - this.count + k + this.capacity) % this.capacity;
  }

  /**
   * Replace the contents with a history from the server (10 Hz points, oldest first, null where
   * nothing was measured); the live frames continue after it.
   */
  seed(momentary: ReadonlyArray<number | null>, shortTerm: ReadonlyArray<number | null>, integrated: ReadonlyArray<number | null>): void {
    this.clear();
    const n = Math.min(momentary.length, shortTerm.length, integrated.length);
    const num = (x: number | null | undefined): number => (typeof x === 'number' && Number.isFinite(x) ? x : NaN);
    for (let k = Math.max(0, n - this.capacity); k < n; k++) this.commit(num(momentary[k]), num(shortTerm[k]), num(integrated[k]));
  }

  clear(): void {
    this.head = this.count = 0;
    this.slot = this.m = this.s = this.i = NaN;
    this.version++;
  }

  private commit(m: number, s: number, i: number): void {
    this.momentary[this.head] = m;
    this.shortTerm[this.head] = s;
    this.integrated[this.head] = i;
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    this.version++;
  }
}

const F = (name: (typeof CHAIN_FIELDS)[number]): number => CHAIN_FIELDS.indexOf(name);
export const CHAIN_FIELD = {
  momentary: F('momentary'),
  shortTerm: F('shortTerm'),
  integrated: F('integrated'),
  range: F('range'),
  truePeak: F('truePeak'),
  projected: F('projected'),
  projectedLow: F('projectedLow'),
  projectedHigh: F('projectedHigh'),
} as const;

/** Vertical span of the history graph around the target (LU below, above). */
const GRAPH_BELOW = 21;
const GRAPH_ABOVE = 9;

interface Readout {
  readonly root: HTMLElement;
  readonly value: HTMLElement;
  readonly sub: HTMLElement;
  last: string;
  lastSub: string;
  lastState: string;
}

function readout(label: string, unit: string, big = false): Readout {
  const root = el('div', big ? 'mx-lr mx-lr-big' : 'mx-lr');
  const value = el('div', 'mx-lr-value', '—');
  const sub = el('div', 'mx-lr-sub');
  root.append(el('div', 'mx-lr-label', label), value, el('div', 'mx-lr-unit', unit), sub);
  return { root, value, sub, last: '—', lastSub: '', lastState: '' };
}

function show(r: Readout, text: string, sub: string, state: string): void {
  if (text !== r.last) r.value.textContent = r.last = text;
  if (sub !== r.lastSub) r.sub.textContent = r.lastSub = sub;
  if (state !== r.lastState) {
    if (r.lastState) r.root.classList.remove(`mx-${r.lastState}`);
    if (state) r.root.classList.add(`mx-${state}`);
    r.lastState = state;
  }
}

/** The panel. `prefix` is the chain's address prefix (`master`, `master/2`). */
export class LoudnessPanel {
  readonly el: HTMLElement;
  readonly history = new LoudnessHistory();
  private readonly graph: Surface;
  private readonly r: Record<'m' | 's' | 'i' | 'lra' | 'tp' | 'proj', Readout>;
  private drawnVersion = -1;
  private readonly redraw = (): void => this.drawGraph();
  private resetTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly kit: ViewKit, private readonly prefix: string) {
    const { ctx } = kit;
    this.el = el('div', 'mx-loudness');
    this.r = {
      m: readout('Momentary', 'LUFS'),
      s: readout('Short-term', 'LUFS'),
      i: readout('Integrated', 'LUFS', true),
      lra: readout('Range', 'LU'),
      tp: readout('True peak', 'dBTP'),
      proj: readout('Projected', 'LUFS'),
    };
    const nums = el('div', 'mx-lr-row');
    nums.append(this.r.i.root, this.r.proj.root, this.r.s.root, this.r.m.root, this.r.lra.root, this.r.tp.root);

    const targetAddr = `${prefix}/target`;
    const ceilAddr = `${prefix}/limiter/ceiling`;
    const targets = el('div', 'mx-targets');
    const targetText = el('span', 'mx-target-text');
    const dials = el('div', 'mx-row');
    dials.append(knob(kit, targetAddr, { label: 'Target', color: '#4fd18b' }).el, knob(kit, ceilAddr, { label: 'Ceiling', color: '#ff8a65' }).el);
    const pickRow = el('div', 'mx-picks');
    targets.append(targetText, dials, pickRow);
    const picks = TARGET_PRESETS.map((p) => {
      const b = el('button', 'mx-pick', '');
      b.type = 'button';
      b.append(el('b', '', p.name), el('small', '', `${formatLoudness(p.lufs)} / ${formatLoudness(p.ceiling)}`));
      b.disabled = !ctx.canWrite(targetAddr);
      b.addEventListener('click', () => {
        ctx.set(targetAddr, p.lufs);
        if (ctx.canWrite(ceilAddr)) ctx.set(ceilAddr, p.ceiling);
      });
      pickRow.append(b);
      return { p, b };
    });
    const resetAddr = `${prefix}/meter/reset`;
    if (ctx.registry.find(resetAddr) >= 0) {
      const b = el('button', 'mx-pick mx-reset', 'Reset');
      b.type = 'button';
      b.disabled = !ctx.canWrite(resetAddr);
      // The engine resets on the switch's rising edge: send 1, then 0.
      b.addEventListener('click', () => {
        ctx.set(resetAddr, 1);
        this.history.clear();
        this.graph.draw(this.graph);
        clearTimeout(this.resetTimer);
        this.resetTimer = setTimeout(() => ctx.set(resetAddr, 0), 250);
      });
      pickRow.append(b);
    }
    const syncTarget = (): void => {
      const t = ctx.value(targetAddr);
      const c = ctx.value(ceilAddr);
      targetText.textContent = `${formatLoudness(t)} LUFS · ±${toleranceFor(t, c).toFixed(1)} LU · ceiling ${formatLoudness(c)} dBTP`;
      for (const { p, b } of picks) b.classList.toggle('on', Math.abs(p.lufs - t) < 0.05 && Math.abs(p.ceiling - c) < 0.05);
      this.graph.draw(this.graph);
    };
    kit.watch([targetAddr, ceilAddr], syncTarget);

    this.graph = kit.surface('mx-lgraph', () => this.drawGraph());
    const legend = el('div', 'mx-legend');
    legend.innerHTML = '<span class="m">momentary</span><span class="s">short-term</span><span class="i">integrated</span><span class="t">target band</span>';
    const top = el('div', 'mx-loud-top');
    top.append(nums, targets);
    this.el.append(top, this.graph.canvas, legend);
    queueMicrotask(syncTarget);
    void this.loadHistory();
  }

  /** The server keeps the last ten minutes: draw them at once instead of an empty graph. */
  private async loadHistory(): Promise<void> {
    const chain = this.prefix === 'master' ? 1 : Number(this.prefix.split('/')[1]);
    try {
      const res = await fetch(`/api/loudness/history?chain=${chain}`, { credentials: 'same-origin', cache: 'no-store' });
      if (!res.ok) return;
      const body: unknown = await res.json();
      if (typeof body !== 'object' || body === null) return;
      const b = body as { momentary?: unknown; shortTerm?: unknown; integrated?: unknown };
      if (!Array.isArray(b.momentary) || !Array.isArray(b.shortTerm) || !Array.isArray(b.integrated)) return;
      this.history.seed(b.momentary as Array<number | null>, b.shortTerm as Array<number | null>, b.integrated as Array<number | null>);
      this.kit.schedule(this.redraw);
    } catch {
      // No history (offline, or an older server): the graph fills from the live frames.
    }
  }

  private target(): [number, number] {
    const { ctx } = this.kit;
    const t = ctx.value(`${this.prefix}/target`);
    return [t, toleranceFor(t, ctx.value(`${this.prefix}/limiter/ceiling`))];
  }

  /** A meter frame of the chain point. Cheap: text only where it changed, the graph at 10 Hz. */
  frame(v: Float32Array, now: number): void {
    const [target, tol] = this.target();
    const ceiling = this.kit.ctx.value(`${this.prefix}/limiter/ceiling`);
    const m = v[CHAIN_FIELD.momentary];
    const s = v[CHAIN_FIELD.shortTerm];
    const i = v[CHAIN_FIELD.integrated];
    this.history.add(now, m, s, i);
    show(this.r.m, formatLoudness(m), formatDeviation(m, target), '');
    show(this.r.s, formatLoudness(s), formatDeviation(s, target), toleranceState(s, target, tol + 1));
    show(this.r.i, formatLoudness(i), formatDeviation(i, target), toleranceState(i, target, tol));
    const lra = v[CHAIN_FIELD.range];
    show(this.r.lra, unmeasured(i) ? '—' : lra.toFixed(1), '', '');
    const tp = v[CHAIN_FIELD.truePeak];
    show(this.r.tp, formatLoudness(tp), unmeasured(tp) ? '' : `ceiling ${formatLoudness(ceiling)}`, unmeasured(tp) ? 'none' : tp > ceiling + 0.05 ? 'out' : 'in');
    const p = v[CHAIN_FIELD.projected];
    const lo = v[CHAIN_FIELD.projectedLow];
    const hi = v[CHAIN_FIELD.projectedHigh];
    show(this.r.proj, formatLoudness(p), unmeasured(p) ? '' : `${formatLoudness(lo)} … ${formatLoudness(hi)}`, toleranceState(p, target, tol));
    if (this.history.version !== this.drawnVersion) this.kit.schedule(this.redraw);
  }

  dispose(): void {
    clearTimeout(this.resetTimer);
  }

  private drawGraph(): void {
    const s = this.graph;
    this.drawnVersion = this.history.version;
    if (!s.begin()) return;
    const { g, w, h } = s;
    const [target, tol] = this.target();
    const t = Number.isFinite(target) ? target : -14;
    const top = t + GRAPH_ABOVE;
    const bottom = t - GRAPH_BELOW;
    const padL = 34;
    const pw = w - padL;
    const Y = (lufs: number): number => ((top - lufs) / (top - bottom)) * h;
    g.fillStyle = '#0d1116';
    g.fillRect(0, 0, w, h);
    // Target band and line.
    const [lo, hi] = targetBand(t, tol);
    g.fillStyle = 'rgba(79, 209, 139, 0.16)';
    g.fillRect(padL, Y(hi), pw, Y(lo) - Y(hi));
    g.font = '10px system-ui, sans-serif';
    g.textBaseline = 'middle';
    for (let l = Math.ceil(bottom / 3) * 3; l <= top; l += 3) {
      const y = Math.round(Y(l)) + 0.5;
      g.strokeStyle = l === t ? '#4fd18b' : '#1b2129';
      g.setLineDash(l === t ? [6, 4] : []);
      g.beginPath();
      g.moveTo(padL, y);
      g.lineTo(w, y);
      g.stroke();
      g.fillStyle = l === t ? '#4fd18b' : '#6b7785';
      g.fillText(`${l < 0 ? MINUS : ''}${Math.abs(l)}`, 2, y);
    }
    g.setLineDash([]);
    // Minutes.
    g.strokeStyle = '#1b2129';
    g.fillStyle = '#6b7785';
    g.textBaseline = 'bottom';
    for (let min = 1; min < 10; min++) {
      const x = Math.round(padL + pw - (min * 60 * HISTORY_HZ * pw) / HISTORY_POINTS) + 0.5;
      g.beginPath();
      g.moveTo(x, 0);
      g.lineTo(x, h);
      g.stroke();
      if (min % 2 === 0) g.fillText(`${MINUS}${min}′`, x + 2, h - 2);
    }
    // Series, newest at the right edge, one column per pixel (loudest of its points).
    const hist = this.history;
    const n = hist.length;
    const series = (data: Float32Array, color: string, width: number, fill: boolean): void => {
      g.beginPath();
      let pen = false;
      let firstX = 0;
      let lastX = 0;
      const cols = Math.max(1, Math.floor(pw));
      let k = 0;
      for (let c = 0; c < cols; c++) {
        // Points of column c: the ring's last HISTORY_POINTS slots map onto the plot width.
        const end = n - Math.floor(((cols - 1 - c) * HISTORY_POINTS) / cols);
        const start = n - Math.floor(((cols - c) * HISTORY_POINTS) / cols);
        let best = NaN;
        for (k = Math.max(0, start); k < end; k++) {
          const v = data[hist.index(k)];
          if (!(best >= v)) best = Number.isNaN(v) ? best : v;
        }
        const x = padL + c + 0.5;
        if (Number.isNaN(best)) {
          if (pen && fill) {
            g.lineTo(lastX, h);
            g.lineTo(firstX, h);
          }
          pen = false;
          continue;
        }
        const y = Math.max(0, Math.min(h, Y(best)));
        if (!pen) {
          if (fill) {
            g.moveTo(x, h);
            g.lineTo(x, y);
          } else g.moveTo(x, y);
          firstX = x;
          pen = true;
        } else g.lineTo(x, y);
        lastX = x;
      }
      if (pen && fill) {
        g.lineTo(lastX, h);
        g.lineTo(firstX, h);
      }
      if (fill) {
        g.fillStyle = color;
        g.fill();
      } else {
        g.strokeStyle = color;
        g.lineWidth = width;
        g.stroke();
      }
    };
    series(hist.momentary, 'rgba(120, 170, 230, 0.28)', 1, true);
    series(hist.shortTerm, '#8cc8ff', 1.75, false);
    series(hist.integrated, '#ffd166', 2, false);
    g.lineWidth = 1;
  }
}
