/**
 * The OSC byte layer: exact bytes for every argument type, padding and bundle nesting, the X32
 * reference example, every malformed form refused with its reason, and a seeded fuzz.
 */
import { describe, expect, it } from 'vitest';
import {
  decodePacket,
  encodeBundle,
  encodeMessage,
  encodePacket,
  isBundle,
  messagesOf,
  OSC_IMMEDIATELY,
  type OscArg,
  type OscBundle,
  type OscDecodeOptions,
  type OscDecodeReason,
  type OscMessage,
  type OscPacket,
} from '../../src/osc/codec.js';
import { MixhostError } from '../../src/model/errors.js';
import { mulberry32 as prng } from '../helpers/random.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** ASCII text, with '~' for NUL (as the X32 documentation writes it). */
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/~/g, '\0'), 'latin1'));
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const int32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v);
  return b;
};

function decoded(buf: Uint8Array, opts?: OscDecodeOptions): OscPacket {
  const r = decodePacket(buf, opts);
  if (!r.ok) throw new Error(`refused: ${r.reason}: ${r.detail}`);
  return r.packet;
}

function refusal(buf: Uint8Array, opts?: OscDecodeOptions): OscDecodeReason | 'accepted' {
  const r = decodePacket(buf, opts);
  return r.ok ? 'accepted' : r.reason;
}

describe('X32 reference bytes', () => {
  const FADER = '2f63682f30312f6d69782f6661646572000000002c6600003f5334cd';

  it('decodes /ch/01/mix/fader ,f 0.8250 and re-encodes it byte for byte', () => {
    const p = decoded(hex(FADER)) as OscMessage;
    expect(p.address).toBe('/ch/01/mix/fader');
    // 0x3f5334cd is step 844 of the 1024-value table (k/1023), which the documentation prints as 0.8250.
    expect(p.args).toEqual([{ type: 'f', value: Math.fround(844 / 1023) }]);
    expect((p.args[0] as { value: number }).value.toFixed(4)).toBe('0.8250');
    expect(toHex(encodeMessage(p.address, p.args))).toBe(FADER);
    expect(toHex(encodeMessage('/ch/01/mix/fader', [{ type: 'f', value: 844 / 1023 }]))).toBe(FADER);
    // A plain 0.825 is another float (0x3f533333): the encoder rounds, it does not snap to steps.
    expect(toHex(encodeMessage('/ch/01/mix/fader', [{ type: 'f', value: 0.825 }])).slice(-8)).toBe('3f533333');
  });

  it('a query: OSC 1.0 form with an empty type tag string (24 bytes), and the 20-byte old form leniently', () => {
    const q = encodeMessage('/ch/01/mix/fader');
    expect(toHex(q)).toBe('2f63682f30312f6d69782f666164657200000000' + '2c000000');
    expect(decoded(q)).toEqual({ address: '/ch/01/mix/fader', args: [] });
    const old = ascii('/ch/01/mix/fader~~~~');
    expect(old.length).toBe(20);
    expect(refusal(old)).toBe('missing-type-tags');
    expect(decoded(old, { lenient: true })).toEqual({ address: '/ch/01/mix/fader', args: [] });
    expect(decoded(ascii('/info~~~'), { lenient: true })).toEqual({ address: '/info', args: [] });
    expect(decoded(ascii('/info~~~,~~~'))).toEqual({ address: '/info', args: [] });
  });

  it('encodes the `node` reply address as given (no slash); decoding it needs anyAddress', () => {
    const b = encodeMessage('node', [{ type: 's', value: '/ch/01/config "" 0 OFF 0\n' }]);
    expect(toHex(b.subarray(0, 12))).toBe(toHex(ascii('node~~~~,s~~')));
    expect(b.length).toBe(12 + 28);
    expect(refusal(b)).toBe('bad-address');
    expect(decoded(b, { anyAddress: true })).toEqual({ address: 'node', args: [{ type: 's', value: '/ch/01/config "" 0 OFF 0\n' }] });
  });
});

