/**
 * Mackie driver on fake connections: faders (echo, touch, leases, fake touch, calibration),
 * banking across a main unit and an extender, a second surface and a web client in step.
 */
import { describe, expect, test, vi } from 'vitest';
import type { ChangeEvent } from '../../src/control/store.js';
import type { MackieStatus } from '../../src/surfaces/mackie/driver.js';
import { faderTaper } from '../../src/model/tapers.js';
import { fakeConnection, surfaceFixture } from '../helpers/surfaces.js';
import { device, lcdOf, MCU, ofKind, pb, rig, sysexCmd, XT } from './mackie-fixture.js';

const T0 = 1_000_000;
const status = (s: { status(): unknown }) => s.status() as MackieStatus;

describe('connect', () => {
  test('device query first, then every fader at its exact position', () => {
    const f = surfaceFixture();
    const dbs = [0, -10, -30, 10, -60, -20, -5, -90];
    dbs.forEach((db, i) => f.store.force(`ch/${i + 1}/fader`, db, 'session'));
    f.store.force('master/fader', 5, 'session');
    const { conns } = rig([MCU], { f, keep: true });
    const sent = conns[0].sent;
    expect(sent[0]).toEqual([0xf0, 0x00, 0x00, 0x66, 0x14, 0x00, 0xf7]);
    expect(ofKind(sent, 0xe)).toEqual([
      [0xe0, 0x7f, 0x5f], // 0 dB: 0.75 of 16383 = 12287
      [0xe1, 0x00, 0x40], // -10 dB: 8192
      [0xe2, 0x00, 0x20], // -30 dB: 4096
      [0xe3, 0x7f, 0x7f], // +10 dB: 16383
      [0xe4, 0x00, 0x08], // -60 dB: 1024
      [0xe5, 0x00, 0x30], // -20 dB: 6144
      [0xe6, 0x7f, 0x4f], // -5 dB: 10239
      [0xe7, 0x00, 0x00], // -inf
      [0xe8, 0x7f, 0x6f], // master +5 dB: 14335
    ]);
    // meter mode: signal LED only (the LCD keeps its text), one per strip
    expect(sysexCmd(sent, 0x20)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [0xf0, 0, 0, 0x66, 0x14, 0x20, i, 0x01, 0xf7]));
    // overloads cleared
    expect(ofKind(sent, 0xd)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [0xd0, (i << 4) | 0x0f]));
  });

  test('a unit that disconnects and reconnects gets a full refresh, showing what changed meanwhile', () => {
    const f = surfaceFixture();
    f.store.force('ch/2/fader', 0, 'session');
    const { s, conns } = rig([MCU], { f, keep: true });
    const first = conns[0].bytes();
    conns[0].unplug();
    s.disconnect(0);
    expect(status(s).units[0].connected).toBe(false);
    f.store.set('ch/2/fader', -10, 'ws:1');
    const again = fakeConnection('mcu again');
    s.connect(0, again);
    expect(status(s).units[0]).toEqual({ device: 'mcu', port: 'mcu again', connected: true });
    const expected = [...first];
    // the only difference: fader 2 at -10 dB now
    const i = findSeq(first, pb(1, 12287));
    expect(i).toBeGreaterThan(0);
    expected.splice(i, 3, ...pb(1, 8192));
    expect(again.bytes()).toEqual(expected);
  });
});

