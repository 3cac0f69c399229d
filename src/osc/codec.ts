/**
 * OSC 1.0 byte layer: datagrams to packets and back, for the native dialect and the X32 one.
 *
 * Decoding never throws: every datagram either becomes a packet or is refused with a reason
 * (a stable kebab-case word the servers count by) and a detail for the log. It is strict by
 * default (4-byte alignment, NUL padding, a type tag string, nothing after the last argument);
 * `lenient` applies the X32 rules: a message without a type tag string ("old OSC",
 * `/info\0\0\0`) is a message without arguments, and neither padding bytes nor bytes after the
 * last argument are checked.
 *
 * Encoding takes any address string the caller gives (the X32 `node` reply has no leading
 * slash); it throws only for values that cannot be represented, which is a caller's bug.
 */
import { MixhostError } from '../model/errors.js';

export type OscArg =
  | { readonly type: 'i'; readonly value: number }
  | { readonly type: 'f'; readonly value: number }
  | { readonly type: 's'; readonly value: string }
  | { readonly type: 'b'; readonly value: Uint8Array }
  | { readonly type: 'h'; readonly value: bigint }
  | { readonly type: 'd'; readonly value: number }
  | { readonly type: 'T' | 'F' | 'N' | 'I' };

export interface OscMessage {
  readonly address: string;
  readonly args: readonly OscArg[];
}

/** `timetag` is the 64-bit NTP time tag as sent (seconds since 1900 in the high 32 bits); 1n = immediately. */
export interface OscBundle {
  readonly timetag: bigint;
  readonly elements: readonly OscPacket[];
}

export type OscPacket = OscMessage | OscBundle;

export type OscDecodeReason =
  | 'empty'
  | 'misaligned'
  | 'truncated-string'
  | 'bad-padding'
  | 'bad-string'
  | 'bad-address'
  | 'address-too-long'
  | 'missing-type-tags'
  | 'unknown-type-tag'
  | 'too-many-arguments'
  | 'truncated-argument'
  | 'blob-too-large'
  | 'blob-past-end'
  | 'trailing-bytes'
  | 'bad-bundle-header'
  | 'bundle-too-deep'
  | 'bad-element-size'
  | 'element-past-end'
  | 'undecodable';

export type OscDecodeResult =
  | { readonly ok: true; readonly packet: OscPacket }
  | { readonly ok: false; readonly reason: OscDecodeReason; readonly detail: string };

export interface OscDecodeOptions {
  /** X32 rules: no type tag string means no arguments; padding and trailing bytes are not checked. */
  readonly lenient?: boolean;
  /** Largest blob accepted, in bytes (default 64 KiB). */
  readonly maxBlob?: number;
  /** Deepest bundle nesting accepted; a top-level bundle is depth 1 (default 8). */
  readonly maxDepth?: number;
  /** Accept message addresses that do not start with '/' (a client reading X32 `node` replies). */
  readonly anyAddress?: boolean;
}

export const OSC_MAX_ADDRESS_BYTES = 256;
export const OSC_MAX_ARGS = 64;
export const OSC_DEFAULT_MAX_BLOB = 64 * 1024;
export const OSC_DEFAULT_MAX_DEPTH = 8;
/** The time tag that means "now". */
export const OSC_IMMEDIATELY = 1n;

const BUNDLE_HEADER = [0x23, 0x62, 0x75, 0x6e, 0x64, 0x6c, 0x65, 0x00]; // "#bundle\0"
const KNOWN_TAGS = 'ifsbhdTFNI';

export function isBundle(p: OscPacket): p is OscBundle {
  return 'elements' in p;
}

