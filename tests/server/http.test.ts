/**
 * The HTTP server: token auth (header parsing, constant-time check, the per-address limiter),
 * GET /api/status and /api/health, the error bodies (401/404/405/413/400/429/500), the headers,
 * E_HTTP_LISTEN and close() with connections still open. Real HTTP on 127.0.0.1, port 0.
 */
import { request as httpRequest, Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MixhostError } from '../../src/model/errors.js';
import { addressKey, Authenticator, checkBearer, chooseToken } from '../../src/server/auth.js';
import { lanAddresses, startHttpServer, type HttpOptions, type HttpServer } from '../../src/server/http.js';

const TOKEN = 'correct-horse-battery-staple';
const STATUS = { audio: { backend: 'null', sampleRate: 48000, blockSize: 128, deadlineMisses: 0 } };

const open: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(extra: Partial<HttpOptions> = {}): Promise<HttpServer> {
  const s = await startHttpServer({ port: 0, host: '127.0.0.1', token: TOKEN, status: () => STATUS, ...extra });
  open.push(s);
  return s;
}

function bearer(token = TOKEN): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return body.error;
}

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MixhostError);
    expect((e as MixhostError).code).toBe('E_USAGE');
    return (e as MixhostError).message;
  }
  throw new Error('expected E_USAGE');
}

describe('chooseToken', () => {
  it('takes --token over MIXHOST_TOKEN, MIXHOST_TOKEN over a generated one', () => {
    expect(chooseToken('from-the-flag', { MIXHOST_TOKEN: 'from-the-env' })).toEqual({ token: 'from-the-flag', origin: 'flag' });
    expect(chooseToken(undefined, { MIXHOST_TOKEN: 'from-the-env' })).toEqual({ token: 'from-the-env', origin: 'env' });
    const g = chooseToken(undefined, {});
    expect(g.origin).toBe('generated');
    expect(g.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(g.token, 'base64url').length).toBe(16);
    expect(chooseToken(undefined, {}).token).not.toBe(g.token);
    // An empty variable is unset.
    expect(chooseToken(undefined, { MIXHOST_TOKEN: '' }).origin).toBe('generated');
  });

  it('refuses short tokens and whitespace or control characters, from either source', () => {
    expect(chooseToken('12345678', {}).token).toBe('12345678');
    expect(usageError(() => chooseToken('1234567', {}))).toBe('--token: the token is 7 characters long; use at least 8 (longer is better)');
    expect(usageError(() => chooseToken('', {}))).toContain('0 characters');
    expect(usageError(() => chooseToken(undefined, { MIXHOST_TOKEN: 'short' }))).toContain('MIXHOST_TOKEN: the token is 5 characters');
    expect(usageError(() => chooseToken('has a space', {}))).toContain('whitespace at position 4');
    expect(usageError(() => chooseToken('tab\there-x', {}))).toContain('whitespace at position 4');
    expect(usageError(() => chooseToken('ctrl\x01char', {}))).toContain('a control character at position 5');
    expect(usageError(() => chooseToken('del\x7fchars', {}))).toContain('a control character at position 4');
    expect(usageError(() => chooseToken(undefined, { MIXHOST_TOKEN: 'line\nbreak' }))).toContain('whitespace');
    expect(usageError(() => chooseToken('x'.repeat(1025), {}))).toContain('at most 1024');
  });
});

describe('checkBearer', () => {
  it('accepts the Bearer scheme in any case, with the exact token only', () => {
    expect(checkBearer(`Bearer ${TOKEN}`, TOKEN)).toBe('ok');
    expect(checkBearer(`bearer ${TOKEN}`, TOKEN)).toBe('ok');
    expect(checkBearer(`BEARER   ${TOKEN} `, TOKEN)).toBe('ok');
    expect(checkBearer(undefined, TOKEN)).toBe('missing');
    expect(checkBearer('', TOKEN)).toBe('missing');
    expect(checkBearer('   ', TOKEN)).toBe('missing');
    expect(checkBearer(`Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`, TOKEN)).toBe('invalid');
    expect(checkBearer(`Basic ${TOKEN}`, TOKEN)).toBe('invalid');
    expect(checkBearer(TOKEN, TOKEN)).toBe('invalid');
    expect(checkBearer('Bearer', TOKEN)).toBe('invalid');
    expect(checkBearer(`Bearer ${TOKEN} extra`, TOKEN)).toBe('invalid');
    expect(checkBearer(`Bearer ${TOKEN.slice(0, -1)}`, TOKEN)).toBe('invalid');
    expect(checkBearer(`Bearer ${TOKEN}x`, TOKEN)).toBe('invalid');
    expect(checkBearer(`Bearer ${TOKEN.toUpperCase()}`, TOKEN)).toBe('invalid');
  });
});

