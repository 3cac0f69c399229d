import { describe, expect, it } from 'vitest';
import { parseServerMessage } from '../../web-remote/src/connection.js';
import { RemoteState, SET_INTERVAL_MS, SUBSCRIBE_DEBOUNCE_MS, TOUCH_RENEW_MS } from '../../web-remote/src/state.js';
import { FakeClock, welcome } from './web-fakes.js';

function setup(over: Record<string, unknown> = {}) {
  const clock = new FakeClock();
  const sent: Array<Record<string, unknown>> = [];
  let live = true;
  const state = new RemoteState({
    send: (m) => {
      if (!live) return false;
      sent.push(m as Record<string, unknown>);
      return true;
    },
    navigate: () => undefined,
    timers: clock,
  });
  const feed = (m: object): void => {
    const parsed = parseServerMessage(JSON.stringify(m));
    if (parsed === undefined) throw new Error(`bad message ${JSON.stringify(m)}`);
    state.handle(parsed);
  };
  const connect = (w: Record<string, unknown> = {}): void => {
    feed(welcome({ ...over, ...w }));
    state.setConnection('live');
  };
  return { clock, sent, state, feed, connect, setLive: (v: boolean) => (live = v) };
}

const params = { 'ch/1/fader': -6, 'ch/2/fader': 0, 'ch/1/mute': 0, 'ch/1/send/1/level': -90, 'bus/1/fader': 0 };

describe('resume: epoch and lastSeq', () => {
  it('follows snapshot and change seqs, and moves to welcome.seq after a resumed replay', () => {
    const t = setup();
    t.connect({ seq: 100 });
    expect(t.state.epoch).toBe('e1');
    expect(t.state.lastSeq).toBeUndefined();
    t.feed({ type: 'snapshot', epoch: 'e1', seq: 100, params });
    expect(t.state.lastSeq).toBe(100);
    t.feed({ type: 'leases', leases: [] });
    t.feed({ type: 'change', address: 'ch/1/fader', value: -4.5, seq: 105, source: 'ws:3' });
    expect(t.state.lastSeq).toBe(105);
    expect(t.state.value('ch/1/fader')).toBe(-4.5);

    // Reconnect, same epoch, resumed: the replay's last change is 130, the server is at 140.
    t.state.setConnection('reconnecting');
    t.connect({ seq: 140, resumed: true });
    t.feed({ type: 'change', address: 'ch/2/fader', value: -3, seq: 130 });
    expect(t.state.lastSeq).toBe(130);
    t.feed({ type: 'leases', leases: [] });
    expect(t.state.lastSeq).toBe(140);
    expect(t.state.value('ch/2/fader')).toBe(-3);
  });

  it('forgets lastSeq when the epoch changes (a new server run)', () => {
    const t = setup();
    t.connect({ seq: 50 });
    t.feed({ type: 'snapshot', epoch: 'e1', seq: 50, params });
    t.state.setConnection('reconnecting');
    t.connect({ epoch: 'e2', seq: 3 });
    expect(t.state.epoch).toBe('e2');
    expect(t.state.lastSeq).toBeUndefined();
    t.feed({ type: 'snapshot', epoch: 'e2', seq: 3, params: { ...params, 'ch/1/fader': -20 } });
    expect(t.state.lastSeq).toBe(3);
    expect(t.state.value('ch/1/fader')).toBe(-20);
  });
});

