/**
 * Built-in demo material, synthesised in code so the demo session needs no audio files.
 *
 * One musical loop: 120 BPM in 4/4, four bars (8 s) of Am – F – C – G, one chord per bar,
 * repeated for as long as asked. Seven stems:
 * - kick: beats 1 and 3, a sine swept from ~150 Hz down to 48 Hz with a short noise click;
 * - snare: beats 2 and 4, band-passed noise over a two-partial tone body (185 and 330 Hz);
 * - hats: closed hats on every 16th (accented 8ths), an open hat on the last off-beat of a bar;
 * - bass: 8th notes on the chord root (A1 = 55 Hz in bar 1) with octave pickups, band-limited
 *   saw through a resonant low-pass;
 * - pad (stereo): each chord as three detuned band-limited saws per note and side, slow attack;
 * - lead: a short melody, saw plus square through a low-pass, with delayed vibrato;
 * - vox: a voice-like part: a Rosenberg glottal pulse (plus breath noise) through a cascade of
 *   four formant resonators gliding between the vowels /a/, /e/, /o/ and /æ/, its pitch
 *   following a melody with portamento and vibrato.
 *
 * Noise comes from seeded xorshift generators (reseeded for every sound), every drum hit of a
 * kind is the same rendered sample, and one loop is rendered and laid end to end: the output is
 * identical on every call, and a short render is the start of a longer one. Each stem then
 * passes its fixed filter, a 5 Hz DC blocker and a fixed gain that puts its peak between −6 and
 * −3 dBFS: −4.5 dBFS within ±0.4 dB at any rate from 11.025 to 384 kHz (drum sounds are
 * normalised to a unit peak, and noise is scaled with the rate so the spectral balance of a drum
 * does not change with it). 60 s of all seven stems at 48 kHz take about a third of a second.
 *
 * Errors: E_AUDIO_ARG for an unknown stem name, a sample rate that is not a whole number of Hz
 * from 8000 to 384000, or a length that is negative or over an hour.
 */
import { MixhostError } from '../model/registry.js';

export const DEMO_STEMS = ['kick', 'snare', 'hats', 'bass', 'pad', 'lead', 'vox'] as const;
export type DemoStem = (typeof DEMO_STEMS)[number];

export const DEMO_BPM = 120;
const BEAT = 60 / DEMO_BPM; // seconds
const BAR = 4 * BEAT;
const LOOP_BARS = 4;
const LOOP = LOOP_BARS * BAR;

/** The chords, one per bar: bass root and pad voicing as MIDI note numbers. */
export const DEMO_CHORDS = [
  { name: 'Am', root: 33, pad: [57, 60, 64] },
  { name: 'F', root: 29, pad: [53, 57, 60] },
  { name: 'C', root: 36, pad: [55, 60, 64] },
  { name: 'G', root: 31, pad: [55, 59, 62] },
] as const;

/** Lead melody over the loop: [start beat, length in beats, MIDI note]. */
const LEAD: ReadonlyArray<readonly [number, number, number]> = [
  [0, 1.5, 76],
  [1.5, 0.5, 74],
  [2, 2, 72],
  [4, 1, 69],
  [5, 1, 72],
  [6, 2, 77],
  [8, 1.5, 79],
  [9.5, 0.5, 76],
  [10, 2, 72],
  [12, 3, 74],
  [15, 1, 71],
];

type Vowel = 'a' | 'e' | 'o' | 'ae';
/** Formant frequencies and bandwidths (Hz) of adult male vowels (Peterson & Barney; Klatt). */
const VOWELS: Record<Vowel, readonly [number, number, number, number, number, number]> = {
  a: [730, 1090, 2440, 80, 100, 160],
  e: [530, 1840, 2480, 70, 110, 160],
  o: [570, 840, 2410, 70, 90, 160],
  ae: [660, 1720, 2410, 80, 110, 160],
};
const F4 = 3500;
const B4 = 250;

/** Voice part: [start beat, length in beats, MIDI note, vowel]. */
const VOX: ReadonlyArray<readonly [number, number, number, Vowel]> = [
  [0, 2, 52, 'a'],
  [2, 1, 50, 'o'],
  [3, 1, 48, 'e'],
  [4, 3, 45, 'e'],
  [8, 1.5, 48, 'o'],
  [9.5, 0.5, 50, 'a'],
  [10, 2, 52, 'ae'],
  [12, 3.5, 50, 'a'],
];

/** Gains that bring each stem's peak to about −4.5 dBFS (measured on the 48 kHz render). */
const GAIN: Record<DemoStem, number> = {
  kick: 0.614,
  snare: 0.596,
  hats: 0.596,
  bass: 0.4127,
  pad: 0.0956,
  lead: 0.4441,
  vox: 0.0593,
};

