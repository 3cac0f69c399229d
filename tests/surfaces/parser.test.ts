/**
 * The MIDI byte parser and encoder, byte for byte: running status as Mackie devices send it,
 * real-time bytes anywhere, SysEx split, cut and oversized, stray and System Common bytes, and a
 * seeded fuzz checked against a reference parser written here from the rules (a segment-based
 * reading of the whole stream, not a state machine), fed in random chunks.
 */
import { describe, expect, it } from 'vitest';
import { encodeMidi, hex } from '../../src/surfaces/midi/encode.js';
import { MAX_SYSEX, MidiParser } from '../../src/surfaces/midi/parser.js';
import type { MidiMessage } from '../../src/surfaces/types.js';
import { mulberry32 as prng } from '../helpers/random.js';

function parser(): { p: MidiParser; out: MidiMessage[] } {
  const out: MidiMessage[] = [];
  return { p: new MidiParser((m) => out.push(m)), out };
}

/** Parse the chunks in order; messages and counters. */
function parse(...chunks: number[][]): { out: MidiMessage[]; received: number; dropped: number } {
  const { p, out } = parser();
  for (const c of chunks) p.push(c);
  return { out, received: p.received, dropped: p.dropped };
}

const cc = (channel: number, controller: number, value: number): MidiMessage => ({ type: 'cc', channel, controller, value });
const on = (channel: number, note: number, velocity: number): MidiMessage => ({ type: 'noteon', channel, note, velocity });
const off = (channel: number, note: number, velocity: number): MidiMessage => ({ type: 'noteoff', channel, note, velocity });

describe('running status', () => {
  it('reads the Mackie jog capture B0 3C 01 3C 01 3C 41 as three CCs', () => {
    const r = parse([0xb0, 0x3c, 0x01, 0x3c, 0x01, 0x3c, 0x41]);
    expect(r.out).toEqual([cc(0, 0x3c, 1), cc(0, 0x3c, 1), cc(0, 0x3c, 0x41)]);
    expect([r.received, r.dropped]).toEqual([3, 0]);
  });

  it('reads the V-Select press and release 90 22 7F 22 00 as note-on then note-off', () => {
    const r = parse([0x90, 0x22, 0x7f, 0x22, 0x00]);
    expect(r.out).toEqual([on(0, 0x22, 127), off(0, 0x22, 0)]);
    expect([r.received, r.dropped]).toEqual([2, 0]);
  });

  it('keeps running status across chunks, whatever the split', () => {
    const stream = [0xb0, 0x10, 0x01, 0x10, 0x41, 0x17, 0x47];
    const expected = [cc(0, 0x10, 1), cc(0, 0x10, 0x41), cc(0, 0x17, 0x47)];
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b++) {
        const r = parse(stream.slice(0, a), stream.slice(a, b), stream.slice(b));
        expect(r.out, `split at ${a}/${b}`).toEqual(expected);
        expect(r.dropped).toBe(0);
      }
    }
    // One byte per chunk as well.
    expect(parse(...stream.map((x) => [x])).out).toEqual(expected);
  });

  it('switches running status between message types and channels', () => {
    const r = parse([0xb0, 0x3c, 0x01, 0x3c, 0x41, 0x90, 0x22, 0x7f, 0x22, 0x00, 0xe3, 0x00, 0x40, 0x7f, 0x7f, 0xd0, 0x0c, 0x1e, 0xb0, 0x12, 0x44]);
    expect(r.out).toEqual([
      cc(0, 0x3c, 1),
      cc(0, 0x3c, 0x41),
      on(0, 0x22, 127),
      off(0, 0x22, 0),
      { type: 'pitch', channel: 3, value: 8192 },
      { type: 'pitch', channel: 3, value: 16383 },
      { type: 'chanpressure', channel: 0, value: 0x0c },
      { type: 'chanpressure', channel: 0, value: 0x1e },
      cc(0, 0x12, 0x44),
    ]);
    expect(r.dropped).toBe(0);
  });

  it('applies running status to one-byte messages (program change, channel pressure)', () => {
    expect(parse([0xc5, 0x01, 0x02, 0x03]).out).toEqual([
      { type: 'program', channel: 5, number: 1 },
      { type: 'program', channel: 5, number: 2 },
      { type: 'program', channel: 5, number: 3 },
    ]);
  });
});

