/**
 * Test fixtures of the control plane's server: a control server on 127.0.0.1 (port 0) with the
 * demo session, a fake meter source and a recording sink; a promise-based client of the remote
 * protocol on the `ws` package; and small HTTP helpers (node:http, so that status lines,
 * cookies and redirects are seen exactly as sent).
 */
import { afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { demoSession } from '../../src/model/demo-session.js';
import { meterLayout, type MeterLayout } from '../../src/model/meters.js';
import { ParamRegistry } from '../../src/model/registry.js';
import { applySession, sessionLayout } from '../../src/model/session.js';
import { startControlServer, type ControlServer, type ControlServerOptions } from '../../src/server/control-server.js';
import type { MeterSource } from '../../src/server/remote.js';

export const TOKEN = 'test-token-123456';
export const INDEX_HTML = '<!doctype html><title>remote</title><p>index-page</p>\n';
export const LOGIN_HTML = '<!doctype html><title>login</title><p>login-page</p>\n';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = { type: string; [field: string]: any };

/** The value the fake meter source writes at float `i` of the snapshot (exact in float32). */
export function meterValue(i: number): number {
  return -(i + 0.25);
}

/** A meter source whose float `i` is always `meterValue(i)`; counts its reads. */
export function fakeMeters(layout: MeterLayout): MeterSource & { reads: number } {
  const src = {
    layout,
    reads: 0,
    read(dst: Float32Array): boolean {
      src.reads++;
      for (let i = 0; i < dst.length; i++) dst[i] = meterValue(i);
      return true;
    },
  };
  return src;
}

export interface TestServer {
  readonly cs: ControlServer;
  readonly registry: ParamRegistry;
  /** The session's values, as the store started with them. */
  readonly initial: Float64Array;
  readonly meters: MeterSource & { reads: number };
  /** Every (index, value) the store passed to its sink. */
  readonly sunk: Array<[number, number]>;
  readonly port: number;
  /** `ws://127.0.0.1:<port>/ws` */
  readonly wsUrl: string;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly dir: string;
  close(): Promise<void>;
}

export type ServerExtras = Partial<Omit<ControlServerOptions, 'session' | 'registry' | 'params' | 'meters' | 'sink' | 'token' | 'host' | 'port'>>;

/**
 * Start a control server of the demo session (32 channels, 8 aux buses). Timings default to
 * test values: no heartbeat pings during a test, a 2 s hello timeout, 50 meter frames a second.
 */
export async function startTestServer(extra: ServerExtras = {}): Promise<TestServer> {
  const session = demoSession();
  const registry = new ParamRegistry(sessionLayout(session));
  const params = registry.createTable();
  applySession(session, registry, params);
  const meters = fakeMeters(meterLayout(registry.layout));
  const sunk: Array<[number, number]> = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'mixhost-remote-'));
  writeFileSync(path.join(dir, 'index.html'), INDEX_HTML);
  writeFileSync(path.join(dir, 'login.html'), LOGIN_HTML);
  const cs = await startControlServer({
    session,
    registry,
    params,
    meters,
    sink: (index, value) => sunk.push([index, value]),
    token: TOKEN,
    host: '127.0.0.1',
    port: 0,
    remoteDir: dir,
    ...extra,
    remote: { heartbeatMs: 60_000, helloTimeoutMs: 2000, meterHz: 50, feedbackTickMs: 20, ...extra.remote },
  });
  const port = cs.http.port;
  return {
    cs,
    registry,
    initial: Float64Array.from(params),
    meters,
    sunk,
    port,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    base: `http://127.0.0.1:${port}`,
    dir,
    async close() {
      await cs.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ConnectOptions {
  origin?: string;
  headers?: Record<string, string>;
}

/** One client of the remote protocol. Text messages queue until taken; binary frames apart. */
export class RemoteConn {
  /** Text messages received and not yet taken, in arrival order. */
  readonly queue: Msg[] = [];
  /** Binary frames received and not yet taken. */
  readonly frames: Buffer[] = [];
  private waiters: Array<() => void> = [];
  private readonly closedP: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.frames.push(Buffer.from(data));
      else this.queue.push(parseText(data.toString('utf8')));
      this.wake();
    });
    this.closedP = new Promise((resolve) => {
      ws.on('close', (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString('utf8') });
        this.wake();
      });
    });
    ws.on('error', () => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private changed(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((f) => f !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(t);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Send an object as JSON, or a string / buffer as it is. */
  send(msg: object | string | Buffer): void {
    this.ws.send(typeof msg === 'string' || Buffer.isBuffer(msg) ? msg : JSON.stringify(msg));
  }

  /** Send `hello` and wait for `welcome` (an `error` or a close before it rejects). */
  async hello(fields: Record<string, unknown> = { token: TOKEN }): Promise<Msg> {
    this.send({ type: 'hello', ...fields });
    const m = await this.nextOf(['welcome', 'error'], 2000);
    if (m.type !== 'welcome') throw new Error(`hello refused: ${JSON.stringify(m)}`);
    return m;
  }

  /** hello, then the snapshot and the first leases; returns all three. */
  async join(fields: Record<string, unknown> = { token: TOKEN }): Promise<{ welcome: Msg; snapshot: Msg; leases: Msg }> {
    const welcome = await this.hello(fields);
    const snapshot = await this.next('snapshot');
    const leases = await this.next('leases');
    return { welcome, snapshot, leases };
  }

  /** Take the first queued message of `type` (waiting for it); rejects after `timeoutMs`. */
  next(type: string, timeoutMs = 1000): Promise<Msg> {
    return this.nextOf([type], timeoutMs);
  }

  /** As next(), for the first message of any of `types`. */
  async nextOf(types: readonly string[], timeoutMs = 1000): Promise<Msg> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const i = this.queue.findIndex((m) => types.includes(m.type));
      if (i >= 0) return this.queue.splice(i, 1)[0];
      const left = end - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`no ${types.join('/')} within ${timeoutMs} ms (queued: ${this.queue.map((m) => m.type).join(', ') || 'nothing'})`);
      }
      await this.changed(left);
    }
  }

  /** Every queued text message up to and including the first of `type` (waiting for it), in arrival order. */
  async until(type: string, timeoutMs = 1000): Promise<Msg[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const i = this.queue.findIndex((m) => m.type === type);
      if (i >= 0) return this.queue.splice(0, i + 1);
      const left = end - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) throw new Error(`no ${type} within ${timeoutMs} ms`);
      await this.changed(left);
    }
  }

  /** The next binary frame (waiting for it). */
  async nextFrame(timeoutMs = 1000): Promise<Buffer> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.shift();
      if (f !== undefined) return f;
      const left = end - Date.now();
      if (left <= 0) throw new Error(`no binary frame within ${timeoutMs} ms`);
      await this.changed(left);
    }
  }

  /** Wait `ms`, then take every queued text message (those queued before included). */
  async collect(ms: number): Promise<Msg[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.queue.splice(0);
  }

  /** Drop everything queued so far (text and binary). */
  drain(): void {
    this.queue.length = 0;
    this.frames.length = 0;
  }

  /** Resolves with the close code and reason (at once if closed already). */
  closed(timeoutMs = 2000): Promise<{ code: number; reason: string }> {
    return Promise.race([
      this.closedP,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  }

  /** Close from this side (if still open) and wait until the socket is closed. */
  async end(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close(1000);
    await Promise.race([this.closedP, new Promise((r) => setTimeout(r, 500))]);
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }
}

/** A text message as an object; anything that is not a JSON object becomes `{type: 'unparsable'}`. */
function parseText(text: string): Msg {
  try {
    const m: unknown = JSON.parse(text);
    if (typeof m === 'object' && m !== null && !Array.isArray(m) && typeof (m as Msg).type === 'string') return m as Msg;
  } catch {
    // fall through
  }
  return { type: 'unparsable', text };
}

/** An upgrade the server refused: the status line's parts, the headers and the body. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly statusMessage: string,
    readonly headers: IncomingHttpHeaders,
    readonly body: string,
  ) {
    super(`upgrade refused: ${status} ${statusMessage} ${body}`);
  }
}

/** Open a WebSocket; resolves when it is open, rejects with UpgradeRefused if refused. */
export function connect(url: string, opts: ConnectOptions = {}, track?: RemoteConn[]): Promise<RemoteConn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: opts.headers, ...(opts.origin !== undefined ? { origin: opts.origin } : {}) });
    const conn = new RemoteConn(ws);
    track?.push(conn);
    ws.once('open', () => resolve(conn));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        reject(new UpgradeRefused(res.statusCode ?? 0, res.statusMessage ?? '', res.headers, Buffer.concat(chunks).toString('utf8')));
        ws.terminate();
      });
    });
    ws.once('error', (e) => reject(e));
  });
}

