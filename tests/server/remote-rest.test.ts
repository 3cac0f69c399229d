/**
 * The parameters' REST API next to the remote (GET/PUT /api/params, /api/me), the invite link
 * (/join and its cookie), the static remote behind that cookie, and the CSRF guard of requests
 * authenticated by the cookie alone. Real HTTP on 127.0.0.1, port 0; the pages are a temporary
 * folder's index.html and login.html.
 */
import { describe, expect, it } from 'vitest';
import { bearer, connect, http, INDEX_HTML, invite, LOGIN_HTML, TOKEN, remoteFixtures } from '../helpers/remote.js';

const { start, conns } = remoteFixtures();

describe('REST parameters', () => {
  it('lists every parameter with its descriptor for the engineer', async () => {
    const s = await start();
    const r = await http('GET', `${s.base}/api/params`, { headers: bearer() });
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    const body = r.json();
    expect(body.epoch).toBe(s.cs.store.epoch);
    expect(body.seq).toBe(0);
    expect(body.params).toHaveLength(s.registry.size);
    expect(body.params.map((p: { address: string }) => p.address)).toEqual(s.registry.descriptors.map((d) => d.address));
    const fader = body.params.find((p: { address: string }) => p.address === 'ch/1/fader');
    expect(fader).toEqual({ address: 'ch/1/fader', value: -4, unit: 'dB', position: 0.65, text: '-4.0 dB', label: 'Fader', min: -90, max: 10, default: 0, taper: 'fader', writable: true });
    const type = body.params.find((p: { address: string }) => p.address === 'ch/1/eq/1/type');
    expect(type).toMatchObject({ unit: 'enum', steps: 5, options: ['peak', 'lowshelf', 'highshelf', 'lowpass', 'highpass'] });
    expect(body.params.every((p: { writable: boolean }) => p.writable)).toBe(true);
  });

  it('reads and writes one parameter; a write reaches the remotes with source http', async () => {
    const s = await start();
    const one = await http('GET', `${s.base}/api/params/ch/1/fader`, { headers: bearer() });
    expect(one.status).toBe(200);
    expect(one.json()).toEqual({ address: 'ch/1/fader', value: -4, unit: 'dB', position: 0.65, text: '-4.0 dB' });

    const c = await connect(s.wsUrl, {}, conns);
    await c.join();
    const put = await http('PUT', `${s.base}/api/params/ch/1/fader`, { headers: bearer(), body: { position: 0.75 } });
    expect(put.status).toBe(200);
    expect(put.json()).toEqual({ address: 'ch/1/fader', value: 0, unit: 'dB', position: 0.75, text: '0.0 dB', seq: 1 });
    expect(await c.next('change')).toEqual({ type: 'change', address: 'ch/1/fader', value: 0, source: 'http', seq: 1 });
    expect(s.sunk).toEqual([[s.registry.index('ch/1/fader'), 0]]);
    const v = await http('PUT', `${s.base}/api/params/ch/1/fader`, { headers: bearer(), body: { value: -6 } });
    expect(v.json()).toMatchObject({ value: -6, seq: 2 });

    // Held by a remote: 409, nothing changes.
    c.send({ type: 'touch', address: 'ch/1/fader' });
    await c.next('leases');
    const held = await http('PUT', `${s.base}/api/params/ch/1/fader`, { headers: bearer(), body: { value: 3 } });
    expect(held.status).toBe(409);
    expect(held.json().error.code).toBe('E_CONTROL_HELD');
    expect(s.cs.store.value('ch/1/fader')).toBe(-6);
  });

  it('refuses bad bodies with 400 and unknown addresses with 404', async () => {
    const s = await start();
    const url = `${s.base}/api/params/ch/1/fader`;
    const cases: Array<[unknown, string]> = [
      [{}, 'E_HTTP_BODY'],
      [{ value: -6, position: 0.5 }, 'E_HTTP_BODY'],
      [{ level: -6 }, 'E_HTTP_BODY'],
      [[-6], 'E_HTTP_BODY'],
      ['-6', 'E_HTTP_BODY'],
      ['{"value":', 'E_HTTP_BODY'],
      [{ value: '-6' }, 'E_PARAM_VALUE'],
      [{ value: null }, 'E_PARAM_VALUE'],
      [{ position: true }, 'E_PARAM_VALUE'],
    ];
    for (const [body, code] of cases) {
      const r = await http('PUT', url, { headers: bearer(), body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json().error.code, JSON.stringify(body)).toBe(code);
    }
    expect(s.cs.store.seq).toBe(0);
    for (const [method, path] of [
      ['GET', '/api/params/ch/1/nothing'],
      ['PUT', '/api/params/ch/99/fader'],
      ['GET', '/api/params/ch'],
    ]) {
      const r = await http(method, `${s.base}${path}`, { headers: bearer(), body: method === 'PUT' ? { value: 0 } : undefined });
      expect(r.status, path).toBe(404);
      expect(r.json().error.code, path).toBe('E_PARAM_UNKNOWN');
    }
    expect((await http('GET', `${s.base}/api/params/ch/1/fader`)).status).toBe(401);
  });

  it('says who the token is at /api/me', async () => {
    const s = await start();
    expect((await http('GET', `${s.base}/api/me`, { headers: bearer() })).json()).toEqual({ role: 'engineer', name: 'engineer' });
    const inv = await invite(s.base, { role: 'viewer', name: 'Booth' });
    expect((await http('GET', `${s.base}/api/me`, { headers: bearer(inv.token) })).json()).toEqual({ role: 'viewer', name: 'Booth' });
    const none = await http('GET', `${s.base}/api/me`);
    expect(none.status).toBe(401);
    expect(none.json().error.code).toBe('E_AUTH_MISSING');
  });
});

describe('invite link and pages', () => {
  it('/join keeps the token in an HTTP-only, SameSite=Strict cookie and redirects', async () => {
    const s = await start();
    const r = await http('GET', `${s.base}/join?token=${TOKEN}`);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    const cookie = r.headers['set-cookie'] ?? [];
    expect(cookie).toHaveLength(1);
    expect(cookie[0]).toMatch(new RegExp(`^mixhost_token=${TOKEN}; Max-Age=2592000; Path=/; Expires=[^;]+; HttpOnly; SameSite=Strict$`));

    const inv = await invite(s.base, { role: 'performer', bus: 2, name: 'Anna' });
    const p = await http('GET', `${s.base}/join?token=${encodeURIComponent(inv.token)}`);
    expect(p.status).toBe(303);
    expect(p.headers.location).toBe('/mymix');
    expect(p.headers['set-cookie']?.[0]).toContain(`mixhost_token=${inv.token};`);

    for (const q of ['?token=wrong-token-0000', '']) {
      const bad = await http('GET', `${s.base}/join${q}`);
      expect(bad.status).toBe(401);
      expect(bad.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(bad.body).toBe(LOGIN_HTML);
      expect(bad.headers['set-cookie']).toBeUndefined();
    }
  });

  it('serves the remote only with the cookie, with CSP and no referrer', async () => {
    const s = await start();
    const anon = await http('GET', `${s.base}/`);
    expect(anon.status).toBe(401);
    expect(anon.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(anon.body).toBe(LOGIN_HTML);
    const login = await http('GET', `${s.base}/login.html`);
    expect(login.status).toBe(200);
    expect(login.body).toBe(LOGIN_HTML);
    const wrong = await http('GET', `${s.base}/`, { headers: { Cookie: 'mixhost_token=wrong-token-0000' } });
    expect(wrong.status).toBe(401);

    const cookie = { Cookie: `mixhost_token=${TOKEN}` };
    for (const path of ['/', '/mymix', '/index.html']) {
      const page = await http('GET', `${s.base}${path}`, { headers: cookie });
      expect(page.status, path).toBe(200);
      expect(page.body).toBe(INDEX_HTML);
      expect(page.headers['content-security-policy']).toContain("default-src 'self'");
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('needs X-Mixhost-Request for a change authenticated by the cookie alone', async () => {
    const s = await start();
    const url = `${s.base}/api/params/ch/1/fader`;
    const cookie = { Cookie: `mixhost_token=${TOKEN}` };
    const csrf = await http('PUT', url, { headers: cookie, body: { value: -6 } });
    expect(csrf.status).toBe(403);
    expect(csrf.json().error.code).toBe('E_AUTH_CSRF');
    expect(s.cs.store.value('ch/1/fader')).toBe(-4);
    // Reads need no header; a change with it goes through.
    expect((await http('GET', url, { headers: cookie })).status).toBe(200);
    const ok = await http('PUT', url, { headers: { ...cookie, 'X-Mixhost-Request': '1' }, body: { value: -6 } });
    expect(ok.status).toBe(200);
    expect(s.cs.store.value('ch/1/fader')).toBe(-6);
  });
});