const midiHz = (m: number): number => 440 * 2 ** ((m - 69) / 12);

/** xorshift32: a tiny deterministic generator for noise; uniform on [−1, 1). */
class Noise {
  private s: number;
  constructor(seed: number) {
    this.s = seed | 0 || 0x2545f491;
  }
  next(): number {
    let s = this.s;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.s = s;
    return s / 2147483648;
  }
}

/** Second-order section (RBJ cookbook) with its state; `kind` 0 = low-pass, 1 = high-pass, 2 = band-pass. */
class Biquad {
  private b0 = 1;
  private b1 = 0;
  private b2 = 0;
  private a1 = 0;
  private a2 = 0;
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;

  constructor(kind: 0 | 1 | 2, freq: number, q: number, rate: number) {
    const w = (2 * Math.PI * Math.min(freq, rate * 0.45)) / rate;
    const cos = Math.cos(w);
    const alpha = Math.sin(w) / (2 * q);
    const a0 = 1 + alpha;
    if (kind === 0) {
      this.b0 = (1 - cos) / 2 / a0;
      this.b1 = (1 - cos) / a0;
      this.b2 = this.b0;
    } else if (kind === 1) {
      this.b0 = (1 + cos) / 2 / a0;
      this.b1 = -(1 + cos) / a0;
      this.b2 = this.b0;
    } else {
      this.b0 = alpha / a0;
      this.b1 = 0;
      this.b2 = -alpha / a0;
    }
    this.a1 = (-2 * cos) / a0;
    this.a2 = (1 - alpha) / a0;
  }

  run(x: number): number {
    const y = this.b0 * x + this.b1 * this.x1 + this.b2 * this.x2 - this.a1 * this.y1 - this.a2 * this.y2;
    this.x2 = this.x1;
    this.x1 = x;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }

  /** Filter a whole buffer in place. */
  apply(buf: Float32Array): void {
    for (let i = 0; i < buf.length; i++) buf[i] = this.run(buf[i]);
  }
}

/** PolyBLEP correction for a saw/square edge at phase 0 (t in [0, 1), dt = increment). */
function blep(t: number, dt: number): number {
  if (t < dt) {
    const u = t / dt;
    return u + u - u * u - 1;
  }
  if (t > 1 - dt) {
    const u = (t - 1) / dt;
    return u * u + u + u + 1;
  }
  return 0;
}

/**
 * White noise of a given sample variance spreads its power over 0..rate/2, so the part left in a
 * fixed band falls as the rate rises: this factor keeps band-limited noise at the same level.
 */
const noiseScale = (rate: number): number => Math.sqrt(rate / 48000);

/** Add `src` (scaled) into `out` starting at sample `at`, clipped to out's extent. */
function addAt(out: Float32Array, src: Float32Array, at: number, gain: number): void {
  const end = Math.min(out.length, at + src.length);
  for (let i = Math.max(0, at); i < end; i++) out[i] += gain * src[i - at];
}

/** Scale to a peak of 1: a noise burst's peak depends on its random samples, and so on the rate. */
function normalize(buf: Float32Array): Float32Array {
  let p = 0;
  for (let i = 0; i < buf.length; i++) p = Math.max(p, Math.abs(buf[i]));
  if (p > 0) for (let i = 0; i < buf.length; i++) buf[i] /= p;
  return buf;
}

/** Sample index of a time, the same rounding for every stem. */
const at = (seconds: number, rate: number): number => Math.round(seconds * rate);

// ---------------------------------------------------------------------------------------------
// Drums: one rendered sample per sound

function kickSample(rate: number): Float32Array {
  const n = at(0.45, rate);
  const out = new Float32Array(n);
  const noise = new Noise(0x1234567);
  const ns = noiseScale(rate);
  const click = new Biquad(2, 3500, 0.8, rate);
  const dEnv = Math.exp(-1 / (0.14 * rate));
  const dSweep = Math.exp(-1 / (0.028 * rate));
  const dClick = Math.exp(-1 / (0.0015 * rate));
  const fade = at(0.05, rate);
  let env = 1;
  let sweep = 100;
  let clickEnv = 1;
  let phase = 0;
  for (let i = 0; i < n; i++) {
    phase += (2 * Math.PI * (48 + sweep)) / rate;
    let y = Math.sin(phase) * env + 0.6 * clickEnv * click.run(ns * noise.next());
    if (i > n - fade) y *= (n - i) / fade;
    out[i] = y;
    env *= dEnv;
    sweep *= dSweep;
    clickEnv *= dClick;
  }
  return normalize(out);
}

