/**
 * Controls of the detail views: a rotary knob, a horizontal fader, switches, segmented enums and
 * selects, each bound to one parameter address, plus the `ViewKit` that binds them to the
 * RemoteContext: one `onParam` and one `onLeases` subscription per view, redraws batched into
 * one animation frame, and writes rate-shaped so that a drag stays well under the protocol's
 * 100 messages per second.
 *
 * Rendering never reads layout in a frame callback: canvases learn their size from a
 * ResizeObserver (`Surface`), knobs are SVG whose attributes are set, faders move through a
 * CSS custom property.
 */
import type { ConnectionState, Holder, RemoteContext } from '../types.js';
import { VIEWS_CSS } from './views-css.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Writes of one address are sent at most this often while a control moves. */
export const WRITE_INTERVAL_MS = 33;
/** A drag of this many CSS pixels sweeps a knob through its whole range. */
const KNOB_TRAVEL_PX = 220;

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A bound control: redrawn when its address changes, marked when someone else holds it. */
export interface Bound {
  readonly address: string;
  readonly el: HTMLElement;
  update(): void;
}

/** A canvas whose backing store follows its CSS size (device pixels). */
export class Surface {
  readonly canvas: HTMLCanvasElement;
  readonly g: CanvasRenderingContext2D;
  /** CSS pixels. */
  w = 0;
  h = 0;
  dpr = 1;
  constructor(cls: string, readonly draw: (s: Surface) => void) {
    this.canvas = el('canvas', cls);
    const g = this.canvas.getContext('2d');
    if (!g) throw new Error('no 2d canvas context');
    this.g = g;
  }
  resize(w: number, h: number): void {
    this.dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
    this.w = w;
    this.h = h;
    this.canvas.width = Math.max(1, Math.round(w * this.dpr));
    this.canvas.height = Math.max(1, Math.round(h * this.dpr));
  }
  /** Clear and set the transform to CSS pixels; false while the canvas has no size yet. */
  begin(): boolean {
    if (this.w < 2 || this.h < 2) return false;
    this.g.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    this.g.clearRect(0, 0, this.w, this.h);
    return true;
  }
}

export class ViewKit {
  private readonly bound = new Map<string, Bound[]>();
  private readonly watchers = new Map<string, Array<() => void>>();
  private readonly dirty = new Set<() => void>();
  private readonly surfaces = new Map<Element, Surface>();
  private readonly offs: Array<() => void> = [];
  private readonly pending = new Map<string, number>();
  private readonly lastSent = new Map<string, number>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private raf = 0;
  private readonly resizer: ResizeObserver;
  private disposed = false;

  constructor(readonly ctx: RemoteContext, prefix: string) {
    this.offs.push(
      ctx.onParam(prefix, (address) => {
        for (const b of this.bound.get(address) ?? []) {
          // A view mounted before the snapshot came made its controls read-only: the value's
          // arrival is when this client learns it may write it.
          syncWritable(ctx, b);
          this.schedule(b.update);
        }
        for (const w of this.watchers.get(address) ?? []) this.schedule(w);
      }),
      ctx.onLeases(() => this.refreshHolders()),
    );
    this.resizer = new ResizeObserver((entries) => {
      for (const e of entries) {
        const s = this.surfaces.get(e.target);
        if (!s) continue;
        s.resize(e.contentRect.width, e.contentRect.height);
        s.draw(s);
      }
    });
  }

  bind<T extends Bound>(b: T): T {
    const list = this.bound.get(b.address);
    if (list) list.push(b);
    else this.bound.set(b.address, [b]);
    b.update();
    this.markHolder(b);
    return b;
  }

  /** Call `fn` (once per frame at most) whenever any of `addresses` changes. */
  watch(addresses: readonly string[], fn: () => void): void {
    for (const a of addresses) {
      const list = this.watchers.get(a);
      if (list) list.push(fn);
      else this.watchers.set(a, [fn]);
    }
  }

