/**
 * The X32 dialect over real UDP on 127.0.0.1: the session commands' bytes, GET and SET with
 * X32doc's reference bytes, node SETs, /node and `/` text, /xremote (no echo, the 10 s lifetime,
 * the fifth client), /subscribe, meter blobs byte for byte, malformed datagrams counted, a full
 * walk of the tree, and liblo's oscsend as an independent client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decodePacket, encodeMessage, type OscArg } from '../../src/osc/codec.js';
import { sourceOf } from '../../src/osc/udp.js';
import { FADER_LEVEL, LAWS, levelFloatToDb } from '../../src/osc/x32-laws.js';
import { x32Tree } from '../../src/osc/x32-map.js';
import { X32Server, X32_LIFETIME_MS } from '../../src/osc/x32-server.js';
import { hasLiblo, oscClient, oscsend, type OscTestClient, type Received } from '../helpers/osc.js';
import { surfaceFixture, type SurfaceFixture } from '../helpers/surfaces.js';

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

interface Setup {
  readonly f: SurfaceFixture;
  readonly s: X32Server;
  readonly logs: string[];
  advance(ms: number): void;
}

async function setup(): Promise<Setup> {
  const f = surfaceFixture();
  let now = 5_000_000;
  const logs: string[] = [];
  const s = await X32Server.start({
    store: f.store,
    registry: f.registry,
    layout: f.ctx.layout,
    meters: f.ctx.meters,
    port: 0,
    host: '127.0.0.1',
    clock: () => now,
    onLog: (l) => logs.push(l),
  });
  open.push(s);
  return { f, s, logs, advance: (ms) => (now += ms) };
}

async function client(port: number): Promise<OscTestClient> {
  const c = await oscClient(port);
  open.push(c);
  return c;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (s: string): string => Buffer.from(s, 'latin1').toString('hex');
const s = (value: string): OscArg => ({ type: 's', value });
const i = (value: number): OscArg => ({ type: 'i', value });
const fl = (value: number): OscArg => ({ type: 'f', value });
const argsOf = (g: Received) => g.msg!.args.map((a) => ('value' in a ? a.value : a.type));
const dropped = (x: X32Server): number => Object.values(x.stats.dropped).reduce((a, b) => a + b, 0);

/** X32doc's example: `/ch/01/mix/fader ,f 0.8250` (+3 dB). */
const FADER_PLUS_3 = '2f63682f30312f6d69782f6661646572000000002c6600003f5334cd';

describe('X32 session commands', () => {
  it('answers /info, /xinfo and /status with the documented strings, also without a type tag string', async () => {
    const { s: srv } = await setup();
    const c = await client(srv.port);
    c.sendRaw(Buffer.from('/info\0\0\0', 'latin1')); // old-style OSC: no ',' string
    const info = await c.next((m) => m.address === '/info');
    expect(hex(info.raw)).toBe(ascii('/info\0\0\0,ssss\0\0\0V2.05\0\0\0mixhost\0X32\0' + '4.06\0\0\0\0'));
    c.send('/xinfo');
    const xinfo = await c.next((m) => m.address === '/xinfo');
    expect(hex(xinfo.raw)).toBe(ascii('/xinfo\0\0,ssss\0\0\x00127.0.0.1\0\0\0mixhost\0X32\0' + '4.06\0\0\0\0'));
    c.send('/status');
    const status = await c.next((m) => m.address === '/status');
    expect(hex(status.raw)).toBe(ascii('/status\0,sss\0\0\0\0active\0\x00127.0.0.1\0\0\0mixhost\0'));
    expect(srv.stats.replies).toBe(3);
    expect(srv.stats.dropped).toEqual({});
  });
});