describe('Authenticator limiter', () => {
  it('answers 429 after 20 wrong tokens until the window ends, then counts afresh', () => {
    let now = 1_000_000;
    const auth = new Authenticator(TOKEN, { now: () => now });
    for (let i = 0; i < 20; i++) {
      const v = auth.verify('Bearer wrong-token', '10.0.0.7');
      expect(v.ok ? 0 : v.status).toBe(401);
      now += 1000;
    }
    // 20 failures in 19 s: the 21st attempt is refused without comparing, even a right token.
    const limited = auth.verify(`Bearer ${TOKEN}`, '10.0.0.7');
    expect(limited).toMatchObject({ ok: false, status: 429, code: 'E_AUTH_RATE', headers: { 'Retry-After': '40' } });
    // Other addresses are not affected; missing headers do not count as guesses.
    expect(auth.verify(`Bearer ${TOKEN}`, '10.0.0.8')).toMatchObject({ ok: true, principal: { role: 'engineer' } });
    for (let i = 0; i < 30; i++) expect(auth.verify(undefined, '10.0.0.9')).toMatchObject({ status: 401, code: 'E_AUTH_MISSING' });
    now = 1_000_000 + 59_999;
    expect(auth.verify(`Bearer ${TOKEN}`, '10.0.0.7')).toMatchObject({ status: 429, headers: { 'Retry-After': '1' } });
    now = 1_000_000 + 60_000;
    expect(auth.verify(`Bearer ${TOKEN}`, '10.0.0.7')).toMatchObject({ ok: true, principal: { role: 'engineer' } });
    expect(auth.verify('Bearer wrong-token', '10.0.0.7')).toMatchObject({ status: 401, code: 'E_AUTH_INVALID' });
  });

  it('groups IPv6 clients by /64 and unwraps IPv4-mapped addresses', () => {
    expect(addressKey('::ffff:192.168.1.20')).toBe('192.168.1.20');
    expect(addressKey('192.168.1.20')).toBe('192.168.1.20');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
    const auth = new Authenticator(TOKEN, { maxFailures: 2 });
    auth.verify('Bearer nope-nope', '2001:db8:1:2::a');
    auth.verify('Bearer nope-nope', '2001:db8:1:2::b');
    expect(auth.verify(`Bearer ${TOKEN}`, '2001:db8:1:2::c')).toMatchObject({ status: 429 });
    expect(auth.verify(`Bearer ${TOKEN}`, '2001:db8:1:3::c')).toMatchObject({ ok: true, principal: { role: 'engineer' } });
  });

  it('tracks at most 1024 addresses, dropping the oldest', () => {
    const auth = new Authenticator(TOKEN, { maxFailures: 1, now: () => 0 });
    for (let i = 0; i < 1100; i++) auth.verify('Bearer wrong-token', `10.${i >> 8}.${i & 255}.1`);
    expect(auth.trackedAddresses).toBe(1024);
    // The newest address is still limited, the first ones were dropped.
    expect(auth.verify(`Bearer ${TOKEN}`, `10.${1099 >> 8}.${1099 & 255}.1`)).toMatchObject({ status: 429 });
    expect(auth.verify(`Bearer ${TOKEN}`, '10.0.0.1')).toMatchObject({ ok: true, principal: { role: 'engineer' } });
  });
});

