/**
 * Mackie driver on fake connections: the SysEx conversation (model byte, challenge, version,
 * reboot) and the strip meters (scale, peaks only against the unit's own fall, overload).
 */
import { describe, expect, test } from 'vitest';
import type { MackieStatus } from '../../src/surfaces/mackie/driver.js';
import { meterLevel, MeterModel } from '../../src/surfaces/mackie/meters.js';
import { surfaceFixture } from '../helpers/surfaces.js';
import { device, MCU, ofKind, PROFILE, rig, sysexCmd, XT } from './mackie-fixture.js';

const T0 = 1_000_000;
const status = (s: { status(): unknown }) => s.status() as MackieStatus;
const SERIAL = [0x58, 0x59, 0x5a, 0x57, 0x18, 0x61, 0x05];
const CHALLENGE = [0x57, 0x18, 0x61, 0x05];
const hostQuery = (model: number) => [0xf0, 0x00, 0x00, 0x66, model, 0x01, ...SERIAL, ...CHALLENGE, 0xf7];

describe('SysEx', () => {
  test("the unit's own model byte replaces the configured one, and what went out before goes again", () => {
    const { f, s, conns } = rig([XT]);
    const c = conns[0];
    c.feed(...hostQuery(0x14)); // an extender that answers as a main unit
    expect(f.events.map((e) => e.code)).toEqual(['MACKIE_MODEL']);
    expect(status(s).models).toEqual([{ model: 0x14 }]);
    const sysex = ofKind(c.sent, 0xf);
    expect(sysexCmd(sysex, 0x00)).toEqual([]); // no second device query
    expect(sysexCmd(sysex, 0x20)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [0xf0, 0, 0, 0x66, 0x14, 0x20, i, 0x01, 0xf7]));
    expect(sysexCmd(sysex, 0x12).map((m) => m.slice(0, 7))).toEqual([
      [0xf0, 0, 0, 0x66, 0x14, 0x12, 0x00],
      [0xf0, 0, 0, 0x66, 0x14, 0x12, 0x38],
    ]);
    expect(ofKind(c.sent, 0xe)).toHaveLength(8);
  });

  test('Logic Control: challenge answered, confirmation -> version request, version kept', () => {
    const lc = device('lc', { model: 0x10, caps: [...MCU.capabilities, 'challenge'] });
    const { f, s, conns } = rig([lc]);
    const c = conns[0];
    c.feed(...hostQuery(0x10));
    expect(c.sent).toEqual([[0xf0, 0x00, 0x00, 0x66, 0x10, 0x02, ...SERIAL, 0x64, 0x5a, 0x5e, 0x57, 0xf7]]);
    c.sent.length = 0;
    c.feed(0xf0, 0x00, 0x00, 0x66, 0x10, 0x03, ...SERIAL, 0xf7);
    expect(c.sent).toEqual([[0xf0, 0x00, 0x00, 0x66, 0x10, 0x13, 0x00, 0xf7]]);
    c.feed(0xf0, 0x00, 0x00, 0x66, 0x10, 0x14, 0x56, 0x31, 0x2e, 0x30, 0x32, 0xf7);
    expect(status(s).models).toEqual([{ model: 0x10, version: 'V1.02' }]);
    c.feed(0xf0, 0x00, 0x00, 0x66, 0x10, 0x04, ...SERIAL, 0xf7);
    expect(f.events.map((e) => e.code)).toEqual(['E_MACKIE_CHALLENGE']);
    c.feed(0xf0, 0x00, 0x00, 0x66, 0x10, 0x06, 0xf7); // a command with nothing to do
    expect(status(s)).toMatchObject({ ignored: 1, dropped: 0 });
  });

  test('a unit that reboots (its boot message well after the query) is sent everything again', () => {
    const { f, conns } = rig([MCU], { keep: true });
    const c = conns[0];
    const first = c.bytes();
    c.sent.length = 0;
    f.setTime(T0 + 5000);
    c.feed(...hostQuery(0x14)); // REAPER's observed MCU boot message
    expect(f.events.map((e) => e.code)).toEqual(['MACKIE_RESET']);
    expect(first.slice(0, 7)).toEqual([0xf0, 0, 0, 0x66, 0x14, 0x00, 0xf7]);
    expect(c.bytes()).toEqual(first.slice(7)); // everything but the device query
  });

  test('with the challenge capability a reboot is answered first, then refreshed', () => {
    const lc = device('lc', { model: 0x10, caps: [...MCU.capabilities, 'challenge'] });
    const { f, conns } = rig([lc], { keep: true });
    const c = conns[0];
    const first = c.bytes();
    c.sent.length = 0;
    f.setTime(T0 + 1001);
    c.feed(...hostQuery(0x10));
    expect(c.sent[0]).toEqual([0xf0, 0x00, 0x00, 0x66, 0x10, 0x02, ...SERIAL, 0x64, 0x5a, 0x5e, 0x57, 0xf7]);
    expect(c.sent.slice(1).flat()).toEqual(first.slice(7));
  });
});

