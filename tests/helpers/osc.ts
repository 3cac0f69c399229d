/**
 * An OSC client over real UDP for the tests: it sends messages and raw bytes to a server port
 * and keeps what comes back, raw and decoded (addresses without a slash, such as the X32's
 * `node`, are taken).
 */
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