  surface(cls: string, draw: (s: Surface) => void): Surface {
    const s = new Surface(cls, draw);
    this.surfaces.set(s.canvas, s);
    this.resizer.observe(s.canvas);
    return s;
  }

  /** Run `fn` in the next animation frame (deduplicated). */
  schedule(fn: () => void): void {
    if (this.disposed) return;
    this.dirty.add(fn);
    if (this.raf === 0) {
      this.raf = requestAnimationFrame(() => {
        this.raf = 0;
        const fns = [...this.dirty];
        this.dirty.clear();
        for (const f of fns) f();
      });
    }
  }

  /** Set a value, rate-shaped: the page shows it at once, the server gets it at most every 33 ms. */
  write(address: string, value: number): void {
    const now = performance.now();
    const last = this.lastSent.get(address) ?? -Infinity;
    if (now - last >= WRITE_INTERVAL_MS && !this.pending.has(address)) {
      this.lastSent.set(address, now);
      this.ctx.set(address, value);
      return;
    }
    this.pending.set(address, value);
    if (this.flushTimer === undefined) this.flushTimer = setTimeout(() => this.flush(), WRITE_INTERVAL_MS);
  }

  writePosition(address: string, position: number): void {
    const d = this.ctx.registry.descriptor(address);
    this.write(address, d.taper.fromPosition(clamp01(position)));
  }

  /** Send whatever is pending now (before a release, so the last value lands under the lease). */
  flush(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const now = performance.now();
    for (const [a, v] of this.pending) {
      this.lastSent.set(a, now);
      this.ctx.set(a, v);
    }
    this.pending.clear();
  }

  release(address: string): void {
    this.flush();
    this.ctx.release(address);
  }

  /** Another client's hold on an address (our own holds are not shown). */
  foreignHolder(address: string): Holder | undefined {
    const h = this.ctx.holder(address);
    return h && h.source !== this.ctx.clientId ? h : undefined;
  }

  private markHolder(b: Bound): void {
    const h = this.foreignHolder(b.address);
    b.el.classList.toggle('mx-held', h !== undefined);
    if (h) b.el.dataset.holder = h.name || h.source;
    else delete b.el.dataset.holder;
  }

  private refreshHolders(): void {
    for (const list of this.bound.values()) for (const b of list) this.markHolder(b);
    for (const list of this.watchers.values()) for (const w of list) this.schedule(w);
  }

  dispose(): void {
    this.flush();
    this.disposed = true;
    if (this.raf !== 0) cancelAnimationFrame(this.raf);
    this.resizer.disconnect();
    for (const off of this.offs) off();
    this.bound.clear();
    this.watchers.clear();
  }
}