describe('X32 GET and SET', () => {
  it('sets +3 dB from X32doc’s reference bytes, and answers a GET of a +3 dB fader with exactly those bytes', async () => {
    const { f, s: srv } = await setup();
    const c = await client(srv.port);
    c.sendRaw(Buffer.from(FADER_PLUS_3, 'hex'));
    await expect.poll(() => f.store.value('ch/1/fader')).toBe(levelFloatToDb(844 / 1023));
    expect(f.store.value('ch/1/fader')).toBeCloseTo(3.001, 3);
    f.store.set('ch/1/fader', 3, 'ws:1');
    c.sendRaw(Buffer.from('/ch/01/mix/fader\0\0\0\0', 'latin1')); // a GET without type tags
    expect(hex((await c.next((m) => m.address === '/ch/01/mix/fader')).raw)).toBe(FADER_PLUS_3);
    expect(srv.stats).toMatchObject({ sets: 1, writes: 1, refused: 0, ignored: 0 });
  });

  it('maps /mix/on inverted onto the mute and answers GETs with int types', async () => {
    const { f, s: srv } = await setup();
    const c = await client(srv.port);
    c.send('/ch/01/mix/on', i(0));
    await expect.poll(() => f.store.value('ch/1/mute')).toBe(1);
    c.send('/ch/01/mix/on');
    expect(argsOf(await c.next((m) => m.address === '/ch/01/mix/on'))).toEqual([0]);
    c.send('/ch/01/mix/on', s('ON'));
    await expect.poll(() => f.store.value('ch/1/mute')).toBe(0);
    c.send('/ch/01/mix/on');
    const on = await c.next((m) => m.address === '/ch/01/mix/on');
    expect(on.msg!.args).toEqual([{ type: 'i', value: 1 }]);
  });

  it('sets a node’s leaves in order from a multi-argument SET', async () => {
    const { f, s: srv } = await setup();
    const c = await client(srv.port);
    f.store.set('ch/1/eq/1/type', 1, 'ws:1'); // lowshelf
    f.store.set('ch/1/eq/1/gain', 6, 'ws:1');
    c.send('/ch/01/eq/1', i(2), fl(0.265), fl(0.5), fl(0.4648));
    await expect.poll(() => srv.stats.sets).toBe(4);
    expect(f.store.value('ch/1/eq/1/type')).toBe(0); // PEQ -> peak
    expect(f.store.value('ch/1/eq/1/freq')).toBeCloseTo(LAWS.freq.fromFloat(Math.fround(0.265)), 9);
    expect(f.store.value('ch/1/eq/1/freq')).toBeCloseTo(124.7, 1);
    expect(f.store.value('ch/1/eq/1/gain')).toBe(0);
    expect(f.store.value('ch/1/eq/1/q')).toBeCloseTo(LAWS.eqQ.fromFloat(Math.fround(0.4648)), 9);
    expect(f.store.value('ch/1/eq/1/q')).toBeCloseTo(1.96, 2);
    c.send('/node', s('ch/01/eq/1'));
    expect(argsOf(await c.next((m) => m.address === 'node'))).toEqual(['/ch/01/eq/1 PEQ 124.7 +0.00 2.0\n']);
  });

  it('drops a write held by another source, counts ignored SETs and logs each address once', async () => {
    const { f, s: srv, logs } = await setup();
    const c = await client(srv.port);
    f.store.touch('ch/1/fader', 'midi:behringer-x-touch');
    const before = f.store.value('ch/1/fader');
    c.send('/ch/01/mix/fader', fl(1));
    c.send('/ch/01/config/name', s('Bass'));
    c.send('/ch/01/config/name', s('Bass'));
    c.send('/mtx/01/mix/fader', fl(0.5));
    await expect.poll(() => srv.stats.refused + srv.stats.ignored).toBe(4);
    expect(srv.stats.refused).toBe(1);
    expect(f.store.value('ch/1/fader')).toBe(before);
    expect(logs.filter((l) => l.includes('/ch/01/config/name'))).toEqual(['X32: a SET of /ch/01/config/name is ignored: names are session data: set them in the session']);
    expect(logs.filter((l) => l.includes('/mtx/01/mix/fader'))).toHaveLength(1);
    expect(await c.quiet(100)).toEqual([]); // the X32 gives no ACK and no error
  });
});

