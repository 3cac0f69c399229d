/**
 * OSC in a real `mixhost serve`, both dialects:
 * - native, driven by liblo's oscsend and oscdump (an independent client): oscsend moves a fader
 *   that a web remote client sees; oscdump, subscribed, prints the changes a web remote client
 *   makes;
 * - X32, from an X32-style client: it finds the server, takes /xremote, walks the whole tree
 *   with /node, moves faders that the web remote sees and follows the web remote's moves;
 *   oscsend moves a fader on the X32 port too;
 * - garbage on both ports is counted in /api/status and changes nothing.
 * Without liblo-tools the liblo parts are skipped locally (CI installs them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteLayout } from '../../src/control/layout-info.js';
import { demoSession } from '../../src/model/demo-session.js';
import { ParamRegistry } from '../../src/model/registry.js';
import { sessionLayout } from '../../src/model/session.js';
import { FADER_LEVEL } from '../../src/osc/x32-laws.js';
import { x32Tree } from '../../src/osc/x32-map.js';
import { freeUdpPort, hasLiblo, oscClient, oscsend, type OscTestClient } from '../helpers/osc.js';
import { connect, type RemoteConn } from '../helpers/remote.js';
import { startServe, type Serve } from '../helpers/browser.js';

const TOKEN = 'osc-test-token-3e91ab';
const liblo = hasLiblo('tests/cli/osc.test.ts');

interface OscStatus {
  native: { port: number; dropped: Record<string, number>; messages: number };
  x32: { port: number; dropped: Record<string, number>; messages: number; sets: number; xremote: number };
}

describe('OSC in serve', () => {
  let serve: Serve;
  let oscPort: number;
  let x32Port: number;
  let web: RemoteConn;
  const children: ChildProcess[] = [];
  const clients: OscTestClient[] = [];
  const status = async (): Promise<OscStatus> => {
    const res = await fetch(`${serve.base}/api/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return ((await res.json()) as { osc: OscStatus }).osc;
  };
  const portIn = (re: RegExp): number => {
    const m = re.exec(serve.log());
    if (m === null) throw new Error(`no ${String(re)} line in: ${serve.log()}`);
    return Number(m[1]);
  };

  beforeAll(async () => {
    serve = await startServe({ token: TOKEN, args: ['--osc', '0', '--x32', '0'] });
    oscPort = portIn(/osc: native OSC on udp 127\.0\.0\.1:(\d+)/);
    x32Port = portIn(/osc: X32 dialect on udp 127\.0\.0\.1:(\d+)/);
    web = await connect(`ws://127.0.0.1:${serve.port}/ws`);
    await web.join({ token: TOKEN });
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const c of clients) await c.close();
    await web?.end();
    await serve?.dispose();
  });

  it.skipIf(!liblo)('oscsend moves a fader, and the web remote has the change from an osc: source', async () => {
    web.drain();
    oscsend(oscPort, '/ch/1/fader', 'f', '-12.5');
    const change = await web.next('change', 3000);
    expect(change).toMatchObject({ address: 'ch/1/fader', value: -12.5 });
    expect(change.source).toMatch(/^osc:127\.0\.0\.1:\d+$/);
    // A pattern with a position: every input's mute on.
    oscsend(oscPort, '/ch/{5,6}/mute', 'T');
    const mutes = [await web.next('change', 3000), await web.next('change', 3000)].map((c) => [c.address, c.value]).sort();
    expect(mutes).toEqual([
      ['ch/5/mute', 1],
      ['ch/6/mute', 1],
    ]);
  });

  it.skipIf(!liblo)('oscdump, subscribed through oscsend with its port, prints what the web remote changes', async () => {
    const port = await freeUdpPort();
    const dump = spawn('oscdump', ['-L', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(dump);
    let out = '';
    dump.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => setTimeout(r, 300));
    oscsend(oscPort, '/subscribe', 'sii', '/ch/2/fader', '10', String(port));
    await expect.poll(() => out, { timeout: 3000 }).toMatch(/\/subscribed ,?si "?\/ch\/2\/fader"? 10/);
    web.send({ type: 'set', address: 'ch/2/fader', value: -3 });
    await expect.poll(() => out, { timeout: 3000 }).toMatch(/\/ch\/2\/fader ,?f -3\.0+/);
    // Something outside the pattern does not reach it.
    web.send({ type: 'set', address: 'ch/3/fader', value: -4 });
    await new Promise((r) => setTimeout(r, 300));
    expect(out).not.toContain('/ch/3/fader');
  });

  it('an X32-style client finds mixhost, takes /xremote, walks the whole tree with /node, moves faders and follows the web remote', async () => {
    const c = await oscClient(x32Port);
    clients.push(c);
    c.send('/xinfo');
    const xinfo = await c.nextMsg((m) => m.address === '/xinfo');
    expect(xinfo.args.map((a) => ('value' in a ? a.value : a.type))).toEqual(['127.0.0.1', 'mixhost', 'X32', '4.06']);
    c.send('/xremote');

    // The whole tree, as the demo session maps it, a batch of /node requests at a time.
    const session = demoSession();
    const registry = new ParamRegistry(sessionLayout(session));
    const nodes = x32Tree(remoteLayout(session, registry.layout), () => 0).nodes();
    const answered = new Set<string>();
    for (let i = 0; i < nodes.length; i += 32) {
      const batch = nodes.slice(i, i + 32);
      for (const n of batch) c.send('/node', { type: 's', value: n });
      const end = Date.now() + 5000;
      while (answered.size < i + batch.length && Date.now() < end) {
        const r = await c.next((m) => m.address === 'node', 5000);
        const text = (r.msg!.args[0] as { value: string }).value;
        answered.add(text.slice(0, text.indexOf(' ')));
      }
    }
    expect(answered.size).toBe(nodes.length);
    expect(nodes.length).toBeGreaterThan(500);

    // A fader move from the client reaches the web remote, in dB by the X32 law.
    web.drain();
    c.send('/ch/01/mix/fader', { type: 'f', value: 0.75 });
    const ch1 = await web.next('change', 3000);
    expect(ch1.address).toBe('ch/1/fader');
    expect(ch1.value).toBeCloseTo(-0.0098, 4); // step 767 of 1023: the console's "-0.0"
    c.send('/ch/02/mix/fader', { type: 'f', value: 0.5 });
    const ch2 = await web.next('change', 3000);
    expect(ch2.address).toBe('ch/2/fader');
    expect(ch2.value).toBeCloseTo(FADER_LEVEL.fromFloat(0.5), 9);
    expect(ch2.source).toMatch(/^osc:127\.0\.0\.1:\d+$/);
    // The web remote's move comes back to the client as the X32 message.
    c.got.length = 0;
    web.send({ type: 'set', address: 'ch/7/fader', value: -10 });
    const back = await c.nextMsg((m) => m.address === '/ch/07/mix/fader', 3000);
    expect(back.args[0]).toEqual({ type: 'f', value: Math.fround(FADER_LEVEL.toFloat(-10)) });
    expect((await status()).x32.xremote).toBe(1);
  });

  it.skipIf(!liblo)('oscsend mutes a channel through the X32 port', async () => {
    web.drain();
    oscsend(x32Port, '/ch/03/mix/on', 'i', '0');
    expect(await web.next('change', 3000)).toMatchObject({ address: 'ch/3/mute', value: 1 });
  });

  it('garbage on both ports is dropped and counted, and both keep working', async () => {
    const before = await status();
    const sum = (d: Record<string, number>): number => Object.values(d).reduce((a, b) => a + b, 0);
    const n = await oscClient(oscPort);
    const x = await oscClient(x32Port);
    clients.push(n, x);
    const garbage = [
      Buffer.from('/ch/1/fader\0,f\0\0\x3f', 'latin1'), // truncated float
      Buffer.from('/ch/1/fader\0,q\0\0\0\0\0\0', 'latin1'), // unknown type tag
      Buffer.from('/ch/1/fad', 'latin1'), // misaligned, unterminated
      Buffer.concat([Buffer.from('/x\0\0,b\0\0', 'latin1'), Buffer.from([0x7f, 0xff, 0xff, 0xff])]), // a 2 GiB blob
    ];
    for (const g of garbage) {
      n.sendRaw(g);
      x.sendRaw(g);
    }
    n.send('/no/such/address', { type: 'f', value: 1 });
    x.send('/ch/99/mix/fader', { type: 'f', value: 1 });
    await expect.poll(async () => sum((await status()).native.dropped) - sum(before.native.dropped), { timeout: 3000 }).toBe(5);
    await expect.poll(async () => sum((await status()).x32.dropped) - sum(before.x32.dropped), { timeout: 3000 }).toBe(5);
    // Still serving: a query on each port is answered.
    n.send('/ch/1/fader');
    expect((await n.nextMsg((m) => m.address === '/ch/1/fader')).args).toHaveLength(1);
    x.send('/ch/01/mix/fader');
    expect((await x.nextMsg((m) => m.address === '/ch/01/mix/fader')).args).toHaveLength(1);
  });
});
