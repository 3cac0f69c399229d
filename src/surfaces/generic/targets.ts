/**
 * What a mapping's `target` names: a bank-relative strip role (`strip:3:mute`), a parameter
 * address (`master/fader`), or an action (`action:bank-right`).
 */
import type { ParamRegistry } from '../../model/registry.js';
import { ACTIONS, STRIP_ROLES, type Action, type StripRole } from '../types.js';

export type Target =
  | { readonly kind: 'strip'; /** 0-based position in the bank. */ readonly index: number; readonly role: StripRole }
  | { readonly kind: 'param'; readonly address: string }
  | { readonly kind: 'action'; readonly action: Action };

/** Highest strip number a target may name. */
export const MAX_STRIPS = 128;

export function parseTarget(target: unknown, registry: ParamRegistry): Target | undefined {
  if (typeof target !== 'string' || target.length > 200) return undefined;
  const strip = /^strip:(\d{1,3}):([a-z]+)$/.exec(target);
  if (strip !== null) {
    const n = Number(strip[1]);
    const role = STRIP_ROLES.find((r) => r === strip[2]);
    if (n < 1 || n > MAX_STRIPS || role === undefined) return undefined;
    return { kind: 'strip', index: n - 1, role };
  }
  if (target.startsWith('action:')) {
    const action = ACTIONS.find((a) => a === target.slice(7));
    return action === undefined ? undefined : { kind: 'action', action };
  }
  return registry.find(target) >= 0 ? { kind: 'param', address: target } : undefined;
}

/** Strips a profile's mappings use: the highest N of `strip:N:...` (0 if none). */
export function stripsUsed(targets: readonly Target[]): number {
  let n = 0;
  for (const t of targets) if (t.kind === 'strip') n = Math.max(n, t.index + 1);
  return n;
}
