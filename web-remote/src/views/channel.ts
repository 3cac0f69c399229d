/**
 * The channel view: one strip in full — header (name, colour, fader, mute, solo, level meter),
 * input (trim, polarity, pan, high-pass), EQ (curve with draggable bands), gate, compressor
 * (static curve and gain reduction), sends, group/VCA assignment and the main bus switch.
 *
 * A viewer sees the same page read-only (every control asks ctx.canWrite). Meters: the strip's
 * point `ch/<n>` (levels, gateGr, compGr), drawn on canvases once per meter frame.
 */
import { compressorCurveDb } from '../../../src/engine/compressor.js';
import { EQ_BANDS } from '../../../src/model/params.js';
import { STRIP_FIELDS } from '../../../src/model/meters.js';
import { METER_FLOOR_DB } from '../meters.js';
import type { MountView, RemoteContext } from '../types.js';
import { shownPeakDb, writeLevel } from '../widgets/meter.js';
import { eqEditor } from './eq-editor.js';
import {
  ViewKit,
  card,
  drawLevel,
  drawGrMeter,
  el,
  fader,
  injectViewStyles,
  knob,
  markStale,
  segmented,
  toggle,
  type Surface,
} from './knob.js';

const SF = (name: (typeof STRIP_FIELDS)[number]): number => STRIP_FIELDS.indexOf(name);
const PEAK_L = SF('peakL');
const PEAK_R = SF('peakR');
const HOLD_L = SF('holdL');
const HOLD_R = SF('holdR');
const GATE_GR = SF('gateGr');
const COMP_GR = SF('compGr');
/** Full scale of the gain-reduction meters. */
const GR_RANGE_DB = 24;