describe('real-time bytes', () => {
  it('skips F8 and FE inside a message and keeps running status through them', () => {
    const r = parse([0x90, 0xf8, 0x22, 0xfe, 0x7f, 0xf8, 0x22, 0xfa, 0xfc, 0x00]);
    expect(r.out).toEqual([on(0, 0x22, 127), off(0, 0x22, 0)]);
    expect([r.received, r.dropped]).toEqual([2, 0]);
  });

  it('skips every real-time byte F8..FF (FF included) on its own', () => {
    const r = parse([0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff]);
    expect([r.out.length, r.received, r.dropped]).toEqual([0, 0, 0]);
  });

  it('skips real-time bytes inside a SysEx without breaking it', () => {
    const r = parse([0xf0, 0x00, 0xf8, 0x00, 0x66, 0xfe, 0x14, 0x01, 0xf8, 0xf7]);
    expect(r.out).toEqual([{ type: 'sysex', bytes: [0xf0, 0x00, 0x00, 0x66, 0x14, 0x01, 0xf7] }]);
    expect(r.dropped).toBe(0);
  });
});

describe('SysEx', () => {
  // The MCU boot message REAPER documents: F0 00 00 66 14 01 <serial 7> <challenge 4> F7.
  const boot = [0xf0, 0x00, 0x00, 0x66, 0x14, 0x01, 0x58, 0x59, 0x5a, 0x57, 0x18, 0x61, 0x05, 0x57, 0x18, 0x61, 0x05, 0xf7];

  it('assembles a SysEx split over chunks at every position', () => {
    for (let a = 0; a <= boot.length; a++) {
      const r = parse(boot.slice(0, a), boot.slice(a));
      expect(r.out, `split at ${a}`).toEqual([{ type: 'sysex', bytes: boot }]);
      expect(r.dropped).toBe(0);
    }
    expect(parse(...boot.map((b) => [b])).out).toEqual([{ type: 'sysex', bytes: boot }]);
  });

  it('delivers the empty SysEx F0 F7 and cancels running status', () => {
    const r = parse([0x90, 0x22, 0x7f, 0xf0, 0xf7, 0x22, 0x00]);
    expect(r.out).toEqual([on(0, 0x22, 127), { type: 'sysex', bytes: [0xf0, 0xf7] }]);
    expect(r.dropped).toBe(2); // 22 00 after the SysEx have no status
  });

  it('drops a SysEx cut by a status byte, counts it once, and parses the new message', () => {
    const r = parse([0xf0, 0x00, 0x00, 0x66], [0x14, 0x90, 0x22, 0x7f]);
    expect(r.out).toEqual([on(0, 0x22, 127)]);
    expect([r.received, r.dropped]).toEqual([1, 1]);
  });

  it('drops a SysEx cut by another F0 and keeps the second one', () => {
    const r = parse([0xf0, 0x01, 0x02, 0xf0, 0x03, 0xf7]);
    expect(r.out).toEqual([{ type: 'sysex', bytes: [0xf0, 0x03, 0xf7] }]);
    expect(r.dropped).toBe(1);
  });

  it(`accepts a SysEx of exactly MAX_SYSEX (${MAX_SYSEX}) bytes and drops one byte longer`, () => {
    const exact = [0xf0, ...new Array<number>(MAX_SYSEX - 2).fill(0x11), 0xf7];
    const r1 = parse(exact);
    expect(r1.out).toHaveLength(1);
    expect((r1.out[0] as { readonly bytes: readonly number[] }).bytes).toEqual(exact);
    expect(r1.dropped).toBe(0);
    const over = [0xf0, ...new Array<number>(MAX_SYSEX - 1).fill(0x11), 0xf7];
    const r2 = parse(over);
    expect([r2.received, r2.dropped]).toEqual([0, 1]);
  });

  it('drops an oversized SysEx split over chunks and recovers with the next message', () => {
    const { p, out } = parser();
    p.push([0xf0, 0x00, 0x00, 0x66]);
    for (let i = 0; i < 10; i++) p.push(new Array<number>(1000).fill(0x20));
    p.push([0xf7, 0xb0, 0x3c, 0x01, 0x3c, 0x41]);
    p.push([0xf0, 0x01, 0xf7]);
    expect(out).toEqual([cc(0, 0x3c, 1), cc(0, 0x3c, 0x41), { type: 'sysex', bytes: [0xf0, 0x01, 0xf7] }]);
    expect([p.received, p.dropped]).toEqual([3, 1]);
  });

  it('counts an oversized SysEx cut by a status byte once', () => {
    const r = parse([0xf0, ...new Array<number>(MAX_SYSEX + 10).fill(0x01), 0x90, 0x10, 0x7f]);
    expect(r.out).toEqual([on(0, 0x10, 127)]);
    expect(r.dropped).toBe(1);
  });
});