describe('X32 /node and text sets', () => {
  it('answers /node on the address `node` with the node’s text and a newline', async () => {
    const { f, s: srv } = await setup();
    const c = await client(srv.port);
    c.send('/node', s('ch/01/config'));
    const cfg = await c.next((m) => m.address === 'node');
    expect(hex(cfg.raw)).toBe(ascii('node\0\0\0\0,s\0\0/ch/01/config "Kick" 1 RD 1\n\0\0\0\0'));
    f.store.set('ch/1/fader', -12.5, 'ws:1');
    f.store.set('ch/1/pan', -30, 'ws:1');
    f.store.set('ch/1/main', 1, 'ws:1'); // the demo's kick goes to the drum group only
    c.send('/node', s('ch/01/mix'));
    expect(argsOf(await c.next((m) => m.address === 'node'))).toEqual(['/ch/01/mix ON -12.5 ON -30 OFF   -oo\n']);
    c.send('/node', s('ch/99/mix'));
    await expect.poll(() => srv.stats.dropped['unknown-node']).toBe(1);
  });

  it('sets a leaf and a node from `/` text and echoes the command back', async () => {
    const { f, s: srv } = await setup();
    const c = await client(srv.port);
    c.send('/', s('ch/01/mix/fader -10'));
    expect(argsOf(await c.next((m) => m.address === '/'))).toEqual(['ch/01/mix/fader -10']);
    expect(f.store.value('ch/1/fader')).toBe(FADER_LEVEL.quantize(-10));
    expect(f.store.value('ch/1/fader')).toBeCloseTo(-9.98, 2); // step 512 of 1023
    c.send('/', s('/ch/02/mix OFF -20.0 ON +50')); // a partial list: mono and mlevel stay
    await c.next((m) => m.address === '/');
    expect([f.store.value('ch/2/mute'), f.store.value('ch/2/main'), f.store.value('ch/2/pan')]).toEqual([1, 1, 50]);
    expect(f.store.value('ch/2/fader')).toBe(FADER_LEVEL.quantize(-20));
    c.send('/', s('ch/01/mix/fader -85.4'));
    await c.next((m) => m.address === '/');
    expect(f.store.value('ch/1/fader')).toBeCloseTo(-85.3, 1); // X32doc: stored as the nearest known value
  });
});

describe('X32 /xremote', () => {
  it('sends everybody else’s changes as X32 messages, never the client’s own, for 10 s unless renewed', async () => {
    const { f, s: srv, advance } = await setup();
    const a = await client(srv.port);
    const b = await client(srv.port);
    a.send('/xremote');
    b.send('/xremote');
    await expect.poll(() => srv.xremoteClients).toBe(2);
    f.store.set('ch/3/fader', -10, 'ws:1');
    const m = await a.next((x) => x.address === '/ch/03/mix/fader');
    expect(m.msg!.args).toEqual([{ type: 'f', value: Math.fround(512 / 1023) }]);
    f.store.set('ch/5/gate/mode', 1, 'ws:1'); // expander
    f.store.set('ch/5/gate/ratio', 3, 'ws:1'); // at 3:1: /gate/mode depends on both
    const dca = f.store.value('ch/6/vca/2') >= 0.5 ? 0 : 1;
    f.store.set('ch/6/vca/2', dca, 'ws:1');
    const mask = x32Tree(f.ctx.layout, (x) => f.store.value(x)).get('/ch/06/grp/dca')!.value as number;
    expect(mask & 2).toBe(dca * 2);
    await a.next((x) => x.address === '/ch/05/gate/mode' && x.args[0].type === 'i' && x.args[0].value === 1); // EXP3
    expect(argsOf(await a.next((x) => x.address === '/ch/06/grp/dca'))).toEqual([mask]);
    // A's own SET reaches B, not A.
    a.send('/ch/04/mix/fader', fl(0.75));
    expect(argsOf(await b.next((x) => x.address === '/ch/04/mix/fader'))).toEqual([Math.fround(767 / 1023)]);
    await new Promise((r) => setTimeout(r, 150));
    expect(a.got.filter((g) => g.msg?.address === '/ch/04/mix/fader')).toEqual([]);
    // A renews at 9 s, B does not: at 10 s B has lapsed.
    a.got.length = 0;
    b.got.length = 0;
    const lease = sourceOf({ address: '127.0.0.1', port: b.port });
    expect(f.store.touch('ch/9/fader', lease)).toEqual({ ok: true });
    advance(9000);
    a.send('/xremote');
    await new Promise((r) => setTimeout(r, 50));
    advance(1001);
    srv.sweep();
    expect(srv.xremoteClients).toBe(1);
    expect(srv.subscribers).toBe(1);
    expect(f.store.holder('ch/9/fader')).toBeUndefined(); // B's leases went with it
    f.store.set('ch/7/fader', 0, 'ws:1');
    expect(argsOf(await a.next((x) => x.address === '/ch/07/mix/fader'))).toEqual([Math.fround(767 / 1023)]);
    expect((await b.quiet(100)).length).toBe(0);
    advance(X32_LIFETIME_MS);
    srv.sweep();
    expect(srv.subscribers).toBe(0);
    f.store.set('ch/7/fader', -5, 'ws:1');
    expect((await a.quiet(100)).length).toBe(0);
  });

  it('follows four clients; a fifth is refused until one stops renewing', async () => {
    const { f, s: srv, logs, advance } = await setup();
    const cs = await Promise.all([0, 1, 2, 3, 4].map(() => client(srv.port)));
    for (const c of cs.slice(0, 4)) c.send('/xremote');
    await expect.poll(() => srv.xremoteClients).toBe(4);
    cs[4].send('/xremote');
    await expect.poll(() => srv.stats.dropped['xremote-full']).toBe(1);
    cs[0].send('/xremote'); // a renewal is no new client
    cs[4].send('/xremote');
    await expect.poll(() => srv.stats.dropped['xremote-full']).toBe(2);
    expect(logs.filter((l) => l.includes('refused'))).toHaveLength(1);
    f.store.set('ch/2/fader', -20, 'ws:1');
    for (const c of cs.slice(0, 4)) await c.next((x) => x.address === '/ch/02/mix/fader');
    expect((await cs[4].quiet(100)).length).toBe(0);
    // The fifth still GETs.
    cs[4].send('/ch/02/mix/fader');
    await cs[4].next((x) => x.address === '/ch/02/mix/fader');
    // Client 0 renews at 5 s; 1..3 lapse at 10 s; the fifth gets in.
    advance(5000);
    cs[0].send('/xremote');
    await new Promise((r) => setTimeout(r, 50));
    advance(5001);
    srv.sweep();
    expect(srv.xremoteClients).toBe(1);
    cs[4].send('/xremote');
    await expect.poll(() => srv.xremoteClients).toBe(2);
    expect(srv.stats.dropped['xremote-full']).toBe(2);
    f.store.set('ch/2/fader', -30, 'ws:1');
    await cs[4].next((x) => x.address === '/ch/02/mix/fader');
    await cs[0].next((x) => x.address === '/ch/02/mix/fader');
    expect((await cs[1].quiet(100)).length).toBe(0);
  });
});

