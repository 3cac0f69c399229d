/**
 * One WebSocket client of the remote protocol after its upgrade: the hello and authentication,
 * then every message checked against the client's role and applied to the control store, the
 * store's changes and leases sent back (filtered by the role), and its meter subscription.
 */
import type { Subscription } from 'rxjs';
import type { WebSocket } from 'ws';
import { canMeter, canRead, canWrite, writeRefusal, type Principal } from '../control/roles.js';
import type { ChangeEvent, ControlStore, LeaseView, SetResult } from '../control/store.js';
import type { MeterLayout } from '../model/meters.js';
import type { ParamRegistry } from '../model/registry.js';
import type { Authenticator } from './auth.js';
import { MAX_MESSAGE_BYTES, MAX_NAME_LENGTH, PROTOCOL_VERSION, TokenBucket, parseClientMessage, type ClientMessage } from './remote-messages.js';

/** MIDI learn, when surfaces run (the surface manager). Results come back through `done`. */
export interface LearnHost {
  learn(address: string, done: (r: LearnOutcome) => void): void;
  cancelLearn(): void;
  unlearn(address: string): number;
}

export type LearnOutcome = { ok: true; surface: string; control: string; address: string } | { ok: false; code: string; message: string };

/** What a client needs of its server. */
export interface ClientHost {
  readonly store: ControlStore;
  readonly registry: ParamRegistry;
  readonly auth: Authenticator;
  readonly meterLayout: MeterLayout;
  readonly layout: unknown;
  readonly heartbeatMs: number;
  readonly feedbackTickMs: number;
  readonly rate: { perSecond: number; burst: number };
  readonly maxMalformed: number;
  readonly stats: RemoteStats;
  /** MIDI learn (absent: no surfaces; learn is answered E_LEARN_NONE). */
  learnHost(): LearnHost | undefined;
  /** Display name of a change or lease source (a client's name, else the source id). */
  nameOf(source: string): string;
  /** The `change` message of an event, serialised (UTF-8) once for every client that gets it. */
  changeText(e: ChangeEvent): Buffer;
  /** Called when the client is authenticated (ids are given out by the server). */
  admitted(client: RemoteClient): string;
  closed(client: RemoteClient): void;
  log(line: string): void;
}

export interface RemoteStats {
  connections: number;
  messages: number;
  rateDropped: number;
  malformed: number;
  refused: number;
  meterFrames: number;
  meterFramesSkipped: number;
}

/** A client's meter subscription: which floats of the meter snapshot it gets, in order. */
export interface MeterSubscription {
  readonly id: number;
  readonly indices: Int32Array;
}

export class RemoteClient {
  id = '';
  name = '';
  principal: Principal | undefined;
  subscription: MeterSubscription | undefined;
  rttMs: number | undefined;
  /** WebSocket pings sent and not answered (three unanswered in a row: the link is dead). */
  missedPongs = 0;
  private readonly bucket: TokenBucket;
  private subs: Subscription[] = [];
  private helloTimer: NodeJS.Timeout | undefined;
  private malformed = 0;
  private lastRateError = -Infinity;
  private subscriptionId = 0;
  private closed = false;
  /** The address this client armed learn for, until it ends. */
  private learning: string | undefined;
  /** The last `leases` message sent (as JSON): the store republishes on every renewal. */
  private lastLeases: string | undefined;