export const mountChannelView: MountView = (root, ctx, arg) => {
  injectViewStyles(root.ownerDocument);
  const channels = ctx.layout.channels.length;
  const n = Math.min(Math.max(1, Math.round(arg ?? 1)), Math.max(1, channels));
  const c = `ch/${n}`;
  const page = el('div', 'mx-view mx-channel');
  if (ctx.registry.find(`${c}/fader`) < 0) {
    page.append(el('p', 'mx-empty', `Channel ${n} does not exist on this console.`));
    root.append(page);
    return () => page.remove();
  }
  const kit = new ViewKit(ctx, `${c}/`);
  const point = c;
  const info = ctx.layout.channels[n - 1] ?? { name: `Ch ${n}` };
  const meterSurfaces: Surface[] = [];

  // ---- Header ----
  const head = el('header', 'mx-strip-head');
  const sw = el('span', 'mx-swatch');
  sw.style.background = info.color ?? '#56606b';
  const title = el('div', 'mx-title');
  title.append(el('span', 'mx-title-num', `CH ${n}`), el('span', 'mx-title-name', info.name || `Ch ${n}`));
  const nav = el('div', 'mx-nav');
  const navBtn = (label: string, view: string, enabled: boolean): HTMLButtonElement => {
    const b = el('button', 'mx-navbtn', label);
    b.type = 'button';
    b.disabled = !enabled;
    b.addEventListener('click', () => ctx.navigate(view));
    return b;
  };
  nav.append(navBtn('‹', `channel/${n - 1}`, n > 1), navBtn('›', `channel/${n + 1}`, n < channels));
  let levelShown = '';
  const level = kit.surface('mx-level', (s) => {
    levelShown = writeLevel(s.canvas, shownPeakDb(ctx.meter(point), PEAK_L, PEAK_R), levelShown);
    drawStripMeter(ctx, s, point);
  });
  level.canvas.dataset.point = point;
  levelShown = writeLevel(level.canvas, METER_FLOOR_DB, levelShown);
  meterSurfaces.push(level);
  const headCtl = el('div', 'mx-head-ctl');
  headCtl.append(fader(kit, `${c}/fader`, 'Fader').el, toggle(kit, `${c}/mute`, 'Mute', 'mx-mute').el, toggle(kit, `${c}/solo`, 'Solo', 'mx-solo').el);
  head.append(sw, title, nav, headCtl, level.canvas);

  const grid = el('div', 'mx-grid');

  // ---- Input ----
  const input = card('Input', 'mx-input');
  const inRow = el('div', 'mx-row');
  inRow.append(knob(kit, `${c}/trim`).el, knob(kit, `${c}/pan`).el, toggle(kit, `${c}/polarity`, 'Ø Polarity').el);
  const hpRow = el('div', 'mx-row');
  hpRow.append(toggle(kit, `${c}/hpf/on`, 'HPF').el, knob(kit, `${c}/hpf/freq`, { label: 'HPF freq' }).el);
  const slope = el('div', 'mx-field');
  slope.append(el('span', 'mx-field-label', 'Slope dB/oct'), segmented(kit, `${c}/hpf/slope`).el);
  input.body.append(inRow, hpRow, slope);

  // ---- EQ ----
  const eq = card('Equaliser', 'mx-eqcard');
  eq.head.append(toggle(kit, `${c}/eq/on`, 'EQ on').el);
  eq.body.append(...eqEditor(kit, { prefix: c, bands: EQ_BANDS, hpfPrefix: c }));

  // ---- Gate ----
  const gate = card('Gate', 'mx-dyn');
  gate.head.append(segmented(kit, `${c}/gate/mode`).el, toggle(kit, `${c}/gate/on`, 'On').el);
  const gateKnobs = el('div', 'mx-row mx-wrap');
  for (const k of ['threshold', 'range', 'ratio', 'attack', 'hold', 'release', 'hysteresis']) gateKnobs.append(knob(kit, `${c}/gate/${k}`).el);
  const gateGr = kit.surface('mx-gr', (s) => drawGrMeter(ctx, s, point, GATE_GR, 'GATE', GR_RANGE_DB));
  meterSurfaces.push(gateGr);
  const gateBody = el('div', 'mx-dyn-body');
  gateBody.append(gateKnobs, gateGr.canvas);
  gate.body.append(gateBody);

  // ---- Compressor ----
  const comp = card('Compressor', 'mx-dyn');
  comp.head.append(toggle(kit, `${c}/comp/on`, 'On').el);
  const compKnobs = el('div', 'mx-row mx-wrap');
  for (const k of ['threshold', 'ratio', 'knee', 'attack', 'release', 'makeup']) compKnobs.append(knob(kit, `${c}/comp/${k}`).el);
  compKnobs.append(toggle(kit, `${c}/comp/schpf/on`, 'SC HPF').el, knob(kit, `${c}/comp/schpf/freq`, { label: 'SC freq' }).el);
  const compCurve = kit.surface('mx-compcurve', (s) => drawCompCurve(ctx, s, c));
  kit.watch(['on', 'threshold', 'ratio', 'knee', 'makeup'].map((k) => `${c}/comp/${k}`), () => drawCompCurve(ctx, compCurve, c));
  const compGr = kit.surface('mx-gr', (s) => drawGrMeter(ctx, s, point, COMP_GR, 'COMP', GR_RANGE_DB));
  meterSurfaces.push(compGr);
  const compBody = el('div', 'mx-dyn-body');
  compBody.append(compKnobs, compCurve.canvas, compGr.canvas);
  comp.body.append(compBody);

  // ---- Sends and routing ----
  const sends = card('Sends', 'mx-sends');
  const list = el('div', 'mx-sendlist');
  const sendRow = (level: string, pre: string, name: string): void => {
    const row = el('div', 'mx-send');
    row.append(fader(kit, level, name).el, toggle(kit, pre, 'Pre', 'mx-small').el);
    list.append(row);
  };
  ctx.layout.auxBuses.forEach((bus, i) => sendRow(`${c}/send/${i + 1}/level`, `${c}/send/${i + 1}/pre`, bus.name || `Aux ${i + 1}`));
  ctx.layout.fx.forEach((fx, i) => sendRow(`${c}/fx/${i + 1}/level`, `${c}/fx/${i + 1}/pre`, fx.name || `FX ${i + 1}`));
  sends.body.append(list);

  const routing = card('Routing', 'mx-routing');
  const routeRow = (label: string, items: HTMLElement[]): void => {
    if (items.length === 0) return;
    const row = el('div', 'mx-field');
    const wrap = el('div', 'mx-row mx-wrap');
    wrap.append(...items);
    row.append(el('span', 'mx-field-label', label), wrap);
    routing.body.append(row);
  };
  routeRow('Main', [toggle(kit, `${c}/main`, 'To main').el, toggle(kit, `${c}/solosafe`, 'Solo safe').el]);
  routeRow('Groups', ctx.layout.groups.map((g, i) => toggle(kit, `${c}/group/${i + 1}`, g.name || `Group ${i + 1}`).el));
  routeRow('VCAs', ctx.layout.vcas.map((v, i) => toggle(kit, `${c}/vca/${i + 1}`, v.name || `VCA ${i + 1}`).el));

  grid.append(input.root, eq.root, gate.root, comp.root, sends.root, routing.root);
  page.append(head, grid);
  if (!ctx.canWrite(`${c}/fader`)) page.classList.add('mx-readonly');
  const offStale = markStale(ctx, page, head);
  root.append(page);

  // ---- Meters ----
  const unwant = ctx.wantMeters([point]);
  const offMeters = ctx.onMeters(() => kit.schedule(drawMeters));
  function drawMeters(): void {
    for (const s of meterSurfaces) s.draw(s);
  }

  return () => {
    offStale();
    offMeters();
    unwant();
    kit.dispose();
    page.remove();
  };
};