describe('garbage and System Common', () => {
  it('drops data bytes with no status, one count each', () => {
    const r = parse([0x10, 0x20, 0x30, 0x90, 0x10, 0x7f]);
    expect(r.out).toEqual([on(0, 0x10, 127)]);
    expect(r.dropped).toBe(3);
  });

  it('drops stray F4, F5 and F7, each cancelling running status', () => {
    expect(parse([0xf4]).dropped).toBe(1);
    expect(parse([0xf5]).dropped).toBe(1);
    expect(parse([0xf7]).dropped).toBe(1);
    const r = parse([0x90, 0x22, 0x7f, 0xf4, 0x22, 0x00, 0xf5, 0xf7, 0x90, 0x23, 0x7f]);
    expect(r.out).toEqual([on(0, 0x22, 127), on(0, 0x23, 127)]);
    expect(r.dropped).toBe(1 + 2 + 1 + 1); // F4, its two orphans, F5, F7
  });

  it('swallows the data of F1 (1 byte), F2 (2 bytes), F3 (1 byte) and cancels running status', () => {
    const f1 = parse([0x90, 0x22, 0x7f, 0xf1, 0x05, 0x22, 0x00]);
    expect(f1.out).toEqual([on(0, 0x22, 127)]);
    expect(f1.dropped).toBe(2);
    const f2 = parse([0x90, 0x22, 0x7f, 0xf2, 0x01, 0x02, 0x22, 0x00]);
    expect(f2.out).toEqual([on(0, 0x22, 127)]);
    expect(f2.dropped).toBe(2);
    const f3 = parse([0xb0, 0x10, 0x01, 0xf3, 0x07, 0x10, 0x02]);
    expect(f3.out).toEqual([cc(0, 0x10, 1)]);
    expect(f3.dropped).toBe(2);
  });

  it('takes F6 (tune request) as a whole message: not delivered, not dropped, running status gone', () => {
    const r = parse([0xb0, 0x10, 0x01, 0xf6, 0x10, 0x02]);
    expect(r.out).toEqual([cc(0, 0x10, 1)]);
    expect(r.dropped).toBe(2);
  });

  it('counts a System Common message cut short by a status byte', () => {
    const r = parse([0xf2, 0x01, 0x90, 0x10, 0x7f]);
    expect(r.out).toEqual([on(0, 0x10, 127)]);
    expect(r.dropped).toBe(1);
  });

  it('drops a channel message cut short by a status byte and parses the next', () => {
    const r = parse([0x90, 0x22, 0xb0, 0x10, 0x01]);
    expect(r.out).toEqual([cc(0, 0x10, 1)]);
    expect(r.dropped).toBe(1);
    // Cut by F0: the SysEx that follows still arrives.
    const s = parse([0xe0, 0x00, 0xf0, 0x7e, 0xf7]);
    expect(s.out).toEqual([{ type: 'sysex', bytes: [0xf0, 0x7e, 0xf7] }]);
    expect(s.dropped).toBe(1);
  });

  it('reset() drops a half-received message (once) and forgets running status', () => {
    const { p, out } = parser();
    p.push([0x90, 0x22]);
    p.reset();
    expect(p.dropped).toBe(1);
    p.push([0x7f, 0x22, 0x00]);
    expect(out).toEqual([]);
    expect(p.dropped).toBe(4);
    p.push([0xf0, 0x01, 0x02]);
    p.reset();
    expect(p.dropped).toBe(5);
    p.reset(); // nothing pending: no count
    expect(p.dropped).toBe(5);
    p.push([0xf7]); // the SysEx was forgotten: F7 is stray
    expect(p.dropped).toBe(6);
    p.push([0x90, 0x10, 0x7f]);
    expect(out).toEqual([on(0, 0x10, 127)]);
  });
});