  constructor(
    readonly ws: WebSocket,
    private readonly host: ClientHost,
    /** The principal the upgrade request's cookie or header proved, if any. */
    private readonly upgradePrincipal: Principal | undefined,
    readonly remoteAddress: string | undefined,
    helloTimeoutMs: number,
  ) {
    this.bucket = new TokenBucket(host.rate.perSecond, host.rate.burst, Date.now());
    this.helloTimer = setTimeout(() => this.close(4002, 'E_WS_HELLO', `no hello within ${helloTimeoutMs / 1000} s`), helloTimeoutMs);
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer | ArrayBuffer | Buffer[], isBinary));
    ws.on('pong', () => (this.missedPongs = 0));
    ws.on('close', () => this.cleanup());
    ws.on('error', () => this.cleanup());
  }

  /** Send a JSON message (dropped if the socket is not open). */
  send(msg: object): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  /** Close with an application code; an error message goes first so that the page can say why. */
  close(code: number, errorCode: string, message: string): void {
    if (this.closed) return;
    this.send({ type: 'error', code: errorCode, message });
    this.closed = true;
    this.ws.close(code, errorCode);
    this.cleanup();
  }

  private onMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (this.closed) return;
    const stats = this.host.stats;
    stats.messages++;
    if (this.principal !== undefined && !this.bucket.take(Date.now())) {
      stats.rateDropped++;
      const now = Date.now();
      if (now - this.lastRateError >= 1000) {
        this.lastRateError = now;
        this.error('E_WS_RATE', `more than ${this.host.rate.perSecond} messages a second: messages are being dropped`);
      }
      return;
    }
    if (isBinary) return this.malformedMessage('binary frames are not taken: messages are JSON text');
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    const parsed = parseClientMessage(text);
    if (!parsed.ok) return this.malformedMessage(parsed.message, parsed.id);
    const m = parsed.message;
    if (this.principal === undefined) {
      if (m.type !== 'hello') return this.close(4002, 'E_WS_HELLO', `the first message must be hello, not ${m.type}`);
      return this.hello(m);
    }
    switch (m.type) {
      case 'hello':
        return this.malformedMessage('hello was already said');
      case 'set':
        return this.set(m);
      case 'touch':
      case 'release':
        return this.touchOrRelease(m.type, m.address, m.id);
      case 'subscribe':
        return this.subscribe(m.meters, m.id);
      case 'learn':
      case 'unlearn':
      case 'learn-cancel':
        return this.learnMessage(m);
      case 'ping':
        return this.send({ type: 'pong', ...(m.id !== undefined ? { id: m.id } : {}), time: Date.now() });
      case 'pong':
        if (m.time !== undefined && Number.isFinite(m.time)) this.rttMs = Math.max(0, Date.now() - m.time);
        return;
    }
  }

  private malformedMessage(message: string, id?: number): void {
    this.host.stats.malformed++;
    this.malformed++;
    if (this.malformed > this.host.maxMalformed) return this.close(4008, 'E_WS_MESSAGE', `more than ${this.host.maxMalformed} malformed messages`);
    this.error('E_WS_MESSAGE', message, id);
  }

  private error(code: string, message: string, id?: number, address?: string): void {
    const msg: Record<string, unknown> = { type: 'error', code, message };
    if (id !== undefined) msg.id = id;
    if (address !== undefined) {
      msg.address = address;
      const p = this.principal;
      const i = this.host.registry.find(address);
      if (p !== undefined && i >= 0 && canRead(p, address)) msg.value = this.host.store.valueAt(i);
    }
    this.send(msg);
  }

  private hello(m: Extract<ClientMessage, { type: 'hello' }>): void {
    let principal = this.upgradePrincipal;
    if (m.token !== undefined || principal === undefined) {
      const verdict = this.host.auth.verifyToken(m.token, this.remoteAddress, 'hello');
      if (!verdict.ok) {
        const missing = verdict.code === 'E_AUTH_MISSING';
        return this.close(verdict.code === 'E_AUTH_RATE' ? 4029 : 4001, verdict.code, missing ? 'hello needs the token (or the cookie of an invite link)' : verdict.message);
      }
      principal = verdict.principal;
    }
    if (this.helloTimer !== undefined) clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    this.principal = principal;
    // eslint-disable-next-line no-control-regex
    const given = typeof m.name === 'string' ? m.name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim().slice(0, MAX_NAME_LENGTH) : '';
    // An invite's name is the engineer's (the musician's name): a device cannot rename itself
    // to look like someone else. The engineer's devices name themselves.
    this.name = principal.role === 'engineer' && given !== '' ? given : principal.name;
    this.id = this.host.admitted(this);
    const { store, registry } = this.host;

    // Subscribing before reading the state: nothing can change in between (one thread), and
    // every change after this point reaches the client through the feedback stream.
    this.subs.push(
      store.feedbackFor(this.id, this.host.feedbackTickMs).subscribe((batch) => this.sendChanges(batch)),
    );
    const catchUp = m.epoch === store.epoch && m.lastSeq !== undefined ? store.since(m.lastSeq) : null;
    this.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      client: this.id,
      role: principal.role,
      ...(principal.bus !== undefined ? { bus: principal.bus } : {}),
      name: this.name,
      epoch: store.epoch,
      seq: store.seq,
      resumed: catchUp !== null,
      heartbeatMs: this.host.heartbeatMs,
      limits: { maxMessageBytes: MAX_MESSAGE_BYTES, messagesPerSecond: this.host.rate.perSecond, burst: this.host.rate.burst },
      layout: this.host.layout,
      meterPoints: this.host.meterLayout.points.filter((pt) => canMeter(principal, pt.name)).map((pt) => ({ name: pt.name, fields: pt.fields })),
    });
    if (catchUp !== null) {
      this.sendChanges(catchUp);
    } else {
      const params: Record<string, number> = {};
      const snap = store.snapshot();
      registry.descriptors.forEach((d, i) => {
        if (canRead(principal, d.address)) params[d.address] = snap.values[i];
      });
      this.send({ type: 'snapshot', epoch: snap.epoch, seq: snap.seq, params });
    }
    this.subs.push(store.leases$.subscribe((view) => this.sendLeases(view)));
  }

  private sendChanges(batch: readonly ChangeEvent[]): void {
    const p = this.principal;
    if (p === undefined) return;
    for (const e of batch) {
      if (canRead(p, e.address) && this.ws.readyState === this.ws.OPEN) this.ws.send(this.host.changeText(e), { binary: false });
    }
  }

  private sendLeases(view: LeaseView): void {
    const p = this.principal;
    if (p === undefined) return;
    const leases: Array<{ address: string; source: string; name: string }> = [];
    for (const [address, l] of view) if (canRead(p, address)) leases.push({ address, source: l.source, name: this.host.nameOf(l.source) });
    // The store publishes the whole map again whenever a holder's set renews its lease (the
    // expiry moved); the client sees no expiry, so an unchanged list is not sent again.
    const text = JSON.stringify({ type: 'leases', leases });
    if (text === this.lastLeases) return;
    this.lastLeases = text;
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  private set(m: Extract<ClientMessage, { type: 'set' }>): void {
    const p = this.principal as Principal;
    if (!canWrite(p, m.address)) return this.refuse(m.address, m.id);
    const r: SetResult = m.value !== undefined ? this.host.store.set(m.address, m.value, this.id) : this.host.store.setPosition(m.address, m.position as number, this.id);
    if (!r.ok) this.error(r.code, r.message, m.id, m.address);
  }

  private touchOrRelease(type: 'touch' | 'release', address: string, id: number | undefined): void {
    const p = this.principal as Principal;
    if (!canWrite(p, address)) return this.refuse(address, id);
    if (type === 'release') {
      this.host.store.release(address, this.id);
      return;
    }
    const r = this.host.store.touch(address, this.id);
    if (!r.ok) this.error(r.code, r.message, id, address);
  }

  /**
   * MIDI learn, for the engineer only: `learn` arms it (answered `armed`, then `learnt` or
   * `ended` with a code), `learn-cancel` ends it, `unlearn` removes the learnt mappings of an
   * address. A client that goes away ends its own learn.
   */
  private learnMessage(m: Extract<ClientMessage, { type: 'learn' | 'unlearn' | 'learn-cancel' }>): void {
    const p = this.principal as Principal;
    const idField = m.id !== undefined ? { id: m.id } : {};
    if (p.role !== 'engineer') {
      this.host.stats.refused++;
      return this.error('E_AUTH_ROLE', `MIDI learn is for the engineer, not a ${p.role}`, m.id);
    }
    const host = this.host.learnHost();
    if (m.type === 'learn-cancel') {
      if (this.learning !== undefined) host?.cancelLearn();
      return;
    }
    if (this.host.registry.find(m.address) < 0) return this.error('E_PARAM_UNKNOWN', `unknown parameter address '${m.address}'`, m.id);
    if (host === undefined) return this.error('E_LEARN_NONE', 'no MIDI surfaces run in this server', m.id);
    if (m.type === 'unlearn') {
      const count = host.unlearn(m.address);
      return this.send({ type: 'learn', state: 'unlearnt', address: m.address, count, ...idField });
    }
    const address = m.address;
    let answered = false;
    host.learn(address, (r) => {
      answered = true;
      if (this.learning === address) this.learning = undefined;
      if (r.ok) this.send({ type: 'learn', state: 'learnt', address, surface: r.surface, control: r.control, ...idField });
      else this.send({ type: 'learn', state: 'ended', address, code: r.code, message: r.message, ...idField });
    });
    // A learn that could not start was answered synchronously (e.g. E_LEARN_NONE).
    if (answered) return;
    this.learning = address;
    this.send({ type: 'learn', state: 'armed', address, ...idField });
  }

  /** A message outside the role: refused, counted, and said (without the value of a parameter it may not read). */
  private refuse(address: string, id: number | undefined): void {
    this.host.stats.refused++;
    const p = this.principal as Principal;
    const known = this.host.registry.find(address) >= 0;
    if (!known && p.role === 'engineer') return this.error('E_PARAM_UNKNOWN', `unknown parameter address '${address}'`, id);
    this.error('E_AUTH_ROLE', writeRefusal(p, address), id, canRead(p, address) ? address : undefined);
  }

  private subscribe(points: readonly string[], id: number | undefined): void {
    const p = this.principal as Principal;
    const layout = this.host.meterLayout;
    const unknown: string[] = [];
    const refused: string[] = [];
    const chosen: Array<{ name: string; offset: number; fields: readonly string[]; src: number }> = [];
    let size = 0;
    const seen = new Set<string>();
    for (const name of points) {
      if (seen.has(name)) continue;
      seen.add(name);
      const pt = layout.points.find((x) => x.name === name);
      if (pt === undefined) unknown.push(name);
      else if (!canMeter(p, name)) refused.push(name);
      else {
        chosen.push({ name, offset: size, fields: pt.fields, src: pt.offset });
        size += pt.fields.length;
      }
    }
    const indices = new Int32Array(size);
    for (const c of chosen) for (let f = 0; f < c.fields.length; f++) indices[c.offset + f] = c.src + f;
    this.subscriptionId = (this.subscriptionId + 1) & 0xffff;
    this.subscription = size > 0 ? { id: this.subscriptionId, indices } : undefined;
    this.send({ type: 'subscribed', id: this.subscriptionId, points: chosen.map((c) => ({ name: c.name, offset: c.offset, fields: c.fields })), size });
    if (unknown.length > 0) this.error('E_METER_UNKNOWN', `no such meter point: ${unknown.slice(0, 8).join(', ')}`, id);
    if (refused.length > 0) {
      this.host.stats.refused++;
      this.error('E_AUTH_ROLE', `not for this role: ${refused.slice(0, 8).join(', ')}`, id);
    }
  }

  private cleanup(): void {
    if (this.helloTimer !== undefined) clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    if (this.learning !== undefined) {
      this.learning = undefined;
      this.host.learnHost()?.cancelLearn();
    }
    this.subscription = undefined;
    if (this.principal !== undefined && this.id !== '') {
      const id = this.id;
      this.host.closed(this);
      this.id = '';
      this.host.store.releaseAll(id);
    }
    this.closed = true;
  }
}
