import { afterEach, describe, expect, it, vi } from 'vitest';
import { ControlStore, coalesce, type ChangeEvent, type LeaseView, type SetResult } from '../../src/control/store.js';
import { defaultLayout } from '../../src/model/layout.js';
import { MixhostError, ParamRegistry } from '../../src/model/registry.js';

const reg = new ParamRegistry(defaultLayout());

/** A store with a hand-driven clock. */
function fakeClockStore(historySize?: number): { store: ControlStore; clock: { now: number } } {
  const clock = { now: 1_000_000 };
  const store = new ControlStore(reg, undefined, { clock: () => clock.now, historySize });
  return { store, clock };
}

function event(r: SetResult): ChangeEvent | null {
  if (!r.ok) throw new Error(`refused: ${r.code}: ${r.message}`);
  return r.event;
}

describe('ControlStore: values and sequence', () => {
  it('numbers 1000 changes 1..1000 without gaps, in order, on changes$ and in the results', () => {
    const { store } = fakeClockStore();
    const seen: number[] = [];
    store.changes$.subscribe((e) => seen.push(e.seq));
    const returned: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const addr = `ch/${(i % 32) + 1}/fader`;
      returned.push(event(store.set(addr, -80 + (i % 89) + 0.5, 'ws:1'))!.seq);
    }
    const expected = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(returned).toEqual(expected);
    expect(seen).toEqual(expected);
    expect(store.seq).toBe(1000);
    store.dispose();
  });

  it('keeps sequence order for a subscriber that sets while being told of a change', () => {
    const { store } = fakeClockStore();
    const first: number[] = [];
    const second: number[] = [];
    // A link: when ch/1 moves, ch/2 follows (synchronously, from inside the delivery).
    store.changes$.subscribe((e) => {
      first.push(e.seq);
      if (e.address === 'ch/1/fader') store.force('ch/2/fader', e.value, 'link');
    });
    store.changes$.subscribe((e) => second.push(e.seq));
    store.set('ch/1/fader', -6, 'A');
    expect(first).toEqual([1, 2]);
    expect(second).toEqual([1, 2]);
    expect(store.value('ch/2/fader')).toBe(-6);
  });

  it('clamps to the descriptor range: the fader stops at +10 dB and −90 dB', () => {
    const { store } = fakeClockStore();
    const e = event(store.set('ch/1/fader', 25, 'A'))!;
    expect(e.value).toBe(10);
    expect(store.value('ch/1/fader')).toBe(10);
    expect(event(store.set('ch/1/fader', -500, 'A'))!.value).toBe(-90);
    // Clamped to the same value as before: no change.
    expect(event(store.set('ch/1/fader', -200, 'A'))).toBeNull();
    expect(store.seq).toBe(2);
  });

  it('rounds enums and switches to their steps', () => {
    const { store } = fakeClockStore();
    expect(event(store.set('monitor/solo/mode', 1.4, 'A'))!.value).toBe(1);
    expect(event(store.set('monitor/solo/mode', 1.6, 'A'))!.value).toBe(2);
    expect(event(store.set('monitor/solo/mode', 9, 'A'))).toBeNull(); // clamps to 2: unchanged
    expect(event(store.set('ch/1/mute', 0.7, 'A'))!.value).toBe(1);
    expect(event(store.set('ch/1/mute', -0.3, 'A'))!.value).toBe(0);
    expect(Object.is(store.value('ch/1/mute'), 0)).toBe(true); // not −0
  });

  it('refuses unknown addresses and non-finite values with their codes, changing nothing', () => {
    const { store } = fakeClockStore();
    const r1 = store.set('ch/1/nope', 0, 'A');
    expect(r1).toMatchObject({ ok: false, code: 'E_PARAM_UNKNOWN' });
    expect(!r1.ok && r1.message).toContain('ch/1/nope');
    expect(store.set('ch/1/fader', Number.NaN, 'A')).toMatchObject({ ok: false, code: 'E_PARAM_VALUE' });
    expect(store.set('ch/1/fader', Number.POSITIVE_INFINITY, 'A')).toMatchObject({ ok: false, code: 'E_PARAM_VALUE' });
    expect(store.set('ch/1/fader', '3' as unknown as number, 'A')).toMatchObject({ ok: false, code: 'E_PARAM_VALUE' });
    expect(store.setPosition('ch/1/fader', Number.NaN, 'A')).toMatchObject({ ok: false, code: 'E_PARAM_VALUE' });
    expect(store.seq).toBe(0);
    expect(store.value('ch/1/fader')).toBe(0);
    expect(() => store.value('ch/1/nope')).toThrow(MixhostError);
    expect(() => store.force('ch/1/fader', Number.NaN, 'engine')).toThrow(expect.objectContaining({ code: 'E_PARAM_VALUE' }));
    expect(() => store.force('x/y', 1, 'engine')).toThrow(expect.objectContaining({ code: 'E_PARAM_UNKNOWN' }));
  });

  it('an equal value is no change: no event, no sequence number', () => {
    const { store } = fakeClockStore();
    const seen: ChangeEvent[] = [];
    store.changes$.subscribe((e) => seen.push(e));
    expect(store.set('ch/1/fader', 0, 'A')).toEqual({ ok: true, event: null }); // the default is 0 dB
    expect(event(store.set('ch/1/fader', -3, 'A'))!.seq).toBe(1);
    expect(event(store.set('ch/1/fader', -3, 'B'))).toBeNull();
    expect(seen.map((e) => [e.address, e.value, e.seq])).toEqual([['ch/1/fader', -3, 1]]);
  });

  it('setPosition goes through the fader law: 0 → −90 dB (−∞), 0.75 → 0 dB, 1 → +10 dB, 0.5 → −10 dB', () => {
    const { store } = fakeClockStore();
    expect(event(store.setPosition('ch/3/fader', 0, 'A'))!.value).toBe(-90);
    expect(event(store.setPosition('ch/3/fader', 0.75, 'A'))!.value).toBe(0);
    expect(event(store.setPosition('ch/3/fader', 1, 'A'))!.value).toBe(10);
    expect(event(store.setPosition('ch/3/fader', 0.5, 'A'))!.value).toBe(-10);
    expect(event(store.setPosition('ch/3/fader', 0.25, 'A'))!.value).toBe(-30);
    expect(event(store.setPosition('ch/3/fader', 2, 'A'))!.value).toBe(10); // position clamped
    // An enum through its taper: 3 solo modes, position 0.5 is the middle one.
    expect(event(store.setPosition('monitor/solo/mode', 0.5, 'A'))!.value).toBe(1);
  });

  it('stamps events with address, index, source and the clock', () => {
    const { store, clock } = fakeClockStore();
    clock.now = 1234;
    const e = event(store.set('bus/2/mute', 1, 'midi:xtouch'))!;
    expect(e).toEqual({ address: 'bus/2/mute', index: reg.index('bus/2/mute'), value: 1, source: 'midi:xtouch', seq: 1, time: 1234 });
  });

  it('copies the initial table and gives snapshots as copies', () => {
    const table = reg.createTable();
    table[reg.index('ch/1/fader')] = -12;
    const store = new ControlStore(reg, table);
    table[reg.index('ch/1/fader')] = -50;
    expect(store.value('ch/1/fader')).toBe(-12);
    const snap = store.snapshot();
    expect(snap.seq).toBe(0);
    expect(snap.values[reg.index('ch/1/fader')]).toBe(-12);
    snap.values[reg.index('ch/1/fader')] = 5;
    expect(store.value('ch/1/fader')).toBe(-12);
    store.set('ch/1/fader', -1, 'A');
    expect(snap.values[reg.index('ch/1/fader')]).toBe(5);
    expect(store.snapshot()).toMatchObject({ seq: 1 });
    expect(store.snapshot().values[reg.index('ch/1/fader')]).toBe(-1);
    expect(() => new ControlStore(reg, new Float64Array(3))).toThrow(RangeError);
    store.dispose();
  });
});

