/**
 * The built-in demo session: a small band on the built-in synthesised stems (no audio files
 * needed), laid out on a 32-channel console as an engineer would set it up: drums to a group,
 * vocals and music on VCAs, two monitor mixes fed pre-fader, a hall reverb and a tempo delay.
 */
import type { Session, SessionChannel } from './session.js';

export function demoSession(): Session {
  const channels: SessionChannel[] = [
    {
      name: 'Kick',
      color: '#d04040',
      source: { demo: 'kick' },
      hpf: { on: true, freq: 30, slope: 24 },
      gate: { on: true, mode: 'gate', threshold: -35, range: 30, attack: 0.2, hold: 60, release: 120, hysteresis: 4 },
      eq: [
        { type: 'lowshelf', freq: 60, gain: 3, q: 0.7 },
        { type: 'peak', freq: 350, gain: -4, q: 1.4 },
        { type: 'peak', freq: 4000, gain: 3, q: 1.2 },
        { type: 'highshelf', freq: 10000, gain: -2, q: 0.7 },
      ],
      comp: { on: true, threshold: -18, ratio: 4, knee: 6, attack: 8, release: 90, makeup: 2 },
      fader: -4,
      main: false,
      groups: [1],
      vcas: [2],
      sends: [{ bus: 1, level: -3, pre: true }],
    },
    {
      name: 'Snare',
      color: '#d07040',
      source: { demo: 'snare' },
      hpf: { on: true, freq: 90, slope: 18 },
      gate: { on: true, mode: 'gate', threshold: -32, range: 20, attack: 0.3, hold: 40, release: 150, hysteresis: 4 },
      eq: [
        { type: 'lowshelf', freq: 200, gain: 2, q: 0.7 },
        { type: 'peak', freq: 800, gain: -3, q: 2 },
        { type: 'peak', freq: 5000, gain: 2.5, q: 1 },
        { type: 'highshelf', freq: 9000, gain: 1.5, q: 0.7 },
      ],
      comp: { on: true, threshold: -20, ratio: 3, knee: 6, attack: 5, release: 120, makeup: 1 },
      fader: -6,
      main: false,
      groups: [1],
      vcas: [2],
      sends: [{ bus: 1, level: -6, pre: true }],
      fxSends: [{ fx: 1, level: -14, pre: false }],
    },
    {
      name: 'Hats',
      color: '#d0a040',
      source: { demo: 'hats' },
      hpf: { on: true, freq: 300, slope: 24 },
      eq: [
        { type: 'lowshelf', freq: 100, gain: 0, q: 0.7 },
        { type: 'peak', freq: 3000, gain: -2, q: 1.5 },
        { type: 'peak', freq: 2500, gain: 0, q: 0.7 },
        { type: 'highshelf', freq: 10000, gain: 2, q: 0.7 },
      ],
      pan: 30,
      fader: -12,
      main: false,
      groups: [1],
      vcas: [2],
    },
    {
      name: 'Bass',
      color: '#4070d0',
      source: { demo: 'bass' },
      hpf: { on: true, freq: 35, slope: 24 },
      eq: [
        { type: 'lowshelf', freq: 80, gain: 2, q: 0.7 },
        { type: 'peak', freq: 250, gain: -3, q: 1.2 },
        { type: 'peak', freq: 1200, gain: 2, q: 1 },
        { type: 'highshelf', freq: 5000, gain: -3, q: 0.7 },
      ],
      comp: { on: true, threshold: -22, ratio: 4, knee: 8, attack: 15, release: 150, makeup: 3 },
      fader: -6,
      vcas: [2],
      sends: [
        { bus: 1, level: -6, pre: true },
        { bus: 2, level: -12, pre: true },
      ],
    },
    {
      name: 'Pad',
      color: '#40a0a0',
      stereo: true,
      source: { demo: 'pad' },
      hpf: { on: true, freq: 150, slope: 12 },
      eq: [
        { type: 'lowshelf', freq: 200, gain: -2, q: 0.7 },
        { type: 'peak', freq: 600, gain: -2, q: 1 },
        { type: 'peak', freq: 3000, gain: 1, q: 0.8 },
        { type: 'highshelf', freq: 8000, gain: 0, q: 0.7 },
      ],
      fader: -14,
      vcas: [2],
      fxSends: [{ fx: 1, level: -16, pre: false }],
    },
    {
      name: 'Lead',
      color: '#a040d0',
      source: { demo: 'lead' },
      hpf: { on: true, freq: 150, slope: 18 },
      comp: { on: true, threshold: -20, ratio: 2.5, knee: 6, attack: 10, release: 100, makeup: 1 },
      pan: -25,
      fader: -10,
      vcas: [2],
      sends: [{ bus: 2, level: -10, pre: true }],
      fxSends: [
        { fx: 1, level: -18, pre: false },
        { fx: 2, level: -14, pre: false },
      ],
    },
    {
      name: 'Vox',
      color: '#40d070',
      source: { demo: 'vox' },
      hpf: { on: true, freq: 90, slope: 24 },
      gate: { on: true, mode: 'expander', threshold: -45, range: 15, ratio: 2, attack: 1, hold: 80, release: 250, hysteresis: 3 },
      eq: [
        { type: 'lowshelf', freq: 150, gain: -2, q: 0.7 },
        { type: 'peak', freq: 400, gain: -2, q: 1.5 },
        { type: 'peak', freq: 3200, gain: 3, q: 1 },
        { type: 'highshelf', freq: 11000, gain: 2, q: 0.7 },
      ],
      comp: { on: true, threshold: -24, ratio: 3, knee: 6, attack: 5, release: 120, makeup: 3, scHpf: { on: true, freq: 120 } },
      fader: -5,
      vcas: [1],
      sends: [
        { bus: 1, level: -8, pre: true },
        { bus: 2, level: 0, pre: true },
      ],
      fxSends: [
        { fx: 1, level: -12, pre: false },
        { fx: 2, level: -18, pre: false },
      ],
    },
  ];
  // Fill the console to 32 channels: unused inputs, faders down, as on a desk after a reset.
  for (let n = channels.length + 1; n <= 32; n++) channels.push({ name: `Ch ${n}`, fader: -90 });
  return {
    format: 'mixhost-session',
    version: 1,
    name: 'mixhost demo',
    sampleRate: 48000,
    tailSeconds: 2,
    channels,
    buses: [
      { name: 'Drum IEM', fader: 0 },
      { name: 'Vocal wedge', fader: -2 },
    ],
    fx: [
      { type: 'reverb', name: 'Hall', fader: -2, decay: 2.2, predelay: 25, damping: 45 },
      { type: 'delay', name: 'Dotted 8th', fader: -4, sync: true, tempo: 120, division: '1/8.', feedback: 30, highcut: 5000, pingpong: true, time: 375 },
    ],
    groups: [{ name: 'Drums', fader: -2 }],
    vcas: [
      { name: 'Vocals', fader: 0 },
      { name: 'Music', fader: 0 },
    ],
    // A gentle live master for a stream: 4 dB of trim to bring the mix (about −20 LUFS) near the
    // target, glue, a slow leveller toward Spotify's −14 LUFS for the rest, and the limiter at
    // its −1 dBTP ceiling.
    master: {
      fader: 0,
      chain: {
        profile: 'spotify',
        target: -14,
        trim: 4,
        eq: [{ type: 'tilt', freq: 1000, gain: 0.5 }],
        multiband: { on: true, crossoverLow: 120, crossoverHigh: 3000, bands: [{ threshold: -8, ratio: 2 }, { threshold: -8, ratio: 1.8 }, { threshold: -10, ratio: 2 }] },
        width: { amount: 110, bassMono: 120 },
        leveller: { on: true, rate: 0.5, maxBoost: 6, maxCut: 6 },
        limiter: { on: true, ceiling: -1, release: 100 },
      },
    },
    monitor: { level: -6, soloMode: 'afl' },
  };
}
