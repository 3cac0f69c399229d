/**
 * The WebSocket link to mixhost (docs/remote-protocol.md): hello, heartbeats, round-trip time,
 * and reconnection with capped exponential backoff. It knows nothing about parameters: parsed
 * messages go to `onMessage`, binary frames to `onFrame`. No DOM at import time; the socket and
 * the clock are injected, so the logic runs under test without a browser.
 */
import type { ConnectionState, Holder, RemoteLayout, Role } from './types.js';

// ---------------------------------------------------------------------------------------------
// Server messages, checked field by field: nothing from the network is trusted by shape.

export interface WelcomeMsg {
  readonly type: 'welcome';
  readonly protocol: number;
  readonly client: string;
  readonly role: Role;
  readonly bus?: number;
  readonly name?: string;
  readonly epoch: string;
  readonly seq: number;
  readonly resumed: boolean;
  readonly heartbeatMs: number;
  readonly layout: RemoteLayout;
  readonly meterPoints?: ReadonlyArray<{ readonly name: string }>;
}
export interface SnapshotMsg {
  readonly type: 'snapshot';
  readonly epoch: string;
  readonly seq: number;
  readonly params: Readonly<Record<string, number>>;
}
export interface ChangeMsg {
  readonly type: 'change';
  readonly address: string;
  readonly value: number;
  readonly source?: string;
  readonly seq: number;
}
export interface LeasesMsg {
  readonly type: 'leases';
  readonly leases: ReadonlyArray<Holder & { readonly address: string }>;
}
export interface SubscribedMsg {
  readonly type: 'subscribed';
  readonly id: number;
  readonly size: number;
  readonly points: ReadonlyArray<{ readonly name: string; readonly offset: number; readonly fields: readonly string[] }>;
}
export interface PingMsg {
  readonly type: 'ping';
  readonly time?: number;
}
export interface PongMsg {
  readonly type: 'pong';
  readonly id?: number;
  readonly time?: number;
}
export interface ErrorMsg {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
  readonly id?: number;
  readonly address?: string;
  readonly value?: number;
}
/** MIDI learn's answers (engineer only): armed, then learnt or ended; unlearnt for `unlearn`. */
export type LearnMsg = { readonly type: 'learn'; readonly address: string; readonly id?: number } & (
  | { readonly state: 'armed' }
  | { readonly state: 'learnt'; readonly surface: string; readonly control: string }
  | { readonly state: 'ended'; readonly code: string; readonly message: string }
  | { readonly state: 'unlearnt'; readonly count: number }
);
export type ServerMessage = WelcomeMsg | SnapshotMsg | ChangeMsg | LeasesMsg | SubscribedMsg | PingMsg | PongMsg | ErrorMsg | LearnMsg;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const optNum = (x: unknown): number | undefined => (isNum(x) ? x : undefined);
const ROLES: readonly string[] = ['engineer', 'performer', 'viewer'];

function named(x: unknown, fallback: string): { name: string } {
  return { name: isObj(x) && isStr(x.name) ? x.name : fallback };
}

