/**
 * The master (mastering) view of one master chain: the master bus fader and mute, the chain's
 * loudness panel (numbers, target, projection, 10-minute history), EQ (five bands with tilt),
 * the 3-band multiband compressor with its gain reductions, stereo width with bass mono and the
 * correlation meter, the leveller with its gain, the true-peak limiter with its gain reduction,
 * trim and expected programme length.
 *
 * Chain 1's addresses are `master/...`, chain k ≥ 2's `master/k/...` (chainPrefix); its meter
 * point is chainMeterPoint(k). The master bus fader and mute (`master/fader`, `master/mute`)
 * feed every chain.
 */
import { CHAIN_FIELDS } from '../../../src/model/meters.js';
import { MASTER_EQ_BANDS, MBC_BANDS, chainMeterPoint, chainPrefix } from '../../../src/model/master-params.js';
import { METER_FLOOR_DB } from '../meters.js';
import type { MountView, RemoteContext } from '../types.js';
import { shownPeakDb, writeLevel } from '../widgets/meter.js';
import { eqEditor } from './eq-editor.js';
import { ViewKit, card, drawLevel, drawGrMeter, drawReduction, el, fader, injectViewStyles, knob, markStale, toggle, type Surface } from './knob.js';
import { LoudnessPanel } from './loudness.js';

const CF = (name: (typeof CHAIN_FIELDS)[number]): number => CHAIN_FIELDS.indexOf(name);
const FIELD = {
  peakL: CF('peakL'),
  peakR: CF('peakR'),
  holdL: CF('holdL'),
  holdR: CF('holdR'),
  correlation: CF('correlation'),
  levellerGain: CF('levellerGain'),
  limiterGr: CF('limiterGr'),
  mbcGr: [CF('mbcGr1'), CF('mbcGr2'), CF('mbcGr3')],
  latency: CF('latency'),
} as const;

const MBC_LABELS: Record<string, string> = { threshold: 'Thresh', ratio: 'Ratio', knee: 'Knee', attack: 'Attack', release: 'Release', makeup: 'Gain' };

