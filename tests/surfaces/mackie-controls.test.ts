/**
 * Mackie driver on fake connections: V-Pots and rings, buttons and LEDs, the LCD, colours, the
 * 7-segment displays; input robustness (running status, garbage).
 */
import { describe, expect, test } from 'vitest';
import type { MackieStatus } from '../../src/surfaces/mackie/driver.js';
import { demoSession } from '../../src/model/demo-session.js';
import { surfaceFixture } from '../helpers/surfaces.js';
import { device, lcdOf, MCU, ofKind, PROFILE, rig, sysexCmd, withRunningStatus, XTOUCH } from './mackie-fixture.js';

const T0 = 1_000_000;
const status = (s: { status(): unknown }) => s.status() as MackieStatus;
const cc = (sent: number[][], lo: number, hi: number) => ofKind(sent, 0xb).filter((m) => m[1] >= lo && m[1] <= hi);
const lcd = (sent: number[][]) => sysexCmd(sent, 0x12).map(lcdOf);

/** Feedback and fader moves render the motors at once and the rest right after (setImmediate). */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('V-Pots and rings', () => {
  test('LCdoc turns: B0 10 01 = pot 1 one tick right, B0 17 47 = pot 8 seven ticks left', () => {
    const { f, conns } = rig([MCU]);
    const c = conns[0];
    c.feed(0xb0, 0x10, 0x01);
    expect(f.store.value('ch/1/pan')).toBe(2);
    expect(cc(c.sent, 0x30, 0x37)).toEqual([[0xb0, 0x30, 0x16]]); // boost/cut, position 6 of 11, centre LED off
    expect(lcd(c.sent)).toEqual([{ offset: 0x38, text: 'R2     ' }]);
    c.sent.length = 0;
    c.feed(0xb0, 0x17, 0x47);
    expect(f.store.value('ch/8/pan')).toBe(-14);
    expect(cc(c.sent, 0x30, 0x37)).toEqual([[0xb0, 0x37, 0x15]]);
    c.sent.length = 0;
    c.feed(0x90, 0x20, 0x7f, 0x20, 0x00); // V-Select 1 (running status): back to the default, centre LED on
    expect(f.store.value('ch/1/pan')).toBe(0);
    expect(cc(c.sent, 0x30, 0x37)).toEqual([[0xb0, 0x30, 0x56]]);
  });

  test('rings follow values set from another source; LCdoc ring B0 31 06 in HPF mode', async () => {
    const { f, s, conns } = rig([MCU]);
    const c = conns[0];
    f.store.set('ch/2/pan', -30, 'ws:1');
    await settle();
    expect(cc(c.sent, 0x30, 0x37)).toEqual([[0xb0, 0x31, 0x15]]);
    expect(lcd(c.sent)).toEqual([{ offset: 0x38 + 7, text: 'L30    ' }]);
    f.store.set('ch/2/pan', 100, 'ws:1');
    s.tick(T0); // within the store's feedback tick: the tick renders it
    expect(cc(c.sent, 0x30, 0x37)).toEqual([
      [0xb0, 0x31, 0x15],
      [0xb0, 0x31, 0x1b],
    ]);
    c.sent.length = 0;
    c.feed(0x90, 0x2b, 0x7f); // assign-plugin: V-Pots on the high-pass frequency (dot mode)
    f.store.force('ch/2/hpf/freq', 20 * Math.sqrt(30), 'engine'); // the middle of 20..600 Hz on a log taper
    s.tick(T0);
    expect(cc(c.sent, 0x31, 0x31).at(-1)).toEqual([0xb0, 0x31, 0x06]);
  });

  test('sends in wrap mode, off at -inf; switches all or nothing', () => {
    const { f, s, conns } = rig([MCU]);
    const c = conns[0];
    f.store.force('ch/1/send/1/level', -90, 'session');
    f.store.force('ch/2/send/1/level', 10, 'session');
    f.store.force('ch/3/send/1/level', 0, 'session');
    c.feed(0x90, 0x29, 0x7f); // assign-send
    s.tick(T0);
    expect(cc(c.sent, 0x30, 0x32)).toEqual([
      [0xb0, 0x30, 0x20],
      [0xb0, 0x31, 0x2b],
      [0xb0, 0x32, 0x29], // 0 dB at three quarters: 1 + round(7.5)
    ]);
    c.sent.length = 0;
    c.feed(0x90, 0x2c, 0x7f, 0x90, 0x2c, 0x7f); // EQ, then EQ again: page 2 (Q 1-4, HPF, HPF on, EQ on, trim)
    expect(lcd(c.sent).filter((w) => w.offset === 0).map((w) => w.text)).toEqual([
      '1 Gain 1 Freq 2 Gain 2 Freq 3 Gain 3 Freq 4 Gain 4 Freq ',
      '1 Q    2 Q    3 Q    4 Q    HPF    HPF on EQ on  Trim   ',
    ]);
    expect(f.store.value('ch/1/eq/on')).toBe(1);
    expect(cc(c.sent, 0x36, 0x36).at(-1)).toEqual([0xb0, 0x36, 0x2b]); // EQ on: all 11
    c.sent.length = 0;
    f.store.force('ch/1/hpf/on', 0, 'session');
    s.tick(T0);
    expect(cc(c.sent, 0x30, 0x37)).toEqual([[0xb0, 0x35, 0x20]]); // HPF off: none
    c.sent.length = 0;
    c.feed(0x90, 0x25, 0x7f); // V-Select on HPF on: toggles
    expect(f.store.value('ch/1/hpf/on')).toBe(1);
    expect(cc(c.sent, 0x30, 0x37)).toEqual([[0xb0, 0x35, 0x2b]]);
  });

  test('dynamics page: threshold rings show live gain reduction, the value for 1 s after a turn', () => {
    const { f, s, conns } = rig([MCU]);
    const c = conns[0];
    c.feed(0x90, 0x2d, 0x7f); // assign-dyn: the selected channel's (ch 1) dynamics
    expect(lcd(c.sent).find((w) => w.offset === 0)?.text).toBe('Thresh Ratio  Attack Releas Makeup Knee   Gate   Range  ');
    const ch1 = f.ctx.meters?.layout.offsetOf('ch/1') ?? -1;
    f.meterValues[ch1 + 6] = 13; // gateGr
    f.meterValues[ch1 + 7] = 6; // compGr
    c.sent.length = 0;
    f.setTime(T0 + 30);
    s.tick(T0 + 30);
    expect(cc(c.sent, 0x30, 0x37)).toEqual([
      [0xb0, 0x30, 0x23], // 6 dB: 3 LEDs, one per 2 dB
      [0xb0, 0x36, 0x27], // 13 dB: 7
    ]);
    c.sent.length = 0;
    f.setTime(T0 + 100);
    c.feed(0xb0, 0x10, 0x01); // threshold -18 -> -17.4 dB
    expect(f.store.value('ch/1/comp/threshold')).toBe(-17.4);
    expect(cc(c.sent, 0x30, 0x37)).toEqual([[0xb0, 0x30, 0x28]]);
    f.setTime(T0 + 1099);
    s.tick(T0 + 1099);
    expect(cc(c.sent, 0x30, 0x37)).toEqual([[0xb0, 0x30, 0x28]]);
    f.setTime(T0 + 1100);
    s.tick(T0 + 1100);
    expect(cc(c.sent, 0x30, 0x37)).toEqual([
      [0xb0, 0x30, 0x28],
      [0xb0, 0x30, 0x23],
    ]);
  });

  test('a running-status capture in one chunk (jog, V-Pot 3 turns, V-Select 3), then split byte by byte', () => {
    const capture = [0xb0, 0x3c, 0x01, 0x3c, 0x41, 0x12, 0x41, 0x12, 0x44, 0x12, 0x4c, 0x12, 0x01, 0x12, 0x04, 0x12, 0x0f, 0x90, 0x22, 0x7f, 0x22, 0x00];
    for (const split of [false, true]) {
      const f = surfaceFixture();
      f.store.force('ch/3/pan', 0, 'session');
      const { s, conns } = rig([MCU], { f });
      const seen: number[] = [];
      f.store.changes$.subscribe((e) => {
        if (e.address === 'ch/3/pan') seen.push(e.value);
      });
      if (split) for (const b of capture) conns[0].feed(b);
      else conns[0].feed(...capture);
      expect(seen).toEqual([-2, -10, -34, -32, -24, 6, 0]);
      expect(status(s)).toMatchObject({ received: 10, dropped: 0, ignored: 2 });
    }
  });
});

