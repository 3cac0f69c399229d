/**
 * The remote protocol's connection: welcome, snapshot and leases; authentication in `hello` and
 * on the upgrade (cookie), the guessing limiter, the hello timeout; the Origin check and the
 * capacity limit before the upgrade; meter subscriptions and the binary frames.
 * Real HTTP and WebSockets on 127.0.0.1, port 0.
 */
import { describe, expect, it } from 'vitest';
import { LEVEL_FIELDS, meterLayout, STRIP_FIELDS } from '../../src/model/meters.js';
import {
  bearer,
  http,
  invite,
  meterValue,
  refusedUpgrade,
  TOKEN,
  remoteFixtures,
} from '../helpers/remote.js';

const { start, open } = remoteFixtures();

describe('welcome, snapshot, leases', () => {
  it('greets an engineer with the protocol, its id, the layout and every value', async () => {
    const s = await start();
    const store = s.cs.store;
    const c = await open(s);
    const { welcome, snapshot, leases } = await c.join({ token: TOKEN, name: 'Desk' });
    expect(welcome).toMatchObject({
      type: 'welcome',
      protocol: 1,
      client: 'ws:1',
      role: 'engineer',
      name: 'Desk',
      epoch: store.epoch,
      seq: 0,
      resumed: false,
      heartbeatMs: 60_000,
      limits: { maxMessageBytes: 16384, messagesPerSecond: 100, burst: 200 },
    });
    expect(welcome.bus).toBeUndefined();
    expect(store.epoch).toMatch(/^[0-9a-f]{8}$/);
    expect(welcome.layout.mix).toEqual(JSON.parse(JSON.stringify(s.registry.layout)));
    expect(welcome.layout.channels).toHaveLength(32);
    expect(welcome.layout.channels[0]).toEqual({ name: 'Kick', color: '#d04040' });
    expect(welcome.layout.auxBuses).toHaveLength(8);
    const points = meterLayout(s.registry.layout).points;
    expect(points).toHaveLength(50);
    expect(welcome.meterPoints).toHaveLength(points.length);
    expect(welcome.meterPoints[0]).toEqual({ name: 'ch/1', fields: [...STRIP_FIELDS] });

    expect(snapshot).toMatchObject({ type: 'snapshot', epoch: store.epoch, seq: 0 });
    const params = snapshot.params as Record<string, number>;
    expect(Object.keys(params)).toHaveLength(s.registry.size);
    expect(s.registry.size).toBe(2632);
    let same = 0;
    s.registry.descriptors.forEach((d, i) => {
      if (params[d.address] === store.valueAt(i) && params[d.address] === s.initial[i]) same++;
    });
    expect(same).toBe(s.registry.size);
    expect(params['ch/1/fader']).toBe(-4);
    expect(leases).toEqual({ type: 'leases', leases: [] });

    // Ids count up per server; a client without a name is called by its principal's.
    const c2 = await open(s);
    const w2 = await c2.hello();
    expect(w2.client).toBe('ws:2');
    expect(w2.name).toBe('engineer');
  });

  it('answers ping with pong carrying the id', async () => {
    const s = await start();
    const c = await open(s);
    await c.join();
    const before = Date.now();
    c.send({ type: 'ping', id: 7 });
    const pong = await c.next('pong');
    expect(pong.id).toBe(7);
    expect(pong.time).toBeGreaterThanOrEqual(before);
    expect(pong.time).toBeLessThanOrEqual(Date.now());
  });
});