function snareSample(rate: number): Float32Array {
  const n = at(0.3, rate);
  const out = new Float32Array(n);
  const noise = new Noise(0x5eed5);
  const ns = noiseScale(rate);
  const bp = new Biquad(2, 3000, 0.6, rate);
  const dNoise = Math.exp(-1 / (0.065 * rate));
  const dTone = Math.exp(-1 / (0.045 * rate));
  const fade = at(0.04, rate);
  let en = 1;
  let et = 1;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const tone = 0.6 * Math.sin(2 * Math.PI * 185 * t) + 0.35 * Math.sin(2 * Math.PI * 330 * t);
    let y = 1.4 * en * bp.run(ns * noise.next()) + et * tone;
    if (i > n - fade) y *= (n - i) / fade;
    out[i] = y;
    en *= dNoise;
    et *= dTone;
  }
  return normalize(out);
}

function hatSample(rate: number, open: boolean): Float32Array {
  const n = at(open ? 0.25 : 0.07, rate);
  const out = new Float32Array(n);
  const noise = new Noise(open ? 0xbeef : 0xcafe);
  const ns = noiseScale(rate);
  const hp1 = new Biquad(1, 7000, 0.7, rate);
  const hp2 = new Biquad(1, 7000, 0.7, rate);
  const lp = new Biquad(0, 16000, 0.7, rate); // a fixed band, so the level does not depend on the rate
  const d = Math.exp(-1 / ((open ? 0.08 : 0.016) * rate));
  const fade = at(0.01, rate);
  let env = 1;
  for (let i = 0; i < n; i++) {
    let y = env * lp.run(hp2.run(hp1.run(ns * noise.next())));
    if (i > n - fade) y *= (n - i) / fade;
    out[i] = y;
    env *= d;
  }
  return normalize(out);
}

function kick(rate: number, out: Float32Array): void {
  const s = kickSample(rate);
  for (let beat = 0; beat < 4 * LOOP_BARS; beat += 2) addAt(out, s, at(beat * BEAT, rate), 1);
}

function snare(rate: number, out: Float32Array): void {
  const s = snareSample(rate);
  for (let beat = 1; beat < 4 * LOOP_BARS; beat += 2) addAt(out, s, at(beat * BEAT, rate), 1);
}

function hats(rate: number, out: Float32Array): void {
  const closed = hatSample(rate, false);
  const open = hatSample(rate, true);
  const accent = [1, 0.45, 0.7, 0.45];
  for (let step = 0; step < 16 * LOOP_BARS; step++) {
    const openHere = step % 16 === 14; // the "and" of 4
    addAt(out, openHere ? open : closed, at((step * BEAT) / 4, rate), openHere ? 0.8 : accent[step % 4]);
  }
}

// ---------------------------------------------------------------------------------------------
// Tonal parts

/** Band-limited saw (and optional square) note with a linear attack and release, added into out. */
function addNote(
  out: Float32Array,
  rate: number,
  start: number,
  hold: number,
  hz: number,
  o: { attack: number; release: number; gain: number; square?: number; phase?: number; vibrato?: number },
): void {
  const s0 = at(start, rate);
  const nHold = at(hold, rate);
  const nAtt = Math.max(1, at(o.attack, rate));
  const nRel = Math.max(1, at(o.release, rate));
  const end = Math.min(out.length, s0 + nHold + nRel);
  const vibDelay = at(0.25, rate);
  const vibRamp = at(0.3, rate);
  const sq = o.square ?? 0;
  // By default the phase continues that of a free-running oscillator, so repeated notes of one
  // pitch join up coherently (a phase reset per note would smear the pitch).
  let p = o.phase ?? (hz * start) % 1;
  let p2 = (p + 0.5) % 1; // second edge of the square
  for (let i = Math.max(0, s0); i < end; i++) {
    const k = i - s0;
    let f = hz;
    if (o.vibrato && k > vibDelay) {
      const depth = o.vibrato * Math.min(1, (k - vibDelay) / vibRamp);
      f *= 1 + depth * Math.sin((2 * Math.PI * 5.5 * k) / rate);
    }
    const dt = f / rate;
    let y = 2 * p - 1 - blep(p, dt);
    if (sq) {
      // Square as the difference of two saws half a period apart.
      const saw2 = 2 * p2 - 1 - blep(p2, dt);
      y = (1 - sq) * y + sq * (y - saw2);
    }
    const env = k < nAtt ? k / nAtt : k < nHold ? 1 : Math.max(0, 1 - (k - nHold) / nRel);
    out[i] += o.gain * env * y;
    p += dt;
    if (p >= 1) p -= 1;
    p2 += dt;
    if (p2 >= 1) p2 -= 1;
  }
}

