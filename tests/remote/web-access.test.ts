/**
 * The Access view's pure parts: the requests it sends, the checks of the New link form, the
 * server's answers turned into rows and counts, and the QR code as the page draws it (the SVG is
 * rasterised here module by module and read back with jsQR).
 */
import jsqr from 'jsqr';
import { describe, expect, it } from 'vitest';
import { parseRoute } from '../../web-remote/src/app.js';
import {
  apiError,
  apiRequest,
  checkInviteForm,
  formatCreated,
  inviteRows,
  parseInvite,
  parseInvites,
  parseRemoteCounts,
  presenceText,
  QR_MIN_PX,
  qrImage,
  roleText,
  type InviteInfo,
} from '../../web-remote/src/views/access.js';

// jsqr is CommonJS: module.exports is the decoder and carries itself as .default.
const jsQR = jsqr.default;

const BUSES = [{ name: 'Drum IEM' }, { name: 'Vocal wedge' }, { name: 'Aux 3' }];

describe('requests', () => {
  it('lists and reads the status with the cookie, uncached', () => {
    for (const [kind, url] of [
      ['list', '/api/invites'],
      ['status', '/api/status'],
    ] as const) {
      const r = apiRequest({ kind });
      expect(r.url).toBe(url);
      expect(r.init.method).toBe('GET');
      expect(r.init.credentials).toBe('same-origin');
      expect(r.init.cache).toBe('no-store');
      expect(r.init.body).toBeUndefined();
    }
  });
  it('creates with a JSON body and the CSRF header', () => {
    const r = apiRequest({ kind: 'create', body: { role: 'performer', bus: 2, name: 'Anna' } });
    expect(r.url).toBe('/api/invites');
    expect(r.init.method).toBe('POST');
    expect(r.init.body).toBe('{"role":"performer","bus":2,"name":"Anna"}');
    expect(r.init.headers).toMatchObject({ 'X-Mixhost-Request': '1', 'Content-Type': 'application/json' });
    expect(apiRequest({ kind: 'create', body: { role: 'viewer', name: 'FOH' } }).init.body).toBe('{"role":"viewer","name":"FOH"}');
  });
  it('revokes by id, escaped into the path, with the CSRF header', () => {
    const r = apiRequest({ kind: 'revoke', id: 'q3Xk9a1B' });
    expect(r.url).toBe('/api/invites/q3Xk9a1B');
    expect(r.init.method).toBe('DELETE');
    expect(r.init.headers).toMatchObject({ 'X-Mixhost-Request': '1' });
    expect(apiRequest({ kind: 'revoke', id: '../x?y' }).url).toBe('/api/invites/..%2Fx%3Fy');
  });
});

describe('the New link form', () => {
  it('cleans the name as the server does and builds the body', () => {
    expect(checkInviteForm({ name: '  An\u0007na \n', role: 'performer', bus: 2 }, 3)).toEqual({ ok: true, body: { role: 'performer', bus: 2, name: 'Anna' } });
    expect(checkInviteForm({ name: 'FOH laptop', role: 'viewer', bus: 2 }, 3)).toEqual({ ok: true, body: { role: 'viewer', name: 'FOH laptop' } });
  });
  it('takes names of 1 to 40 characters', () => {
    expect(checkInviteForm({ name: 'x'.repeat(40), role: 'viewer' }, 0).ok).toBe(true);
    expect(checkInviteForm({ name: 'x', role: 'viewer' }, 0).ok).toBe(true);
    const long = checkInviteForm({ name: 'x'.repeat(41), role: 'viewer' }, 0);
    expect(long).toMatchObject({ ok: false, field: 'name' });
    expect(!long.ok && long.message).toContain('41 characters');
    expect(checkInviteForm({ name: ' \t\u0001 ', role: 'viewer' }, 0)).toMatchObject({ ok: false, field: 'name' });
  });
  it('needs an aux bus of the session for a performer', () => {
    for (const bus of [undefined, 0, 4, 2.5, NaN]) {
      expect(checkInviteForm({ name: 'Anna', role: 'performer', bus }, 3)).toMatchObject({ ok: false, field: 'bus' });
    }
    expect(checkInviteForm({ name: 'Anna', role: 'performer', bus: 3 }, 3)).toMatchObject({ ok: true, body: { bus: 3 } });
    const none = checkInviteForm({ name: 'Anna', role: 'performer', bus: 1 }, 0);
    expect(none).toMatchObject({ ok: false, field: 'bus' });
    expect(!none.ok && none.message).toContain('no aux buses');
  });
});

