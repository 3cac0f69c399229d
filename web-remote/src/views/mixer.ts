/**
 * The mixer: strips in layers (inputs, aux buses, FX returns, groups, VCAs, master), scrolling
 * sideways, with the master strip pinned on the right. Sends on faders: picking an aux bus (or
 * an FX bus) turns the input faders into that bus's send levels, in the bus's colour.
 *
 * Meters are subscribed for the strips on screen only (an IntersectionObserver keeps the list)
 * and drawn by one 30 fps loop for the whole view.
 */
import type { RemoteState } from '../state.js';
import { MeterLoop } from '../meters.js';
import { button, createToggle } from '../widgets/buttons.js';
import { createSlider, type Widget } from '../widgets/fader.js';
import { createMeter, type MeterWidget } from '../widgets/meter.js';
import { createPan } from '../widgets/pan.js';
import { el } from '../dom.js';

export type Layer = 'inputs' | 'aux' | 'fx' | 'groups' | 'vcas' | 'master';
export type Flip = { readonly kind: 'aux' | 'fx'; readonly n: number };

const LAYERS: ReadonlyArray<readonly [Layer, string]> = [
  ['inputs', 'Inputs'],
  ['aux', 'Aux'],
  ['fx', 'FX'],
  ['groups', 'Groups'],
  ['vcas', 'VCAs'],
  ['master', 'Master'],
];

/** Colours of aux buses and FX buses (the layout gives none): distinct on a dark background. */
export const AUX_COLORS = ['#4f9cf9', '#f0a030', '#4cc38a', '#c77dff', '#ff6b8b', '#35c6d0', '#e0cc4a', '#ff8c42'];
export const FX_COLORS = ['#a38bfa', '#2fb8a6', '#e879c6', '#7dd3fc'];
export const busColor = (n: number): string => AUX_COLORS[(n - 1) % AUX_COLORS.length];
export const fxColor = (n: number): string => FX_COLORS[(n - 1) % FX_COLORS.length];

export interface StripSpec {
  readonly key: string;
  readonly kind: 'input' | 'aux' | 'fx' | 'group' | 'vca' | 'master' | 'monitor';
  readonly num: string;
  readonly name: string;
  readonly color?: string;
  readonly fader: string;
  readonly mute?: string;
  readonly solo?: string;
  readonly pan?: string;
  readonly meter?: string;
  readonly stereo: boolean;
  readonly select?: string;
  /** Sends on faders: the bus whose send this fader sets. */
  readonly send?: { readonly name: string; readonly color: string };
  /** Lease badge: any held address under this prefix. */
  readonly holdPrefix: string;
}

/** The strips of a layer (pure: from the layout). */
export function layerStrips(ctx: Pick<RemoteState, 'layout'>, layer: Layer, flip?: Flip): StripSpec[] {
  const L = ctx.layout;
  switch (layer) {
    case 'inputs':
      return L.channels.map((c, i) => {
        const n = i + 1;
        const base = `ch/${n}`;
        const send =
          flip === undefined
            ? undefined
            : flip.kind === 'aux'
              ? { address: `${base}/send/${flip.n}/level`, name: L.auxBuses[flip.n - 1]?.name ?? `Aux ${flip.n}`, color: busColor(flip.n) }
              : { address: `${base}/fx/${flip.n}/level`, name: L.fx[flip.n - 1]?.name ?? `FX ${flip.n}`, color: fxColor(flip.n) };
        return {
          key: base,
          kind: 'input',
          num: String(n),
          name: c.name,
          color: c.color,
          fader: send?.address ?? `${base}/fader`,
          mute: `${base}/mute`,
          solo: `${base}/solo`,
          pan: send ? undefined : `${base}/pan`,
          meter: base,
          stereo: L.mix.channels[i]?.stereo ?? false,
          select: `channel/${n}`,
          send: send ? { name: send.name, color: send.color } : undefined,
          holdPrefix: `${base}/`,
        };
      });
    case 'aux':
      return L.auxBuses.map((b, i) => ({
        key: `bus/${i + 1}`,
        kind: 'aux',
        num: `A${i + 1}`,
        name: b.name,
        color: busColor(i + 1),
        fader: `bus/${i + 1}/fader`,
        mute: `bus/${i + 1}/mute`,
        pan: `bus/${i + 1}/pan`,
        meter: `bus/${i + 1}`,
        stereo: true,
        select: `mymix/${i + 1}`,
        holdPrefix: `bus/${i + 1}/`,
      }));
    case 'fx':
      return L.fx.map((f, i) => ({
        key: `fx/${i + 1}`,
        kind: 'fx',
        num: `FX${i + 1}`,
        name: f.name,
        color: fxColor(i + 1),
        fader: `fx/${i + 1}/fader`,
        mute: `fx/${i + 1}/mute`,
        pan: `fx/${i + 1}/pan`,
        meter: `fx/${i + 1}`,
        stereo: true,
        holdPrefix: `fx/${i + 1}/`,
      }));
    case 'groups':
      return L.groups.map((g, i) => ({
        key: `group/${i + 1}`,
        kind: 'group',
        num: `G${i + 1}`,
        name: g.name,
        color: '#8a94a6',
        fader: `group/${i + 1}/fader`,
        mute: `group/${i + 1}/mute`,
        pan: `group/${i + 1}/pan`,
        meter: `group/${i + 1}`,
        stereo: true,
        holdPrefix: `group/${i + 1}/`,
      }));
    case 'vcas':
      return L.vcas.map((v, i) => ({
        key: `vca/${i + 1}`,
        kind: 'vca',
        num: `V${i + 1}`,
        name: v.name,
        color: '#d9a441',
        fader: `vca/${i + 1}/fader`,
        mute: `vca/${i + 1}/mute`,
        stereo: false,
        holdPrefix: `vca/${i + 1}/`,
      }));
    case 'master':
      return [masterStrip(ctx), { key: 'monitor', kind: 'monitor', num: '', name: 'Monitor', color: '#6b7280', fader: 'monitor/level', meter: 'monitor', stereo: true, holdPrefix: 'monitor/' }];
  }
}

