/**
 * The HTTP server of `mixhost serve`: express 5 on one node:http server, which the WebSocket
 * remote will later share (its `upgrade` event) along with the static web remote.
 *
 * Layout of the app, in order:
 *   1. headers on every answer: no `X-Powered-By`, `X-Content-Type-Options: nosniff`;
 *      `Cache-Control: no-store` on /api;
 *   2. `GET /api/health`, the one unauthenticated route (`{"ok":true}`, nothing else);
 *   3. token authentication of every other /api request (auth.ts);
 *   4. the JSON body parser (64 KiB limit) — after authentication, so strangers' bodies are
 *      never parsed;
 *   5. the routes: `GET /api/status` here; later work adds more to `app` at any time before
 *      requests arrive.
 * What no route answers reaches a final handler outside the express stack (so routes added
 * later still come before it): 405 with `Allow` when the path exists under another method, else
 * 404; errors become `{"error":{"code","message"}}` with 400/413/415/500. The process never dies
 * of a request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import express, { type Express, type Request, type Response } from 'express';
import { MixhostError } from '../model/errors.js';
import { Authenticator, authMiddleware, errorBody, type AuthLimits, type TokenResolver } from './auth.js';

/** Largest request body accepted (bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpOptions {
  readonly port: number; // 0 = any free port
  readonly host: string; // '0.0.0.0' by default in serve; '127.0.0.1' with --local-only
  readonly token: string;
  /** Called per request: the JSON body of GET /api/status. */
  readonly status: () => unknown;
  /** Told of every 500 (default: one line on stderr; the stack too with MIXHOST_DEBUG=1). */
  readonly onError?: (err: unknown, req: IncomingMessage) => void;
  /** Limits of the token-guessing limiter (defaults: 20 wrong tokens per 60 s, 1024 addresses). */
  readonly authLimits?: AuthLimits;
  /** Principals of tokens other than the access token (the invites). */
  readonly resolveToken?: TokenResolver;
}

export interface HttpServer {
  readonly port: number;
  readonly host: string;
  /** http://<host>:<port>/ as a client reaches it (127.0.0.1 for loopback/any). */
  readonly url: string;
  /** The underlying node:http server (for the WebSocket upgrade later). */
  readonly server: Server;
  /** The express app (routes may be added before requests arrive). */
  readonly app: Express;
  /** The token check, for the WebSocket upgrade (same limiter as the API). */
  readonly auth: Authenticator;
  close(): Promise<void>;
}

/** Listen; a port in use or not permitted -> MixhostError E_HTTP_LISTEN naming host:port. */
export async function startHttpServer(opts: HttpOptions): Promise<HttpServer> {
  const auth = new Authenticator(opts.token, opts.authLimits, opts.resolveToken);
  const onError = opts.onError ?? logError;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // API answers are never cached; static files set their own

  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.use('/api', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.get('/api/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.use('/api', authMiddleware(auth));
  app.use('/api', express.json({ limit: MAX_BODY_BYTES }));
  app.get('/api/status', (req, res) => {
    let body: string | undefined;
    try {
      body = JSON.stringify(opts.status() ?? null);
    } catch (err) {
      onError(err, req);
      sendError(res, 500, 'E_INTERNAL', `internal error while answering ${req.method} ${req.path}`);
      return;
    }
    res.type('application/json').send(body);
  });

  const server = createServer((req, res) => {
    app(req as Request, res as Response, (err?: unknown) => finalHandler(app, err, req as Request, res as Response, onError));
  });

  await listen(server, opts.port, opts.host);
  const address = server.address() as AddressInfo;
  const url = `http://${clientHost(address.address)}:${address.port}/`;
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    host: opts.host,
    url,
    server,
    app,
    auth,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) => {
      server.off('listening', ok);
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      const why: Record<string, string> = {
        EADDRINUSE: 'the port is in use (another mixhost, or another program); choose another with --http',
        EACCES: 'not permitted (ports below 1024 need privileges); choose another with --http',
        EADDRNOTAVAIL: 'this machine has no such address',
        ENOTFOUND: 'no such host name',
      };
      reject(new MixhostError('E_HTTP_LISTEN', `cannot listen on ${where}: ${why[err.code ?? ''] ?? err.message}`));
    };
    const ok = () => {
      server.off('error', fail);
      resolve();
    };
    server.once('error', fail);
    server.once('listening', ok);
    server.listen({ port, host });
  });
}

