/**
 * Strips and banks: what a row of hardware faders shows. A layer is an ordered list of strips
 * (inputs, aux buses, FX returns, groups then VCAs, the master section); a bank is a window of
 * `width` strips into it. Sends on faders replace the inputs' faders by their sends to one bus.
 *
 * A strip names parameter addresses only; drivers never see a DSP object.
 */
import type { RemoteLayoutInfo } from '../control/layout-info.js';
import { chainPrefix } from '../model/master-params.js';
import type { ParamRegistry } from '../model/registry.js';
import type { LayerId, StripRole, VpotMode } from './types.js';

export type StripKind = 'ch' | 'bus' | 'fx' | 'group' | 'vca' | 'master' | 'monitor' | 'chain';

export interface Strip {
  /** Unique in the mix: `ch/3`, `bus/1`, `fx/2`, `group/1`, `vca/2`, `master`, `monitor`, `chain/2`. */
  readonly key: string;
  readonly kind: StripKind;
  /** 1-based number within its kind. */
  readonly n: number;
  readonly name: string;
  /** `#rrggbb`, when the session gives one. */
  readonly color?: string;
  /** Meter point (see model/meters.ts), when the strip has one. */
  readonly meter?: string;
  /** Role -> parameter address. `select` and `vpot` are resolved by the bank, not here. */
  readonly targets: Readonly<Partial<Record<StripRole | 'trim' | 'hpf', string>>>;
}

/** What the faders of the inputs carry while sends are on faders: aux `n` or FX `n`. */
export interface SendTarget {
  readonly kind: 'bus' | 'fx';
  readonly n: number;
}

export interface StripSource {
  readonly layout: RemoteLayoutInfo;
  readonly registry: ParamRegistry;
}

function has(src: StripSource, address: string): string | undefined {
  return src.registry.find(address) >= 0 ? address : undefined;
}

function strip(src: StripSource, kind: StripKind, n: number, name: string, base: string, extra: Partial<Strip> = {}): Strip {
  const targets: Partial<Record<StripRole | 'trim' | 'hpf', string>> = {};
  for (const role of ['fader', 'mute', 'solo', 'pan', 'trim'] as const) {
    const a = has(src, `${base}/${role}`);
    if (a !== undefined) targets[role] = a;
  }
  const hpf = has(src, `${base}/hpf/freq`);
  if (hpf !== undefined) targets.hpf = hpf;
  return { key: kind === 'master' || kind === 'monitor' ? kind : `${kind}/${n}`, kind, n, name, targets, ...extra };
}

/** The strips of a layer, in order. */
export function layerStrips(src: StripSource, layer: LayerId): Strip[] {
  const L = src.layout;
  switch (layer) {
    case 'inputs':
      return L.channels.map((c, i) => strip(src, 'ch', i + 1, c.name, `ch/${i + 1}`, { meter: `ch/${i + 1}`, ...(c.color !== undefined ? { color: c.color } : {}) }));
    case 'aux':
      return L.auxBuses.map((b, i) => strip(src, 'bus', i + 1, b.name, `bus/${i + 1}`, { meter: `bus/${i + 1}` }));
    case 'fx':
      return L.fx.map((f, i) => strip(src, 'fx', i + 1, f.name, `fx/${i + 1}`, { meter: `fx/${i + 1}` }));
    case 'groups':
      return [
        ...L.groups.map((g, i) => strip(src, 'group', i + 1, g.name, `group/${i + 1}`, { meter: `group/${i + 1}` })),
        ...L.vcas.map((v, i) => strip(src, 'vca', i + 1, v.name, `vca/${i + 1}`)),
      ];
    case 'master': {
      const out = [strip(src, 'master', 1, 'Master', 'master', { meter: 'master' })];
      const mon = has(src, 'monitor/level');
      if (mon !== undefined) out.push({ key: 'monitor', kind: 'monitor', n: 1, name: 'Monitor', meter: 'monitor', targets: { fader: mon } });
      // Each master chain's trim on a fader, so a stream feed can be ridden by hand.
      L.masterChains.forEach((c, i) => {
        const trim = has(src, `${chainPrefix(i + 1)}/trim`);
        if (trim !== undefined) out.push({ key: `chain/${i + 1}`, kind: 'chain', n: i + 1, name: `${c.name} trim`, targets: { fader: trim } });
      });
      return out;
    }
  }
}

