/**
 * Generic MIDI surface, learn: declared controls, controls synthesised from what they send (CC,
 * 14-bit CC, NRPN, relative encoders, buttons, notes, pitch bend), the detection rule, and saving
 * and loading learnt mappings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseSynthesisedId, synthesisedId } from '../../src/surfaces/generic/controls.js';
import { createGenericSurface } from '../../src/surfaces/generic/driver.js';
import { detectCcControl, detectEncoding, LEARN_WINDOW_MS } from '../../src/surfaces/generic/learn.js';
import type { LearningSurface } from '../../src/surfaces/surface.js';
import type { DeviceSpec, Mapping, SurfaceProfile } from '../../src/surfaces/types.js';
import { fakeConnection, surfaceFixture, type FakeConnection, type SurfaceFixture } from '../helpers/surfaces.js';

const DEVICE: DeviceSpec = {
  id: 'learner',
  name: 'Learning controller',
  protocol: 'generic',
  ports: ['learner'],
  capabilities: ['ledFeedback'],
  controls: [
    { id: 'fader1', kind: 'fader', message: 'cc', channel: 1, number: 0 },
    { id: 'fader2', kind: 'fader', message: 'cc', channel: 1, number: 1 },
    { id: 'hires', kind: 'fader', message: 'cc14', channel: 1, number: 7 },
    { id: 'mute1', kind: 'button', message: 'note', channel: 1, number: 16 },
  ],
};

const MAPPINGS: Mapping[] = [
  { control: 'fader1', target: 'strip:1:fader' },
  { control: 'fader2', target: 'strip:2:fader' },
  { control: 'mute1', target: 'strip:1:mute' },
];

const open: LearningSurface[] = [];
afterEach(() => {
  while (open.length > 0) open.pop()?.dispose();
});

interface Rig {
  f: SurfaceFixture;
  s: LearningSurface;
  conn: FakeConnection;
  results: Array<Mapping | undefined>;
  /** Arm learn for `address`, recording what `done` gets. */
  learn(address: string): void;
}

function rig(f: SurfaceFixture = surfaceFixture(), profile: Partial<SurfaceProfile> = {}): Rig {
  const s = createGenericSurface(f.ctx, {
    id: 'learner',
    device: DEVICE,
    profile: { id: 'learner.default', device: 'learner', name: 'Learner', takeover: 'jump', mappings: MAPPINGS, ...profile },
  });
  open.push(s);
  const conn = fakeConnection('Learner');
  s.connect(0, conn);
  conn.sent.length = 0;
  const results: Array<Mapping | undefined> = [];
  return { f, s, conn, results, learn: (address) => s.learn(address, (m) => results.push(m)) };
}

