/**
 * The native OSC dialect over real UDP on 127.0.0.1: sets in units and positions, queries,
 * patterns, bundles, subscriptions with their lifetime and no echo, meter blobs, refusals, and
 * malformed datagrams dropped and counted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBundle, encodeMessage, type OscMessage } from '../../src/osc/codec.js';
import { NativeOscServer } from '../../src/osc/native.js';
import { oscClient, type OscTestClient } from '../helpers/osc.js';
import { surfaceFixture, type SurfaceFixture } from '../helpers/surfaces.js';

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function server(f: SurfaceFixture, clock?: () => number): Promise<NativeOscServer> {
  const s = await NativeOscServer.start({ store: f.store, registry: f.registry, meters: f.ctx.meters, port: 0, host: '127.0.0.1', clock });
  open.push(s);
  return s;
}

async function client(port: number): Promise<OscTestClient> {
  const c = await oscClient(port);
  open.push(c);
  return c;
}

const f32 = (x: number): number => Math.fround(x);
const valueOf = (m: OscMessage): number => (m.args[0] as { value: number }).value;

describe('native OSC over UDP', () => {
  it('sets in the unit and by position, and answers queries in kind', async () => {
    const f = surfaceFixture();
    const s = await server(f);
    const c = await client(s.port);
    c.send('/ch/1/fader', { type: 'f', value: -10 });
    await expect.poll(() => f.store.value('ch/1/fader')).toBe(f32(-10));
    c.send('/ch/2/mute', { type: 'T' });
    c.send('/ch/3/pan', { type: 'i', value: -40 });
    await expect.poll(() => [f.store.value('ch/2/mute'), f.store.value('ch/3/pan')]).toEqual([1, -40]);
    c.send('/ch/4/fader/pos', { type: 'f', value: 0.75 });
    await expect.poll(() => f.store.value('ch/4/fader')).toBeCloseTo(f.registry.descriptor('ch/4/fader').taper.fromPosition(f32(0.75)), 9);
    // Queries: the value, or the position, back to the sender.
    c.send('/ch/1/fader');
    expect(await c.nextMsg((m) => m.address === '/ch/1/fader')).toEqual({ address: '/ch/1/fader', args: [{ type: 'f', value: f32(-10) }] });
    c.send('/ch/4/fader/pos');
    expect(valueOf(await c.nextMsg((m) => m.address === '/ch/4/fader/pos'))).toBeCloseTo(0.75, 6);
    expect(s.stats.dropped).toEqual({});
  });

  it('patterns set and query every match; a bundle runs in order', async () => {
    const f = surfaceFixture();
    const s = await server(f);
    const c = await client(s.port);
    c.send('/ch/*/mute', { type: 'i', value: 1 });
    await expect.poll(() => f.registry.descriptors.filter((d) => /^ch\/\d+\/mute$/.test(d.address) && f.store.value(d.address) === 1).length).toBe(32);
    expect(f.store.value('bus/1/mute')).toBe(0);
    c.send('/ch/[1-3]/mute');
    const answers = [await c.nextMsg(), await c.nextMsg(), await c.nextMsg()].map((m) => m.address).sort();
    expect(answers).toEqual(['/ch/1/mute', '/ch/2/mute', '/ch/3/mute']);
    c.sendRaw(encodeBundle(1n, [{ address: '/ch/5/fader', args: [{ type: 'f', value: -20 }] }, { address: '/ch/5/fader', args: [{ type: 'f', value: -5 }] }]));
    await expect.poll(() => f.store.value('ch/5/fader')).toBe(-5);
  });

  it('a subscription gets everybody else\'s changes of its pattern, never its own, until it lapses', async () => {
    let now = 1_000_000;
    const f = surfaceFixture();
    const s = await server(f, () => now);
    const sub = await client(s.port);
    sub.send('/subscribe', { type: 's', value: '/ch/*/fader' }, { type: 'i', value: 5 });
    expect(await sub.nextMsg((m) => m.address === '/subscribed')).toEqual({ address: '/subscribed', args: [{ type: 's', value: '/ch/*/fader' }, { type: 'i', value: 5 }] });
    // The current values come at once: 32 faders.
    await expect.poll(() => sub.got.filter((g) => /^\/ch\/\d+\/fader$/.test(g.msg?.address ?? '')).length).toBe(32);
    sub.got.length = 0;
    f.store.set('ch/7/fader', -3, 'ws:1');
    f.store.set('ch/7/mute', 1, 'ws:1'); // not in the pattern
    expect(await sub.nextMsg()).toEqual({ address: '/ch/7/fader', args: [{ type: 'f', value: -3 }] });
    // Its own set is not echoed.
    sub.send('/ch/8/fader', { type: 'f', value: -6 });
    await expect.poll(() => f.store.value('ch/8/fader')).toBe(-6);
    expect((await sub.quiet(80)).map((g) => g.msg?.address)).toEqual([]);
    // Five seconds later it has lapsed.
    now += 5001;
    s.sweep();
    expect(s.subscribers).toBe(0);
    f.store.set('ch/7/fader', -4, 'ws:1');
    expect(await sub.quiet(80)).toEqual([]);
  });

  it('meters come as blobs of big-endian floats at the asked rate', async () => {
    const f = surfaceFixture();
    const s = await server(f);
    const c = await client(s.port);
    const at = f.ctx.meters!.layout.offsetOf('ch/2');
    f.meterValues[at] = -6;
    f.meterValues[at + 1] = -7.5;
    c.send('/meters', { type: 's', value: 'ch/2' }, { type: 'i', value: 20 });
    const m = await c.nextMsg((x) => x.address === '/meters/ch/2');
    const blob = (m.args[0] as { value: Uint8Array }).value;
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    expect(blob.byteLength).toBe(4 * f.ctx.meters!.layout.points.find((p) => p.name === 'ch/2')!.fields.length);
    expect([view.getFloat32(0, false), view.getFloat32(4, false)]).toEqual([-6, -7.5]);
    // About 20 a second.
    await new Promise((r) => setTimeout(r, 500));
    const n = c.got.filter((g) => g.msg?.address === '/meters/ch/2').length;
    expect(n).toBeGreaterThanOrEqual(5);
    expect(n).toBeLessThanOrEqual(14);
  });

  it('a set refused because someone holds the parameter is answered /error', async () => {
    const f = surfaceFixture();
    const s = await server(f);
    const c = await client(s.port);
    f.store.touch('ch/1/fader', 'midi:behringer-x-touch');
    const before = f.store.value('ch/1/fader');
    c.send('/ch/1/fader', { type: 'f', value: 5 });
    const e = await c.nextMsg((m) => m.address === '/error');
    expect(e.args.map((a) => (a as { value: string }).value)).toEqual(['E_CONTROL_HELD', expect.stringContaining('held by midi:behringer-x-touch'), '/ch/1/fader']);
    expect(f.store.value('ch/1/fader')).toBe(before);
    expect(s.stats.refused).toBe(1);
  });

  it('malformed datagrams, unknown addresses and wrong arguments are dropped and counted; the server answers on', async () => {
    const f = surfaceFixture();
    const s = await server(f);
    const c = await client(s.port);
    c.sendRaw(new Uint8Array([0x2f, 0x63, 0x68])); // truncated, misaligned
    c.sendRaw(new TextEncoder().encode('/ch/1/fader\0,x\0\0')); // bad type tag
    c.sendRaw(new Uint8Array(8)); // no address
    c.send('/ch/99/fader', { type: 'f', value: 0 });
    c.send('/nope');
    c.send('/ch/1/fader', { type: 's', value: 'loud' });
    c.send('/ch/[1-/fader');
    const big = new Uint8Array(10_000); // over the 8 KiB blob limit, within a UDP datagram
    c.sendRaw(encodeMessage('/ch/1/fader', [{ type: 'b', value: big }]));
    await expect.poll(() => Object.values(s.stats.dropped).reduce((a, b) => a + b, 0)).toBe(8);
    expect(s.stats.dropped['unknown-address']).toBe(2);
    expect(s.stats.dropped['bad-arguments']).toBe(1);
    expect(s.stats.dropped['bad-pattern']).toBe(1);
    expect(s.stats.dropped['blob-too-large']).toBe(1);
    c.send('/ch/1/fader');
    expect((await c.nextMsg()).address).toBe('/ch/1/fader');
  });
});