/** `welcome.layout`, with every list present and every name a string (absent ones get a default). */
export function normaliseLayout(x: unknown): RemoteLayout | undefined {
  if (!isObj(x) || !isObj(x.mix)) return undefined;
  const m = x.mix;
  if (!Array.isArray(m.channels) || !isNum(m.auxBuses) || !Array.isArray(m.fxBuses) || !isNum(m.groups) || !isNum(m.vcas) || !isNum(m.masterChains)) return undefined;
  if (m.channels.length > 512 || m.auxBuses > 64 || m.fxBuses.length > 64 || m.groups > 64 || m.vcas > 64 || m.masterChains > 8) return undefined;
  if (!m.fxBuses.every((k) => k === 'reverb' || k === 'delay')) return undefined;
  const mix = {
    channels: m.channels.map((c) => ({ stereo: isObj(c) && c.stereo === true })),
    auxBuses: Math.max(0, Math.floor(m.auxBuses)),
    fxBuses: m.fxBuses as Array<'reverb' | 'delay'>,
    groups: Math.max(0, Math.floor(m.groups)),
    vcas: Math.max(0, Math.floor(m.vcas)),
    masterChains: Math.max(1, Math.floor(m.masterChains)),
  };
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const chans = list(x.channels);
  const aux = list(x.auxBuses);
  const fx = list(x.fx);
  const groups = list(x.groups);
  const vcas = list(x.vcas);
  const chains = list(x.masterChains);
  return {
    mix,
    channels: mix.channels.map((_, i) => {
      const c = chans[i];
      const color = isObj(c) && isStr(c.color) && /^#[0-9a-fA-F]{3,8}$/.test(c.color) ? c.color : undefined;
      return color !== undefined ? { ...named(c, `Ch ${i + 1}`), color } : named(c, `Ch ${i + 1}`);
    }),
    auxBuses: Array.from({ length: mix.auxBuses }, (_, i) => named(aux[i], `Aux ${i + 1}`)),
    fx: mix.fxBuses.map((kind, i) => ({ ...named(fx[i], kind === 'reverb' ? 'Reverb' : 'Delay'), kind })),
    groups: Array.from({ length: mix.groups }, (_, i) => named(groups[i], `Group ${i + 1}`)),
    vcas: Array.from({ length: mix.vcas }, (_, i) => named(vcas[i], `VCA ${i + 1}`)),
    masterChains: Array.from({ length: mix.masterChains }, (_, i) => named(chains[i], i === 0 ? 'Master' : `Out ${i + 1}`)),
  };
}

/** Parse one JSON text frame from the server; undefined for anything malformed or unknown. */
export function parseServerMessage(text: string): ServerMessage | undefined {
  if (text.length > 8 * 1024 * 1024) return undefined;
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObj(x) || !isStr(x.type)) return undefined;
  switch (x.type) {
    case 'welcome': {
      if (!isStr(x.client) || !isStr(x.role) || !ROLES.includes(x.role) || !isStr(x.epoch) || !isNum(x.seq)) return undefined;
      const layout = normaliseLayout(x.layout);
      if (layout === undefined) return undefined;
      const meterPoints = Array.isArray(x.meterPoints) ? x.meterPoints.filter((p): p is { name: string } => isObj(p) && isStr(p.name)).map((p) => ({ name: p.name })) : undefined;
      return {
        type: 'welcome',
        protocol: optNum(x.protocol) ?? 1,
        client: x.client,
        role: x.role as Role,
        bus: optNum(x.bus),
        name: isStr(x.name) ? x.name : undefined,
        epoch: x.epoch,
        seq: x.seq,
        resumed: x.resumed === true,
        heartbeatMs: optNum(x.heartbeatMs) ?? 5000,
        layout,
        meterPoints,
      };
    }
    case 'snapshot': {
      if (!isStr(x.epoch) || !isNum(x.seq) || !isObj(x.params)) return undefined;
      const params: Record<string, number> = {};
      for (const [k, v] of Object.entries(x.params)) if (isNum(v)) params[k] = v;
      return { type: 'snapshot', epoch: x.epoch, seq: x.seq, params };
    }
    case 'change':
      if (!isStr(x.address) || !isNum(x.value) || !isNum(x.seq)) return undefined;
      return { type: 'change', address: x.address, value: x.value, seq: x.seq, source: isStr(x.source) ? x.source : undefined };
    case 'leases': {
      if (!Array.isArray(x.leases)) return undefined;
      const leases = x.leases
        .filter((l): l is Obj => isObj(l) && isStr(l.address) && isStr(l.source))
        .map((l) => ({ address: l.address as string, source: l.source as string, name: isStr(l.name) && l.name !== '' ? l.name : (l.source as string) }));
      return { type: 'leases', leases };
    }
    case 'subscribed': {
      if (!isNum(x.id) || !isNum(x.size) || !Array.isArray(x.points)) return undefined;
      const points = x.points
        .filter((p): p is Obj => isObj(p) && isStr(p.name) && isNum(p.offset) && Array.isArray(p.fields))
        .map((p) => ({ name: p.name as string, offset: p.offset as number, fields: (p.fields as unknown[]).map(String) }));
      return { type: 'subscribed', id: x.id, size: x.size, points };
    }
    case 'learn':
      return parseLearn(x);
    case 'ping':
      return { type: 'ping', time: optNum(x.time) };
    case 'pong':
      return { type: 'pong', id: optNum(x.id), time: optNum(x.time) };
    case 'error':
      if (!isStr(x.code)) return undefined;
      return {
        type: 'error',
        code: x.code,
        message: isStr(x.message) ? x.message : x.code,
        id: optNum(x.id),
        address: isStr(x.address) ? x.address : undefined,
        value: optNum(x.value),
      };
    default:
      return undefined;
  }
}

