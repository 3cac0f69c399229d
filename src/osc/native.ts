/**
 * The native OSC dialect over UDP: the parameter addresses as OSC addresses, on the control
 * store like every other client.
 *
 * - `/ch/1/fader f -10` sets in the parameter's unit (`i`, `f`, `d`, or `T`/`F` for 1/0);
 *   `/ch/1/fader/pos f 0.5` sets a 0..1 position through the parameter's taper.
 * - An address with no arguments is a query: the value (or position) is sent back to the sender.
 * - Patterns (`/ch/*\/mute`, `/ch/[1-4]/fader`, `{a,b}`) address every matching parameter, for
 *   sets and queries alike. Bundles are run in order, at once (time tags are not scheduled).
 * - `/subscribe s PATTERN [i SECONDS [i PORT]]`: the changes of the matching parameters are
 *   sent to the subscriber, everybody else's (never its own: no echo), coalesced per 20 ms tick,
 *   for SECONDS (default 10, at most 60); the current values go out at once. Replies go to the
 *   sender's address and port, or to PORT on the sender's address (a separate listener, such
 *   as liblo's oscdump). `/renew [s PATTERN] [i PORT]` extends one or all; `/unsubscribe
 *   [s PATTERN] [i PORT]` ends one or all (PORT: the reply port the subscription was made with).
 * - `/meters s POINT [i HZ]`: the meter point's fields (dBFS, see docs/remote-protocol.md) as a
 *   blob of big-endian float32s on `/meters/POINT`, HZ times a second (default 10, 1..60), for
 *   10 s; sending it again renews it.
 * - A set refused because another client or surface holds the parameter is answered
 *   `/error s CODE s MESSAGE s ADDRESS`. Malformed datagrams, unknown addresses and arguments
 *   that are not values are dropped and counted (`stats`), never answered, never a crash.
 *
 * OSC has no authentication: the port is for a trusted network (see docs/osc.md).
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import type { Subscription } from 'rxjs';
import type { ChangeEvent, ControlStore } from '../control/store.js';
import type { MeterLayout } from '../model/meters.js';
import type { ParamRegistry } from '../model/registry.js';
import { encodeMessage, type OscArg, type OscMessage } from './codec.js';
import { compilePattern, hasWildcards, type PatternMatcher } from './pattern.js';
import { bindOscSocket, numberArg, sourceOf, stringArg, strs, UdpOscServer, type Peer, type UdpOscStats } from './udp.js';

export const DEFAULT_LIFETIME_S = 10;
export const MAX_LIFETIME_S = 60;
export const FEEDBACK_TICK_MS = 20;
/** Most clients with subscriptions at once; more are refused (`/error`). */
export const MAX_SUBSCRIBERS = 64;
const POSITION_SUFFIX = '/pos';
/** Largest blob taken in (no native address takes a blob: a big one is hostile). */
export const MAX_BLOB = 8192;

export interface OscMeterSource {
  readonly layout: MeterLayout;
  read(dst: Float32Array): boolean;
}

export interface NativeOscOptions {
  readonly store: ControlStore;
  readonly registry: ParamRegistry;
  readonly meters?: OscMeterSource;
  readonly port: number;
  readonly host: string;
  readonly clock?: () => number;
}

export interface NativeOscStats extends UdpOscStats {
  feedback: number;
  refused: number;
  // dropped: by decode reason, `unknown-address`, `bad-arguments`, `bad-pattern`, `full`.
}

interface Sub {
  readonly pattern: string;
  readonly match: PatternMatcher;
  expires: number;
}

interface Client {
  readonly key: string;
  readonly source: string;
  readonly address: string;
  readonly port: number;
  subs: Sub[];
  feedback: Subscription | undefined;
  meters: Map<string, { timer: NodeJS.Timeout; expires: number }>;
}

export class NativeOscServer extends UdpOscServer<NativeOscStats> {
  private readonly clients = new Map<string, Client>();
  private readonly addresses: readonly string[];
  private readonly meterValues: Float32Array | undefined;

  private constructor(
    private readonly opts: NativeOscOptions,
    socket: Socket,
  ) {
    super(socket, { datagrams: 0, messages: 0, replies: 0, feedback: 0, refused: 0, dropped: {} }, { maxBlob: MAX_BLOB }, opts.clock);
    this.addresses = opts.registry.descriptors.map((d) => d.address);
    this.meterValues = opts.meters !== undefined ? new Float32Array(opts.meters.layout.size) : undefined;
  }

