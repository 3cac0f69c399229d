/**
 * Roles on the remote and the REST API: a performer sees and changes only its monitor mix
 * (the sends to its aux bus, the bus's fader, mute and pan), a viewer reads everything and
 * changes nothing, and a revoked invite is closed (4003) and refused from then on.
 */
import { describe, expect, it } from 'vitest';
import { bearer, connect, http, invite, TOKEN, type Msg, type RemoteConn, type TestServer, remoteFixtures } from '../helpers/remote.js';

const { start, conns } = remoteFixtures();

async function join(s: TestServer, token: string, name?: string): Promise<{ c: RemoteConn; welcome: Msg; snapshot: Msg }> {
  const c = await connect(s.wsUrl, {}, conns);
  const r = await c.join({ token, ...(name !== undefined ? { name } : {}) });
  return { c, welcome: r.welcome, snapshot: r.snapshot };
}

/** The performer's addresses for aux bus 2 in the 32-channel demo session. */
const BUS2 = [...Array.from({ length: 32 }, (_, i) => `ch/${i + 1}/send/2/level`), 'bus/2/fader', 'bus/2/mute', 'bus/2/pan'];

describe('performer', () => {
  it('gets only its mix in the snapshot, may change it, and the engineer sees that', async () => {
    const s = await start();
    const inv = await invite(s.base, { role: 'performer', bus: 2, name: 'Anna' });
    expect(inv).toMatchObject({ role: 'performer', bus: 2, name: 'Anna' });
    expect(inv.url).toBe(`http://127.0.0.1:${s.port}/join?token=${encodeURIComponent(inv.token)}`);
    const { c: eng } = await join(s, TOKEN);
    // The device calls itself 'iPhone': an invite's name (the engineer's) is what others see.
    const { c: p, welcome, snapshot } = await join(s, inv.token, 'iPhone');
    expect(welcome).toMatchObject({ role: 'performer', bus: 2, name: 'Anna' });
    // Same layout as the engineer's; only the meter points it may have.
    expect(welcome.layout.channels).toHaveLength(32);
    expect(welcome.meterPoints).toHaveLength(33);
    expect(welcome.meterPoints.map((m: { name: string }) => m.name)).toContain('bus/2');
    expect(welcome.meterPoints.map((m: { name: string }) => m.name)).not.toContain('bus/3');
    expect(Object.keys(snapshot.params).sort()).toEqual([...BUS2].sort());
    for (const a of BUS2) expect(snapshot.params[a]).toBe(s.cs.store.value(a));

    p.send({ type: 'set', address: 'ch/1/send/2/level', value: -12 });
    expect(await eng.next('change')).toMatchObject({ address: 'ch/1/send/2/level', value: -12, source: welcome.client });
    p.send({ type: 'set', address: 'bus/2/mute', value: 1 });
    expect(await eng.next('change')).toMatchObject({ address: 'bus/2/mute', value: 1 });
    p.send({ type: 'touch', address: 'bus/2/fader' });
    const held = await eng.next('leases');
    expect(held.leases).toEqual([{ address: 'bus/2/fader', source: welcome.client, name: 'Anna' }]);
  });

  it('is refused E_AUTH_ROLE for everything else, and nothing changes', async () => {
    const s = await start();
    const inv = await invite(s.base, { role: 'performer', bus: 2, name: 'Anna' });
    const { c: p } = await join(s, inv.token);
    const forged = ['ch/1/send/3/level', 'ch/1/fader', 'bus/3/fader', 'master/fader', 'ch/1/send/2/pre', 'bus/9/fader', 'ch/1/eq/1/gain'];
    const before = forged.map((a) => (s.registry.find(a) >= 0 ? s.cs.store.value(a) : NaN));
    let id = 100;
    for (const address of forged) {
      p.send({ type: 'set', address, value: 3, id: ++id });
      const err = await p.next('error');
      expect(err.code, address).toBe('E_AUTH_ROLE');
      expect(err.id).toBe(id);
      // Neither the address's value nor its existence is told.
      expect(err.value).toBeUndefined();
      expect(err.address).toBeUndefined();
    }
    // Its own shape on a channel the session does not have: simply unknown.
    p.send({ type: 'set', address: 'ch/99/send/2/level', value: 3, id: 1 });
    expect(await p.next('error')).toMatchObject({ code: 'E_PARAM_UNKNOWN', id: 1 });
    for (const type of ['touch', 'release']) {
      p.send({ type, address: 'ch/1/fader', id: 7 });
      expect(await p.next('error')).toMatchObject({ code: 'E_AUTH_ROLE', id: 7 });
    }
    expect(forged.map((a) => (s.registry.find(a) >= 0 ? s.cs.store.value(a) : NaN))).toEqual(before);
    expect(s.cs.store.seq).toBe(0);
    expect(s.cs.store.holder('ch/1/fader')).toBeUndefined();
    expect(s.sunk).toEqual([]);
    expect(s.cs.remote.stats.refused).toBe(forged.length + 2);
  });

  it("is sent only its mix's changes and leases", async () => {
    const s = await start();
    const inv = await invite(s.base, { role: 'performer', bus: 2, name: 'Anna' });
    const { c: eng, welcome: ew } = await join(s, TOKEN, 'FOH');
    const { c: p } = await join(s, inv.token);
    eng.send({ type: 'set', address: 'ch/1/fader', value: -20 });
    eng.send({ type: 'touch', address: 'ch/1/fader' });
    eng.send({ type: 'set', address: 'ch/4/send/2/level', value: -7 });
    const ch = await p.next('change');
    expect(ch).toMatchObject({ address: 'ch/4/send/2/level', value: -7, source: ew.client, seq: 2 });
    eng.send({ type: 'touch', address: 'bus/2/fader' });
    const leases = await p.next('leases');
    expect(leases.leases).toEqual([{ address: 'bus/2/fader', source: ew.client, name: 'FOH' }]);
    const rest = await p.collect(80);
    for (const m of rest) {
      if (m.type === 'change') expect(BUS2).toContain(m.address);
      if (m.type === 'leases') for (const l of m.leases) expect(BUS2).toContain(l.address);
    }
    expect(rest.filter((m) => m.type === 'change')).toEqual([]);
    // The held parameter snaps back with its current value in the refusal.
    p.send({ type: 'set', address: 'bus/2/fader', value: 0, id: 3 });
    expect(await p.next('error')).toMatchObject({ code: 'E_CONTROL_HELD', id: 3, address: 'bus/2/fader', value: s.cs.store.value('bus/2/fader') });
  });

  it('meters ch/<n> and its own bus only', async () => {
    const s = await start();
    const inv = await invite(s.base, { role: 'performer', bus: 2, name: 'Anna' });
    const { c: p } = await join(s, inv.token);
    p.send({ type: 'subscribe', meters: ['ch/1', 'bus/2', 'master/chain', 'bus/3'], id: 2 });
    const sub = await p.next('subscribed');
    expect(sub.points.map((x: { name: string; offset: number }) => [x.name, x.offset])).toEqual([
      ['ch/1', 0],
      ['bus/2', 8],
    ]);
    expect(sub.size).toBe(14);
    const err = await p.next('error');
    expect(err).toMatchObject({ code: 'E_AUTH_ROLE', id: 2 });
    expect(err.message).toContain('master/chain, bus/3');
  });

  it('sees only its mix through REST', async () => {
    const s = await start();
    const inv = await invite(s.base, { role: 'performer', bus: 2, name: 'Anna' });
    const h = bearer(inv.token);
    const list = await http('GET', `${s.base}/api/params`, { headers: h });
    expect(list.status).toBe(200);
    const params = list.json().params as Array<{ address: string; writable: boolean }>;
    expect(params.map((x) => x.address).sort()).toEqual([...BUS2].sort());
    expect(params.every((x) => x.writable)).toBe(true);
    expect((await http('GET', `${s.base}/api/me`, { headers: h })).json()).toEqual({ role: 'performer', bus: 2, name: 'Anna' });
    const own = await http('PUT', `${s.base}/api/params/ch/3/send/2/level`, { headers: h, body: { value: -9 } });
    expect(own.status).toBe(200);
    expect(s.cs.store.value('ch/3/send/2/level')).toBe(-9);
    // A foreign parameter does not exist for a performer: 404, like an unknown address.
    const get = await http('GET', `${s.base}/api/params/ch/1/fader`, { headers: h });
    expect(get.status).toBe(404);
    expect(get.json().error.code).toBe('E_PARAM_UNKNOWN');
    const put = await http('PUT', `${s.base}/api/params/ch/1/fader`, { headers: h, body: { value: 0 } });
    expect(put.status).toBe(404);
    expect(s.cs.store.value('ch/1/fader')).toBe(-4);
    // Invites are the engineer's.
    const inv2 = await http('POST', `${s.base}/api/invites`, { headers: h, body: { role: 'viewer', name: 'x' } });
    expect(inv2.status).toBe(403);
    expect(inv2.json().error.code).toBe('E_AUTH_ROLE');
    expect((await http('GET', `${s.base}/api/invites`, { headers: h })).status).toBe(403);
  });
});