function parseLearn(x: Obj): LearnMsg | undefined {
  if (!isStr(x.address)) return undefined;
  const base = { type: 'learn' as const, address: x.address, ...(isNum(x.id) ? { id: x.id } : {}) };
  switch (x.state) {
    case 'armed':
      return { ...base, state: 'armed' };
    case 'learnt':
      return isStr(x.surface) && isStr(x.control) ? { ...base, state: 'learnt', surface: x.surface, control: x.control } : undefined;
    case 'ended':
      return isStr(x.code) ? { ...base, state: 'ended', code: x.code, message: isStr(x.message) ? x.message : x.code } : undefined;
    case 'unlearnt':
      return isNum(x.count) && x.count >= 0 ? { ...base, state: 'unlearnt', count: Math.floor(x.count) } : undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The link.

export const BACKOFF_BASE_MS = 250;
export const BACKOFF_MAX_MS = 5000;
/** After 4029 (too many wrong tokens from this address) wait this long. */
export const RATE_LIMIT_WAIT_MS = 60_000;
export const CLIENT_PING_MS = 5000;
export const FIRST_PING_MS = 1000;
/** `welcome` must arrive this long after the socket opens, or the attempt is abandoned. */
export const WELCOME_TIMEOUT_MS = 10_000;
const DEFAULT_HEARTBEAT_MS = 5000;

/**
 * Delay before reconnection attempt `attempt` (1-based): 0.25 s doubling to 5 s, times a jitter
 * of 0.75..1.25 (`random` in 0..1), never above 5 s.
 */
export function backoffDelay(attempt: number, random: number): number {
  const n = Math.max(1, Math.floor(attempt));
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(n - 1, 20));
  const r = Number.isFinite(random) ? Math.min(1, Math.max(0, random)) : 0.5;
  return Math.round(Math.min(BACKOFF_MAX_MS, base * (0.75 + 0.5 * r)));
}

export type Refusal = 'invalid' | 'revoked';

export type CloseAction = { readonly kind: 'retry' } | { readonly kind: 'wait'; readonly ms: number } | { readonly kind: 'refused'; readonly reason: Refusal };

/** What a closing code means for the client. */
export function closeAction(code: number): CloseAction {
  if (code === 4001) return { kind: 'refused', reason: 'invalid' };
  if (code === 4003) return { kind: 'refused', reason: 'revoked' };
  if (code === 4029) return { kind: 'wait', ms: RATE_LIMIT_WAIT_MS };
  return { kind: 'retry' };
}

/** The part of a browser WebSocket the link uses. */
export interface SocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface LinkStatus {
  readonly state: ConnectionState;
  /** Failed attempts since the link was last live (0 when live). */
  readonly attempt: number;
  /** When refused: why. */
  readonly refusal?: Refusal;
  /** When waiting to reconnect: the clock time of the next attempt. */
  readonly retryAt?: number;
  /** Latest round-trip time of a client ping, ms. */
  readonly rttMs?: number;
  /** The last closing code seen. */
  readonly closeCode?: number;
}

export interface HelloFields {
  name?: string;
  epoch?: string;
  lastSeq?: number;
}

export interface LinkOptions {
  url: string;
  createSocket(url: string): SocketLike;
  clock: Clock;
  random?: () => number;
  /** Fields of `hello`, asked for at every connection (epoch and lastSeq change). */
  hello(): HelloFields;
  onMessage(msg: ServerMessage): void;
  onFrame(buf: ArrayBuffer): void;
  onStatus(status: LinkStatus): void;
}

const OPEN = 1;

export class Link {
  private socket: SocketLike | undefined;
  private status: LinkStatus = { state: 'connecting', attempt: 0 };
  private everLive = false;
  private welcomed = false;
  private heartbeatMs = DEFAULT_HEARTBEAT_MS;
  private lastHeard = 0;
  private retryTimer: unknown;
  private watchdogTimer: unknown;
  private pingTimer: unknown;
  private welcomeTimer: unknown;
  private pingId = 0;
  private readonly pings = new Map<number, number>();
  private waitingRateLimit = false;
  private stopped = true;

  constructor(private readonly opts: LinkOptions) {}

  get current(): LinkStatus {
    return this.status;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.clear(this.retryTimer);
    this.retryTimer = undefined;
    this.detach(1000);
  }

  /** Send a JSON message; false when there is no open, welcomed connection. */
  send(msg: object): boolean {
    const s = this.socket;
    if (s === undefined || !this.welcomed || s.readyState !== OPEN) return false;
    s.send(JSON.stringify(msg));
    return true;
  }

  /**
   * The page became visible again, came back from the bfcache, or the network came back: try at
   * once instead of waiting out the backoff, and drop a link that has gone silent in the
   * meantime (a tablet that slept keeps a socket that looks open but is dead).
   */
  wake(): void {
    if (this.stopped || this.status.state === 'refused' || this.waitingRateLimit) return;
    if (this.retryTimer !== undefined) {
      this.clear(this.retryTimer);
      this.retryTimer = undefined;
      this.connect();
      return;
    }
    if (this.welcomed && this.opts.clock.now() - this.lastHeard > this.heartbeatMs * 1.5) this.drop();
  }

  private connect(): void {
    if (this.stopped) return;
    this.retryTimer = undefined;
    this.welcomed = false;
    this.setStatus({ state: this.everLive ? 'reconnecting' : 'connecting', attempt: this.status.attempt, rttMs: this.status.rttMs });
    let s: SocketLike;
    try {
      s = this.opts.createSocket(this.opts.url);
    } catch {
      this.scheduleRetry(closeAction(1006));
      return;
    }
    this.socket = s;
    s.binaryType = 'arraybuffer';
    s.onopen = () => {
      const h = this.opts.hello();
      const hello: Record<string, unknown> = { type: 'hello' };
      if (h.name) hello.name = h.name.slice(0, 40);
      if (h.epoch !== undefined && h.lastSeq !== undefined) {
        hello.epoch = h.epoch;
        hello.lastSeq = h.lastSeq;
      }
      s.send(JSON.stringify(hello));
      this.lastHeard = this.opts.clock.now();
      this.welcomeTimer = this.opts.clock.setTimeout(() => {
        if (!this.welcomed) this.drop();
      }, WELCOME_TIMEOUT_MS);
    };
    s.onmessage = (ev) => this.receive(ev.data);
    s.onerror = () => undefined; // a close event always follows
    s.onclose = (ev) => {
      if (this.socket !== s) return;
      this.socket = undefined;
      this.clearTimers();
      this.scheduleRetry(closeAction(ev.code), ev.code);
    };
  }

  private receive(data: unknown): void {
    this.lastHeard = this.opts.clock.now();
    if (data instanceof ArrayBuffer) {
      if (this.welcomed) this.opts.onFrame(data);
      return;
    }
    if (typeof data !== 'string') return;
    const msg = parseServerMessage(data);
    if (msg === undefined) return;
    switch (msg.type) {
      case 'welcome':
        this.welcomed = true;
        this.everLive = true;
        this.waitingRateLimit = false;
        this.clear(this.welcomeTimer);
        this.heartbeatMs = msg.heartbeatMs > 0 ? msg.heartbeatMs : DEFAULT_HEARTBEAT_MS;
        this.opts.onMessage(msg);
        this.setStatus({ state: 'live', attempt: 0, rttMs: this.status.rttMs });
        this.startHeartbeat();
        return;
      case 'ping':
        this.send({ type: 'pong', time: msg.time });
        return;
      case 'pong': {
        const sent = msg.id !== undefined ? this.pings.get(msg.id) : undefined;
        if (sent !== undefined) {
          this.pings.delete(msg.id as number);
          this.setStatus({ ...this.status, rttMs: this.opts.clock.now() - sent });
        }
        return;
      }
      default:
        if (this.welcomed || msg.type === 'error') this.opts.onMessage(msg);
    }
  }

  private startHeartbeat(): void {
    const check = (): void => {
      if (this.opts.clock.now() - this.lastHeard > 2 * this.heartbeatMs) {
        this.drop();
        return;
      }
      this.watchdogTimer = this.opts.clock.setTimeout(check, this.heartbeatMs / 2);
    };
    this.watchdogTimer = this.opts.clock.setTimeout(check, this.heartbeatMs / 2);
    const ping = (): void => {
      const id = ++this.pingId;
      this.pings.set(id, this.opts.clock.now());
      if (this.pings.size > 8) this.pings.delete(this.pings.keys().next().value as number);
      this.send({ type: 'ping', id });
      this.pingTimer = this.opts.clock.setTimeout(ping, CLIENT_PING_MS);
    };
    // The first one a moment after welcome, not while the page is busy building its views.
    this.pingTimer = this.opts.clock.setTimeout(ping, FIRST_PING_MS);
  }

  /** Abandon the current socket without waiting for its closing handshake, then retry. */
  private drop(): void {
    this.clearTimers();
    this.detach(4000);
    this.scheduleRetry({ kind: 'retry' });
  }

  private detach(code: number): void {
    const s = this.socket;
    this.socket = undefined;
    this.welcomed = false;
    if (s === undefined) return;
    s.onopen = s.onmessage = s.onclose = s.onerror = null;
    try {
      s.close(code);
    } catch {
      // already closed
    }
  }

  private scheduleRetry(action: CloseAction, code?: number): void {
    this.welcomed = false;
    if (this.stopped) return;
    if (action.kind === 'refused') {
      this.setStatus({ state: 'refused', attempt: this.status.attempt, refusal: action.reason, closeCode: code });
      return;
    }
    const attempt = this.status.attempt + 1;
    let ms: number;
    if (action.kind === 'wait') {
      this.waitingRateLimit = true;
      ms = action.ms;
    } else {
      ms = backoffDelay(attempt, (this.opts.random ?? Math.random)());
    }
    const retryAt = this.opts.clock.now() + ms;
    this.setStatus({ state: this.everLive ? 'reconnecting' : 'connecting', attempt, retryAt, rttMs: this.status.rttMs, closeCode: code });
    this.retryTimer = this.opts.clock.setTimeout(() => this.connect(), ms);
  }

  private clearTimers(): void {
    this.clear(this.watchdogTimer);
    this.clear(this.pingTimer);
    this.clear(this.welcomeTimer);
    this.watchdogTimer = this.pingTimer = this.welcomeTimer = undefined;
    this.pings.clear();
  }

  private clear(h: unknown): void {
    if (h !== undefined) this.opts.clock.clearTimeout(h);
  }

  private setStatus(s: LinkStatus): void {
    this.status = s;
    this.opts.onStatus(s);
  }
}
