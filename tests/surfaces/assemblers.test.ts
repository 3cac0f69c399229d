import { describe, expect, it } from 'vitest';
import { Cc14Assembler, CC14_TIMEOUT_MS, isParamCc, ParamNumberAssembler, type ParamValue } from '../../src/surfaces/midi/assemblers.js';
import { MidiParser } from '../../src/surfaces/midi/parser.js';
import type { MidiMessage } from '../../src/surfaces/types.js';

/** Parse bytes into CC messages (channel, controller, value). */
function ccs(...bytes: number[]): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  new MidiParser((m: MidiMessage) => {
    if (m.type === 'cc') out.push([m.channel, m.controller, m.value]);
  }).push(bytes);
  return out;
}

describe('14-bit CC pairs', () => {
  it('helgoboss vector: CC2 = 8 then CC34 = 33 -> 1057, delivered on the LSB', () => {
    const a = new Cc14Assembler();
    expect(a.push(0, 2, 8, 0)).toEqual([]);
    expect(a.push(0, 34, 33, 1)).toEqual([{ channel: 0, number: 2, value: 1057 }]);
  });

  it('from bytes with running status: B3 07 60 27 10 -> channel 4, CC 7 = 12304', () => {
    const a = new Cc14Assembler();
    const out = ccs(0xb3, 0x07, 0x60, 0x27, 0x10).flatMap(([ch, cc, v]) => a.push(ch, cc, v, 0));
    expect(out).toEqual([{ channel: 3, number: 7, value: (0x60 << 7) | 0x10 }]);
    expect(out[0].value).toBe(12304);
  });

  it('an MSB alone is delivered as MSB << 7 by flush() once 20 ms have passed, not before', () => {
    const a = new Cc14Assembler();
    expect(a.push(5, 1, 100, 1000)).toEqual([]);
    expect(a.flush(1000 + CC14_TIMEOUT_MS)).toEqual([]);
    expect(a.flush(1000 + CC14_TIMEOUT_MS + 1)).toEqual([{ channel: 5, number: 1, value: 12800 }]);
    expect(a.flush(2000)).toEqual([]);
  });

  it('a second MSB delivers the first alone; an LSB alone refines the last MSB; with none it is dropped', () => {
    const a = new Cc14Assembler();
    expect(a.push(0, 9, 0x7f, 0)).toEqual([]);
    expect(a.push(0, 9, 0x7e, 5)).toEqual([{ channel: 0, number: 9, value: 0x7f << 7 }]);
    expect(a.push(0, 41, 3, 6)).toEqual([{ channel: 0, number: 9, value: (0x7e << 7) | 3 }]);
    expect(a.push(0, 41, 4, 7)).toEqual([{ channel: 0, number: 9, value: (0x7e << 7) | 4 }]);
    expect(a.dropped).toBe(0);
    expect(a.push(0, 40, 1, 8)).toEqual([]); // CC 8's LSB, no MSB ever seen
    expect(a.dropped).toBe(1);
  });

  it('a late LSB after a stale MSB: the MSB alone first, then the pair', () => {
    const a = new Cc14Assembler();
    a.push(2, 0, 10, 0);
    expect(a.push(2, 32, 5, 50)).toEqual([
      { channel: 2, number: 0, value: 1280 },
      { channel: 2, number: 0, value: 1285 },
    ]);
  });

  it('keeps channels and pairs apart', () => {
    const a = new Cc14Assembler();
    a.push(0, 1, 1, 0);
    a.push(1, 1, 2, 0);
    a.push(0, 2, 3, 0);
    expect(a.push(1, 33, 9, 1)).toEqual([{ channel: 1, number: 1, value: 265 }]);
    expect(a.push(0, 34, 9, 1)).toEqual([{ channel: 0, number: 2, value: 393 }]);
    expect(a.push(0, 33, 9, 1)).toEqual([{ channel: 0, number: 1, value: 137 }]);
  });
});

