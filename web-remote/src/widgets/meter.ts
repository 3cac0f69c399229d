/**
 * A level meter: one bar per side with peak hold and a clip light, on the IEC 60268-18 scale.
 * Drawn by the view's meter loop (30 fps) through transforms only: a full-height gradient is
 * uncovered by a scaled cover, and the hold line rides a full-height carriage.
 *
 * Stable hooks (for tests and other tools): `data-point="<meter point>"`, and `data-level`, the
 * peak it shows in dBFS to 0.1 dB (the louder side of a stereo meter; the floor, −120.0, before
 * any frame). Written by the same draw, only when the text changes: never more often than the
 * meter frames, and no layout is read.
 */
import type { RemoteContext } from '../types.js';
import { METER_FLOOR_DB, meterDeflection, METER_MARKS } from '../meters.js';

export interface MeterWidget {
  readonly el: HTMLElement;
  readonly point: string;
  draw(ctx: RemoteContext): void;
}

/** Indices of LEVEL_FIELDS (src/model/meters.ts), shared by every point's first six fields. */
const PEAK_L = 0;
const PEAK_R = 1;
const HOLD_L = 2;
const HOLD_R = 3;
const CLIP_DB = -0.5;
const CLIP_HOLD_FRAMES = 45;

/** `data-level`'s text for a level in dBFS: one decimal, the floor below it, never `-0.0`. */
export function levelText(db: number): string {
  const v = db > METER_FLOOR_DB && Number.isFinite(db) ? Math.round(db * 10) / 10 : METER_FLOOR_DB;
  return (v === 0 ? 0 : v).toFixed(1);
}

/** The peak a meter shows (the louder side) from a point's fields, or the floor without them. */
export function shownPeakDb(fields: ArrayLike<number> | undefined, peakL: number, peakR: number): number {
  if (fields === undefined || fields.length <= Math.max(peakL, peakR)) return METER_FLOOR_DB;
  const l = fields[peakL];
  const r = fields[peakR];
  const m = Number.isNaN(l) ? r : Number.isNaN(r) ? l : Math.max(l, r);
  return Number.isNaN(m) ? METER_FLOOR_DB : m;
}

/** Writes `data-level` on `el` when its text changes; returns the text now shown. */
export function writeLevel(el: Element, db: number, shown: string): string {
  const t = levelText(db);
  if (t !== shown) el.setAttribute('data-level', t);
  return t;
}

interface Bar {
  cover: HTMLElement;
  hold: HTMLElement;
  peak: number;
  holdPos: number;
}

export function createMeter(point: string, orientation: 'vertical' | 'horizontal' = 'vertical', opts: { stereo?: boolean; scale?: boolean } = {}): MeterWidget {
  const vertical = orientation === 'vertical';
  const el = document.createElement('div');
  el.className = `meter ${orientation}`;
  el.setAttribute('aria-hidden', 'true');
  el.dataset.point = point;
  let level = writeLevel(el, METER_FLOOR_DB, '');
  const clip = document.createElement('div');
  clip.className = 'meter-clip';
  el.appendChild(clip);
  const bars: Bar[] = [];
  const sides = opts.stereo === false ? 1 : 2;
  const barsEl = document.createElement('div');
  barsEl.className = 'meter-bars';
  el.appendChild(barsEl);
  for (let i = 0; i < sides; i++) {
    const bar = document.createElement('div');
    bar.className = 'meter-bar';
    const cover = document.createElement('div');
    cover.className = 'meter-cover';
    const holdc = document.createElement('div');
    holdc.className = 'meter-holdc';
    const hold = document.createElement('div');
    hold.className = 'meter-hold';
    holdc.appendChild(hold);
    bar.append(cover, holdc);
    barsEl.appendChild(bar);
    bars.push({ cover, hold: holdc, peak: -1, holdPos: -1 });
  }
  if (opts.scale) {
    const scale = document.createElement('div');
    scale.className = 'meter-scale';
    for (const db of METER_MARKS) {
      const m = document.createElement('span');
      m.textContent = db === 0 ? '0' : String(-db);
      m.style[vertical ? 'bottom' : 'left'] = `${(meterDeflection(db) * 100).toFixed(2)}%`;
      scale.appendChild(m);
    }
    el.appendChild(scale);
  }
  let clipFrames = 0;

  const set = (b: Bar, peak: number, hold: number): void => {
    if (Math.abs(peak - b.peak) > 0.002) {
      b.peak = peak;
      b.cover.style.transform = vertical ? `scaleY(${(1 - peak).toFixed(4)})` : `scaleX(${(1 - peak).toFixed(4)})`;
    }
    if (Math.abs(hold - b.holdPos) > 0.002) {
      b.holdPos = hold;
      b.hold.style.transform = vertical ? `translateY(${((1 - hold) * 100).toFixed(2)}%)` : `translateX(${((hold - 1) * 100).toFixed(2)}%)`;
      b.hold.style.opacity = hold > 0 ? '1' : '0';
    }
  };

  return {
    el,
    point,
    draw(ctx: RemoteContext): void {
      const m = ctx.meter(point);
      if (m === undefined || m.length < 4) {
        for (const b of bars) set(b, 0, 0);
        level = writeLevel(el, METER_FLOOR_DB, level);
        return;
      }
      level = writeLevel(el, shownPeakDb(m, PEAK_L, PEAK_R), level);
      const l = m[PEAK_L];
      const r = m[PEAK_R];
      if (sides === 1) {
        set(bars[0], meterDeflection(Math.max(l, r)), meterDeflection(Math.max(m[HOLD_L], m[HOLD_R])));
      } else {
        set(bars[0], meterDeflection(l), meterDeflection(m[HOLD_L]));
        set(bars[1], meterDeflection(r), meterDeflection(m[HOLD_R]));
      }
      if (Math.max(l, r) >= CLIP_DB) {
        if (clipFrames === 0) clip.classList.add('on');
        clipFrames = CLIP_HOLD_FRAMES;
      } else if (clipFrames > 0 && --clipFrames === 0) {
        clip.classList.remove('on');
      }
    },
  };
}