describe("the server's answers", () => {
  const anna = { id: 'q3Xk9a1B', role: 'performer', bus: 2, name: 'Anna', token: 'secret-token-of-anna', created: '2025-03-14T20:05:00.000Z', url: 'http://192.168.1.20:8080/join?token=abc' };
  it('reads invites and keeps nothing it does not show (no token)', () => {
    expect(parseInvite(anna)).toEqual({ id: 'q3Xk9a1B', role: 'performer', bus: 2, name: 'Anna', created: '2025-03-14T20:05:00.000Z', url: 'http://192.168.1.20:8080/join?token=abc' });
    const viewer = { id: 'v1v1', role: 'viewer', name: 'FOH', created: 'x', url: 'https://h/join?token=t' };
    expect(parseInvite(viewer)).toEqual(viewer);
  });
  it('skips what is not an invite', () => {
    expect(parseInvites(null)).toBeUndefined();
    expect(parseInvites([anna])).toBeUndefined();
    expect(parseInvites({ invites: 'x' })).toBeUndefined();
    const list = parseInvites({
      invites: [
        anna,
        { ...anna, id: '' },
        { ...anna, bus: undefined },
        { ...anna, bus: 0 },
        { ...anna, role: 'engineer' },
        { ...anna, url: 'javascript:alert(1)' },
        { ...anna, name: 7 },
        'x',
        { ...anna, id: 'second' },
      ],
    });
    expect(list?.map((i) => i.id)).toEqual(['q3Xk9a1B', 'second']);
  });
  it("takes the error's code and message, or names the HTTP status", () => {
    expect(apiError(404, { error: { code: 'E_NOT_FOUND', message: "no invite 'x'" } })).toEqual({ status: 404, code: 'E_NOT_FOUND', message: "no invite 'x'" });
    expect(apiError(502, undefined)).toEqual({ status: 502, code: '', message: 'mixhost answered HTTP 502' });
    expect(apiError(500, { error: { code: 5 } })).toMatchObject({ code: '' });
  });
});

describe('rows', () => {
  it('names the role by the bus', () => {
    expect(roleText({ role: 'performer', bus: 1 }, BUSES)).toBe('Aux 1 · Drum IEM');
    expect(roleText({ role: 'performer', bus: 3 }, BUSES)).toBe('Aux 3');
    expect(roleText({ role: 'performer', bus: 9 }, BUSES)).toBe('Aux 9');
    expect(roleText({ role: 'viewer' }, BUSES)).toBe('Viewer · read only');
  });
  it('formats the creation time in local time, relative to now', () => {
    const now = new Date(2025, 2, 14, 21, 30);
    expect(formatCreated(new Date(2025, 2, 14, 9, 5).toISOString(), now)).toBe('today 09:05');
    expect(formatCreated(new Date(2025, 2, 13, 23, 59).toISOString(), now)).toBe('yesterday 23:59');
    expect(formatCreated(new Date(2025, 2, 3, 14, 0).toISOString(), now)).toBe('3 Mar 14:00');
    expect(formatCreated(new Date(2024, 11, 31, 14, 0).toISOString(), now)).toBe('31 Dec 2024');
    expect(formatCreated('', now)).toBe('—');
    expect(formatCreated('not a date', now)).toBe('—');
  });
  it('puts the newest first, equal times in the order given, with the bus colour', () => {
    const now = new Date(2025, 2, 14, 22, 0);
    const at = (h: number, m: number): string => new Date(2025, 2, 14, h, m).toISOString();
    const list: InviteInfo[] = [
      { id: 'a', role: 'performer', bus: 1, name: 'Ben', created: at(20, 0), url: 'http://h/j?token=a' },
      { id: 'b', role: 'viewer', name: 'FOH', created: at(21, 0), url: 'http://h/j?token=b' },
      { id: 'c', role: 'performer', bus: 2, name: 'Anna', created: at(21, 0), url: 'http://h/j?token=c' },
      { id: 'd', role: 'viewer', name: 'Old', created: '', url: 'http://h/j?token=d' },
    ];
    const rows = inviteRows(list, BUSES, now);
    expect(rows.map((r) => r.id)).toEqual(['b', 'c', 'a', 'd']);
    expect(rows[1]).toEqual({ id: 'c', name: 'Anna', role: 'performer', roleText: 'Aux 2 · Vocal wedge', created: 'today 21:00', url: 'http://h/j?token=c', color: '#f0a030' });
    expect(rows[0].color).toBeUndefined();
    expect(rows[3].created).toBe('—');
  });
});

