// The server side of the OSC benchmarks, in a worker thread (its own event loop, as `serve`'s
// would be): the control server of the demo session (the store and the web remote) with the
// native OSC server and the X32 dialect's server, from the built code (dist/). Replies
// {type:'ready', port, x32Port} and, on {type:'stats'}, the OSC servers' counters and the
// store's sequence number.
import { parentPort } from 'node:worker_threads';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';

const dist = (p) => import(pathToFileURL(path.join(workerData.root, 'dist', p)).href);
const [{ demoSession }, { meterLayout }, { ParamRegistry }, { applySession, sessionLayout }, { startControlServer }, { NativeOscServer }, { X32Server }, { remoteLayout }] = await Promise.all([
  dist('model/demo-session.js'),
  dist('model/meters.js'),
  dist('model/registry.js'),
  dist('model/session.js'),
  dist('server/control-server.js'),
  dist('osc/native.js'),
  dist('osc/x32-server.js'),
  dist('control/layout-info.js'),
]);

const session = demoSession();
const registry = new ParamRegistry(sessionLayout(session));
const params = registry.createTable();
applySession(session, registry, params);
const meters = { layout: meterLayout(registry.layout), read: (dst) => (dst.fill(-120), true) };
const cs = await startControlServer({ session, registry, params, meters, token: 'bench-token-0123456789', port: 0, host: '127.0.0.1' });
const osc = await NativeOscServer.start({ store: cs.store, registry, meters, port: 0, host: '127.0.0.1' });
const x32 = await X32Server.start({ store: cs.store, registry, layout: remoteLayout(session, registry.layout), meters, port: 0, host: '127.0.0.1' });

parentPort.on('message', async (m) => {
  if (m.type === 'stats') parentPort.postMessage({ type: 'stats', seq: cs.store.seq, stats: osc.stats, x32: x32.stats });
  else if (m.type === 'stop') {
    await osc.close();
    await x32.close();
    await cs.close();
    parentPort.postMessage({ type: 'stopped' });
  }
});
parentPort.postMessage({ type: 'ready', port: osc.port, x32Port: x32.port });
