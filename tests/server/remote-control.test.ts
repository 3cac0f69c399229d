/**
 * The remote protocol's control messages between engineers: set (value and position), no
 * echo, coalesced feedback, the sink; touch leases; resuming after a reconnect; bad input,
 * the message size limit and the rate limit. Real WebSockets on 127.0.0.1, port 0.
 */
import { describe, expect, it } from 'vitest';
import { connect, sleep, TOKEN, type Msg, type RemoteConn, type TestServer, remoteFixtures } from '../helpers/remote.js';

const { start, conns } = remoteFixtures();

async function engineer(s: TestServer, name?: string): Promise<{ c: RemoteConn; welcome: Msg }> {
  const c = await connect(s.wsUrl, {}, conns);
  const { welcome } = await c.join({ token: TOKEN, ...(name !== undefined ? { name } : {}) });
  return { c, welcome };
}

const changesOf = (msgs: Msg[], address: string): Msg[] => msgs.filter((m) => m.type === 'change' && m.address === address);

describe('set', () => {
  it('sends a change to the others, not to the sender, and to the sink', async () => {
    const s = await start();
    const { c: a, welcome: wa } = await engineer(s, 'A');
    const { c: b } = await engineer(s, 'B');
    const fader = s.registry.index('ch/1/fader');
    a.send({ type: 'set', address: 'ch/1/fader', value: -6 });
    const ch = await b.next('change');
    expect(ch).toEqual({ type: 'change', address: 'ch/1/fader', value: -6, source: wa.client, seq: 1 });
    expect(s.sunk).toEqual([[fader, -6]]);
    expect(s.cs.store.value('ch/1/fader')).toBe(-6);
    expect(changesOf(await a.collect(100), 'ch/1/fader')).toEqual([]);

    // A position goes through the fader's taper: 0.75 is 0 dB exactly.
    a.send({ type: 'set', address: 'ch/1/fader', position: 0.75 });
    expect(await b.next('change')).toMatchObject({ address: 'ch/1/fader', value: 0, seq: 2 });
    expect(s.sunk[1]).toEqual([fader, 0]);
    // Out of range: clamped (fader max +10 dB); equal value: no change, no seq.
    a.send({ type: 'set', address: 'ch/1/fader', value: 50, id: 3 });
    expect(await b.next('change')).toMatchObject({ value: 10, seq: 3 });
    a.send({ type: 'set', address: 'ch/1/fader', value: 10 });
    a.send({ type: 'set', address: 'ch/1/nothing', value: 1, id: 4 });
    expect(await a.next('error')).toMatchObject({ code: 'E_PARAM_UNKNOWN', id: 4 });
    expect(s.cs.store.seq).toBe(3);
    expect(s.sunk).toHaveLength(3);
  });

  it('coalesces a stream of sets: the first at once, the last value last, far fewer messages', async () => {
    const s = await start();
    const { c: a } = await engineer(s);
    const { c: b } = await engineer(s);
    const values = Array.from({ length: 100 }, (_, i) => -10 - i * 0.5);
    for (const v of values) a.send({ type: 'set', address: 'ch/1/fader', value: v });
    const got: number[] = [];
    const end = Date.now() + 2000;
    while (got[got.length - 1] !== values[99] && Date.now() < end) got.push((await b.next('change')).value as number);
    expect(got[0]).toBe(-10);
    expect(got[got.length - 1]).toBe(-59.5);
    expect(got.length).toBeGreaterThanOrEqual(2);
    expect(got.length).toBeLessThanOrEqual(25);
    // Every set reached the store and the sink.
    expect(s.cs.store.seq).toBe(100);
    expect(s.sunk.map((x) => x[1])).toEqual(values);
    expect(changesOf(await b.collect(60), 'ch/1/fader')).toEqual([]);
  });
});

