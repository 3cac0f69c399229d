import { describe, expect, test } from 'vitest';
import { MidiParser } from '../../src/surfaces/midi/parser.js';
import type { MidiMessage } from '../../src/surfaces/types.js';
import {
  ccMessage,
  challengeResponse,
  decodeVpot,
  deviceQuery,
  faderMessage,
  hostReply,
  lcdText,
  meterMessage,
  meterMode,
  parseSysex,
  ringByte,
  RING_MODE,
  scribbleColour,
  scribbleColours,
  segmentCodes,
  timecodeSysex,
  versionRequest,
} from '../../src/surfaces/mackie/codec.js';
import { LcdModel, SegmentModel, timecodeText } from '../../src/surfaces/mackie/display.js';
import { ASSIGNMENT_CC, TIMECODE_CC } from '../../src/surfaces/mackie/notes.js';
import { withRunningStatus } from './mackie-fixture.js';

function parse(bytes: number[]): MidiMessage[] {
  const out: MidiMessage[] = [];
  new MidiParser((m) => out.push(m)).push(bytes);
  return out;
}

describe('LCdoc worked examples', () => {
  test('LCD: "Hello" top left', () => {
    expect(lcdText(0x10, 0x00, 'Hello')).toEqual([0xf0, 0x00, 0x00, 0x66, 0x10, 0x12, 0x00, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0xf7]);
  });

  test('assignment display "Pn." = B0 4B 10 4A 4E (left digit first, running status)', () => {
    expect(segmentCodes('Pn.', 2)).toEqual([0x10, 0x4e]);
    const seg = new SegmentModel(2);
    const msgs = seg.update(segmentCodes('Pn.', 2)).map(([i, code]) => ccMessage(ASSIGNMENT_CC + i, code));
    expect(msgs).toEqual([
      [0xb0, 0x4b, 0x10],
      [0xb0, 0x4a, 0x4e],
    ]);
    expect(withRunningStatus(msgs)).toEqual([0xb0, 0x4b, 0x10, 0x4a, 0x4e]);
    // and the LCdoc bytes parse to exactly these messages
    expect(parse([0xb0, 0x4b, 0x10, 0x4a, 0x4e])).toEqual([
      { type: 'cc', channel: 0, controller: 0x4b, value: 0x10 },
      { type: 'cc', channel: 0, controller: 0x4a, value: 0x4e },
    ]);
  });

  test('time code "109.02.01.126" by SysEx, right to left', () => {
    expect(timecodeSysex(0x10, '109.02.01.126')).toEqual([0xf0, 0x00, 0x00, 0x66, 0x10, 0x10, 0x36, 0x32, 0x31, 0x71, 0x30, 0x72, 0x30, 0x79, 0x30, 0x31, 0xf7]);
  });

  test('time code "109.02.01.126" by CC: digit i on CC 40+i, i = 0 right-most; only changes go again', () => {
    const seg = new SegmentModel(10);
    const msgs = seg.update(segmentCodes('109.02.01.126', 10)).map(([i, code]) => ccMessage(TIMECODE_CC + i, code));
    expect(msgs).toEqual([
      [0xb0, 0x49, 0x31],
      [0xb0, 0x48, 0x30],
      [0xb0, 0x47, 0x79],
      [0xb0, 0x46, 0x30],
      [0xb0, 0x45, 0x72],
      [0xb0, 0x44, 0x30],
      [0xb0, 0x43, 0x71],
      [0xb0, 0x42, 0x31],
      [0xb0, 0x41, 0x32],
      [0xb0, 0x40, 0x36],
    ]);
    // "10" into the last two digits (LCdoc: B0 40 30 41 31): only those two change
    expect(seg.update(segmentCodes('109.02.01.110', 10))).toEqual([
      [1, 0x31],
      [0, 0x30],
    ]);
    expect(seg.update(segmentCodes('109.02.01.110', 10))).toEqual([]);
  });

  test('ring B0 31 06: ring 2 at position 6 (dot mode)', () => {
    expect(ccMessage(0x31, ringByte(RING_MODE.dot, 6))).toEqual([0xb0, 0x31, 0x06]);
    // Control-Surface's decoding tests: 0x2A = wrap, position 10; 0x58 = boost/cut, position 8, centre on
    expect(ringByte(RING_MODE.wrap, 10)).toBe(0x2a);
    expect(ringByte(RING_MODE.boostCut, 8, true)).toBe(0x58);
  });

  test('fader E0 40 55 = fader 1 at (0x55 << 7) + 0x40', () => {
    expect(faderMessage(0, (0x55 << 7) + 0x40)).toEqual([0xe0, 0x40, 0x55]);
    expect(parse([0xe0, 0x40, 0x55])).toEqual([{ type: 'pitch', channel: 0, value: 10944 }]);
    expect(faderMessage(8, 16383)).toEqual([0xe8, 0x7f, 0x7f]);
  });

  test('V-Pot B0 10 01 = pot 1 cw 1 tick; B0 17 47 = pot 8 ccw 7 ticks; 0 ticks count as 1', () => {
    expect(decodeVpot(0x01)).toBe(1);
    expect(decodeVpot(0x47)).toBe(-7);
    expect(decodeVpot(0x3f)).toBe(63);
    expect(decodeVpot(0x00)).toBe(1);
    expect(decodeVpot(0x40)).toBe(-1);
  });
});