describe('authentication', () => {
  it('closes 4001 after an E_AUTH_INVALID error for a wrong token', async () => {
    const s = await start();
    const c = await open(s);
    c.send({ type: 'hello', token: 'not-the-token-000' });
    const err = await c.next('error');
    expect(err.code).toBe('E_AUTH_INVALID');
    expect(await c.closed()).toEqual({ code: 4001, reason: 'E_AUTH_INVALID' });
    // A hello without any token is refused the same way (nothing else proves who it is).
    const c2 = await open(s);
    c2.send({ type: 'hello', name: 'x' });
    expect((await c2.next('error')).code).toBe('E_AUTH_MISSING');
    expect((await c2.closed()).code).toBe(4001);
  });

  it('closes 4002 when no hello comes within helloTimeoutMs', async () => {
    const s = await start({ remote: { helloTimeoutMs: 200 } });
    const c = await open(s);
    const t0 = Date.now();
    const err = await c.next('error', 2000);
    expect(err.code).toBe('E_WS_HELLO');
    expect(await c.closed()).toEqual({ code: 4002, reason: 'E_WS_HELLO' });
    // Not before the timeout (generous upper bound: a loaded machine).
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
  });

  it('closes 4002 when the first message is not hello, and changes nothing', async () => {
    const s = await start();
    const c = await open(s);
    c.send({ type: 'set', address: 'ch/1/fader', value: 6 });
    expect((await c.next('error')).code).toBe('E_WS_HELLO');
    expect(await c.closed()).toEqual({ code: 4002, reason: 'E_WS_HELLO' });
    expect(s.cs.store.value('ch/1/fader')).toBe(-4);
    expect(s.cs.store.seq).toBe(0);
  });

  it('closes 4029 once an address has guessed too often, even with the right token then', async () => {
    const s = await start({ authLimits: { maxFailures: 3 } });
    for (let i = 0; i < 3; i++) {
      const c = await open(s);
      c.send({ type: 'hello', token: `wrong-token-${i}-xxxx` });
      expect((await c.closed()).code).toBe(4001);
    }
    const c = await open(s);
    c.send({ type: 'hello', token: 'wrong-token-again-x' });
    const err = await c.next('error');
    expect(err.code).toBe('E_AUTH_RATE');
    expect(await c.closed()).toEqual({ code: 4029, reason: 'E_AUTH_RATE' });
    const right = await open(s);
    right.send({ type: 'hello', token: TOKEN });
    expect((await right.closed()).code).toBe(4029);
    // The limiter is the HTTP API's too.
    const r = await http('GET', `${s.base}/api/me`, { headers: bearer() });
    expect(r.status).toBe(429);
    expect(r.json().error.code).toBe('E_AUTH_RATE');
  });

  it('checks a cookie on the upgrade: wrong -> 401 before the upgrade, right -> hello without token', async () => {
    const s = await start();
    const bad = await refusedUpgrade(s.wsUrl, { headers: { Cookie: 'mixhost_token=wrong-token-abcdef' } });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body).error.code).toBe('E_AUTH_INVALID');

    const c = await open(s, { headers: { Cookie: `theme=dark; mixhost_token=${TOKEN}` } });
    const w = await c.hello({});
    expect(w.role).toBe('engineer');
    expect(await c.next('snapshot')).toMatchObject({ seq: 0 });

    // An invite's cookie makes the connection that invite's.
    const inv = await invite(s.base, { role: 'performer', bus: 3, name: 'Bass' });
    const p = await open(s, { headers: { Cookie: `mixhost_token=${inv.token}` } });
    // It is shown by the invite's name, whatever the device calls itself.
    const pw = await p.hello({ name: 'Bass iPad' });
    expect(pw).toMatchObject({ role: 'performer', bus: 3, name: 'Bass' });
  });
});

describe('before the upgrade', () => {
  it('refuses a foreign Origin with 403 E_WS_ORIGIN', async () => {
    const s = await start();
    const r = await refusedUpgrade(s.wsUrl, { origin: 'http://evil.example' });
    expect(r.status).toBe(403);
    expect(r.statusMessage).toBe('Forbidden');
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(r.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('E_WS_ORIGIN');
    expect(body.error.message).toContain('http://evil.example');
    // The server's own origin with another port is another origin.
    expect((await refusedUpgrade(s.wsUrl, { origin: `http://127.0.0.1:${s.port + 1}` })).status).toBe(403);
    expect((await refusedUpgrade(s.wsUrl, { origin: `ftp://127.0.0.1:${s.port}` })).status).toBe(403);
  });

  it("lets in the server's own origin, an --allow-origin entry and a client without Origin", async () => {
    const s = await start({ allowOrigins: ['https://mixer.example'] });
    for (const origin of [`http://127.0.0.1:${s.port}`, 'https://mixer.example', undefined]) {
      const c = await open(s, origin !== undefined ? { origin } : {});
      expect((await c.hello()).role).toBe('engineer');
    }
    expect((await refusedUpgrade(s.wsUrl, { origin: 'https://mixer.example.evil' })).status).toBe(403);
  });

  it('answers 404 off /ws and 503 E_WS_FULL over maxClients', async () => {
    const s = await start({ remote: { maxClients: 2 } });
    const off = await refusedUpgrade(`ws://127.0.0.1:${s.port}/socket`);
    expect(off.status).toBe(404);
    expect(JSON.parse(off.body).error.code).toBe('E_NOT_FOUND');
    await open(s);
    await open(s);
    const full = await refusedUpgrade(s.wsUrl);
    expect(full.status).toBe(503);
    expect(JSON.parse(full.body).error.code).toBe('E_WS_FULL');
  });

  it('lets at most 16 connections wait for their hello at once; one that says hello frees its place', async () => {
    const s = await start();
    const waiting = [];
    for (let i = 0; i < 16; i++) waiting.push(await open(s));
    const refused = await refusedUpgrade(s.wsUrl);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).error.message).toContain('16 connections are waiting to say hello');
    // A remote with the cookie of an invite link is not held back by strangers.
    const withCookie = await open(s, { headers: { Cookie: `mixhost_token=${TOKEN}` } });
    expect((await withCookie.hello({})).role).toBe('engineer');
    expect((await waiting[0].hello()).role).toBe('engineer');
    const next = await open(s);
    expect((await next.hello()).role).toBe('engineer');
  });
});

