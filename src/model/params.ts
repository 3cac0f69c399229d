/**
 * The parameter definitions of every strip and bus, as plain descriptors. This is the one place
 * where ranges, defaults and tapers are decided; the session schema, the engine and every surface
 * read them from here.
 */
import type { ParamDescriptor } from './descriptor.js';
import type { FxKind, MixLayout } from './layout.js';
import { masterChainParams, chainPrefix, loudnessTapParams, monitorParams } from './master-params.js';
import { en, fader, lin, log, p, sw, type Spec } from './param-builders.js';
import { FADER_OFF_DB, panTaper, zeroLogTaper } from './tapers.js';

export const HPF_SLOPES = ['12', '18', '24'] as const;
export const EQ_TYPES = ['peak', 'lowshelf', 'highshelf', 'lowpass', 'highpass'] as const;
export const GATE_MODES = ['gate', 'expander'] as const;
export const SOLO_MODES = ['afl', 'pfl', 'sip'] as const;
export const DELAY_DIVISIONS = ['1/4', '1/8', '1/8.', '1/4.', '1/16', '1/2', '1/4T', '1/8T'] as const;
/** Length of each delay division in quarter notes. */
export const DELAY_DIVISION_BEATS: readonly number[] = [1, 0.5, 0.75, 1.5, 0.25, 2, 2 / 3, 1 / 3];
export const EQ_BANDS = 4;

/** Frequency range of every EQ band and filter. */
export const FREQ_MIN = 20;
export const FREQ_MAX = 20000;
const EQ_DEFAULTS: ReadonlyArray<[type: number, freq: number]> = [
  [1, 100],
  [0, 400],
  [0, 2500],
  [2, 8000],
];

function channelParams(n: number, layout: MixLayout): Spec[] {
  const c = `ch/${n}`;
  const out: Spec[] = [
    lin(`${c}/trim`, 'Trim', 'dB', -24, 24, 0),
    sw(`${c}/polarity`, 'Polarity'),
    sw(`${c}/hpf/on`, 'HPF'),
    log(`${c}/hpf/freq`, 'HPF freq', 'Hz', 20, 600, 80),
    en(`${c}/hpf/slope`, 'HPF slope', HPF_SLOPES, 2),
    sw(`${c}/gate/on`, 'Gate'),
    en(`${c}/gate/mode`, 'Gate mode', GATE_MODES, 0),
    lin(`${c}/gate/threshold`, 'Gate threshold', 'dB', -80, 0, -50),
    lin(`${c}/gate/range`, 'Gate range', 'dB', 0, 80, 40),
    log(`${c}/gate/ratio`, 'Expander ratio', 'ratio', 1.1, 10, 2),
    log(`${c}/gate/attack`, 'Gate attack', 'ms', 0.02, 300, 0.5),
    { ...p(`${c}/gate/hold`, 'Gate hold', 'ms', 0, 2000, 50, zeroLogTaper(1, 2000)) },
    log(`${c}/gate/release`, 'Gate release', 'ms', 5, 4000, 150),
    lin(`${c}/gate/hysteresis`, 'Gate hysteresis', 'dB', 0, 20, 3),
    sw(`${c}/eq/on`, 'EQ', 1),
  ];
  for (let b = 1; b <= EQ_BANDS; b++) {
    const [type, freq] = EQ_DEFAULTS[b - 1];
    out.push(
      en(`${c}/eq/${b}/type`, `EQ ${b} type`, EQ_TYPES, type),
      log(`${c}/eq/${b}/freq`, `EQ ${b} freq`, 'Hz', FREQ_MIN, FREQ_MAX, freq),
      lin(`${c}/eq/${b}/gain`, `EQ ${b} gain`, 'dB', -15, 15, 0),
      log(`${c}/eq/${b}/q`, `EQ ${b} Q`, 'Q', 0.3, 10, 0.707),
    );
  }
  out.push(
    sw(`${c}/comp/on`, 'Comp'),
    lin(`${c}/comp/threshold`, 'Comp threshold', 'dB', -60, 0, -20),
    log(`${c}/comp/ratio`, 'Comp ratio', 'ratio', 1, 50, 3),
    lin(`${c}/comp/knee`, 'Comp knee', 'dB', 0, 24, 6),
    log(`${c}/comp/attack`, 'Comp attack', 'ms', 0.05, 200, 10),
    log(`${c}/comp/release`, 'Comp release', 'ms', 5, 4000, 120),
    lin(`${c}/comp/makeup`, 'Comp makeup', 'dB', 0, 24, 0),
    sw(`${c}/comp/schpf/on`, 'Comp SC HPF'),
    log(`${c}/comp/schpf/freq`, 'Comp SC HPF freq', 'Hz', 20, 600, 100),
    p(`${c}/pan`, 'Pan', 'pan', -100, 100, 0, panTaper),
    fader(`${c}/fader`, 'Fader'),
    sw(`${c}/mute`, 'Mute'),
    sw(`${c}/solo`, 'Solo'),
    sw(`${c}/solosafe`, 'Solo safe'),
    sw(`${c}/main`, 'To main', 1),
  );
  for (let b = 1; b <= layout.auxBuses; b++) {
    out.push(fader(`${c}/send/${b}/level`, `Aux ${b} send`, FADER_OFF_DB), sw(`${c}/send/${b}/pre`, `Aux ${b} pre`, 1));
  }
  for (let f = 1; f <= layout.fxBuses.length; f++) {
    out.push(fader(`${c}/fx/${f}/level`, `FX ${f} send`, FADER_OFF_DB), sw(`${c}/fx/${f}/pre`, `FX ${f} pre`, 0));
  }
  for (let g = 1; g <= layout.groups; g++) out.push(sw(`${c}/group/${g}`, `Group ${g}`));
  for (let v = 1; v <= layout.vcas; v++) out.push(sw(`${c}/vca/${v}`, `VCA ${v}`));
  return out;
}

