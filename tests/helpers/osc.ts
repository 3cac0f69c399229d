/**
 * OSC for the tests: a client over real UDP that sends messages and raw bytes to a server port
 * and keeps what comes back, raw and decoded (addresses without a slash, such as the X32's
 * `node`, are taken); and liblo's command-line tools as an independent client.
 */
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { decodePacket, encodeMessage, isBundle, type OscArg, type OscMessage } from '../../src/osc/codec.js';

export interface Received {
  readonly raw: Buffer;
  /** Undefined for a datagram that is no single message (a bundle, or bytes that do not decode). */
  readonly msg: OscMessage | undefined;
}

export interface OscTestClient {
  readonly sock: Socket;
  /** This client's own port. */
  readonly port: number;
  readonly got: Received[];
  send(address: string, ...args: OscArg[]): void;
  sendRaw(bytes: Uint8Array): void;
  /** The first message received (or to come) that matches, taken out of `got`. */
  next(pred?: (m: OscMessage) => boolean, timeoutMs?: number): Promise<Received>;
  /** As next, the decoded message only. */
  nextMsg(pred?: (m: OscMessage) => boolean, timeoutMs?: number): Promise<OscMessage>;
  /** Wait `ms`, then take everything received so far. */
  quiet(ms: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function oscClient(serverPort: number, host = '127.0.0.1'): Promise<OscTestClient> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, host, () => r()));
  const got: Received[] = [];
  let wake: (() => void) | undefined;
  sock.on('message', (raw) => {
    const r = decodePacket(raw, { anyAddress: true });
    got.push({ raw, msg: r.ok && !isBundle(r.packet) ? r.packet : undefined });
    wake?.();
  });
  const next = async (pred: (m: OscMessage) => boolean = () => true, timeoutMs = 2000): Promise<Received> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const i = got.findIndex((g) => g.msg !== undefined && pred(g.msg));
      if (i >= 0) return got.splice(i, 1)[0];
      if (Date.now() > end) throw new Error(`no matching message within ${timeoutMs} ms (got ${got.map((g) => g.msg?.address).join(', ')})`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 20);
      });
    }
  };
  return {
    sock,
    port: sock.address().port,
    got,
    send: (address, ...args) => sock.send(encodeMessage(address, args), serverPort, host),
    sendRaw: (bytes) => sock.send(bytes, serverPort, host),
    next,
    nextMsg: async (pred, timeoutMs) => (await next(pred, timeoutMs)).msg!,
    async quiet(ms) {
      await new Promise((r) => setTimeout(r, ms));
      return got.splice(0);
    },
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

/** A free UDP port on 127.0.0.1 (bound, read, released). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * Whether liblo's oscsend and oscdump are installed. Locally a missing tool skips (with a line
 * naming the file); on CI (CI=true, where .ci/run installs liblo-tools) it fails.
 */
export function hasLiblo(who: string): boolean {
  const ok = ['oscsend', 'oscdump'].every((t) => spawnSync('which', [t], { stdio: 'ignore' }).status === 0);
  if (!ok && process.env.CI) throw new Error('oscsend and oscdump (liblo-tools) are required on CI (.ci/run installs them) but were not found');
  if (!ok) console.warn(`${who}: oscsend/oscdump (liblo-tools) not found: skipped`);
  return ok;
}

/** `oscsend 127.0.0.1 PORT ARGS...`; throws with liblo's message if it fails. */
export function oscsend(port: number, ...args: string[]): void {
  const r = spawnSync('oscsend', ['127.0.0.1', String(port), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`oscsend ${args.join(' ')}: ${r.stderr}`);
}