describe('padding and argument bytes', () => {
  it.each([
    ['abc', 'abc~'],
    ['abcd', 'abcd~~~~'],
    ['abcdefg', 'abcdefg~'],
    ['abcdefgh', 'abcdefgh~~~~'],
    ['', '~~~~'],
  ])('string %j is NUL-terminated and padded to 4', (s, padded) => {
    const b = encodeMessage('/s', [{ type: 's', value: s }]);
    expect(toHex(b)).toBe(toHex(ascii('/s~~,s~~' + padded)));
    expect(decoded(b)).toEqual({ address: '/s', args: [{ type: 's', value: s }] });
  });

  it.each([
    ['/ab', '/ab~'],
    ['/abc', '/abc~~~~'],
    ['/abcdef', '/abcdef~'],
    ['/abcdefg', '/abcdefg~~~~'],
  ])('address %j is padded the same way', (a, padded) => {
    expect(toHex(encodeMessage(a))).toBe(toHex(ascii(padded + ',~~~')));
  });

  it.each([
    [0, '00000000'],
    [1, '00000001 01000000'],
    [2, '00000002 01020000'],
    [3, '00000003 01020300'],
    [4, '00000004 01020304'],
    [5, '00000005 01020304 05000000'],
  ])('blob of %i bytes: big-endian size, data, NUL padding', (n, body) => {
    const value = Uint8Array.from({ length: n }, (_, i) => i + 1);
    const b = encodeMessage('/b', [{ type: 'b', value }]);
    expect(toHex(b)).toBe(toHex(ascii('/b~~,b~~')) + body.replace(/ /g, ''));
    expect(decoded(b)).toEqual({ address: '/b', args: [{ type: 'b', value }] });
  });

  it('every type: i f s b h d T F N I, exact bytes both ways', () => {
    const args: OscArg[] = [
      { type: 'i', value: -1 },
      { type: 'f', value: -0.5 },
      { type: 's', value: 'é' },
      { type: 'b', value: Uint8Array.of(0xff) },
      { type: 'h', value: -2n },
      { type: 'd', value: 1.5 },
      { type: 'T' },
      { type: 'F' },
      { type: 'N' },
      { type: 'I' },
    ];
    const expected =
      toHex(ascii('/t~~,ifsbhdTFNI~')) +
      'ffffffff' + 'bf000000' + 'c3a90000' + '00000001ff000000' + 'fffffffffffffffe' + '3ff8000000000000';
    const b = encodeMessage('/t', args);
    expect(toHex(b)).toBe(expected);
    expect(decoded(b)).toEqual({ address: '/t', args });
  });

  it('int32 limits, -0 and non-finite floats survive', () => {
    const args: OscArg[] = [
      { type: 'i', value: 2147483647 },
      { type: 'i', value: -2147483648 },
      { type: 'f', value: -0 },
      { type: 'f', value: Infinity },
      { type: 'd', value: -Infinity },
      { type: 'h', value: -(2n ** 63n) },
    ];
    const b = encodeMessage('/x', args);
    expect(toHex(b.subarray(12))).toBe('7fffffff' + '80000000' + '80000000' + '7f800000' + 'fff0000000000000' + '8000000000000000');
    const back = (decoded(b) as OscMessage).args;
    expect(Object.is((back[2] as { value: number }).value, -0)).toBe(true);
    expect(back).toEqual(args);
  });
});

