/**
 * Token authentication of the HTTP API (and, later, of the WebSocket upgrade on the same port).
 *
 * One shared secret, sent as `Authorization: Bearer <token>`. The token comes from `--token`,
 * else `MIXHOST_TOKEN`, else 128 random bits. Comparison is constant-time: both sides are hashed
 * to SHA-256 first, so neither the content nor the length of the token leaks through timing.
 *
 * Guessing is slowed by a per-address limiter: more than `maxFailures` wrong tokens within one
 * window (20 in 60 s) and the address is answered 429 for the rest of that window, without the
 * token being compared at all. Only wrong tokens count (a missing header guesses nothing).
 * IPv6 clients are grouped by their /64, since one host usually holds a whole /64. The table is
 * capped (1024 addresses): expired entries go first, then the oldest.
 *
 * `Authenticator.verify` works on a header value and an address, not on an express request, so
 * the WebSocket upgrade handler can use the very same check and limiter.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Principal } from '../control/roles.js';
import { MixhostError } from '../model/errors.js';

export interface TokenChoice {
  readonly token: string;
  readonly origin: 'flag' | 'env' | 'generated';
}

/** A token shorter than this is refused: it could be guessed over the network. */
export const MIN_TOKEN_LENGTH = 8;
/** Longer than this cannot be a real token (HTTP headers are limited to 16 KiB anyway). */
export const MAX_TOKEN_LENGTH = 1024;
/** The realm named in `WWW-Authenticate`. */
export const AUTH_REALM = 'mixhost';

/**
 * --token wins, else MIXHOST_TOKEN, else a random 128-bit token, base64url (22 chars). A given
 * token shorter than 8 characters or with whitespace/control characters -> MixhostError E_USAGE.
 * An empty MIXHOST_TOKEN counts as unset; an empty --token is refused (too short).
 */
export function chooseToken(flag: string | undefined, env: NodeJS.ProcessEnv): TokenChoice {
  if (flag !== undefined) return { token: validToken(flag, '--token'), origin: 'flag' };
  const fromEnv = env.MIXHOST_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') return { token: validToken(fromEnv, 'MIXHOST_TOKEN'), origin: 'env' };
  return { token: randomBytes(16).toString('base64url'), origin: 'generated' };
}

function validToken(token: string, from: string): string {
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new MixhostError('E_USAGE', `${from}: the token is ${token.length} characters long; use at least ${MIN_TOKEN_LENGTH} (longer is better)`);
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new MixhostError('E_USAGE', `${from}: the token is ${token.length} characters long; at most ${MAX_TOKEN_LENGTH} are accepted`);
  }
  // Visible ASCII only: whitespace, control characters and non-ASCII letters cannot travel
  // unchanged in an HTTP header.
  const bad = /[^\x21-\x7e]/.exec(token);
  if (bad) {
    const c = bad[0].codePointAt(0) ?? 0;
    const what = /\s/.test(bad[0]) ? 'whitespace' : c < 0x20 || c === 0x7f ? 'a control character' : 'a non-ASCII character';
    throw new MixhostError('E_USAGE', `${from}: the token contains ${what} at position ${bad.index + 1}; use printable ASCII without spaces`);
  }
  return token;
}

const BEARER = /^[ \t]*bearer[ \t]+([^ \t]+)[ \t]*$/i;

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time check of an `Authorization` header value ("Bearer <token>", scheme case-insensitive). */
export function checkBearer(header: string | undefined, token: string): 'ok' | 'missing' | 'invalid' {
  if (header === undefined || header.trim() === '') return 'missing';
  const m = BEARER.exec(header);
  // Compare even when the header is malformed, so that every invalid header costs the same.
  const given = m ? m[1] : '';
  const same = timingSafeEqual(digest(given), digest(token));
  return m && same ? 'ok' : 'invalid';
}

/** The principal of the access token itself. */
export const ENGINEER: Principal = { role: 'engineer', name: 'engineer', id: 'engineer' };