function bass(rate: number, out: Float32Array): void {
  for (let bar = 0; bar < LOOP_BARS; bar++) {
    const chord = DEMO_CHORDS[bar];
    for (let e = 0; e < 8; e++) {
      const octave = e === 3 || e === 7 ? 12 : 0;
      addNote(out, rate, bar * BAR + e * (BEAT / 2), 0.19, midiHz(chord.root + octave), { attack: 0.004, release: 0.03, gain: 1 });
    }
  }
}

function pad(rate: number, left: Float32Array, right: Float32Array): void {
  const detune = [
    [-11, 2, 9],
    [-8, -1, 12],
  ];
  const noise = new Noise(0x9ad);
  for (let bar = 0; bar < LOOP_BARS; bar++) {
    for (const note of DEMO_CHORDS[bar].pad) {
      for (let side = 0; side < 2; side++) {
        for (const cents of detune[side]) {
          const phase = (noise.next() + 1) / 2; // fixed per voice: the generator is seeded
          addNote(side ? right : left, rate, bar * BAR, BAR, midiHz(note) * 2 ** (cents / 1200), { attack: 0.6, release: 0.7, gain: 1, phase });
        }
      }
    }
  }
}

function lead(rate: number, out: Float32Array): void {
  for (const [b, len, m] of LEAD) {
    addNote(out, rate, b * BEAT, len * BEAT - 0.04, midiHz(m), { attack: 0.01, release: 0.08, gain: 1, square: 0.4, vibrato: 0.012 });
  }
}

/** The note of the voice part sounding at loop position `beat`, or -1. */
function voxNoteAt(beat: number): number {
  for (let i = 0; i < VOX.length; i++) if (beat >= VOX[i][0] && beat < VOX[i][0] + VOX[i][1]) return i;
  return -1;
}

/** Klatt resonator coefficients for one formant, written into c at offset o: [A, B, C]. */
function resonator(c: Float64Array, o: number, f: number, bw: number, rate: number): void {
  const r = Math.exp((-Math.PI * bw) / rate);
  const cc = -r * r;
  const bb = 2 * r * Math.cos((2 * Math.PI * f) / rate);
  c[o] = 1 - bb - cc; // unity gain at DC
  c[o + 1] = bb;
  c[o + 2] = cc;
}

function vox(rate: number, out: Float32Array): void {
  const SUB = 32; // coefficient update interval (samples)
  const noise = new Noise(0x70c);
  const coef = new Float64Array(12);
  const state = new Float64Array(8); // y1, y2 per resonator
  const form = Float64Array.from(VOWELS.a); // current formants and bandwidths, gliding to targets
  const glideF = 1 - Math.exp(-SUB / (0.06 * rate)); // formant glide per sub-block
  const glideP = 1 - Math.exp(-SUB / (0.035 * rate)); // portamento per sub-block
  const att = 1 - Math.exp(-SUB / (0.03 * rate));
  const rel = 1 - Math.exp(-SUB / (0.05 * rate));
  let semis = VOX[0][2];
  let amp = 0;
  let phase = 0;
  let prevFlow = 0;
  let noteStart = 0;
  let lastNote = -1;
  for (let s0 = 0; s0 < out.length; s0 += SUB) {
    const t = s0 / rate;
    const beat = t / BEAT;
    const ni = voxNoteAt(beat); // -1 in the tail after the loop
    const gate = ni >= 0 && beat < VOX[ni][0] + VOX[ni][1] - 0.15; // a short breath before the next note
    if (ni >= 0 && ni !== lastNote) {
      noteStart = t;
      lastNote = ni;
    }
    if (ni >= 0) {
      semis += glideP * (VOX[ni][2] - semis);
      const target = VOWELS[VOX[ni][3]];
      for (let k = 0; k < 6; k++) form[k] += glideF * (target[k] - form[k]);
    }
    amp += (gate ? att : rel) * ((gate ? 1 : 0) - amp);
    // Vibrato of ±30 cents at 5 Hz, fading in after 0.2 s of a note.
    const since = t - noteStart;
    const vib = 0.3 * Math.min(1, Math.max(0, (since - 0.2) / 0.3)) * Math.sin(2 * Math.PI * 5 * since);
    const dt = midiHz(semis + vib) / rate;
    for (let k = 0; k < 3; k++) resonator(coef, 3 * k, form[k], form[k + 3], rate);
    resonator(coef, 9, F4, B4, rate);
    const end = Math.min(out.length, s0 + SUB);
    for (let i = s0; i < end; i++) {
      // Rosenberg glottal flow: opening over 40 % of the period, closing over 16 %.
      let flow = 0;
      if (phase < 0.4) flow = 0.5 * (1 - Math.cos((Math.PI * phase) / 0.4));
      else if (phase < 0.56) flow = Math.cos((Math.PI * (phase - 0.4)) / 0.32);
      // Lip radiation differentiates the flow; breath noise rides on the open phase.
      let x = amp * ((flow - prevFlow) * rate * 0.002 + 0.04 * flow * noise.next());
      prevFlow = flow;
      for (let k = 0; k < 4; k++) {
        const y = coef[3 * k] * x + coef[3 * k + 1] * state[2 * k] + coef[3 * k + 2] * state[2 * k + 1];
        state[2 * k + 1] = state[2 * k];
        state[2 * k] = y;
        x = y;
      }
      out[i] = x;
      phase += dt;
      if (phase >= 1) phase -= 1;
    }
  }
}

