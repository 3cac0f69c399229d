import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEMO_STEMS, synthDemoStem, type DemoStem } from '../../src/audio/demo-stems.js';
import { MixhostError } from '../../src/model/registry.js';

const db = (x: number): number => 20 * Math.log10(x);

function peak(chs: Float32Array[]): number {
  let p = 0;
  for (const c of chs) for (let i = 0; i < c.length; i++) p = Math.max(p, Math.abs(c[i]));
  return p;
}

function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/** Power of the component at f (Hz) in the windowed frame (Goertzel). */
function goertzel(frame: Float64Array, f: number, rate: number): number {
  const c = 2 * Math.cos((2 * Math.PI * f) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < frame.length; i++) {
    const s0 = frame[i] + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - c * s1 * s2;
}

function windowed(x: Float32Array, a: number, n: number): Float64Array {
  const w = hann(n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = w[i] * x[a + i];
  return out;
}

/** Strongest frequency between lo and hi Hz (0.25 Hz steps) over x[a..b). */
function strongest(x: Float32Array, rate: number, a: number, b: number, lo: number, hi: number): number {
  const frame = windowed(x, a, b - a);
  let best = lo;
  let bestPower = -1;
  for (let f = lo; f <= hi; f += 0.25) {
    const p = goertzel(frame, f, rate);
    if (p > bestPower) {
      bestPower = p;
      best = f;
    }
  }
  return best;
}

/**
 * Spectral envelope sampled at the harmonics of f0 between t0 and t1 seconds: the Welch power
 * (4096-point Hann frames, half overlap) of the strongest bin within half a harmonic spacing of
 * k·f0, in dB, up to 3 kHz.
 */
function harmonicEnvelope(x: Float32Array, rate: number, t0: number, t1: number, f0: number): Array<{ f: number; db: number }> {
  const N = 4096;
  const df = rate / N;
  const bins = Math.ceil(3000 / df) + 1;
  const psd = new Float64Array(bins);
  const a = Math.round(t0 * rate);
  const b = Math.round(t1 * rate);
  for (let s = a; s + N <= b; s += N / 2) {
    const frame = windowed(x, s, N);
    for (let k = 1; k < bins; k++) psd[k] += goertzel(frame, k * df, rate);
  }
  const env: Array<{ f: number; db: number }> = [];
  for (let k = 1; (k + 0.5) * f0 < 3000; k++) {
    let m = 0;
    for (let j = Math.ceil(((k - 0.5) * f0) / df); j <= Math.floor(((k + 0.5) * f0) / df); j++) m = Math.max(m, psd[j]);
    env.push({ f: k * f0, db: 10 * Math.log10(m) });
  }
  return env;
}

/**
 * F1 and F2: the strongest local maximum of the envelope in 300–900 Hz, and the strongest one
 * above it in 800–2500 Hz, both standing at least 6 dB above the lowest point between them;
 * null when there is no such pair.
 */
function formants(env: Array<{ f: number; db: number }>): { f1: number; f2: number } | null {
  const maxima: number[] = [];
  for (let k = 1; k < env.length - 1; k++) if (env[k].db > env[k - 1].db && env[k].db >= env[k + 1].db) maxima.push(k);
  const strongestIn = (lo: number, hi: number, after: number): number => {
    let best = -1;
    for (const k of maxima) if (k > after && env[k].f >= lo && env[k].f <= hi && (best < 0 || env[k].db > env[best].db)) best = k;
    return best;
  };
  const i = strongestIn(300, 900, -1);
  if (i < 0) return null;
  const j = strongestIn(800, 2500, i);
  if (j < 0) return null;
  let dip = Infinity;
  for (let k = i + 1; k < j; k++) dip = Math.min(dip, env[k].db);
  return env[i].db - dip >= 6 && env[j].db - dip >= 6 ? { f1: env[i].f, f2: env[j].f } : null;
}

/** First sample in [from, to) whose magnitude exceeds `threshold`, as seconds, or -1. */
function onset(x: Float32Array, rate: number, from: number, to: number, threshold: number): number {
  for (let i = Math.max(0, Math.round(from * rate)); i < Math.min(x.length, Math.round(to * rate)); i++) if (Math.abs(x[i]) > threshold) return i / rate;
  return -1;
}

describe('demo stems', () => {
  it('are deterministic: the same samples on every call, pinned by a hash', () => {
    const hash = createHash('sha256');
    for (const name of DEMO_STEMS) {
      const a = synthDemoStem(name, 48000, 8);
      const b = synthDemoStem(name, 48000, 8);
      expect(a.length).toBe(b.length);
      for (let c = 0; c < a.length; c++) expect(Buffer.from(a[c].buffer).equals(Buffer.from(b[c].buffer)), name).toBe(true);
      // Hash 16-bit values: robust to a last-bit difference in a math library, not to a change.
      for (const ch of a) hash.update(Int16Array.from(ch, (v) => Math.round(v * 32767)));
    }
    expect(hash.digest('hex').slice(0, 16)).toBe('a02c55d9dfece819');
  });

  it('a short render is the start of a longer one', () => {
    for (const name of DEMO_STEMS) {
      const short = synthDemoStem(name, 44100, 3.3);
      const long = synthDemoStem(name, 44100, 9);
      for (let c = 0; c < short.length; c++) expect(Buffer.from(short[c].buffer).equals(Buffer.from(long[c].buffer, 0, short[c].byteLength)), name).toBe(true);
    }
  });

  it('have the right shape: one channel, two for the pad (and its sides differ)', () => {
    for (const name of DEMO_STEMS) {
      const s = synthDemoStem(name, 48000, 1.5);
      expect(s.length, name).toBe(name === 'pad' ? 2 : 1);
      for (const c of s) expect(c.length).toBe(72000);
    }
    const [l, r] = synthDemoStem('pad', 48000, 4);
    let diff = 0;
    for (let i = 0; i < l.length; i++) diff += (l[i] - r[i]) ** 2;
    expect(Math.sqrt(diff / l.length)).toBeGreaterThan(0.01);
    expect(synthDemoStem('kick', 48000, 0)[0].length).toBe(0);
  });

  it('kick on beats 1 and 3, snare on 2 and 4 at 120 BPM, at the sample rate asked for (±1 ms)', () => {
    for (const rate of [44100, 48000, 96000]) {
      const [k] = synthDemoStem('kick', rate, 9);
      const [s] = synthDemoStem('snare', rate, 9);
      for (const t of [0, 1, 2, 3, 4, 7, 8]) expect(Math.abs(onset(k, rate, t - 0.05, t + 0.05, 0.05) - t), `kick ${t} s at ${rate}`).toBeLessThanOrEqual(0.001);
      for (const t of [0.5, 1.5, 2.5, 3.5, 8.5]) expect(Math.abs(onset(s, rate, t - 0.05, t + 0.05, 0.05) - t), `snare ${t} s at ${rate}`).toBeLessThanOrEqual(0.001);
      // Nothing between the hits.
      expect(onset(k, rate, 0.6, 0.99, 0.01)).toBe(-1);
      expect(onset(s, rate, 0.85, 1.49, 0.01)).toBe(-1);
    }
  });

  it('peak levels lie between −6 and −3 dBFS from 22.05 to 192 kHz', () => {
    for (const rate of [22050, 44100, 48000, 96000, 192000]) {
      for (const name of DEMO_STEMS) {
        const p = db(peak(synthDemoStem(name, rate, 9)));
        expect(p, `${name} at ${rate}`).toBeGreaterThanOrEqual(-6);
        expect(p, `${name} at ${rate}`).toBeLessThanOrEqual(-3);
      }
    }
  });

  it('60 s at 48 kHz: levels in range, every sample finite, no DC (|mean| < 1e-3)', () => {
    for (const name of DEMO_STEMS) {
      const chs = synthDemoStem(name, 48000, 60);
      const p = db(peak(chs));
      expect(p, name).toBeGreaterThanOrEqual(-6);
      expect(p, name).toBeLessThanOrEqual(-3);
      for (const c of chs) {
        let sum = 0;
        let finite = true;
        for (let i = 0; i < c.length; i++) {
          sum += c[i];
          if (!Number.isFinite(c[i])) finite = false;
        }
        expect(finite, name).toBe(true);
        expect(Math.abs(sum / c.length), name).toBeLessThan(1e-3);
      }
    }
  });

  it('the bass plays the chord roots: A1 55 Hz, F1 43.65, C2 65.41, G1 49.00 (±0.5 Hz)', () => {
    const rate = 44100;
    const [b] = synthDemoStem('bass', rate, 8);
    const roots = [55, 43.654, 65.406, 48.999];
    roots.forEach((f, bar) => {
      const found = strongest(b, rate, bar * 2 * rate, (bar + 1) * 2 * rate, 30, 80);
      expect(Math.abs(found - f), `bar ${bar + 1}`).toBeLessThanOrEqual(0.5);
    });
  });

  it('the voice-like part has formant peaks (F1 in 300–900 Hz, F2 in 800–2500 Hz) that move with the vowel', () => {
    const rate = 48000;
    const [v] = synthDemoStem('vox', rate, 8);
    // Bar 2: A2 (110 Hz) on /e/; bar 3, beats 3–4: E3 (164.8 Hz) on /æ/; bar 4: D3 (146.8 Hz) on /a/.
    const e = formants(harmonicEnvelope(v, rate, 2.3, 3.3, 110));
    const ae = formants(harmonicEnvelope(v, rate, 5.2, 5.9, 164.81));
    expect(e).not.toBeNull();
    expect(ae).not.toBeNull();
    // Peterson & Barney: /e/ F1 530, F2 1840; /æ/ F1 660, F2 1720 (within a harmonic spacing).
    expect(Math.abs(e!.f1 - 530)).toBeLessThanOrEqual(110);
    expect(Math.abs(e!.f2 - 1840)).toBeLessThanOrEqual(110);
    expect(Math.abs(ae!.f1 - 660)).toBeLessThanOrEqual(165);
    expect(Math.abs(ae!.f2 - 1720)).toBeLessThanOrEqual(165);
    // /a/ opens the jaw: its first formant peak sits well above that of /e/.
    const a = harmonicEnvelope(v, rate, 6.3, 7.3, 146.83).filter((h) => h.f >= 300 && h.f <= 900);
    const f1a = a.reduce((m, h) => (h.db > m.db ? h : m)).f;
    expect(f1a).toBeGreaterThanOrEqual(e!.f1 + 100);
  });

  it('the formant detector finds nothing in a source without formants (a band-limited pulse train)', () => {
    const rate = 48000;
    const x = new Float32Array(rate);
    for (let k = 1; k * 110 < 20000; k++) for (let i = 0; i < rate; i++) x[i] += Math.sin((2 * Math.PI * k * 110 * i) / rate) / k;
    expect(formants(harmonicEnvelope(x, rate, 0, 1, 110))).toBeNull();
  });

  it('reject an unknown stem, a bad sample rate or length with E_AUDIO_ARG', () => {
    const bad: Array<[string, number, number]> = [
      ['drums', 48000, 1],
      ['kick', 0, 1],
      ['kick', 44100.5, 1],
      ['kick', 48000, -1],
      ['kick', 48000, Number.NaN],
    ];
    for (const [name, rate, secs] of bad) {
      let err: unknown;
      try {
        synthDemoStem(name as DemoStem, rate, secs);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MixhostError);
      expect((err as MixhostError).code).toBe('E_AUDIO_ARG');
    }
  });
});
