/**
 * The EQ editor of the channel and master views: the curve with its handles, one chip per band
 * (number and type), and the picked band's frequency, gain and Q knobs.
 */
import { BAND_COLORS, EQ_TYPE_LABELS, EqCurve, type EqCurveOptions } from './eq-curve.js';
import { el, knob, select, type ViewKit } from './knob.js';

/** The editor's elements, in order: the curve, then the band chips and knobs. */
export function eqEditor(kit: ViewKit, opts: Omit<EqCurveOptions, 'onSelect'>): HTMLElement[] {
  const { prefix, bands } = opts;
  const bandKnobs: HTMLElement[] = [];
  const chips: HTMLElement[] = [];
  const pick = (b: number): void => {
    bandKnobs.forEach((k, i) => (k.hidden = i !== b));
    chips.forEach((k, i) => k.classList.toggle('on', i === b));
  };
  const curve = new EqCurve(kit, { ...opts, onSelect: pick });
  const bandsRow = el('div', 'mx-bands');
  for (let b = 0; b < bands; b++) {
    const chip = el('div', 'mx-chip');
    chip.style.setProperty('--band', BAND_COLORS[b]);
    const num = el('button', 'mx-chip-num', String(b + 1));
    num.type = 'button';
    num.addEventListener('click', () => {
      curve.select(b);
      pick(b);
    });
    chip.append(num, select(kit, `${prefix}/eq/${b + 1}/type`, EQ_TYPE_LABELS).el);
    chips.push(chip);
    bandsRow.append(chip);
    const ks = el('div', 'mx-row mx-bandknobs');
    const color = BAND_COLORS[b];
    ks.append(
      knob(kit, `${prefix}/eq/${b + 1}/freq`, { label: `${b + 1} Freq`, color }).el,
      knob(kit, `${prefix}/eq/${b + 1}/gain`, { label: `${b + 1} Gain`, color }).el,
      knob(kit, `${prefix}/eq/${b + 1}/q`, { label: `${b + 1} Q`, color }).el,
    );
    bandKnobs.push(ks);
  }
  const eqFoot = el('div', 'mx-eqfoot');
  eqFoot.append(bandsRow, ...bandKnobs);
  pick(0);
  return [curve.el, eqFoot];
}
