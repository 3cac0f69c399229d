/**
 * MIDI learn over the remote protocol, on real WebSockets, with a scripted stand-in for the
 * surface manager: armed / learnt / ended / unlearnt and their ids, the engineer-only rule,
 * unknown addresses, a server without surfaces, learn-cancel and disconnection cancelling only
 * the learn their client armed, malformed learn messages; and the surfaces' HTTP side
 * (`GET /api/surfaces`, the `midi` section of `/api/status`) and their names as holders.
 */
import { describe, expect, it } from 'vitest';
import type { SurfaceHooks } from '../../src/server/control-server.js';
import type { LearnOutcome } from '../../src/server/remote-client.js';
import { bearer, http, invite, sleep, TOKEN, type Msg, type RemoteConn, type TestServer, remoteFixtures } from '../helpers/remote.js';

const { start, open } = remoteFixtures();

/** How the stand-in answers `learn`: later (by `finish`), or at once inside the call. */
type LearnScript = { kind: 'later' } | { kind: 'now'; outcome: LearnOutcome };

const STATUS = {
  available: true,
  inputs: ['X-Touch MIDI 1', 'nanoKONTROL2 MIDI 1'],
  outputs: ['X-Touch MIDI 1'],
  surfaces: [{ id: 'x-touch', source: 'midi:x-touch', profile: 'x-touch.default', units: [{ device: 'x-touch', port: 'X-Touch MIDI 1', connected: true }], dropped: 0, received: 12, sent: 340 }],
};

/**
 * The surface manager's side of learn, scripted: like the manager, a new learn ends the one
 * before it (E_LEARN_CANCELLED) and cancelLearn ends the armed one. Every call is recorded.
 */
function fakeHooks(): SurfaceHooks & { calls: string[]; script: LearnScript; counts: Map<string, number>; finish(o: LearnOutcome): void; armed(): string | undefined } {
  let pending: { address: string; done: (r: LearnOutcome) => void } | undefined;
  const end = (r: LearnOutcome): void => {
    const p = pending;
    pending = undefined;
    p?.done(r);
  };
  const hooks = {
    calls: [] as string[],
    script: { kind: 'later' } as LearnScript,
    counts: new Map<string, number>(),
    learn(address: string, done: (r: LearnOutcome) => void): void {
      hooks.calls.push(`learn ${address}`);
      if (hooks.script.kind === 'now') return done(hooks.script.outcome);
      end({ ok: false, code: 'E_LEARN_CANCELLED', message: 'learn was cancelled' });
      pending = { address, done };
    },
    cancelLearn(): void {
      hooks.calls.push('cancel');
      end({ ok: false, code: 'E_LEARN_CANCELLED', message: 'learn was cancelled' });
    },
    unlearn(address: string): number {
      hooks.calls.push(`unlearn ${address}`);
      return hooks.counts.get(address) ?? 0;
    },
    status: (): unknown => STATUS,
    nameOf: (source: string): string | undefined => (source === 'midi:x-touch' ? 'X-Touch' : undefined),
    finish: (o: LearnOutcome): void => end(o),
    armed: (): string | undefined => pending?.address,
  };
  return hooks;
}

async function engineer(s: TestServer, name = 'FOH'): Promise<{ c: RemoteConn; welcome: Msg }> {
  const c = await open(s);
  const { welcome } = await c.join({ token: TOKEN, name });
  return { c, welcome };
}

/** Every message this connection gets up to the answer of a ping: what the server sent before it. */
async function before(c: RemoteConn, id: number): Promise<Msg[]> {
  c.send({ type: 'ping', id });
  const all = await c.until('pong');
  expect(all[all.length - 1].id).toBe(id);
  return all.slice(0, -1).filter((m) => m.type !== 'leases' && m.type !== 'change');
}

async function until(cond: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(5);
  }
}