/** Every message of a packet in order, bundles flattened (time tags are not applied). */
export function messagesOf(p: OscPacket): OscMessage[] {
  if (!isBundle(p)) return [p];
  const out: OscMessage[] = [];
  for (const e of p.elements) out.push(...messagesOf(e));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Thrown internally while decoding and turned into a result at the top; never escapes. */
class Refusal {
  constructor(
    readonly reason: OscDecodeReason,
    readonly detail: string,
  ) {}
}

interface Ctx {
  readonly buf: Uint8Array;
  readonly view: DataView;
  readonly lenient: boolean;
  readonly maxBlob: number;
  readonly maxDepth: number;
  readonly anyAddress: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodePacket(buf: Uint8Array, opts: OscDecodeOptions = {}): OscDecodeResult {
  try {
    if (!(buf instanceof Uint8Array)) return { ok: false, reason: 'undecodable', detail: 'not a byte array' };
    if (buf.length === 0) return { ok: false, reason: 'empty', detail: 'empty datagram' };
    if (buf.length % 4 !== 0) return { ok: false, reason: 'misaligned', detail: `length ${buf.length} is not a multiple of 4` };
    const ctx: Ctx = {
      buf,
      view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength),
      lenient: opts.lenient === true,
      maxBlob: opts.maxBlob ?? OSC_DEFAULT_MAX_BLOB,
      maxDepth: opts.maxDepth ?? OSC_DEFAULT_MAX_DEPTH,
      anyAddress: opts.anyAddress === true,
    };
    return { ok: true, packet: decodeElement(ctx, 0, buf.length, 0) };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, reason: e.reason, detail: e.detail };
    // Not reachable by construction; kept so that the promise "never throws" holds regardless.
    return { ok: false, reason: 'undecodable', detail: String(e) };
  }
}

/** One packet occupying exactly buf[start, end). `depth` = enclosing bundles. */
function decodeElement(ctx: Ctx, start: number, end: number, depth: number): OscPacket {
  if (ctx.buf[start] === 0x23 /* '#' */) return decodeBundle(ctx, start, end, depth + 1);
  return decodeMessage(ctx, start, end);
}

function decodeBundle(ctx: Ctx, start: number, end: number, depth: number): OscBundle {
  if (depth > ctx.maxDepth) throw new Refusal('bundle-too-deep', `bundles nested deeper than ${ctx.maxDepth}`);
  if (end - start < 16) throw new Refusal('bad-bundle-header', `bundle of ${end - start} bytes is shorter than its header`);
  for (let i = 0; i < 8; i++) {
    if (ctx.buf[start + i] !== BUNDLE_HEADER[i]) throw new Refusal('bad-bundle-header', `starts with '#' but not with '#bundle\\0'`);
  }
  const timetag = ctx.view.getBigUint64(start + 8);
  const elements: OscPacket[] = [];
  let p = start + 16;
  while (p < end) {
    if (end - p < 4) throw new Refusal('element-past-end', `element size at byte ${p} is cut off`);
    const size = ctx.view.getInt32(p);
    p += 4;
    if (size <= 0 || size % 4 !== 0) throw new Refusal('bad-element-size', `element size ${size} at byte ${p - 4}`);
    if (size > end - p) throw new Refusal('element-past-end', `element of ${size} bytes at byte ${p} runs past the end (${end - p} left)`);
    elements.push(decodeElement(ctx, p, p + size, depth));
    p += size;
  }
  return { timetag, elements };
}

/** A NUL-terminated, NUL-padded string at `p`; returns the end of its bytes and the padded end. */
function readStringBounds(ctx: Ctx, p: number, end: number, what: string): { nul: number; next: number } {
  const nul = ctx.buf.indexOf(0, p);
  if (nul < 0 || nul >= end) throw new Refusal('truncated-string', `${what} at byte ${p} has no terminating NUL`);
  const next = (nul & ~3) + 4;
  if (next > end) throw new Refusal('truncated-string', `${what} at byte ${p} lacks its padding`);
  if (!ctx.lenient) {
    for (let i = nul + 1; i < next; i++) {
      if (ctx.buf[i] !== 0) throw new Refusal('bad-padding', `${what} at byte ${p}: padding byte ${i} is not NUL`);
    }
  }
  return { nul, next };
}