describe('learn: declared controls and one-message controls', () => {
  it('a declared fader: bound on its first move, replacing its profile mapping', () => {
    const r = rig();
    r.learn('ch/5/fader');
    r.conn.feed(0xb0, 0x01, 0x40);
    expect(r.results).toEqual([{ control: 'fader2', target: 'ch/5/fader' }]);
    expect(r.f.store.value('ch/5/fader')).toBe(-14); // the learning move itself sets nothing
    r.conn.feed(0xb0, 0x01, 0x7f);
    expect(r.f.store.value('ch/5/fader')).toBe(10);
    expect(r.f.store.value('ch/2/fader')).toBe(-6); // strip 2 lost fader2
    expect(r.s.learnt()).toEqual([{ control: 'fader2', target: 'ch/5/fader' }]);
  });

  it('a declared 14-bit fader is bound when its pair completes', () => {
    const r = rig();
    r.learn('ch/6/fader');
    r.conn.feed(0xb0, 0x07, 0x10);
    expect(r.results).toEqual([]);
    r.conn.feed(0xb0, 0x27, 0x00);
    expect(r.results).toEqual([{ control: 'hires', target: 'ch/6/fader' }]);
  });

  it('a note: bound at once as a toggle button; pressing then toggles mute with LED bytes', () => {
    const r = rig();
    r.learn('ch/7/mute');
    r.conn.feed(0x90, 0x24, 0x7f);
    expect(r.results).toEqual([{ control: 'note:1:36', target: 'ch/7/mute' }]);
    expect(r.conn.sent).toEqual([[0x90, 0x24, 0x00]]); // its LED shows the state at once
    r.conn.feed(0x80, 0x24, 0x00);
    r.conn.feed(0x90, 0x24, 0x7f);
    expect(r.f.store.value('ch/7/mute')).toBe(1);
    r.conn.feed(0x90, 0x24, 0x00, 0x90, 0x24, 0x7f);
    expect(r.f.store.value('ch/7/mute')).toBe(0);
    expect(r.conn.sent).toEqual([
      [0x90, 0x24, 0x00],
      [0x90, 0x24, 0x7f],
      [0x90, 0x24, 0x00],
    ]);
  });

  it('a note-off while armed is not a move: nothing is learnt from it', () => {
    const r = rig();
    r.learn('ch/7/mute');
    r.conn.feed(0x80, 0x24, 0x00, 0x90, 0x10, 0x00);
    expect(r.results).toEqual([]);
  });

  it('pitch bend on channel 4 is a fader `pb:4`', () => {
    const r = rig();
    r.learn('ch/8/fader');
    r.conn.feed(0xe3, 0x7f, 0x7f);
    expect(r.results).toEqual([{ control: 'pb:4', target: 'ch/8/fader' }]);
    r.conn.feed(0xe3, 0x00, 0x00);
    expect(r.f.store.value('ch/8/fader')).toBe(-90);
  });

  it('cancelLearn calls done(undefined); the next move goes to its mapping', () => {
    const r = rig();
    r.learn('ch/5/fader');
    r.s.cancelLearn();
    expect(r.results).toEqual([undefined]);
    r.conn.feed(0xb0, 0x00, 0x00);
    expect(r.f.store.value('ch/1/fader')).toBe(-90);
    r.s.cancelLearn();
    expect(r.results).toEqual([undefined]);
  });

  it('arming again cancels the first learn', () => {
    const r = rig();
    r.learn('ch/5/fader');
    r.learn('ch/6/fader');
    r.conn.feed(0xb0, 0x00, 0x10);
    expect(r.results).toEqual([undefined, { control: 'fader1', target: 'ch/6/fader' }]);
  });

  it('learn() refuses an unknown target with E_LEARN_TARGET', () => {
    const r = rig();
    expect(() => r.s.learn('ch/99/fader', () => {})).toThrow(expect.objectContaining({ code: 'E_LEARN_TARGET' }));
    expect(() => r.s.learn('strip:0:fader', () => {})).toThrow(expect.objectContaining({ code: 'E_LEARN_TARGET' }));
    expect(() => r.s.learn('action:launch', () => {})).toThrow(expect.objectContaining({ code: 'E_LEARN_TARGET' }));
  });
});

