/**
 * The WebSocket remote (`/ws` on the HTTP port): upgrade checks (path, origin, capacity,
 * credentials), the clients (remote-client.ts), heartbeats, and the meter frames sent about
 * 30 times a second to the clients that subscribed. The protocol: docs/remote-protocol.md.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Principal } from '../control/roles.js';
import type { ChangeEvent, ControlStore } from '../control/store.js';
import type { MeterLayout } from '../model/meters.js';
import type { ParamRegistry } from '../model/registry.js';
import { errorBody, verifyRequest, type Authenticator } from './auth.js';
import type { InviteBook } from './invites.js';
import { RemoteClient, type ClientHost, type LearnHost, type RemoteStats } from './remote-client.js';
import { MAX_MESSAGE_BYTES } from './remote-messages.js';

/** Where meter values come from: the render worker's snapshot (or a test's). */
export interface MeterSource {
  readonly layout: MeterLayout;
  /** Copy the latest meter values into `dst` (layout.size floats); false if none yet. */
  read(dst: Float32Array): boolean;
}

export interface RemoteOptions {
  readonly server: import('node:http').Server;
  readonly auth: Authenticator;
  readonly store: ControlStore;
  readonly registry: ParamRegistry;
  readonly meters: MeterSource;
  /** `welcome.layout`: the mix layout and the names (see control/layout-info.ts). */
  readonly layout: unknown;
  readonly invites?: InviteBook;
  /** Origins allowed besides the server's own (`--allow-origin`), e.g. `https://mixer.example`. */
  readonly allowOrigins?: readonly string[];
  readonly maxClients?: number;
  readonly heartbeatMs?: number;
  readonly helloTimeoutMs?: number;
  readonly meterHz?: number;
  readonly feedbackTickMs?: number;
  readonly rate?: { perSecond: number; burst: number };
  readonly maxMalformed?: number;
  /** A client's send queue above which meter frames are skipped (bytes). */
  readonly meterBackpressureBytes?: number;
  readonly log?: (line: string) => void;
}

export const DEFAULT_MAX_CLIENTS = 64;
/** Connections still waiting for their hello (no credentials yet) allowed at once. */
export const MAX_PENDING = 16;
export const DEFAULT_HEARTBEAT_MS = 5000;
export const DEFAULT_METER_HZ = 30;
export const DEFAULT_FEEDBACK_TICK_MS = 20;
export const DEFAULT_RATE = { perSecond: 100, burst: 200 };
/** Pings unanswered before a connection counts as dead (3 × 5 s = 15 s). */
export const MAX_MISSED_PONGS = 3;

export interface RemoteStatus extends RemoteStats {
  clients: number;
  byRole: Record<string, number>;
}

export class RemoteServer {
  readonly stats: RemoteStats = { connections: 0, messages: 0, rateDropped: 0, malformed: 0, refused: 0, meterFrames: 0, meterFramesSkipped: 0 };
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<RemoteClient>();
  private readonly names = new Map<string, string>();
  private learn: LearnHost | undefined;
  private otherNames: ((source: string) => string | undefined) | undefined;
  private readonly changeTexts = new WeakMap<ChangeEvent, Buffer>();
  private readonly host: ClientHost;
  private readonly meterValues: Float32Array;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly meterTimer: NodeJS.Timeout;
  private readonly onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  private readonly onRevoked: (inv: { id: string }) => void;
  private nextId = 1;
  private frame = 0;
  private stopped = false;

  constructor(private readonly opts: RemoteOptions) {
    const heartbeatMs = opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    const maxClients = opts.maxClients ?? DEFAULT_MAX_CLIENTS;
    const helloTimeoutMs = opts.helloTimeoutMs ?? 5000;
    const backpressure = opts.meterBackpressureBytes ?? 256 * 1024;
    const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
    this.meterValues = new Float32Array(opts.meters.layout.size);
    this.host = {
      store: opts.store,
      registry: opts.registry,
      auth: opts.auth,
      meterLayout: opts.meters.layout,
      layout: opts.layout,
      heartbeatMs,
      feedbackTickMs: opts.feedbackTickMs ?? DEFAULT_FEEDBACK_TICK_MS,
      rate: opts.rate ?? DEFAULT_RATE,
      maxMalformed: opts.maxMalformed ?? 100,
      stats: this.stats,
      nameOf: (source) => this.names.get(source) ?? this.otherNames?.(source) ?? source,
      learnHost: () => this.learn,
      changeText: (e) => {
        let text = this.changeTexts.get(e);
        if (text === undefined) {
          text = Buffer.from(JSON.stringify({ type: 'change', address: e.address, value: e.value, source: e.source, seq: e.seq }), 'utf8');
          this.changeTexts.set(e, text);
        }
        return text;
      },
      admitted: (client) => {
        const id = `ws:${this.nextId++}`;
        this.names.set(id, client.name);
        return id;
      },
      closed: (client) => {
        this.names.delete(client.id);
        this.clients.delete(client);
      },
      log,
    };

    this.onUpgrade = (req, socket, head) => this.upgrade(req, socket, head, maxClients, helloTimeoutMs);
    opts.server.on('upgrade', this.onUpgrade);
    this.onRevoked = (inv) => {
      for (const c of this.clients) if (c.principal?.id === inv.id) c.close(4003, 'E_AUTH_REVOKED', 'this invite was revoked by the engineer');
    };
    opts.invites?.on('revoked', this.onRevoked);

    this.heartbeat = setInterval(() => {
      const time = Date.now();
      for (const c of this.clients) {
        if (c.missedPongs >= MAX_MISSED_PONGS) {
          c.ws.terminate();
          continue;
        }
        c.missedPongs++;
        c.ws.ping();
        if (c.principal !== undefined) c.send({ type: 'ping', time });
      }
    }, heartbeatMs);
    this.heartbeat.unref();

    this.meterTimer = setInterval(() => this.sendMeters(backpressure), 1000 / (opts.meterHz ?? DEFAULT_METER_HZ));
    this.meterTimer.unref();
  }