function drawStripMeter(ctx: RemoteContext, s: Surface, point: string): void {
  if (!s.begin()) return;
  const v = ctx.meter(point);
  const { g, w, h } = s;
  const bar = Math.floor((h - 2) / 2);
  const get = (i: number): number => (v ? v[i] : -120);
  drawLevel(g, 0, 0, w, bar, get(PEAK_L), get(HOLD_L));
  drawLevel(g, 0, h - bar, w, bar, get(PEAK_R), get(HOLD_R));
}

/** Input vs output level of the compressor's gain computer, with makeup, −60..0 dB both ways. */
function drawCompCurve(ctx: RemoteContext, s: Surface, c: string): void {
  if (!s.begin()) return;
  const { g, w, h } = s;
  const lo = -60;
  const X = (db: number): number => ((db - lo) / -lo) * w;
  const Y = (db: number): number => h - ((db - lo) / -lo) * h;
  g.fillStyle = '#0d1116';
  g.fillRect(0, 0, w, h);
  g.strokeStyle = '#1b2129';
  g.lineWidth = 1;
  for (let d = -50; d < 0; d += 10) {
    g.beginPath();
    g.moveTo(Math.round(X(d)) + 0.5, 0);
    g.lineTo(Math.round(X(d)) + 0.5, h);
    g.moveTo(0, Math.round(Y(d)) + 0.5);
    g.lineTo(w, Math.round(Y(d)) + 0.5);
    g.stroke();
  }
  g.strokeStyle = '#3a4450';
  g.setLineDash([4, 4]);
  g.beginPath();
  g.moveTo(0, h);
  g.lineTo(w, 0);
  g.stroke();
  g.setLineDash([]);
  const thr = ctx.value(`${c}/comp/threshold`);
  const ratio = ctx.value(`${c}/comp/ratio`);
  const knee = ctx.value(`${c}/comp/knee`);
  const makeup = ctx.value(`${c}/comp/makeup`);
  if ([thr, ratio, knee, makeup].some(Number.isNaN)) return;
  const on = ctx.value(`${c}/comp/on`) >= 0.5;
  g.strokeStyle = '#6b7785';
  g.beginPath();
  g.moveTo(Math.round(X(thr)) + 0.5, 0);
  g.lineTo(Math.round(X(thr)) + 0.5, h);
  g.stroke();
  g.beginPath();
  for (let px = 0; px <= w; px += 2) {
    const inDb = lo + (px / w) * -lo;
    const out = compressorCurveDb(inDb, thr, ratio, knee) + makeup;
    const y = Math.max(0, Math.min(h, Y(out)));
    if (px === 0) g.moveTo(px, y);
    else g.lineTo(px, y);
  }
  g.strokeStyle = on ? '#f0a030' : '#5d6773';
  g.lineWidth = 2.25;
  g.stroke();
  g.fillStyle = '#6b7785';
  g.font = '10px system-ui, sans-serif';
  g.textBaseline = 'top';
  g.fillText('in →', w - 30, h - 14);
  g.fillText('out', 3, 3);
}
