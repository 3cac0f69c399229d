import { describe, expect, it } from 'vitest';
import { backoffDelay, closeAction, Link, normaliseLayout, parseServerMessage, type LinkStatus, type ServerMessage } from '../../web-remote/src/connection.js';
import { FakeClock, FakeSocket, LAYOUT, welcome } from './web-fakes.js';

function setup(random = 0.5) {
  const clock = new FakeClock();
  const sockets: FakeSocket[] = [];
  const statuses: LinkStatus[] = [];
  const messages: ServerMessage[] = [];
  const frames: ArrayBuffer[] = [];
  let hello = { name: 'iPad Anna' as string | undefined, epoch: undefined as string | undefined, lastSeq: undefined as number | undefined };
  const link = new Link({
    url: 'ws://mix.local:8080/ws',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    clock,
    random: () => random,
    hello: () => hello,
    onMessage: (m) => messages.push(m),
    onFrame: (b) => frames.push(b),
    onStatus: (s) => statuses.push(s),
  });
  return { clock, sockets, statuses, messages, frames, link, setHello: (h: typeof hello) => (hello = h), last: () => sockets[sockets.length - 1] };
}

describe('backoff', () => {
  it('doubles from 0.25 s to a 5 s cap (no jitter at random = 0.5)', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 12].map((a) => backoffDelay(a, 0.5))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });
  it('jitters by ±25 % and never exceeds 5 s', () => {
    expect(backoffDelay(1, 0)).toBe(188);
    expect(backoffDelay(1, 1)).toBe(313);
    expect(backoffDelay(3, 0)).toBe(750);
    expect(backoffDelay(6, 0)).toBe(3750);
    expect(backoffDelay(6, 1)).toBe(5000);
    expect(backoffDelay(30, 1)).toBe(5000);
  });
  it('maps closing codes: 4001/4003 refused, 4029 waits 60 s, others retry', () => {
    expect(closeAction(4001)).toEqual({ kind: 'refused', reason: 'invalid' });
    expect(closeAction(4003)).toEqual({ kind: 'refused', reason: 'revoked' });
    expect(closeAction(4029)).toEqual({ kind: 'wait', ms: 60000 });
    expect(closeAction(1006)).toEqual({ kind: 'retry' });
    expect(closeAction(1001)).toEqual({ kind: 'retry' });
  });
});

describe('message guard', () => {
  it('drops malformed and unknown messages', () => {
    expect(parseServerMessage('not json')).toBeUndefined();
    expect(parseServerMessage('[1,2]')).toBeUndefined();
    expect(parseServerMessage('{"type":"nope"}')).toBeUndefined();
    expect(parseServerMessage('{"type":"change","address":"ch/1/fader","value":"loud","seq":3}')).toBeUndefined();
    expect(parseServerMessage('{"type":"change","address":"ch/1/fader","value":-4.5,"seq":3}')).toEqual({ type: 'change', address: 'ch/1/fader', value: -4.5, seq: 3, source: undefined });
    expect(parseServerMessage(JSON.stringify(welcome({ role: 'admin' })))).toBeUndefined();
  });
  it('keeps only numeric snapshot values', () => {
    const m = parseServerMessage('{"type":"snapshot","epoch":"e","seq":9,"params":{"a":1,"b":"x","c":null,"d":-90}}');
    expect(m).toEqual({ type: 'snapshot', epoch: 'e', seq: 9, params: { a: 1, d: -90 } });
  });
  it('fills names a layout leaves out and refuses absurd sizes', () => {
    const l = normaliseLayout({ ...LAYOUT, channels: [{ name: 'Kick', color: 'red;' }], groups: [] })!;
    expect(l.channels.map((c) => c.name)).toEqual(['Kick', 'Ch 2']);
    expect(l.channels[0].color).toBeUndefined();
    expect(l.groups).toEqual([{ name: 'Group 1' }]);
    expect(normaliseLayout({ ...LAYOUT, mix: { ...LAYOUT.mix, auxBuses: 1e9 } })).toBeUndefined();
  });
});