describe('learn: CCs decided after the window', () => {
  /** Feed CC messages on channel 1 at 10 ms intervals from t0, then tick past the window. */
  function ccs(r: Rig, t0: number, pairs: Array<[number, number]>): void {
    const before = r.results.length;
    pairs.forEach(([cc, v], i) => {
      r.f.setTime(t0 + i * 10);
      r.conn.feed(0xb0, cc, v);
    });
    r.s.tick(t0 + LEARN_WINDOW_MS - 1);
    expect(r.results.length).toBe(before);
    r.s.tick(t0 + LEARN_WINDOW_MS);
  }

  it('an absolute CC knob `cc:1:5`, which then sets its parameter', () => {
    const r = rig();
    r.learn('ch/6/fader');
    ccs(r, 2000, [
      [5, 10],
      [5, 11],
      [5, 12],
    ]);
    expect(r.results).toEqual([{ control: 'cc:1:5', target: 'ch/6/fader' }]);
    r.conn.feed(0xb0, 0x05, 0x7f);
    expect(r.f.store.value('ch/6/fader')).toBe(10);
  });

  it('a twos-complement encoder (01 01 01) `cc:1:40:twos-complement`, which then turns pan', () => {
    const r = rig();
    r.learn('ch/2/pan');
    ccs(r, 2000, [
      [40, 1],
      [40, 1],
      [40, 1],
    ]);
    expect(r.results).toEqual([{ control: 'cc:1:40:twos-complement', target: 'ch/2/pan' }]);
    r.conn.feed(0xb0, 40, 0x7d); // -3 ticks
    expect(r.f.store.value('ch/2/pan')).toBeCloseTo(-6, 9);
  });

  it('binary-offset (41 41 3F) and sign-magnitude (01 41 01 41 41) encoders', () => {
    const r = rig();
    r.learn('ch/2/pan');
    ccs(r, 2000, [
      [41, 0x41],
      [41, 0x41],
      [41, 0x3f],
    ]);
    r.learn('ch/3/pan');
    ccs(r, 3000, [
      [42, 0x01],
      [42, 0x41],
      [42, 0x01],
      [42, 0x41],
      [42, 0x41],
    ]);
    expect(r.results).toEqual([
      { control: 'cc:1:41:binary-offset', target: 'ch/2/pan' },
      { control: 'cc:1:42:sign-magnitude', target: 'ch/3/pan' },
    ]);
    r.conn.feed(0xb0, 42, 0x42); // sign-magnitude: -2 ticks on pan 30
    expect(r.f.store.value('ch/3/pan')).toBeCloseTo(26, 9);
  });

  it('a CC button (7F 00) `cc:1:80:button`, which then toggles', () => {
    const r = rig();
    r.learn('ch/9/mute');
    ccs(r, 2000, [
      [80, 0x7f],
      [80, 0x00],
    ]);
    expect(r.results).toEqual([{ control: 'cc:1:80:button', target: 'ch/9/mute' }]);
    r.conn.feed(0xb0, 80, 0x7f, 0xb0, 80, 0x00);
    expect(r.f.store.value('ch/9/mute')).toBe(1);
    expect(r.conn.sent).toEqual([
      [0xb0, 80, 0x00],
      [0xb0, 80, 0x7f],
    ]);
  });

  it('a 14-bit pair (CC 10 / 42) `cc14:1:10`', () => {
    const r = rig();
    r.learn('ch/10/fader');
    ccs(r, 2000, [
      [10, 0x20],
      [42, 0x00],
      [10, 0x21],
      [42, 0x10],
    ]);
    expect(r.results).toEqual([{ control: 'cc14:1:10', target: 'ch/10/fader' }]);
    r.conn.feed(0xb0, 10, 0x7f, 0xb0, 42, 0x7f);
    expect(r.f.store.value('ch/10/fader')).toBe(10);
  });

  it('an NRPN 14-bit knob `nrpn14:1:259`, which then sets its parameter', () => {
    const r = rig();
    r.learn('ch/1/eq/1/gain');
    ccs(r, 2000, [
      [99, 0x02],
      [98, 0x03],
      [6, 0x10],
      [38, 0x00],
    ]);
    expect(r.results).toEqual([{ control: 'nrpn14:1:259', target: 'ch/1/eq/1/gain' }]);
    r.conn.feed(0xb0, 99, 0x02, 0xb0, 98, 0x03, 0xb0, 6, 0x7f, 0xb0, 38, 0x7f);
    expect(r.f.store.value('ch/1/eq/1/gain')).toBe(15);
  });

  it('an RPN learns nothing; learn stays armed', () => {
    const r = rig();
    r.learn('ch/2/pan');
    ccs(r, 2000, [
      [101, 0],
      [100, 0],
      [6, 2],
    ]);
    expect(r.results).toEqual([]);
    r.conn.feed(0x90, 0x30, 0x7f);
    expect(r.results).toEqual([{ control: 'note:1:48', target: 'ch/2/pan' }]);
  });

  it('a learnt control is known from then on (bound at its first message); the new mapping replaces the old', () => {
    const r = rig();
    r.learn('ch/2/pan');
    ccs(r, 2000, [
      [44, 1],
      [44, 1],
    ]);
    r.learn('ch/3/pan');
    r.conn.feed(0xb0, 44, 1);
    expect(r.results).toEqual([
      { control: 'cc:1:44:twos-complement', target: 'ch/2/pan' },
      { control: 'cc:1:44:twos-complement', target: 'ch/3/pan' },
    ]);
    expect(r.s.learnt()).toEqual([{ control: 'cc:1:44:twos-complement', target: 'ch/3/pan' }]);
    r.conn.feed(0xb0, 44, 1);
    expect(r.f.store.value('ch/2/pan')).toBe(0);
    expect(r.f.store.value('ch/3/pan')).toBeCloseTo(32, 9);
  });
});

