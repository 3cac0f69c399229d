/**
 * The Behringer X32 dialect over UDP (the console listens on 10023): enough of the console's OSC
 * server for X32 remote apps to find mixhost, sync the whole parameter tree, follow changes and
 * draw meters. Values and the address map: x32-laws.ts, x32-tree.ts, x32-map.ts and
 * docs/osc-x32.md. Facts: P.-G. Maillot's "Unofficial X32/M32 OSC Remote Protocol" (X32doc).
 *
 * - Decoding is the console's: a message without a type tag string has no arguments. Malformed
 *   datagrams, unknown addresses and unusable arguments are dropped and counted by reason
 *   (`stats.dropped`), never answered, never a crash.
 * - `/info` -> `/info ,ssss V2.05 <name> X32 4.06`; `/xinfo` -> `/xinfo ,ssss <ip> <name> X32
 *   4.06`; `/status` -> `/status ,sss active <ip> <name>` (`name` defaults to `mixhost`; `<ip>`
 *   is the bound address, or, bound to every interface, the local address on the requester's
 *   subnet).
 * - GET (a leaf address without arguments): the same address with the leaf's value and OSC type.
 *   SET (with an argument): the leaf's mixhost writes, made with the client's source
 *   `osc:IP:PORT`. No acknowledgement, no echo to the sender (the console's rule). A write
 *   refused because another client or surface holds the parameter is dropped and counted
 *   (`stats.refused`). A SET that mixhost cannot follow (names, leaves with no mixhost
 *   equivalent, values that do not fit) is counted (`stats.ignored`) and logged once per address
 *   through `onLog`. A SET with several arguments on a node address (`/ch/01/eq/1 ,ifff 2 0.265
 *   0.5 0.4648`) sets the node's leaves in `/node` order; strings are taken too (X-Air rules).
 * - `/node ,s ch/01/mix` -> `node ,s "/ch/01/mix ON -12.5 ...\n"` (address without a slash, as
 *   the console sends it); an unknown node is not answered. `/ ,s "ch/01/mix/fader -10"` sets in
 *   the console's text form (a leaf or a node's leaves, partial lists allowed) and is echoed
 *   back to the sender, as the console does.
 * - `/xremote`: for 10 s (renewed by sending it again) the client gets every change made by
 *   anybody else as the X32 messages of the leaves it affects, coalesced per 20 ms. At most four
 *   clients at once (X32doc); a fifth is refused, silently as the console does (no reply;
 *   counted as `xremote-full`, logged once per client), until one of the four stops renewing.
 *   Refusing rather than dropping the oldest keeps the four that renew stable: evicting would
 *   let a fifth app knock out one that is in use, and two apps would take turns knocking each
 *   other out at every renewal. A refused client can still GET, SET and take meters.
 * - `/subscribe ,s[i] LEAF [TF]`: the leaf's value every 50 ms × max(1, TF) for 10 s (TF outside
 *   0..99 is 0: X32doc's "~200 updates" for TF 0, 100 for 2, 5 for 40, 3 for 80..99), the first
 *   at once. `/renew [,s NAME]` extends one (by leaf or `/meters/N`, with or without the leading
 *   slash) or all of the client's subscriptions and meters still running; `/unsubscribe [,s
 *   NAME]` ends one or all of them (`/unsubscribe ,s /xremote` also ends the client's /xremote).
 *   `/formatsubscribe` is not answered.
 * - `/meters ,s[iii] /meters/N [A B TF]`: the blob of meter set N (x32-meters.ts: 0, 1, 2 and 6)
 *   every 50 ms × TF (TF is the third int, as on the console; missing or outside 1..99: 1) for
 *   10 s, the first at once; asking again renews it. `/batchsubscribe ,ssiii ALIAS /meters/N A B
 *   TF` is the same with the blob sent on ALIAS (renewed and ended by ALIAS); only meter sets.
 * - When a client's /xremote, subscriptions and meters have all lapsed it is forgotten and its
 *   leases released. At most 64 such clients, 64 subscriptions and meters each (`full`).
 *
 * OSC has no authentication, the console's neither: the port is for a trusted network.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import type { Subscription } from 'rxjs';
import type { RemoteLayoutInfo } from '../control/layout-info.js';
import type { ChangeEvent, ControlStore } from '../control/store.js';
import type { ParamRegistry } from '../model/registry.js';
import { encodeMessage, type OscArg, type OscMessage } from './codec.js';
import type { OscMeterSource } from './native.js';
import { argValue, bindOscSocket, intArg, sourceOf, stringArg, strs, UdpOscServer, type Peer, type UdpOscStats } from './udp.js';
import { x32MeterBlob, x32MeterPlan, type X32MeterPlan } from './x32-meters.js';
import { localAddressFor, nameArg, wireArg } from './x32-wire.js';
import { x32Tree, type X32Tree } from './x32-map.js';

/** Lifetime of /xremote, /subscribe and /meters (X32doc: 10 s). */
export const X32_LIFETIME_MS = 10_000;
/** Most /xremote clients at once (X32doc: "maximum four active clients"). */
export const MAX_XREMOTE = 4;
/** Most clients with /xremote, subscriptions or meters at once. */
export const MAX_CLIENTS = 64;
/** Most subscriptions and meter requests of one client. */
export const MAX_PERIODIC = 64;
export const FEEDBACK_TICK_MS = 20;
/** The console's update period: subscriptions and meters come every TICK × time factor. */
export const PERIODIC_TICK_MS = 50;
/** Largest blob taken in (no X32 command takes one). */
export const MAX_BLOB = 1024;
export const X32_SERVER_VERSION = 'V2.05';
export const X32_MODEL = 'X32';
export const X32_CONSOLE_VERSION = '4.06';
const MAX_LOGGED_CLIENTS = 64;

