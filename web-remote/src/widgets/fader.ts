/**
 * A slider bound to one parameter address: the vertical console fader, the horizontal send fader
 * of MyMix and (through pan.ts) the pan control.
 *
 * Dragging is relative (a touch never makes the thumb jump), with pointer capture; shift or a
 * second finger on the same control (or on empty space) gives fine mode, a quarter of the speed.
 * Double-tap returns to 0 dB (pan: centre). Finger down takes the touch lease, finger up releases
 * it. A control held by someone else, or not writable by this role, refuses drags. The thumb
 * moves by a transform of a full-travel carriage, so a move never triggers layout.
 *
 * Stable hooks (for tests and other tools; class names are styling and may change): the control
 * carries `data-address="<parameter address>"`, its thumb `data-thumb`.
 */
import type { RemoteContext } from '../types.js';
import { dragPosition, FINE_FACTOR, faderScale, isFader, keyStep } from './scale.js';

export interface SliderOptions {
  readonly address: string;
  readonly orientation: 'vertical' | 'horizontal';
  readonly variant: 'fader' | 'pan';
  /** Accessible name, e.g. `Kick fader`. */
  readonly label: string;
  /** Print the dB scale beside the travel (vertical faders). */
  readonly scale?: boolean;
  /** Colour of the fill and thumb cap (sends on faders use the bus's colour). */
  readonly accent?: string;
  /** Called with the value text (`-6.0 dB`) whenever it changes. */
  readonly onText?: (text: string) => void;
  /** Extra class names. */
  readonly className?: string;
}

export interface Widget {
  readonly el: HTMLElement;
  destroy(): void;
}

const DOUBLE_TAP_MS = 320;
const TAP_SLOP_PX = 6;

function div(cls: string, parent?: HTMLElement): HTMLDivElement {
  const d = document.createElement('div');
  d.className = cls;
  parent?.appendChild(d);
  return d;
}

interface Drag {
  readonly pointerId: number;
  startCoord: number;
  startPos: number;
  readonly travel: number;
  fine: boolean;
  moved: boolean;
  readonly downCoord: number;
  readonly others: Set<number>;
}