/** The host a client on this machine uses to reach a server bound to `bound`. */
function clientHost(bound: string): string {
  if (bound === '0.0.0.0' || bound === '::' || bound === '' || bound.startsWith('127.') || bound === '::ffff:127.0.0.1') {
    return '127.0.0.1';
  }
  return bound.includes(':') ? `[${bound}]` : bound;
}

/** Non-internal IPv4 addresses of this machine, for printing the remote's LAN address. */
export function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      const family: unknown = a.family;
      if ((family === 'IPv4' || family === 4) && !a.internal && !out.includes(a.address)) out.push(a.address);
    }
  }
  return out;
}

function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(errorBody(code, message));
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

function logError(err: unknown, req: IncomingMessage): void {
  const text = err instanceof Error ? err.message : String(err);
  process.stderr.write(`mixhost: E_INTERNAL: ${req.method} ${req.url}: ${text}\n`);
  if (err instanceof Error && process.env.MIXHOST_DEBUG) process.stderr.write(`${err.stack}\n`);
}

/** Errors of the body parser (body-parser sets `type` and `status`). */
interface HttpishError {
  status?: unknown;
  type?: unknown;
  message?: unknown;
}

/** After the express stack: 405/404 for what nothing answered, the error body for errors. */
function finalHandler(app: Express, err: unknown, req: Request, res: Response, onError: (err: unknown, req: IncomingMessage) => void): void {
  if (res.headersSent) {
    if (err) onError(err, req);
    req.socket.destroy();
    return;
  }
  const path = pathOf(req);
  const where = `${req.method} ${path}`;
  if (err) {
    const e = (typeof err === 'object' ? err : {}) as HttpishError;
    const status = typeof e.status === 'number' ? e.status : 500;
    if (status === 413) {
      sendError(res, 413, 'E_HTTP_BODY', `the request body is larger than ${MAX_BODY_BYTES / 1024} KiB`);
    } else if (e.type === 'entity.parse.failed') {
      sendError(res, 400, 'E_HTTP_BODY', `the request body is not valid JSON: ${String(e.message)}`);
    } else if (status >= 400 && status < 500) {
      // Other body errors (unsupported charset or encoding, aborted upload) carry a `type`;
      // anything else is a request express could not route (a parameter that does not decode).
      const code = typeof e.type === 'string' ? 'E_HTTP_BODY' : 'E_HTTP_REQUEST';
      sendError(res, status, code, `bad request: ${String(e.message)}`);
    } else {
      onError(err, req);
      sendError(res, 500, 'E_INTERNAL', `internal error while answering ${where}`);
    }
    return;
  }
  if (path === '/api' || path.startsWith('/api/')) {
    const allow = allowedMethods(app, path);
    if (allow.length > 0) {
      sendError(res, 405, 'E_HTTP_METHOD', `${req.method} is not allowed on ${path}; allowed: ${allow.join(', ')}`, { Allow: allow.join(', ') });
    } else {
      sendError(res, 404, 'E_NOT_FOUND', `no such endpoint: ${where}`);
    }
    return;
  }
  sendError(res, 404, 'E_NOT_FOUND', `not found: ${where}`);
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** The parts of express's router this module reads (router 2.x layers and routes). */
interface LayerLike {
  match?: (path: string) => { path?: unknown } | false;
  route?: { _methods?: () => string[] };
  handle?: { stack?: unknown };
}

/** Methods the app's routes answer on `path` (walking mounted routers too); empty if none. */
function allowedMethods(app: Express, path: string): string[] {
  const found = new Set<string>();
  const walk = (stack: unknown, p: string, depth: number) => {
    if (!Array.isArray(stack) || depth > 8) return;
    for (const layer of stack as LayerLike[]) {
      let m: ReturnType<NonNullable<LayerLike['match']>>;
      try {
        m = layer.match ? layer.match(p) : false;
      } catch {
        continue; // a parameter that does not decode: this layer cannot match
      }
      if (!m) continue;
      if (layer.route) {
        for (const method of layer.route._methods?.() ?? []) found.add(method);
      } else if (layer.handle && Array.isArray(layer.handle.stack)) {
        const prefix = typeof m.path === 'string' ? m.path : '';
        walk(layer.handle.stack, p.slice(prefix.length) || '/', depth + 1);
      }
    }
  };
  walk((app as unknown as { router?: { stack?: unknown } }).router?.stack, path, 0);
  return [...found].sort();
}