/** Shared pointer logic of knob and fader: touch on down, release on up, double-tap to default. */
function dragBehaviour(
  kit: ViewKit,
  target: HTMLElement,
  address: string,
  move: (startPos: number, dx: number, dy: number, e: PointerEvent) => number,
): void {
  const { ctx } = kit;
  let pointer = -1;
  let startX = 0;
  let startY = 0;
  let startPos = 0;
  let lastDown = 0;
  let moved = false;
  target.addEventListener('pointerdown', (e) => {
    if (!ctx.canWrite(address) || pointer !== -1) return;
    e.preventDefault();
    const now = performance.now();
    if (now - lastDown < 320 && !moved) {
      ctx.set(address, ctx.registry.descriptor(address).default);
      lastDown = 0;
      return;
    }
    lastDown = now;
    moved = false;
    pointer = e.pointerId;
    target.setPointerCapture(e.pointerId);
    startX = e.clientX;
    startY = e.clientY;
    startPos = ctx.position(address);
    if (Number.isNaN(startPos)) startPos = 0;
    target.classList.add('mx-active');
    ctx.touch(address);
  });
  target.addEventListener('pointermove', (e) => {
    if (e.pointerId !== pointer) return;
    const dx = e.clientX - startX;
    const dy = e.clientY - startY;
    if (Math.abs(dx) + Math.abs(dy) > 3) moved = true;
    if (moved) kit.writePosition(address, move(startPos, dx, dy, e));
  });
  const end = (e: PointerEvent): void => {
    if (e.pointerId !== pointer) return;
    pointer = -1;
    target.classList.remove('mx-active');
    kit.release(address);
  };
  target.addEventListener('pointerup', end);
  target.addEventListener('pointercancel', end);
  // Wheel and keys: small steps; the lease is taken per step and let go when the wheel rests.
  let wheelTimer: ReturnType<typeof setTimeout> | undefined;
  target.addEventListener(
    'wheel',
    (e) => {
      if (!ctx.canWrite(address)) return;
      e.preventDefault();
      if (wheelTimer === undefined) ctx.touch(address);
      else clearTimeout(wheelTimer);
      const step = e.shiftKey ? 0.002 : 0.01;
      kit.writePosition(address, ctx.position(address) - Math.sign(e.deltaY) * step);
      wheelTimer = setTimeout(() => {
        wheelTimer = undefined;
        kit.release(address);
      }, 400);
    },
    { passive: false },
  );
  target.addEventListener('keydown', (e) => {
    if (!ctx.canWrite(address)) return;
    const steps: Record<string, number> = { ArrowUp: 0.01, ArrowRight: 0.01, ArrowDown: -0.01, ArrowLeft: -0.01, PageUp: 0.1, PageDown: -0.1 };
    const s = steps[e.key];
    if (s === undefined) return;
    e.preventDefault();
    kit.writePosition(address, ctx.position(address) + s);
    kit.flush();
  });
}

/** Read-only marks of a bound control, as the client's rights are now. */
function syncWritable(ctx: RemoteContext, b: Bound): void {
  const writable = ctx.canWrite(b.address);
  if (b.el instanceof HTMLSelectElement) {
    b.el.disabled = !writable;
    return;
  }
  if (!b.el.classList.contains('mx-ro') || !writable) return;
  b.el.classList.remove('mx-ro');
  b.el.removeAttribute('aria-disabled');
}

function applyReadOnly(kit: ViewKit, root: HTMLElement, address: string): void {
  // Stable hook for tests and tools: the parameter this control is bound to.
  root.dataset.address = address;
  if (!kit.ctx.canWrite(address)) {
    root.classList.add('mx-ro');
    root.setAttribute('aria-disabled', 'true');
  }
}

/** Arc path on a circle of radius r around (c, c), angles in degrees clockwise from 12 o'clock. */
function arc(c: number, r: number, a0: number, a1: number): string {
  const pt = (a: number): string => {
    const t = ((a - 90) * Math.PI) / 180;
    return `${(c + r * Math.cos(t)).toFixed(2)} ${(c + r * Math.sin(t)).toFixed(2)}`;
  };
  const large = Math.abs(a1 - a0) > 180 ? 1 : 0;
  const sweep = a1 >= a0 ? 1 : 0;
  return `M ${pt(a0)} A ${r} ${r} 0 ${large} ${sweep} ${pt(a1)}`;
}

export interface KnobOptions {
  /** Text under the knob; default: the descriptor's label without its strip prefix. */
  readonly label?: string;
  /** Accent colour of the value arc. */
  readonly color?: string;
}