function fxParams(f: number, kind: FxKind): Spec[] {
  const x = `fx/${f}`;
  const common = [fader(`${x}/fader`, 'Return'), sw(`${x}/mute`, 'Mute'), p(`${x}/pan`, 'Balance', 'pan', -100, 100, 0, panTaper)];
  if (kind === 'reverb') {
    return [
      ...common,
      log(`${x}/reverb/decay`, 'Decay', 's', 0.2, 20, 1.8),
      p(`${x}/reverb/predelay`, 'Pre-delay', 'ms', 0, 200, 20, zeroLogTaper(1, 200)),
      lin(`${x}/reverb/damping`, 'Damping', '%', 0, 100, 50),
    ];
  }
  return [
    ...common,
    log(`${x}/delay/time`, 'Time', 'ms', 1, 2000, 375),
    sw(`${x}/delay/sync`, 'Tempo sync'),
    log(`${x}/delay/tempo`, 'Tempo', 'BPM', 40, 300, 120),
    en(`${x}/delay/division`, 'Division', DELAY_DIVISIONS, 2),
    lin(`${x}/delay/feedback`, 'Feedback', '%', 0, 95, 35),
    log(`${x}/delay/highcut`, 'High cut', 'Hz', 1000, 20000, 6000),
    sw(`${x}/delay/pingpong`, 'Ping-pong'),
  ];
}

/** All descriptors for a layout, in registry order. */
export function buildDescriptors(layout: MixLayout): ParamDescriptor[] {
  const all: Spec[] = [];
  layout.channels.forEach((_, i) => all.push(...channelParams(i + 1, layout)));
  for (let b = 1; b <= layout.auxBuses; b++) {
    all.push(fader(`bus/${b}/fader`, 'Fader'), sw(`bus/${b}/mute`, 'Mute'), p(`bus/${b}/pan`, 'Balance', 'pan', -100, 100, 0, panTaper));
  }
  layout.fxBuses.forEach((kind, i) => all.push(...fxParams(i + 1, kind)));
  for (let g = 1; g <= layout.groups; g++) {
    all.push(fader(`group/${g}/fader`, 'Fader'), sw(`group/${g}/mute`, 'Mute'), p(`group/${g}/pan`, 'Balance', 'pan', -100, 100, 0, panTaper));
  }
  for (let v = 1; v <= layout.vcas; v++) all.push(fader(`vca/${v}/fader`, 'Fader'), sw(`vca/${v}/mute`, 'Mute'));
  all.push(
    fader('master/fader', 'Fader'),
    sw('master/mute', 'Mute'),
    p('master/pan', 'Balance', 'pan', -100, 100, 0, panTaper),
  );
  for (let k = 1; k <= layout.masterChains; k++) all.push(...masterChainParams(chainPrefix(k), k));
  all.push(fader('monitor/level', 'Monitor level'), en('monitor/solo/mode', 'Solo mode', SOLO_MODES, 0), ...monitorParams(), ...loudnessTapParams(layout));
  return all;
}
