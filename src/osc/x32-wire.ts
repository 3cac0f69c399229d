/**
 * Small pieces of the X32 server (x32-server.ts): values out, subscription names,
 * and the local address /xinfo and /status report.
 */
import type { NetworkInterfaceInfo } from 'node:os';
import type { OscArg } from './codec.js';
import type { X32Value } from './x32-map.js';

export function wireArg(v: X32Value): OscArg {
  if (v.type === 's') return { type: 's', value: String(v.value) };
  if (v.type === 'i') return { type: 'i', value: Math.round(Number(v.value)) };
  return { type: 'f', value: Number(v.value) };
}

/** A subscription's name: a string argument, with a leading slash (`meters/1` = `/meters/1`). */
export function nameArg(a: OscArg | undefined): string | undefined {
  if (a?.type !== 's') return undefined;
  const s = a.value.trim();
  if (s === '') return undefined;
  return s.startsWith('/') ? s : `/${s}`;
}

/** Dotted IPv4 -> unsigned 32-bit number (undefined for anything else). */
export function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = [m[1], m[2], m[3], m[4]].map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

/**
 * The address a client at `remote` reaches a server bound to `bound` on: the bound address, or,
 * bound to every interface, 127.0.0.1 for a local client, else the interface address on the
 * client's subnet, else the first external IPv4 address.
 */
export function localAddressFor(bound: string, remote: string, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string {
  if (bound !== '0.0.0.0') return bound;
  if (remote.startsWith('127.')) return '127.0.0.1';
  const r = ipv4(remote);
  let first: string | undefined;
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.family !== 'IPv4' || a.internal) continue;
      first ??= a.address;
      const ip = ipv4(a.address);
      const mask = ipv4(a.netmask);
      if (r !== undefined && ip !== undefined && mask !== undefined && (ip & mask) === (r & mask)) return a.address;
    }
  }
  return first ?? '127.0.0.1';
}