/** A rotary control: drag up/right to raise, double-tap for the default. */
export function knob(kit: ViewKit, address: string, opts: KnobOptions = {}): Bound {
  const { ctx } = kit;
  const d = ctx.registry.descriptor(address);
  const root = el('div', 'mx-knob');
  root.tabIndex = 0;
  root.setAttribute('role', 'slider');
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 48 48');
  const track = document.createElementNS(SVG, 'path');
  track.setAttribute('class', 'mx-knob-track');
  track.setAttribute('d', arc(24, 19, -135, 135));
  const value = document.createElementNS(SVG, 'path');
  value.setAttribute('class', 'mx-knob-value');
  if (opts.color) value.style.stroke = opts.color;
  const tick = document.createElementNS(SVG, 'line');
  tick.setAttribute('class', 'mx-knob-tick');
  const cap = document.createElementNS(SVG, 'circle');
  cap.setAttribute('class', 'mx-knob-cap');
  cap.setAttribute('cx', '24');
  cap.setAttribute('cy', '24');
  cap.setAttribute('r', '13');
  svg.append(track, value, cap, tick);
  const label = el('div', 'mx-knob-label', opts.label ?? shortLabel(d.label));
  const text = el('div', 'mx-knob-text');
  root.append(svg, text, label);
  applyReadOnly(kit, root, address);
  root.setAttribute('aria-label', d.label);
  // Bipolar ranges (gain, trim, pan) draw their arc from the centre value.
  const origin = d.min < 0 && d.max > 0 ? d.taper.toPosition(0) : 0;
  dragBehaviour(kit, root, address, (p0, dx, dy, e) => p0 + (dx - dy) / (e.shiftKey ? KNOB_TRAVEL_PX * 5 : KNOB_TRAVEL_PX));
  return kit.bind({
    address,
    el: root,
    update(): void {
      const v = ctx.value(address);
      const pos = clamp01(ctx.position(address));
      const known = !Number.isNaN(v);
      const a = -135 + 270 * (known ? pos : origin);
      const a0 = -135 + 270 * origin;
      value.setAttribute('d', Math.abs(a - a0) < 0.5 ? '' : arc(24, 19, Math.min(a0, a), Math.max(a0, a)));
      const t = ((a - 90) * Math.PI) / 180;
      tick.setAttribute('x1', (24 + 6 * Math.cos(t)).toFixed(2));
      tick.setAttribute('y1', (24 + 6 * Math.sin(t)).toFixed(2));
      tick.setAttribute('x2', (24 + 12 * Math.cos(t)).toFixed(2));
      tick.setAttribute('y2', (24 + 12 * Math.sin(t)).toFixed(2));
      const s = known ? ctx.format(address) : '—';
      text.textContent = s;
      root.setAttribute('aria-valuetext', s);
    },
  });
}

/** A horizontal fader (channel fader, send levels). */
export function fader(kit: ViewKit, address: string, label?: string): Bound {
  const { ctx } = kit;
  const d = ctx.registry.descriptor(address);
  const root = el('div', 'mx-fader');
  root.tabIndex = 0;
  root.setAttribute('role', 'slider');
  root.setAttribute('aria-label', d.label);
  const name = el('span', 'mx-fader-label', label ?? shortLabel(d.label));
  const track = el('div', 'mx-fader-track');
  const unity = el('div', 'mx-fader-unity');
  if (d.unit === 'dB' && d.min < 0 && d.max > 0) unity.style.left = `${(d.taper.toPosition(0) * 100).toFixed(2)}%`;
  else unity.hidden = true;
  track.append(el('div', 'mx-fader-fill'), unity, el('div', 'mx-fader-thumb'));
  const text = el('span', 'mx-fader-text');
  root.append(name, track, text);
  applyReadOnly(kit, root, address);
  let width = 200;
  track.addEventListener('pointerdown', () => (width = Math.max(40, track.clientWidth)), { capture: true });
  dragBehaviour(kit, track, address, (p0, dx) => p0 + dx / width);
  return kit.bind({
    address,
    el: root,
    update(): void {
      const pos = clamp01(ctx.position(address));
      root.style.setProperty('--p', Number.isNaN(pos) ? '0' : pos.toFixed(4));
      text.textContent = Number.isNaN(ctx.value(address)) ? '—' : ctx.format(address);
    },
  });
}