describe('X32 /subscribe and /meters', () => {
  it('updates a subscribed leaf every 50 ms × tf, renews and unsubscribes by name', async () => {
    const { f, s: srv, advance } = await setup();
    const c = await client(srv.port);
    f.store.set('ch/1/fader', 0, 'ws:1');
    c.send('/subscribe', s('/ch/01/mix/fader'), i(0));
    const first = await c.next((x) => x.address === '/ch/01/mix/fader');
    expect(argsOf(first)).toEqual([Math.fround(767 / 1023)]);
    await new Promise((r) => setTimeout(r, 600));
    // 50 ms: about 12 in 600 ms (generous bounds: timers on a loaded machine).
    const n = c.got.filter((g) => g.msg?.address === '/ch/01/mix/fader').length;
    expect(n).toBeGreaterThanOrEqual(4);
    expect(n).toBeLessThanOrEqual(14);
    advance(9000);
    c.send('/renew', s('ch/01/mix/fader'));
    await new Promise((r) => setTimeout(r, 50));
    advance(1001);
    srv.sweep();
    expect(srv.subscribers).toBe(1);
    c.send('/unsubscribe', s('/ch/01/mix/fader'));
    await expect.poll(() => srv.subscribers).toBe(0);
    await c.quiet(60);
    expect((await c.quiet(200)).length).toBe(0);
    c.send('/renew');
    c.send('/subscribe', s('/-stat/tape/etime'), i(20));
    await expect.poll(() => dropped(srv)).toBe(2);
    expect(srv.stats.dropped).toEqual({ 'unknown-subscription': 1, 'unknown-address': 1 });
  });

  it('sends /meters/1 as a blob of a little-endian count and little-endian linear floats', async () => {
    const { f, s: srv, advance } = await setup();
    const c = await client(srv.port);
    const layout = f.ctx.meters!.layout;
    const ch1 = layout.offsetOf('ch/1');
    const ch2 = layout.offsetOf('ch/2');
    f.meterValues.set([-6, -6, -3, -3, -9, -9, 6, 3], ch1); // peaks, holds, rms, gate GR 6 dB, comp GR 3 dB
    f.meterValues.set([0, -1, 0, -1, -4, -4, 0, 0], ch2);
    c.send('/meters', s('/meters/1'));
    const got = await c.next((x) => x.address === '/meters/1');
    const want = Buffer.alloc(12 + 4 + 4 + 388);
    want.write('/meters/1', 0, 'latin1');
    want.write(',b', 12, 'latin1');
    want.writeInt32BE(388, 16);
    want.writeInt32LE(96, 20);
    const vals = new Array<number>(96).fill(0);
    vals[0] = 10 ** (-6 / 20);
    vals[1] = 1;
    for (let k = 32; k < 96; k++) vals[k] = 1; // no gain reduction
    vals[32] = 10 ** (-6 / 20);
    vals[64] = 10 ** (-3 / 20);
    vals.forEach((v, k) => want.writeFloatLE(v, 24 + 4 * k));
    expect(hex(got.raw)).toBe(want.toString('hex'));
    expect(got.raw.readFloatLE(24)).toBeCloseTo(0.5012, 4);
    // /meters/0 and /meters/2: their sizes; main L/R in /meters/2 at 22 and 23.
    f.meterValues.set([-20, -40], layout.offsetOf('master'));
    c.send('/meters', s('/meters/0'));
    c.send('/meters', s('meters/2'));
    const m0 = await c.next((x) => x.address === '/meters/0');
    const m2 = await c.next((x) => x.address === '/meters/2');
    expect([m0.raw.readInt32BE(16), m0.raw.readInt32LE(20), m2.raw.readInt32BE(16), m2.raw.readInt32LE(20)]).toEqual([284, 70, 200, 49]);
    expect([m0.raw.readFloatLE(24), m0.raw.readFloatLE(24 + 4)]).toEqual([Math.fround(10 ** (-6 / 20)), 1]);
    expect([m2.raw.readFloatLE(24 + 22 * 4), m2.raw.readFloatLE(24 + 23 * 4)]).toEqual([Math.fround(0.1), Math.fround(0.01)]);
    expect(srv.subscribers).toBe(1);
    advance(X32_LIFETIME_MS + 1);
    srv.sweep();
    expect(srv.subscribers).toBe(0);
    await c.quiet(60);
    expect((await c.quiet(200)).length).toBe(0);
  });

  it('sends a /batchsubscribe meter set on its alias, renews and ends it by the alias', async () => {
    const { f, s: srv, advance } = await setup();
    const c = await client(srv.port);
    const ch3 = f.ctx.meters!.layout.offsetOf('ch/3');
    f.meterValues.set([-12, -12, -12, -12, -20, -20, 0, 9], ch3); // comp GR 9 dB
    c.send('/batchsubscribe', s('/mtr6'), s('/meters/6'), i(2), i(0), i(1)); // strip 2 = channel 3
    const got = await c.next((x) => x.address === '/mtr6');
    // The blob of /meters/6: 4 values (pre-fader level, gate GR, comp GR, post-fader level).
    expect([got.raw.readInt32BE(12), got.raw.readInt32LE(16)]).toEqual([20, 4]);
    expect(got.raw.readFloatLE(20)).toBe(Math.fround(10 ** (-12 / 20)));
    expect(got.raw.readFloatLE(28)).toBe(Math.fround(10 ** (-9 / 20)));
    expect(c.got.filter((g) => g.msg?.address === '/meters/6')).toEqual([]);
    // Renewed by its alias, it outlives the first 10 s; ended by its alias, it stops.
    advance(X32_LIFETIME_MS - 1000);
    c.send('/renew', s('mtr6'));
    await new Promise((r) => setTimeout(r, 60));
    advance(2000);
    srv.sweep();
    expect(srv.subscribers).toBe(1);
    c.send('/unsubscribe', s('/mtr6'));
    await expect.poll(() => srv.subscribers).toBe(0);
    await c.quiet(60);
    expect((await c.quiet(200)).length).toBe(0);
    // Only meter sets: anything else is dropped.
    c.send('/batchsubscribe', s('/x'), s('/ch/01/mix/fader'), i(0), i(0), i(1));
    await expect.poll(() => srv.stats.dropped['bad-arguments']).toBe(1);
  });

  it('paces meters by the third int (time factor), 50 ms × tf', async () => {
    const { s: srv } = await setup();
    const c = await client(srv.port);
    c.send('/meters', s('/meters/1'), i(0), i(0), i(10)); // every 500 ms
    await c.next((x) => x.address === '/meters/1');
    await new Promise((r) => setTimeout(r, 1200));
    const slow = c.got.filter((g) => g.msg?.address === '/meters/1').length;
    expect(slow).toBeGreaterThanOrEqual(1);
    expect(slow).toBeLessThanOrEqual(4); // 2 expected
    c.send('/meters', s('/meters/2'), i(7)); // `,si`: the int is the set's argument, not a time factor: 50 ms
    await c.next((x) => x.address === '/meters/2');
    await new Promise((r) => setTimeout(r, 500));
    const fast = c.got.filter((g) => g.msg?.address === '/meters/2').length;
    expect(fast).toBeGreaterThanOrEqual(4); // 10 expected
    expect(fast).toBeLessThanOrEqual(13);
  });
});