describe('bundles', () => {
  const NESTED =
    '2362756e646c6500 0000000000000001' +
    '0000000c 2f610000 2c690000 00000001' +
    '0000001c 2362756e646c6500 0000000000000002 00000008 2f620000 2c000000';

  it('a nested bundle, exact bytes both ways', () => {
    const p: OscBundle = {
      timetag: OSC_IMMEDIATELY,
      elements: [
        { address: '/a', args: [{ type: 'i', value: 1 }] },
        { timetag: 2n, elements: [{ address: '/b', args: [] }] },
      ],
    };
    const b = encodePacket(p);
    expect(toHex(b)).toBe(NESTED.replace(/ /g, ''));
    expect(b.length).toBe(64);
    const back = decoded(b);
    expect(back).toEqual(p);
    expect(isBundle(back)).toBe(true);
    expect(messagesOf(back).map((m) => m.address)).toEqual(['/a', '/b']);
  });

  it('an empty bundle, the full 64-bit time tag, and pre-encoded elements', () => {
    expect(toHex(encodeBundle(0xfedcba9876543210n, []))).toBe('2362756e646c6500fedcba9876543210');
    expect(decoded(hex('2362756e646c6500fedcba9876543210'))).toEqual({ timetag: 0xfedcba9876543210n, elements: [] });
    const m = encodeMessage('/a', [{ type: 'i', value: 1 }]);
    expect(encodeBundle(1n, [m])).toEqual(encodeBundle(1n, [{ address: '/a', args: [{ type: 'i', value: 1 }] }]));
  });

  const nest = (depth: number): Uint8Array => {
    let b = encodeMessage('/x');
    for (let d = 0; d < depth; d++) b = encodeBundle(1n, [b]);
    return b;
  };

  it('nesting: 8 levels accepted, 9 refused; maxDepth lowers it', () => {
    expect(refusal(nest(8))).toBe('accepted');
    expect(refusal(nest(9))).toBe('bundle-too-deep');
    expect(refusal(nest(2), { maxDepth: 2 })).toBe('accepted');
    expect(refusal(nest(3), { maxDepth: 2 })).toBe('bundle-too-deep');
    expect(refusal(nest(1), { maxDepth: 0 })).toBe('bundle-too-deep');
    expect(refusal(nest(3000))).toBe('bundle-too-deep');
  });
});

