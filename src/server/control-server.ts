/**
 * The control plane's server, assembled: the control store (the one source of truth), the HTTP
 * API, the parameters' REST routes, invites, the WebSocket remote and the web remote's files, on
 * one port. `serve` starts it with the render worker as the store's sink and meter source; the
 * tests and benchmarks start it without audio.
 */
import { lanAddresses, startHttpServer, type HttpServer } from './http.js';
import { LoudnessRecorder } from '../control/loudness-recorder.js';
import { canMeter } from '../control/roles.js';
import { ControlStore } from '../control/store.js';
import { chainMeterPoint } from '../model/master-params.js';
import type { ParamRegistry } from '../model/registry.js';
import type { Session } from '../model/session.js';
import { InviteBook } from './invites.js';
import { mountParamsApi } from './params-api.js';
import { RemoteServer, type MeterSource, type RemoteOptions } from './remote.js';
import type { LearnHost } from './remote-client.js';
import { remoteLayout } from '../control/layout-info.js';
import { mountRemoteStatic } from './remote-static.js';
import { errorBody, principalOf, type AuthLimits } from './auth.js';
import { MixhostError } from '../model/errors.js';

export interface ControlServerOptions {
  readonly session: Session;
  readonly registry: ParamRegistry;
  /** Initial values (the session applied). */
  readonly params: Float64Array;
  readonly meters: MeterSource;
  /** Every accepted change is passed here (the render worker's ring); called synchronously. */
  readonly sink?: (index: number, value: number) => void;
  readonly token: string;
  readonly port: number;
  /** Fall back to a free port if `port` is taken. */
  readonly portFallback?: boolean;
  readonly host: string;
  readonly status?: () => Record<string, unknown>;
  readonly invitesFile?: string;
  readonly allowOrigins?: readonly string[];
  readonly authLimits?: AuthLimits;
  /** Overrides of the remote's timings and limits (tests). */
  readonly remote?: Partial<Pick<RemoteOptions, 'heartbeatMs' | 'helloTimeoutMs' | 'meterHz' | 'feedbackTickMs' | 'rate' | 'maxClients' | 'maxMalformed'>>;
  /** Directory of the built web remote (default: web-remote/dist of the package). */
  readonly remoteDir?: string;
}

/** What the control server needs of the MIDI surfaces (the surface manager). */
export interface SurfaceHooks extends LearnHost {
  status(): unknown;
  nameOf(source: string): string | undefined;
}

export interface ControlServer {
  readonly store: ControlStore;
  readonly http: HttpServer;
  readonly remote: RemoteServer;
  readonly invites: InviteBook;
  readonly loudness: LoudnessRecorder;
  /** The address a device on the LAN opens (first LAN address, or loopback). */
  readonly publicBase: string;
  joinUrl(token: string): string;
  /** MIDI surfaces run on this store: learn, their names, `GET /api/surfaces`, the status. */
  attachSurfaces(hooks: SurfaceHooks): void;
  close(): Promise<void>;
}

export async function startControlServer(opts: ControlServerOptions): Promise<ControlServer> {
  const store = new ControlStore(opts.registry, opts.params);
  const invites = await InviteBook.open(opts.invitesFile, opts.registry.layout.auxBuses);
  const sink = opts.sink;
  const sinkSub = sink !== undefined ? store.changes$.subscribe((e) => sink(e.index, e.value)) : undefined;
  let remote: RemoteServer | undefined;
  let surfaces: SurfaceHooks | undefined;
  const status = (): unknown => {
    const base = opts.status?.() ?? {};
    return {
      ...base,
      remote: remote?.status(),
      control: { ...((base.control as object | undefined) ?? {}), seq: store.seq, epoch: store.epoch },
      midi: surfaces?.status() ?? { available: false, reason: 'MIDI surfaces are off' },
    };
  };
  const httpOpts = { host: opts.host, token: opts.token, status, authLimits: opts.authLimits, resolveToken: (t: string) => invites.resolve(t) };
  let http: HttpServer;
  try {
    http = await startHttpServer({ ...httpOpts, port: opts.port });
  } catch (e) {
    if (!opts.portFallback || !(e instanceof MixhostError && e.code === 'E_HTTP_LISTEN')) throw e;
    http = await startHttpServer({ ...httpOpts, port: 0 });
  }
  const loopback = opts.host.startsWith('127.') || opts.host === '::1' || opts.host === 'localhost';
  const lan = loopback ? [] : lanAddresses();
  const publicBase = `http://${lan[0] ?? '127.0.0.1'}:${http.port}`;
  const joinUrl = (token: string): string => `${publicBase}/join?token=${encodeURIComponent(token)}`;
  mountParamsApi(http.app, { store, registry: opts.registry, invites, joinUrl });
  const loudness = new LoudnessRecorder(opts.meters, opts.registry.layout.masterChains);
  loudness.start();
  // The last ten minutes of a chain's loudness, for the remote's history graph.
  http.app.get('/api/loudness/history', (req, res) => {
    const k = req.query.chain === undefined ? 1 : Number(req.query.chain);
    const body = Number.isInteger(k) ? loudness.history(k) : undefined;
    if (body === undefined) {
      res.status(404).type('application/json').send(JSON.stringify(errorBody('E_NOT_FOUND', `no master chain ${String(req.query.chain)}: chains 1 to ${opts.registry.layout.masterChains}`)));
      return;
    }
    if (!canMeter(principalOf(res), chainMeterPoint(k))) {
      res.status(403).type('application/json').send(JSON.stringify(errorBody('E_AUTH_ROLE', 'the loudness history is for the engineer and viewers')));
      return;
    }
    res.type('application/json').send(JSON.stringify(body));
  });
  // The MIDI surfaces: ports, units, counters, learn (engineer and viewers).
  http.app.get('/api/surfaces', (_req, res) => {
    if (principalOf(res).role === 'performer') {
      res.status(403).type('application/json').send(JSON.stringify(errorBody('E_AUTH_ROLE', 'the surfaces are for the engineer and viewers')));
      return;
    }
    res.type('application/json').send(JSON.stringify(surfaces?.status() ?? { available: false, reason: 'MIDI surfaces are off' }));
  });
  mountRemoteStatic(http.app, http.auth, opts.remoteDir);
  remote = new RemoteServer({
    server: http.server,
    auth: http.auth,
    store,
    registry: opts.registry,
    meters: opts.meters,
    layout: remoteLayout(opts.session, opts.registry.layout),
    invites,
    allowOrigins: opts.allowOrigins,
    ...opts.remote,
  });
  const r = remote;
  let closing: Promise<void> | undefined;
  return {
    store,
    http,
    remote: r,
    invites,
    loudness,
    publicBase,
    joinUrl,
    attachSurfaces(hooks) {
      surfaces = hooks;
      r.attachSurfaces(hooks, (source) => hooks.nameOf(source));
    },
    close() {
      closing ??= (async () => {
        loudness.stop();
        await r.close();
        await http.close();
        sinkSub?.unsubscribe();
        store.dispose();
      })();
      return closing;
    },
  };
}