describe('buttons and LEDs', () => {
  test('mute and solo toggle, from here and from elsewhere; select lights one strip; rec does nothing', async () => {
    const { f, s, conns } = rig([MCU]);
    const c = conns[0];
    c.feed(0x90, 0x10, 0x7f, 0x90, 0x10, 0x00);
    expect(f.store.value('ch/1/mute')).toBe(1);
    expect(c.sent).toEqual([[0x90, 0x10, 0x7f]]);
    c.feed(0x90, 0x10, 0x7f);
    expect(f.store.value('ch/1/mute')).toBe(0);
    f.store.set('ch/2/solo', 1, 'ws:1');
    await settle();
    expect(c.sent).toEqual([
      [0x90, 0x10, 0x7f],
      [0x90, 0x10, 0x00],
      [0x90, 0x09, 0x7f],
    ]);
    c.sent.length = 0;
    c.feed(0x90, 0x1a, 0x7f); // select strip 3
    expect(ofKind(c.sent, 0x9)).toEqual([
      [0x90, 0x18, 0x00],
      [0x90, 0x1a, 0x7f],
    ]);
    c.sent.length = 0;
    c.feed(0x90, 0x00, 0x7f); // rec
    expect(c.sent).toEqual([]);
    expect(status(s).ignored).toBe(1);
  });

  test('layer, V-Pot mode, flip (flashing), sends on faders and Name/Value LEDs; assignment display', () => {
    const { s, conns } = rig([MCU], { keep: true });
    const c = conns[0];
    expect(cc(c.sent, 0x4a, 0x4b)).toEqual([
      [0xb0, 0x4b, 0x09], // I
      [0xb0, 0x4a, 0x0e], // N
    ]);
    expect(ofKind(c.sent, 0x9)).toContainEqual([0x90, 0x3f, 0x7f]); // view-inputs: the current layer
    expect(ofKind(c.sent, 0x9)).toContainEqual([0x90, 0x2a, 0x7f]); // assign-pan: the current V-Pot mode
    c.sent.length = 0;
    c.feed(0x90, 0x42, 0x7f); // view-aux
    expect(ofKind(c.sent, 0x9).filter((m) => m[1] >= 0x28)).toEqual([
      [0x90, 0x3f, 0x00],
      [0x90, 0x42, 0x7f],
    ]);
    expect(cc(c.sent, 0x4a, 0x4b)).toEqual([
      [0xb0, 0x4b, 0x01], // A
      [0xb0, 0x4a, 0x15], // U
    ]);
    expect(lcd(c.sent).find((w) => w.offset === 0)?.text).toBe('DrmIEM VclWdg Aux 3  Aux 4  Aux 5  Aux 6  Aux 7  Aux 8  ');
    c.sent.length = 0;
    c.feed(0x90, 0x33, 0x7f); // global-view: sends on faders, aux 1
    expect(status(s).bank).toBe('Sends to Drum IEM 1-8, V-Pots pan');
    expect(ofKind(c.sent, 0x9).filter((m) => m[1] >= 0x28)).toEqual([
      [0x90, 0x33, 0x7f],
      [0x90, 0x42, 0x00],
    ]);
    expect(cc(c.sent, 0x4a, 0x4b)).toEqual([[0xb0, 0x4a, 0x31]]); // A1: only the right digit changes
    c.sent.length = 0;
    c.feed(0x90, 0x32, 0x7f); // flip
    expect(ofKind(c.sent, 0x9)).toEqual([[0x90, 0x32, 0x01]]);
    c.sent.length = 0;
    c.feed(0x90, 0x34, 0x7f); // Name/Value: the lower line names the pots' parameters (flipped: the sends)
    expect(ofKind(c.sent, 0x9)).toEqual([[0x90, 0x34, 0x7f]]);
    expect(lcd(c.sent)).toEqual([{ offset: 0x38, text: 'DrmIEM '.repeat(8) }]);
  });

  test('flip lit steadily on a unit that cannot flash', () => {
    const { conns } = rig([device('qcon', { caps: [...MCU.capabilities, 'noFlash'] })]);
    conns[0].feed(0x90, 0x32, 0x7f);
    expect(ofKind(conns[0].sent, 0x9)).toEqual([[0x90, 0x32, 0x7f]]);
  });
});