/** The name of the HTTP-only cookie a browser keeps its token in (set by `/join`). */
export const TOKEN_COOKIE = 'mixhost_token';

/** Where a request's token came from. */
export type TokenCarrier = 'bearer' | 'cookie' | 'hello';

/** Looks up the principal of a token other than the access token (the invites). */
export type TokenResolver = (token: string) => Principal | undefined;

/** The outcome of `Authenticator.verify`. */
export type AuthVerdict =
  | { readonly ok: true; readonly principal: Principal; readonly via: TokenCarrier }
  | {
      readonly ok: false;
      readonly status: 401 | 429;
      readonly code: 'E_AUTH_MISSING' | 'E_AUTH_INVALID' | 'E_AUTH_RATE';
      readonly message: string;
      /** Headers to send with the refusal (`WWW-Authenticate` or `Retry-After`). */
      readonly headers: Readonly<Record<string, string>>;
    };

export interface AuthLimits {
  /** Wrong tokens allowed per address and window; the next attempt is answered 429. Default 20. */
  readonly maxFailures?: number;
  /** Window length in ms, counted from an address's first failure. Default 60 000. */
  readonly windowMs?: number;
  /** Addresses tracked at most. Default 1024. */
  readonly maxAddresses?: number;
  /** Clock in ms (tests pass a fake one). Default `Date.now`. */
  readonly now?: () => number;
}

interface FailureWindow {
  start: number;
  failures: number;
}

/**
 * Key of a client address for the limiter: IPv4 as is (IPv4-mapped IPv6 unwrapped), IPv6 by its
 * /64 prefix, anything unparsable as given.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(':')) return address;
  const groups = expandIpv6(address);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

/** The eight 16-bit groups of an IPv6 address (hex, no leading zeros), or undefined. */
function expandIpv6(address: string): string[] | undefined {
  let a = address.replace(/%.*$/, '').toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (v4) {
    const b = v4.slice(1).map(Number);
    if (b.some((x) => x > 255)) return undefined;
    a = a.slice(0, v4.index) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const halves = a.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => parseInt(g, 16).toString(16));
}

/** Checks tokens and limits guessing per client address. One per server. */
export class Authenticator {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;
  private readonly table = new Map<string, FailureWindow>();

  constructor(
    private readonly token: string,
    limits: AuthLimits = {},
    private readonly resolveOther: TokenResolver = () => undefined,
  ) {
    this.maxFailures = limits.maxFailures ?? 20;
    this.windowMs = limits.windowMs ?? 60_000;
    this.maxAddresses = limits.maxAddresses ?? 1024;
    this.now = limits.now ?? Date.now;
  }

  /** Addresses currently tracked by the limiter (never more than `maxAddresses`). */
  get trackedAddresses(): number {
    return this.table.size;
  }

  /** Check an `Authorization` header value sent from `remoteAddress`. */
  verify(authorization: string | undefined, remoteAddress: string | undefined): AuthVerdict {
    if (authorization === undefined || authorization.trim() === '') return this.check(undefined, remoteAddress, 'bearer');
    const m = BEARER.exec(authorization);
    // A header in another scheme is a wrong token (counted), checked like any other.
    return this.check(m ? m[1] : '', remoteAddress, 'bearer');
  }

  /** Check a bare token (from a WebSocket `hello`, or the cookie, or `/join`). */
  verifyToken(token: string | undefined, remoteAddress: string | undefined, via: TokenCarrier): AuthVerdict {
    return this.check(token === '' ? undefined : token, remoteAddress, via);
  }