describe('remotes connected', () => {
  it("reads /api/status's counts by role", () => {
    const status = { audio: {}, remote: { clients: 3, byRole: { engineer: 1, performer: 2, viewer: 0 }, connections: 9 } };
    const c = parseRemoteCounts(status);
    expect(c).toEqual({ clients: 3, engineer: 1, performer: 2, viewer: 0 });
    expect(presenceText(c)).toBe('3 remotes connected: 1 engineer, 2 performers');
    expect(presenceText({ clients: 1, engineer: 1, performer: 0, viewer: 0 })).toBe('1 remote connected: 1 engineer');
    expect(presenceText({ clients: 4, engineer: 2, performer: 1, viewer: 1 })).toBe('4 remotes connected: 2 engineers, 1 performer, 1 viewer');
    expect(presenceText({ clients: 0, engineer: 0, performer: 0, viewer: 0 })).toBe('No remotes connected');
  });
  it('guards what it reads', () => {
    expect(parseRemoteCounts({})).toBeUndefined();
    expect(parseRemoteCounts({ remote: { clients: 2 } })).toBeUndefined();
    expect(parseRemoteCounts('x')).toBeUndefined();
    expect(parseRemoteCounts({ remote: { byRole: { engineer: 1, performer: -3, viewer: 1.5 } } })).toEqual({ clients: 1, engineer: 1, performer: 0, viewer: 0 });
    expect(presenceText(undefined)).toBe('Remotes connected: not known');
  });
});

/** RGBA pixels of qrToSvg's output: a white square, then one unit square per dark module. */
function rasterise(svg: string): { data: Uint8ClampedArray; width: number; dark: number } {
  const width = Number(/ width="(\d+)"/.exec(svg)?.[1]);
  const height = Number(/ height="(\d+)"/.exec(svg)?.[1]);
  const view = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  const d = /<path d="([^"]*)"/.exec(svg)?.[1] ?? '';
  expect(width).toBe(height);
  expect(Number(view?.[1])).toBe(Number(view?.[2]));
  expect(svg).toContain(`<rect width="${view?.[1]}" height="${view?.[1]}" fill="#fff"/>`);
  const unit = /M(\d+) (\d+)h1v1h-1z/g;
  expect(d.replace(unit, '')).toBe('');
  const scale = width / Number(view?.[1]);
  expect(Number.isInteger(scale)).toBe(true);
  const data = new Uint8ClampedArray(width * width * 4).fill(255);
  let dark = 0;
  for (const m of d.matchAll(unit)) {
    dark++;
    const x0 = Number(m[1]) * scale;
    const y0 = Number(m[2]) * scale;
    for (let y = y0; y < y0 + scale; y++) {
      for (let x = x0; x < x0 + scale; x++) data.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
    }
  }
  return { data, width, dark };
}

describe('the QR code on screen', () => {
  it('draws a typical invite link large, in whole pixels per module, and reads back', () => {
    const url = 'http://192.168.1.20:8080/join?token=x8ZZHgozqEZmgz5vw4kUV7lN';
    const img = qrImage(url);
    expect(img.version).toBe(4);
    expect(img.modules).toBe(33);
    // 33 modules + 2 x 4 of quiet zone = 41; 7 px each is the smallest whole scale >= 264 px.
    expect(img.modulePx).toBe(7);
    expect(img.px).toBe(287);
    expect(img.px).toBeGreaterThanOrEqual(240);
    const { data, width, dark } = rasterise(img.svg);
    expect(width).toBe(287);
    expect(dark).toBeGreaterThan(33 * 33 * 0.3);
    expect(dark).toBeLessThan(33 * 33 * 0.7);
    const r = jsQR(data, width, width, { inversionAttempts: 'dontInvert' });
    expect(r?.data).toBe(url);
    expect(r?.version).toBe(4);
  });
  it('keeps at least the minimum size for longer links, and never more than one module over', () => {
    const url = 'http://[fd12:3456:789a:1::2a]:18080/join?token=Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA';
    const img = qrImage(url);
    const full = img.modules + 8;
    expect(img.px).toBe(full * img.modulePx);
    expect(img.px).toBeGreaterThanOrEqual(QR_MIN_PX);
    expect(img.px - QR_MIN_PX).toBeLessThan(full);
    const { data, width } = rasterise(img.svg);
    expect(jsQR(data, width, width, { inversionAttempts: 'dontInvert' })?.data).toBe(url);
  });
});

describe('the #access route', () => {
  const lim = { channels: 32, auxBuses: 8, masterChains: 2 };
  it("is the engineer's only", () => {
    expect(parseRoute('#access', '/', { ...lim, role: 'engineer' })).toEqual({ view: 'access' });
    expect(parseRoute('#access/2', '/', { ...lim, role: 'engineer' })).toEqual({ view: 'mixer' });
    expect(parseRoute('#access', '/', { ...lim, role: 'viewer' })).toEqual({ view: 'mixer' });
    expect(parseRoute('#access', '/mymix', { ...lim, role: 'performer', bus: 3 })).toEqual({ view: 'mymix', n: 3 });
  });
});