describe('meters', () => {
  test('scale: 0x0C at 0 dBFS and above down to 0x01 at -60, 0 below', () => {
    const table: Array<[number, number]> = [
      [6, 12], [0, 12], [-0.01, 11], [-2, 11], [-4, 10], [-6, 9], [-8, 8], [-10, 7], [-10.5, 6], [-14, 6],
      [-20, 5], [-30, 4], [-40, 3], [-50, 2], [-60, 1], [-60.01, 0], [-120, 0], [Number.NaN, 0],
    ];
    for (const [db, level] of table) expect(meterLevel(db), `${db} dBFS`).toBe(level);
  });

  test('peaks only, against the unit falling 300 ms a segment; overload on at 0 dBFS, off after 2 s below', () => {
    const m = new MeterModel();
    expect(m.update('ch/1', -5, 0)).toEqual([9]);
    expect(m.update('ch/1', -5, 299)).toEqual([]);
    expect(m.shown(299)).toBe(9);
    expect(m.update('ch/1', -5, 300)).toEqual([9]);
    expect(m.update('ch/1', 0, 400)).toEqual([12, 0x0e]);
    expect(m.update('ch/1', 1, 500)).toEqual([]);
    expect(m.shown(500 + 3 * 300)).toBe(9);
    expect(m.update('ch/1', -120, 2499)).toEqual([]);
    expect(m.update('ch/1', -120, 2500)).toEqual([0x0f]);
    expect(m.shown(500 + 12 * 300)).toBe(0);
    expect(m.update('ch/1', -120, 9000)).toEqual([]);
    // a new strip under the meter clears an overload that was not its own
    m.update('ch/1', 0, 10_000);
    expect(m.update('ch/9', -120, 10_100)).toEqual([0x0f]);
  });

  test('driver: channel pressure per strip from the louder side; the unit decays, overload E then F', () => {
    const { f, s, conns } = rig([MCU]);
    const c = conns[0];
    const at = (point: string) => f.ctx.meters?.layout.offsetOf(point) ?? -1;
    const set = (point: string, l: number, r: number) => {
      f.meterValues[at(point)] = l;
      f.meterValues[at(point) + 1] = r;
    };
    const step = (t: number) => {
      c.sent.length = 0;
      f.setTime(t);
      s.tick(t);
      return ofKind(c.sent, 0xd);
    };
    set('ch/1', -5, -8);
    set('ch/2', -30, -9);
    expect(step(T0)).toEqual([
      [0xd0, 0x09],
      [0xd0, 0x17],
    ]);
    set('ch/2', -120, -120);
    expect(step(T0 + 100)).toEqual([]);
    expect(step(T0 + 300)).toEqual([[0xd0, 0x09]]);
    set('ch/1', 0.5, -3);
    expect(step(T0 + 400)).toEqual([
      [0xd0, 0x0c],
      [0xd0, 0x0e],
    ]);
    set('ch/1', -120, -120);
    for (let t = T0 + 430; t < T0 + 2400; t += 30) expect(step(t), `at +${t - T0} ms`).toEqual([]);
    expect(step(T0 + 2410)).toEqual([[0xd0, 0x0f]]);
    for (let t = T0 + 2440; t < T0 + 6000; t += 30) expect(step(t)).toEqual([]);
    set('ch/1', 0, 0);
    expect(step(T0 + 6000)).toEqual([
      [0xd0, 0x0c],
      [0xd0, 0x0e],
    ]);
    c.feed(0x90, 0x2f, 0x7f); // bank right: the meter now shows ch 9, silent: the overload goes
    expect(step(T0 + 6030)).toEqual([[0xd0, 0x0f]]);
  });

  test('meters off in the profile: meter mode off, no channel pressure', () => {
    const f = surfaceFixture();
    f.meterValues[f.ctx.meters?.layout.offsetOf('ch/1') ?? -1] = -3;
    const { s, conns } = rig([MCU], { f, keep: true, profile: { ...PROFILE, mackie: { ...PROFILE.mackie, buttons: PROFILE.mackie?.buttons ?? {}, meters: false } } });
    expect(sysexCmd(conns[0].sent, 0x20)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [0xf0, 0, 0, 0x66, 0x14, 0x20, i, 0x00, 0xf7]));
    s.tick(T0);
    expect(ofKind(conns[0].sent, 0xd)).toEqual([]);
  });
});
