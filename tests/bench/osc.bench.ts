/**
 * osc.set_per_s: sustained native OSC sets (`/ch/N/fader f V`, over the 32 input faders) from one
 * UDP client, with 4 other clients subscribed to `/ch/*\/fader`, against the control server in a
 * worker thread. Sets go out in windows of 128; after each window a query is sent and its answer
 * awaited (the server takes datagrams in order, so every set before it has been applied), which
 * keeps the server's UDP buffer from overflowing. The figure is the sets applied (the store's
 * sequence numbers) over the wall time; the line also gives the feedback messages the 4
 * subscribers got per second, and that every subscriber ends with every fader's last value.
 */
import { createSocket, type Socket } from 'node:dgram';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { decodePacket, encodeMessage, isBundle } from '../../src/osc/codec.js';
import type { BenchResult } from './report.js';
import { workerReplies } from './worker-replies.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WINDOW = 128;
const SETS = 100_000;
const SUBSCRIBERS = 4;

async function udp(onMessage: (address: string, value: number) => void): Promise<Socket> {
  const s = createSocket('udp4');
  s.on('message', (buf) => {
    const r = decodePacket(buf);
    if (!r.ok || isBundle(r.packet)) return;
    const a = r.packet.args[0];
    onMessage(r.packet.address, a !== undefined && 'value' in a && typeof a.value === 'number' ? a.value : NaN);
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

export async function benchOscSets(): Promise<BenchResult[]> {
  const worker = new Worker(path.join(ROOT, 'tests/bench/osc-server.mjs'), { workerData: { root: ROOT } });
  const reply = workerReplies(worker);
  const sockets: Socket[] = [];
  try {
    const port = (await reply('ready')).port as number;
    const last = Array.from({ length: SUBSCRIBERS }, () => new Map<string, number>());
    let feedback = 0;
    for (let k = 0; k < SUBSCRIBERS; k++) {
      const s = await udp((address, value) => {
        if (address === '/subscribed') return;
        feedback++;
        last[k].set(address, value);
      });
      s.send(encodeMessage('/subscribe', [{ type: 's', value: '/ch/*/fader' }, { type: 'i', value: 60 }]), port, '127.0.0.1');
      sockets.push(s);
    }
    let answered: (() => void) | undefined;
    const sender = await udp((address) => {
      if (address === '/ch/1/fader/pos') answered?.();
    });
    sockets.push(sender);
    await new Promise((r) => setTimeout(r, 300));
    feedback = 0;
    const seq0 = ((await (worker.postMessage({ type: 'stats' }), reply('stats'))).seq as number);
    const want = new Map<string, number>();
    const t0 = performance.now();
    for (let i = 0; i < SETS; i += WINDOW) {
      for (let j = i; j < Math.min(SETS, i + WINDOW); j++) {
        const address = `/ch/${(j % 32) + 1}/fader`;
        const value = -60 + ((j * 7) % 700) / 10; // -60 .. +9.9 dB in 0.1 dB steps
        want.set(address, Math.fround(value));
        sender.send(encodeMessage(address, [{ type: 'f', value }]), port, '127.0.0.1');
      }
      const done = new Promise<void>((r) => {
        answered = r;
        setTimeout(r, 2000).unref();
      });
      sender.send(encodeMessage('/ch/1/fader/pos'), port, '127.0.0.1');
      await done;
    }
    const seconds = (performance.now() - t0) / 1000;
    worker.postMessage({ type: 'stats' });
    const st = await reply('stats');
    const applied = (st.seq as number) - seq0;
    // Every subscriber ends with every fader's last value.
    const deadline = performance.now() + 3000;
    const inStep = (): boolean => last.every((m) => [...want].every(([a, v]) => m.get(a) === v));
    while (!inStep() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const stats = st.stats as { dropped: Record<string, number>; messages: number };
    return [
      {
        name: 'osc.set_per_s',
        value: Math.round(applied / seconds),
        unit: 'sets/s',
        sent: SETS,
        applied,
        received_by_server: stats.messages,
        dropped: Object.values(stats.dropped).reduce((a, b) => a + b, 0),
        subscribers: SUBSCRIBERS,
        feedback_per_s: Math.round(feedback / seconds),
        subscribers_in_step: inStep(),
        note: 'one UDP sender, 4 subscribers to /ch/*/fader, server in a worker thread; windows of 128 sets closed by a query',
      },
    ];
  } finally {
    for (const s of sockets) s.close();
    worker.postMessage({ type: 'stop' });
    await Promise.race([reply('stopped'), new Promise((r) => setTimeout(r, 2000))]);
    await worker.terminate();
  }
}
