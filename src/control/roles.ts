/**
 * Roles of the people and programs that control mixhost, and what each may read, write and
 * meter. The server asks these questions for every message; the page's own checks are only a
 * courtesy.
 *
 * - engineer: everything;
 * - performer: one aux bus (their monitor mix): each channel's send level to it, and the bus's
 *   fader, mute and balance; nothing else is even sent to them;
 * - viewer: reads everything, writes nothing.
 */

export type Role = 'engineer' | 'performer' | 'viewer';

export const ROLES: readonly Role[] = ['engineer', 'performer', 'viewer'];

/** Who is on the other end of a connection or request. */
export interface Principal {
  readonly role: Role;
  /** The performer's aux bus, 1-based. */
  readonly bus?: number;
  /** Display name: 'engineer', or the invite's name. */
  readonly name: string;
  /** 'engineer' for the access token; the invite's id otherwise (revocation closes by it). */
  readonly id: string;
}

/** The parameters a performer of `bus` may read and write: `ch/<n>/send/<bus>/level` and `bus/<bus>/{fader,mute,pan}`. */
export function performerAddress(address: string, bus: number): boolean {
  const b = String(bus);
  const parts = address.split('/');
  if (parts.length === 5 && parts[0] === 'ch' && parts[2] === 'send' && parts[4] === 'level') {
    return /^[1-9][0-9]*$/.test(parts[1]) && parts[3] === b;
  }
  return parts.length === 3 && parts[0] === 'bus' && parts[1] === b && (parts[2] === 'fader' || parts[2] === 'mute' || parts[2] === 'pan');
}

/** May `p` be sent the value of `address`? */
export function canRead(p: Principal, address: string): boolean {
  if (p.role !== 'performer') return true;
  return p.bus !== undefined && performerAddress(address, p.bus);
}

/** May `p` change `address`? */
export function canWrite(p: Principal, address: string): boolean {
  if (p.role === 'engineer') return true;
  if (p.role === 'viewer') return false;
  return p.bus !== undefined && performerAddress(address, p.bus);
}

/** May `p` receive the meter point `point` (e.g. `ch/3`, `bus/2`, `master/chain`)? */
export function canMeter(p: Principal, point: string): boolean {
  if (p.role !== 'performer') return true;
  if (p.bus !== undefined && point === `bus/${p.bus}`) return true;
  return /^ch\/[1-9][0-9]*$/.test(point);
}

/** Why a write is refused, for `E_AUTH_ROLE`. */
export function writeRefusal(p: Principal, address: string): string {
  if (p.role === 'viewer') return `'${address}': a viewer reads, it does not change anything`;
  if (p.role === 'performer') return `'${address}': a performer of aux bus ${p.bus} may change only its own mix (the sends to bus ${p.bus} and its fader, mute and balance)`;
  return `'${address}' may not be changed`;
}