describe('learn: the detection rule', () => {
  it('relative only with a repeated single tick inside one band', () => {
    expect(detectEncoding([1, 1, 1])).toBe('twos-complement');
    expect(detectEncoding([127, 127, 126])).toBe('twos-complement');
    expect(detectEncoding([1, 127, 127])).toBe('twos-complement');
    expect(detectEncoding([65, 65, 63])).toBe('binary-offset');
    expect(detectEncoding([63, 63])).toBe('binary-offset');
    expect(detectEncoding([1, 65, 65])).toBe('sign-magnitude');
    // Absolute controls: no repeats, or not single ticks, or outside the bands.
    expect(detectEncoding([10, 11, 12])).toBeUndefined();
    expect(detectEncoding([62, 63])).toBeUndefined();
    expect(detectEncoding([125, 126, 127])).toBeUndefined();
    expect(detectEncoding([5, 5, 6])).toBeUndefined();
    expect(detectEncoding([64, 64])).toBeUndefined();
    expect(detectEncoding([1])).toBeUndefined();
    expect(detectEncoding([127])).toBeUndefined();
  });

  it('buttons, knobs, pairs and channels', () => {
    const on = (channel: number, controller: number, value: number) => ({ channel, controller, value });
    expect(detectCcControl([on(0, 80, 127)])).toEqual({ kind: 'button', message: 'cc', channel: 1, number: 80 });
    expect(detectCcControl([on(2, 3, 0), on(2, 3, 1)])).toEqual({ kind: 'knob', message: 'cc', channel: 3, number: 3 });
    expect(detectCcControl([on(0, 39, 5), on(0, 7, 1)])).toEqual({ kind: 'knob', message: 'cc14', channel: 1, number: 7 });
    expect(detectCcControl([on(0, 99, 0), on(0, 98, 9), on(0, 6, 1)])).toEqual({ kind: 'knob', message: 'nrpn', channel: 1, number: 9 });
    expect(detectCcControl([on(0, 5, 0)])).toEqual({ kind: 'knob', message: 'cc', channel: 1, number: 5 });
    expect(detectCcControl([on(0, 5, 127), on(0, 5, 0), on(0, 5, 127)])).toEqual({ kind: 'button', message: 'cc', channel: 1, number: 5 });
    // Another channel's messages do not count.
    expect(detectCcControl([on(0, 20, 1), on(1, 20, 1), on(0, 20, 1)])).toEqual({ kind: 'encoder', message: 'cc', channel: 1, number: 20, encoding: 'twos-complement' });
    expect(detectCcControl([])).toBeUndefined();
  });

  it('synthesised ids round trip, and bad ids are refused', () => {
    for (const id of ['cc:1:7', 'cc:16:127:button', 'cc:2:16:sign-magnitude-positive', 'cc14:1:31', 'nrpn:1:16383', 'nrpn14:3:0', 'note:1:36', 'pb:9', 'prog:1']) {
      const c = parseSynthesisedId(id);
      expect(c?.id).toBe(id);
      expect(synthesisedId(c!)).toBe(id);
    }
    for (const id of ['cc:0:7', 'cc:17:7', 'cc:1:128', 'cc14:1:32', 'cc:1:7:fast', 'nrpn:1:16384', 'pb:1:2', 'note:1', 'fader1', '', 'cc:1:07x']) {
      expect(parseSynthesisedId(id), id).toBeUndefined();
    }
  });
});

