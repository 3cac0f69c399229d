/**
 * The page's stable hooks and small decisions behind them: the `data-level` text of a meter (the
 * peak it shows, to 0.1 dB), written only when it changes; the sends-on-faders choice as text
 * (the phone's picker and session storage); what a detail view says while the link is down.
 */
import { describe, expect, it } from 'vitest';
import { METER_FLOOR_DB } from '../../web-remote/src/meters.js';
import { staleNotice } from '../../web-remote/src/views/knob.js';
import { flipKey, parseFlip } from '../../web-remote/src/views/mixer.js';
import { levelText, shownPeakDb, writeLevel } from '../../web-remote/src/widgets/meter.js';
import { LAYOUT } from './web-fakes.js';

describe('meter data-level', () => {
  it('is the level in dBFS to one decimal, the floor below the floor, never -0.0', () => {
    expect(levelText(-12.34)).toBe('-12.3');
    expect(levelText(-12.36)).toBe('-12.4');
    expect(levelText(-0.04)).toBe('0.0');
    expect(levelText(0)).toBe('0.0');
    expect(levelText(1.26)).toBe('1.3');
    expect(levelText(METER_FLOOR_DB)).toBe('-120.0');
    expect(levelText(-300)).toBe('-120.0');
    expect(levelText(Number.NaN)).toBe('-120.0');
    expect(levelText(-Infinity)).toBe('-120.0');
  });

  it('shows the louder side; one side NaN gives the other; no fields give the floor', () => {
    const f = Float32Array.from([-18, -6.5, -3, -2, -30, -30]);
    expect(shownPeakDb(f, 0, 1)).toBe(-6.5);
    expect(shownPeakDb(Float32Array.from([-9, Number.NaN]), 0, 1)).toBe(-9);
    expect(shownPeakDb(Float32Array.from([Number.NaN, Number.NaN]), 0, 1)).toBe(METER_FLOOR_DB);
    expect(shownPeakDb(undefined, 0, 1)).toBe(METER_FLOOR_DB);
    expect(shownPeakDb(Float32Array.from([-9]), 0, 1)).toBe(METER_FLOOR_DB);
    // Field indices other than 0/1 (the master chain's point).
    expect(shownPeakDb(Float32Array.from([0, 0, 0, -14.26, -14.31]), 3, 4)).toBeCloseTo(-14.26, 5);
  });

  it('writes the attribute only when its text changes', () => {
    const writes: Array<[string, string]> = [];
    const target = { setAttribute: (k: string, v: string) => writes.push([k, v]) } as unknown as Element;
    let shown = '';
    // 30 frames: the same level to 0.1 dB for ten, then a change, then sub-0.05 dB jitter.
    const levels = [...Array<number>(10).fill(-12.01), ...Array<number>(10).fill(-6), ...Array.from({ length: 10 }, (_, i) => -6 + (i % 2) * 0.04)];
    for (const db of levels) shown = writeLevel(target, db, shown);
    expect(writes).toEqual([
      ['data-level', '-12.0'],
      ['data-level', '-6.0'],
    ]);
    expect(shown).toBe('-6.0');
  });
});

describe('sends on faders as text', () => {
  it('round-trips every bus of the layout and refuses what the layout lacks', () => {
    expect(flipKey(undefined)).toBe('');
    expect(flipKey({ kind: 'aux', n: 2 })).toBe('aux/2');
    expect(parseFlip('aux/2', LAYOUT)).toEqual({ kind: 'aux', n: 2 });
    expect(parseFlip('fx/1', LAYOUT)).toEqual({ kind: 'fx', n: 1 });
    for (const t of ['', 'aux/0', 'aux/3', 'fx/2', 'aux/2x', 'bus/1', 'aux/-1']) expect(parseFlip(t, LAYOUT)).toBeUndefined();
    const all = [...LAYOUT.auxBuses.map((_, i) => `aux/${i + 1}`), ...LAYOUT.fx.map((_, i) => `fx/${i + 1}`)];
    expect(all.map((t) => flipKey(parseFlip(t, LAYOUT)))).toEqual(all);
  });
});

describe('detail views off the link', () => {
  it('say nothing while live and that values may be stale otherwise', () => {
    expect(staleNotice('live')).toBeUndefined();
    for (const s of ['connecting', 'reconnecting', 'refused'] as const) expect(staleNotice(s)).toMatch(/may be stale/);
    expect(staleNotice('reconnecting')).toMatch(/not sent/);
  });
});