/** An on/off button. */
export function toggle(kit: ViewKit, address: string, label: string, cls = ''): Bound {
  const { ctx } = kit;
  const root = el('button', `mx-toggle ${cls}`.trim(), label);
  root.type = 'button';
  applyReadOnly(kit, root, address);
  root.addEventListener('click', () => {
    if (!ctx.canWrite(address)) return;
    ctx.set(address, ctx.value(address) >= 0.5 ? 0 : 1);
  });
  return kit.bind({
    address,
    el: root,
    update(): void {
      const on = ctx.value(address) >= 0.5;
      root.classList.toggle('on', on);
      root.setAttribute('aria-pressed', String(on));
    },
  });
}

/** An enum as a row of buttons (few options), e.g. HPF slope, gate mode. */
export function segmented(kit: ViewKit, address: string, labels?: readonly string[]): Bound {
  const { ctx } = kit;
  const d = ctx.registry.descriptor(address);
  const options = labels ?? d.options ?? [];
  const root = el('div', 'mx-seg');
  root.setAttribute('role', 'radiogroup');
  root.setAttribute('aria-label', d.label);
  const buttons = options.map((o, i) => {
    const b = el('button', '', o);
    b.type = 'button';
    b.addEventListener('click', () => {
      if (ctx.canWrite(address)) ctx.set(address, i);
    });
    return b;
  });
  root.append(...buttons);
  applyReadOnly(kit, root, address);
  return kit.bind({
    address,
    el: root,
    update(): void {
      const v = Math.round(ctx.value(address));
      buttons.forEach((b, i) => b.classList.toggle('on', i === v));
    },
  });
}

/** An enum as a native select (many options, e.g. EQ band type): the tablet's own picker. */
export function select(kit: ViewKit, address: string, labels?: readonly string[]): Bound {
  const { ctx } = kit;
  const d = ctx.registry.descriptor(address);
  const root = el('select', 'mx-select');
  root.setAttribute('aria-label', d.label);
  // Custom labels name the descriptor's options in order; never offer more than it has.
  const names = labels ? labels.slice(0, d.steps ?? labels.length) : (d.options ?? []);
  names.forEach((o, i) => {
    const opt = el('option', '', o);
    opt.value = String(i);
    root.append(opt);
  });
  root.disabled = !ctx.canWrite(address);
  root.dataset.address = address;
  root.addEventListener('change', () => ctx.set(address, Number(root.value)));
  return kit.bind({
    address,
    el: root,
    update(): void {
      root.value = String(Math.round(ctx.value(address)));
    },
  });
}

/** `EQ 2 gain` stays; `Master EQ 2 gain` → `EQ 2 gain`; `Gate release` → `Release`, `Gate threshold` → `Thresh`. */
export function shortLabel(label: string): string {
  const l = label.replace(/^(Master|Out \d+) /, '');
  const m = /^(Gate|Comp|Expander) (.+)$/.exec(l);
  const t = m ? m[2].charAt(0).toUpperCase() + m[2].slice(1) : l;
  return t.replace(/^Threshold$/, 'Thresh').replace(/^Hysteresis$/, 'Hyst');
}

/** A titled card with an optional on/off switch in its header. */
export function card(title: string, cls = ''): { root: HTMLElement; head: HTMLElement; body: HTMLElement } {
  const root = el('section', `mx-card ${cls}`.trim());
  const head = el('header', 'mx-card-head');
  head.append(el('h3', '', title));
  const body = el('div', 'mx-card-body');
  root.append(head, body);
  return { root, head, body };
}

// ---- Meter drawing (canvas, CSS pixels) ----

/** Level meter scale: dB to 0..1 (−60 dB at 0, 0 dBFS at 1; the top 20 dB get half the length). */
export function meterPosition(db: number): number {
  if (!(db > -60)) return 0;
  if (db >= 0) return 1;
  return db >= -20 ? 0.5 + (db + 20) / 40 : ((db + 60) / 40) * 0.5;
}

const LEVEL_COLORS = { low: '#3fbf6f', mid: '#d8c34a', high: '#e5533d' };

