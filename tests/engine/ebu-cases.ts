/**
 * Signal generators for the EBU Tech 3341 / 3342 loudness test cases, synthesised from their
 * written descriptions (the EBU WAV set may not be redistributed). Signals are streamed into a
 * meter in chunks, so long cases need no large arrays.
 */
import { LoudnessMeter } from '../../src/engine/loudness.js';

/** A stretch of signal: duration in seconds and per-channel peak level in dBFS (null = silence). */
export type Segment = readonly [durationS: number, levelsDbfs: readonly (number | null)[]];

export interface FeedOptions {
  freq?: number;
  chunk?: number;
  /** Called after every chunk (for polling live values). */
  onChunk?: (meter: LoudnessMeter, endFrame: number) => void;
}

/**
 * Stream a 1 kHz (by default) sine, in phase on every channel, phase-continuous across segments
 * (the phase follows the absolute sample index), with a level per channel per segment.
 * Returns the number of frames fed.
 */
export function feedSegments(meter: LoudnessMeter, segments: readonly Segment[], opts: FeedOptions = {}): number {
  const fs = meter.sampleRate;
  const freq = opts.freq ?? 1000;
  const chunk = opts.chunk ?? Math.round(fs / 100);
  const nch = meter.channels;
  const bufs: Float32Array[] = [];
  for (let c = 0; c < nch; c++) bufs.push(new Float32Array(chunk));
  let n0 = 0;
  for (const [dur, levels] of segments) {
    const len = Math.round(dur * fs);
    const amps = levels.map((l) => (l === null ? 0 : Math.pow(10, l / 20)));
    let done = 0;
    while (done < len) {
      const n = Math.min(chunk, len - done);
      for (let i = 0; i < n; i++) {
        const s = Math.sin((2 * Math.PI * freq * (n0 + done + i)) / fs);
        for (let c = 0; c < nch; c++) bufs[c][i] = amps[c] * s;
      }
      meter.process(bufs, n);
      done += n;
      opts.onChunk?.(meter, n0 + done);
    }
    n0 += len;
  }
  return n0;
}

/** Same level on every channel. */
export function seg(durationS: number, dbfs: number | null, channels = 2): Segment {
  return [durationS, new Array<number | null>(channels).fill(dbfs)];
}

/** Feed whole arrays (one per channel) in blocks of `block` frames. */
export function feedArrays(meter: LoudnessMeter, chans: readonly Float32Array[], block: number): void {
  const len = chans[0].length;
  const views: Float32Array[] = chans.map(() => new Float32Array(block));
  for (let i = 0; i < len; i += block) {
    const n = Math.min(block, len - i);
    for (let c = 0; c < chans.length; c++) views[c].set(chans[c].subarray(i, i + n));
    meter.process(views, n);
  }
}

/**
 * Tech 3341 cases 15–19: sine at `fs·ratio`, peak `amp` (fraction of full scale), start phase
 * in degrees, 10 ms linear fade in and out, 2 s long.
 */
export function tpSine(fs: number, ratio: number, amp: number, phaseDeg: number, lengthS = 2): Float32Array {
  const len = Math.round(lengthS * fs);
  const fade = Math.round(0.01 * fs);
  const out = new Float32Array(len);
  const ph = (phaseDeg * Math.PI) / 180;
  for (let n = 0; n < len; n++) {
    let g = amp;
    if (n < fade) g *= n / fade;
    else if (n >= len - fade) g *= (len - 1 - n) / fade;
    out[n] = g * Math.sin(2 * Math.PI * ratio * n + ph);
  }
  return out;
}

/**
 * Tech 3341 cases 20–23: an fs/6 tone at 0.5 FFS holding one phase-continuous period of fs/4
 * at 1.0 FFS, built at 4·fs, low-passed (1023-tap Hamming-windowed sinc, cutoff 0.98·fs/2 of
 * the final rate, unity DC gain, as scipy firwin(1023, 0.98/4)) and decimated by 4 at `offset`.
 */
export function tpBurst(offset: number, periodsBefore = 400, periodsAfter = 400): Float32Array {
  const hi: number[] = [];
  let phase = 0;
  const push = (samplesPerPeriod: number, periods: number, amp: number): void => {
    const n = samplesPerPeriod * periods;
    for (let i = 0; i < n; i++) {
      hi.push(amp * Math.sin(phase));
      phase += (2 * Math.PI) / samplesPerPeriod;
    }
  };
  push(24, periodsBefore, 0.5); // fs/6 at 4·fs
  push(16, 1, 1.0); // one period of fs/4
  push(24, periodsAfter, 0.5);
  const taps = 1023;
  const mid = (taps - 1) / 2;
  const fc = 0.98 / 4; // of the 4·fs Nyquist
  const h = new Float64Array(taps);
  let dc = 0;
  for (let i = 0; i < taps; i++) {
    const t = i - mid;
    const s = t === 0 ? fc : Math.sin(Math.PI * fc * t) / (Math.PI * t);
    const w = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (taps - 1));
    h[i] = s * w;
    dc += h[i];
  }
  for (let i = 0; i < taps; i++) h[i] /= dc;
  const outLen = Math.floor((hi.length - offset) / 4);
  const out = new Float32Array(outLen);
  for (let k = 0; k < outLen; k++) {
    const n = 4 * k + offset; // centred ("same") convolution
    let acc = 0;
    for (let i = 0; i < taps; i++) {
      const j = n + mid - i;
      if (j >= 0 && j < hi.length) acc += h[i] * hi[j];
    }
    out[k] = acc;
  }
  return out;
}

export function peakDb(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return 20 * Math.log10(m);
}
