/**
 * The channel and master views' EQ display: the response it draws must be the engine's (same
 * coefficient design, same type table, same high-pass sections), and the drag mapping of the
 * canvas must round-trip between pixels and frequency/gain.
 */
import { describe, expect, it } from 'vitest';
import { EQ_FILTER_TYPE as ENGINE_EQ_TYPES, Equalizer, HPF_Q_A as ENGINE_Q_A, HPF_Q_B as ENGINE_Q_B, HighPass } from '../../src/engine/filters.js';
import { TILT } from '../../src/engine/biquad.js';
import { MASTER_EQ_TYPES } from '../../src/model/master-params.js';
import { EQ_TYPES } from '../../src/model/params.js';
import {
  DISPLAY_RATE,
  EQ_FILTER_TYPE,
  F_MAX,
  F_MIN,
  HPF_Q_A,
  HPF_Q_B,
  bandHasGain,
  bandResponseDb,
  dragToBand,
  eqResponse,
  freqToX,
  gainToY,
  hpfResponseDb,
  logFrequencies,
  qFromDrag,
  xToFreq,
  yToGain,
  type EqBand,
} from '../../web-remote/src/views/eq-curve.js';

const PEAK = EQ_TYPES.indexOf('peak');
const LOWSHELF = EQ_TYPES.indexOf('lowshelf');
const HIGHSHELF = EQ_TYPES.indexOf('highshelf');
const LOWPASS = EQ_TYPES.indexOf('lowpass');
const HIGHPASS = EQ_TYPES.indexOf('highpass');
const TILT_TYPE = MASTER_EQ_TYPES.indexOf('tilt');

describe('EQ response', () => {
  it('a +6 dB peak at 1 kHz, Q 1, reads +6.00 dB at 1 kHz and about 0 dB far away', () => {
    const b: EqBand = { type: PEAK, freq: 1000, gain: 6, q: 1 };
    expect(bandResponseDb(b, 1000)).toBeCloseTo(6, 2);
    expect(Math.abs(bandResponseDb(b, 1000) - 6)).toBeLessThan(0.01);
    expect(Math.abs(bandResponseDb(b, 20))).toBeLessThan(0.05);
    // One octave off at Q 1 the bell is well under its top but still boosting.
    const oct = bandResponseDb(b, 2000);
    expect(oct).toBeGreaterThan(1.5);
    expect(oct).toBeLessThan(3.5);
  });

  it('shelves give half their gain at the corner frequency, full gain beyond', () => {
    expect(bandResponseDb({ type: LOWSHELF, freq: 200, gain: 12, q: 0.707 }, 200)).toBeCloseTo(6, 2);
    expect(bandResponseDb({ type: LOWSHELF, freq: 200, gain: 12, q: 0.707 }, 20)).toBeCloseTo(12, 1);
    expect(bandResponseDb({ type: HIGHSHELF, freq: 5000, gain: -10, q: 0.707 }, 5000)).toBeCloseTo(-5, 2);
    expect(bandResponseDb({ type: HIGHSHELF, freq: 5000, gain: -10, q: 0.707 }, 20000)).toBeLessThan(-9.5);
  });

  it('the tilt is 0 dB at its pivot and ±half its gain at the ends', () => {
    const t: EqBand = { type: TILT_TYPE, freq: 1000, gain: 6, q: 0.707 };
    expect(Math.abs(bandResponseDb(t, 1000))).toBeLessThan(0.01);
    expect(bandResponseDb(t, 20)).toBeLessThan(-2.5);
    expect(bandResponseDb(t, 20000)).toBeGreaterThan(2.5);
  });

  it('uses the engine type table, and the combined curve is the sum in dB of the bands', () => {
    expect(EQ_FILTER_TYPE).toEqual(ENGINE_EQ_TYPES);
    expect(EQ_FILTER_TYPE[TILT_TYPE]).toBe(TILT);
    const bands: EqBand[] = [
      { type: LOWSHELF, freq: 90, gain: 4, q: 0.707 },
      { type: PEAK, freq: 420, gain: -5.5, q: 2.2 },
      { type: PEAK, freq: 3100, gain: 3, q: 0.9 },
      { type: HIGHSHELF, freq: 9000, gain: -2, q: 0.707 },
    ];
    const freqs = logFrequencies(200);
    const { total, perBand } = eqResponse(bands, freqs);
    expect(perBand).toHaveLength(4);
    for (let i = 0; i < freqs.length; i++) {
      const sum = bands.reduce((s, b) => s + bandResponseDb(b, freqs[i]), 0);
      expect(Math.abs(total[i] - sum)).toBeLessThan(1e-9);
    }
    // At 420 Hz the cut dominates: within a dB of −5.5 plus the neighbours' small share.
    const at = eqResponse(bands, Float64Array.of(420)).total[0];
    expect(at).toBeLessThan(-4);
    expect(at).toBeGreaterThan(-6.5);
  });

  it("equals the engine Equalizer's own response for every band type", () => {
    const bands: EqBand[] = [
      { type: LOWPASS, freq: 12000, gain: 0, q: 0.707 },
      { type: HIGHPASS, freq: 60, gain: 0, q: 1.2 },
      { type: PEAK, freq: 800, gain: 7, q: 4 },
      { type: HIGHSHELF, freq: 6000, gain: 3.5, q: 0.5 },
      { type: TILT_TYPE, freq: 700, gain: -4, q: 0.707 },
    ];
    const eq = new Equalizer(2, DISPLAY_RATE, bands.length);
    eq.setOn(true);
    bands.forEach((b, i) => eq.setBand(i, b.type, b.freq, b.gain, b.q));
    const freqs = logFrequencies(97);
    const { total } = eqResponse(bands, freqs);
    for (let i = 0; i < freqs.length; i++) expect(Math.abs(total[i] - eq.responseDb(freqs[i]))).toBeLessThan(1e-9);
  });

  it("draws the strip high-pass exactly as the engine's HighPass at 12, 18 and 24 dB/oct", () => {
    expect(HPF_Q_A).toEqual(ENGINE_Q_A);
    expect(HPF_Q_B.slice(1)).toEqual(ENGINE_Q_B.slice(1));
    for (const slope of [0, 1, 2]) {
      const hp = new HighPass(1, DISPLAY_RATE);
      hp.set(true, 120, slope);
      for (const f of [20, 40, 60, 120, 240, 1000, 10000]) {
        expect(Math.abs(hpfResponseDb(true, 120, slope, f) - hp.responseDb(f))).toBeLessThan(1e-9);
      }
      // Butterworth: −3 dB at the cutoff whatever the order.
      expect(hpfResponseDb(true, 120, slope, 120)).toBeCloseTo(-3.01, 1);
      // An octave below the cutoff: about 12, 18, 24 dB down (asymptotically).
      expect(hpfResponseDb(true, 120, slope, 30) - hpfResponseDb(true, 120, slope, 15)).toBeGreaterThan(12 + 6 * slope - 0.6);
    }
    expect(hpfResponseDb(false, 120, 2, 30)).toBe(0);
  });

  it('gain handles exist for peak, shelves and tilt only', () => {
    expect([PEAK, LOWSHELF, HIGHSHELF, LOWPASS, HIGHPASS, TILT_TYPE].map(bandHasGain)).toEqual([true, true, true, false, false, true]);
  });
});

