/**
 * `serve`'s OSC: the native dialect on UDP (docs/osc.md), on the control server's store.
 *
 *   --osc PORT|off   the native OSC port (default 9000; if the default is taken, native OSC is
 *                    off and a line says so; a port given and taken is an error)
 *
 * OSC has no authentication (UDP, as on every console): it binds where HTTP binds, so
 * `--local-only` keeps it on this machine.
 */
import type { Writable } from 'node:stream';
import { MixhostError } from '../model/errors.js';
import type { ParamRegistry } from '../model/registry.js';
import type { ControlServer } from '../server/control-server.js';
import { NativeOscServer, type OscMeterSource } from '../osc/native.js';

export const DEFAULT_OSC_PORT = 9000;

export const OSC_OPTIONS = {
  osc: { type: 'string' },
} as const;

/** `--osc PORT|off` -> the port, or undefined for off; the default when not given. */
export function parseOscFlag(text: string | undefined): { port: number | undefined; explicit: boolean } {
  if (text === undefined) return { port: DEFAULT_OSC_PORT, explicit: false };
  if (text === 'off') return { port: undefined, explicit: true };
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new MixhostError('E_USAGE', `--osc ${text}: a UDP port (0 to 65535, 0 for any free one) or off`);
  return { port: Number(text), explicit: true };
}

export interface StartOscOptions {
  readonly cs: ControlServer;
  readonly registry: ParamRegistry;
  readonly meters: OscMeterSource;
  readonly flag: string | undefined;
  readonly host: string;
  readonly err: Writable;
}

export async function startOsc(o: StartOscOptions): Promise<NativeOscServer | undefined> {
  const { port, explicit } = parseOscFlag(o.flag);
  if (port === undefined) {
    o.err.write('osc: off (--osc off)\n');
    return undefined;
  }
  let server: NativeOscServer;
  try {
    server = await NativeOscServer.start({ store: o.cs.store, registry: o.registry, meters: o.meters, port, host: o.host });
  } catch (e) {
    if (explicit || !(e instanceof MixhostError)) throw e;
    o.err.write(`osc: ${e.message}: native OSC is off (choose another with --osc PORT)\n`);
    return undefined;
  }
  o.err.write(`osc: native OSC on udp ${o.host}:${server.port} (no authentication: for a trusted network; --osc off turns it off)\n`);
  return server;
}