describe('faders', () => {
  test('LCdoc E0 40 55 sets fader 1 to position 10944/16383, echoed byte for byte', () => {
    const { f, conns } = rig([MCU]);
    conns[0].feed(0xe0, 0x40, 0x55);
    expect(ofKind(conns[0].sent, 0xe)).toEqual([[0xe0, 0x40, 0x55]]);
    expect(f.store.value('ch/1/fader')).toBeCloseTo(-10 + (10944 / 16383 - 0.5) * 40, 9);
  });

  test('touch: no motor moves while another source changes the value; release repositions exactly', () => {
    const { f, conns } = rig([MCU]);
    const c = conns[0];
    c.feed(0x90, 0x68, 0x7f);
    expect(f.store.holder('ch/1/fader')).toBe('midi:mcu');
    expect(f.store.set('ch/1/fader', -30, 'ws:1')).toMatchObject({ ok: false, code: 'E_CONTROL_HELD' });
    f.store.force('ch/1/fader', -10, 'engine'); // a recall: not refused by leases
    expect(ofKind(c.sent, 0xe)).toEqual([]);
    c.feed(0x90, 0x68, 0x00);
    expect(c.sent).toEqual([[0xe0, 0x00, 0x40]]);
    expect(f.store.holder('ch/1/fader')).toBeUndefined();
  });

  test('no echo drift: every value goes back exactly as it came, nothing more on release', () => {
    const { f, conns } = rig([MCU]);
    const c = conns[0];
    c.feed(0x90, 0x68, 0x7f);
    let moves = 0;
    for (let v = 0; v <= 16383; v += 61) {
      c.sent.length = 0;
      c.feed(...pb(0, v));
      expect(ofKind(c.sent, 0xe)).toEqual([pb(0, v)]);
      expect(Math.round(faderTaper.toPosition(f.store.value('ch/1/fader')) * 16383)).toBe(v);
      moves++;
    }
    expect(moves).toBe(269);
    c.sent.length = 0;
    c.feed(0x90, 0x68, 0x00);
    expect(ofKind(c.sent, 0xe)).toEqual([]);
    // the same value again is not sent again (the fader is there)
    c.feed(...pb(0, 16348));
    expect(ofKind(c.sent, 0xe)).toEqual([]);
  });

  test('a web client holding the fader: our set is refused and the fader snaps back on release', () => {
    const { f, s, conns } = rig([MCU]);
    const c = conns[0];
    expect(f.store.touch('ch/1/fader', 'ws:1').ok).toBe(true);
    c.feed(0x90, 0x68, 0x7f, 0xe0, 0x00, 0x40);
    expect(ofKind(c.sent, 0xe)).toEqual([[0xe0, 0x00, 0x40]]); // the echo: the finger is there
    expect(f.store.value('ch/1/fader')).toBe(-4);
    c.sent.length = 0;
    c.feed(0x90, 0x68, 0x00);
    expect(ofKind(c.sent, 0xe)).toEqual([[0xe0, 0x19, 0x53]]); // -4 dB: 0.65 of 16383 = 10649
    expect(status(s).refused).toBe(1);
    expect(status(s).dropped).toBe(1);
  });

  test('without touch sensing a move holds the fader for 500 ms after it', () => {
    const caps = MCU.capabilities.filter((c) => c !== 'faderTouch');
    const { f, s, conns } = rig([device('mcu-nt', { caps })]);
    const c = conns[0];
    f.setTime(T0 + 10);
    c.feed(0xe0, 0x00, 0x40);
    expect(ofKind(c.sent, 0xe)).toEqual([[0xe0, 0x00, 0x40]]);
    expect(f.store.value('ch/1/fader')).toBeCloseTo(-10 + (8192 / 16383 - 0.5) * 40, 9);
    expect(f.store.set('ch/1/fader', 0, 'ws:1')).toMatchObject({ ok: false, code: 'E_CONTROL_HELD' });
    f.setTime(T0 + 100);
    f.store.force('ch/1/fader', -30, 'engine');
    f.setTime(T0 + 509);
    s.tick(T0 + 509);
    expect(ofKind(c.sent, 0xe)).toEqual([[0xe0, 0x00, 0x40]]);
    f.setTime(T0 + 510);
    s.tick(T0 + 510);
    expect(ofKind(c.sent, 0xe)).toEqual([
      [0xe0, 0x00, 0x40],
      [0xe0, 0x00, 0x20],
    ]);
    expect(f.store.holder('ch/1/fader')).toBeUndefined();
  });

  test('a touched fader keeps its lease past 2 s: the driver renews it', () => {
    const { f, s, conns } = rig([MCU]);
    conns[0].feed(0x90, 0x68, 0x7f);
    for (let t = T0; t <= T0 + 10_000; t += 250) {
      f.setTime(t);
      s.tick(t);
      expect(f.store.holder('ch/1/fader')).toBe('midi:mcu');
    }
    conns[0].unplug();
    expect(f.store.holder('ch/1/fader')).toBeUndefined();
  });

  test('a finger that came while a web client held the fader gets the lease when the client lets go', () => {
    const { f, s, conns } = rig([MCU]);
    f.store.touch('ch/1/fader', 'ws:1');
    conns[0].feed(0x90, 0x68, 0x7f);
    s.tick(T0);
    expect(f.store.holder('ch/1/fader')).toBe('ws:1');
    f.store.release('ch/1/fader', 'ws:1');
    f.setTime(T0 + 30);
    s.tick(T0 + 30);
    expect(f.store.holder('ch/1/fader')).toBe('midi:mcu');
    conns[0].feed(0xe0, 0x00, 0x40);
    expect(f.store.value('ch/1/fader')).toBeCloseTo(-10 + (8192 / 16383 - 0.5) * 40, 9);
  });

  test('master fader on channel 9 with touch note 0x70; a fader calibrated short of 16383', () => {
    const { f, conns } = rig([device('mcu-cal', { faderTop: 15935 })]);
    const c = conns[0];
    c.feed(0x90, 0x70, 0x7f, 0xe8, 0x7f, 0x7f);
    expect(f.store.value('master/fader')).toBe(10);
    expect(ofKind(c.sent, 0xe)).toEqual([[0xe8, 0x7f, 0x7f]]);
    c.feed(0x90, 0x70, 0x00);
    expect(ofKind(c.sent, 0xe)).toEqual([
      [0xe8, 0x7f, 0x7f],
      [0xe8, 0x3f, 0x7c], // the top of this fader's travel: 15935
    ]);
    c.sent.length = 0;
    c.feed(0xe0, 0x3f, 0x7c);
    expect(f.store.value('ch/1/fader')).toBe(10);
  });
});