describe('optimistic writes', () => {
  it('shows a set at once, sends it, and snaps back to the value of a refusal', () => {
    const t = setup();
    t.connect();
    t.feed({ type: 'snapshot', epoch: 'e1', seq: 1, params });
    const seen: Array<[string, number]> = [];
    t.state.onParam('ch/1/', (a, v) => seen.push([a, v]));
    t.state.set('ch/1/fader', -12);
    expect(t.state.value('ch/1/fader')).toBe(-12);
    const msg = t.sent.find((m) => m.type === 'set')!;
    expect(msg).toMatchObject({ type: 'set', address: 'ch/1/fader', value: -12 });
    t.feed({ type: 'error', code: 'E_CONTROL_HELD', message: 'held', id: msg.id, address: 'ch/1/fader', value: -4.5 });
    expect(t.state.value('ch/1/fader')).toBe(-4.5);
    expect(seen).toEqual([
      ['ch/1/fader', -12],
      ['ch/1/fader', -4.5],
    ]);
  });

  it('returns to the last server value when a refusal carries none', () => {
    const t = setup();
    t.connect();
    t.feed({ type: 'snapshot', epoch: 'e1', seq: 1, params });
    t.state.set('ch/1/fader', 3);
    const msg = t.sent.find((m) => m.type === 'set')!;
    t.feed({ type: 'error', code: 'E_PARAM_VALUE', message: 'no', id: msg.id });
    expect(t.state.value('ch/1/fader')).toBe(-6);
  });

  it('clamps to the range and maps position through the taper', () => {
    const t = setup();
    t.connect();
    t.feed({ type: 'snapshot', epoch: 'e1', seq: 1, params });
    t.state.set('ch/1/fader', 40);
    expect(t.state.value('ch/1/fader')).toBe(10);
    t.clock.advance(SET_INTERVAL_MS);
    t.state.setPosition('ch/1/fader', 0.75);
    expect(t.state.value('ch/1/fader')).toBe(0);
    expect(t.state.position('ch/1/fader')).toBe(0.75);
    t.state.setPosition('ch/1/fader', 0.5);
    expect(t.state.value('ch/1/fader')).toBe(-10);
    expect(t.state.format('ch/1/fader')).toBe('-10.0 dB');
  });

  it('sends at most one set per address every 30 ms during a drag, the last value last', () => {
    const t = setup();
    t.connect();
    t.feed({ type: 'snapshot', epoch: 'e1', seq: 1, params });
    for (let i = 1; i <= 10; i++) {
      t.state.set('ch/1/fader', -10 + i); // one move every 5 ms
      t.clock.advance(5);
    }
    t.clock.advance(100);
    // t=0 sends -9; the moves of t=5..25 leave -4 pending, sent at t=30; those of t=30..45
    // leave 0, sent at t=60.
    const sets = t.sent.filter((m) => m.type === 'set').map((m) => m.value);
    expect(sets).toEqual([-9, -4, 0]);
  });

  it('discards moves made while the link is down: the server value returns after the resync', () => {
    const t = setup();
    t.connect();
    t.feed({ type: 'snapshot', epoch: 'e1', seq: 10, params });
    t.feed({ type: 'leases', leases: [] });
    t.state.setConnection('reconnecting');
    t.setLive(false);
    t.state.set('ch/1/fader', 6);
    expect(t.state.value('ch/1/fader')).toBe(6);
    t.setLive(true);
    const before = t.sent.length;
    t.connect({ seq: 10, resumed: true });
    t.feed({ type: 'leases', leases: [] });
    expect(t.state.value('ch/1/fader')).toBe(-6);
    expect(t.sent.slice(before).filter((m) => m.type === 'set')).toEqual([]);
  });
});

describe('touch and leases', () => {
  it('ignores incoming changes for a fader being dragged, then shows the latest on release', () => {
    const t = setup();
    t.connect();
    t.feed({ type: 'snapshot', epoch: 'e1', seq: 1, params });
    t.state.touch('ch/1/fader');
    expect(t.sent[t.sent.length - 1]).toEqual({ type: 'touch', address: 'ch/1/fader' });
    t.state.set('ch/1/fader', -8);
    t.feed({ type: 'change', address: 'ch/1/fader', value: -30, seq: 2, source: 'session' });
    expect(t.state.value('ch/1/fader')).toBe(-8);
    t.clock.advance(TOUCH_RENEW_MS);
    expect(t.sent.filter((m) => m.type === 'touch').length).toBe(2);
    t.state.release('ch/1/fader');
    expect(t.sent[t.sent.length - 1]).toEqual({ type: 'release', address: 'ch/1/fader' });
    expect(t.state.value('ch/1/fader')).toBe(-30);
    t.clock.advance(TOUCH_RENEW_MS * 3);
    expect(t.sent.filter((m) => m.type === 'touch').length).toBe(2);
  });

  it('reports holders other than itself and refuses to set what another holds', () => {
    const t = setup();
    t.connect();
    t.feed({ type: 'snapshot', epoch: 'e1', seq: 1, params });
    t.feed({
      type: 'leases',
      leases: [
        { address: 'ch/1/fader', source: 'ws:3', name: 'iPad Anna' },
        { address: 'ch/2/fader', source: 'ws:7', name: 'me' },
      ],
    });
    expect(t.state.holder('ch/1/fader')).toEqual({ source: 'ws:3', name: 'iPad Anna' });
    expect(t.state.holder('ch/2/fader')).toBeUndefined();
    expect(t.state.holderUnder('ch/1/')).toEqual({ source: 'ws:3', name: 'iPad Anna' });
    t.state.set('ch/1/fader', 0);
    expect(t.state.value('ch/1/fader')).toBe(-6);
    expect(t.sent.filter((m) => m.type === 'set')).toEqual([]);
  });
});