function decodeMessage(ctx: Ctx, start: number, end: number): OscMessage {
  const { buf, view } = ctx;
  const a = readStringBounds(ctx, start, end, 'address');
  const addrLen = a.nul - start;
  if (addrLen > OSC_MAX_ADDRESS_BYTES) throw new Refusal('address-too-long', `address of ${addrLen} bytes (at most ${OSC_MAX_ADDRESS_BYTES})`);
  if (addrLen === 0) throw new Refusal('bad-address', 'empty address');
  if (buf[start] !== 0x2f /* '/' */ && !ctx.anyAddress) throw new Refusal('bad-address', `address does not start with '/'`);
  let address = '';
  for (let i = start; i < a.nul; i++) {
    const c = buf[i]!;
    // Printable ASCII without the space: OSC 1.0 addresses (the space is not allowed in names).
    if (c <= 0x20 || c >= 0x7f) throw new Refusal('bad-address', `address byte ${i - start} is 0x${c.toString(16)}, not printable ASCII`);
    address += String.fromCharCode(c);
  }
  let p = a.next;
  if (p >= end || buf[p] !== 0x2c /* ',' */) {
    if (ctx.lenient) return { address, args: [] };
    throw new Refusal('missing-type-tags', `message ${address} has no type tag string`);
  }
  const t = readStringBounds(ctx, p, end, 'type tag string');
  const ntags = t.nul - p - 1;
  if (ntags > OSC_MAX_ARGS) throw new Refusal('too-many-arguments', `${ntags} arguments (at most ${OSC_MAX_ARGS})`);
  const tagStart = p + 1;
  p = t.next;
  const args: OscArg[] = [];
  for (let k = 0; k < ntags; k++) {
    const tag = String.fromCharCode(buf[tagStart + k]!);
    switch (tag) {
      case 'i':
      case 'f': {
        if (end - p < 4) throw new Refusal('truncated-argument', `argument ${k} ('${tag}') is cut off`);
        args.push(tag === 'i' ? { type: 'i', value: view.getInt32(p) } : { type: 'f', value: view.getFloat32(p) });
        p += 4;
        break;
      }
      case 'h':
      case 'd': {
        if (end - p < 8) throw new Refusal('truncated-argument', `argument ${k} ('${tag}') is cut off`);
        args.push(tag === 'h' ? { type: 'h', value: view.getBigInt64(p) } : { type: 'd', value: view.getFloat64(p) });
        p += 8;
        break;
      }
      case 's': {
        const s = readStringBounds(ctx, p, end, `argument ${k} ('s')`);
        let value: string;
        try {
          value = utf8.decode(buf.subarray(p, s.nul));
        } catch {
          throw new Refusal('bad-string', `argument ${k} ('s') is not UTF-8`);
        }
        args.push({ type: 's', value });
        p = s.next;
        break;
      }
      case 'b': {
        if (end - p < 4) throw new Refusal('truncated-argument', `argument ${k} ('b'): the blob size is cut off`);
        const size = view.getInt32(p);
        p += 4;
        if (size < 0) throw new Refusal('blob-past-end', `argument ${k} ('b'): negative blob size ${size}`);
        if (size > ctx.maxBlob) throw new Refusal('blob-too-large', `argument ${k} ('b'): blob of ${size} bytes (at most ${ctx.maxBlob})`);
        const padded = (size + 3) & ~3;
        if (padded > end - p) throw new Refusal('blob-past-end', `argument ${k} ('b'): blob of ${size} bytes runs past the end`);
        if (!ctx.lenient) {
          for (let i = p + size; i < p + padded; i++) {
            if (buf[i] !== 0) throw new Refusal('bad-padding', `argument ${k} ('b'): padding byte ${i} is not NUL`);
          }
        }
        args.push({ type: 'b', value: buf.slice(p, p + size) });
        p += padded;
        break;
      }
      case 'T':
      case 'F':
      case 'N':
      case 'I':
        args.push({ type: tag });
        break;
      default:
        throw new Refusal('unknown-type-tag', `argument ${k}: type tag 0x${buf[tagStart + k]!.toString(16)} ('${tag}') is not supported`);
    }
  }
  if (p !== end && !ctx.lenient) throw new Refusal('trailing-bytes', `${end - p} bytes after the last argument of ${address}`);
  return { address, args };
}

// ---------------------------------------------------------------------------------------------
// Encoding

const encoder = new TextEncoder();

function encodeError(message: string): MixhostError {
  return new MixhostError('E_OSC_ENCODE', message);
}

/** UTF-8 bytes of a string argument or address; a NUL inside cannot be sent. */
function stringBytes(s: string, what: string): Uint8Array {
  const b = encoder.encode(s);
  if (b.includes(0)) throw encodeError(`${what} contains a NUL character`);
  return b;
}

const padded = (n: number): number => (n + 4) & ~3; // n bytes + NUL, padded to 4

