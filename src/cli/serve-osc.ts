/**
 * `serve`'s OSC: the native dialect (docs/osc.md) and the X32 dialect (docs/osc-x32.md) on UDP,
 * on the control server's store.
 *
 *   --osc PORT|off   the native OSC port (default 9000)
 *   --x32 PORT|off   the X32 dialect's port (default 10023, the console's)
 *
 * If a default port is taken, that dialect is off and a line says so; a port given and taken is
 * an error. OSC has no authentication (UDP, as on every console): it binds where HTTP binds, so
 * `--local-only` keeps it on this machine.
 */
import type { Writable } from 'node:stream';
import { remoteLayout } from '../control/layout-info.js';
import { MixhostError } from '../model/errors.js';
import type { ParamRegistry } from '../model/registry.js';
import type { Session } from '../model/session.js';
import type { ControlServer } from '../server/control-server.js';
import { NativeOscServer, type OscMeterSource } from '../osc/native.js';
import { X32Server } from '../osc/x32-server.js';

export const DEFAULT_OSC_PORT = 9000;
export const DEFAULT_X32_PORT = 10023;

export const OSC_OPTIONS = {
  osc: { type: 'string' },
  x32: { type: 'string' },
} as const;

export interface OscFlag {
  readonly port: number | undefined;
  readonly explicit: boolean;
}

/** `--NAME PORT|off` -> the port, or undefined for off; the default when not given. */
export function parsePortFlag(name: string, text: string | undefined, fallback: number): OscFlag {
  if (text === undefined) return { port: fallback, explicit: false };
  if (text === 'off') return { port: undefined, explicit: true };
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new MixhostError('E_USAGE', `--${name} ${text}: a UDP port (0 to 65535, 0 for any free one) or off`);
  return { port: Number(text), explicit: true };
}

/** Both flags checked (before any audio starts). */
export function parseOscFlags(values: { osc?: string; x32?: string }): { native: OscFlag; x32: OscFlag } {
  const native = parsePortFlag('osc', values.osc, DEFAULT_OSC_PORT);
  const x32 = parsePortFlag('x32', values.x32, DEFAULT_X32_PORT);
  if (native.port !== undefined && native.port !== 0 && native.port === x32.port) {
    throw new MixhostError('E_USAGE', `--osc and --x32 both on UDP ${native.port}: the two dialects need two ports`);
  }
  return { native, x32 };
}

export interface StartOscOptions {
  readonly cs: ControlServer;
  readonly registry: ParamRegistry;
  readonly session: Session;
  readonly meters: OscMeterSource;
  readonly flags: { osc?: string; x32?: string };
  readonly host: string;
  readonly err: Writable;
}

export interface OscServers {
  readonly native: NativeOscServer | undefined;
  readonly x32: X32Server | undefined;
  /** The `osc` section of /api/status. */
  status(): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startOsc(o: StartOscOptions): Promise<OscServers> {
  const flags = parseOscFlags(o.flags);
  const native = await startOne('osc', flags.native, 'native OSC', o.err, (port) =>
    NativeOscServer.start({ store: o.cs.store, registry: o.registry, meters: o.meters, port, host: o.host }),
  );
  let x32: X32Server | undefined;
  try {
    x32 = await startOne('x32', flags.x32, 'the X32 dialect', o.err, (port) =>
      X32Server.start({
        store: o.cs.store,
        registry: o.registry,
        layout: remoteLayout(o.session, o.registry.layout),
        meters: o.meters,
        port,
        host: o.host,
        onLog: (line) => o.err.write(`osc: ${line}\n`),
      }),
    );
  } catch (e) {
    await native?.close();
    throw e;
  }
  if (native !== undefined) o.err.write(`osc: native OSC on udp ${o.host}:${native.port}\n`);
  if (x32 !== undefined) o.err.write(`osc: X32 dialect on udp ${o.host}:${x32.port}\n`);
  if (native !== undefined || x32 !== undefined) o.err.write('osc: no authentication on OSC: for a trusted network (--osc off, --x32 off turn it off)\n');
  return {
    native,
    x32,
    status: () => ({
      native: native !== undefined ? { port: native.port, subscribers: native.subscribers, ...native.stats } : { on: false },
      x32: x32 !== undefined ? { port: x32.port, clients: x32.subscribers, xremote: x32.xremoteClients, ...x32.stats } : { on: false },
    }),
    close: async () => {
      await native?.close();
      await x32?.close();
    },
  };
}

async function startOne<T>(flag: string, f: OscFlag, what: string, err: Writable, start: (port: number) => Promise<T>): Promise<T | undefined> {
  if (f.port === undefined) {
    err.write(`osc: ${what} is off (--${flag} off)\n`);
    return undefined;
  }
  try {
    return await start(f.port);
  } catch (e) {
    if (f.explicit || !(e instanceof MixhostError)) throw e;
    err.write(`osc: ${e.message}: ${what} is off (choose another port with --${flag} PORT)\n`);
    return undefined;
  }
}
