/**
 * Buttons: on/off switches bound to a parameter (mute, solo) and plain action buttons.
 */
import type { RemoteContext } from '../types.js';
import type { Widget } from './fader.js';

export type ToggleKind = 'mute' | 'solo' | 'plain';

/** A switch parameter (0/1) as a latching button: aria-pressed follows the server's value. */
export function createToggle(ctx: RemoteContext, address: string, text: string, kind: ToggleKind, label?: string): Widget {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `btn toggle ${kind}`;
  b.textContent = text;
  b.dataset.address = address;
  if (label) b.setAttribute('aria-label', label);
  const render = (): void => {
    const on = ctx.value(address) >= 0.5;
    b.classList.toggle('on', on);
    b.setAttribute('aria-pressed', String(on));
  };
  const access = (): void => {
    const h = ctx.holder(address);
    b.disabled = !ctx.canWrite(address);
    b.classList.toggle('held', h !== undefined);
    b.title = h !== undefined ? `Held by ${h.name}` : '';
  };
  b.addEventListener('click', () => {
    if (!ctx.canWrite(address) || ctx.holder(address) !== undefined) return;
    ctx.set(address, ctx.value(address) >= 0.5 ? 0 : 1);
  });
  const offParam = ctx.onParam(address, (a) => {
    if (a === address) render();
  });
  const offLeases = ctx.onLeases(access);
  render();
  access();
  return {
    el: b,
    destroy(): void {
      offParam();
      offLeases();
    },
  };
}

/** A plain button. */
export function button(text: string, cls: string, onClick: () => void, label?: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `btn ${cls}`;
  b.textContent = text;
  if (label) b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}