describe('learn: saving and loading', () => {
  it('learnt() is plain JSON; setLearnt() on a new surface rebuilds synthesised controls', () => {
    const f = surfaceFixture();
    const a = rig(f);
    a.learn('ch/7/mute');
    a.conn.feed(0x90, 0x24, 0x7f);
    a.learn('ch/2/pan');
    a.f.setTime(5000);
    a.conn.feed(0xb0, 40, 1, 0xb0, 40, 1);
    a.s.tick(5000 + LEARN_WINDOW_MS);
    const saved = JSON.parse(JSON.stringify(a.s.learnt())) as Mapping[];
    expect(saved).toEqual([
      { control: 'note:1:36', target: 'ch/7/mute' },
      { control: 'cc:1:40:twos-complement', target: 'ch/2/pan' },
    ]);
    a.s.dispose();

    const b = rig(f);
    b.s.setLearnt(saved);
    expect(b.s.learnt()).toEqual(saved);
    b.conn.feed(0x90, 0x24, 0x7f, 0xb0, 40, 0x02);
    expect(f.store.value('ch/7/mute')).toBe(1);
    expect(f.store.value('ch/2/pan')).toBeCloseTo(4, 9);
    expect(f.events).toEqual([]);
  });

  it('invalid saved mappings are skipped and reported with E_LEARN_INVALID; the valid ones load', () => {
    const f = surfaceFixture();
    const r = rig(f);
    const bad: unknown[] = [
      { control: 'cc:17:1', target: 'ch/1/fader' },
      { control: 'knob99', target: 'ch/1/fader' },
      { control: 'cc:1:5', target: 'ch/99/fader' },
      { control: 'cc:1:5', target: 'ch/1/fader', takeover: 'sometimes' },
      { control: 'cc:1:5', target: 'ch/1/fader', min: 2 },
      { control: 'note:1:40', target: 'ch/1/mute', button: 'hold' },
      'cc:1:5',
      null,
      { control: 'cc:1:6', target: 'ch/11/fader', step: 0.02, extra: 'dropped' },
    ];
    r.s.setLearnt(bad as Mapping[]);
    expect(r.s.learnt()).toEqual([{ control: 'cc:1:6', target: 'ch/11/fader', step: 0.02 }]);
    expect(f.events.map((e) => e.code)).toEqual(Array(8).fill('E_LEARN_INVALID'));
    expect(f.events.every((e) => e.surface === 'learner' && e.level === 'warn')).toBe(true);
    r.s.setLearnt('nonsense' as unknown as Mapping[]);
    expect(r.s.learnt()).toEqual([]);
    expect(f.events.length).toBe(9);
  });

  it('a learnt strip target widens a bank the profile did not size', () => {
    const r = rig();
    r.s.setLearnt([{ control: 'cc:1:9', target: 'strip:4:fader' }]);
    expect(r.s.status().bank).toBe('Inputs 1-4, selected ch/1');
    r.conn.feed(0xb0, 9, 0x7f);
    expect(r.f.store.value('ch/4/fader')).toBe(10);
  });

  it('a profile mapping naming an unknown control or target is skipped and reported', () => {
    const f = surfaceFixture();
    rig(f, {
      mappings: [
        { control: 'nothing', target: 'ch/1/fader' },
        { control: 'fader1', target: 'strip:1:wobble' },
      ],
    });
    expect(f.events.map((e) => e.code)).toEqual(['E_SURFACE_MAPPING', 'E_SURFACE_MAPPING']);
  });
});