describe('meters', () => {
  it('sends the subscribed points as binary frames, laid out as subscribed says', async () => {
    const s = await start();
    const c = await open(s);
    await c.join();
    expect(c.frames).toHaveLength(0); // nothing before a subscription
    c.send({ type: 'subscribe', meters: ['ch/1', 'master'], id: 4 });
    const sub = await c.next('subscribed');
    expect(sub).toEqual({
      type: 'subscribed',
      id: 1,
      points: [
        { name: 'ch/1', offset: 0, fields: [...STRIP_FIELDS] },
        { name: 'master', offset: 8, fields: [...LEVEL_FIELDS] },
      ],
      size: 14,
    });
    const ml = meterLayout(s.registry.layout);
    const expected = [...Array.from({ length: 8 }, (_, i) => meterValue(i)), ...Array.from({ length: 6 }, (_, i) => meterValue(ml.offsetOf('master') + i))];
    expect(ml.offsetOf('master')).toBe(340);
    let last = -1;
    for (let k = 0; k < 3; k++) {
      const f = await c.nextFrame();
      expect(f.length).toBe(8 + 4 * 14);
      expect(f.readUInt8(0)).toBe(1);
      expect(f.readUInt8(1)).toBe(1);
      expect(f.readUInt16LE(2)).toBe(1);
      const counter = f.readUInt32LE(4);
      expect(counter).toBeGreaterThan(last);
      last = counter;
      const values = Array.from({ length: 14 }, (_, i) => f.readFloatLE(8 + 4 * i));
      expect(values).toEqual(expected);
    }

    // A new subscription has a new id; an empty one stops the frames.
    c.send({ type: 'subscribe', meters: ['bus/2'] });
    const sub2 = await c.next('subscribed');
    expect(sub2).toMatchObject({ id: 2, size: 6, points: [{ name: 'bus/2', offset: 0 }] });
    c.frames.length = 0;
    const f2 = await c.nextFrame();
    expect(f2.readUInt16LE(2)).toBe(2);
    expect(f2.readFloatLE(8)).toBe(meterValue(ml.offsetOf('bus/2')));
    c.send({ type: 'subscribe', meters: [] });
    expect(await c.next('subscribed')).toEqual({ type: 'subscribed', id: 3, points: [], size: 0 });
    c.frames.length = 0; // frames sent before the answer arrived before it
    await c.collect(120);
    expect(c.frames).toHaveLength(0);
  });

  it('refuses unknown points with E_METER_UNKNOWN and keeps the known ones', async () => {
    const s = await start();
    const c = await open(s);
    await c.join();
    c.send({ type: 'subscribe', meters: ['ch/1', 'ch/99', 'nope', 'ch/1'], id: 9 });
    const sub = await c.next('subscribed');
    expect(sub.points.map((p: { name: string }) => p.name)).toEqual(['ch/1']);
    expect(sub.size).toBe(8);
    const err = await c.next('error');
    expect(err).toMatchObject({ code: 'E_METER_UNKNOWN', id: 9 });
    expect(err.message).toContain('ch/99, nope');
  });
});