describe('roles', () => {
  it('a performer writes only its bus and its sends; a viewer nothing', () => {
    const p = setup({ role: 'performer', bus: 1 });
    p.connect();
    expect(p.state.canWrite('bus/1/fader')).toBe(false); // nothing is writable before the snapshot
    p.feed({ type: 'snapshot', epoch: 'e1', seq: 1, params: { 'ch/2/send/1/level': -90, 'bus/1/fader': 0, 'bus/1/pan': 0, 'ch/2/fader': 0 } });
    expect(p.state.canWrite('ch/2/send/1/level')).toBe(true);
    expect(p.state.canWrite('bus/1/pan')).toBe(true);
    expect(p.state.canWrite('ch/2/send/2/level')).toBe(false);
    expect(p.state.canWrite('ch/1/fader')).toBe(false);
    expect(p.state.canWrite('bus/2/fader')).toBe(false);
    const v = setup({ role: 'viewer' });
    v.connect();
    v.feed({ type: 'snapshot', epoch: 'e1', seq: 1, params });
    expect(v.state.canWrite('ch/1/fader')).toBe(false);
    v.state.set('ch/1/fader', 0);
    expect(v.state.value('ch/1/fader')).toBe(-6);
    expect(v.sent).toEqual([]);
  });
});

describe('meter subscriptions', () => {
  it('subscribes to the union of wants, debounced, and again after a reconnection', () => {
    const t = setup();
    t.connect();
    const a = t.state.wantMeters(['ch/1', 'ch/2']);
    const b = t.state.wantMeters(['ch/2', 'master']);
    t.clock.advance(SUBSCRIBE_DEBOUNCE_MS);
    expect(t.sent.filter((m) => m.type === 'subscribe')).toEqual([{ type: 'subscribe', meters: ['ch/1', 'ch/2', 'master'] }]);
    a();
    a();
    t.clock.advance(SUBSCRIBE_DEBOUNCE_MS);
    expect(t.sent.filter((m) => m.type === 'subscribe').pop()).toEqual({ type: 'subscribe', meters: ['ch/2', 'master'] });
    t.state.setConnection('reconnecting');
    t.connect();
    t.clock.advance(SUBSCRIBE_DEBOUNCE_MS);
    expect(t.sent.filter((m) => m.type === 'subscribe').length).toBe(3);
    b();
    t.clock.advance(SUBSCRIBE_DEBOUNCE_MS);
    expect(t.sent.filter((m) => m.type === 'subscribe').pop()).toEqual({ type: 'subscribe', meters: [] });
  });

  it('asks a performer only for its bus and the channels', () => {
    const t = setup({ role: 'performer', bus: 2 });
    t.connect();
    t.state.wantMeters(['bus/1', 'bus/2', 'ch/1', 'master']);
    t.clock.advance(SUBSCRIBE_DEBOUNCE_MS);
    expect(t.sent.filter((m) => m.type === 'subscribe')).toEqual([{ type: 'subscribe', meters: ['bus/2', 'ch/1'] }]);
  });

  it('reads frames through the subscription and tells listeners', () => {
    const t = setup();
    t.connect();
    t.feed({ type: 'subscribed', id: 4, size: 2, points: [{ name: 'master', offset: 0, fields: ['peakL', 'peakR'] }] });
    let calls = 0;
    t.state.onMeters(() => calls++);
    const buf = new ArrayBuffer(16);
    const dv = new DataView(buf);
    dv.setUint8(0, 1);
    dv.setUint8(1, 1);
    dv.setUint16(2, 4, true);
    dv.setFloat32(8, -3, true);
    dv.setFloat32(12, -9, true);
    t.state.frame(buf);
    expect(Array.from(t.state.meter('master')!)).toEqual([-3, -9]);
    dv.setUint16(2, 3, true);
    t.state.frame(buf);
    expect(calls).toBe(1);
  });
});