export const mountMasterView: MountView = (root, ctx, arg) => {
  injectViewStyles(root.ownerDocument);
  const chains = Math.max(1, ctx.layout.masterChains.length || ctx.layout.mix.masterChains);
  const k = Math.min(Math.max(1, Math.round(arg ?? 1)), chains);
  const x = chainPrefix(k);
  const point = chainMeterPoint(k);
  const page = el('div', 'mx-view mx-master');
  // Chain 1 shares its prefix with the master bus; the kit listens to everything under master/.
  const kit = new ViewKit(ctx, 'master/');
  const meters: Surface[] = [];
  const frameFns: Array<(v: Float32Array) => void> = [];

  // ---- Header ----
  const head = el('header', 'mx-strip-head');
  const title = el('div', 'mx-title');
  const chainName = ctx.layout.masterChains[k - 1]?.name ?? (k === 1 ? 'master' : `out ${k}`);
  title.append(el('span', 'mx-title-num', k === 1 ? 'MASTER' : `OUT ${k}`), el('span', 'mx-title-name', chainName));
  const nav = el('div', 'mx-nav');
  if (chains > 1) {
    for (let j = 1; j <= chains; j++) {
      const b = el('button', `mx-navbtn${j === k ? ' on' : ''}`, j === 1 ? 'Main' : `Out ${j}`);
      b.type = 'button';
      b.addEventListener('click', () => ctx.navigate(j === 1 ? 'master' : `master/${j}`));
      nav.append(b);
    }
  }
  const headCtl = el('div', 'mx-head-ctl');
  headCtl.append(fader(kit, 'master/fader', 'Master').el, toggle(kit, 'master/mute', 'Mute', 'mx-mute').el);
  let levelShown = '';
  const level = kit.surface('mx-level', (s) => {
    const v = ctx.meter(point);
    levelShown = writeLevel(s.canvas, shownPeakDb(v, FIELD.peakL, FIELD.peakR), levelShown);
    if (!s.begin()) return;
    const bar = Math.floor((s.h - 2) / 2);
    const get = (i: number): number => (v ? v[i] : -120);
    drawLevel(s.g, 0, 0, s.w, bar, get(FIELD.peakL), get(FIELD.holdL));
    drawLevel(s.g, 0, s.h - bar, s.w, bar, get(FIELD.peakR), get(FIELD.holdR));
  });
  level.canvas.dataset.point = point;
  levelShown = writeLevel(level.canvas, METER_FLOOR_DB, levelShown);
  meters.push(level);
  head.append(title, nav, headCtl, level.canvas);

  // ---- Loudness ----
  const loud = new LoudnessPanel(kit, x);
  const loudCard = card('Loudness', 'mx-loudcard');
  loudCard.body.append(loud.el);

  const grid = el('div', 'mx-grid');

  // ---- EQ ----
  const eq = card('Equaliser', 'mx-eqcard');
  eq.head.append(toggle(kit, `${x}/eq/on`, 'EQ on').el);
  eq.body.append(...eqEditor(kit, { prefix: x, bands: MASTER_EQ_BANDS }));

  // ---- Multiband ----
  const mbc = card('Multiband', 'mx-mbc');
  mbc.head.append(toggle(kit, `${x}/mbc/on`, 'On').el);
  const xo = el('div', 'mx-row');
  xo.append(knob(kit, `${x}/mbc/xover/1`, { label: 'Low / mid' }).el, knob(kit, `${x}/mbc/xover/2`, { label: 'Mid / high' }).el);
  const bands = el('div', 'mx-mbc-bands');
  const names = ['Low', 'Mid', 'High'];
  for (let b = 1; b <= MBC_BANDS; b++) {
    const col = el('div', 'mx-mbc-band');
    const top = el('div', 'mx-mbc-top');
    top.append(el('span', 'mx-mbc-name', names[b - 1] ?? `Band ${b}`), toggle(kit, `${x}/mbc/${b}/on`, 'On', 'mx-small').el);
    const ks = el('div', 'mx-row mx-wrap');
    for (const p of ['threshold', 'ratio', 'knee', 'attack', 'release', 'makeup']) {
      ks.append(knob(kit, `${x}/mbc/${b}/${p}`, { label: MBC_LABELS[p] ?? p }).el);
    }
    const field = FIELD.mbcGr[b - 1];
    const gr = kit.surface('mx-gr', (s) => drawGrMeter(ctx, s, point, field, 'GR', 12));
    meters.push(gr);
    const body = el('div', 'mx-dyn-body');
    body.append(ks, gr.canvas);
    col.append(top, body);
    bands.append(col);
  }
  mbc.body.append(xo, bands);

  // ---- Width ----
  const width = card('Width', 'mx-small-card');
  const wRow = el('div', 'mx-row');
  wRow.append(knob(kit, `${x}/width/amount`, { label: 'Width' }).el, knob(kit, `${x}/width/bassmono`, { label: 'Bass mono' }).el);
  const corr = kit.surface('mx-hmeter', (s) => drawCorrelation(ctx, s, point));
  meters.push(corr);
  width.body.append(wRow, labelled('Correlation', corr.canvas));

  // ---- Leveller ----
  const lev = card('Leveller', 'mx-small-card');
  lev.head.append(toggle(kit, `${x}/leveller/on`, 'On').el);
  const lRow = el('div', 'mx-row mx-wrap');
  lRow.append(
    knob(kit, `${x}/leveller/maxboost`, { label: 'Max boost' }).el,
    knob(kit, `${x}/leveller/maxcut`, { label: 'Max cut' }).el,
    knob(kit, `${x}/leveller/rate`, { label: 'Rate' }).el,
    knob(kit, `${x}/leveller/hold`, { label: 'Hold' }).el,
  );
  const lg = kit.surface('mx-hmeter', (s) => drawLevellerGain(ctx, s, point, x));
  meters.push(lg);
  lev.body.append(lRow, labelled('Gain', lg.canvas));

  // ---- Limiter ----
  const lim = card('Limiter', 'mx-small-card');
  lim.head.append(toggle(kit, `${x}/limiter/on`, 'On').el);
  const limRow = el('div', 'mx-row');
  limRow.append(knob(kit, `${x}/limiter/ceiling`, { label: 'Ceiling' }).el, knob(kit, `${x}/limiter/release`, { label: 'Release' }).el);
  const limGr = kit.surface('mx-hmeter', (s) => {
    if (!s.begin()) return;
    const v = ctx.meter(point);
    const gr = v ? v[FIELD.limiterGr] : 0;
    drawReduction(s.g, 0, 0, s.w, s.h, gr, 12);
    meterText(s, gr > 0.05 ? `-${gr.toFixed(1)} dB` : '0 dB');
  });
  meters.push(limGr);
  lim.body.append(limRow, labelled('Reduction', limGr.canvas));

  // ---- Chain ----
  const chain = card('Chain', 'mx-small-card');
  const cRow = el('div', 'mx-row');
  cRow.append(knob(kit, `${x}/trim`, { label: 'Trim' }).el, knob(kit, `${x}/duration`, { label: 'Length' }).el);
  const latency = el('div', 'mx-note', '');
  let lastLatency = NaN;
  frameFns.push((v) => {
    const l = v[FIELD.latency];
    if (l === lastLatency) return;
    lastLatency = l;
    latency.textContent = Number.isFinite(l) ? `Latency ${Math.round(l)} samples` : '';
  });
  chain.body.append(cRow, latency);

  const side = el('div', 'mx-side');
  side.append(width.root, lev.root, lim.root, chain.root);
  grid.append(eq.root, side, mbc.root);
  page.append(head, loudCard.root, grid);
  if (!ctx.canWrite(`${x}/target`)) page.classList.add('mx-readonly');
  const offStale = markStale(ctx, page, head);
  root.append(page);

  // ---- Meters ----
  const unwant = ctx.wantMeters([point]);
  const offMeters = ctx.onMeters(() => {
    const v = ctx.meter(point);
    if (v) {
      loud.frame(v, performance.now());
      for (const f of frameFns) f(v);
    }
    kit.schedule(drawMeters);
  });
  function drawMeters(): void {
    for (const s of meters) s.draw(s);
  }

  return () => {
    offStale();
    offMeters();
    unwant();
    loud.dispose();
    kit.dispose();
    page.remove();
  };
};