describe('LCD and colours', () => {
  const named = () => {
    const session = demoSession();
    const names = ['Lead Vocal', 'Overheads L', 'Kick In', 'Kick Out'];
    return surfaceFixture({ ...session, channels: session.channels.map((c, i) => (i < names.length ? { ...c, name: names[i] } : c)) });
  };

  test('one LCD: 6 characters and a blank per strip; values in short form below', () => {
    const f = named();
    [0, -30, 30, 100, -100, 2, 0, 0].forEach((p, i) => f.store.force(`ch/${i + 1}/pan`, p, 'session'));
    const { conns } = rig([MCU], { f, keep: true });
    expect(lcd(conns[0].sent)).toEqual([
      { offset: 0x00, text: 'LedVcl OvrhdL KickIn KickOt Pad    Lead   Vox    Ch 8   ' },
      { offset: 0x38, text: 'C      L30    R30    R100   L100   R2     C      C      ' },
    ]);
  });

  test('scribble strips: 7 characters, colours from the session, all 8 sent together when they change', () => {
    const f = named();
    const { s, conns } = rig([XTOUCH], { f, keep: true });
    const c = conns[0];
    expect(lcd(c.sent)[0]).toEqual({ offset: 0, text: 'LeadVclOvrhdsLKick InKickOutPad    Lead   Vox    Ch 8   ' });
    expect(sysexCmd(c.sent, 0x72)).toEqual([[0xf0, 0, 0, 0x66, 0x14, 0x72, 0x01, 0x01, 0x03, 0x04, 0x06, 0x05, 0x02, 0x07, 0xf7]]);
    expect(sysexCmd(c.sent, 0x20)).toEqual([]); // separate LED meters: no meter mode
    c.sent.length = 0;
    c.feed(0x90, 0x2f, 0x7f); // bank right: ch 9-16, no colours in the session: white
    expect(sysexCmd(c.sent, 0x72)).toEqual([[0xf0, 0, 0, 0x66, 0x14, 0x72, 7, 7, 7, 7, 7, 7, 7, 7, 0xf7]]);
    c.sent.length = 0;
    c.feed(0x90, 0x2f, 0x7f); // ch 17-24: the same colours, not sent again
    expect(sysexCmd(c.sent, 0x72)).toEqual([]);
    c.feed(0x90, 0x43, 0x7f); // groups: Drums, Group 2-4, Vocals, Music, VCA 3-4
    expect(sysexCmd(c.sent, 0x72)).toEqual([]);
    expect(status(s).bank).toBe('Groups and VCAs 1-8, V-Pots pan');
  });

  test('a moved fader shows its value on the lower line for 1.5 s', async () => {
    const { f, s, conns } = rig([MCU]);
    const c = conns[0];
    c.feed(0x90, 0x68, 0x7f, 0xe0, 0x00, 0x60); // 12288: 0.002 dB
    await settle();
    expect(lcd(c.sent)).toEqual([{ offset: 0x38, text: '0.0    ' }]);
    c.sent.length = 0;
    c.feed(0xe0, 0x00, 0x20); // -30 dB
    await settle();
    expect(lcd(c.sent)).toEqual([{ offset: 0x38, text: '-30.0  ' }]);
    c.sent.length = 0;
    f.setTime(T0 + 1499);
    s.tick(T0 + 1499);
    expect(lcd(c.sent)).toEqual([]);
    f.setTime(T0 + 1500);
    s.tick(T0 + 1500);
    expect(lcd(c.sent)).toEqual([{ offset: 0x38, text: 'C      ' }]);
  });
});