describe('EQ canvas mapping', () => {
  const W = 800;
  const H = 300;

  it('maps 20 Hz..20 kHz onto the width logarithmically', () => {
    expect(freqToX(F_MIN, W)).toBeCloseTo(0, 9);
    expect(freqToX(F_MAX, W)).toBeCloseTo(W, 9);
    // Three decades: 200 Hz a third, 2 kHz two thirds across.
    expect(freqToX(200, W)).toBeCloseTo(W / 3, 9);
    expect(freqToX(2000, W)).toBeCloseTo((2 * W) / 3, 9);
    expect(xToFreq(W / 2, W)).toBeCloseTo(Math.sqrt(20 * 20000), 6);
  });

  it('round-trips pixels and frequency/gain', () => {
    for (let x = 0; x <= W; x += 37.5) expect(freqToX(xToFreq(x, W), W)).toBeCloseTo(x, 9);
    for (const f of [20, 31.5, 100, 440, 1000, 4321, 19999]) expect(xToFreq(freqToX(f, W), W)).toBeCloseTo(f, 6);
    for (const g of [-18, -15, -6.5, 0, 3.25, 15, 18]) expect(yToGain(gainToY(g, H), H)).toBeCloseTo(g, 12);
    expect(gainToY(0, H)).toBe(H / 2);
    expect(gainToY(18, H)).toBe(0);
    expect(gainToY(-18, H)).toBe(H);
  });

  it('a drag gives the handle position back, clamped to the bands range', () => {
    const target = { freq: 2500, gain: -7.5 };
    const d = dragToBand(freqToX(target.freq, W), gainToY(target.gain, H), W, H);
    expect(d.freq).toBeCloseTo(2500, 6);
    expect(d.gain).toBeCloseTo(-7.5, 9);
    const top = dragToBand(-40, -10, W, H);
    expect(top).toEqual({ freq: 20, gain: 15 });
    const bottom = dragToBand(W + 40, H + 10, W, H);
    expect(bottom).toEqual({ freq: 20000, gain: -15 });
  });

  it('a second finger sets Q: 60 px up doubles it, within 0.3..10', () => {
    expect(qFromDrag(1, -60)).toBeCloseTo(2, 9);
    expect(qFromDrag(1, 60)).toBeCloseTo(0.5, 9);
    expect(qFromDrag(4, -600)).toBe(10);
    expect(qFromDrag(0.5, 600)).toBe(0.3);
    expect(qFromDrag(0.707, 0)).toBe(0.707);
  });
});