describe('malformed datagrams are refused with their reason', () => {
  const head = '2362756e646c6500 0000000000000001';
  const cases: [string, Uint8Array, OscDecodeReason, OscDecodeOptions?][] = [
    ['empty', new Uint8Array(0), 'empty'],
    ['3 bytes', ascii('/a~'), 'misaligned'],
    ['a valid message plus 2 bytes', cat(encodeMessage('/a'), ascii('~~')), 'misaligned'],
    ['address without NUL', ascii('/abc'), 'truncated-string'],
    ['string argument without NUL', ascii('/a~~,s~~abcd'), 'truncated-string'],
    ['type tags without NUL', ascii('/a~~,iii'), 'truncated-string'],
    ['non-NUL address padding', ascii('/a~x,~~~'), 'bad-padding'],
    ['non-NUL string padding', ascii('/a~~,s~~a~~x'), 'bad-padding'],
    ['non-NUL blob padding', cat(ascii('/a~~,b~~'), int32(1), hex('01000100')), 'bad-padding'],
    ['invalid UTF-8 in a string', cat(ascii('/a~~,s~~'), hex('ff000000')), 'bad-string'],
    ['address without /', ascii('ab~~,~~~'), 'bad-address'],
    ['empty address', ascii('~~~~,~~~'), 'bad-address'],
    ['space in the address', ascii('/a b~~~~,~~~'), 'bad-address'],
    ['control byte in the address', cat(ascii('/a'), hex('0100'), ascii(',~~~')), 'bad-address'],
    ['257-byte address', encodeMessageUnchecked('/' + 'a'.repeat(256)), 'address-too-long'],
    ['no type tag string (strict)', ascii('/info~~~'), 'missing-type-tags'],
    ['something else than a type tag string', ascii('/a~~x~~~'), 'missing-type-tags'],
    ['unknown type tag x', cat(ascii('/a~~,x~~'), int32(0)), 'unknown-type-tag'],
    ['array tag [', ascii('/a~~,[]~'), 'unknown-type-tag'],
    ['char tag c (OSC 1.0 optional)', cat(ascii('/a~~,c~~'), int32(65)), 'unknown-type-tag'],
    ['65 arguments', ascii('/a~~,' + 'T'.repeat(65) + '~~'), 'too-many-arguments'],
    ['int without data', ascii('/a~~,i~~'), 'truncated-argument'],
    ['second float cut off', cat(ascii('/a~~,ff~'), int32(0)), 'truncated-argument'],
    ['double with 4 bytes', cat(ascii('/a~~,d~~'), int32(0)), 'truncated-argument'],
    ['blob without its size', ascii('/a~~,b~~'), 'truncated-argument'],
    ['blob of 64 KiB + 1', cat(ascii('/a~~,b~~'), int32(65537), new Uint8Array(65540)), 'blob-too-large'],
    ['huge blob size', cat(ascii('/a~~,b~~'), int32(0x7fffffff)), 'blob-too-large'],
    ['blob of 9 with maxBlob 8', cat(ascii('/a~~,b~~'), int32(9), new Uint8Array(12)), 'blob-too-large', { maxBlob: 8 }],
    ['blob past the end', cat(ascii('/a~~,b~~'), int32(8), int32(0)), 'blob-past-end'],
    ['negative blob size', cat(ascii('/a~~,b~~'), int32(-4)), 'blob-past-end'],
    ['bytes after the last argument', cat(ascii('/a~~,i~~'), int32(1), int32(2)), 'trailing-bytes'],
    ['#bundlX', hex('2362756e646c5800 0000000000000001'), 'bad-bundle-header'],
    ['#bun', ascii('#bun'), 'bad-bundle-header'],
    ['bundle header without time tag', hex('2362756e646c6500 00000000'), 'bad-bundle-header'],
    ['element size 0', hex(head + '00000000'), 'bad-element-size'],
    ['element size 5', cat(hex(head + '00000005'), encodeMessage('/a')), 'bad-element-size'],
    ['element size -8', cat(hex(head + 'fffffff8'), encodeMessage('/a')), 'bad-element-size'],
    ['element past the end', cat(hex(head + '00000064'), encodeMessage('/a')), 'element-past-end'],
    ['element that is a bad message', cat(hex(head + '00000008'), ascii('ab~~,~~~')), 'bad-address'],
    ['element with trailing bytes', cat(hex(head + '0000000c'), encodeMessage('/a'), int32(0)), 'trailing-bytes'],
  ];

  it.each(cases)('%s', (_name, buf, reason, opts) => {
    const r = decodePacket(buf, opts);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      expect(r.detail.length).toBeGreaterThan(5);
    }
  });

  it('the limits themselves are accepted: 256-byte address, 64 arguments, a 64 KiB blob', () => {
    expect(refusal(encodeMessage('/' + 'a'.repeat(255)))).toBe('accepted');
    expect((decoded(encodeMessage('/a', Array.from({ length: 64 }, () => ({ type: 'N' as const })))) as OscMessage).args.length).toBe(64);
    const big = decoded(encodeMessage('/a', [{ type: 'b', value: new Uint8Array(65536).fill(7) }])) as OscMessage;
    expect((big.args[0] as { value: Uint8Array }).value.length).toBe(65536);
  });

  it('lenient mode: no type tags means no arguments, padding and trailing bytes are not checked', () => {
    expect(decoded(ascii('/a~x,~~~'), { lenient: true })).toEqual({ address: '/a', args: [] });
    expect(decoded(cat(ascii('/a~~,i~~'), int32(1), int32(2)), { lenient: true })).toEqual({ address: '/a', args: [{ type: 'i', value: 1 }] });
    expect(decoded(ascii('/a~~x~~~'), { lenient: true })).toEqual({ address: '/a', args: [] });
    // The rest still holds when lenient.
    expect(refusal(ascii('/a~'), { lenient: true })).toBe('misaligned');
    expect(refusal(ascii('/a~~,i~~'), { lenient: true })).toBe('truncated-argument');
    expect(refusal(cat(ascii('/a~~,x~~'), int32(0)), { lenient: true })).toBe('unknown-type-tag');
  });

  it('a decoded blob is a copy, not a view of the datagram', () => {
    const buf = encodeMessage('/b', [{ type: 'b', value: Uint8Array.of(1, 2, 3, 4) }]);
    const blob = ((decoded(buf) as OscMessage).args[0] as { value: Uint8Array }).value;
    buf.fill(0);
    expect([...blob]).toEqual([1, 2, 3, 4]);
  });

  it('decodes from a Buffer that is a slice of a larger pool', () => {
    const pool = Buffer.alloc(64, 0xaa);
    const msg = encodeMessage('/a', [{ type: 'i', value: 7 }]);
    pool.set(msg, 4);
    expect(decoded(pool.subarray(4, 4 + msg.length))).toEqual({ address: '/a', args: [{ type: 'i', value: 7 }] });
  });
});

