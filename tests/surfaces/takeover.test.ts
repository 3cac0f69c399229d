import { describe, expect, it } from 'vitest';
import { newTakeoverState, TAKEOVER, unlock } from '../../src/surfaces/generic/takeover.js';

describe('takeover: pickup', () => {
  it('param at 0.5, control 0.2 -> 0.3 -> 0.45: nothing; crossing to 0.55 locks and follows', () => {
    const s = newTakeoverState();
    const { move } = TAKEOVER.pickup;
    expect(move(s, 0.2, 0.5)).toBeUndefined();
    expect(move(s, 0.3, 0.5)).toBeUndefined();
    expect(move(s, 0.45, 0.5)).toBeUndefined();
    expect(s.locked).toBe(false);
    expect(move(s, 0.55, 0.5)).toBe(0.55);
    expect(s.locked).toBe(true);
    expect(move(s, 0.1, 0.55)).toBe(0.1);
  });

  it('crossing from above locks too', () => {
    const s = newTakeoverState();
    expect(TAKEOVER.pickup.move(s, 0.9, 0.5)).toBeUndefined();
    expect(TAKEOVER.pickup.move(s, 0.4, 0.5)).toBe(0.4);
  });

  it('within 1/127 locks, even on the first message; 2/127 away does not', () => {
    const near = newTakeoverState();
    expect(TAKEOVER.pickup.move(near, 63 / 127, 0.5)).toBe(63 / 127);
    const close = newTakeoverState();
    expect(TAKEOVER.pickup.move(close, 0.5 + 1 / 127, 0.5)).toBe(0.5 + 1 / 127);
    const far = newTakeoverState();
    expect(TAKEOVER.pickup.move(far, 0.5 + 2 / 127, 0.5)).toBeUndefined();
  });

  it('unlock (the parameter moved elsewhere) makes the control pick up again', () => {
    const s = newTakeoverState();
    expect(TAKEOVER.pickup.move(s, 0.5, 0.5)).toBe(0.5);
    unlock(s);
    expect(TAKEOVER.pickup.move(s, 0.55, 0.2)).toBeUndefined();
    expect(TAKEOVER.pickup.move(s, 0.3, 0.2)).toBeUndefined();
    expect(TAKEOVER.pickup.move(s, 0.1, 0.2)).toBe(0.1);
  });
});

describe('takeover: scaled catch-up', () => {
  it('param 0.5, control 0.2 -> 0.3: the parameter goes to 0.5 + 0.1 * 0.5 / 0.8 = 0.5625', () => {
    const s = newTakeoverState();
    const { move } = TAKEOVER.scaled;
    expect(move(s, 0.2, 0.5)).toBeUndefined(); // first message: no direction yet
    expect(move(s, 0.3, 0.5)).toBeCloseTo(0.5625, 12);
    // Next 0.1 up: 0.5625 + 0.1 * 0.4375 / 0.7 = 0.625.
    expect(move(s, 0.4, 0.5625)).toBeCloseTo(0.625, 12);
    // Down 0.1 toward 0: 0.625 - 0.1 * 0.625 / 0.4 = 0.46875.
    expect(move(s, 0.3, 0.625)).toBeCloseTo(0.46875, 12);
    expect(s.locked).toBe(false);
  });

  it('locks when the control crosses the parameter, then follows directly', () => {
    const s = newTakeoverState();
    const { move } = TAKEOVER.scaled;
    move(s, 0.6, 0.5);
    expect(move(s, 0.45, 0.5)).toBe(0.45);
    expect(s.locked).toBe(true);
    expect(move(s, 0.8, 0.45)).toBe(0.8);
  });

  it('is monotonic and reaches the end of travel together with the control', () => {
    for (const start of [0, 0.3, 0.79]) {
      const s = newTakeoverState();
      let param = 0.8;
      const seen: number[] = [];
      for (let i = Math.round(start * 127); i <= 127; i++) {
        const p = TAKEOVER.scaled.move(s, i / 127, param);
        if (p !== undefined) param = p;
        seen.push(param);
      }
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
      expect(param).toBeCloseTo(1, 12);
      expect(param).toBeLessThanOrEqual(1);
    }
    // Down from above the parameter: never below 0, reaches it with the control.
    const s = newTakeoverState();
    let param = 0.2;
    let prev = param;
    for (let i = 127; i >= 0; i--) {
      const p = TAKEOVER.scaled.move(s, i / 127, param);
      if (p !== undefined) param = p;
      expect(param).toBeLessThanOrEqual(prev);
      prev = param;
    }
    expect(param).toBe(0);
  });

  it('works inside a mapping range [0.25, 0.75]: the ends are the range ends', () => {
    const s = newTakeoverState();
    TAKEOVER.scaled.move(s, 0.3, 0.5, 0.25, 0.75);
    // Toward 0.75: 0.5 + 0.1 * 0.25 / 0.45.
    expect(TAKEOVER.scaled.move(s, 0.4, 0.5, 0.25, 0.75)).toBeCloseTo(0.5 + 0.025 / 0.45, 12);
  });
});

describe('takeover: jump', () => {
  it('follows at once', () => {
    const s = newTakeoverState();
    expect(TAKEOVER.jump.move(s, 0.1, 0.9)).toBe(0.1);
    expect(s).toEqual({ last: 0.1, locked: true });
  });
});