export interface X32ServerOptions {
  readonly store: ControlStore;
  readonly registry: ParamRegistry;
  readonly layout: RemoteLayoutInfo;
  readonly meters?: OscMeterSource;
  readonly port: number;
  readonly host: string;
  /** Clock of the 10 s lifetimes (ms); default Date.now. */
  readonly clock?: () => number;
  /** One line per event worth a log (ignored SETs once per address, refused /xremote...). */
  readonly onLog?: (line: string) => void;
  /** The console's name in /xinfo and /status; default `mixhost`. */
  readonly name?: string;
}

export interface X32ServerStats extends UdpOscStats {
  /** Leaf SETs that became mixhost writes, and the writes made. */
  sets: number;
  writes: number;
  /** Writes refused because another source holds the parameter (E_CONTROL_HELD). */
  refused: number;
  /** SETs mixhost cannot follow (read-only or unmapped leaves, values that do not fit). */
  ignored: number;
  /** /xremote notifications, /subscribe updates and meter blobs sent. */
  feedback: number;
  updates: number;
  meterFrames: number;
  // dropped: by decode reason, `unknown-address`, `unknown-node`, `bad-arguments`,
  // `unknown-meter`, `no-meters`, `unknown-subscription`, `xremote-full`, `full`, or the code of
  // a write the store refused for another reason.
}

interface Periodic {
  /** The leaf (`/ch/01/mix/fader`) or meter set (`/meters/1`). */
  readonly name: string;
  every: number;
  countdown: number;
  expires: number;
  send: () => void;
}

interface Client {
  readonly key: string;
  readonly source: string;
  readonly address: string;
  readonly port: number;
  /** /xremote until this time (0: none). */
  xremote: number;
  feedback: Subscription | undefined;
  readonly periodic: Map<string, Periodic>;
}

export class X32Server extends UdpOscServer<X32ServerStats> {
  private readonly tree: X32Tree;
  private readonly clients = new Map<string, Client>();
  private pump: NodeJS.Timeout | undefined;
  private readonly meterValues: Float32Array | undefined;
  private readonly logged = new Set<string>();
  private readonly refusedLogged = new Set<string>();
  private defaultsLogged = false;

  private constructor(
    private readonly opts: X32ServerOptions,
    socket: Socket,
  ) {
    const stats = { datagrams: 0, messages: 0, replies: 0, sets: 0, writes: 0, refused: 0, ignored: 0, feedback: 0, updates: 0, meterFrames: 0, dropped: {} };
    super(socket, stats, { lenient: true, maxBlob: MAX_BLOB }, opts.clock);
    this.tree = x32Tree(opts.layout, (a) => opts.store.value(a));
    this.meterValues = opts.meters !== undefined ? new Float32Array(opts.meters.layout.size) : undefined;
  }

  /** Listen on `host:port` (port 0: any free one). Throws `E_OSC_LISTEN`. */
  static async start(opts: X32ServerOptions): Promise<X32Server> {
    return new X32Server(opts, await bindOscSocket(opts.host, opts.port, 'X32 OSC'));
  }

  /** Clients with /xremote, a subscription or meters now. */
  get subscribers(): number {
    return this.clients.size;
  }

  /** Clients whose /xremote runs now. */
  get xremoteClients(): number {
    const now = this.now();
    let n = 0;
    for (const c of this.clients.values()) if (c.xremote > now) n++;
    return n;
  }

