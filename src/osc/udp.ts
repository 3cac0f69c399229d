/**
 * What the two OSC servers (native.ts, x32-server.ts) share: the UDP socket, the datagram loop
 * that decodes, counts and drops, replies and sends, the once-a-second sweep of lifetimes, the
 * arguments as numbers and strings, and the store source of a client.
 *
 * A datagram that does not decode is dropped and counted by reason; a message whose handling
 * throws is dropped and counted by the error's code ('internal' for anything that is not a
 * MixhostError). Nothing from the network reaches past `onMessage` as an exception.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { MixhostError } from '../model/errors.js';
import { decodePacket, messagesOf, type OscDecodeOptions, type OscArg, type OscMessage } from './codec.js';

export interface Peer {
  readonly address: string;
  readonly port: number;
}

export interface UdpOscStats {
  datagrams: number;
  messages: number;
  replies: number;
  readonly dropped: Record<string, number>;
}

/** Bind a UDP socket on `host:port` (port 0: any free one). Throws `E_OSC_LISTEN`. */
export async function bindOscSocket(host: string, port: number, what: string): Promise<Socket> {
  const socket = createSocket({ type: 'udp4', reuseAddr: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (e: NodeJS.ErrnoException) => {
      socket.close();
      reject(new MixhostError('E_OSC_LISTEN', `cannot listen for ${what} on ${host}:${port}: ${e.code === 'EADDRINUSE' ? 'the port is in use' : e.message}`));
    });
    socket.bind(port, host, () => resolve());
  });
  socket.on('error', () => undefined); // a send to a vanished client: nothing to do
  return socket;
}

export abstract class UdpOscServer<S extends UdpOscStats> {
  protected closed = false;
  private readonly sweepTimer: NodeJS.Timeout;

  protected constructor(
    protected readonly socket: Socket,
    readonly stats: S,
    private readonly decode: OscDecodeOptions,
    private readonly clock: (() => number) | undefined,
  ) {
    socket.on('message', (buf, rinfo) => this.onDatagram(buf, rinfo));
    this.sweepTimer = setInterval(() => this.sweep(), 1000);
    this.sweepTimer.unref();
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Lifetimes past their end lapse (a timer runs it once a second). */
  abstract sweep(): void;

  protected abstract onMessage(m: OscMessage, from: RemoteInfo): void;

  /** Forget every client (on close). */
  protected abstract dropAllClients(): void;

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.dropAllClients();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  protected now(): number {
    return (this.clock ?? Date.now)();
  }

  protected drop(reason: string): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
  }

  protected reply(to: Peer, bytes: Uint8Array): void {
    this.stats.replies++;
    this.send(to, bytes);
  }

  protected send(to: Peer, bytes: Uint8Array): void {
    if (this.closed) return;
    this.socket.send(bytes, to.port, to.address);
  }

  private onDatagram(buf: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return;
    this.stats.datagrams++;
    const r = decodePacket(buf, this.decode);
    if (!r.ok) return this.drop(r.reason);
    for (const m of messagesOf(r.packet)) {
      this.stats.messages++;
      try {
        this.onMessage(m, rinfo);
      } catch (e) {
        this.drop(e instanceof MixhostError ? e.code : 'internal');
      }
    }
  }
}

/** The store source of an OSC client: `osc:IP:PORT`. */
export function sourceOf(from: Peer): string {
  return `osc:${from.address}:${from.port}`;
}

/** A numeric argument (`i`, `f`, `d`; `T`/`F` as 1/0); undefined for anything else or non-finite. */
export function numberArg(a: OscArg | undefined): number | undefined {
  if (a === undefined) return undefined;
  switch (a.type) {
    case 'i':
    case 'f':
    case 'd':
      return Number.isFinite(a.value) ? a.value : undefined;
    case 'T':
      return 1;
    case 'F':
      return 0;
    default:
      return undefined;
  }
}

/** A number (as numberArg) or a string; undefined for blobs, nil and the like. */
export function argValue(a: OscArg | undefined): number | string | undefined {
  return a?.type === 's' ? a.value : numberArg(a);
}

/** An `i` or `f` argument truncated to an integer. */
export function intArg(a: OscArg | undefined): number | undefined {
  if (a === undefined || (a.type !== 'i' && a.type !== 'f')) return undefined;
  return Number.isFinite(a.value) ? Math.trunc(a.value) : undefined;
}

export function stringArg(a: OscArg | undefined): string | undefined {
  return a?.type === 's' ? a.value : undefined;
}

export function strs(...values: string[]): OscArg[] {
  return values.map((value) => ({ type: 's', value }));
}