describe('X32 robustness', () => {
  it('drops and counts malformed datagrams and unknown addresses, and answers on', async () => {
    const { s: srv } = await setup();
    const c = await client(srv.port);
    c.sendRaw(Buffer.from('/ch/01/mix/fad', 'latin1')); // truncated: 14 bytes, misaligned
    c.sendRaw(Buffer.from('/ch/01/mix/fader\0\0\0\0', 'latin1').subarray(0, 16)); // no terminating NUL
    c.sendRaw(Buffer.from('/ch/01/mix/fader\0\0\0\0,x\0\0\0\0\0\0', 'latin1')); // bad type tag
    c.sendRaw(Buffer.from('/ch/01/mix/fader\0\0\0\0,f\0\0', 'latin1')); // the float is cut off
    c.sendRaw(encodeMessage('/ch/01/mix/fader', [{ type: 'b', value: new Uint8Array(4096) }])); // huge blob
    c.sendRaw(new Uint8Array(8)); // no address
    c.send('/nope');
    c.send('/ch/33/mix/fader', fl(0.5));
    c.send('/ch/01/mix'); // a node is no leaf
    c.send('/ch/01/mix/fader', { type: 'N' });
    c.send('/meters', s('/meters/9'));
    c.send('/node');
    await expect.poll(() => dropped(srv)).toBe(12);
    expect(srv.stats.dropped).toEqual({
      misaligned: 1,
      'truncated-string': 1,
      'unknown-type-tag': 1,
      'truncated-argument': 1,
      'blob-too-large': 1,
      'bad-address': 1,
      'unknown-address': 3,
      'bad-arguments': 2,
      'unknown-meter': 1,
    });
    c.send('/ch/01/mix/fader', fl(1.5)); // out of 0..1: ignored, as the console does
    await expect.poll(() => srv.stats.ignored).toBe(1);
    c.send('/info');
    expect(argsOf(await c.next((m) => m.address === '/info'))).toEqual(['V2.05', 'mixhost', 'X32', '4.06']);
    expect(srv.stats.datagrams).toBe(14);
  });

  it('answers a GET of every leaf of the tree (a full sync)', async () => {
    const { f, s: srv } = await setup();
    const c = await client(srv.port);
    const tree = x32Tree(f.ctx.layout, (a) => f.store.value(a));
    const leaves = tree.leaves();
    expect(leaves.length).toBe(7813);
    const seen = new Map<string, OscArg>();
    for (let at = 0; at < leaves.length; at += 200) {
      const batch = leaves.slice(at, at + 200);
      for (const a of batch) c.send(a);
      const end = Date.now() + 10_000;
      while (c.got.length < batch.length && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
      for (const g of c.got.splice(0)) seen.set(g.msg!.address, g.msg!.args[0]);
    }
    expect(seen.size).toBe(7813);
    for (const a of leaves) expect(seen.get(a)?.type, a).toBe(tree.law(a)!.type);
    expect(seen.get('/main/st/grp/dca')).toEqual({ type: 'i', value: 0 });
    expect(seen.get('/ch/01/config/name')).toEqual({ type: 's', value: 'Kick' });
    expect(srv.stats.replies).toBe(7813);
    expect(srv.stats.dropped).toEqual({});
  });
});

describe('X32 with liblo’s oscsend', () => {
  const tool = hasLiblo('tests/osc/x32-server.test.ts');
  it.skipIf(!tool)('takes a fader SET and a node SET from oscsend', async () => {
    const { f, s: srv } = await setup();
    const send = (...args: string[]): void => oscsend(srv.port, ...args);
    send('/ch/05/mix/fader', 'f', '0.25');
    await expect.poll(() => f.store.value('ch/5/fader')).toBe(FADER_LEVEL.fromFloat(Math.fround(0.25)));
    expect(f.store.value('ch/5/fader')).toBeCloseTo(-29.98, 2); // step 256 of 1023
    send('/ch/05/eq/2', 'ifff', '0', '0.5', '0.75', '0.5');
    await expect.poll(() => f.store.value('ch/5/eq/2/type')).toBe(4); // LCut -> high-pass
    expect(f.store.value('ch/5/eq/2/gain')).toBe(LAWS.eqGain.fromFloat(0.75));
    expect(f.store.value('ch/5/eq/2/gain')).toBe(7.5);
    send('/ch/05/mix/on', 'i', '0');
    await expect.poll(() => f.store.value('ch/5/mute')).toBe(1);
  });
});
