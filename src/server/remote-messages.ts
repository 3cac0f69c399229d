/**
 * The client messages of the remote protocol (docs/remote-protocol.md), parsed and checked
 * field by field. Anything that is not exactly one of these shapes is refused with a message
 * that says what is wrong; nothing from the network reaches the store unchecked.
 */

export const PROTOCOL_VERSION = 1;
/** Largest message a client may send (bytes); larger closes the connection (1009). */
export const MAX_MESSAGE_BYTES = 16 * 1024;
/** Longest parameter address or meter point name accepted. */
export const MAX_ADDRESS_LENGTH = 128;
/** Most meter points in one subscription. */
export const MAX_METER_POINTS = 512;
/** Longest display name; longer ones are cut. */
export const MAX_NAME_LENGTH = 40;

export type ClientMessage =
  | { type: 'hello'; token?: string; name?: string; epoch?: string; lastSeq?: number }
  | { type: 'set'; address: string; value: number; position?: undefined; id?: number }
  | { type: 'set'; address: string; position: number; value?: undefined; id?: number }
  | { type: 'touch' | 'release'; address: string; id?: number }
  | { type: 'subscribe'; meters: string[]; id?: number }
  | { type: 'learn' | 'unlearn'; address: string; id?: number }
  | { type: 'learn-cancel'; id?: number }
  | { type: 'ping'; id?: number }
  | { type: 'pong'; time?: number };

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; message: string; id?: number };

const TYPES = new Set(['hello', 'set', 'touch', 'release', 'subscribe', 'learn', 'learn-cancel', 'unlearn', 'ping', 'pong']);
const ALLOWED: Record<string, ReadonlySet<string>> = {
  hello: new Set(['type', 'token', 'name', 'epoch', 'lastSeq']),
  set: new Set(['type', 'address', 'value', 'position', 'id']),
  touch: new Set(['type', 'address', 'id']),
  release: new Set(['type', 'address', 'id']),
  subscribe: new Set(['type', 'meters', 'id']),
  learn: new Set(['type', 'address', 'id']),
  'learn-cancel': new Set(['type', 'id']),
  unlearn: new Set(['type', 'address', 'id']),
  ping: new Set(['type', 'id']),
  pong: new Set(['type', 'time']),
};

function bad(message: string, id?: number): ParseResult {
  return id === undefined ? { ok: false, message } : { ok: false, message, id };
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'number') return Number.isFinite(x) ? `the number ${x}` : String(x);
  return typeof x === 'string' ? 'a string' : `a ${typeof x}`;
}

function addressOk(a: unknown): a is string {
  return typeof a === 'string' && a.length > 0 && a.length <= MAX_ADDRESS_LENGTH;
}

/** Parse one text frame. Never throws. */
export function parseClientMessage(text: string): ParseResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return bad('not JSON: every message is one JSON object, e.g. {"type":"set","address":"ch/1/fader","value":-6}');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return bad(`a message is a JSON object, not ${describe(data)}`);
  const m = data as Record<string, unknown>;
  const rawId = m.id;
  const id = typeof rawId === 'number' && Number.isSafeInteger(rawId) ? rawId : undefined;
  if (rawId !== undefined && id === undefined) return bad(`'id' must be a whole number, not ${describe(rawId)}`);
  const type = m.type;
  if (typeof type !== 'string' || !TYPES.has(type)) {
    return bad(`unknown message type ${typeof type === 'string' ? `'${type.slice(0, 40)}'` : describe(type)}: one of ${[...TYPES].join(', ')}`, id);
  }
  for (const k of Object.keys(m)) if (!ALLOWED[type].has(k)) return bad(`'${type}' has no field '${k.slice(0, 40)}'`, id);

  switch (type) {
    case 'hello': {
      if (m.token !== undefined && typeof m.token !== 'string') return bad(`'token' must be a string, not ${describe(m.token)}`);
      if (m.name !== undefined && typeof m.name !== 'string') return bad(`'name' must be a string, not ${describe(m.name)}`);
      if (m.epoch !== undefined && (typeof m.epoch !== 'string' || m.epoch.length > 64)) return bad(`'epoch' must be a string of at most 64 characters`);
      if (m.lastSeq !== undefined && !(typeof m.lastSeq === 'number' && Number.isSafeInteger(m.lastSeq) && m.lastSeq >= 0)) {
        return bad(`'lastSeq' must be a whole number >= 0, not ${describe(m.lastSeq)}`);
      }
      return { ok: true, message: m as ClientMessage };
    }
    case 'set': {
      if (!addressOk(m.address)) return bad(`'set' needs 'address', a parameter address such as "ch/1/fader"`, id);
      const hasValue = m.value !== undefined;
      const hasPos = m.position !== undefined;
      if (hasValue === hasPos) return bad(`'set' takes exactly one of 'value' (in the parameter's unit) or 'position' (0..1)`, id);
      const x = hasValue ? m.value : m.position;
      // Non-numbers are refused here; non-finite numbers cannot come out of JSON.
      if (typeof x !== 'number') return bad(`'${hasValue ? 'value' : 'position'}' must be a number, not ${describe(x)}`, id);
      return { ok: true, message: m as ClientMessage };
    }
    case 'touch':
    case 'release':
    case 'learn':
    case 'unlearn':
      if (!addressOk(m.address)) return bad(`'${type}' needs 'address', a parameter address such as "ch/1/fader"`, id);
      return { ok: true, message: m as ClientMessage };
    case 'subscribe': {
      const list = m.meters;
      if (!Array.isArray(list)) return bad(`'subscribe' needs 'meters', an array of meter points such as ["ch/1","master/chain"]`, id);
      if (list.length > MAX_METER_POINTS) return bad(`at most ${MAX_METER_POINTS} meter points in one subscription`, id);
      for (const p of list) if (!addressOk(p)) return bad(`'meters' holds meter point names (strings), not ${describe(p)}`, id);
      return { ok: true, message: m as ClientMessage };
    }
    case 'pong':
      if (m.time !== undefined && typeof m.time !== 'number') return bad(`'time' must be a number`);
      return { ok: true, message: m as ClientMessage };
    default:
      return { ok: true, message: m as ClientMessage };
  }
}

/** A token bucket: `rate` tokens a second, holding at most `burst`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Take one token; false if there is none (the message is over the limit). */
  take(now: number): boolean {
    const dt = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + dt * this.rate);
    // Refills come in fractions (0.1 + 0.1 + … falls short of 1 in binary floating point):
    // a token missing by rounding only is a whole token.
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens = Math.max(0, this.tokens - 1);
    return true;
  }
}