describe('banks across a main unit and an extender', () => {
  // positions of these dB values on a 14-bit fader, by the console law
  const DB = [-90, -60, -30, -20, -10, -5, 0, 5, 10];
  const PB = [0, 1024, 4096, 6144, 8192, 10239, 12287, 14335, 16383];
  const at = (ch: number) => PB[ch % 9];

  test('extender left: strips 1-8 on the XT, 9-16 on the main; bank right parks every fader exactly', () => {
    const f = surfaceFixture();
    for (let k = 1; k <= 32; k++) f.store.force(`ch/${k}/fader`, DB[k % 9], 'session');
    const { s, conns } = rig([XT, device('mcu')], { f, keep: true });
    const [xt, main] = conns;
    expect(ofKind(xt.sent, 0xe)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => pb(i, at(1 + i))));
    expect(ofKind(main.sent, 0xe).slice(0, 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => pb(i, at(9 + i))));
    expect(lcdOf(sysexCmd(xt.sent, 0x12)[0]).text.slice(0, 14)).toBe('Kick   Snare  ');
    expect(lcdOf(sysexCmd(main.sent, 0x12)[0]).text.slice(0, 14)).toBe('Ch 9   Ch 10  ');
    xt.sent.length = 0;
    main.sent.length = 0;

    main.feed(0x90, 0x6a, 0x7f); // a finger on the main unit's third fader (ch 11)
    expect(f.store.holder('ch/11/fader')).toBe('midi:mcu');
    main.feed(0x90, 0x2f, 0x7f); // bank right
    expect(status(s).bank).toBe('Inputs 17-32, V-Pots pan');
    expect(ofKind(xt.sent, 0xe)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => pb(i, at(17 + i))));
    expect(ofKind(main.sent, 0xe)).toEqual([0, 1, 3, 4, 5, 6, 7].map((i) => pb(i, at(25 + i))));
    // the lease moved with the bank
    expect(f.store.holder('ch/11/fader')).toBeUndefined();
    expect(f.store.holder('ch/27/fader')).toBe('midi:mcu');
    main.sent.length = 0;
    main.feed(0x90, 0x6a, 0x00);
    expect(ofKind(main.sent, 0xe)).toEqual([pb(2, at(27))]);

    // bank left: back, every fader again
    xt.sent.length = 0;
    main.sent.length = 0;
    main.feed(0x90, 0x2e, 0x7f);
    expect(ofKind(xt.sent, 0xe)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => pb(i, at(1 + i))));
    expect(ofKind(main.sent, 0xe)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => pb(i, at(9 + i))));
    // channel right: by one strip
    xt.sent.length = 0;
    main.feed(0x90, 0x31, 0x7f);
    expect(ofKind(xt.sent, 0xe)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => pb(i, at(2 + i))));
    expect(status(s).bank).toBe('Inputs 2-17, V-Pots pan');
  });

  test('empty strips park at 0 with LEDs, ring and LCD cells off; an offline unit keeps its place', () => {
    const f = surfaceFixture();
    for (let k = 13; k <= 16; k++) f.store.force(`ch/${k}/fader`, 0, 'session');
    f.store.force('ch/14/mute', 1, 'session');
    const { s, conns } = rig([XT, MCU], { f });
    const [xt, main] = conns;
    xt.unplug(); // the extender goes away: the main unit still shows strips 9-16
    main.feed(0x90, 0x43, 0x7f); // groups and VCAs: 4 + 8 = 12 strips, the main unit shows 9-12 and 4 empty
    expect(status(s).bank).toBe('Groups and VCAs 1-12, V-Pots pan');
    expect(ofKind(main.sent, 0xe).filter((m) => (m[0] & 15) >= 4 && (m[0] & 15) < 8)).toEqual([
      [0xe4, 0, 0],
      [0xe5, 0, 0],
      [0xe6, 0, 0],
      [0xe7, 0, 0],
    ]);
    expect(ofKind(main.sent, 0x9)).toContainEqual([0x90, 0x15, 0x00]); // ch 14's mute LED off
    const rings = ofKind(main.sent, 0xb).filter((m) => m[1] >= 0x34 && m[1] <= 0x37);
    expect(rings).toEqual([
      [0xb0, 0x34, 0x00],
      [0xb0, 0x35, 0x00],
      [0xb0, 0x36, 0x00],
      [0xb0, 0x37, 0x00],
    ]);
    const upper = sysexCmd(main.sent, 0x12).map(lcdOf).find((w) => w.offset === 0);
    expect(upper?.text).toBe('VCA 5  VCA 6  VCA 7  VCA 8  ' + ' '.repeat(28));
    expect(status(s).units.map((u) => u.connected)).toEqual([false, true]);
  });
});