describe('7-segment time code', () => {
  test('loudness: dashes until measured, then only the changed digits', () => {
    const { f, s, conns } = rig([MCU], { keep: true });
    const c = conns[0];
    expect(cc(c.sent, 0x40, 0x49)).toEqual([0x20, 0x20, 0x20, 0x20, 0x2d, 0x6d, 0x2d, 0x20, 0x0c, 0x15].map((v, i) => [0xb0, 0x49 - i, v]));
    c.sent.length = 0;
    const at = (f.ctx.meters?.layout.offsetOf('loudness') ?? -1) + 2; // integrated
    f.meterValues[at] = -14.2;
    s.tick(T0);
    expect(cc(c.sent, 0x40, 0x49)).toEqual([
      [0xb0, 0x46, 0x2d],
      [0xb0, 0x45, 0x31],
      [0xb0, 0x44, 0x74],
      [0xb0, 0x43, 0x32],
    ]);
  });

  test('clock: HH.MM.SS on the hours, minutes and seconds digits; off: blank', () => {
    const f = surfaceFixture();
    const t = new Date(2024, 0, 2, 9, 5, 7).getTime();
    f.setTime(t);
    const { s, conns } = rig([MCU], { f, keep: true, profile: { ...PROFILE, mackie: { buttons: {}, timecode: 'clock' } } });
    const c = conns[0];
    expect(cc(c.sent, 0x40, 0x49)).toEqual([0x20, 0x30, 0x79, 0x30, 0x75, 0x30, 0x37, 0x20, 0x20, 0x20].map((v, i) => [0xb0, 0x49 - i, v]));
    c.sent.length = 0;
    f.setTime(t + 1000);
    s.tick(t + 1000);
    expect(cc(c.sent, 0x40, 0x49)).toEqual([[0xb0, 0x43, 0x38]]);
    const off = rig([MCU], { keep: true, profile: { ...PROFILE, mackie: { buttons: {}, timecode: 'off' } } });
    expect(cc(off.conns[0].sent, 0x40, 0x49).map((m) => m[2])).toEqual(new Array(10).fill(0x20));
  });
});