describe('values', () => {
  it('reports note-on with velocity 0 as note-off velocity 0, on every channel', () => {
    for (let ch = 0; ch < 16; ch++) {
      expect(parse([0x90 | ch, 0x3c, 0x00]).out).toEqual([off(ch, 0x3c, 0)]);
      expect(parse([0x90 | ch, 0x3c, 0x01]).out).toEqual([on(ch, 0x3c, 1)]);
      expect(parse([0x80 | ch, 0x3c, 0x40]).out).toEqual([off(ch, 0x3c, 0x40)]);
    }
  });

  it('assembles pitch bend from 7-bit LSB then MSB', () => {
    const pitch = (...b: number[]): number => (parse(b).out[0] as { value: number }).value;
    expect(pitch(0xe0, 0x00, 0x00)).toBe(0);
    expect(pitch(0xe0, 0x00, 0x40)).toBe(8192);
    expect(pitch(0xe0, 0x7f, 0x7f)).toBe(16383);
    expect(pitch(0xe0, 0x01, 0x00)).toBe(1);
    expect(pitch(0xe0, 0x00, 0x01)).toBe(128);
    expect(pitch(0xe0, 0x40, 0x55)).toBe(0x40 + 0x55 * 128); // LCdoc's fader example E0 40 55 = 10944
    expect(parse([0xe8, 0x7f, 0x7f]).out).toEqual([{ type: 'pitch', channel: 8, value: 16383 }]); // master fader
  });

  it('reads poly pressure and the Mackie meter byte (channel pressure) as sent', () => {
    expect(parse([0xa2, 0x40, 0x33]).out).toEqual([{ type: 'polypressure', channel: 2, note: 0x40, value: 0x33 }]);
    expect(parse([0xd0, 0x3c]).out).toEqual([{ type: 'chanpressure', channel: 0, value: 0x3c }]);
  });
});

describe('encodeMidi', () => {
  it('writes each type with its status byte', () => {
    expect(encodeMidi(on(0, 0x22, 0x7f))).toEqual([0x90, 0x22, 0x7f]);
    expect(encodeMidi(off(1, 0x22, 0))).toEqual([0x81, 0x22, 0x00]);
    expect(encodeMidi({ type: 'polypressure', channel: 2, note: 1, value: 2 })).toEqual([0xa2, 0x01, 0x02]);
    expect(encodeMidi(cc(15, 0x30, 0x15))).toEqual([0xbf, 0x30, 0x15]);
    expect(encodeMidi({ type: 'program', channel: 3, number: 9 })).toEqual([0xc3, 0x09]);
    expect(encodeMidi({ type: 'chanpressure', channel: 0, value: 0x7e })).toEqual([0xd0, 0x7e]);
    expect(encodeMidi({ type: 'pitch', channel: 0, value: 10944 })).toEqual([0xe0, 0x40, 0x55]);
    expect(encodeMidi({ type: 'pitch', channel: 8, value: 16383 })).toEqual([0xe8, 0x7f, 0x7f]);
    const lcd = [0xf0, 0x00, 0x00, 0x66, 0x10, 0x12, 0x00, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0xf7];
    const m: MidiMessage = { type: 'sysex', bytes: lcd };
    const out = encodeMidi(m);
    expect(out).toEqual(lcd);
    out[1] = 0x55; // a copy: the message is not changed
    expect(lcd[1]).toBe(0x00);
  });

  it('masks values to their bit widths', () => {
    expect(encodeMidi({ type: 'noteon', channel: 17, note: 200, velocity: 128 })).toEqual([0x91, 200 & 127, 0]);
    expect(encodeMidi({ type: 'pitch', channel: 0, value: 16384 })).toEqual([0xe0, 0x00, 0x00]);
    expect(encodeMidi({ type: 'pitch', channel: 0, value: 16385 })).toEqual([0xe0, 0x01, 0x00]);
    expect(encodeMidi(cc(0, 0x80 + 7, 0x80 + 3))).toEqual([0xb0, 7, 3]);
  });

  it('round-trips every channel-voice type on every channel through the parser', () => {
    const values = [0, 1, 63, 64, 126, 127];
    const messages: MidiMessage[] = [];
    for (let ch = 0; ch < 16; ch++) {
      for (const a of values) {
        for (const b of values) {
          if (b > 0) messages.push(on(ch, a, b));
          messages.push(off(ch, a, b));
          messages.push({ type: 'polypressure', channel: ch, note: a, value: b });
          messages.push(cc(ch, a, b));
        }
        messages.push({ type: 'program', channel: ch, number: a });
        messages.push({ type: 'chanpressure', channel: ch, value: a });
      }
      for (const v of [0, 1, 127, 128, 8191, 8192, 8193, 16256, 16383]) messages.push({ type: 'pitch', channel: ch, value: v });
    }
    const bytes = messages.flatMap(encodeMidi);
    const r = parse(bytes);
    expect(r.out).toEqual(messages);
    expect([r.received, r.dropped]).toEqual([messages.length, 0]);
    // Note-on velocity 0 comes back as the note-off it means.
    expect(parse(encodeMidi(on(4, 60, 0))).out).toEqual([off(4, 60, 0)]);
  });

  it('hex() writes upper-case pairs', () => {
    expect(hex([0x90, 0x0a, 0x7f, 0x00])).toBe('90 0A 7F 00');
    expect(hex([])).toBe('');
  });
});