describe('in step', () => {
  test('a second surface and a web client follow a fader; the second one cannot grab it meanwhile', async () => {
    const f = surfaceFixture();
    const a = rig([MCU], { f, id: 'a' });
    const b = rig([MCU], { f, id: 'b' });
    const web: ChangeEvent[][] = [];
    const sub = f.store.feedbackFor('ws:1', 10).subscribe((x) => web.push(x));
    a.conns[0].feed(0x90, 0x68, 0x7f, 0xe0, 0x11, 0x22);
    expect(ofKind(b.conns[0].sent, 0xe)).toEqual([[0xe0, 0x11, 0x22]]);
    expect(web[0]).toEqual([expect.objectContaining({ address: 'ch/1/fader', source: 'midi:a' })]);
    expect(Math.round(faderTaper.toPosition(web[0][0].value) * 16383)).toBe((0x22 << 7) | 0x11);
    // b's finger on the same fader: refused, snaps back on release to a's value
    b.conns[0].sent.length = 0;
    b.conns[0].feed(0x90, 0x68, 0x7f, 0xe0, 0x00, 0x40, 0x90, 0x68, 0x00);
    expect(ofKind(b.conns[0].sent, 0xe)).toEqual([
      [0xe0, 0x00, 0x40],
      [0xe0, 0x11, 0x22],
    ]);
    // a lets go; the web client moves it: both surfaces follow
    a.conns[0].feed(0x90, 0x68, 0x00);
    a.conns[0].sent.length = 0;
    b.conns[0].sent.length = 0;
    expect(f.store.set('ch/1/fader', -10, 'ws:1').ok).toBe(true);
    expect(ofKind(a.conns[0].sent, 0xe)).toEqual([[0xe0, 0x00, 0x40]]);
    // b had a change within the store's 10 ms feedback tick: this one comes coalesced at its end
    await vi.waitFor(() => expect(ofKind(b.conns[0].sent, 0xe)).toEqual([[0xe0, 0x00, 0x40]]), { timeout: 1000, interval: 5 });
    sub.unsubscribe();
    a.s.dispose();
    b.s.dispose();
  });
});

function findSeq(hay: readonly number[], needle: readonly number[]): number {
  for (let i = 0; i + needle.length <= hay.length; i++) if (needle.every((b, k) => hay[i + k] === b)) return i;
  return -1;
}

describe('two faders on one parameter', () => {
  test('the master layer: strip 1 and the master fader both move master/fader; letting go of one keeps the lease while the other is held', () => {
    const { f, s, conns } = rig([MCU]);
    const c = conns[0];
    c.feed(0x90, 0x44, 0x7f, 0x90, 0x44, 0x00); // view-outputs: the master layer
    c.feed(0x90, 0x68, 0x7f); // touch strip 1 (master/fader)
    c.feed(0x90, 0x70, 0x7f); // touch the master fader (master/fader too)
    expect(f.store.holder('master/fader')).toBe(s.source);
    c.feed(0x90, 0x68, 0x00); // strip 1 let go
    expect(f.store.holder('master/fader')).toBe(s.source);
    expect(f.store.set('master/fader', -20, 'ws:1')).toMatchObject({ ok: false, code: 'E_CONTROL_HELD' });
    c.feed(0x90, 0x70, 0x00); // the master fader let go too
    expect(f.store.holder('master/fader')).toBeUndefined();
  });
});