describe('startHttpServer', () => {
  it('answers GET /api/status with the status body and the API headers', async () => {
    const s = await start();
    expect(s.url).toBe(`http://127.0.0.1:${s.port}/`);
    expect(s.host).toBe('127.0.0.1');
    expect(s.port).toBeGreaterThan(0);
    const res = await fetch(`${s.url}api/status`, { headers: bearer() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(await res.json()).toEqual(STATUS);
  });

  it('calls status() per request', async () => {
    let n = 0;
    const s = await start({ status: () => ({ n: ++n }) });
    for (const want of [1, 2, 3]) expect(await (await fetch(`${s.url}api/status`, { headers: bearer() })).json()).toEqual({ n: want });
  });

  it('answers GET /api/health without a token, and nothing more', async () => {
    const s = await start();
    const res = await fetch(`${s.url}api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a missing header with 401 E_AUTH_MISSING and WWW-Authenticate', async () => {
    const s = await start();
    for (const path of ['api/status', 'api/nope', 'api']) {
      const res = await fetch(`${s.url}${path}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="mixhost"');
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect((await errorOf(res)).code).toBe('E_AUTH_MISSING');
    }
  });

  it('refuses a wrong token, a wrong scheme and a token of another length with 401 E_AUTH_INVALID', async () => {
    const s = await start();
    const headers = [
      bearer('correct-horse-battery-stapler'),
      bearer('correct-horse-battery-stapla'),
      bearer('short-one'),
      bearer(TOKEN + TOKEN),
      { Authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` },
      { Authorization: TOKEN },
    ];
    for (const h of headers) {
      const res = await fetch(`${s.url}api/status`, { headers: h });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="mixhost"');
      expect(await errorOf(res)).toEqual({ code: 'E_AUTH_INVALID', message: "wrong token (or not a Bearer token): send 'Authorization: Bearer <token>'" });
    }
  });

  it('answers 429 E_AUTH_RATE from the 21st failure on, even to the right token', async () => {
    const s = await start();
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${s.url}api/status`, { headers: bearer(`wrong-token-${i}`) });
      expect(res.status).toBe(401);
      await res.arrayBuffer();
    }
    const res21 = await fetch(`${s.url}api/status`, { headers: bearer('wrong-token-21') });
    expect(res21.status).toBe(429);
    expect(Number(res21.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(res21.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await errorOf(res21)).code).toBe('E_AUTH_RATE');
    const right = await fetch(`${s.url}api/status`, { headers: bearer() });
    expect(right.status).toBe(429);
    expect((await errorOf(right)).code).toBe('E_AUTH_RATE');
    // The health route stays open.
    expect((await fetch(`${s.url}api/health`)).status).toBe(200);
  });

  it('answers 500 E_INTERNAL when status() throws, and keeps serving', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const s = await start({
      status: () => {
        if (++calls === 1) throw new Error('meter snapshot unavailable');
        return { calls };
      },
      onError: (err) => errors.push(err),
    });
    const bad = await fetch(`${s.url}api/status`, { headers: bearer() });
    expect(bad.status).toBe(500);
    expect(await errorOf(bad)).toEqual({ code: 'E_INTERNAL', message: 'internal error while answering GET /api/status' });
    expect(errors.map((e) => (e as Error).message)).toEqual(['meter snapshot unavailable']);
    const good = await fetch(`${s.url}api/status`, { headers: bearer() });
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ calls: 2 });
  });

  it('answers 500 when the status cannot be serialised', async () => {
    const errors: unknown[] = [];
    const s = await start({ status: () => ({ big: 1n }), onError: (err) => errors.push(err) });
    const res = await fetch(`${s.url}api/status`, { headers: bearer() });
    expect(res.status).toBe(500);
    expect((await errorOf(res)).code).toBe('E_INTERNAL');
    expect(errors).toHaveLength(1);
  });

  it('answers 404 E_NOT_FOUND for an unknown endpoint (after authentication)', async () => {
    const s = await start();
    const res = await fetch(`${s.url}api/x?y=1`, { headers: bearer() });
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await errorOf(res)).toEqual({ code: 'E_NOT_FOUND', message: 'no such endpoint: GET /api/x' });
    const del = await fetch(`${s.url}api/status/deeper`, { method: 'DELETE', headers: bearer() });
    expect(del.status).toBe(404);
    expect((await errorOf(del)).message).toBe('no such endpoint: DELETE /api/status/deeper');
  });

  it('answers 405 with Allow for a wrong method on a known path', async () => {
    const s = await start();
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetch(`${s.url}api/status`, { method, headers: bearer() });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      expect(await errorOf(res)).toEqual({ code: 'E_HTTP_METHOD', message: `${method} is not allowed on /api/status; allowed: GET, HEAD` });
    }
    // /api/health is open for GET only: other methods need the token first.
    expect((await fetch(`${s.url}api/health`, { method: 'POST' })).status).toBe(401);
    const post = await fetch(`${s.url}api/health`, { method: 'POST', headers: bearer() });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('serves routes added to the app after start, behind the token, with their own 405', async () => {
    const s = await start();
    const router = (await import('express')).default.Router();
    router.put('/params/:id', (req, res) => void res.json({ id: req.params.id, body: req.body as unknown }));
    s.app.use('/api', router);
    s.app.post('/api/echo', (req, res) => void res.json(req.body));
    expect((await fetch(`${s.url}api/echo`, { method: 'POST' })).status).toBe(401);
    const echo = await fetch(`${s.url}api/echo`, { method: 'POST', headers: { ...bearer(), 'Content-Type': 'application/json' }, body: '{"a":[1,2]}' });
    expect(echo.status).toBe(200);
    expect(await echo.json()).toEqual({ a: [1, 2] });
    const put = await fetch(`${s.url}api/params/7`, { method: 'PUT', headers: { ...bearer(), 'Content-Type': 'application/json' }, body: '{"v":-6}' });
    expect(await put.json()).toEqual({ id: '7', body: { v: -6 } });
    const get = await fetch(`${s.url}api/params/7`, { headers: bearer() });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('PUT');
    const getEcho = await fetch(`${s.url}api/echo`, { headers: bearer() });
    expect(getEcho.headers.get('allow')).toBe('POST');
  });

  it('answers 413 for a body over 64 KiB and 400 E_HTTP_BODY for malformed JSON, then keeps serving', async () => {
    const s = await start();
    const json = { ...bearer(), 'Content-Type': 'application/json' };
    const big = JSON.stringify({ pad: 'x'.repeat(64 * 1024) });
    const res413 = await fetch(`${s.url}api/status`, { method: 'POST', headers: json, body: big });
    expect(res413.status).toBe(413);
    expect(await errorOf(res413)).toEqual({ code: 'E_HTTP_BODY', message: 'the request body is larger than 64 KiB' });
    // Just under the limit is parsed (and then refused as a wrong method).
    const fits = JSON.stringify({ pad: 'x'.repeat(64 * 1024 - 20) });
    expect(Buffer.byteLength(fits)).toBeLessThanOrEqual(64 * 1024);
    expect((await fetch(`${s.url}api/status`, { method: 'POST', headers: json, body: fits })).status).toBe(405);
    const res400 = await fetch(`${s.url}api/status`, { method: 'POST', headers: json, body: '{"fader": -6,' });
    expect(res400.status).toBe(400);
    const e = await errorOf(res400);
    expect(e.code).toBe('E_HTTP_BODY');
    expect(e.message).toMatch(/^the request body is not valid JSON: /);
    // A body is never parsed before authentication.
    expect((await fetch(`${s.url}api/status`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' })).status).toBe(401);
    expect((await fetch(`${s.url}api/status`, { headers: bearer() })).status).toBe(200);
  });

  it('answers unknown paths outside /api with 404 and nosniff', async () => {
    const s = await start();
    const res = await fetch(`${s.url}remote/nothing`);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect((await errorOf(res)).code).toBe('E_NOT_FOUND');
  });

  it('fails with E_HTTP_LISTEN naming host:port when the port is taken', async () => {
    const s = await start();
    const err = await startHttpServer({ port: s.port, host: '127.0.0.1', token: TOKEN, status: () => STATUS }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MixhostError);
    expect((err as MixhostError).code).toBe('E_HTTP_LISTEN');
    expect((err as MixhostError).message).toContain(`127.0.0.1:${s.port}`);
    expect((err as MixhostError).message).toContain('in use');
    // The first server is unharmed.
    expect((await fetch(`${s.url}api/health`)).status).toBe(200);
  });

  it('close() ends idle keep-alive and busy connections and resolves', async () => {
    const s = await startHttpServer({ port: 0, host: '127.0.0.1', token: TOKEN, status: () => STATUS });
    // An idle kept-alive connection.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const kept = await new Promise<Socket>((resolve, reject) => {
      const req = httpRequest(`${s.url}api/status`, { agent, headers: bearer() }, (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.headers.connection).toBe('keep-alive');
        res.resume();
        res.on('end', () => resolve(req.socket as Socket));
      });
      req.on('error', reject);
      req.end();
    });
    // A connection in the middle of a request: headers sent, body still missing.
    const busy = connect(s.port, '127.0.0.1');
    await new Promise<void>((resolve) => busy.once('connect', () => resolve()));
    busy.on('error', () => undefined);
    busy.write(`POST /api/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":`);
    await new Promise((r) => setImmediate(r));
    const closedKept = new Promise<void>((r) => kept.once('close', () => r()));
    const closedBusy = new Promise<void>((r) => busy.once('close', () => r()));
    expect(kept.destroyed).toBe(false);
    await s.close();
    await Promise.all([closedKept, closedBusy]);
    expect(s.server.listening).toBe(false);
    await s.close(); // a second close is harmless
    agent.destroy();
    await expect(fetch(`${s.url}api/health`)).rejects.toThrow();
  });
});

describe('lanAddresses', () => {
  it('lists dotted-quad IPv4 addresses, none of them loopback, without duplicates', () => {
    const list = lanAddresses();
    for (const a of list) {
      expect(a).toMatch(/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
      expect(a.startsWith('127.')).toBe(false);
    }
    expect(new Set(list).size).toBe(list.length);
  });
});
