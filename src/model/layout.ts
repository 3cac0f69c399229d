/**
 * The shape of a mix: how many strips and buses of each kind exist. The registry's addresses and
 * the engine's graph are both built from one layout.
 */

export type FxKind = 'reverb' | 'delay';

export interface ChannelLayout {
  /** A stereo channel takes two consecutive inputs; its pan acts as balance. */
  readonly stereo: boolean;
}

export interface MixLayout {
  readonly channels: readonly ChannelLayout[];
  /** Aux (monitor) buses, stereo. */
  readonly auxBuses: number;
  /** FX buses, stereo, each with one effect; its return feeds the master. */
  readonly fxBuses: readonly FxKind[];
  /** Audio subgroups, stereo, feeding the master. */
  readonly groups: number;
  /** VCAs: fader offsets and mutes applied to member channels; no audio of their own. */
  readonly vcas: number;
  /**
   * Master output chains (1..4), each fed from the master bus after its fader, each with its own
   * mastering processing and target: e.g. 1 = PA, 2 = stream.
   */
  readonly masterChains: number;
}

export const DEFAULT_CHANNELS = 32;
export const AUX_BUSES = 8;
export const FX_BUSES: readonly FxKind[] = ['reverb', 'delay'];
export const GROUPS = 4;
export const VCAS = 8;

export function defaultLayout(channels: readonly ChannelLayout[] = Array.from({ length: DEFAULT_CHANNELS }, () => ({ stereo: false }))): MixLayout {
  return { channels, auxBuses: AUX_BUSES, fxBuses: FX_BUSES, groups: GROUPS, vcas: VCAS, masterChains: 1 };
}

/** Number of interface inputs a layout consumes (a stereo channel takes two). */
export function inputCount(layout: MixLayout): number {
  return layout.channels.reduce((n, c) => n + (c.stereo ? 2 : 1), 0);
}

/**
 * Engine outputs, each a stereo pair, in this order: master (chain 1), monitor (control room /
 * headphones, carries AFL/PFL solo and the translation check), aux 1..n, then master chains
 * 2..k (`master2`, ...).
 */
export function outputPairs(layout: MixLayout): string[] {
  return [
    'master',
    'monitor',
    ...Array.from({ length: layout.auxBuses }, (_, i) => `aux${i + 1}`),
    ...Array.from({ length: layout.masterChains - 1 }, (_, i) => `master${i + 2}`),
  ];
}