describe('SysEx', () => {
  test('device query, version request, meter mode, colours', () => {
    expect(deviceQuery(0x14)).toEqual([0xf0, 0, 0, 0x66, 0x14, 0x00, 0xf7]);
    expect(versionRequest(0x15)).toEqual([0xf0, 0, 0, 0x66, 0x15, 0x13, 0x00, 0xf7]);
    expect(meterMode(0x14, 3, 0x01)).toEqual([0xf0, 0, 0, 0x66, 0x14, 0x20, 0x03, 0x01, 0xf7]);
    expect(scribbleColours(0x14, [1, 2, 3, 4, 5, 6, 7, 0])).toEqual([0xf0, 0, 0, 0x66, 0x14, 0x72, 1, 2, 3, 4, 5, 6, 7, 0, 0xf7]);
  });

  test('parse: header checked, model, command and data split', () => {
    expect(parseSysex([0xf0, 0, 0, 0x66, 0x15, 0x14, 0x56, 0x31, 0xf7])).toEqual({ model: 0x15, cmd: 0x14, data: [0x56, 0x31] });
    expect(parseSysex([0xf0, 0, 0, 0x67, 0x15, 0x14, 0xf7])).toBeUndefined();
    expect(parseSysex([0xf0, 0, 0, 0x66, 0x14, 0xf7])).toBeUndefined();
  });

  test('challenge response: LCdoc formula (r2 shifts l3 by 4, not by l4)', () => {
    expect(challengeResponse([0x01, 0x02, 0x03, 0x04])).toEqual([0x05, 0x05, 0x7b, 0x2f]);
    expect(challengeResponse([0x7f, 0x7f, 0x7f, 0x7f])).toEqual([0x75, 0x79, 0x7c, 0x00]);
    // l3 = 0x35, l4 = 2: LCdoc r2 = (0x35 >> 4) ^ (1 + 2) = 0; a shift by l4 would give 0x0E
    expect(challengeResponse([0x01, 0x00, 0x35, 0x02])[1]).toBe(0x00);
  });

  test('host connection reply to the MCU boot message (REAPER)', () => {
    const boot = [0xf0, 0x00, 0x00, 0x66, 0x14, 0x01, 0x58, 0x59, 0x5a, 0x57, 0x18, 0x61, 0x05, 0x57, 0x18, 0x61, 0x05, 0xf7];
    const q = parseSysex(boot);
    expect(q?.cmd).toBe(0x01);
    expect(hostReply(0x14, q?.data ?? [])).toEqual([0xf0, 0, 0, 0x66, 0x14, 0x02, 0x58, 0x59, 0x5a, 0x57, 0x18, 0x61, 0x05, 0x64, 0x5a, 0x5e, 0x57, 0xf7]);
  });
});

describe('bytes', () => {
  test('meters: strip in the high nibble', () => {
    expect(meterMessage(0, 0x0c)).toEqual([0xd0, 0x0c]);
    expect(meterMessage(7, 0x0e)).toEqual([0xd0, 0x7e]);
    expect(meterMessage(3, 0x0f)).toEqual([0xd0, 0x3f]);
  });

  test('7-segment characters: letters minus 0x40, digits and signs as they are, dots merged', () => {
    expect(segmentCodes('-14.2 LU', 10)).toEqual([0x20, 0x20, 0x20, 0x2d, 0x31, 0x74, 0x32, 0x20, 0x0c, 0x15]);
    expect(segmentCodes('in', 2)).toEqual([0x09, 0x0e]);
    expect(segmentCodes('.', 2)).toEqual([0x20, 0x60]);
    expect(segmentCodes('é', 1)).toEqual([0x20]);
    expect(segmentCodes('123', 2)).toEqual([0x32, 0x33]);
  });

  test('scribble colours: nearest of the 3-bit palette, no colour and black white', () => {
    const demo = ['#d04040', '#d07040', '#d0a040', '#4070d0', '#40a0a0', '#a040d0', '#40d070', undefined];
    expect(demo.map(scribbleColour)).toEqual([1, 1, 3, 4, 6, 5, 2, 7]);
    expect(scribbleColour('#000000')).toBe(7);
    expect(scribbleColour('#ffffff')).toBe(7);
    expect(scribbleColour('#7f7f80')).toBe(4);
    expect(scribbleColour('red')).toBe(7);
  });
});

describe('displays', () => {
  test('LCD: runs of changed cells are one write; nothing for unchanged cells', () => {
    const lcd = new LcdModel(8);
    expect(lcd.flush()).toEqual([
      { offset: 0x00, text: ' '.repeat(56) },
      { offset: 0x38, text: ' '.repeat(56) },
    ]);
    lcd.set(0, 2, 'Snare  ');
    lcd.set(0, 3, 'Hats   ');
    lcd.set(0, 6, 'Vox    ');
    lcd.set(1, 7, 'L30    ');
    expect(lcd.flush()).toEqual([
      { offset: 14, text: 'Snare  Hats   ' },
      { offset: 42, text: 'Vox    ' },
      { offset: 0x38 + 49, text: 'L30    ' },
    ]);
    lcd.set(0, 2, 'Snare  ');
    expect(lcd.flush()).toEqual([]);
    lcd.invalidate();
    expect(lcd.flush().map((w) => w.text.length)).toEqual([56, 56]);
  });

  test('time code texts', () => {
    expect(timecodeText('loudness', 0, -14.2)).toBe('-14.2 LU');
    expect(timecodeText('loudness', 0, -120)).toBe('--.- LU');
    expect(timecodeText('loudness', 0, undefined)).toBe('--.- LU');
    expect(timecodeText('off', 0, -14)).toBe('');
    const t = new Date(2024, 0, 2, 9, 5, 7).getTime();
    expect(timecodeText('clock', t, undefined)).toBe(' 09.05.07   ');
    expect(segmentCodes(' 09.05.07   ', 10)).toEqual([0x20, 0x30, 0x79, 0x30, 0x75, 0x30, 0x37, 0x20, 0x20, 0x20]);
  });
});