describe('encoding refuses what cannot be represented', () => {
  it.each([
    ['NUL in a string', () => encodeMessage('/a', [{ type: 's', value: 'a\0b' }])],
    ['NUL in the address', () => encodeMessage('/a\0b')],
    ['257-byte address', () => encodeMessage('/' + 'a'.repeat(256))],
    ['65 arguments', () => encodeMessage('/a', Array.from({ length: 65 }, () => ({ type: 'T' as const })))],
    ['int 2^31', () => encodeMessage('/a', [{ type: 'i', value: 2 ** 31 }])],
    ['int 1.5', () => encodeMessage('/a', [{ type: 'i', value: 1.5 }])],
    ['int64 2^63', () => encodeMessage('/a', [{ type: 'h', value: 2n ** 63n }])],
    ['time tag -1', () => encodeBundle(-1n, [])],
    ['a 3-byte bundle element', () => encodeBundle(1n, [Uint8Array.of(1, 2, 3)])],
  ])('%s', (_name, f) => {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MixhostError);
    expect((err as MixhostError).code).toBe('E_OSC_ENCODE');
  });
});

/** The bytes of a message whose address is longer than the encoder allows. */
function encodeMessageUnchecked(address: string): Uint8Array {
  const a = ascii(address);
  const out = new Uint8Array(((a.length + 4) & ~3) + 4);
  out.set(a);
  out[out.length - 4] = 0x2c;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Seeded fuzz


function randomPacket(r: () => number, depth = 0): OscPacket {
  const int = (n: number): number => Math.floor(r() * n);
  if (depth < 3 && r() < 0.15) {
    const elements = Array.from({ length: int(4) }, () => randomPacket(r, depth + 1));
    return { timetag: BigInt(int(2 ** 32)) * 2n ** 32n + BigInt(int(2 ** 32)), elements };
  }
  const chars = 'abcxyz0123456789_-.*?[]{},!';
  const address = '/' + Array.from({ length: 1 + int(40) }, () => (r() < 0.15 ? '/' : chars[int(chars.length)])).join('');
  const args: OscArg[] = [];
  const n = r() < 0.05 ? 64 : int(6);
  for (let k = 0; k < n; k++) args.push(randomArg(r));
  return { address, args };
}

function randomArg(r: () => number): OscArg {
  const int = (n: number): number => Math.floor(r() * n);
  const specials = [NaN, Infinity, -Infinity, -0, 0, 1e-45, 3.4028234663852886e38];
  switch (int(10)) {
    case 0:
      return { type: 'i', value: (int(2 ** 32) | 0) };
    case 1:
      return { type: 'f', value: Math.fround(r() < 0.1 ? specials[int(specials.length)]! : (r() - 0.5) * 10 ** int(12)) };
    case 2: {
      // Code points without NUL and without lone surrogates (which UTF-8 cannot carry).
      const cp = (): number => (r() < 0.7 ? 1 + int(0x7f) : r() < 0.5 ? 0x80 + int(0xd800 - 0x80) : 0x10000 + int(0x100000));
      return { type: 's', value: String.fromCodePoint(...Array.from({ length: int(12) }, cp)) };
    }
    case 3:
      return { type: 'b', value: Uint8Array.from({ length: int(r() < 0.02 ? 3000 : 9) }, () => int(256)) };
    case 4:
      return { type: 'h', value: BigInt.asIntN(64, BigInt(int(2 ** 32)) * 2n ** 32n + BigInt(int(2 ** 32))) };
    case 5:
      return { type: 'd', value: r() < 0.1 ? specials[int(specials.length)]! : (r() - 0.5) * 10 ** int(300) };
    default:
      return { type: (['T', 'F', 'N', 'I'] as const)[int(4)]! };
  }
}

/** Structural equality; numbers by Object.is (NaN equals NaN, -0 differs from 0). */
function same(a: OscPacket, b: OscPacket): boolean {
  if (isBundle(a) || isBundle(b)) {
    if (!isBundle(a) || !isBundle(b) || a.timetag !== b.timetag || a.elements.length !== b.elements.length) return false;
    return a.elements.every((e, i) => same(e, b.elements[i]!));
  }
  if (a.address !== b.address || a.args.length !== b.args.length) return false;
  return a.args.every((x, i) => {
    const y = b.args[i]!;
    if (x.type !== y.type) return false;
    if (!('value' in x) || !('value' in y)) return true;
    if (x.value instanceof Uint8Array) return y.value instanceof Uint8Array && Buffer.compare(x.value, y.value) === 0;
    return Object.is(x.value, y.value);
  });
}

function hasNaN(p: OscPacket): boolean {
  return messagesOf(p).some((m) => m.args.some((a) => (a.type === 'f' || a.type === 'd') && Number.isNaN(a.value)));
}

function mutate(r: () => number, src: Uint8Array): Uint8Array {
  const int = (n: number): number => Math.floor(r() * n);
  const b = Array.from(src);
  const edits = 1 + int(3);
  for (let e = 0; e < edits; e++) {
    const at = int(b.length + 1);
    switch (int(6)) {
      case 0:
        if (b.length) b[Math.min(at, b.length - 1)] = int(256);
        break;
      case 1:
        b.length = at; // truncate
        break;
      case 2:
        b.splice(at, 0, ...Array.from({ length: 1 + int(8) }, () => int(256)));
        break;
      case 3:
        b.splice(at, 1 + int(8));
        break;
      case 4: // a plausible size field somewhere
        b.splice(at - (at % 4), 4, ...Array.from(int32([0, 4, 8, 12, -4, 0x7fffffff, 65537][int(7)]!)));
        break;
      default: // a type tag byte from the interesting set
        if (b.length) b[Math.min(at, b.length - 1)] = ',ifsbhdTFNI#/[c\0'.charCodeAt(int(16));
    }
  }
  return Uint8Array.from(b);
}

describe('seeded fuzz', () => {
  it('1e5 datagrams: random packets round-trip exactly; random and mutated bytes never throw, and what strict mode accepts re-encodes to the same bytes', () => {
    const r = prng(0x05c0de);
    const reasons = new Map<string, number>();
    let roundTrips = 0;
    let accepted = 0;
    let canonical = 0;
    let nanOnly = 0;
    const failures: string[] = [];
    for (let i = 0; i < 100_000 && failures.length < 5; i++) {
      const kind = i % 3;
      let buf: Uint8Array;
      if (kind === 0) {
        const p = randomPacket(r);
        buf = encodePacket(p);
        const back = decodePacket(buf);
        if (!back.ok || !same(back.packet, p)) failures.push(`round trip of ${toHex(buf)}: ${back.ok ? 'differs' : back.reason}`);
        else roundTrips++;
        continue;
      }
      if (kind === 1) buf = mutate(r, encodePacket(randomPacket(r)));
      else buf = Uint8Array.from({ length: 4 * Math.floor(r() * 24) + (r() < 0.2 ? Math.floor(r() * 4) : 0) }, () => Math.floor(r() * 256));
      const opts: OscDecodeOptions = r() < 0.5 ? {} : { lenient: true };
      let res: ReturnType<typeof decodePacket>;
      try {
        res = decodePacket(buf, opts);
      } catch (e) {
        failures.push(`threw on ${toHex(buf)}: ${String(e)}`);
        continue;
      }
      if (!res.ok) {
        reasons.set(res.reason, (reasons.get(res.reason) ?? 0) + 1);
        continue;
      }
      accepted++;
      if (opts.lenient) continue;
      const again = encodePacket(res.packet);
      if (Buffer.compare(again, buf) === 0) canonical++;
      else if (hasNaN(res.packet)) nanOnly++; // a signalling NaN may come back quiet
      else failures.push(`strict decode of ${toHex(buf)} re-encodes differently: ${toHex(again)}`);
    }
    expect(failures).toEqual([]);
    expect(roundTrips).toBe(33_334);
    // The mutations reach both sides and most of the refusal reasons.
    expect(accepted).toBeGreaterThan(1000);
    expect(canonical + nanOnly).toBeGreaterThan(500);
    expect(nanOnly).toBeLessThan(canonical / 10);
    const seen = [...reasons.keys()].sort();
    for (const r of ['misaligned', 'truncated-string', 'bad-padding', 'bad-address', 'unknown-type-tag', 'truncated-argument', 'blob-past-end', 'trailing-bytes', 'missing-type-tags', 'bad-element-size', 'element-past-end', 'bad-bundle-header', 'blob-too-large', 'bad-string']) {
      expect(seen).toContain(r);
    }
  });
});