  protected dropAllClients(): void {
    for (const c of [...this.clients.values()]) this.dropClient(c);
    this.updatePump();
  }

  /** Lifetimes past their end lapse (a timer runs it once a second). */
  sweep(): void {
    const now = this.now();
    for (const c of [...this.clients.values()]) {
      if (c.xremote !== 0 && c.xremote <= now) this.endXremote(c);
      for (const [name, p] of [...c.periodic]) if (p.expires <= now) c.periodic.delete(name);
      this.forgetIfIdle(c);
    }
    this.updatePump();
  }

  // ---- input ----

  private log(line: string): void {
    this.opts.onLog?.(line);
  }

  protected onMessage(m: OscMessage, from: RemoteInfo): void {
    switch (m.address) {
      case '/info':
        return this.reply(from, encodeMessage('/info', strs(X32_SERVER_VERSION, this.name, X32_MODEL, X32_CONSOLE_VERSION)));
      case '/xinfo':
        return this.reply(from, encodeMessage('/xinfo', strs(this.localAddress(from.address), this.name, X32_MODEL, X32_CONSOLE_VERSION)));
      case '/status':
        return this.reply(from, encodeMessage('/status', strs('active', this.localAddress(from.address), this.name)));
      case '/xremote':
        return this.xremote(from);
      case '/subscribe':
        return this.subscribe(m, from);
      case '/renew':
        return this.renew(m, from);
      case '/unsubscribe':
        return this.unsubscribe(m, from);
      case '/meters':
        return this.meters(m, from);
      case '/batchsubscribe':
        return this.batchSubscribe(m, from);
      case '/node':
        return this.node(m, from);
      case '/':
        return this.textSet(m, from);
    }
    if (m.args.length === 0) return this.get(m.address, from);
    if (this.tree.law(m.address) !== undefined) {
      const v = argValue(m.args[0]);
      if (v === undefined) return this.drop('bad-arguments');
      this.setLeaf(m.address, v, from);
      return;
    }
    const leaves = this.tree.nodeLeaves(m.address);
    if (leaves === undefined) return this.drop('unknown-address');
    const n = Math.min(leaves.length, m.args.length);
    for (let i = 0; i < n; i++) {
      const v = argValue(m.args[i]);
      if (v === undefined) this.drop('bad-arguments');
      else this.setLeaf(leaves[i], v, from);
    }
  }

  private get name(): string {
    return this.opts.name ?? 'mixhost';
  }

  // ---- GET and SET ----

  private get(address: string, from: RemoteInfo): void {
    const bytes = this.leafMessage(address);
    if (bytes === undefined) return this.drop('unknown-address');
    if (!this.defaultsLogged && this.tree.mixhostOf(address) === undefined) {
      this.defaultsLogged = true;
      this.log(`X32: leaves with no mixhost parameter answer the console's defaults (the first asked: ${address}); docs/osc-x32.md lists them`);
    }
    this.reply(from, bytes);
  }

  /** A SET of one known leaf with an OSC argument's value. */
  private setLeaf(address: string, arg: number | string, from: Peer): void {
    const r = this.tree.set(address, arg);
    if (r === undefined) return this.drop('unknown-address');
    if ('ignored' in r) return this.ignore(address, r.ignored);
    this.stats.sets++;
    const source = sourceOf(from);
    for (const w of r.writes) {
      const s = this.opts.store.set(w.address, w.value, source);
      if (s.ok) this.stats.writes++;
      else if (s.code === 'E_CONTROL_HELD') this.stats.refused++;
      else this.drop(s.code);
    }
  }

  private ignore(address: string, reason: string): void {
    this.stats.ignored++;
    if (this.logged.has(address)) return; // one line per leaf address: bounded by the tree
    this.logged.add(address);
    this.log(`X32: a SET of ${address} is ignored: ${reason}`);
  }

  /** The X32 message of a leaf's current value, or undefined for an address that is no leaf. */
  private leafMessage(address: string): Uint8Array | undefined {
    const v = this.tree.get(address);
    return v === undefined ? undefined : encodeMessage(address, [wireArg(v)]);
  }

  // ---- /node and / ----

  private node(m: OscMessage, from: RemoteInfo): void {
    const path = stringArg(m.args[0])?.trim();
    if (path === undefined) return this.drop('bad-arguments');
    const text = this.tree.nodeText(path);
    if (text === undefined) return this.drop('unknown-node');
    this.reply(from, encodeMessage('node', [{ type: 's', value: `${text}\n` }]));
  }

