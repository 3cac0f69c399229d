/**
 * Control-plane benchmarks against a real `mixhost serve` (the demo session on the null backend,
 * the render worker running) in a child process, with real WebSocket clients in this process.
 *
 * - control.set_to_feedback_p99_ms: one client sets a fader; the time until all 31 other clients
 *   have the change, p99 over single sets spaced 30 ms apart (each is the first change after a
 *   quiet feedback tick, as a real move's first step is). Goal ≤ 5 ms.
 * - remote.meters_32_clients_cpu: the server's main thread (the control plane: WebSockets, the
 *   store, the meter frames) CPU time over wall time while 32 clients receive the meters of the
 *   mixer view (32 channels, 8 buses, 2 FX, 4 groups, master, master chain) at 30 Hz, from
 *   /proc/<pid>/task/<pid>/stat. Goal ≤ 10 % of one core. The render thread is not counted
 *   (it is another task); the line also gives the main thread's share with no client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { BenchResult } from './report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOKEN = 'bench-token-0123456789';
const CLIENTS = 32;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Served {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/** `mixhost serve --audio null` on a free port; resolves when it prints its remote link. */
async function serve(): Promise<Served> {
  // MIXHOST_BENCH_NODE_ARGS: extra flags for the server's node (e.g. --cpu-prof) when looking
  // into a figure.
  const nodeArgs = (process.env.MIXHOST_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'dist/cli/main.js'), 'serve', '--audio', 'null', '--http', '0', '--local-only', '--token', TOKEN], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    const t = setTimeout(() => reject(new Error(`serve did not start: ${text}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /remote: http:\/\/[^:]+:(\d+)\//.exec(text);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${text}`)));
  });
  return {
    child,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

interface Client {
  ws: WebSocket;
  onChange?: (address: string, value: number) => void;
  frames: number;
}

async function connect(port: number, name: string): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const c: Client = { ws, frames: 0 };
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', token: TOKEN, name })));
    ws.on('message', (data, binary) => {
      if (binary) {
        c.frames++;
        return;
      }
      const m = JSON.parse(String(data)) as { type: string; address?: string; value?: number };
      if (m.type === 'snapshot') resolve();
      else if (m.type === 'change' && c.onChange) c.onChange(m.address!, m.value!);
    });
  });
  return c;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export async function benchSetToFeedback(): Promise<BenchResult[]> {
  const s = await serve();
  const clients: Client[] = [];
  try {
    for (let i = 0; i < CLIENTS; i++) clients.push(await connect(s.port, `bench ${i}`));
    const sets = Number(process.env.MIXHOST_BENCH_SETS ?? 1000);
    const lat: number[] = [];
    const sender = clients[0];
    for (let k = 0; k < sets + 50; k++) {
      const value = -20 + (k % 200) / 10; // distinct from the previous one
      let waiting = CLIENTS - 1;
      const t0 = process.hrtime.bigint();
      const done = new Promise<number>((resolve) => {
        for (const c of clients.slice(1)) {
          c.onChange = (address, v) => {
            if (address !== 'ch/1/fader' || v !== value) return;
            c.onChange = undefined;
            if (--waiting === 0) resolve(Number(process.hrtime.bigint() - t0) / 1e6);
          };
        }
      });
      sender.ws.send(JSON.stringify({ type: 'set', address: 'ch/1/fader', value }));
      const ms = await Promise.race([done, sleep(2000).then(() => NaN)]);
      if (k >= 50) lat.push(ms); // the first 50 warm up both sides
      await sleep(30);
    }
    const ok = lat.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    return [
      {
        name: 'control.set_to_feedback_p99_ms',
        value: quantile(ok, 0.99),
        unit: 'ms',
        goal: 5,
        p50: quantile(ok, 0.5),
        max: ok[ok.length - 1],
        sets: lat.length,
        lost: lat.length - ok.length,
        clients: CLIENTS,
      },
    ];
  } finally {
    for (const c of clients) c.ws.terminate();
    await s.stop();
  }
}

/** utime + stime of one task, in clock ticks (USER_HZ, 100 on Linux). */
function taskTicks(pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function mainThreadShare(pid: number, seconds: number): Promise<number> {
  const a = taskTicks(pid, pid);
  const t0 = process.hrtime.bigint();
  await sleep(seconds * 1000);
  const b = taskTicks(pid, pid);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return ((b - a) / 100 / wall) * 100;
}

export async function benchMeters(): Promise<BenchResult[]> {
  const s = await serve();
  const clients: Client[] = [];
  const seconds = Number(process.env.MIXHOST_BENCH_METER_S ?? 10);
  try {
    await sleep(1000);
    const idle = await mainThreadShare(s.child.pid!, seconds);
    const points = [
      ...Array.from({ length: 32 }, (_, i) => `ch/${i + 1}`),
      ...Array.from({ length: 8 }, (_, i) => `bus/${i + 1}`),
      'fx/1',
      'fx/2',
      ...Array.from({ length: 4 }, (_, i) => `group/${i + 1}`),
      'master',
      'master/chain',
    ];
    for (let i = 0; i < CLIENTS; i++) {
      const c = await connect(s.port, `meter ${i}`);
      c.ws.send(JSON.stringify({ type: 'subscribe', meters: points }));
      clients.push(c);
    }
    await sleep(1000);
    const before = clients.reduce((n, c) => n + c.frames, 0);
    const t0 = Date.now();
    const busy = await mainThreadShare(s.child.pid!, seconds);
    const frames = clients.reduce((n, c) => n + c.frames, 0) - before;
    const rate = frames / CLIENTS / ((Date.now() - t0) / 1000);
    return [{ name: 'remote.meters_32_clients_cpu', value: busy, unit: '% of a core', goal: 10, idle, framesPerClientPerS: rate, points: points.length, clients: CLIENTS }];
  } finally {
    for (const c of clients) c.ws.terminate();
    await s.stop();
  }
}