// ---- fuzz against a reference ----


/**
 * The rules, read over the whole stream at once: real-time bytes vanish; the rest splits into
 * segments, each a status byte (or the start) and the data bytes up to the next status byte.
 * A partial message is counted as dropped only when a status byte follows it (at the end of the
 * stream it is still pending).
 */
function reference(stream: readonly number[]): { out: MidiMessage[]; dropped: number; oversized: number } {
  const segs: Array<{ status: number | undefined; data: number[] }> = [{ status: undefined, data: [] }];
  for (const b of stream) {
    if (b >= 0xf8) continue;
    if (b >= 0x80) segs.push({ status: b, data: [] });
    else segs[segs.length - 1].data.push(b);
  }
  const out: MidiMessage[] = [];
  let dropped = 0;
  let oversized = 0;
  const lengths: Record<number, number> = { 0x8: 2, 0x9: 2, 0xa: 2, 0xb: 2, 0xc: 1, 0xd: 1, 0xe: 2 };
  for (let i = 0; i < segs.length; i++) {
    const { status, data } = segs[i];
    const next = segs[i + 1];
    if (status === undefined || status === 0xf6) {
      dropped += data.length;
    } else if (status === 0xf0) {
      if (next?.status === 0xf7) {
        if (data.length + 2 <= MAX_SYSEX) out.push({ type: 'sysex', bytes: [0xf0, ...data, 0xf7] });
        else {
          dropped++;
          oversized++;
        }
        dropped += next.data.length;
        i++;
      } else if (next !== undefined) {
        dropped++;
      }
    } else if (status === 0xf1 || status === 0xf2 || status === 0xf3) {
      const need = status === 0xf2 ? 2 : 1;
      if (data.length >= need) dropped += data.length - need;
      else if (data.length > 0 && next !== undefined) dropped++;
    } else if (status >= 0xf4) {
      dropped += 1 + data.length; // F4, F5, a stray F7
    } else {
      const n = lengths[status >> 4];
      const ch = status & 15;
      const whole = data.length - (data.length % n);
      for (let k = 0; k < whole; k += n) {
        const [d1, d2] = [data[k], data[k + 1]];
        switch (status >> 4) {
          case 0x8:
            out.push(off(ch, d1, d2));
            break;
          case 0x9:
            out.push(d2 === 0 ? off(ch, d1, 0) : on(ch, d1, d2));
            break;
          case 0xa:
            out.push({ type: 'polypressure', channel: ch, note: d1, value: d2 });
            break;
          case 0xb:
            out.push(cc(ch, d1, d2));
            break;
          case 0xc:
            out.push({ type: 'program', channel: ch, number: d1 });
            break;
          case 0xd:
            out.push({ type: 'chanpressure', channel: ch, value: d1 });
            break;
          default:
            out.push({ type: 'pitch', channel: ch, value: d1 + d2 * 128 });
        }
      }
      if (whole < data.length && next !== undefined) dropped++;
    }
  }
  return { out, dropped, oversized };
}