describe('ControlStore: touch leases', () => {
  it('A touches; B is refused naming A; A sets and renews; the lease expires after its ttl', () => {
    const { store, clock } = fakeClockStore();
    expect(store.touch('ch/1/fader', 'A', 2000)).toEqual({ ok: true });
    expect(store.holder('ch/1/fader')).toBe('A');
    const refused = store.set('ch/1/fader', -20, 'B');
    expect(refused).toMatchObject({ ok: false, code: 'E_CONTROL_HELD' });
    expect(!refused.ok && refused.message).toContain('held by A');
    expect(store.setPosition('ch/1/fader', 0.1, 'B')).toMatchObject({ ok: false, code: 'E_CONTROL_HELD' });
    expect(store.touch('ch/1/fader', 'B')).toMatchObject({ ok: false, code: 'E_CONTROL_HELD' });
    expect(store.value('ch/1/fader')).toBe(0);

    clock.now += 1500;
    expect(event(store.set('ch/1/fader', -6, 'A'))!.value).toBe(-6); // renews to now + 2000
    clock.now += 1500; // 3000 after the touch: alive only because of the renewal
    expect(store.holder('ch/1/fader')).toBe('A');
    expect(store.set('ch/1/fader', -20, 'B')).toMatchObject({ ok: false, code: 'E_CONTROL_HELD' });
    clock.now += 499;
    expect(store.holder('ch/1/fader')).toBe('A');
    clock.now += 1; // exactly 2000 after the last set: expired
    expect(store.holder('ch/1/fader')).toBeUndefined();
    expect(event(store.set('ch/1/fader', -20, 'B'))!.value).toBe(-20);
    // Others' addresses were never held.
    expect(event(store.set('ch/2/fader', -1, 'B'))!.source).toBe('B');
  });

  it('force() is never refused by a lease', () => {
    const { store } = fakeClockStore();
    store.touch('ch/1/fader', 'A');
    expect(store.force('ch/1/fader', -7, 'session')!.value).toBe(-7);
    expect(store.holder('ch/1/fader')).toBe('A');
  });

  it('release by another source is a no-op; by the holder it frees; releaseAll drops a source', () => {
    const { store } = fakeClockStore();
    store.touch('ch/1/fader', 'A');
    store.touch('ch/2/fader', 'A');
    store.touch('ch/3/fader', 'C');
    expect(store.release('ch/1/fader', 'B')).toBe(false);
    expect(store.holder('ch/1/fader')).toBe('A');
    expect(store.release('ch/1/fader', 'A')).toBe(true);
    expect(store.holder('ch/1/fader')).toBeUndefined();
    expect(store.release('ch/1/fader', 'A')).toBe(false);
    expect(event(store.set('ch/1/fader', -2, 'B'))!.value).toBe(-2);
    store.releaseAll('A');
    expect(store.holder('ch/2/fader')).toBeUndefined();
    expect(store.holder('ch/3/fader')).toBe('C');
    expect(store.touch('nope', 'A')).toMatchObject({ ok: false, code: 'E_PARAM_UNKNOWN' });
    expect(store.touch('ch/1/fader', 'A', 0)).toMatchObject({ ok: false, code: 'E_PARAM_VALUE' });
  });

  it('leases$ emits the holders on every lease change, and expiry on sweep()', () => {
    const { store, clock } = fakeClockStore();
    const views: Array<Record<string, string>> = [];
    store.leases$.subscribe((m: LeaseView) => views.push(Object.fromEntries([...m].map(([a, l]) => [a, l.source]))));
    expect(views).toEqual([{}]); // the current map on subscribe
    store.touch('ch/1/fader', 'A', 1000);
    store.touch('ch/2/fader', 'B', 3000);
    let last: LeaseView | undefined;
    store.leases$.subscribe((m) => (last = m)).unsubscribe();
    expect(last!.get('ch/1/fader')).toEqual({ source: 'A', expires: clock.now + 1000 });
    store.release('ch/2/fader', 'B');
    store.touch('ch/2/fader', 'B', 3000);
    clock.now += 1000;
    expect(store.sweep()).toBe(1);
    expect(store.sweep()).toBe(0); // nothing left to expire: no emission
    store.releaseAll('B');
    store.releaseAll('B'); // holds nothing any more: no emission
    expect(views).toEqual([{}, { 'ch/1/fader': 'A' }, { 'ch/1/fader': 'A', 'ch/2/fader': 'B' }, { 'ch/1/fader': 'A' }, { 'ch/1/fader': 'A', 'ch/2/fader': 'B' }, { 'ch/2/fader': 'B' }, {}]);
  });
});

