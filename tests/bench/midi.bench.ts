/**
 * midi.in_to_feedback_p99_ms: a fader move comes in from one Mackie Control surface (an X-Touch
 * on the in-memory MIDI transport); the time until a second surface (an MCU Pro) has its motor
 * fader message and 4 WebSocket clients of the web remote protocol have the change. p99 over
 * 1,000 single moves spaced 30 ms apart (each the first change after a quiet feedback tick, as
 * a real move's first step is), with the fader touched throughout as a finger does, after 100
 * moves not counted. Goal ≤ 2 ms. `surface_p99_ms` is the second surface alone; `ws_floor_p99_ms`
 * is the same hop with no mixhost in it: a bare `ws` server in the same worker sending a message
 * of the same size to 4 clients here, 1,000 times 30 ms apart (what this machine's kernel,
 * threads and the ws package cost).
 *
 * The server (the control server of the demo session with the WebSocket remote, the surface
 * manager, both surfaces on the in-memory MIDI transport) runs in a worker thread with its own
 * event loop, as `serve`'s main thread would; the WebSocket clients run here, their frames go
 * through the kernel. Times are performance.timeOrigin + performance.now() on both sides.
 */
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { demoSession } from '../../src/model/demo-session.js';
import { ParamRegistry } from '../../src/model/registry.js';
import { sessionLayout } from '../../src/model/session.js';
import type { BenchResult } from './report.js';
import { workerReplies } from './worker-replies.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOKEN = 'bench-token-0123456789';
const CLIENTS = 4;
const MOVES = 1000;
/** Moves before the measured ones, not counted (the code paths compiled, the sockets warm). */
const WARMUP = 100;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const now = (): number => performance.timeOrigin + performance.now();

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function benchMidiToFeedback(): Promise<BenchResult[]> {
  const worker = new Worker(path.join(ROOT, 'tests/bench/midi-server.mjs'), { workerData: { root: ROOT, token: TOKEN } });
  const reply = workerReplies(worker);
  try {
    const ready = await reply('ready');
    if (ready.ok !== true) throw new Error(`the two surfaces did not connect: ${JSON.stringify(ready.status)}`);
    const port = ready.port as number;

    // The WebSocket clients: time of arrival of the change of ch/1/fader to the awaited value.
    let wsWant = NaN;
    const wsAt: number[] = new Array(CLIENTS).fill(0);
    // Resolved when every client has the awaited change (no busy wait: the machine has two cores).
    let allIn: (() => void) | undefined;
    const sockets: WebSocket[] = [];
    for (let c = 0; c < CLIENTS; c++) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
      await new Promise<void>((resolve, reject) => {
        ws.once('error', reject);
        ws.once('open', () => {
          ws.send(JSON.stringify({ type: 'hello', token: TOKEN, name: `bench ${c}` }));
          resolve();
        });
      });
      ws.on('message', (data) => {
        const text = data.toString();
        if (!text.includes('"ch/1/fader"')) return;
        const m = JSON.parse(text) as { type: string; value: number };
        if (m.type === 'change' && m.value === wsWant) {
          wsAt[c] = now();
          if (wsAt.every((t) => t > 0)) allIn?.();
        }
      });
      sockets.push(ws);
    }
    await sleep(300);

    const desc = new ParamRegistry(sessionLayout(demoSession())).descriptor('ch/1/fader');
    // A finger on fader 1 for the whole run (touch note), as on the hardware.
    worker.postMessage({ type: 'touch', on: true });
    await reply('touched');
    const times: number[] = [];
    const surfaceTimes: number[] = [];
    for (let i = -WARMUP; i < MOVES; i++) {
      // Positions walk up and down a 14-bit range, every one different from the last.
      const v = 2000 + (((i + WARMUP) * 37) % 12000);
      wsWant = desc.taper.fromPosition(v / 16383);
      wsAt.fill(0);
      const arrived = new Promise<void>((resolve) => {
        allIn = resolve;
        setTimeout(resolve, 1000).unref();
      });
      worker.postMessage({ type: 'move', value: v });
      const moved = await reply('moved');
      const t0 = moved.t0 as number;
      const bAt = (await Promise.race([reply('surface'), sleep(1000).then(() => ({ type: 'surface', at: 0 }))])).at as number;
      await arrived;
      allIn = undefined;
      if (bAt === 0 || wsAt.some((t) => t === 0)) throw new Error(`move ${i}: not everywhere within 1 s (surface ${bAt > 0}, clients ${wsAt.map((t) => t > 0).join(',')})`);
      if (i >= 0) {
        times.push(Math.max(bAt, ...wsAt) - t0);
        surfaceTimes.push(bAt - t0);
      }
      await sleep(30);
    }
    worker.postMessage({ type: 'touch', on: false });
    await reply('touched');
    for (const ws of sockets) ws.close();

    // The floor: the same hop through a bare ws server.
    const floorAt: number[] = new Array(CLIENTS).fill(0);
    let floorIn: (() => void) | undefined;
    const floorSockets: WebSocket[] = [];
    for (let c = 0; c < CLIENTS; c++) {
      const ws = new WebSocket(`ws://127.0.0.1:${ready.floorPort as number}`, { perMessageDeflate: false });
      await new Promise<void>((resolve, reject) => {
        ws.once('error', reject);
        ws.once('open', () => resolve());
      });
      ws.on('message', (data) => {
        JSON.parse(data.toString());
        floorAt[c] = now();
        if (floorAt.every((t) => t > 0)) floorIn?.();
      });
      floorSockets.push(ws);
    }
    await sleep(300);
    const floorTimes: number[] = [];
    for (let i = -WARMUP; i < MOVES; i++) {
      floorAt.fill(0);
      const arrived = new Promise<void>((resolve) => {
        floorIn = resolve;
        setTimeout(resolve, 1000).unref();
      });
      worker.postMessage({ type: 'probe', value: -10 - i / 1000, seq: i + WARMUP + 1 });
      const t0 = (await reply('probed')).t0 as number;
      await arrived;
      if (i >= 0 && floorAt.every((t) => t > 0)) floorTimes.push(Math.max(...floorAt) - t0);
      await sleep(30);
    }
    for (const ws of floorSockets) ws.close();
    worker.postMessage({ type: 'stop' });
    await reply('stopped');
    const sorted = [...times].sort((x, y) => x - y);
    const surfaceSorted = [...surfaceTimes].sort((x, y) => x - y);
    const floorSorted = [...floorTimes].sort((x, y) => x - y);
    const r3 = (x: number): number => Math.round(x * 1000) / 1000;
    return [
      {
        name: 'midi.in_to_feedback_p99_ms',
        value: r3(percentile(sorted, 99)),
        unit: 'ms',
        goal: '<= 2',
        p50_ms: r3(percentile(sorted, 50)),
        max_ms: r3(sorted[sorted.length - 1]),
        surface_p99_ms: r3(percentile(surfaceSorted, 99)),
        ws_floor_p50_ms: r3(percentile(floorSorted, 50)),
        ws_floor_p99_ms: r3(percentile(floorSorted, 99)),
        moves: MOVES,
        clients: CLIENTS,
        note: 'X-Touch fader in (in-memory MIDI) until an MCU Pro has the motor move and 4 WebSocket clients the change; server in a worker thread',
      },
    ];
  } finally {
    await worker.terminate();
  }
}