/** Device-like traffic with every kind of damage mixed in. */
function trafficStream(rand: () => number, size: number): number[] {
  const s: number[] = [];
  const int = (n: number): number => Math.floor(rand() * n);
  const data = (): number => int(128);
  while (s.length < size) {
    const r = rand();
    if (r < 0.3) s.push(0x80 + int(0x70), data(), data()); // a channel message (1-byte kinds leave an orphan)
    else if (r < 0.5) s.push(data(), data()); // running-status continuation (or orphans)
    else if (r < 0.6) s.push(0xf8 + int(8)); // real-time
    else if (r < 0.7) s.push(0xf0, ...Array.from({ length: int(40) }, data), ...(rand() < 0.8 ? [0xf7] : [])); // SysEx, some unterminated
    else if (r < 0.7005) s.push(0xf0, ...Array.from({ length: MAX_SYSEX - 2 + int(2) }, data), 0xf7); // MAX_SYSEX long, or one more
    else if (r < 0.72) s.push(0xf1 + int(7)); // System Common, F7 stray
    else if (r < 0.8) s.push(0x80 + int(0x70), data()); // maybe truncated
    else if (r < 0.85 && s.length > 0) s.splice(int(s.length), 0, 0xf8 + int(8)); // real-time anywhere, inside SysEx too
    else s.push(int(256)); // garbage
  }
  return s;
}

function feedInChunks(stream: readonly number[], rand: () => number): { out: MidiMessage[]; received: number; dropped: number } {
  const { p, out } = parser();
  for (let i = 0; i < stream.length; ) {
    const n = 1 + Math.floor(rand() * 64);
    p.push(stream.slice(i, i + n));
    i += n;
  }
  return { out, received: p.received, dropped: p.dropped };
}

describe('fuzz (seeded)', () => {
  it('matches the reference on 1e5 bytes of uniform garbage, in random chunks, never throwing', () => {
    const rand = prng(0x5eed);
    const stream = Array.from({ length: 100_000 }, () => Math.floor(rand() * 256));
    const ref = reference(stream);
    let got: ReturnType<typeof feedInChunks> | undefined;
    expect(() => (got = feedInChunks(stream, rand))).not.toThrow();
    expect(got!.out).toEqual(ref.out);
    expect(got!.received).toBe(ref.out.length);
    expect(got!.dropped).toBe(ref.dropped);
    // The stream is not trivial: thousands of messages and of drops.
    expect(ref.out.length).toBeGreaterThan(10_000);
    expect(ref.dropped).toBeGreaterThan(5_000);
  });

  it('matches the reference on 1e5 bytes of damaged device traffic, whatever the chunking', () => {
    for (const seed of [1, 2, 3]) {
      const rand = prng(seed);
      const stream = trafficStream(rand, 100_000);
      const ref = reference(stream);
      const a = feedInChunks(stream, rand);
      expect(a.out).toEqual(ref.out);
      expect([a.received, a.dropped]).toEqual([ref.out.length, ref.dropped]);
      const whole = parse(stream);
      expect([whole.received, whole.dropped]).toEqual([ref.out.length, ref.dropped]);
      // The stream exercised what it is meant to: SysEx kept, near MAX_SYSEX, and oversized.
      const sysex = ref.out.filter((m) => m.type === 'sysex');
      expect(sysex.length).toBeGreaterThan(100);
      expect(sysex.some((m) => m.type === 'sysex' && m.bytes.length > MAX_SYSEX - 4)).toBe(true);
      expect(ref.oversized).toBeGreaterThan(0);
      expect(ref.out.length).toBeGreaterThan(10_000);
    }
  });
});