describe('viewer', () => {
  it('reads everything and changes nothing', async () => {
    const s = await start();
    const inv = await invite(s.base, { role: 'viewer', name: 'Booth' });
    expect(inv.bus).toBeUndefined();
    const { c: v, welcome, snapshot } = await join(s, inv.token);
    expect(welcome.role).toBe('viewer');
    expect(welcome.meterPoints).toHaveLength(50);
    expect(Object.keys(snapshot.params)).toHaveLength(s.registry.size);
    let id = 0;
    for (const m of [
      { type: 'set', address: 'ch/1/fader', value: 0 },
      { type: 'set', address: 'ch/1/send/2/level', position: 0.5 },
      { type: 'touch', address: 'ch/1/fader' },
      { type: 'release', address: 'ch/1/fader' },
    ]) {
      v.send({ ...m, id: ++id });
      const err = await v.next('error');
      expect(err).toMatchObject({ code: 'E_AUTH_ROLE', id, address: m.address, value: s.cs.store.value(m.address) });
    }
    expect(s.cs.store.seq).toBe(0);
    // It is told what the others change.
    s.cs.store.set('master/fader', -3, 'osc:test');
    expect(await v.next('change')).toMatchObject({ address: 'master/fader', value: -3, source: 'osc:test' });
    const put = await http('PUT', `${s.base}/api/params/ch/1/fader`, { headers: bearer(inv.token), body: { value: 0 } });
    expect(put.status).toBe(403);
    expect(put.json().error.code).toBe('E_AUTH_ROLE');
  });
});