  /** Clients by role, and the counters (for /api/status). */
  /**
   * Surfaces joined the server: MIDI learn for the engineer's clients, and the names of the
   * surfaces' change sources (for "held by").
   */
  attachSurfaces(learn: LearnHost | undefined, nameOf: (source: string) => string | undefined): void {
    this.learn = learn;
    this.otherNames = nameOf;
  }

  status(): RemoteStatus {
    const byRole: Record<string, number> = { engineer: 0, performer: 0, viewer: 0 };
    let clients = 0;
    for (const c of this.clients) {
      if (c.principal === undefined) continue;
      clients++;
      byRole[c.principal.role]++;
    }
    return { clients, byRole, ...this.stats };
  }

  /** Close every connection (1001) and stop the timers. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearInterval(this.meterTimer);
    this.opts.server.off('upgrade', this.onUpgrade);
    this.opts.invites?.off('revoked', this.onRevoked);
    for (const c of this.clients) c.ws.close(1001, 'server stopping');
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        for (const c of this.clients) c.ws.terminate();
        resolve();
      }, 1000);
      t.unref();
      this.wss.close(() => {
        clearTimeout(t);
        resolve();
      });
      if (this.clients.size === 0) {
        clearTimeout(t);
        resolve();
      }
    });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, maxClients: number, helloTimeoutMs: number): void {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/ws') return refuseUpgrade(socket, 404, 'E_NOT_FOUND', `no WebSocket endpoint at ${path}: use /ws`);
    if (this.stopped) return refuseUpgrade(socket, 503, 'E_WS_FULL', 'the server is stopping');
    const origin = req.headers.origin;
    if (origin !== undefined && !this.originAllowed(origin, req.headers.host)) {
      return refuseUpgrade(socket, 403, 'E_WS_ORIGIN', `origin ${origin.slice(0, 100)} is not allowed: open the remote from this server, or start it with --allow-origin`);
    }
    if (this.clients.size >= maxClients) return refuseUpgrade(socket, 503, 'E_WS_FULL', `${maxClients} remotes are connected already`);
    const hasCredentials = req.headers.authorization !== undefined || (req.headers.cookie ?? '').includes('mixhost_token=');
    if (!hasCredentials) {
      // Connections that have not said who they are yet are few and short-lived (hello within
      // 5 s); a flood of them cannot crowd out the real remotes.
      let pending = 0;
      for (const c of this.clients) if (c.principal === undefined) pending++;
      if (pending >= MAX_PENDING) return refuseUpgrade(socket, 503, 'E_WS_FULL', `${MAX_PENDING} connections are waiting to say hello; try again in a few seconds`);
    }
    // Credentials on the upgrade (the cookie of an invite link, or a header) are checked now;
    // without any, the hello must carry the token.
    let principal: Principal | undefined;
    if (hasCredentials) {
      const verdict = verifyRequest(this.opts.auth, req);
      if (!verdict.ok) return refuseUpgrade(socket, verdict.status, verdict.code, verdict.message, verdict.headers);
      principal = verdict.principal;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.stats.connections++;
      const client = new RemoteClient(ws, this.host, principal, req.socket.remoteAddress, helloTimeoutMs);
      this.clients.add(client);
      ws.on('close', () => this.clients.delete(client));
    });
  }

  private originAllowed(origin: string, host: string | undefined): boolean {
    if (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)) return true;
    return (this.opts.allowOrigins ?? []).includes(origin);
  }

  private sendMeters(backpressure: number): void {
    let any = false;
    for (const c of this.clients) if (c.subscription !== undefined) any = true;
    if (!any) return;
    const values = this.meterValues;
    // A read that overlapped the render thread's write is torn: skip this frame, the next comes
    // in 33 ms.
    if (!this.opts.meters.read(values)) return;
    this.frame = (this.frame + 1) >>> 0;
    for (const c of this.clients) {
      const sub = c.subscription;
      if (sub === undefined || c.ws.readyState !== c.ws.OPEN) continue;
      if (c.ws.bufferedAmount > backpressure) {
        this.stats.meterFramesSkipped++;
        continue;
      }
      // A new buffer per frame: the socket may still hold the previous one.
      const n = sub.indices.length;
      const buf = new ArrayBuffer(8 + 4 * n);
      const head = new DataView(buf, 0, 8);
      head.setUint8(0, 1);
      head.setUint8(1, 1);
      head.setUint16(2, sub.id, true);
      head.setUint32(4, this.frame, true);
      // Float32Array is in the machine's byte order: little-endian on every platform Node runs on here.
      const f32 = new Float32Array(buf, 8, n);
      for (let i = 0; i < n; i++) f32[i] = values[sub.indices[i]];
      c.ws.send(buf, { binary: true });
      this.stats.meterFrames++;
    }
  }
}

function refuseUpgrade(socket: Duplex, status: number, code: string, message: string, headers: Readonly<Record<string, string>> = {}): void {
  const body = JSON.stringify(errorBody(code, message));
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const reason: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };
  socket.end(
    `HTTP/1.1 ${status} ${reason[status] ?? 'Error'}\r\nConnection: close\r\n${extra}Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
