/**
 * Pan (balance on stereo strips and buses): a compact horizontal slider, filled from the centre,
 * double-tap to centre, with its text (`L30`, `C`, `R12`) on it.
 */
import type { RemoteContext } from '../types.js';
import { createSlider, type Widget } from './fader.js';

export function createPan(ctx: RemoteContext, address: string, label: string, big = false): Widget {
  const wrap = document.createElement('div');
  wrap.className = big ? 'pan big' : 'pan';
  const text = document.createElement('span');
  text.className = 'pan-text';
  const slider = createSlider(ctx, {
    address,
    orientation: 'horizontal',
    variant: 'pan',
    label,
    onText: (t) => {
      text.textContent = t;
    },
  });
  slider.el.appendChild(text);
  wrap.appendChild(slider.el);
  return { el: wrap, destroy: () => slider.destroy() };
}