describe('ControlStore: with the real clock (fake timers)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a timer publishes an expired lease on leases$', () => {
    vi.useFakeTimers({ now: 50_000 });
    const store = new ControlStore(reg);
    const holders: string[][] = [];
    store.leases$.subscribe((m) => holders.push([...m.values()].map((l) => l.source)));
    store.touch('ch/1/fader', 'A', 500);
    vi.advanceTimersByTime(499);
    expect(holders).toEqual([[], ['A']]);
    vi.advanceTimersByTime(1);
    expect(holders).toEqual([[], ['A'], []]);
    expect(store.holder('ch/1/fader')).toBeUndefined();
    store.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('feedbackFor: no echo; the first change at once, then one event per address per tick with the latest value, in sequence order', () => {
    vi.useFakeTimers({ now: 0 });
    const store = new ControlStore(reg);
    const toA: ChangeEvent[][] = [];
    const toB: ChangeEvent[][] = [];
    store.feedbackFor('A', 20).subscribe((batch) => toA.push(batch));
    store.feedbackFor('B', 20).subscribe((batch) => toB.push(batch));

    // 100 moves of one fader by B: A gets the first at once, then one event with the last value
    // when the tick ends.
    for (let i = 1; i <= 100; i++) store.set('ch/1/fader', -i / 2, 'B');
    store.set('ch/9/pan', 40, 'A'); // A's own change: never sent back to A
    expect(toA.map((b) => b.map((e) => [e.address, e.value, e.seq]))).toEqual([[['ch/1/fader', -0.5, 1]]]);
    expect(toB.map((b) => b.map((e) => [e.address, e.value, e.seq]))).toEqual([[['ch/9/pan', 40, 101]]]);
    vi.advanceTimersByTime(19);
    expect(toA).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(toA).toHaveLength(2);
    expect(toA[1].map((e) => [e.address, e.value, e.seq, e.source])).toEqual([['ch/1/fader', -50, 100, 'B']]);
    expect(toB).toHaveLength(1); // nothing more for B in that tick

    // Within the next tick (opened by the batch just sent): two addresses, ordered by the
    // sequence of their latest change.
    store.set('ch/2/fader', -1, 'B'); // 102
    store.set('ch/3/fader', -2, 'B'); // 103
    store.set('ch/2/fader', -4, 'B'); // 104: ch/2 is now the later one
    store.set('ch/4/fader', -5, 'A'); // 105: not for A; B's first after a quiet tick: at once
    expect(toA).toHaveLength(2);
    expect(toB.map((b) => b.map((e) => e.seq))).toEqual([[101], [105]]);
    vi.advanceTimersByTime(20);
    expect(toA).toHaveLength(3);
    expect(toA[2].map((e) => [e.address, e.value, e.seq])).toEqual([['ch/3/fader', -2, 103], ['ch/2/fader', -4, 104]]);
    for (const batch of toA) for (const e of batch) expect(e.source).not.toBe('A');
    for (const batch of toB) for (const e of batch) expect(e.source).not.toBe('B');

    // Quiet: no empty batches, and once a tick passes with nothing to send, no timer runs.
    vi.advanceTimersByTime(1000);
    expect(toA).toHaveLength(3);
    expect(toB).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
    // After the quiet spell the next change goes out at once again.
    store.set('ch/5/fader', -3, 'B');
    expect(toA).toHaveLength(4);
    expect(toA[3].map((e) => e.address)).toEqual(['ch/5/fader']);
    store.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('feedbackFor: a store disposed mid-tick flushes the pending batch and completes', () => {
    vi.useFakeTimers({ now: 0 });
    const store = new ControlStore(reg);
    const got: number[][] = [];
    let completed = false;
    store.feedbackFor('A', 50).subscribe({ next: (b) => got.push(b.map((e) => e.seq)), complete: () => (completed = true) });
    store.set('ch/1/fader', -1, 'B');
    store.set('ch/1/fader', -2, 'B');
    store.set('ch/2/fader', -2, 'B');
    store.dispose();
    expect(got).toEqual([[1], [2, 3]]);
    expect(completed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('ControlStore: epoch', () => {
  it('names each store run: given, or 8 random hex digits that differ between stores', () => {
    expect(new ControlStore(reg, undefined, { epoch: 'run-1' }).epoch).toBe('run-1');
    const a = new ControlStore(reg).epoch;
    const b = new ControlStore(reg).epoch;
    expect(a).toMatch(/^[0-9a-f]{8}$/);
    expect(b).toMatch(/^[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    const s = new ControlStore(reg, undefined, { epoch: 'e' });
    s.set('ch/1/fader', -3, 'A');
    expect([s.snapshot().epoch, s.snapshot().seq, s.valueAt(reg.index('ch/1/fader'))]).toEqual(['e', 1, -3]);
  });
});

describe('ControlStore: catch-up with since()', () => {
  it('returns the coalesced changes after lastSeq while the ring holds them', () => {
    const { store } = fakeClockStore();
    store.set('ch/1/fader', -1, 'A'); // 1
    store.set('ch/2/fader', -2, 'B'); // 2
    store.set('ch/1/fader', -3, 'A'); // 3
    store.set('ch/3/fader', -4, 'B'); // 4
    expect(store.since(4)).toEqual([]);
    expect(store.since(1)!.map((e) => [e.address, e.value, e.seq])).toEqual([['ch/2/fader', -2, 2], ['ch/1/fader', -3, 3], ['ch/3/fader', -4, 4]]);
    expect(store.since(0)!.map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(store.since(5)).toBeNull(); // a sequence number this store never reached
    expect(store.since(-1)).toBeNull();
    expect(store.since(1.5)).toBeNull();
  });

  it('gives null once the ring (historySize 8) has overflowed past lastSeq', () => {
    const { store } = fakeClockStore(8);
    for (let i = 1; i <= 20; i++) store.set(`ch/${i}/fader`, -i, 'A');
    expect(store.seq).toBe(20);
    expect(store.since(12)!.map((e) => e.seq)).toEqual([13, 14, 15, 16, 17, 18, 19, 20]);
    expect(store.since(12)!.map((e) => e.value)).toEqual([-13, -14, -15, -16, -17, -18, -19, -20]);
    expect(store.since(11)).toBeNull();
    expect(store.since(0)).toBeNull();
  });

  it('coalesce keeps the latest per address in the order of those latest changes', () => {
    const mk = (address: string, seq: number): ChangeEvent => ({ address, index: 0, value: seq, source: 's', seq, time: 0 });
    expect(coalesce([mk('a', 1), mk('b', 2), mk('a', 3), mk('c', 4), mk('b', 5)]).map((e) => e.seq)).toEqual([3, 4, 5]);
  });
});

describe('ControlStore: dispose', () => {
  it('completes both streams and refuses later use', () => {
    const { store } = fakeClockStore();
    let changesDone = false;
    let leasesDone = false;
    store.changes$.subscribe({ complete: () => (changesDone = true) });
    store.leases$.subscribe({ complete: () => (leasesDone = true) });
    store.dispose();
    expect([changesDone, leasesDone]).toEqual([true, true]);
    expect(() => store.set('ch/1/fader', -1, 'A')).toThrow(/dispose/);
  });
});
