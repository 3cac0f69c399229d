/**
 * Translation check (monitor path only): how the master would sound on earbuds, a laptop, a
 * phone, in a car or on a club system, plus a mono fold-down. Each preset is data (PRESETS
 * below): a few biquad sections designed with the RBJ cookbook (biquad.ts), a mono flag or a
 * mono-below frequency, and a level trim, each with its reason. The curves are deliberately
 * generic: they show the typical failure of each class of playback system (no bass on a phone,
 * boom in a car, bass that cancels on a mono club rig), not one product.
 *
 * Signal flow of one preset, per sample (L, R in; L', R' out):
 *
 *   mono:           L' = R' = ½(L + R)                     (then the sections, then the trim)
 *   mono below fc:  M = ½(L + R),  S = ½(L − R),  S_hp = HP_fc(S)  (4th-order Butterworth)
 *                   L' = M + S_hp,  R' = M − S_hp           (side removed below fc only)
 *   sections:       H(z) = Π_k H_k(z) on both channels,  then × 10^(trim/20)
 *
 * Fold-down convention: ½(L + R), i.e. −6 dB per channel. A source panned to the centre (L = R)
 * keeps its level exactly, so switching mono on changes only what depends on stereo (phase and
 * width), which is what a mono check is for; fully uncorrelated material drops 3 dB. The other
 * common choice, (L + R)/√2 (−3 dB, equal power for uncorrelated sources), would make every
 * centred vocal and kick 3 dB louder in mono. Most broadcast fold-downs use 0.5·(L + R) too.
 *
 * Trims: the K-weighted loudness (BS.1770 weighting) of pink noise (20 Hz–20 kHz) through the
 * preset's curve equals that of the unfiltered pink noise within ±0.5 dB (a test checks it). The
 * engineer then judges tone, not level: a louder preset would sound "better" for no reason.
 *
 * Changes of preset or mono crossfade linearly over XFADE_MS between two chains: the running one
 * and the new one, started from clear state. Positions are counted in samples, so the output is
 * the same whatever the block size. A change that arrives during a crossfade waits for it to end
 * (at most XFADE_MS) and then fades on from there. 'off' without mono is an exact identity (the
 * block returns without touching the buffers). Biquads run in BiquadCascades of SmoothedBiquad
 * sections (smoothed-biquad.ts), which also flush denormals.
 */
import { type DspBlock } from './block.js';
import { FILTER_TYPES, HIGHPASS, designBiquad, newCoeffs, responseDb } from './biquad.js';
import { BiquadCascade } from './smoothed-biquad.js';
import { TRANSLATION_PRESETS } from '../model/master-params.js';

export { TRANSLATION_PRESETS };
export type TranslationPresetId = (typeof TRANSLATION_PRESETS)[number];

/** Length of the crossfade between presets (and mono on/off). */
export const XFADE_MS = 20;
/** Samples processed per pass through the scratch buffers. */
const CHUNK = 256;

export interface TranslationSection {
  readonly type: 'peak' | 'lowshelf' | 'highshelf' | 'lowpass' | 'highpass';
  readonly freq: number;
  /** Ignored by high- and low-pass sections. */
  readonly gainDb: number;
  readonly q: number;
  readonly why: string;
}

export interface TranslationPreset {
  readonly id: TranslationPresetId;
  readonly sections: readonly TranslationSection[];
  /** Fold the whole signal to mono. */
  readonly mono: boolean;
  /** Fold to mono below this frequency only (0: not at all). */
  readonly monoBelowHz: number;
  readonly monoWhy: string;
  /** Level trim after the sections (dB): loudness match for pink noise. */
  readonly trimDb: number;
  readonly trimWhy: string;
}

/** Q values of a 4th-order Butterworth high-pass as two biquads: 1/(2cos(π/8)), 1/(2cos(3π/8)). */
const BW4_Q1 = 1 / (2 * Math.cos(Math.PI / 8));
const BW4_Q2 = 1 / (2 * Math.cos((3 * Math.PI) / 8));

