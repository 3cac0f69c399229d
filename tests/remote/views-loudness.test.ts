/**
 * The master view's loudness panel: the 10 Hz history ring built from ~30 Hz meter frames, the
 * formatting of LUFS values, the target band and the tolerance colouring, and the quick-pick
 * targets against the profile files they are taken from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOLERANCE_LU,
  HISTORY_POINTS,
  LoudnessHistory,
  TARGET_PRESETS,
  formatDeviation,
  formatLoudness,
  targetBand,
  toleranceFor,
  toleranceState,
} from '../../web-remote/src/views/loudness.js';

const FRAME_MS = 1000 / 30;

function values(h: LoudnessHistory, data: Float32Array): number[] {
  return Array.from({ length: h.length }, (_, k) => data[h.index(k)]);
}

describe('loudness history', () => {
  it('seeds from the points of the server (null as gaps), keeping the newest capacity, then continues live', () => {
    const h = new LoudnessHistory(4);
    h.add(0, -10, -10, -10);
    h.seed([-20, null, -18, -17, -16], [-21, -20, null, -18, -17], [-22, -22, -22, null, -22]);
    expect(h.length).toBe(4);
    expect(values(h, h.momentary).map((v) => (Number.isNaN(v) ? null : v))).toEqual([null, -18, -17, -16]);
    expect(values(h, h.shortTerm).map((v) => (Number.isNaN(v) ? null : v))).toEqual([-20, null, -18, -17]);
    h.add(1000, -5, -6, -7);
    h.add(1100, -4, -6, -7); // closes the slot of t = 1000
    expect(values(h, h.momentary).slice(-1)).toEqual([-5]);
  });

  it('decimates 30 Hz frames to 10 Hz, keeping the loudest momentary and short-term of each slot', () => {
    const h = new LoudnessHistory();
    // 10 s of frames; momentary rises 0.01 LU per frame, with one spike in slot 40.
    for (let k = 0; k < 300; k++) {
      const t = k * FRAME_MS;
      const m = k === 121 ? -3 : -30 + k * 0.01;
      h.add(t, m, -20 - k * 0.01, -18);
    }
    // Slots 0..99 were touched; the last one is still open.
    expect(h.length).toBe(99);
    const m = values(h, h.momentary);
    const s = values(h, h.shortTerm);
    // Slot j holds frames k with floor(k·100/3 / 100) = j, i.e. k = 3j..3j+2 (or 3j+1..).
    for (let j = 0; j < 99; j++) {
      const ks = Array.from({ length: 300 }, (_, k) => k).filter((k) => Math.floor((k * FRAME_MS) / 100) === j);
      const mm = Math.max(...ks.map((k) => (k === 121 ? -3 : -30 + k * 0.01)));
      const sm = Math.max(...ks.map((k) => -20 - k * 0.01));
      expect(m[j]).toBeCloseTo(mm, 4);
      expect(s[j]).toBeCloseTo(sm, 4);
    }
    expect(m[40]).toBeCloseTo(-3, 5);
    expect(values(h, h.integrated).every((v) => Math.abs(v + 18) < 1e-6)).toBe(true);
  });

  it('stores a gap for the slots in which no frame arrived', () => {
    const h = new LoudnessHistory();
    h.add(0, -20, -21, -22);
    h.add(1050, -10, -11, -12);
    h.add(1150, -10, -11, -12);
    // Slot 0, nine empty slots (1..9), slot 10.
    expect(h.length).toBe(11);
    const m = values(h, h.momentary);
    expect(m[0]).toBe(-20);
    expect(m.slice(1, 10).every(Number.isNaN)).toBe(true);
    expect(m[10]).toBe(-10);
  });

  it('keeps what nothing measured (the −120 floor) as a gap, not as a value', () => {
    const h = new LoudnessHistory();
    h.add(0, -120, -120, -120);
    h.add(100, -14, -120, -120);
    h.add(200, -14, -14, -14);
    expect(h.length).toBe(2);
    expect(Number.isNaN(h.momentary[h.index(0)])).toBe(true);
    expect(h.momentary[h.index(1)]).toBe(-14);
    expect(Number.isNaN(h.shortTerm[h.index(1)])).toBe(true);
  });

  it('is a ring of 6000 points (10 minutes) that keeps the newest', () => {
    const h = new LoudnessHistory();
    expect(h.capacity).toBe(HISTORY_POINTS);
    expect(HISTORY_POINTS / 10 / 60).toBe(10);
    for (let j = 0; j <= 7000; j++) h.add(j * 100 + 50, -j / 100, -j / 100, -j / 100);
    expect(h.length).toBe(6000);
    // Slots 0..6999 committed, the oldest kept is slot 1000.
    expect(h.momentary[h.index(0)]).toBeCloseTo(-10, 5);
    expect(h.momentary[h.index(5999)]).toBeCloseTo(-69.99, 4);
    const v = h.version;
    h.clear();
    expect(h.length).toBe(0);
    expect(h.version).toBe(v + 1);
  });
});

describe('loudness formatting and target', () => {
  it('formats LUFS with one decimal and a typographic minus; nothing measured is a dash', () => {
    expect(formatLoudness(-14.04)).toBe('\u221214.0');
    expect(formatLoudness(-23.05)).toBe('\u221223.1');
    expect(formatLoudness(-0.04)).toBe('0.0');
    expect(formatLoudness(1.26)).toBe('1.3');
    expect(formatLoudness(-120)).toBe('—');
    expect(formatLoudness(Number.NaN)).toBe('—');
    expect(formatLoudness(-Infinity)).toBe('—');
    expect(formatDeviation(-13.6, -14)).toBe('+0.4 LU');
    expect(formatDeviation(-16.25, -14)).toBe('\u22122.3 LU');
    expect(formatDeviation(-14.02, -14)).toBe('±0.0 LU');
    expect(formatDeviation(-120, -14)).toBe('');
  });

  it('colours by the target band: in, near (within 1 LU outside), out', () => {
    expect(targetBand(-14, 0.5)).toEqual([-14.5, -13.5]);
    expect(toleranceState(-14.5, -14, 0.5)).toBe('in');
    expect(toleranceState(-13.5, -14, 0.5)).toBe('in');
    expect(toleranceState(-14.51, -14, 0.5)).toBe('near');
    expect(toleranceState(-12.5, -14, 0.5)).toBe('near');
    expect(toleranceState(-12.4, -14, 0.5)).toBe('out');
    expect(toleranceState(-120, -14, 0.5)).toBe('none');
  });

  it("takes a preset's tolerance when the target is one, else ±1 LU", () => {
    expect(toleranceFor(-23, -1)).toBe(0.2);
    expect(toleranceFor(-14, -1)).toBe(0.5);
    expect(toleranceFor(-24, -2)).toBe(0.5);
    expect(toleranceFor(-18)).toBe(DEFAULT_TOLERANCE_LU);
    expect(toleranceFor(-23, -3)).toBe(DEFAULT_TOLERANCE_LU);
  });

  it('quick picks match the mastering target profiles', () => {
    expect(TARGET_PRESETS.map((p) => p.id)).toEqual(['spotify', 'apple-music', 'youtube', 'ebu-r128', 'atsc-a85']);
    for (const p of TARGET_PRESETS) {
      const file = JSON.parse(readFileSync(join('profiles', 'mastering', 'targets', `${p.id}.json`), 'utf8')) as {
        integratedLufs: number;
        truePeakDbtp: number;
        toleranceLu: number;
      };
      expect([p.lufs, p.ceiling, p.tolerance]).toEqual([file.integratedLufs, file.truePeakDbtp, file.toleranceLu]);
    }
  });
});