/** Size in bytes of the encoded message, and its pieces, computed once. */
function planMessage(address: string, args: readonly OscArg[]): { size: number; addr: Uint8Array; strs: (Uint8Array | undefined)[] } {
  const addr = stringBytes(address, 'OSC address');
  if (addr.length > OSC_MAX_ADDRESS_BYTES) throw encodeError(`OSC address of ${addr.length} bytes (at most ${OSC_MAX_ADDRESS_BYTES})`);
  if (args.length > OSC_MAX_ARGS) throw encodeError(`${args.length} OSC arguments (at most ${OSC_MAX_ARGS})`);
  let size = padded(addr.length) + padded(1 + args.length);
  const strs: (Uint8Array | undefined)[] = [];
  for (const a of args) {
    let s: Uint8Array | undefined;
    switch (a.type) {
      case 'i':
        if (!Number.isInteger(a.value) || a.value < -0x80000000 || a.value > 0x7fffffff) throw encodeError(`OSC int ${a.value} is not a 32-bit integer`);
        size += 4;
        break;
      case 'f':
        size += 4;
        break;
      case 'h':
        if (BigInt.asIntN(64, a.value) !== a.value) throw encodeError(`OSC int64 ${a.value} does not fit 64 bits`);
        size += 8;
        break;
      case 'd':
        size += 8;
        break;
      case 's':
        s = stringBytes(a.value, 'OSC string argument');
        size += padded(s.length);
        break;
      case 'b':
        size += 4 + ((a.value.length + 3) & ~3);
        break;
      case 'T':
      case 'F':
      case 'N':
      case 'I':
        break;
      default:
        throw encodeError(`unknown OSC type tag '${(a as { type: string }).type}'`);
    }
    strs.push(s);
  }
  return { size, addr, strs };
}

/** A message: address (any string, at most 256 bytes) and arguments. */
export function encodeMessage(address: string, args: readonly OscArg[] = []): Uint8Array {
  const plan = planMessage(address, args);
  const out = new Uint8Array(plan.size);
  writeMessage(out, 0, plan, args);
  return out;
}

function writeMessage(out: Uint8Array, at: number, plan: ReturnType<typeof planMessage>, args: readonly OscArg[]): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set(plan.addr, at);
  let p = at + padded(plan.addr.length);
  out[p] = 0x2c;
  for (let k = 0; k < args.length; k++) out[p + 1 + k] = args[k]!.type.charCodeAt(0);
  p += padded(1 + args.length);
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    switch (a.type) {
      case 'i':
        view.setInt32(p, a.value);
        p += 4;
        break;
      case 'f':
        view.setFloat32(p, a.value);
        p += 4;
        break;
      case 'h':
        view.setBigInt64(p, a.value);
        p += 8;
        break;
      case 'd':
        view.setFloat64(p, a.value);
        p += 8;
        break;
      case 's': {
        const s = plan.strs[k]!;
        out.set(s, p);
        p += padded(s.length);
        break;
      }
      case 'b':
        view.setInt32(p, a.value.length);
        out.set(a.value, p + 4);
        p += 4 + ((a.value.length + 3) & ~3);
        break;
      default:
        break;
    }
  }
}

/**
 * A bundle. Elements are packets, or datagrams already encoded (each must be a whole OSC
 * packet, a multiple of 4 bytes long; a meter blob message built once and sent in many bundles).
 */
export function encodeBundle(timetag: bigint, elements: readonly (OscPacket | Uint8Array)[]): Uint8Array {
  if (timetag < 0n || timetag > 0xffffffffffffffffn) throw encodeError(`OSC time tag ${timetag} does not fit 64 bits`);
  const parts = elements.map((e) => (e instanceof Uint8Array ? e : encodePacket(e)));
  let size = 16;
  for (const p of parts) {
    if (p.length === 0 || p.length % 4 !== 0) throw encodeError(`OSC bundle element of ${p.length} bytes is not a whole packet`);
    size += 4 + p.length;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(BUNDLE_HEADER, 0);
  view.setBigUint64(8, timetag);
  let at = 16;
  for (const p of parts) {
    view.setInt32(at, p.length);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
}

export function encodePacket(p: OscPacket): Uint8Array {
  return isBundle(p) ? encodeBundle(p.timetag, p.elements) : encodeMessage(p.address, p.args);
}
