/**
 * Long-term tonal balance of a programme, for matching the songs of an album.
 *
 * The signal (L and R summed as energies) is split by octave band-pass filters (RBJ band-pass,
 * constant 0 dB peak, Q = √2, one octave wide) centred at 63 Hz … 16 kHz. Each band's mean
 * square is taken over the programme's loud part only: 400 ms blocks whose broadband mean
 * square is within 20 dB of the loudest blocks' mean (silence, fades and count-ins would tilt the
 * balance toward noise). `shapeDb()` gives the band levels relative to their power sum, so two
 * programmes at different loudness but the same balance have the same shape.
 *
 * `matchEq(shape, reference)` turns the deviation from a reference shape into three gentle
 * corrections (low shelf, presence peak, high shelf) relative to the low mids, half the deviation,
 * clamped, as a mastering
 * engineer would move a track toward the album's balance without remaking it.
 */
import { designBiquad, newCoeffs } from './biquad.js';

export const BAND_CENTRES_HZ: readonly number[] = [63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000];
const BAND_Q = Math.SQRT2;
const BLOCK_S = 0.4;
const GATE_DB = 20;

/** Corrections of the album match EQ: type (filter type index), frequency, gain, Q. */
export interface MatchBand {
  readonly type: 'lowshelf' | 'peak' | 'highshelf';
  readonly freq: number;
  readonly gainDb: number;
  readonly q: number;
}

export class TonalBalance {
  private readonly coeffs: Float64Array[];
  private readonly state: Float64Array;
  private readonly blockLen: number;
  private readonly bands: number;
  /** Energy per band in the current block, and the block's broadband energy. */
  private readonly cur: Float64Array;
  private curTotal = 0;
  private pos = 0;
  /** Per block: broadband energy, then the band energies. */
  private blocks: Float64Array;
  private nBlocks = 0;

  constructor(readonly sampleRate: number) {
    this.bands = BAND_CENTRES_HZ.filter((f) => f < sampleRate * 0.45).length;
    this.coeffs = BAND_CENTRES_HZ.slice(0, this.bands).map((f) => {
      const c = newCoeffs();
      designBandpass(c, f, BAND_Q, sampleRate);
      return c;
    });
    this.state = new Float64Array(this.bands * 2 * 2);
    this.blockLen = Math.round(BLOCK_S * sampleRate);
    this.cur = new Float64Array(this.bands);
    this.blocks = new Float64Array((this.bands + 1) * 1024);
  }

  /** Analyse `n` frames of one or two channels. */
  process(channels: readonly Float32Array[], n: number): void {
    let i = 0;
    while (i < n) {
      const k = Math.min(n - i, this.blockLen - this.pos);
      for (let c = 0; c < channels.length && c < 2; c++) {
        const x = channels[c];
        let tot = 0;
        for (let j = i; j < i + k; j++) tot += x[j] * x[j];
        this.curTotal += tot;
        for (let b = 0; b < this.bands; b++) this.cur[b] += this.filter(b, c, x, i, k);
      }
      i += k;
      this.pos += k;
      if (this.pos === this.blockLen) this.endBlock();
    }
  }

  private filter(b: number, c: number, x: Float32Array, start: number, n: number): number {
    const q = this.coeffs[b];
    const b0 = q[0], b1 = q[1], b2 = q[2], a1 = q[3], a2 = q[4];
    const o = (b * 2 + c) * 2;
    let s1 = this.state[o];
    let s2 = this.state[o + 1];
    let e = 0;
    for (let i = start; i < start + n; i++) {
      const v = x[i];
      const y = b0 * v + s1;
      s1 = b1 * v - a1 * y + s2;
      s2 = b2 * v - a2 * y;
      e += y * y;
    }
    this.state[o] = s1 + 1e-30 - 1e-30;
    this.state[o + 1] = s2 + 1e-30 - 1e-30;
    return e;
  }

