/**
 * MyMix: a performer's own monitor mix on aux bus `bus`: the bus level, mute and balance, then
 * one send fader per channel with the channel's name, colour and input meter. Big horizontal
 * faders for thumbs on a phone; nothing else on the page. The engineer can preview any bus's
 * MyMix (#mymix/<bus>).
 */
import type { RemoteState } from '../state.js';
import { MeterLoop } from '../meters.js';
import { createToggle } from '../widgets/buttons.js';
import { createSlider, type Widget } from '../widgets/fader.js';
import { createMeter, type MeterWidget } from '../widgets/meter.js';
import { createPan } from '../widgets/pan.js';
import { busColor } from './mixer.js';
import { el } from '../dom.js';

interface Row {
  readonly el: HTMLElement;
  readonly meter: MeterWidget;
  readonly badge: HTMLElement;
  readonly prefix: string;
}

export function mountMyMix(root: HTMLElement, ctx: RemoteState, bus: number): () => void {
  const view = el('div', 'mymix', root);
  const busInfo = ctx.layout.auxBuses[bus - 1];
  if (busInfo === undefined) {
    el('div', 'empty', view, ctx.layout.auxBuses.length === 0 ? 'This mix has no aux buses.' : `There is no aux bus ${bus}.`);
    return () => view.remove();
  }
  view.style.setProperty('--accent', busColor(bus));
  const widgets: Widget[] = [];
  const add = <W extends Widget>(w: W, parent: HTMLElement): W => {
    widgets.push(w);
    parent.appendChild(w.el);
    return w;
  };

  // The bus itself.
  const head = el('section', 'mymix-head', view);
  const title = el('div', 'mymix-title', head);
  el('span', 'mymix-kicker', title, ctx.role === 'performer' ? `My mix · aux ${bus}${ctx.name !== '' ? ` · ${ctx.name}` : ''}` : `Preview · aux ${bus}, as its performer sees it`);
  el('h1', 'mymix-name', title, busInfo.name);
  const busMeter = createMeter(`bus/${bus}`, 'horizontal', { stereo: true });
  head.appendChild(busMeter.el);
  const busRow = el('div', 'mymix-busrow', head);
  const level = el('div', 'mymix-level', busRow);
  const levelTop = el('div', 'row-top', level);
  el('span', 'row-name', levelTop, 'Level');
  const levelValue = el('span', 'row-value', levelTop);
  add(
    createSlider(ctx, {
      address: `bus/${bus}/fader`,
      orientation: 'horizontal',
      variant: 'fader',
      label: `${busInfo.name} level`,
      className: 'big',
      onText: (t) => {
        levelValue.textContent = t;
      },
    }),
    level,
  );
  const controls = el('div', 'mymix-controls', busRow);
  add(createToggle(ctx, `bus/${bus}/mute`, 'MUTE', 'mute', `${busInfo.name} mute`), controls).el.classList.add('big');
  const panWrap = el('div', 'mymix-pan', controls);
  el('span', 'row-name', panWrap, 'Balance');
  add(createPan(ctx, `bus/${bus}/pan`, `${busInfo.name} balance`, true), panWrap);

  // One send per channel.
  const list = el('section', 'mymix-list', view);
  list.setAttribute('aria-label', 'Sends');
  const rows: Row[] = [];
  ctx.layout.channels.forEach((c, i) => {
    const n = i + 1;
    const address = `ch/${n}/send/${bus}/level`;
    const row = el('div', 'send-row', list);
    const color = el('div', 'row-color', row);
    color.style.background = c.color ?? '#4b5563';
    const top = el('div', 'row-top', row);
    el('span', 'row-num', top, String(n));
    el('span', 'row-name', top, c.name);
    const badge = el('span', 'row-holder', top);
    badge.hidden = true;
    const value = el('span', 'row-value', top);
    const meter = createMeter(`ch/${n}`, 'horizontal', { stereo: false });
    row.appendChild(meter.el);
    add(
      createSlider(ctx, {
        address,
        orientation: 'horizontal',
        variant: 'fader',
        label: `${c.name} in my mix`,
        className: 'big',
        onText: (t) => {
          value.textContent = t;
        },
      }),
      row,
    );
    rows.push({ el: row, meter, badge, prefix: address });
  });

  const visible = new Set<Row>();
  const byEl = new Map<Element, Row>(rows.map((r) => [r.el, r]));
  let withdraw: () => void = () => undefined;
  let queued = false;
  const updateWants = (): void => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      const prev = withdraw;
      withdraw = ctx.wantMeters([`bus/${bus}`, ...[...visible].map((r) => r.meter.point)]);
      prev();
    });
  };
  const io = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        const r = byEl.get(e.target);
        if (!r) continue;
        if (e.isIntersecting) visible.add(r);
        else visible.delete(r);
      }
      updateWants();
    },
    { rootMargin: '80px 0px' },
  );
  rows.forEach((r) => io.observe(r.el));
  updateWants();

  const refreshHolders = (): void => {
    for (const r of rows) {
      const h = ctx.holder(r.prefix);
      r.badge.hidden = h === undefined;
      r.badge.textContent = h?.name ?? '';
    }
  };
  const offLeases = ctx.onLeases(refreshHolders);
  refreshHolders();

  const loop = new MeterLoop(
    () => {
      busMeter.draw(ctx);
      for (const r of visible) r.meter.draw(ctx);
    },
    { request: (cb) => requestAnimationFrame(cb), cancel: (h) => cancelAnimationFrame(h) },
  );
  loop.start();

  return () => {
    loop.stop();
    io.disconnect();
    offLeases();
    withdraw();
    widgets.forEach((w) => w.destroy());
    view.remove();
  };
}
