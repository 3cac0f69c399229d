/**
 * The remote protocol's message parser (what is accepted, and the verdict for each malformed
 * shape) and the token bucket of the per-client rate limit.
 */
import { describe, expect, it } from 'vitest';
import { parseClientMessage, TokenBucket } from '../../src/server/remote-messages.js';

const ok = (m: unknown) => parseClientMessage(typeof m === 'string' ? m : JSON.stringify(m));

describe('parseClientMessage', () => {
  it('accepts each message type as sent', () => {
    const good: unknown[] = [
      { type: 'hello', token: 'abc', name: 'iPad', epoch: '4f0c9e21', lastSeq: 0 },
      { type: 'hello' },
      { type: 'set', address: 'ch/1/fader', value: -6, id: 3 },
      { type: 'set', address: 'ch/1/fader', position: 0.62 },
      { type: 'touch', address: 'ch/1/fader' },
      { type: 'release', address: 'ch/1/fader', id: 1 },
      { type: 'subscribe', meters: [] },
      { type: 'subscribe', meters: ['ch/1', 'master/chain'], id: 2 },
      { type: 'ping', id: 7 },
      { type: 'ping' },
      { type: 'pong', time: 123 },
      { type: 'pong' },
    ];
    for (const m of good) expect(ok(m), JSON.stringify(m)).toEqual({ ok: true, message: m });
  });

  it('refuses each malformed shape, saying why, with the id when there is one', () => {
    const bad: Array<[unknown, string, number?]> = [
      ['not json', 'not JSON'],
      ['', 'not JSON'],
      ['[1,2]', 'not an array'],
      ['null', 'not null'],
      ['42', 'not the number 42'],
      ['"set"', 'not a string'],
      [{}, 'unknown message type a undefined'],
      [{ type: 7 }, 'unknown message type the number 7'],
      [{ type: 'jump', id: 4 }, "unknown message type 'jump'", 4],
      [{ type: 'set', address: 'ch/1/fader', value: 1, extra: true, id: 5 }, "'set' has no field 'extra'", 5],
      [{ type: 'set', address: 'ch/1/fader', value: 1, position: 0.5, id: 6 }, 'exactly one of', 6],
      [{ type: 'set', address: 'ch/1/fader' }, 'exactly one of'],
      [{ type: 'set', address: 'ch/1/fader', value: '-6', id: 8 }, "'value' must be a number, not a string", 8],
      [{ type: 'set', address: 'ch/1/fader', position: null }, "'position' must be a number, not null"],
      [{ type: 'set', value: 1 }, "needs 'address'"],
      [{ type: 'set', address: '', value: 1 }, "needs 'address'"],
      [{ type: 'set', address: 'x'.repeat(129), value: 1 }, "needs 'address'"],
      [{ type: 'set', address: 3, value: 1 }, "needs 'address'"],
      [{ type: 'set', address: 'ch/1/fader', value: 1, id: 1.5 }, "'id' must be a whole number, not the number 1.5"],
      [{ type: 'set', address: 'ch/1/fader', value: 1, id: '1' }, "'id' must be a whole number, not a string"],
      [{ type: 'touch' }, "'touch' needs 'address'"],
      [{ type: 'release', address: ['ch/1/fader'] }, "'release' needs 'address'"],
      [{ type: 'subscribe', meters: 'ch/1', id: 9 }, "needs 'meters'", 9],
      [{ type: 'subscribe', meters: ['ch/1', 2] }, 'not the number 2'],
      [{ type: 'subscribe', meters: Array.from({ length: 513 }, (_, i) => `ch/${i}`) }, 'at most 512'],
      [{ type: 'hello', token: 5 }, "'token' must be a string"],
      [{ type: 'hello', name: {} }, "'name' must be a string, not a object"],
      [{ type: 'hello', epoch: 'e'.repeat(65) }, "'epoch'"],
      [{ type: 'hello', lastSeq: -1 }, "'lastSeq' must be a whole number >= 0"],
      [{ type: 'hello', lastSeq: '3' }, "'lastSeq'"],
      [{ type: 'hello', token: 'abc', id: 1 }, "'hello' has no field 'id'", 1],
      [{ type: 'ping', time: 1 }, "'ping' has no field 'time'"],
      [{ type: 'pong', time: 'now' }, "'time' must be a number"],
    ];
    for (const [m, text, id] of bad) {
      const r = ok(m);
      expect(r.ok, JSON.stringify(m)).toBe(false);
      if (r.ok) continue;
      expect(r.message, JSON.stringify(m)).toContain(text);
      expect(r.id, JSON.stringify(m)).toBe(id);
    }
  });

  it('cuts long type and field names in its messages', () => {
    const r = ok({ type: 't'.repeat(100) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(`'${'t'.repeat(40)}'`);
    if (!r.ok) expect(r.message).not.toContain('t'.repeat(41));
  });
});

describe('TokenBucket', () => {
  it('gives a burst at once, then the rate', () => {
    const b = new TokenBucket(10, 10, 1000);
    const first = Array.from({ length: 11 }, () => b.take(1000));
    expect(first.filter(Boolean)).toHaveLength(10);
    expect(first[10]).toBe(false);
    expect(b.take(1099)).toBe(false); // 0.99 of a token
    expect(b.take(1100)).toBe(true); // 1.0
    expect(b.take(1100)).toBe(false);
    // Refilled up to the burst, no further.
    expect(Array.from({ length: 12 }, () => b.take(60_000)).filter(Boolean)).toHaveLength(10);
    // A clock that goes back gives nothing.
    expect(b.take(50_000)).toBe(false);
  });

  it('refills 10 a second in steps of 100 ms', () => {
    const b = new TokenBucket(10, 10, 0);
    for (let i = 0; i < 10; i++) b.take(0);
    let taken = 0;
    for (let t = 0; t <= 1000; t += 10) if (b.take(t)) taken++;
    expect(taken).toBe(10);
  });
});