function masterStrip(ctx: Pick<RemoteState, 'layout'>): StripSpec {
  return {
    key: 'master',
    kind: 'master',
    num: 'M',
    name: ctx.layout.masterChains[0]?.name ?? 'Master',
    color: '#e5e7eb',
    fader: 'master/fader',
    mute: 'master/mute',
    pan: 'master/pan',
    meter: 'master',
    stereo: true,
    select: 'master',
    holdPrefix: 'master/',
  };
}

interface MountedStrip {
  readonly spec: StripSpec;
  readonly el: HTMLElement;
  readonly meter?: MeterWidget;
  readonly badge: HTMLElement;
  readonly widgets: Widget[];
}

function buildStrip(ctx: RemoteState, s: StripSpec): MountedStrip {
  const root = el('div', `strip ${s.kind}${s.send ? ' send' : ''}`);
  root.dataset.key = s.key;
  if (s.send) root.style.setProperty('--accent', s.send.color);
  const widgets: Widget[] = [];
  const head = el('div', 'strip-head', root);
  const bar = el('div', 'strip-color', head);
  bar.style.background = s.color ?? '#4b5563';
  el('span', 'strip-num', head, s.num);
  el('span', 'strip-name', head, s.name);
  const top = el('div', 'strip-top', root);
  if (s.send) {
    el('div', 'send-tag', top, `→ ${s.send.name}`);
  } else if (s.pan) {
    const pan = createPan(ctx, s.pan, `${s.name} ${s.stereo ? 'balance' : 'pan'}`);
    widgets.push(pan);
    top.appendChild(pan.el);
  } else {
    el('div', 'pan-spacer', top);
  }

  const body = el('div', 'strip-body', root);
  const badge = el('div', 'strip-holder', body);
  badge.hidden = true;
  const value = el('div', 'strip-value');
  const fader = createSlider(ctx, {
    address: s.fader,
    orientation: 'vertical',
    variant: 'fader',
    label: s.send ? `${s.name} send to ${s.send.name}` : `${s.name} fader`,
    scale: true,
    accent: s.send?.color,
    onText: (t) => {
      value.textContent = t;
    },
  });
  widgets.push(fader);
  body.appendChild(fader.el);
  let meter: MeterWidget | undefined;
  if (s.meter) {
    meter = createMeter(s.meter, 'vertical', { stereo: s.stereo || s.kind !== 'input' });
    body.appendChild(meter.el);
  }
  root.appendChild(value);

  const btns = el('div', 'strip-buttons', root);
  if (s.mute) {
    const m = createToggle(ctx, s.mute, 'MUTE', 'mute', `${s.name} mute`);
    widgets.push(m);
    btns.appendChild(m.el);
  }
  if (s.solo) {
    const so = createToggle(ctx, s.solo, 'SOLO', 'solo', `${s.name} solo`);
    widgets.push(so);
    btns.appendChild(so.el);
  }
  if (s.select) {
    const target = s.select;
    btns.appendChild(button('SEL', 'select', () => ctx.navigate(target), `Open ${s.name}`));
  }
  return { spec: s, el: root, meter, badge, widgets };
}

const LAYER_KEY = 'mixhost.mixer.layer';
const FLIP_KEY = 'mixhost.mixer.flip';