  /** Listen on `host:port` (port 0: any free one). Throws `E_OSC_LISTEN`. */
  static async start(opts: NativeOscOptions): Promise<NativeOscServer> {
    return new NativeOscServer(opts, await bindOscSocket(opts.host, opts.port, 'OSC'));
  }

  /** Clients with a subscription or meters now. */
  get subscribers(): number {
    return this.clients.size;
  }

  protected dropAllClients(): void {
    for (const c of [...this.clients.values()]) this.dropClient(c);
  }

  // ---- input ----

  protected onMessage(m: OscMessage, from: RemoteInfo): void {
    switch (m.address) {
      case '/subscribe':
        return this.subscribe(m, from);
      case '/renew':
        return this.renew(m, from);
      case '/unsubscribe':
        return this.unsubscribe(m, from);
      case '/meters':
        return this.meters(m, from);
    }
    const position = m.address.endsWith(POSITION_SUFFIX);
    const path = (position ? m.address.slice(0, -POSITION_SUFFIX.length) : m.address).replace(/^\//, '');
    let targets: string[];
    if (hasWildcards(path)) {
      const match = compilePattern(`/${path}`);
      if (typeof match !== 'function') return this.drop('bad-pattern');
      targets = this.addresses.filter((a) => match(a));
    } else {
      targets = this.opts.registry.find(path) >= 0 ? [path] : [];
    }
    if (targets.length === 0) return this.drop('unknown-address');
    if (m.args.length === 0) {
      for (const a of targets) this.reply(from, this.valueMessage(a, position));
      return;
    }
    const v = numberArg(m.args[0]);
    if (v === undefined) return this.drop('bad-arguments');
    const source = sourceOf(from);
    for (const a of targets) {
      const r = position ? this.opts.store.setPosition(a, v, source) : this.opts.store.set(a, v, source);
      if (!r.ok) {
        this.stats.refused++;
        this.reply(from, encodeMessage('/error', strs(r.code, r.message, `/${a}`)));
      }
    }
  }

  // ---- subscriptions ----

  private client(from: Peer): Client | undefined {
    const key = `${from.address}:${from.port}`;
    let c = this.clients.get(key);
    if (c !== undefined) return c;
    if (this.clients.size >= MAX_SUBSCRIBERS) return undefined;
    c = { key, source: sourceOf(from), address: from.address, port: from.port, subs: [], feedback: undefined, meters: new Map() };
    this.clients.set(key, c);
    return c;
  }

  private subscribe(m: OscMessage, from: RemoteInfo): void {
    const pattern = stringArg(m.args[0]);
    if (pattern === undefined) return this.drop('bad-arguments');
    const match = compilePattern(pattern);
    if (typeof match !== 'function') return this.drop('bad-pattern');
    const seconds = lifetime(m.args[1]);
    if (seconds === undefined) return this.drop('bad-arguments');
    const replyPort = m.args[2] === undefined ? from.port : numberArg(m.args[2]);
    if (replyPort === undefined || !Number.isInteger(replyPort) || replyPort < 1 || replyPort > 65535) return this.drop('bad-arguments');
    const to = { ...from, port: replyPort };
    const c = this.client(to);
    if (c === undefined) {
      this.drop('full');
      this.reply(from, encodeMessage('/error', strs('E_OSC_FULL', `${MAX_SUBSCRIBERS} OSC subscribers already`, pattern)));
      return;
    }
    const expires = this.now() + seconds * 1000;
    const existing = c.subs.find((s) => s.pattern === pattern);
    if (existing !== undefined) existing.expires = expires;
    else c.subs.push({ pattern, match, expires });
    c.feedback ??= this.opts.store.feedbackFor(c.source, FEEDBACK_TICK_MS).subscribe((batch) => this.sendFeedback(c, batch));
    this.reply(to, encodeMessage('/subscribed', [{ type: 's', value: pattern }, { type: 'i', value: seconds }]));
    for (const a of this.addresses) if (match(a)) this.reply(to, this.valueMessage(a, false));
  }

  private renew(m: OscMessage, from: RemoteInfo): void {
    const c = this.clients.get(replyKey(m, from));
    if (c === undefined) return this.drop('unknown-address');
    const pattern = stringArg(m.args[0]);
    const expires = this.now() + DEFAULT_LIFETIME_S * 1000;
    for (const s of c.subs) if (pattern === undefined || s.pattern === pattern) s.expires = expires;
    for (const [point, meter] of c.meters) if (pattern === undefined || pattern === point) meter.expires = expires;
  }

  private unsubscribe(m: OscMessage, from: RemoteInfo): void {
    const c = this.clients.get(replyKey(m, from));
    if (c === undefined) return;
    const pattern = stringArg(m.args[0]);
    c.subs = pattern === undefined ? [] : c.subs.filter((s) => s.pattern !== pattern);
    if (pattern === undefined) for (const point of [...c.meters.keys()]) this.stopMeter(c, point);
    else this.stopMeter(c, pattern);
    this.forgetIfIdle(c);
  }

  private sendFeedback(c: Client, batch: readonly ChangeEvent[]): void {
    const now = this.now();
    for (const e of batch) {
      if (!c.subs.some((s) => s.expires > now && s.match(e.address))) continue;
      this.stats.feedback++;
      this.send(c, encodeMessage(`/${e.address}`, [{ type: 'f', value: e.value }]));
    }
  }

  // ---- meters ----

  private meters(m: OscMessage, from: RemoteInfo): void {
    const layout = this.opts.meters?.layout;
    const point = m.args[0]?.type === 's' ? m.args[0].value.replace(/^\//, '') : undefined;
    if (layout === undefined || point === undefined) return this.drop('bad-arguments');
    const pt = layout.points.find((p) => p.name === point);
    if (pt === undefined) return this.drop('unknown-address');
    const hzArg = m.args[1] === undefined ? 10 : numberArg(m.args[1]);
    if (hzArg === undefined || !(hzArg >= 1 && hzArg <= 60)) return this.drop('bad-arguments');
    const c = this.client(from);
    if (c === undefined) return this.drop('full');
    this.stopMeter(c, point);
    const timer = setInterval(() => this.sendMeter(c, pt.name, pt.offset, pt.fields.length), Math.round(1000 / hzArg));
    timer.unref();
    c.meters.set(point, { timer, expires: this.now() + DEFAULT_LIFETIME_S * 1000 });
    this.sendMeter(c, pt.name, pt.offset, pt.fields.length);
  }

  private sendMeter(c: Client, name: string, offset: number, count: number): void {
    const src = this.opts.meters;
    const values = this.meterValues;
    if (src === undefined || values === undefined || !src.read(values)) return;
    const blob = new Uint8Array(count * 4);
    const view = new DataView(blob.buffer);
    for (let i = 0; i < count; i++) view.setFloat32(i * 4, values[offset + i], false);
    this.send(c, encodeMessage(`/meters/${name}`, [{ type: 'b', value: blob }]));
  }

  private stopMeter(c: Client, point: string): void {
    const m = c.meters.get(point);
    if (m === undefined) return;
    clearInterval(m.timer);
    c.meters.delete(point);
  }

  /** Subscriptions and meters past their lifetime end (a timer runs it once a second). */
  sweep(): void {
    const now = this.now();
    for (const c of [...this.clients.values()]) {
      c.subs = c.subs.filter((s) => s.expires > now);
      for (const [point, m] of [...c.meters]) if (m.expires <= now) this.stopMeter(c, point);
      this.forgetIfIdle(c);
    }
  }

  private forgetIfIdle(c: Client): void {
    if (c.subs.length > 0 || c.meters.size > 0) return;
    this.dropClient(c);
  }

  private dropClient(c: Client): void {
    c.feedback?.unsubscribe();
    c.feedback = undefined;
    for (const point of [...c.meters.keys()]) this.stopMeter(c, point);
    this.clients.delete(c.key);
    this.opts.store.releaseAll(c.source);
  }

  // ---- output ----

  private valueMessage(address: string, position: boolean): Uint8Array {
    const i = this.opts.registry.find(address);
    const v = this.opts.store.valueAt(i);
    const x = position ? this.opts.registry.descriptors[i].taper.toPosition(v) : v;
    return encodeMessage(`/${address}${position ? POSITION_SUFFIX : ''}`, [{ type: 'f', value: x }]);
  }
}

/** A subscription's lifetime in whole seconds from its optional argument (1..60, default 10). */
function lifetime(a: OscArg | undefined): number | undefined {
  if (a === undefined) return DEFAULT_LIFETIME_S;
  const v = numberArg(a);
  if (v === undefined) return undefined;
  return Math.min(MAX_LIFETIME_S, Math.max(1, Math.round(v)));
}

/** The client a /renew or /unsubscribe is about: the sender, or its `i PORT` listener. */
function replyKey(m: OscMessage, from: RemoteInfo): string {
  const port = m.args.find((a) => a.type === 'i') as { value: number } | undefined;
  return `${from.address}:${port?.value ?? from.port}`;
}
