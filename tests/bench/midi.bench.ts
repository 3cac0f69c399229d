/**
 * midi.in_to_feedback_p99_ms: a fader move comes in from one Mackie Control surface (an X-Touch
 * on the in-memory MIDI transport); the time until a second surface (an MCU Pro) has its motor
 * fader message and 4 WebSocket clients of the web remote protocol have the change. p99 over
 * 1,000 single moves spaced 30 ms apart (each the first change after a quiet feedback tick, as
 * a real move's first step is). Goal ≤ 2 ms.
 *
 * The control server, the surfaces and the WebSocket clients run in this process (the MIDI side
 * cannot leave it: the in-memory transport is the one a test can drive), so the clients' own
 * work on the same event loop is inside the figure. The WebSocket frames go through the kernel.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { remoteLayout } from '../../src/control/layout-info.js';
import { demoSession } from '../../src/model/demo-session.js';
import { meterLayout } from '../../src/model/meters.js';
import { ParamRegistry } from '../../src/model/registry.js';
import { applySession, sessionLayout } from '../../src/model/session.js';
import { startControlServer } from '../../src/server/control-server.js';
import { loadSurfaceData, matchDevice } from '../../src/surfaces/loader.js';
import { SurfaceManager } from '../../src/surfaces/manager.js';
import { MemoryMidiBackend } from '../../src/surfaces/transport/memory.js';
import type { BenchResult } from './report.js';

const TOKEN = 'bench-token-0123456789';
const CLIENTS = 4;
const MOVES = 1000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function benchMidiToFeedback(): Promise<BenchResult[]> {
  const session = demoSession();
  const registry = new ParamRegistry(sessionLayout(session));
  const params = registry.createTable();
  applySession(session, registry, params);
  const layout = meterLayout(registry.layout);
  const meters = { layout, read: (dst: Float32Array) => (dst.fill(-120), true) };
  const cs = await startControlServer({ session, registry, params, meters, token: TOKEN, port: 0, host: '127.0.0.1', remoteDir: undefined });
  const data = await loadSurfaceData();
  const backend = new MemoryMidiBackend();
  const a = backend.plug('X-Touch:X-Touch MIDI 1 20:0');
  const b = backend.plug('MCU Pro USB v3.1');
  const manager = new SurfaceManager({
    ctx: { store: cs.store, registry, layout: remoteLayout(session, registry.layout), meters, clock: Date.now },
    backend,
    data,
    matchDevice: (p) => matchDevice(p, data.devices),
    surfaces: [{ device: 'behringer-x-touch' }, { device: 'mackie-mcu-pro' }],
    auto: false,
  });
  await manager.start();
  cs.attachSurfaces(manager);
  if (manager.status().surfaces.length !== 2 || !manager.status().surfaces.every((s) => s.units[0].connected)) {
    throw new Error(`the two surfaces did not connect: ${JSON.stringify(manager.status())}`);
  }

  // The second surface's motor fader 1: pitch bend on channel 1, time of arrival.
  let bWant = -1;
  let bAt = 0;
  b.onReceive((bytes) => {
    for (let i = 0; i + 2 < bytes.length; i++) {
      if (bytes[i] === 0xe0 && (bytes[i + 1] | (bytes[i + 2] << 7)) === bWant) bAt = performance.now();
    }
  });
  // The WebSocket clients: time of arrival of the change of ch/1/fader to the awaited value.
  let wsWant = NaN;
  const wsAt: number[] = new Array(CLIENTS).fill(0);
  const sockets: WebSocket[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const ws = new WebSocket(`ws://127.0.0.1:${cs.http.port}/ws`, { perMessageDeflate: false });
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
      const m = JSON.parse(text) as { type: string; address: string; value: number };
      if (m.type === 'change' && m.value === wsWant) wsAt[c] = performance.now();
    });
    sockets.push(ws);
  }
  await sleep(300);

  const times: number[] = [];
  const desc = registry.descriptor('ch/1/fader');
  for (let i = 0; i < MOVES; i++) {
    // Positions walk up and down a 14-bit range, every one different from the last.
    const v = 2000 + ((i * 37) % 12000);
    const pos = v / 16383;
    wsWant = desc.taper.fromPosition(pos);
    bWant = v;
    bAt = 0;
    wsAt.fill(0);
    const t0 = performance.now();
    a.send(0xe0, v & 0x7f, v >> 7);
    const deadline = t0 + 1000;
    while ((bAt === 0 || wsAt.some((t) => t === 0)) && performance.now() < deadline) await new Promise((r) => setImmediate(r));
    if (bAt === 0 || wsAt.some((t) => t === 0)) throw new Error(`move ${i}: not everywhere within 1 s (surface ${bAt > 0}, clients ${wsAt.map((t) => t > 0).join(',')})`);
    times.push(Math.max(bAt, ...wsAt) - t0);
    await sleep(30);
  }
  for (const ws of sockets) ws.close();
  await manager.close();
  await cs.close();
  const sorted = [...times].sort((x, y) => x - y);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  return [
    {
      name: 'midi.in_to_feedback_p99_ms',
      value: Math.round(p99 * 1000) / 1000,
      unit: 'ms',
      goal: '<= 2',
      p50_ms: Math.round(p50 * 1000) / 1000,
      max_ms: Math.round(sorted[sorted.length - 1] * 1000) / 1000,
      moves: MOVES,
      clients: CLIENTS,
      note: 'X-Touch fader in (in-memory MIDI) until an MCU Pro has the motor move and 4 WebSocket clients the change; all in one process',
    },
  ];
}
