/**
 * OSC in a real `mixhost serve`, driven by liblo's oscsend and oscdump (an independent client):
 * oscsend moves a fader that a web remote client sees; oscdump, subscribed, prints the changes a
 * web remote client makes. Without liblo-tools the file is skipped locally (CI installs them).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type RemoteConn } from '../helpers/remote.js';
import { startServe, type Serve } from '../helpers/browser.js';

const TOKEN = 'osc-test-token-3e91ab';
const hasLiblo = ((): boolean => {
  const ok = spawnSync('which', ['oscsend'], { stdio: 'ignore' }).status === 0 && spawnSync('which', ['oscdump'], { stdio: 'ignore' }).status === 0;
  if (!ok && process.env.CI) throw new Error('oscsend and oscdump (liblo-tools) are required on CI (.ci/run installs them) but were not found');
  if (!ok) console.warn('tests/cli/osc.test.ts: oscsend/oscdump (liblo-tools) not found: skipped');
  return ok;
})();

function oscsend(port: number, ...args: string[]): void {
  const r = spawnSync('oscsend', ['127.0.0.1', String(port), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`oscsend ${args.join(' ')}: ${r.stderr}`);
}

/** A free UDP port on 127.0.0.1 (bound, read, released). */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.skipIf(!hasLiblo)('OSC in serve, with liblo oscsend / oscdump', () => {
  let serve: Serve;
  let oscPort: number;
  let web: RemoteConn;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    serve = await startServe({ token: TOKEN, args: ['--osc', '0'] });
    const m = /osc: native OSC on udp 127\.0\.0\.1:(\d+)/.exec(serve.log());
    if (m === null) throw new Error(`no osc line in: ${serve.log()}`);
    oscPort = Number(m[1]);
    web = await connect(`ws://127.0.0.1:${serve.port}/ws`);
    await web.join({ token: TOKEN });
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await web?.end();
    await serve?.dispose();
  });

  it('oscsend moves a fader, and the web remote has the change from an osc: source', async () => {
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

  it('oscdump, subscribed through oscsend with its port, prints what the web remote changes', async () => {
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

  it('the status counts what OSC dropped', async () => {
    oscsend(oscPort, '/ch/99/fader', 'f', '0');
    await new Promise((r) => setTimeout(r, 200));
    const res = await fetch(`${serve.base}/api/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const status = (await res.json()) as { osc: { port: number; dropped: Record<string, number>; messages: number } };
    expect(status.osc.port).toBe(oscPort);
    expect(status.osc.dropped['unknown-address']).toBe(1);
    expect(status.osc.messages).toBeGreaterThanOrEqual(4);
  });
});
