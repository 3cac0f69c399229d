/**
 * osc.x32_full_sync_s: an X32 remote app's full sync, as X32-Edit-style apps do it at connect:
 * `/xinfo`, `/xremote`, then a `/node` request for every node of the channel, bus, main, DCA and
 * config trees (the demo session's map), from one UDP client against the control server in a
 * worker thread. Requests go out in windows of 64; the next window goes when every `node` reply
 * of this one has come (a reply missing for 2 s is counted lost). The figure is the wall time of
 * the walk, the median of 3 walks; the line also gives the nodes, the leaves their replies
 * carry, and the bytes received.
 */
import { createSocket, type Socket } from 'node:dgram';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { remoteLayout } from '../../src/control/layout-info.js';
import { demoSession } from '../../src/model/demo-session.js';
import { ParamRegistry } from '../../src/model/registry.js';
import { sessionLayout } from '../../src/model/session.js';
import { decodePacket, encodeMessage, isBundle } from '../../src/osc/codec.js';
import { x32Tree } from '../../src/osc/x32-map.js';
import type { BenchResult } from './report.js';
import { workerReplies } from './worker-replies.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WINDOW = 64;
const WALKS = 3;

interface Walk {
  seconds: number;
  replies: number;
  lost: number;
  bytes: number;
  leaves: number;
}

async function walk(port: number, nodes: readonly string[]): Promise<Walk> {
  const sock: Socket = createSocket('udp4');
  let replies = 0;
  let bytes = 0;
  let leaves = 0;
  let infoSeen = false;
  let wake: (() => void) | undefined;
  sock.on('message', (buf) => {
    bytes += buf.length;
    const r = decodePacket(buf, { anyAddress: true });
    if (!r.ok || isBundle(r.packet)) return;
    if (r.packet.address === '/xinfo') infoSeen = true;
    if (r.packet.address === 'node') {
      replies++;
      const a = r.packet.args[0];
      if (a?.type === 's') leaves += (a.value.match(/"[^"]*"|\S+/g)?.length ?? 1) - 1;
    }
    wake?.();
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const until = async (done: () => boolean, ms: number): Promise<void> => {
    const end = performance.now() + ms;
    while (!done() && performance.now() < end) {
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50).unref();
      });
    }
  };
  try {
    const t0 = performance.now();
    sock.send(encodeMessage('/xinfo'), port, '127.0.0.1');
    await until(() => infoSeen, 2000);
    sock.send(encodeMessage('/xremote'), port, '127.0.0.1');
    let lost = 0;
    for (let i = 0; i < nodes.length; i += WINDOW) {
      const batch = nodes.slice(i, i + WINDOW);
      const want = replies + batch.length;
      for (const n of batch) sock.send(encodeMessage('/node', [{ type: 's', value: n }]), port, '127.0.0.1');
      await until(() => replies >= want, 2000);
      if (replies < want) {
        lost += want - replies;
        replies = want;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, replies: replies - lost, lost, bytes, leaves };
  } finally {
    sock.close();
  }
}

export async function benchX32FullSync(): Promise<BenchResult[]> {
  const session = demoSession();
  const registry = new ParamRegistry(sessionLayout(session));
  const tree = x32Tree(remoteLayout(session, registry.layout), () => 0);
  const nodes = tree.nodes();
  const worker = new Worker(path.join(ROOT, 'tests/bench/osc-server.mjs'), { workerData: { root: ROOT } });
  const reply = workerReplies(worker);
  try {
    const port = (await reply('ready')).x32Port as number;
    const walks: Walk[] = [];
    for (let k = 0; k < WALKS; k++) walks.push(await walk(port, nodes));
    worker.postMessage({ type: 'stats' });
    const st = (await reply('stats')).x32 as { dropped: Record<string, number> };
    const sorted = [...walks].sort((a, b) => a.seconds - b.seconds);
    const median = sorted[Math.floor(sorted.length / 2)];
    return [
      {
        name: 'osc.x32_full_sync_s',
        value: Math.round(median.seconds * 1000) / 1000,
        unit: 's',
        walks: WALKS,
        min_s: Math.round(sorted[0].seconds * 1000) / 1000,
        max_s: Math.round(sorted[sorted.length - 1].seconds * 1000) / 1000,
        nodes: nodes.length,
        replies: median.replies,
        lost: walks.reduce((a, w) => a + w.lost, 0),
        leaves_in_replies: median.leaves,
        leaves_in_tree: tree.leaves().length,
        kib_received: Math.round(median.bytes / 1024),
        dropped_by_server: Object.values(st.dropped).reduce((a, b) => a + b, 0),
        note: 'one UDP client: /xinfo, /xremote, then /node for every node in windows of 64; server in a worker thread; median of 3 walks',
      },
    ];
  } finally {
    worker.postMessage({ type: 'stop' });
    await Promise.race([reply('stopped'), new Promise((r) => setTimeout(r, 2000))]);
    await worker.terminate();
  }
}