/** The inputs with their faders carrying the sends to `to` (and no pan, solo or trim). */
export function sendStrips(src: StripSource, to: SendTarget): Strip[] {
  return src.layout.channels.map((c, i) => {
    const level = has(src, to.kind === 'bus' ? `ch/${i + 1}/send/${to.n}/level` : `ch/${i + 1}/fx/${to.n}/level`);
    const mute = has(src, `ch/${i + 1}/mute`);
    return {
      key: `ch/${i + 1}`,
      kind: 'ch' as const,
      n: i + 1,
      name: c.name,
      ...(c.color !== undefined ? { color: c.color } : {}),
      meter: `ch/${i + 1}`,
      targets: { ...(level !== undefined ? { fader: level } : {}), ...(mute !== undefined ? { mute } : {}) },
    };
  });
}

/** Display name of a send target: the bus's name from the session. */
export function sendTargetName(src: StripSource, to: SendTarget): string {
  return (to.kind === 'bus' ? src.layout.auxBuses[to.n - 1]?.name : src.layout.fx[to.n - 1]?.name) ?? `${to.kind} ${to.n}`;
}

/** Every send target in order: aux 1..n, then FX 1..m. */
export function sendTargets(src: StripSource): SendTarget[] {
  return [
    ...src.layout.auxBuses.map((_, i) => ({ kind: 'bus' as const, n: i + 1 })),
    ...src.layout.fx.map((_, i) => ({ kind: 'fx' as const, n: i + 1 })),
  ];
}

/** The address a V-Pot controls on a strip in a mode (undefined: nothing there). */
export function vpotAddress(src: StripSource, s: Strip, mode: VpotMode, send: SendTarget): string | undefined {
  switch (mode) {
    case 'pan':
      return s.targets.pan;
    case 'trim':
      return s.targets.trim;
    case 'hpf':
      return s.targets.hpf;
    case 'send':
      if (s.kind !== 'ch') return undefined;
      return has(src, send.kind === 'bus' ? `ch/${s.n}/send/${send.n}/level` : `ch/${s.n}/fx/${send.n}/level`);
    case 'eq':
    case 'dyn':
      return undefined; // channel-strip modes: the pots show the selected channel (channelStripPots)
  }
}

/**
 * The parameters the pots show in the channel-strip modes, for input channel `ch` (pot i gets
 * entry i; a surface with fewer pots shows the first ones). EQ page 1: gain and frequency of
 * bands 1..4; page 2: the Q of bands 1..4, HPF frequency, HPF on, EQ on, trim. Dynamics:
 * compressor threshold, ratio, attack, release, makeup, knee, gate threshold, gate range.
 */
export function channelStripPots(src: StripSource, ch: number, mode: 'eq' | 'dyn', page: number): (string | undefined)[] {
  const c = `ch/${ch}`;
  const list =
    mode === 'eq'
      ? page % 2 === 0
        ? [`${c}/eq/1/gain`, `${c}/eq/1/freq`, `${c}/eq/2/gain`, `${c}/eq/2/freq`, `${c}/eq/3/gain`, `${c}/eq/3/freq`, `${c}/eq/4/gain`, `${c}/eq/4/freq`]
        : [`${c}/eq/1/q`, `${c}/eq/2/q`, `${c}/eq/3/q`, `${c}/eq/4/q`, `${c}/hpf/freq`, `${c}/hpf/on`, `${c}/eq/on`, `${c}/trim`]
      : [`${c}/comp/threshold`, `${c}/comp/ratio`, `${c}/comp/attack`, `${c}/comp/release`, `${c}/comp/makeup`, `${c}/comp/knee`, `${c}/gate/threshold`, `${c}/gate/range`];
  return list.map((a) => has(src, a));
}