export function createSlider(ctx: RemoteContext, o: SliderOptions): Widget {
  const { address } = o;
  const vertical = o.orientation === 'vertical';
  const el = div(`slider ${o.variant} ${o.orientation}${o.className ? ` ${o.className}` : ''}`);
  el.setAttribute('role', 'slider');
  el.setAttribute('aria-label', o.label);
  el.setAttribute('aria-orientation', o.orientation);
  // Stable hook for tests and tools: the parameter this control sets.
  el.dataset.address = address;
  el.tabIndex = 0;
  if (o.accent) el.style.setProperty('--accent', o.accent);

  const track = div('slider-track', el);
  const travel = div('slider-travel', track);
  const fill = div('slider-fill', travel);
  if (o.scale) {
    const scale = div('slider-scale', travel);
    for (const m of faderScale()) {
      const mark = div(m.db === 0 ? 'mark unity' : 'mark', scale);
      mark.style.bottom = `${(m.position * 100).toFixed(3)}%`;
      mark.dataset.label = m.label;
    }
  }
  const carriage = div('slider-carriage', travel);
  div('slider-thumb', carriage).dataset.thumb = '';

  const d = ctx.registry.find(address) >= 0 ? ctx.registry.descriptor(address) : undefined;
  if (d) {
    el.setAttribute('aria-valuemin', String(d.min));
    el.setAttribute('aria-valuemax', String(d.max));
  }
  const home = d !== undefined ? (isFader(d) ? 0 : d.unit === 'pan' ? 0 : d.default) : 0;

  let shownPos = -1;
  let shownText = '';
  const render = (): void => {
    const p = ctx.position(address);
    if (p !== shownPos) {
      shownPos = p;
      carriage.style.transform = vertical ? `translateY(${((1 - p) * 100).toFixed(3)}%)` : `translateX(${((p - 1) * 100).toFixed(3)}%)`;
      fill.style.transform = o.variant === 'pan' ? `scaleX(${((p - 0.5) * 2).toFixed(4)})` : vertical ? `scaleY(${p.toFixed(4)})` : `scaleX(${p.toFixed(4)})`;
    }
    const v = ctx.value(address);
    const text = ctx.format(address);
    if (text !== shownText) {
      shownText = text;
      el.setAttribute('aria-valuenow', Number.isNaN(v) ? '0' : String(Math.round(v * 10) / 10));
      el.setAttribute('aria-valuetext', text);
      o.onText?.(text);
    }
  };

  const refreshAccess = (): void => {
    const h = ctx.holder(address);
    const writable = ctx.canWrite(address);
    el.classList.toggle('held', h !== undefined);
    el.classList.toggle('readonly', !writable);
    el.setAttribute('aria-disabled', String(!writable || h !== undefined));
    el.title = h !== undefined ? `Held by ${h.name}` : '';
  };

  let drag: Drag | undefined;
  let lastTapAt = -Infinity;
  let lastTapCoord = 0;

  const coord = (e: PointerEvent): number => (vertical ? -e.clientY : e.clientX);
  const refused = (): boolean => !ctx.canWrite(address) || ctx.holder(address) !== undefined;
  const flash = (): void => {
    el.classList.remove('refuse');
    void el.offsetWidth; // restart the animation
    el.classList.add('refuse');
  };

  // A second finger elsewhere (not on another control) switches the drag to fine mode.
  const otherDown = (e: PointerEvent): void => {
    if (!drag || e.pointerId === drag.pointerId) return;
    const t = e.target as Element | null;
    const onControl = t?.closest?.('.slider, button');
    if (onControl && onControl !== el) return;
    drag.others.add(e.pointerId);
  };
  const otherUp = (e: PointerEvent): void => {
    drag?.others.delete(e.pointerId);
  };

  const endDrag = (e?: PointerEvent): void => {
    if (!drag) return;
    const dr = drag;
    drag = undefined;
    document.removeEventListener('pointerdown', otherDown, true);
    document.removeEventListener('pointerup', otherUp, true);
    document.removeEventListener('pointercancel', otherUp, true);
    el.classList.remove('active', 'fine');
    ctx.release(address);
    if (!dr.moved && e !== undefined && e.type === 'pointerup') {
      lastTapAt = e.timeStamp;
      lastTapCoord = coord(e);
    }
  };

  const onDown = (e: PointerEvent): void => {
    if (e.button !== 0 && e.pointerType === 'mouse') return;
    if (drag) {
      // Second finger on the same control: fine mode from here on.
      if (e.pointerId !== drag.pointerId) drag.others.add(e.pointerId);
      e.preventDefault();
      return;
    }
    if (refused()) {
      flash();
      return;
    }
    e.preventDefault();
    el.focus({ preventScroll: true });
    const c = coord(e);
    if (e.timeStamp - lastTapAt < DOUBLE_TAP_MS && Math.abs(c - lastTapCoord) < 24) {
      lastTapAt = -Infinity;
      ctx.touch(address);
      ctx.set(address, home);
      ctx.release(address);
      return;
    }
    const rect = travel.getBoundingClientRect();
    try {
      el.setPointerCapture(e.pointerId);
    } catch {
      // synthetic events have no capture
    }
    drag = {
      pointerId: e.pointerId,
      startCoord: c,
      downCoord: c,
      startPos: ctx.position(address),
      travel: vertical ? rect.height : rect.width,
      fine: e.shiftKey,
      moved: false,
      others: new Set(),
    };
    document.addEventListener('pointerdown', otherDown, true);
    document.addEventListener('pointerup', otherUp, true);
    document.addEventListener('pointercancel', otherUp, true);
    el.classList.add('active');
    ctx.touch(address);
  };

  const onMove = (e: PointerEvent): void => {
    if (!drag || e.pointerId !== drag.pointerId) return;
    const c = coord(e);
    const fine = e.shiftKey || drag.others.size > 0;
    if (fine !== drag.fine) {
      // Re-anchor so that switching speed never makes the thumb jump.
      drag.fine = fine;
      drag.startCoord = c;
      drag.startPos = ctx.position(address);
      el.classList.toggle('fine', fine);
    }
    if (!drag.moved && Math.abs(c - drag.downCoord) < TAP_SLOP_PX) return;
    drag.moved = true;
    ctx.setPosition(address, dragPosition(drag.startPos, c - drag.startCoord, drag.travel, fine ? FINE_FACTOR : 1));
  };

  const onKey = (e: KeyboardEvent): void => {
    if (!d || refused()) return;
    let dir = 0;
    let target: number | undefined;
    switch (e.key) {
      case 'ArrowUp':
      case 'ArrowRight':
        dir = 1;
        break;
      case 'ArrowDown':
      case 'ArrowLeft':
        dir = -1;
        break;
      case 'PageUp':
        dir = 10;
        break;
      case 'PageDown':
        dir = -10;
        break;
      case 'Home':
        target = d.min;
        break;
      case 'End':
        target = d.max;
        break;
      default:
        return;
    }
    e.preventDefault();
    ctx.set(address, target ?? keyStep(d, ctx.value(address), dir, e.shiftKey));
  };

  el.addEventListener('pointerdown', onDown);
  el.addEventListener('pointermove', onMove);
  el.addEventListener('pointerup', endDrag);
  el.addEventListener('pointercancel', endDrag);
  el.addEventListener('lostpointercapture', (e) => {
    if (drag && e.pointerId === drag.pointerId) endDrag();
  });
  el.addEventListener('keydown', onKey);
  el.addEventListener('animationend', () => el.classList.remove('refuse'));

  const offParam = ctx.onParam(address, (a) => {
    if (a === address) render();
  });
  const offLeases = ctx.onLeases(refreshAccess);
  render();
  refreshAccess();

  return {
    el,
    destroy(): void {
      endDrag();
      offParam();
      offLeases();
    },
  };
}