describe('(N)RPN', () => {
  const feed = (a: ParamNumberAssembler, bytes: number[], now = 0): ParamValue[] => ccs(...bytes).flatMap(([ch, cc, v]) => a.push(ch, cc, v, now));

  it('helgoboss doctest: CC101=3, CC100=36, CC38=24, CC6=117 -> RPN 420 = 15000 (LSB first, delivered on the MSB)', () => {
    const a = new ParamNumberAssembler();
    expect(feed(a, [0xb0, 101, 3, 0xb0, 100, 36, 0xb0, 38, 24])).toEqual([]);
    expect(feed(a, [0xb0, 6, 117])).toEqual([{ kind: 'value', channel: 0, registered: true, number: 420, value: 15000, bits: 14 }]);
  });

  it('NRPN 14-bit, MSB first: B0 63 01 B0 62 48 B0 06 40 B0 26 05 -> NRPN 200 = 8197, delivered on the LSB', () => {
    const a = new ParamNumberAssembler();
    expect(feed(a, [0xb0, 0x63, 0x01, 0xb0, 0x62, 0x48, 0xb0, 0x06, 0x40])).toEqual([]);
    expect(feed(a, [0xb0, 0x26, 0x05])).toEqual([{ kind: 'value', channel: 0, registered: false, number: 200, value: 8197, bits: 14 }]);
    expect(a.selected(0)).toEqual({ registered: false, number: 200 });
  });

  it('NRPN 7-bit (running status): B2 63 00 62 07 06 64 -> NRPN 7 = 100 on the MSB; CC 38 ignored', () => {
    const a = new ParamNumberAssembler((_reg, _ch, n) => (n === 7 ? 7 : 14));
    expect(feed(a, [0xb2, 0x63, 0x00, 0x62, 0x07, 0x06, 0x64])).toEqual([{ kind: 'value', channel: 2, registered: false, number: 7, value: 100, bits: 7 }]);
    expect(feed(a, [0xb2, 0x26, 0x10])).toEqual([]);
    expect(a.dropped).toBe(0);
  });

  it('increment / decrement CC 96 / 97 are steps of +1 / -1 on the selected number', () => {
    const a = new ParamNumberAssembler();
    expect(feed(a, [0xb0, 0x63, 0x01, 0x62, 0x48, 0x60, 0x00, 0x61, 0x7f])).toEqual([
      { kind: 'step', channel: 0, registered: false, number: 200, delta: 1 },
      { kind: 'step', channel: 0, registered: false, number: 200, delta: -1 },
    ]);
  });

  it('the null number 7F/7F deselects: data entry after it is dropped', () => {
    const a = new ParamNumberAssembler();
    feed(a, [0xb0, 0x63, 0x01, 0x62, 0x48]);
    expect(feed(a, [0xb0, 0x63, 0x7f, 0x62, 0x7f, 0x06, 0x10, 0x60, 0x00])).toEqual([]);
    expect(a.selected(0)).toBeUndefined();
    expect(a.dropped).toBe(2);
  });

  it('data with no number selected, or only half of one, is dropped', () => {
    const a = new ParamNumberAssembler();
    expect(feed(a, [0xb0, 0x06, 0x10])).toEqual([]);
    expect(feed(a, [0xb0, 0x63, 0x01, 0x06, 0x10])).toEqual([]);
    expect(a.dropped).toBe(2);
  });

  it('a half that waits too long is delivered alone: an MSB as MSB << 7, an LSB with the last MSB', () => {
    const a = new ParamNumberAssembler();
    feed(a, [0xb0, 0x63, 0x00, 0x62, 0x05, 0x06, 0x20], 100);
    expect(a.flush(100 + CC14_TIMEOUT_MS)).toEqual([]);
    expect(a.flush(100 + CC14_TIMEOUT_MS + 1)).toEqual([{ kind: 'value', channel: 0, registered: false, number: 5, value: 0x20 << 7, bits: 14 }]);
    feed(a, [0xb0, 0x26, 0x11], 200);
    expect(a.flush(300)).toEqual([{ kind: 'value', channel: 0, registered: false, number: 5, value: (0x20 << 7) | 0x11, bits: 14 }]);
  });

  it('selecting another number delivers a waiting half for the old one first', () => {
    const a = new ParamNumberAssembler();
    expect(feed(a, [0xb0, 0x63, 0x00, 0x62, 0x05, 0x06, 0x20, 0x63, 0x00, 0x62, 0x06, 0x06, 0x01, 0x26, 0x02])).toEqual([
      { kind: 'value', channel: 0, registered: false, number: 5, value: 0x20 << 7, bits: 14 },
      { kind: 'value', channel: 0, registered: false, number: 6, value: 130, bits: 14 },
    ]);
  });

  it('NRPN and RPN numbers are kept apart; the last written is current', () => {
    const a = new ParamNumberAssembler();
    feed(a, [0xb0, 0x63, 0x01, 0x62, 0x02, 0x65, 0x00, 0x64, 0x00]);
    expect(a.selected(0)).toEqual({ registered: true, number: 0 });
    feed(a, [0xb0, 0x62, 0x03]);
    expect(a.selected(0)).toEqual({ registered: false, number: 131 });
  });

  it('isParamCc: 6, 38, 96..101 only', () => {
    const all = Array.from({ length: 128 }, (_, i) => i).filter(isParamCc);
    expect(all).toEqual([6, 38, 96, 97, 98, 99, 100, 101]);
  });
});