function labelled(label: string, canvas: HTMLCanvasElement): HTMLElement {
  const f = el('div', 'mx-meterfield');
  f.append(el('span', 'mx-field-label', label), canvas);
  return f;
}

function meterText(s: Surface, text: string): void {
  s.g.fillStyle = '#e8edf2';
  s.g.font = '11px system-ui, sans-serif';
  s.g.textBaseline = 'middle';
  s.g.fillText(text, 6, s.h / 2);
}

/** −1..+1 with the centre at 0; red left of centre (out of phase). */
function drawCorrelation(ctx: RemoteContext, s: Surface, point: string): void {
  if (!s.begin()) return;
  const v = ctx.meter(point);
  const c = v ? v[FIELD.correlation] : NaN;
  const { g, w, h } = s;
  g.fillStyle = '#0b0e12';
  g.fillRect(0, 0, w, h);
  g.fillStyle = '#3a4450';
  g.fillRect(Math.round(w / 2), 0, 1, h);
  if (Number.isFinite(c)) {
    const cx = ((Math.max(-1, Math.min(1, c)) + 1) / 2) * w;
    const mid = w / 2;
    g.fillStyle = c < 0 ? '#e5533d' : c < 0.3 ? '#d8c34a' : '#3fbf6f';
    g.fillRect(Math.min(mid, cx), 4, Math.abs(cx - mid), h - 8);
    g.fillStyle = '#ffffff';
    g.fillRect(cx - 1, 0, 2, h);
  }
  meterText(s, Number.isFinite(c) ? `${c >= 0 ? '+' : '−'}${Math.abs(c).toFixed(2)}` : '—');
}

/** Signed leveller gain, centred; full scale the larger of its max boost and max cut. */
function drawLevellerGain(ctx: RemoteContext, s: Surface, point: string, x: string): void {
  if (!s.begin()) return;
  const v = ctx.meter(point);
  const gain = v ? v[FIELD.levellerGain] : 0;
  const range = Math.max(1, ctx.value(`${x}/leveller/maxboost`) || 0, ctx.value(`${x}/leveller/maxcut`) || 0);
  const { g, w, h } = s;
  g.fillStyle = '#0b0e12';
  g.fillRect(0, 0, w, h);
  const mid = w / 2;
  g.fillStyle = '#3a4450';
  g.fillRect(Math.round(mid), 0, 1, h);
  const gx = mid + (Math.max(-range, Math.min(range, Number.isFinite(gain) ? gain : 0)) / range) * mid;
  g.fillStyle = gain >= 0 ? '#4fb3ff' : '#f0a030';
  g.fillRect(Math.min(mid, gx), 4, Math.abs(gx - mid), h - 8);
  meterText(s, Number.isFinite(gain) ? `${gain > 0 ? '+' : gain < 0 ? '−' : ''}${Math.abs(gain).toFixed(1)} dB` : '—');
}