describe('learn round trips', () => {
  it('armed, then learnt when the surface answers later; the id is echoed on both', async () => {
    const s = await start();
    const h = fakeHooks();
    s.cs.attachSurfaces(h);
    const { c } = await engineer(s);
    c.send({ type: 'learn', address: 'ch/3/fader', id: 5 });
    expect(await c.next('learn')).toEqual({ type: 'learn', state: 'armed', address: 'ch/3/fader', id: 5 });
    expect(h.calls).toEqual(['learn ch/3/fader']);
    expect(h.armed()).toBe('ch/3/fader');
    h.finish({ ok: true, surface: 'nanokontrol2', control: 'cc:1:2', address: 'ch/3/fader' });
    expect(await c.next('learn')).toEqual({ type: 'learn', state: 'learnt', address: 'ch/3/fader', surface: 'nanokontrol2', control: 'cc:1:2', id: 5 });
    // Learnt: nothing is armed for this client any more, so its learn-cancel reaches nobody.
    c.send({ type: 'learn-cancel', id: 6 });
    expect(await before(c, 1)).toEqual([]);
    expect(h.calls).toEqual(['learn ch/3/fader']);
  });

  it('ended with the code and message of a timeout; no id sent, none echoed', async () => {
    const s = await start();
    const h = fakeHooks();
    s.cs.attachSurfaces(h);
    const { c } = await engineer(s);
    c.send({ type: 'learn', address: 'bus/2/fader' });
    expect(await c.next('learn')).toEqual({ type: 'learn', state: 'armed', address: 'bus/2/fader' });
    h.finish({ ok: false, code: 'E_LEARN_TIMEOUT', message: 'no control was moved within 30 s' });
    expect(await c.next('learn')).toEqual({ type: 'learn', state: 'ended', address: 'bus/2/fader', code: 'E_LEARN_TIMEOUT', message: 'no control was moved within 30 s' });
  });

  it('a learn answered inside the call is learnt or ended without an armed before it', async () => {
    const s = await start();
    const h = fakeHooks();
    s.cs.attachSurfaces(h);
    const { c } = await engineer(s);
    h.script = { kind: 'now', outcome: { ok: true, surface: 'x-touch-mini', control: 'note:1:8', address: 'ch/1/mute' } };
    c.send({ type: 'learn', address: 'ch/1/mute', id: 11 });
    expect(await before(c, 1)).toEqual([{ type: 'learn', state: 'learnt', address: 'ch/1/mute', surface: 'x-touch-mini', control: 'note:1:8', id: 11 }]);

    h.script = { kind: 'now', outcome: { ok: false, code: 'E_LEARN_NONE', message: 'no MIDI controller that can learn is connected' } };
    c.send({ type: 'learn', address: 'ch/1/mute', id: 12 });
    expect(await before(c, 2)).toEqual([
      { type: 'learn', state: 'ended', address: 'ch/1/mute', code: 'E_LEARN_NONE', message: 'no MIDI controller that can learn is connected', id: 12 },
    ]);
    // Neither left a learn armed: learn-cancel does not reach the surfaces.
    c.send({ type: 'learn-cancel' });
    expect(await before(c, 3)).toEqual([]);
    expect(h.calls).toEqual(['learn ch/1/mute', 'learn ch/1/mute']);
  });

  it('a second learn replaces the first: the first ends cancelled (its id), the second is armed', async () => {
    const s = await start();
    const h = fakeHooks();
    s.cs.attachSurfaces(h);
    const { c } = await engineer(s);
    c.send({ type: 'learn', address: 'ch/1/fader', id: 1 });
    expect(await c.next('learn')).toMatchObject({ state: 'armed', id: 1 });
    c.send({ type: 'learn', address: 'ch/2/fader', id: 2 });
    expect(await before(c, 9)).toEqual([
      { type: 'learn', state: 'ended', address: 'ch/1/fader', code: 'E_LEARN_CANCELLED', message: 'learn was cancelled', id: 1 },
      { type: 'learn', state: 'armed', address: 'ch/2/fader', id: 2 },
    ]);
    // The second is this client's armed learn: its learn-cancel ends it.
    c.send({ type: 'learn-cancel', id: 3 });
    expect(await c.next('learn')).toEqual({ type: 'learn', state: 'ended', address: 'ch/2/fader', code: 'E_LEARN_CANCELLED', message: 'learn was cancelled', id: 2 });
    expect(h.calls).toEqual(['learn ch/1/fader', 'learn ch/2/fader', 'cancel']);
  });

  it('unlearn answers how many mappings went', async () => {
    const s = await start();
    const h = fakeHooks();
    h.counts.set('ch/4/pan', 3);
    s.cs.attachSurfaces(h);
    const { c } = await engineer(s);
    c.send({ type: 'unlearn', address: 'ch/4/pan', id: 21 });
    expect(await c.next('learn')).toEqual({ type: 'learn', state: 'unlearnt', address: 'ch/4/pan', count: 3, id: 21 });
    c.send({ type: 'unlearn', address: 'ch/5/pan' });
    expect(await c.next('learn')).toEqual({ type: 'learn', state: 'unlearnt', address: 'ch/5/pan', count: 0 });
    expect(h.calls).toEqual(['unlearn ch/4/pan', 'unlearn ch/5/pan']);
  });
});