/** One preset per entry of TRANSLATION_PRESETS, in that order. */
export const PRESETS: readonly TranslationPreset[] = [
  { id: 'off', sections: [], mono: false, monoBelowHz: 0, monoWhy: 'the master as it is', trimDb: 0, trimWhy: 'no change' },
  {
    id: 'earbuds',
    sections: [
      { type: 'highpass', freq: 50, gainDb: 0, q: 0.71, why: 'a loose fit in the ear canal leaks the deep bass: output falls away below about 60 Hz' },
      { type: 'peak', freq: 3000, gainDb: 4, q: 1.2, why: 'presence peak around 2-4 kHz, typical of earbud tuning: harsh vocals and cymbals jump out' },
      { type: 'highshelf', freq: 10000, gainDb: -2, q: 0.71, why: 'small drivers lose some air above 10 kHz' },
    ],
    mono: false,
    monoBelowHz: 0,
    monoWhy: 'two drivers, one per ear: full stereo',
    trimDb: -1,
    trimWhy: 'the presence peak reads louder: -1 dB matches the K-weighted loudness of pink noise',
  },
  {
    id: 'laptop',
    sections: [
      { type: 'highpass', freq: 180, gainDb: 0, q: BW4_Q1, why: 'tiny drivers in a shallow chassis: nothing below about 150-200 Hz (24 dB/oct, first half)' },
      { type: 'highpass', freq: 180, gainDb: 0, q: BW4_Q2, why: 'second half of the 4th-order Butterworth roll-off' },
      { type: 'peak', freq: 1000, gainDb: 3, q: 0.8, why: 'boxy midrange bump of the chassis: honky mids are exaggerated' },
      { type: 'highshelf', freq: 8000, gainDb: -4, q: 0.71, why: 'drivers firing down or sideways lose the top octave' },
    ],
    mono: false,
    monoBelowHz: 0,
    monoWhy: 'two speakers a hand-width apart: narrow, but still stereo',
    trimDb: 0.5,
    trimWhy: 'the mid bump and the lost bass nearly cancel in K-weighted loudness; +0.5 dB matches pink noise',
  },
  {
    id: 'phone',
    sections: [
      { type: 'highpass', freq: 400, gainDb: 0, q: BW4_Q1, why: 'micro-speaker: steep roll-off below about 400 Hz, bass survives only through its harmonics (first half)' },
      { type: 'highpass', freq: 400, gainDb: 0, q: BW4_Q2, why: 'second half of the 4th-order Butterworth roll-off' },
      { type: 'peak', freq: 2000, gainDb: 6, q: 1.5, why: 'resonance of the speaker in its tiny chamber, around 1-3 kHz' },
      { type: 'lowpass', freq: 9000, gainDb: 0, q: 0.71, why: 'the speaker runs out above about 9 kHz' },
    ],
    mono: true,
    monoBelowHz: 0,
    monoWhy: 'one speaker (or two a few centimetres apart): stereo collapses to mono',
    trimDb: 0,
    trimWhy: 'the 2 kHz resonance makes up for the missing bass in K-weighted loudness: no trim needed',
  },
  {
    id: 'car',
    sections: [
      { type: 'highpass', freq: 30, gainDb: 0, q: 0.71, why: 'door woofers reach down to about 30 Hz' },
      { type: 'lowshelf', freq: 80, gainDb: 5, q: 0.71, why: 'cabin gain: a small closed space lifts everything below about 80 Hz by several dB' },
      { type: 'highshelf', freq: 7000, gainDb: -3, q: 0.71, why: 'off-axis tweeters and road noise take the top end down' },
    ],
    mono: false,
    monoBelowHz: 0,
    monoWhy: 'stereo, though every seat sits off-centre',
    trimDb: 0.5,
    trimWhy: 'the cabin gain barely counts in K-weighted loudness, the duller top does: +0.5 dB matches pink noise',
  },
  {
    id: 'club',
    sections: [
      { type: 'highpass', freq: 30, gainDb: 0, q: 0.71, why: 'vented subwoofers and their protection filters stop around 30 Hz' },
      { type: 'lowshelf', freq: 90, gainDb: 5, q: 0.71, why: 'sub emphasis: club systems run the subs several dB above the tops' },
      { type: 'highshelf', freq: 6000, gainDb: -4, q: 0.71, why: 'distance, air absorption and horn tuning take the top off on the dance floor' },
    ],
    mono: false,
    monoBelowHz: 120,
    monoWhy: 'subs are summed to mono: stereo bass below about 120 Hz cancels or wanders',
    trimDb: 0.5,
    trimWhy: 'the duller top outweighs the sub lift in K-weighted loudness: +0.5 dB matches pink noise',
  },
];