// ---------------------------------------------------------------------------------------------

/** Remove DC with a one-pole high-pass at 5 Hz and apply the stem's gain. */
function finish(buf: Float32Array, rate: number, gain: number): void {
  const r = Math.exp((-2 * Math.PI * 5) / rate);
  let x1 = 0;
  let y1 = 0;
  for (let i = 0; i < buf.length; i++) {
    const x = buf[i];
    y1 = x - x1 + r * y1;
    x1 = x;
    buf[i] = gain * y1;
  }
}

/** How each stem renders one loop (plus a release tail), and the fixed filter it then passes. */
const RENDER: Record<DemoStem, { tail: number; channels: number; loop: (rate: number, out: Float32Array[]) => void; lowpass?: [number, number] }> = {
  kick: { tail: 0.5, channels: 1, loop: (r, o) => kick(r, o[0]) },
  snare: { tail: 0.5, channels: 1, loop: (r, o) => snare(r, o[0]) },
  hats: { tail: 0.5, channels: 1, loop: (r, o) => hats(r, o[0]) },
  bass: { tail: 0.2, channels: 1, loop: (r, o) => bass(r, o[0]), lowpass: [420, 1.1] },
  pad: { tail: 0.8, channels: 2, loop: (r, o) => pad(r, o[0], o[1]), lowpass: [2200, 0.6] },
  lead: { tail: 0.2, channels: 1, loop: (r, o) => lead(r, o[0]), lowpass: [3200, 0.7] },
  vox: { tail: 0.5, channels: 1, loop: (r, o) => vox(r, o[0]) },
};

/**
 * Render a demo stem: `seconds` of it at `sampleRate` (a whole number of Hz). Returns one
 * channel, or two for 'pad'. The output is the same on every call.
 */
export function synthDemoStem(name: DemoStem, sampleRate: number, seconds: number): Float32Array[] {
  if (!(DEMO_STEMS as readonly string[]).includes(name)) {
    throw new MixhostError('E_AUDIO_ARG', `unknown demo stem '${String(name)}' (known: ${DEMO_STEMS.join(', ')})`);
  }
  if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 384000) {
    throw new MixhostError('E_AUDIO_ARG', `demo stem '${name}': unsupported sample rate ${sampleRate} Hz (a whole number from 8000 to 384000)`);
  }
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) {
    throw new MixhostError('E_AUDIO_ARG', `demo stem '${name}': length ${seconds} s is out of range (0 to 3600 s)`);
  }
  const spec = RENDER[name];
  const frames = Math.round(seconds * sampleRate);
  // The music repeats every loop, so one loop is rendered and laid end to end (a loop is a
  // whole number of samples at a whole-number rate, so every note lands on the same sample as
  // if each had been rendered in place). The tail carries releases into the next loop.
  const loopN = LOOP * sampleRate;
  const one: Float32Array[] = [];
  for (let c = 0; c < spec.channels; c++) one.push(new Float32Array(loopN + at(spec.tail, sampleRate)));
  spec.loop(sampleRate, one);
  const out: Float32Array[] = [];
  for (let c = 0; c < spec.channels; c++) {
    const buf = new Float32Array(frames);
    for (let start = 0; start < frames; start += loopN) addAt(buf, one[c], start, 1);
    if (spec.lowpass) new Biquad(0, spec.lowpass[0], spec.lowpass[1], sampleRate).apply(buf);
    finish(buf, sampleRate, GAIN[name]);
    out.push(buf);
  }
  return out;
}