describe('who may learn', () => {
  it('refuses performers and viewers with E_AUTH_ROLE, and the surfaces hear nothing', async () => {
    const s = await start();
    const h = fakeHooks();
    s.cs.attachSurfaces(h);
    const perf = await invite(s.base, { role: 'performer', bus: 2, name: 'Anna' });
    const view = await invite(s.base, { role: 'viewer', name: 'Desk 2' });
    let id = 0;
    for (const [token, role] of [
      [perf.token, 'performer'],
      [view.token, 'viewer'],
    ] as const) {
      const c = await open(s);
      await c.join({ token });
      // Even for its own bus's fader: learn is the engineer's.
      for (const m of [
        { type: 'learn', address: 'bus/2/fader' },
        { type: 'unlearn', address: 'bus/2/fader' },
        { type: 'learn-cancel' },
      ]) {
        c.send({ ...m, id: ++id });
        const answers = await before(c, 1000 + id);
        expect(answers, `${role} ${m.type}`).toEqual([{ type: 'error', code: 'E_AUTH_ROLE', message: `MIDI learn is for the engineer, not a ${role}`, id }]);
      }
    }
    expect(h.calls).toEqual([]);
    expect(s.cs.remote.stats.refused).toBe(6);
  });

  it('refuses an unknown address with E_PARAM_UNKNOWN before asking the surfaces', async () => {
    const s = await start();
    const h = fakeHooks();
    s.cs.attachSurfaces(h);
    const { c } = await engineer(s);
    for (const [type, address, id] of [
      ['learn', 'ch/33/fader', 1],
      ['unlearn', 'ch/1/nothing', 2],
    ] as const) {
      c.send({ type, address, id });
      expect(await c.next('error')).toEqual({ type: 'error', code: 'E_PARAM_UNKNOWN', message: `unknown parameter address '${address}'`, id });
    }
    expect(h.calls).toEqual([]);
  });

  it('answers E_LEARN_NONE when no surfaces run; learn-cancel is then a no-op', async () => {
    const s = await start();
    const { c } = await engineer(s);
    c.send({ type: 'learn', address: 'ch/1/fader', id: 4 });
    expect(await before(c, 1)).toEqual([{ type: 'error', code: 'E_LEARN_NONE', message: 'no MIDI surfaces run in this server', id: 4 }]);
    c.send({ type: 'unlearn', address: 'ch/1/fader', id: 5 });
    expect(await before(c, 2)).toEqual([{ type: 'error', code: 'E_LEARN_NONE', message: 'no MIDI surfaces run in this server', id: 5 }]);
    c.send({ type: 'learn-cancel', id: 6 });
    expect(await before(c, 3)).toEqual([]);
    // The unknown address is still said first.
    c.send({ type: 'learn', address: 'ch/99/fader', id: 7 });
    expect(await c.next('error')).toMatchObject({ code: 'E_PARAM_UNKNOWN', id: 7 });
  });
});

describe('ending a learn', () => {
  it('learn-cancel from another client does not end this client’s learn', async () => {
    const s = await start();
    const h = fakeHooks();
    s.cs.attachSurfaces(h);
    const { c: a } = await engineer(s, 'FOH');
    const { c: b } = await engineer(s, 'Monitor desk');
    a.send({ type: 'learn', address: 'ch/1/fader', id: 1 });
    expect(await a.next('learn')).toMatchObject({ state: 'armed', id: 1 });
    b.send({ type: 'learn-cancel', id: 2 });
    expect(await before(b, 3)).toEqual([]);
    expect(h.calls).toEqual(['learn ch/1/fader']);
    expect(h.armed()).toBe('ch/1/fader');
    // Still armed for a: the surface's answer reaches it.
    h.finish({ ok: true, surface: 'x-touch', control: 'fader1', address: 'ch/1/fader' });
    expect(await a.next('learn')).toMatchObject({ state: 'learnt', control: 'fader1', id: 1 });
    expect(await before(b, 4)).toEqual([]);
  });

  it('a client that goes away while armed cancels its learn; one that is not armed does not', async () => {
    const s = await start();
    const h = fakeHooks();
    s.cs.attachSurfaces(h);
    const { c: a } = await engineer(s, 'FOH');
    const { c: b } = await engineer(s, 'Spare');
    a.send({ type: 'learn', address: 'ch/7/fader', id: 1 });
    await a.next('learn');
    await b.end();
    await until(() => s.cs.remote.status().clients === 1, 'the idle client gone');
    expect(h.calls).toEqual(['learn ch/7/fader']);
    await a.end();
    await until(() => h.calls.length === 2, 'cancelLearn called');
    expect(h.calls).toEqual(['learn ch/7/fader', 'cancel']);
    expect(h.armed()).toBeUndefined();
  });

  it('refuses malformed learn messages with E_WS_MESSAGE and never asks the surfaces', async () => {
    const s = await start();
    const h = fakeHooks();
    s.cs.attachSurfaces(h);
    const { c } = await engineer(s);
    const cases: Array<[object, string, number | undefined]> = [
      [{ type: 'learn' }, `'learn' needs 'address', a parameter address such as "ch/1/fader"`, undefined],
      [{ type: 'learn', address: '', id: 3 }, `'learn' needs 'address', a parameter address such as "ch/1/fader"`, 3],
      [{ type: 'learn', address: 7, id: 4 }, `'learn' needs 'address', a parameter address such as "ch/1/fader"`, 4],
      [{ type: 'learn', address: 'c'.repeat(129), id: 5 }, `'learn' needs 'address', a parameter address such as "ch/1/fader"`, 5],
      [{ type: 'learn', address: 'ch/1/fader', surface: 'x-touch', id: 6 }, `'learn' has no field 'surface'`, 6],
      [{ type: 'unlearn', id: 7 }, `'unlearn' needs 'address', a parameter address such as "ch/1/fader"`, 7],
      [{ type: 'unlearn', address: 'ch/1/fader', count: 1, id: 8 }, `'unlearn' has no field 'count'`, 8],
      [{ type: 'learn-cancel', address: 'ch/1/fader', id: 9 }, `'learn-cancel' has no field 'address'`, 9],
      [{ type: 'learn', address: 'ch/1/fader', id: 'x' }, `'id' must be a whole number, not a string`, undefined],
    ];
    for (const [m, message, id] of cases) {
      c.send(m);
      const e = await c.next('error');
      expect(e, JSON.stringify(m)).toEqual({ type: 'error', code: 'E_WS_MESSAGE', message, ...(id !== undefined ? { id } : {}) });
    }
    expect(h.calls).toEqual([]);
    expect(s.cs.remote.stats.malformed).toBe(cases.length);
    expect(c.open).toBe(true);
  });
});