describe('revocation', () => {
  it('closes the invite with 4003 and refuses its token from then on', async () => {
    const s = await start();
    const inv = await invite(s.base, { role: 'performer', bus: 2, name: 'Anna' });
    const other = await invite(s.base, { role: 'performer', bus: 2, name: 'Ben' });
    const { c: p } = await join(s, inv.token);
    const { c: q } = await join(s, other.token);
    const { c: eng } = await join(s, TOKEN);
    const del = await http('DELETE', `${s.base}/api/invites/${inv.id}`, { headers: bearer() });
    expect(del.status).toBe(200);
    expect(del.json()).toEqual({ revoked: inv.id, name: 'Anna' });
    expect((await p.next('error')).code).toBe('E_AUTH_REVOKED');
    expect(await p.closed()).toEqual({ code: 4003, reason: 'E_AUTH_REVOKED' });
    // The others stay.
    await q.collect(50);
    expect(q.open).toBe(true);
    expect(eng.open).toBe(true);

    const r = await http('GET', `${s.base}/api/me`, { headers: bearer(inv.token) });
    expect(r.status).toBe(401);
    expect(r.json().error.code).toBe('E_AUTH_INVALID');
    const again = await connect(s.wsUrl, {}, conns);
    again.send({ type: 'hello', token: inv.token });
    expect((await again.next('error')).code).toBe('E_AUTH_INVALID');
    expect((await again.closed()).code).toBe(4001);
    const join2 = await http('GET', `${s.base}/join?token=${inv.token}`);
    expect(join2.status).toBe(401);
    expect((await http('DELETE', `${s.base}/api/invites/${inv.id}`, { headers: bearer() })).status).toBe(404);
    const list = (await http('GET', `${s.base}/api/invites`, { headers: bearer() })).json();
    expect(list.invites.map((x: { id: string }) => x.id)).toEqual([other.id]);
  });
});