/** Horizontal level bar in (x, y, w, h): value `db`, peak-hold marker `holdDb`. */
export function drawLevel(g: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, db: number, holdDb: number): void {
  g.fillStyle = '#0b0e12';
  g.fillRect(x, y, w, h);
  const p = meterPosition(db) * w;
  const seg = (from: number, to: number, color: string): void => {
    const a = meterPosition(from) * w;
    const b = Math.min(p, meterPosition(to) * w);
    if (b > a) {
      g.fillStyle = color;
      g.fillRect(x + a, y, b - a, h);
    }
  };
  seg(-120, -18, LEVEL_COLORS.low);
  seg(-18, -6, LEVEL_COLORS.mid);
  seg(-6, 0, LEVEL_COLORS.high);
  const hp = meterPosition(holdDb) * w;
  if (hp > 1) {
    g.fillStyle = holdDb >= -0.1 ? LEVEL_COLORS.high : '#e8edf2';
    g.fillRect(x + hp - 2, y, 2, h);
  }
}

/** Gain-reduction bar growing from the right edge (or from the top when vertical), 0..`range` dB. */
export function drawReduction(g: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, grDb: number, range: number, vertical = false): void {
  g.fillStyle = '#0b0e12';
  g.fillRect(x, y, w, h);
  const f = Math.max(0, Math.min(1, (Number.isFinite(grDb) ? grDb : 0) / range));
  g.fillStyle = '#f0a030';
  if (vertical) g.fillRect(x, y, w, f * h);
  else g.fillRect(x + w - f * w, y, f * w, h);
}

/**
 * A labelled vertical gain-reduction meter on a surface: the reduction of `field` of meter point
 * `point`, full scale `rangeDb`, the label above and the value below.
 */
export function drawGrMeter(ctx: RemoteContext, s: Surface, point: string, field: number, label: string, rangeDb: number): void {
  if (!s.begin()) return;
  const v = ctx.meter(point);
  const gr = v ? v[field] : 0;
  const { g, w, h } = s;
  drawReduction(g, 6, 16, w - 12, h - 32, gr, rangeDb, true);
  g.fillStyle = '#8794a3';
  g.font = '10px system-ui, sans-serif';
  g.textAlign = 'center';
  g.textBaseline = 'top';
  g.fillText(label, w / 2, 2);
  g.fillStyle = gr > 0.05 ? '#f0a030' : '#6b7785';
  g.textBaseline = 'bottom';
  g.fillText(gr > 0.05 ? `-${gr.toFixed(1)}` : '0', w / 2, h - 1);
  g.textAlign = 'start';
}

// ---- Connection ----

/** What a detail view says while the link is not live, or undefined when it is. */
export function staleNotice(state: ConnectionState): string | undefined {
  switch (state) {
    case 'live':
      return undefined;
    case 'connecting':
      return 'Connecting · values may be stale';
    case 'reconnecting':
      return 'Reconnecting · values may be stale, moves are not sent';
    case 'refused':
      return 'Not connected · values may be stale';
  }
}

/**
 * While the link is not live the page gets `mx-stale` (its controls and meters dimmed) and its
 * header a tag saying that the values may be stale; both go when it is live again. Returns
 * unsubscribe.
 */
export function markStale(ctx: RemoteContext, page: HTMLElement, head: HTMLElement): () => void {
  const note = el('div', 'mx-stale-note');
  note.setAttribute('aria-live', 'polite');
  head.append(note);
  const render = (state: ConnectionState): void => {
    const text = staleNotice(state);
    page.classList.toggle('mx-stale', text !== undefined);
    note.hidden = text === undefined;
    note.textContent = text ?? '';
  };
  render(ctx.connection);
  return ctx.onConnection(render);
}

// ---- Styles ----

const STYLE_ID = 'mx-views-css';

/** Add the views' stylesheet to `doc` once (the first mount does it; later mounts find it). */
export function injectViewStyles(doc: Document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = VIEWS_CSS;
  doc.head.append(style);
}
