// The server side of midi.in_to_feedback_p99_ms, in a worker thread (its own event loop, as
// `serve`'s would be): the control server of the demo session with the WebSocket remote, and an
// X-Touch and an MCU Pro on the in-memory MIDI transport, from the built code (dist/).
// Messages from the bench: {type:'move', value} -> the X-Touch's fader 1 moves to `value`; the
// replies give when the move went in and when the MCU Pro had its motor message (both as
// performance.timeOrigin + performance.now(), comparable across threads).
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// The floor: a bare WebSocket server (the ws package alone) sending a change-sized message to 4
// clients of the bench, to tell this machine's cost of the hop from mixhost's.
const { WebSocketServer } = await import('ws');
const floor = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
const floorSockets = [];
floor.on('connection', (ws) => floorSockets.push(ws));
await new Promise((resolve) => floor.once('listening', resolve));

const dist = (p) => import(pathToFileURL(path.join(workerData.root, 'dist', p)).href);
const [{ remoteLayout }, { demoSession }, { meterLayout }, { ParamRegistry }, { applySession, sessionLayout }, { startControlServer }, { loadSurfaceData, matchDevice }, { SurfaceManager }, { MemoryMidiBackend }] =
  await Promise.all([
    dist('control/layout-info.js'),
    dist('model/demo-session.js'),
    dist('model/meters.js'),
    dist('model/registry.js'),
    dist('model/session.js'),
    dist('server/control-server.js'),
    dist('surfaces/loader.js'),
    dist('surfaces/manager.js'),
    dist('surfaces/transport/memory.js'),
  ]);

const now = () => performance.timeOrigin + performance.now();
const session = demoSession();
const registry = new ParamRegistry(sessionLayout(session));
const params = registry.createTable();
applySession(session, registry, params);
const meters = { layout: meterLayout(registry.layout), read: (dst) => (dst.fill(-120), true) };
const cs = await startControlServer({ session, registry, params, meters, token: workerData.token, port: 0, host: '127.0.0.1' });
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
const ok = manager.status().surfaces.length === 2 && manager.status().surfaces.every((s) => s.units[0].connected);

// The MCU Pro's motor message for the awaited value: when it comes (at once, or at the end of a
// feedback tick if two moves came within one), it is reported.
let want = -1;
b.onReceive((bytes) => {
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0xe0 && (bytes[i + 1] | (bytes[i + 2] << 7)) === want) {
      want = -1;
      parentPort.postMessage({ type: 'surface', at: now() });
    }
  }
});

parentPort.on('message', async (m) => {
  if (m.type === 'touch') {
    a.send(0x90, 0x68, m.on ? 0x7f : 0x00);
    parentPort.postMessage({ type: 'touched' });
  } else if (m.type === 'move') {
    want = m.value;
    const t0 = now();
    a.send(0xe0, m.value & 0x7f, m.value >> 7);
    parentPort.postMessage({ type: 'moved', t0 });
  } else if (m.type === 'probe') {
    const t0 = now();
    const text = JSON.stringify({ type: 'change', address: 'ch/1/fader', value: m.value, source: 'midi:behringer-x-touch', seq: m.seq });
    for (const ws of floorSockets) ws.send(text);
    parentPort.postMessage({ type: 'probed', t0 });
  } else if (m.type === 'stop') {
    floor.close();
    await manager.close();
    await cs.close();
    parentPort.postMessage({ type: 'stopped' });
  }
});
parentPort.postMessage({ type: 'ready', ok, port: cs.http.port, floorPort: floor.address().port, status: ok ? undefined : manager.status() });