describe('touch leases', () => {
  it('holds a parameter for the toucher, tells everybody, frees it on release and on disconnect', async () => {
    const s = await start();
    const { c: a, welcome: wa } = await engineer(s, 'Anna desk');
    const { c: b } = await engineer(s, 'B');
    a.send({ type: 'touch', address: 'ch/1/fader' });
    const held = await b.next('leases');
    expect(held.leases).toEqual([{ address: 'ch/1/fader', source: wa.client, name: 'Anna desk' }]);

    b.send({ type: 'set', address: 'ch/1/fader', value: 3, id: 12 });
    const err = await b.next('error');
    expect(err).toMatchObject({ code: 'E_CONTROL_HELD', id: 12, address: 'ch/1/fader', value: -4 });
    expect(err.message).toContain(wa.client);
    b.send({ type: 'touch', address: 'ch/1/fader', id: 13 });
    expect(await b.next('error')).toMatchObject({ code: 'E_CONTROL_HELD', id: 13, value: -4 });
    expect(s.cs.store.value('ch/1/fader')).toBe(-4);
    expect(s.cs.store.seq).toBe(0);

    // The holder itself may set.
    a.send({ type: 'set', address: 'ch/1/fader', value: -5 });
    expect(await b.next('change')).toMatchObject({ value: -5, source: wa.client });

    // A release by someone else is a no-op.
    b.send({ type: 'release', address: 'ch/1/fader' });
    expect((await b.collect(60)).filter((m) => m.type === 'leases')).toEqual([]);
    a.send({ type: 'release', address: 'ch/1/fader' });
    expect((await b.next('leases')).leases).toEqual([]);

    a.send({ type: 'touch', address: 'ch/2/fader' });
    expect((await b.next('leases')).leases).toEqual([{ address: 'ch/2/fader', source: wa.client, name: 'Anna desk' }]);
    await a.end();
    expect((await b.next('leases')).leases).toEqual([]);
    expect(s.cs.store.holder('ch/2/fader')).toBeUndefined();
  });
});

describe('resume', () => {
  it('sends the missed changes, coalesced, instead of a snapshot when the epoch matches', async () => {
    const s = await start();
    const store = s.cs.store;
    store.set('ch/1/fader', -10, 'osc:test');
    store.set('ch/2/fader', -11, 'osc:test');
    store.set('ch/1/fader', -12, 'osc:test');
    const c = await connect(s.wsUrl, {}, conns);
    c.send({ type: 'hello', token: TOKEN, epoch: store.epoch, lastSeq: 1 });
    const all = await collectUntil(c, 'leases');
    expect(all.map((m) => m.type)).toEqual(['welcome', 'change', 'change', 'leases']);
    expect(all[0].resumed).toBe(true);
    expect(all[1]).toEqual({ type: 'change', address: 'ch/2/fader', value: -11, source: 'osc:test', seq: 2 });
    expect(all[2]).toEqual({ type: 'change', address: 'ch/1/fader', value: -12, source: 'osc:test', seq: 3 });

    // Up to date: nothing to catch up, still resumed.
    const d = await connect(s.wsUrl, {}, conns);
    d.send({ type: 'hello', token: TOKEN, epoch: store.epoch, lastSeq: 3 });
    expect((await collectUntil(d, 'leases')).map((m) => m.type)).toEqual(['welcome', 'leases']);
  });

  it('sends a snapshot for another epoch, a seq ahead of the server, or a gap the history lost', async () => {
    const s = await start();
    const store = s.cs.store;
    store.set('ch/1/fader', -10, 'osc:test');
    for (const hello of [
      { epoch: 'deadbeef', lastSeq: 0 },
      { epoch: store.epoch, lastSeq: 2 },
      { epoch: store.epoch }, // no lastSeq
    ]) {
      const c = await connect(s.wsUrl, {}, conns);
      c.send({ type: 'hello', token: TOKEN, ...hello });
      const all = await collectUntil(c, 'leases');
      expect(all.map((m) => m.type)).toEqual(['welcome', 'snapshot', 'leases']);
      expect(all[0].resumed).toBe(false);
      expect(all[1]).toMatchObject({ epoch: store.epoch, seq: 1 });
      expect(all[1].params['ch/1/fader']).toBe(-10);
    }

    // 4100 changes over four faders; the history (4096) holds seq 5..4100.
    for (let i = 1; i < 4100; i++) store.set(`ch/${1 + (i % 4)}/fader`, -(Math.floor(i / 4) % 50) - 1, 'engine');
    expect(store.seq).toBe(4100);
    const lost = await connect(s.wsUrl, {}, conns);
    lost.send({ type: 'hello', token: TOKEN, epoch: store.epoch, lastSeq: 3 });
    expect((await collectUntil(lost, 'leases')).map((m) => m.type)).toEqual(['welcome', 'snapshot', 'leases']);
    const kept = await connect(s.wsUrl, {}, conns);
    kept.send({ type: 'hello', token: TOKEN, epoch: store.epoch, lastSeq: 4 });
    const all = await collectUntil(kept, 'leases');
    expect(all.map((m) => m.type)).toEqual(['welcome', 'change', 'change', 'change', 'change', 'leases']);
    expect(all.slice(1, 5).map((m) => m.seq)).toEqual([4097, 4098, 4099, 4100]);
    for (const m of all.slice(1, 5)) expect(m.value).toBe(store.value(m.address as string));
  });
});