if (PRESETS.length !== TRANSLATION_PRESETS.length || PRESETS.some((p, i) => p.id !== TRANSLATION_PRESETS[i])) {
  throw new Error('translation.ts: PRESETS out of step with TRANSLATION_PRESETS');
}

/** Sections in the longest preset (the size of each chain's cascade). */
const MAX_SECTIONS = Math.max(...PRESETS.map((p) => p.sections.length));

/** Index of a preset value from the parameter table; anything out of range or NaN is 'off'. */
function presetIndex(preset: number): number {
  const i = Math.round(preset);
  return i >= 0 && i < PRESETS.length ? i : 0;
}

/** Magnitude (dB) of a preset's curve at `freq`: its sections plus its trim (mono not included). */
export function presetResponseDb(preset: number, freq: number, sampleRate: number): number {
  const p = PRESETS[presetIndex(preset)];
  const c = newCoeffs();
  let db = p.trimDb;
  for (const s of p.sections) {
    designBiquad(c, FILTER_TYPES.indexOf(s.type), s.freq, s.gainDb, s.q, sampleRate);
    db += responseDb(c, freq, sampleRate);
  }
  return db;
}

/** Fold modes of a chain. */
const STEREO = 0;
const MONO = 1;
const MONO_BELOW = 2;

/** One preset's processing: fold, sections, trim, into its own scratch buffers. */
class Chain {
  preset = 0;
  mono = false;
  /** Fold, sections and trim leave the signal exactly as it is. */
  identity = true;
  readonly l = new Float32Array(CHUNK);
  readonly r = new Float32Array(CHUNK);
  private readonly s = new Float32Array(CHUNK);
  private readonly bufs: readonly Float32Array[] = [this.l, this.r];
  private readonly sideBufs: readonly Float32Array[] = [this.s];
  private readonly cascade: BiquadCascade;
  private readonly side: BiquadCascade;
  private fold = STEREO;
  private trim = 1;

  constructor(sampleRate: number) {
    this.cascade = new BiquadCascade(2, sampleRate, MAX_SECTIONS);
    this.side = new BiquadCascade(1, sampleRate, 2);
    this.configure(0, false);
  }

  /** Set up for a preset and mono switch, with clear state (the new settings apply at once). */
  configure(preset: number, mono: boolean): void {
    const p = PRESETS[preset];
    this.preset = preset;
    this.mono = mono;
    this.cascade.reset();
    this.side.reset();
    const secs = this.cascade.sections;
    for (let k = 0; k < secs.length; k++) {
      const s = p.sections[k];
      if (s) secs[k].set(FILTER_TYPES.indexOf(s.type), s.freq, s.gainDb, s.q);
      secs[k].setEnabled(s !== undefined);
    }
    this.fold = mono || p.mono ? MONO : p.monoBelowHz > 0 ? MONO_BELOW : STEREO;
    const hp = this.side.sections;
    const fc = p.monoBelowHz > 0 ? p.monoBelowHz : 100;
    hp[0].set(HIGHPASS, fc, 0, BW4_Q1);
    hp[1].set(HIGHPASS, fc, 0, BW4_Q2);
    hp[0].setEnabled(this.fold === MONO_BELOW);
    hp[1].setEnabled(this.fold === MONO_BELOW);
    this.trim = Math.pow(10, p.trimDb / 20);
    this.identity = this.fold === STEREO && p.sections.length === 0 && this.trim === 1;
  }

  /** Process frames [off, off + n) of `src` (n ≤ CHUNK) into `l` and `r` [0, n). */
  run(src: readonly Float32Array[], off: number, n: number): void {
    const inL = src[0];
    const inR = src[1];
    const l = this.l;
    const r = this.r;
    if (this.fold === MONO) {
      for (let i = 0; i < n; i++) {
        const m = (inL[off + i] + inR[off + i]) * 0.5;
        l[i] = m;
        r[i] = m;
      }
    } else if (this.fold === MONO_BELOW) {
      const s = this.s;
      for (let i = 0; i < n; i++) {
        const a = inL[off + i];
        const b = inR[off + i];
        l[i] = (a + b) * 0.5;
        s[i] = (a - b) * 0.5;
      }
      this.side.process(this.sideBufs, n);
      for (let i = 0; i < n; i++) {
        const m = l[i];
        const d = s[i];
        l[i] = m + d;
        r[i] = m - d;
      }
    } else {
      for (let i = 0; i < n; i++) {
        l[i] = inL[off + i];
        r[i] = inR[off + i];
      }
    }
    this.cascade.process(this.bufs, n);
    const g = this.trim;
    if (g !== 1) {
      for (let i = 0; i < n; i++) {
        l[i] *= g;
        r[i] *= g;
      }
    }
  }