  private endBlock(): void {
    const w = this.bands + 1;
    if ((this.nBlocks + 1) * w > this.blocks.length) {
      const g = new Float64Array(this.blocks.length * 2);
      g.set(this.blocks);
      this.blocks = g;
    }
    const o = this.nBlocks * w;
    this.blocks[o] = this.curTotal;
    for (let b = 0; b < this.bands; b++) this.blocks[o + 1 + b] = this.cur[b];
    this.nBlocks++;
    this.cur.fill(0);
    this.curTotal = 0;
    this.pos = 0;
  }

  /** Band levels (dB) relative to their sum, over the loud blocks; empty when silent. */
  shapeDb(): number[] {
    const w = this.bands + 1;
    let sum = 0;
    let cnt = 0;
    for (let j = 0; j < this.nBlocks; j++) {
      if (this.blocks[j * w] > 0) {
        sum += this.blocks[j * w];
        cnt++;
      }
    }
    if (cnt === 0) return [];
    const gate = (sum / cnt) * Math.pow(10, -GATE_DB / 10);
    const acc = new Float64Array(this.bands);
    for (let j = 0; j < this.nBlocks; j++) {
      if (this.blocks[j * w] < gate) continue;
      for (let b = 0; b < this.bands; b++) acc[b] += this.blocks[j * w + 1 + b];
    }
    let total = 0;
    for (const v of acc) total += v;
    if (!(total > 0)) return [];
    return Array.from(acc, (v) => 10 * Math.log10(Math.max(v, total * 1e-12) / total));
  }
}

/** RBJ band-pass with a constant 0 dB peak at `freq`. */
function designBandpass(out: Float64Array, freq: number, q: number, sampleRate: number): void {
  const w0 = (2 * Math.PI * freq) / sampleRate;
  const alpha = Math.sin(w0) / (2 * q);
  const a0 = 1 + alpha;
  out[0] = alpha / a0;
  out[1] = 0;
  out[2] = -alpha / a0;
  out[3] = (-2 * Math.cos(w0)) / a0;
  out[4] = (1 - alpha) / a0;
}

/** Mean of several shapes (dB), band by band. */
export function meanShape(shapes: readonly number[][]): number[] {
  const ok = shapes.filter((s) => s.length > 0);
  if (ok.length === 0) return [];
  const n = Math.min(...ok.map((s) => s.length));
  return Array.from({ length: n }, (_, b) => ok.reduce((a, s) => a + s[b], 0) / ok.length);
}

/** RMS of the band differences (dB) between a shape and a reference. */
export function shapeDistanceDb(shape: readonly number[], ref: readonly number[]): number {
  const n = Math.min(shape.length, ref.length);
  if (n === 0) return 0;
  let e = 0;
  for (let b = 0; b < n; b++) e += (shape[b] - ref[b]) ** 2;
  return Math.sqrt(e / n);
}

/** Half of the deviation, in three broad moves, each clamped to ±limitDb. */
export function matchEq(shape: readonly number[], ref: readonly number[], limitDb = 3): MatchBand[] {
  if (shape.length === 0 || ref.length === 0) return [];
  const d = (lo: number, hi: number): number => {
    let s = 0;
    let c = 0;
    BAND_CENTRES_HZ.forEach((f, b) => {
      if (f >= lo && f <= hi && b < shape.length && b < ref.length) {
        s += ref[b] - shape[b];
        c++;
      }
    });
    return c > 0 ? s / c : 0;
  };
  // Deviations are taken relative to the low mids (250 Hz - 1 kHz), which stay put: a track
  // with more bass reads lower everywhere else once normalised to its total.
  const anchor = d(250, 1000);
  const clamp = (v: number): number => Math.round(Math.max(-limitDb, Math.min(limitDb, (v - anchor) / 2)) * 100) / 100;
  return [
    { type: 'lowshelf', freq: 120, gainDb: clamp(d(63, 125)), q: 0.707 },
    { type: 'peak', freq: 2500, gainDb: clamp(d(2000, 4000)), q: 0.7 },
    { type: 'highshelf', freq: 8000, gainDb: clamp(d(8000, 16000)), q: 0.707 },
  ];
}