describe('link', () => {
  it('sends hello with name, and epoch + lastSeq when it has them', () => {
    const t = setup();
    t.link.start();
    t.last().open();
    expect(t.last().sent[0]).toEqual({ type: 'hello', name: 'iPad Anna' });
    expect(t.last().binaryType).toBe('arraybuffer');
    t.setHello({ name: 'iPad Anna', epoch: 'e1', lastSeq: 1841 });
    t.last().serverClose(1006);
    t.clock.advance(250);
    t.last().open();
    expect(t.last().sent[0]).toEqual({ type: 'hello', name: 'iPad Anna', epoch: 'e1', lastSeq: 1841 });
  });

  it('reconnects with the backoff sequence, counting attempts, until welcomed', () => {
    const t = setup();
    t.link.start();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      t.last().serverClose(1006);
      delays.push(t.clock.pending()[0]);
      t.clock.advance(delays[i]);
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    expect(t.sockets.length).toBe(8);
    expect(t.statuses[t.statuses.length - 1]).toMatchObject({ state: 'connecting', attempt: 7 });
    t.last().open();
    t.last().receive(welcome());
    expect(t.link.current).toMatchObject({ state: 'live', attempt: 0 });
    t.last().serverClose(1001);
    expect(t.link.current).toMatchObject({ state: 'reconnecting', attempt: 1, closeCode: 1001 });
  });

  it('stops on 4001 and 4003, and waits 60 s after 4029', () => {
    const a = setup();
    a.link.start();
    a.last().serverClose(4003);
    expect(a.link.current).toMatchObject({ state: 'refused', refusal: 'revoked' });
    expect(a.clock.pending()).toEqual([]);
    a.link.wake();
    expect(a.sockets.length).toBe(1);

    const b = setup();
    b.link.start();
    b.last().serverClose(4029);
    expect(b.clock.pending()).toEqual([60000]);
    b.link.wake(); // waking does not cut the rate-limit wait short
    expect(b.sockets.length).toBe(1);
    b.clock.advance(60000);
    expect(b.sockets.length).toBe(2);
  });

  it('wakes at once instead of waiting out the backoff', () => {
    const t = setup();
    t.link.start();
    t.last().open();
    t.last().receive(welcome());
    t.last().serverClose(1006);
    for (let i = 0; i < 4; i++) {
      t.clock.advance(t.clock.pending()[0]);
      t.last().serverClose(1006);
    }
    expect(t.clock.pending()[0]).toBe(4000);
    t.link.wake();
    expect(t.sockets.length).toBe(6);
    expect(t.link.current.state).toBe('reconnecting');
  });

  it('drops a link silent for two heartbeats and reconnects', () => {
    const t = setup();
    t.link.start();
    const s = t.last();
    s.open();
    s.receive(welcome({ heartbeatMs: 1000 }));
    t.clock.advance(1900);
    s.receive({ type: 'ping', time: 1 });
    expect(s.sent.some((m) => m.type === 'pong' && m.time === 1)).toBe(true);
    t.clock.advance(1900);
    expect(s.closedWith).toBeUndefined();
    t.clock.advance(600); // 2.5 s after the last ping
    expect(s.closedWith).toBe(4000);
    expect(t.link.current).toMatchObject({ state: 'reconnecting', attempt: 1 });
    t.clock.advance(250);
    expect(t.sockets.length).toBe(2);
  });

  it('measures round-trip time from its own pings', () => {
    const t = setup();
    t.link.start();
    const s = t.last();
    s.open();
    s.receive(welcome());
    expect(s.sent.find((m) => m.type === 'ping')).toBeUndefined();
    t.clock.advance(1000);
    const ping = s.sent.find((m) => m.type === 'ping')!;
    t.clock.advance(37);
    s.receive({ type: 'pong', id: ping.id, time: 5 });
    expect(t.link.current.rttMs).toBe(37);
    s.receive({ type: 'pong', id: ping.id, time: 5 }); // a repeated answer changes nothing
    expect(t.link.current.rttMs).toBe(37);
    t.clock.advance(5000 - 37);
    expect(s.sent.filter((m) => m.type === 'ping').length).toBe(2);
  });

  it('passes frames only after welcome and sends nothing before it', () => {
    const t = setup();
    t.link.start();
    const s = t.last();
    s.open();
    s.receive(new ArrayBuffer(16));
    expect(t.link.send({ type: 'set' })).toBe(false);
    s.receive(welcome());
    s.receive(new ArrayBuffer(16));
    expect(t.frames.length).toBe(1);
    expect(t.link.send({ type: 'set', address: 'ch/1/fader', value: 0 })).toBe(true);
    expect(t.messages.map((m) => m.type)).toEqual(['welcome']);
  });
});