  /** `/ ,s "PATH VALUE..."`: a leaf or a node's leaves in text form; echoed to the sender. */
  private textSet(m: OscMessage, from: RemoteInfo): void {
    const text = stringArg(m.args[0]);
    if (text === undefined) return this.drop('bad-arguments');
    const tokens: string[] = [...(text.match(/"[^"]*"|\S+/g) ?? [])];
    if (tokens.length < 2) return this.drop('bad-arguments');
    const path = tokens[0].startsWith('/') ? tokens[0] : `/${tokens[0]}`;
    const leaves = this.tree.nodeLeaves(path) ?? (this.tree.law(path) !== undefined ? [path] : undefined);
    if (leaves === undefined) return this.drop('unknown-address');
    const n = Math.min(leaves.length, tokens.length - 1);
    for (let i = 0; i < n; i++) {
      const leaf = leaves[i];
      const token = tokens[i + 1];
      const law = this.tree.law(leaf)!;
      let wire: number | string | undefined;
      if (law.kind === 'string') wire = law.parse(token);
      else {
        const v = law.parse(token);
        wire = v === undefined ? undefined : law.toWire(v);
      }
      if (wire === undefined) this.ignore(leaf, `text ${JSON.stringify(token.slice(0, 40))} does not fit ${leaf} (${law.kind})`);
      else this.setLeaf(leaf, wire, from);
    }
    this.reply(from, encodeMessage('/', [{ type: 's', value: text }]));
  }

  // ---- /xremote ----

  private client(from: Peer): Client | undefined {
    const key = `${from.address}:${from.port}`;
    let c = this.clients.get(key);
    if (c !== undefined) return c;
    if (this.clients.size >= MAX_CLIENTS) return undefined;
    c = { key, source: sourceOf(from), address: from.address, port: from.port, xremote: 0, feedback: undefined, periodic: new Map() };
    this.clients.set(key, c);
    return c;
  }

  private xremote(from: RemoteInfo): void {
    const now = this.now();
    const known = this.clients.get(`${from.address}:${from.port}`);
    if (known === undefined || known.xremote <= now) {
      if (this.xremoteClients >= MAX_XREMOTE) {
        this.drop('xremote-full');
        const key = `${from.address}:${from.port}`;
        if (!this.refusedLogged.has(key)) {
          if (this.refusedLogged.size >= MAX_LOGGED_CLIENTS) this.refusedLogged.clear();
          this.refusedLogged.add(key);
          this.log(`X32: /xremote from ${key} refused: ${MAX_XREMOTE} clients follow changes already (it is let in once one of them stops renewing)`);
        }
        return;
      }
    }
    const c = known ?? this.client(from);
    if (c === undefined) return this.drop('full');
    c.xremote = now + X32_LIFETIME_MS;
    c.feedback ??= this.opts.store.feedbackFor(c.source, FEEDBACK_TICK_MS).subscribe((batch) => this.sendFeedback(c, batch));
  }

  private sendFeedback(c: Client, batch: readonly ChangeEvent[]): void {
    if (c.xremote <= this.now()) return;
    const leaves = new Set<string>();
    for (const e of batch) for (const leaf of this.tree.affected(e.address)) leaves.add(leaf);
    for (const leaf of leaves) {
      const bytes = this.leafMessage(leaf);
      if (bytes === undefined) continue;
      this.stats.feedback++;
      this.send(c, bytes);
    }
  }

  private endXremote(c: Client): void {
    c.xremote = 0;
    c.feedback?.unsubscribe();
    c.feedback = undefined;
  }

  // ---- /subscribe, /meters, /renew, /unsubscribe ----

  private subscribe(m: OscMessage, from: RemoteInfo): void {
    const name = nameArg(m.args[0]);
    if (name === undefined) return this.drop('bad-arguments');
    if (this.tree.law(name) === undefined) return this.drop('unknown-address');
    const tf = intArg(m.args[1]);
    const factor = tf !== undefined && tf >= 0 && tf <= 99 ? tf : 0;
    this.addPeriodic(from, name, Math.max(1, factor), (c) => () => {
      const bytes = this.leafMessage(name);
      if (bytes === undefined) return;
      this.stats.updates++;
      this.send(c, bytes);
    });
  }

  private meters(m: OscMessage, from: RemoteInfo): void {
    this.meterRequest(m.args, from, undefined);
  }

  /** `/batchsubscribe ,ssiii ALIAS /meters/N A B TF`: meter set N sent on ALIAS (renewed, ended by ALIAS). */
  private batchSubscribe(m: OscMessage, from: RemoteInfo): void {
    const alias = nameArg(m.args[0]);
    if (alias === undefined || alias === '/xremote') return this.drop('bad-arguments');
    this.meterRequest(m.args.slice(1), from, alias);
  }

  /** `/meters/N [A B TF]` as /meters and /batchsubscribe take it; the blob goes to `alias` or `/meters/N`. */
  private meterRequest(args: readonly OscArg[], from: RemoteInfo, alias: string | undefined): void {
    const src = this.opts.meters;
    if (src === undefined) return this.drop('no-meters');
    const id = /^\/meters\/(\d{1,2})$/.exec(nameArg(args[0]) ?? '')?.[1];
    if (id === undefined) return this.drop('bad-arguments');
    const found = x32MeterPlan(Number(id), src.layout, this.opts.layout, intArg(args[1]) ?? 0);
    if (found === undefined) return this.drop('unknown-meter');
    const plan = alias === undefined ? found : { ...found, address: alias };
    const tf = intArg(args[3]);
    this.addPeriodic(from, plan.address, tf !== undefined && tf >= 1 && tf <= 99 ? tf : 1, (c) => () => this.sendMeters(c, plan));
  }

  private sendMeters(c: Client, plan: X32MeterPlan): void {
    const src = this.opts.meters;
    const values = this.meterValues;
    if (src === undefined || values === undefined || !src.read(values)) return;
    const blob = x32MeterBlob(plan, values, (a) => this.opts.store.value(a));
    this.stats.meterFrames++;
    this.send(c, encodeMessage(plan.address, [{ type: 'b', value: blob }]));
  }

  /** Start or renew a subscription or meter request; the first update goes out at once. */
  private addPeriodic(from: RemoteInfo, name: string, every: number, make: (c: Client) => () => void): void {
    const c = this.client(from);
    if (c === undefined) return this.drop('full');
    let p = c.periodic.get(name);
    if (p === undefined) {
      if (c.periodic.size >= MAX_PERIODIC) {
        this.forgetIfIdle(c);
        return this.drop('full');
      }
      p = { name, every, countdown: every, expires: 0, send: make(c) };
      c.periodic.set(name, p);
    }
    p.every = every;
    p.countdown = every;
    p.send = make(c);
    p.expires = this.now() + X32_LIFETIME_MS;
    p.send();
    this.updatePump();
  }

  private renew(m: OscMessage, from: RemoteInfo): void {
    const name = nameArg(m.args[0]);
    const c = this.clients.get(`${from.address}:${from.port}`);
    const now = this.now();
    let renewed = 0;
    for (const p of c?.periodic.values() ?? []) {
      // "Renewals after 10 s have no effect": a lapsed one stays lapsed even before the sweep.
      if ((name === undefined || p.name === name) && p.expires > now) {
        p.expires = now + X32_LIFETIME_MS;
        renewed++;
      }
    }
    if (renewed === 0) this.drop('unknown-subscription');
  }

  private unsubscribe(m: OscMessage, from: RemoteInfo): void {
    const name = nameArg(m.args[0]);
    const c = this.clients.get(`${from.address}:${from.port}`);
    if (c === undefined) return this.drop('unknown-subscription');
    if (name === undefined) c.periodic.clear();
    else if (name === '/xremote') this.endXremote(c);
    else if (!c.periodic.delete(name)) this.drop('unknown-subscription');
    this.forgetIfIdle(c);
    this.updatePump();
  }

  /** One 50 ms timer drives every subscription and meter request, while there are any. */
  private updatePump(): void {
    let any = false;
    if (!this.closed) for (const c of this.clients.values()) if (c.periodic.size > 0) any = true;
    if (any && this.pump === undefined) {
      this.pump = setInterval(() => this.tick(), PERIODIC_TICK_MS);
      this.pump.unref();
    } else if (!any && this.pump !== undefined) {
      clearInterval(this.pump);
      this.pump = undefined;
    }
  }

  private tick(): void {
    const now = this.now();
    for (const c of this.clients.values()) {
      for (const p of c.periodic.values()) {
        if (p.expires <= now) continue;
        if (--p.countdown > 0) continue;
        p.countdown = p.every;
        p.send();
      }
    }
  }

  private forgetIfIdle(c: Client): void {
    if (c.xremote > 0 || c.periodic.size > 0) return;
    this.dropClient(c);
  }

  private dropClient(c: Client): void {
    this.endXremote(c);
    c.periodic.clear();
    this.clients.delete(c.key);
    this.opts.store.releaseAll(c.source);
  }

  // ---- output ----

  /** The address a client reaches this server on, as /xinfo and /status report it. */
  private localAddress(remote: string): string {
    return localAddressFor(this.socket.address().address, remote, networkInterfaces());
  }
}