  subnormalStates(): number {
    return this.cascade.subnormalStates() + this.side.subnormalStates();
  }
}

export class TranslationFilter implements DspBlock {
  readonly channels = 2;
  readonly sampleRate: number;
  private cur: Chain;
  private next: Chain;
  private readonly fadeLen: number;
  private readonly invFade: number;
  /** Crossfade position, 0 .. fadeLen, while `fading`. */
  private k = 0;
  private fading = false;
  /** The settings asked for last (reached when no crossfade is under way). */
  private tPreset = 0;
  private tMono = false;
  /** Until a block has been processed after construction or reset, `set` applies at once. */
  private fresh = true;

  constructor(sampleRate: number) {
    this.sampleRate = sampleRate;
    this.cur = new Chain(sampleRate);
    this.next = new Chain(sampleRate);
    this.fadeLen = Math.max(1, Math.round((XFADE_MS * sampleRate) / 1000));
    this.invFade = 1 / this.fadeLen;
  }

  /**
   * `preset` indexes TRANSLATION_PRESETS (0 = off; out of range or NaN is off); `mono` folds the
   * monitor to ½(L + R). Call only when a value changes (a repeat is a comparison).
   */
  set(preset: number, mono: boolean): void {
    const p = presetIndex(preset);
    if (this.fresh) {
      this.tPreset = p;
      this.tMono = mono;
      this.fading = false;
      this.cur.configure(p, mono);
      return;
    }
    if (p === this.tPreset && mono === this.tMono) return;
    this.tPreset = p;
    this.tMono = mono;
    if (!this.fading) this.startFade();
  }

  /** Magnitude (dB) at `freq` of the preset asked for: sections and trim (for drawing). */
  responseDb(freq: number): number {
    return presetResponseDb(this.tPreset, freq, this.sampleRate);
  }

  process(buffers: readonly Float32Array[], frames: number): void {
    this.fresh = false;
    if (!this.fading && this.cur.identity) return;
    const out0 = buffers[0];
    const out1 = buffers[1];
    let off = 0;
    while (off < frames) {
      let n = frames - off;
      if (n > CHUNK) n = CHUNK;
      const a = this.cur;
      if (!this.fading) {
        if (a.identity) return;
        a.run(buffers, off, n);
        const l = a.l;
        const r = a.r;
        for (let i = 0; i < n; i++) {
          out0[off + i] = l[i];
          out1[off + i] = r[i];
        }
        off += n;
        continue;
      }
      const left = this.fadeLen - this.k;
      if (n > left) n = left;
      const b = this.next;
      a.run(buffers, off, n);
      b.run(buffers, off, n);
      const al = a.l;
      const ar = a.r;
      const bl = b.l;
      const br = b.r;
      const inv = this.invFade;
      let k = this.k;
      for (let i = 0; i < n; i++) {
        k++;
        const w = k * inv;
        const x = al[i];
        const y = ar[i];
        out0[off + i] = x + w * (bl[i] - x);
        out1[off + i] = y + w * (br[i] - y);
      }
      this.k = k;
      off += n;
      if (k === this.fadeLen) {
        this.cur = b;
        this.next = a;
        this.fading = false;
        this.startFade();
      }
    }
  }

  reset(): void {
    this.fading = false;
    this.k = 0;
    this.fresh = true;
    this.cur.configure(this.tPreset, this.tMono);
    this.next.configure(0, false);
  }

  subnormalStates(): number {
    return this.cur.subnormalStates() + this.next.subnormalStates();
  }

  /** Begin a crossfade to the settings asked for, unless the running chain has them already. */
  private startFade(): void {
    if (this.cur.preset === this.tPreset && this.cur.mono === this.tMono) return;
    this.next.configure(this.tPreset, this.tMono);
    this.k = 0;
    this.fading = true;
  }
}