describe('robustness', () => {
  test('garbage and unknown messages are dropped and counted; the unit keeps working', () => {
    const { f, s, conns } = rig([MCU]);
    const c = conns[0];
    c.feed(0x12, 0x34, 0xf4, 0x90); // two data bytes without status, an undefined status, a cut-off note
    c.feed(0x90, 0x10, 0x7f); // mute 1
    c.feed(0xc0, 0x05, 0xb0, 0x50, 0x00, 0x91, 0x10, 0x7f); // program change, an unknown CC, a note on channel 2
    c.feed(0xf0, 0x00, 0x00, 0x67, 0x15, 0x13, 0x00, 0xf7); // another maker's SysEx
    expect(f.store.value('ch/1/mute')).toBe(1);
    expect(status(s)).toMatchObject({ received: 5, dropped: 7 });
    c.sent.length = 0;
    c.feed(0x90, 0x10, 0x7f);
    expect(c.sent).toEqual([[0x90, 0x10, 0x00]]);
  });

  test('a port that fails on send takes its unit offline, reported, without throwing', () => {
    const { f, s, conns } = rig([MCU]);
    conns[0].send = () => {
      throw new Error('device gone');
    };
    expect(() => f.store.set('ch/1/fader', -10, 'ws:1')).not.toThrow();
    expect(f.events.map((e) => e.code)).toEqual(['E_MIDI_SEND']);
    expect(status(s).units[0].connected).toBe(false);
    expect(() => s.tick(T0 + 100)).not.toThrow();
  });
});