/** connect() that must be refused: returns the refusal. */
export async function refusedUpgrade(url: string, opts: ConnectOptions = {}): Promise<UpgradeRefused> {
  try {
    const c = await connect(url, opts);
    await c.end();
  } catch (e) {
    if (e instanceof UpgradeRefused) return e;
    throw e;
  }
  throw new Error('the upgrade was accepted');
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): any;
}

/** One HTTP request (no redirects followed). `body`: an object is sent as JSON, a string as is. */
export function http(method: string, url: string, opts: { headers?: Record<string, string>; body?: unknown } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    let payload: string | undefined;
    if (opts.body !== undefined) {
      payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['Content-Type'] ??= 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export function bearer(token = TOKEN): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** Make an invite through the REST API as the engineer; returns the response body. */
export async function invite(base: string, body: Record<string, unknown>): Promise<{ id: string; token: string; role: string; bus?: number; name: string; url: string }> {
  const r = await http('POST', `${base}/api/invites`, { headers: bearer(), body });
  if (r.status !== 201) throw new Error(`invite: ${r.status} ${r.body}`);
  return r.json();
}

/** Resolve after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The servers and connections of one test file: `start` and `open` track what they make, and
 * everything is closed after each test. Call once at the top of a file.
 */
export function remoteFixtures(): {
  start(extra?: ServerExtras): Promise<TestServer>;
  open(s: TestServer, opts?: ConnectOptions): Promise<RemoteConn>;
  readonly conns: RemoteConn[];
} {
  const servers: TestServer[] = [];
  const conns: RemoteConn[] = [];
  afterEach(async () => {
    await Promise.all(conns.splice(0).map((c) => c.end()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    conns,
    async start(extra: ServerExtras = {}): Promise<TestServer> {
      const s = await startTestServer(extra);
      servers.push(s);
      return s;
    },
    open: (s, opts = {}) => connect(s.wsUrl, opts, conns),
  };
}
