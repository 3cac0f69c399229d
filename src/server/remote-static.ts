/**
 * The web remote's files and the invite links, on the express app of http.ts.
 *
 * - `GET /join?token=…` (the link printed at start, in the QR code, and in each invite): checks
 *   the token (same limiter as the API), keeps it in an HTTP-only, SameSite=Strict cookie, and
 *   redirects to `/` (a performer's to `/mymix`), so the token leaves the address bar at once.
 * - Every other file of the remote needs that cookie (or a Bearer header): a browser without it
 *   gets the login page (401), which says how to get in. The login page and its stylesheet are
 *   the only files served to anyone.
 * - The pages carry a Content-Security-Policy allowing only this server's own scripts,
 *   WebSocket and images, no framing, and no referrer (so no link ever carries a token away).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type Request, type Response } from 'express';
import { TOKEN_COOKIE, verifyRequest, type Authenticator } from './auth.js';

/** Where `npm run build` puts the remote (web-remote/dist), from this module's place. */
export function remoteDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', 'web-remote', 'dist');
}

/** Lifetime of the cookie a join sets (30 days: a musician's phone stays in for the tour). */
export const COOKIE_MAX_AGE_S = 30 * 24 * 3600;

const PUBLIC_FILES = new Set(['/login.html', '/style.css']);
const PAGES = new Set(['/', '/index.html', '/mymix']);

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function pageHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

const FALLBACK_LOGIN = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>mixhost</title>
<body style="background:#15171a;color:#e8e8e8;font:16px system-ui,sans-serif;padding:2em"><h1>mixhost</h1>
<p>Open the link that mixhost printed when it started (or scan its QR code), or an invite link from the engineer.</p></body>`;

export function mountRemoteStatic(app: Express, auth: Authenticator, dir: string = remoteDir()): void {
  const loginFile = path.join(dir, 'login.html');
  const login = (): string => (existsSync(loginFile) ? readFileSync(loginFile, 'utf8') : FALLBACK_LOGIN);
  const sendLogin = (res: Response, status: number): void => {
    pageHeaders(res);
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).type('html').send(login());
  };

  app.get('/join', (req: Request, res: Response) => {
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    const verdict = auth.verifyToken(token, req.socket.remoteAddress, 'cookie');
    if (!verdict.ok) {
      if (verdict.status === 429) res.setHeader('Retry-After', verdict.headers['Retry-After'] ?? '60');
      return sendLogin(res, verdict.status);
    }
    res.cookie(TOKEN_COOKIE, token as string, { httpOnly: true, sameSite: 'strict', path: '/', maxAge: COOKIE_MAX_AGE_S * 1000 });
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.redirect(303, verdict.principal.role === 'performer' ? '/mymix' : '/');
  });

  app.get('/logout', (_req: Request, res: Response) => {
    res.clearCookie(TOKEN_COOKIE, { path: '/' });
    res.redirect(303, '/login.html');
  });

  // The files: the public ones, else only with the cookie (or a header).
  const files = express.static(dir, { index: false, fallthrough: true, etag: true, maxAge: 0 });
  app.use((req: Request, res: Response, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/api' || req.path.startsWith('/api/') || req.path === '/ws') return next();
    if (PUBLIC_FILES.has(req.path)) {
      if (req.path === '/login.html') return sendLogin(res, 200);
      return files(req, res, next);
    }
    const verdict = verifyRequest(auth, req);
    if (!verdict.ok) {
      if (PAGES.has(req.path) || (req.headers.accept ?? '').includes('text/html')) return sendLogin(res, verdict.status);
      res.status(verdict.status).type('application/json').send(JSON.stringify({ error: { code: verdict.code, message: verdict.message } }));
      return;
    }
    if (!existsSync(path.join(dir, 'index.html'))) {
      res.status(503).type('application/json').send(JSON.stringify({ error: { code: 'E_REMOTE_NOT_BUILT', message: 'the web remote is not built: run npm run build' } }));
      return;
    }
    if (PAGES.has(req.path)) {
      pageHeaders(res);
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(dir, 'index.html'));
      return;
    }
    files(req, res, next);
  });
}
