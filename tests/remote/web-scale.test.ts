import { describe, expect, it } from 'vitest';
import { ParamRegistry } from '../../src/model/registry.js';
import { defaultLayout } from '../../src/model/layout.js';
import { dragPosition, faderScale, keyStep } from '../../web-remote/src/widgets/scale.js';

const reg = new ParamRegistry(defaultLayout());

describe('fader scale', () => {
  it('places the marks at the fader taper positions', () => {
    const at = new Map(faderScale().map((m) => [m.db, m.position]));
    expect(at.get(0)).toBe(0.75);
    expect(at.get(-10)).toBe(0.5);
    expect(at.get(-30)).toBe(0.25);
    expect(at.get(-60)).toBe(0.0625);
    expect(at.get(10)).toBe(1);
    expect(at.get(-90)).toBe(0);
    expect(at.get(5)).toBeCloseTo(0.875, 12);
    expect(at.get(-20)).toBeCloseTo(0.375, 12);
    expect(faderScale().map((m) => m.label)).toEqual(['+10', '+5', '0', '−5', '−10', '−20', '−30', '−40', '−60', '−∞']);
  });
});

describe('keyboard steps', () => {
  const fader = reg.descriptor('ch/1/fader');
  const pan = reg.descriptor('ch/1/pan');
  it('moves a fader by 0.5 dB, 0.1 dB fine, clamped at +10', () => {
    expect(keyStep(fader, -6, 1, false)).toBe(-5.5);
    expect(keyStep(fader, -6, -1, false)).toBe(-6.5);
    expect(keyStep(fader, -6, 1, true)).toBeCloseTo(-5.9, 12);
    expect(keyStep(fader, -6, 10, false)).toBe(-1);
    expect(keyStep(fader, 9.8, 1, false)).toBe(10);
  });
  it('moves by 1 % of travel below −60 dB and out of −∞', () => {
    expect(keyStep(fader, -90, 1, false)).toBeCloseTo(fader.taper.fromPosition(0.01), 9);
    expect(keyStep(fader, -90, -1, false)).toBe(-90);
  });
  it('moves pan by 1 % of travel (2 units)', () => {
    expect(keyStep(pan, 0, 1, false)).toBeCloseTo(2, 9);
    expect(keyStep(pan, 0, -1, true)).toBeCloseTo(-0.5, 9);
  });
});

describe('relative drag', () => {
  it('moves by pixels over the travel, a quarter as far in fine mode, clamped', () => {
    expect(dragPosition(0.5, 100, 400, 1)).toBe(0.75);
    expect(dragPosition(0.5, 100, 400, 0.25)).toBe(0.5625);
    expect(dragPosition(0.9, 200, 400, 1)).toBe(1);
    expect(dragPosition(0.1, -200, 400, 1)).toBe(0);
    expect(dragPosition(0.3, 50, 0, 1)).toBe(0.3);
  });
});