describe('surfaces over HTTP and as holders', () => {
  it('GET /api/surfaces: the status for the engineer and viewers, 403 for performers', async () => {
    const s = await start();
    const perf = await invite(s.base, { role: 'performer', bus: 1, name: 'Anna' });
    const view = await invite(s.base, { role: 'viewer', name: 'Desk 2' });
    const off = await http('GET', `${s.base}/api/surfaces`, { headers: bearer() });
    expect(off.status).toBe(200);
    expect(off.json()).toEqual({ available: false, reason: 'MIDI surfaces are off' });

    s.cs.attachSurfaces(fakeHooks());
    for (const token of [TOKEN, view.token]) {
      const r = await http('GET', `${s.base}/api/surfaces`, { headers: bearer(token) });
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(r.json()).toEqual(STATUS);
    }
    const refused = await http('GET', `${s.base}/api/surfaces`, { headers: bearer(perf.token) });
    expect(refused.status).toBe(403);
    expect(refused.json()).toEqual({ error: { code: 'E_AUTH_ROLE', message: 'the surfaces are for the engineer and viewers' } });
    expect((await http('GET', `${s.base}/api/surfaces`)).status).toBe(401);
  });

  it('the midi section of /api/status', async () => {
    const s = await start();
    const before = await http('GET', `${s.base}/api/status`, { headers: bearer() });
    expect(before.json().midi).toEqual({ available: false, reason: 'MIDI surfaces are off' });
    s.cs.attachSurfaces(fakeHooks());
    const after = await http('GET', `${s.base}/api/status`, { headers: bearer() });
    expect(after.status).toBe(200);
    expect(after.json().midi).toEqual(STATUS);
    // The rest of the status is still there.
    expect(after.json().remote).toMatchObject({ clients: 0 });
  });

  it('"held by" names a surface by its name, or by its source when it has none', async () => {
    const s = await start();
    s.cs.attachSurfaces(fakeHooks());
    const { c } = await engineer(s);
    expect(s.cs.store.touch('ch/1/fader', 'midi:x-touch').ok).toBe(true);
    expect((await c.next('leases')).leases).toEqual([{ address: 'ch/1/fader', source: 'midi:x-touch', name: 'X-Touch' }]);
    expect(s.cs.store.touch('ch/2/fader', 'midi:unnamed').ok).toBe(true);
    expect((await c.next('leases')).leases).toEqual([
      { address: 'ch/1/fader', source: 'midi:x-touch', name: 'X-Touch' },
      { address: 'ch/2/fader', source: 'midi:unnamed', name: 'midi:unnamed' },
    ]);
    // The remote is refused while the surface holds the fader, and told by whom in the leases.
    c.send({ type: 'set', address: 'ch/1/fader', value: 0, id: 8 });
    expect(await c.next('error')).toMatchObject({ code: 'E_CONTROL_HELD', id: 8, address: 'ch/1/fader', value: s.cs.store.value('ch/1/fader') });
    // A change the surface makes reaches the remote with the surface as its source.
    s.cs.store.release('ch/2/fader', 'midi:unnamed');
    expect(s.cs.store.value('ch/3/fader')).not.toBe(-17.5);
    expect(s.cs.store.set('ch/3/fader', -17.5, 'midi:x-touch').ok).toBe(true);
    expect(await c.next('change')).toMatchObject({ address: 'ch/3/fader', value: -17.5, source: 'midi:x-touch' });
  });
});