/** Every text message up to and including the first of `type`, in arrival order. */
function collectUntil(c: RemoteConn, type: string): Promise<Msg[]> {
  return c.until(type, 2000);
}

describe('bad input', () => {
  it('answers each malformed message with E_WS_MESSAGE and stays open', async () => {
    const s = await start();
    const { c } = await engineer(s);
    const bad: Array<string | Buffer> = [
      'not json',
      '[1,2]',
      '"set"',
      'null',
      JSON.stringify({ type: 'jump' }),
      JSON.stringify({ type: 'set', address: 'ch/1/fader', value: -6, extra: 1 }),
      JSON.stringify({ type: 'set', address: 'ch/1/fader', value: -6, position: 0.5 }),
      JSON.stringify({ type: 'set', address: 'ch/1/fader' }),
      JSON.stringify({ type: 'set', address: 'ch/1/fader', value: '-6' }),
      JSON.stringify({ type: 'set', value: -6 }),
      JSON.stringify({ type: 'subscribe', meters: 'ch/1' }),
      JSON.stringify({ type: 'hello', token: TOKEN }),
      Buffer.from([1, 2, 3]),
    ];
    for (const m of bad) {
      c.send(m);
      const err = await c.next('error');
      expect(err.code, String(m)).toBe('E_WS_MESSAGE');
      expect(c.open).toBe(true);
    }
    // An id is repeated when the message had a usable one.
    c.send({ type: 'set', address: 'ch/1/fader', value: 'loud', id: 41 });
    expect(await c.next('error')).toMatchObject({ code: 'E_WS_MESSAGE', id: 41 });
    expect(s.cs.store.seq).toBe(0);
    expect(s.cs.remote.stats.malformed).toBe(bad.length + 1);
    // Still serving.
    c.send({ type: 'ping', id: 1 });
    expect((await c.next('pong')).id).toBe(1);
  });

  it('closes 4008 after maxMalformed malformed messages', async () => {
    const s = await start({ remote: { maxMalformed: 3 } });
    const { c } = await engineer(s);
    for (let i = 0; i < 3; i++) {
      c.send('{');
      expect((await c.next('error')).code).toBe('E_WS_MESSAGE');
      expect(c.open).toBe(true);
    }
    c.send('{');
    expect((await c.next('error')).code).toBe('E_WS_MESSAGE');
    expect(await c.closed()).toEqual({ code: 4008, reason: 'E_WS_MESSAGE' });
  });

  it('takes a message of 16 KiB and closes 1009 on one byte more', async () => {
    const s = await start();
    const { c } = await engineer(s);
    const msg = JSON.stringify({ type: 'ping', id: 5 });
    c.send(msg + ' '.repeat(16384 - msg.length));
    expect((await c.next('pong')).id).toBe(5);
    c.send(msg + ' '.repeat(16385 - msg.length));
    expect((await c.closed()).code).toBe(1009);
  });

  it('drops what exceeds the rate, with one E_WS_RATE error', async () => {
    const s = await start({ remote: { rate: { perSecond: 10, burst: 10 } } });
    const { c, welcome } = await engineer(s);
    expect(welcome.limits).toEqual({ maxMessageBytes: 16384, messagesPerSecond: 10, burst: 10 });
    for (let i = 1; i <= 30; i++) c.send({ type: 'set', address: 'ch/1/fader', value: -i });
    const msgs = await c.collect(200);
    const errors = msgs.filter((m) => m.type === 'error');
    expect(errors.map((m) => m.code)).toEqual(['E_WS_RATE']);
    expect(s.cs.store.seq).toBe(10);
    expect(s.cs.store.value('ch/1/fader')).toBe(-10);
    expect(s.sunk.map((x) => x[1])).toEqual([-1, -2, -3, -4, -5, -6, -7, -8, -9, -10]);
    expect(s.cs.remote.stats.rateDropped).toBe(20);
    // The bucket refills at 10 a second: after 150 ms one more goes through.
    await sleep(150);
    c.send({ type: 'set', address: 'ch/1/fader', value: -40 });
    await sleep(50);
    expect(s.cs.store.value('ch/1/fader')).toBe(-40);
  });
});
