/**
 * `welcome.layout` of the remote protocol: the mix layout the registry is built from, and the
 * names and colours of the strips and buses, as the session gives them (or defaults).
 */
import type { MixLayout } from '../model/layout.js';
import type { Session } from '../model/session.js';

export interface RemoteLayoutInfo {
  readonly mix: MixLayout;
  readonly channels: ReadonlyArray<{ name: string; color?: string }>;
  readonly auxBuses: ReadonlyArray<{ name: string }>;
  readonly fx: ReadonlyArray<{ name: string; kind: string }>;
  readonly groups: ReadonlyArray<{ name: string }>;
  readonly vcas: ReadonlyArray<{ name: string }>;
  readonly masterChains: ReadonlyArray<{ name: string }>;
}

export function remoteLayout(session: Session, mix: MixLayout): RemoteLayoutInfo {
  const fxName = (kind: string) => (kind === 'reverb' ? 'Reverb' : kind === 'delay' ? 'Delay' : kind);
  return {
    mix,
    channels: mix.channels.map((_, i) => {
      const c = session.channels[i];
      return { name: c?.name ?? `Ch ${i + 1}`, ...(c?.color !== undefined ? { color: c.color } : {}) };
    }),
    auxBuses: Array.from({ length: mix.auxBuses }, (_, i) => ({ name: session.buses?.[i]?.name ?? `Aux ${i + 1}` })),
    fx: mix.fxBuses.map((kind, i) => ({ name: session.fx?.[i]?.name ?? fxName(kind), kind })),
    groups: Array.from({ length: mix.groups }, (_, i) => ({ name: session.groups?.[i]?.name ?? `Group ${i + 1}` })),
    vcas: Array.from({ length: mix.vcas }, (_, i) => ({ name: session.vcas?.[i]?.name ?? `VCA ${i + 1}` })),
    masterChains: Array.from({ length: mix.masterChains }, (_, k) => ({ name: k === 0 ? 'Master' : (session.outputs?.[k - 1]?.name ?? `Out ${k + 1}`) })),
  };
}