  private check(token: string | undefined, remoteAddress: string | undefined, via: TokenCarrier): AuthVerdict {
    const key = addressKey(remoteAddress);
    const now = this.now();
    let entry = this.table.get(key);
    if (entry && now - entry.start >= this.windowMs) {
      this.table.delete(key);
      entry = undefined;
    }
    if (entry && entry.failures >= this.maxFailures) {
      const retry = Math.max(1, Math.ceil((entry.start + this.windowMs - now) / 1000));
      return {
        ok: false,
        status: 429,
        code: 'E_AUTH_RATE',
        message: `too many wrong tokens from this address; try again in ${retry} s`,
        headers: { 'Retry-After': String(retry) },
      };
    }
    const headers = { 'WWW-Authenticate': `Bearer realm="${AUTH_REALM}"` };
    if (token === undefined) {
      return { ok: false, status: 401, code: 'E_AUTH_MISSING', message: "no token: send the header 'Authorization: Bearer <token>'", headers };
    }
    // The access token: compared in constant time. Invites: looked up by their SHA-256.
    const same = timingSafeEqual(digest(token), digest(this.token));
    const principal = same ? ENGINEER : token.length <= MAX_TOKEN_LENGTH ? this.resolveOther(token) : undefined;
    if (principal !== undefined) return { ok: true, principal, via };
    this.recordFailure(key, entry, now);
    return { ok: false, status: 401, code: 'E_AUTH_INVALID', message: "wrong token (or not a Bearer token): send 'Authorization: Bearer <token>'", headers };
  }

  private recordFailure(key: string, entry: FailureWindow | undefined, now: number): void {
    if (entry) {
      entry.failures++;
      return;
    }
    if (this.table.size >= this.maxAddresses) this.evict(now);
    this.table.set(key, { start: now, failures: 1 });
  }

  /** Make room for one address: drop expired windows, else the oldest one. */
  private evict(now: number): void {
    for (const [k, e] of this.table) if (now - e.start >= this.windowMs) this.table.delete(k);
    while (this.table.size >= this.maxAddresses) {
      const oldest = this.table.keys().next();
      if (oldest.done) break;
      this.table.delete(oldest.value);
    }
  }
}

/** The JSON error body every refusal of the API uses. */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** Answer a refused request on a plain node response (usable outside express). */
export function sendRefusal(res: ServerResponse, verdict: Exclude<AuthVerdict, { ok: true }>): void {
  const body = JSON.stringify(errorBody(verdict.code, verdict.message));
  res.statusCode = verdict.status;
  for (const [k, v] of Object.entries(verdict.headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** The value of one cookie in a `Cookie` header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/**
 * Check a node request (the HTTP API, the static remote and the WebSocket upgrade): the
 * `Authorization` header if there is one, else the token cookie a browser got from `/join`.
 */
export function verifyRequest(auth: Authenticator, req: IncomingMessage): AuthVerdict {
  if (req.headers.authorization !== undefined) return auth.verify(req.headers.authorization, req.socket.remoteAddress);
  return auth.verifyToken(cookieValue(req.headers.cookie, TOKEN_COOKIE), req.socket.remoteAddress, 'cookie');
}

/** The principal express requests carry after `authMiddleware`. */
export function principalOf(res: Response): Principal {
  const p = (res.locals as { principal?: Principal }).principal;
  if (p === undefined) throw new Error('principalOf: the request was not authenticated');
  return p;
}

/**
 * Express middleware: lets authenticated requests through (with `res.locals.principal` and
 * `res.locals.via`), answers 401/429 otherwise. A request that changes something and is
 * authenticated by the cookie alone must also carry `X-Mixhost-Request` (which no other site's
 * page can add), so that a page elsewhere cannot make a browser change the mix.
 */
export function authMiddleware(auth: Authenticator): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const verdict = verifyRequest(auth, req);
    if (!verdict.ok) {
      sendRefusal(res, verdict);
      return;
    }
    const safe = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
    if (verdict.via === 'cookie' && !safe && req.headers['x-mixhost-request'] === undefined) {
      const body = JSON.stringify(errorBody('E_AUTH_CSRF', `${req.method} with the browser's cookie needs the header 'X-Mixhost-Request: 1'`));
      res.status(403).type('application/json').send(body);
      return;
    }
    res.locals.principal = verdict.principal;
    res.locals.via = verdict.via;
    next();
  };
}