function loadLayer(): Layer {
  const v = sessionStorage.getItem(LAYER_KEY);
  return LAYERS.some(([l]) => l === v) ? (v as Layer) : 'inputs';
}

/** `aux/2`, `fx/1`: a flip as text (session storage, the phone's picker). */
export const flipKey = (f: Flip | undefined): string => (f === undefined ? '' : `${f.kind}/${f.n}`);

/** The flip a text names, if the layout has that bus; undefined for '' or anything else. */
export function parseFlip(text: string, layout: Pick<RemoteState['layout'], 'auxBuses' | 'fx'>): Flip | undefined {
  const m = /^(aux|fx)\/(\d+)$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[2]);
  const max = m[1] === 'aux' ? layout.auxBuses.length : layout.fx.length;
  return n >= 1 && n <= max ? { kind: m[1] as 'aux' | 'fx', n } : undefined;
}

function loadFlip(ctx: RemoteState): Flip | undefined {
  return parseFlip(sessionStorage.getItem(FLIP_KEY) ?? '', ctx.layout);
}

export function mountMixer(root: HTMLElement, ctx: RemoteState): () => void {
  let layer = loadLayer();
  let flip = loadFlip(ctx);
  const view = el('div', 'mixer', root);
  const bar = el('div', 'mixer-bar', view);
  const tabs = el('div', 'tabs', bar);
  tabs.setAttribute('role', 'tablist');
  const tabButtons = new Map<Layer, HTMLButtonElement>();
  for (const [l, label] of LAYERS) {
    const b = button(label, 'tab', () => {
      layer = l;
      if (l !== 'inputs') flip = undefined;
      sessionStorage.setItem(LAYER_KEY, l);
      renderLayer();
    });
    b.setAttribute('role', 'tab');
    tabButtons.set(l, b);
    tabs.appendChild(b);
  }
  // Sends on faders. Tablets: the buses as chips in a strip that scrolls sideways, its edges faded
  // and paged by arrow buttons wherever more buses lie beyond. Phones: the system's own picker.
  const flipBar = el('div', 'flip-bar', bar);
  el('span', 'flip-label', flipBar, 'Sends on faders');
  const flipSelect = el('select', 'flip-select', flipBar);
  flipSelect.setAttribute('aria-label', 'Sends on faders');
  const chips = el('div', 'flip-chips', flipBar);
  const chipScroll = el('div', 'flip-scroll', chips);
  const flipButtons: Array<[Flip, HTMLButtonElement]> = [];
  const chooseFlip = (f: Flip | undefined): void => {
    flip = f;
    if (flip) layer = 'inputs';
    renderLayer();
  };
  el('option', '', flipSelect, 'Off').value = '';
  const addFlip = (f: Flip, name: string, color: string): void => {
    const b = button(name, 'chip', () => chooseFlip(flip !== undefined && flip.kind === f.kind && flip.n === f.n ? undefined : f));
    b.style.setProperty('--accent', color);
    flipButtons.push([f, b]);
    chipScroll.appendChild(b);
    el('option', '', flipSelect, name).value = flipKey(f);
  };
  ctx.layout.auxBuses.forEach((b, i) => addFlip({ kind: 'aux', n: i + 1 }, b.name, busColor(i + 1)));
  ctx.layout.fx.forEach((f, i) => addFlip({ kind: 'fx', n: i + 1 }, f.name, fxColor(i + 1)));
  flipSelect.addEventListener('change', () => chooseFlip(parseFlip(flipSelect.value, ctx.layout)));
  const page = (dir: number): void => chipScroll.scrollBy({ left: dir * Math.max(80, chipScroll.clientWidth * 0.8), behavior: 'smooth' });
  chips.prepend(button('‹', 'flip-more prev', () => page(-1), 'More buses to the left'));
  chips.append(button('›', 'flip-more next', () => page(1), 'More buses to the right'));
  // Which edges hide buses: read on scroll and resize only, never in a meter frame.
  const edges = (): void => {
    const max = chipScroll.scrollWidth - chipScroll.clientWidth;
    chips.classList.toggle('more-left', chipScroll.scrollLeft > 1);
    chips.classList.toggle('more-right', chipScroll.scrollLeft < max - 1);
  };
  chipScroll.addEventListener('scroll', edges, { passive: true });
  const chipResize = new ResizeObserver(edges);
  chipResize.observe(chipScroll);
  /** Bring the chosen bus's chip into view (it may be scrolled away after a reload). */
  const revealChip = (b: HTMLElement): void => {
    const left = b.offsetLeft;
    const right = left + b.offsetWidth;
    const { scrollLeft, clientWidth } = chipScroll;
    if (left < scrollLeft + 40) chipScroll.scrollLeft = Math.max(0, left - 40);
    else if (right > scrollLeft + clientWidth - 40) chipScroll.scrollLeft = right - clientWidth + 40;
  };

  const banner = el('div', 'flip-banner', view);
  const deck = el('div', 'deck', view);
  const scroller = el('div', 'strips', deck);
  const pinned = el('div', 'strips pinned', deck);

  let strips: MountedStrip[] = [];
  let shownLayer: Layer | undefined;
  const master = buildStrip(ctx, masterStrip(ctx));
  pinned.appendChild(master.el);

  // Meters of the strips on screen only.
  const visible = new Set<MountedStrip>();
  let withdraw: () => void = () => undefined;
  let wantQueued = false;
  const updateWants = (): void => {
    if (wantQueued) return;
    wantQueued = true;
    queueMicrotask(() => {
      wantQueued = false;
      const points = [...visible].map((s) => s.meter?.point).filter((p): p is string => p !== undefined);
      if (master.meter && !pinned.hidden) points.push(master.meter.point);
      const prev = withdraw;
      withdraw = ctx.wantMeters(points);
      prev();
    });
  };
  const byEl = new Map<Element, MountedStrip>();
  const io = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        const s = byEl.get(e.target);
        if (!s) continue;
        if (e.isIntersecting) visible.add(s);
        else visible.delete(s);
      }
      updateWants();
    },
    { root: scroller, rootMargin: '0px 120px' },
  );

  const refreshHolders = (): void => {
    for (const s of [...strips, master]) {
      const h = ctx.holderUnder(s.spec.holdPrefix);
      s.badge.hidden = h === undefined;
      s.badge.textContent = h?.name ?? '';
      s.el.classList.toggle('is-held', h !== undefined);
    }
  };

  function renderLayer(): void {
    sessionStorage.setItem(FLIP_KEY, flipKey(flip));
    sessionStorage.setItem(LAYER_KEY, layer);
    flipSelect.value = flipKey(flip);
    for (const [l, b] of tabButtons) {
      b.classList.toggle('on', l === layer);
      b.setAttribute('aria-selected', String(l === layer));
    }
    for (const [f, b] of flipButtons) {
      const on = flip !== undefined && f.kind === flip.kind && f.n === flip.n;
      b.classList.toggle('on', on);
      b.setAttribute('aria-pressed', String(on));
      if (on) revealChip(b);
    }
    for (const s of strips) {
      io.unobserve(s.el);
      s.widgets.forEach((w) => w.destroy());
    }
    strips = [];
    visible.clear();
    byEl.clear();
    scroller.replaceChildren();
    const specs = layerStrips(ctx, layer, flip);
    const frag = document.createDocumentFragment();
    for (const spec of specs) {
      const s = buildStrip(ctx, spec);
      strips.push(s);
      byEl.set(s.el, s);
      frag.appendChild(s.el);
    }
    scroller.appendChild(frag);
    for (const s of strips) io.observe(s.el);
    if (flip) {
      const name = flip.kind === 'aux' ? (ctx.layout.auxBuses[flip.n - 1]?.name ?? '') : (ctx.layout.fx[flip.n - 1]?.name ?? '');
      banner.textContent = '';
      el('span', '', banner, `Faders set sends to ${name}`);
      banner.appendChild(
        button('Exit', 'chip exit', () => {
          flip = undefined;
          renderLayer();
        }),
      );
      const color = flip.kind === 'aux' ? busColor(flip.n) : fxColor(flip.n);
      banner.style.setProperty('--accent', color);
      flipSelect.style.setProperty('--accent', color);
    }
    banner.hidden = flip === undefined;
    view.classList.toggle('flipped', flip !== undefined);
    pinned.hidden = layer === 'master';
    // Flipping keeps the place on the console; another layer starts at its first strip.
    if (layer !== shownLayer) scroller.scrollLeft = 0;
    shownLayer = layer;
    refreshHolders();
    updateWants();
  }

  const loop = new MeterLoop(
    () => {
      for (const s of visible) s.meter?.draw(ctx);
      if (!pinned.hidden) master.meter?.draw(ctx);
    },
    { request: (cb) => requestAnimationFrame(cb), cancel: (h) => cancelAnimationFrame(h) },
  );
  const offLeases = ctx.onLeases(refreshHolders);
  renderLayer();
  loop.start();

  return () => {
    loop.stop();
    io.disconnect();
    chipResize.disconnect();
    offLeases();
    withdraw();
    for (const s of [...strips, master]) s.widgets.forEach((w) => w.destroy());
    view.remove();
  };
}