/** The same bytes a device sends, with running status: checks the fixture's helper against a literal. */
test('withRunningStatus', () => {
  expect(withRunningStatus([[0x90, 0x22, 0x7f], [0x90, 0x22, 0x00], [0xb0, 0x3c, 0x01], [0xf0, 0xf7], [0xb0, 0x3c, 0x41]])).toEqual([0x90, 0x22, 0x7f, 0x22, 0x00, 0xb0, 0x3c, 0x01, 0xf0, 0xf7, 0xb0, 0x3c, 0x41]);
});

describe('when the server stops', () => {
  test('the unit goes dark: faders down, LEDs and rings off, colours off, the LCD says so', () => {
    const { s, conns } = rig([XTOUCH], { keep: true });
    const c = conns[0];
    const before = c.sent.length;
    s.dispose();
    const sent = c.sent.slice(before);
    // Every fader (8 strips and the master) ends at the bottom, those that were up moved there.
    const last = new Map<number, number>();
    for (const m of c.sent) if (m[0] >> 4 === 0xe) last.set(m[0] & 15, m[1] | (m[2] << 7));
    expect([...Array(9).keys()].map((ch) => last.get(ch))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(ofKind(sent, 0xe).length).toBeGreaterThan(4);
    // Every ring to 0.
    for (let i = 0; i < 8; i++) expect(sent.some((m) => m[0] === 0xb0 && m[1] === 0x30 + i && m[2] === 0), `ring ${i}`).toBe(true);
    // No LED left on.
    const lit = new Map<number, number>();
    for (const m of c.sent) if (m[0] === 0x90) lit.set(m[1], m[2]);
    expect([...lit.values()].every((v) => v === 0)).toBe(true);
    // Those that were lit went off: strip 1's select, the Inputs view, the Pan assign.
    expect([lit.get(0x18), lit.get(0x3f), lit.get(0x2a)]).toEqual([0, 0, 0]);
    // Colours all off, the LCD's first cell says it.
    expect(sysexCmd(sent, 0x72).at(-1)).toEqual([0xf0, 0, 0, 0x66, 0x14, 0x72, 0, 0, 0, 0, 0, 0, 0, 0, 0xf7]);
    const texts = sysexCmd(sent, 0x12).map(lcdOf);
    expect(texts.some((t) => t.offset === 0 && t.text.startsWith('mixhost'))).toBe(true);
    expect(texts.some((t) => t.offset === 0x38 && t.text.startsWith('stopped'))).toBe(true);
  });
});

describe('what goes first', () => {
  test('a change from elsewhere moves the motor at once; rings, LEDs and the LCD follow right after', async () => {
    const { f, conns } = rig([MCU]);
    const c = conns[0];
    f.store.set('ch/1/fader', -10, 'ws:1');
    const pos = Math.round(f.registry.descriptor('ch/1/fader').taper.toPosition(-10) * 16383);
    expect(c.sent).toEqual([[0xe0, pos & 0x7f, pos >> 7]]);
    f.store.set('ch/1/mute', 1, 'ws:1'); // within the feedback tick: rendered when it ends
    await new Promise((r) => setTimeout(r, 30));
    expect(c.sent).toContainEqual([0x90, 0x10, 0x7f]);
  });
});
