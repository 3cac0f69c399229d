/**
 * The detail views' control kit: writes are rate-shaped (a drag must stay under the remote
 * protocol's 100 messages per second per client), the level meter scale, and control labels.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ParamRegistry } from '../../src/model/registry.js';
import { defaultLayout } from '../../src/model/layout.js';
import type { RemoteContext } from '../../web-remote/src/types.js';
import { ViewKit, meterPosition, shortLabel } from '../../web-remote/src/views/knob.js';

/** Just enough of a RemoteContext for the kit's writes: every `set` is recorded. */
function fakeContext(sent: Array<[string, number]>): RemoteContext {
  const registry = new ParamRegistry(defaultLayout());
  const values = new Map<string, number>();
  const ctx: Partial<RemoteContext> = {
    registry,
    clientId: 'ws:1',
    set: (a, v) => {
      sent.push([a, v]);
      values.set(a, v);
    },
    release: () => undefined,
    value: (a) => values.get(a) ?? NaN,
    onParam: () => () => undefined,
    onLeases: () => () => undefined,
    holder: () => undefined,
  };
  return ctx as RemoteContext;
}

describe('ViewKit writes', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('ResizeObserver', class { observe(): void {} disconnect(): void {} });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('sends the first value at once and then at most one per address every 33 ms, the last one winning', () => {
    const sent: Array<[string, number]> = [];
    const kit = new ViewKit(fakeContext(sent), 'ch/1/');
    // A 120 Hz pointer: 24 moves in 200 ms on two addresses.
    for (let i = 0; i < 24; i++) {
      kit.write('ch/1/eq/1/freq', 100 + i);
      kit.write('ch/1/eq/1/gain', i / 2);
      vi.advanceTimersByTime(1000 / 120);
    }
    kit.release('ch/1/eq/1/freq');
    // 200 ms: the first pair at once, then one pair per 33 ms flush (6 of them, the last by the
    // release): 14 messages, 70 per second for two addresses moving together.
    expect(sent).toHaveLength(14);
    expect(sent.length / 0.2).toBeLessThan(100);
    expect(sent[0]).toEqual(['ch/1/eq/1/freq', 100]);
    expect(sent[1]).toEqual(['ch/1/eq/1/gain', 0]);
    // Nothing is lost at the end: the release flushes the last values.
    const last = (a: string): number | undefined => sent.filter(([x]) => x === a).at(-1)?.[1];
    expect(last('ch/1/eq/1/freq')).toBe(123);
    expect(last('ch/1/eq/1/gain')).toBe(11.5);
    kit.dispose();
  });

  it('writes a position through the parameter taper', () => {
    const sent: Array<[string, number]> = [];
    const kit = new ViewKit(fakeContext(sent), 'ch/1/');
    kit.writePosition('ch/1/fader', 0.75);
    kit.writePosition('ch/1/gate/threshold', 0.5);
    kit.flush();
    expect(sent).toEqual([
      ['ch/1/fader', 0],
      ['ch/1/gate/threshold', -40],
    ]);
    kit.dispose();
  });
});

describe('meter scale and labels', () => {
  it('maps −60..0 dBFS with the top 20 dB on the upper half', () => {
    expect(meterPosition(-120)).toBe(0);
    expect(meterPosition(-60)).toBe(0);
    expect(meterPosition(-40)).toBeCloseTo(0.25, 12);
    expect(meterPosition(-20)).toBeCloseTo(0.5, 12);
    expect(meterPosition(-10)).toBeCloseTo(0.75, 12);
    expect(meterPosition(0)).toBe(1);
    expect(meterPosition(6)).toBe(1);
    expect(meterPosition(Number.NaN)).toBe(0);
  });

  it('shortens descriptor labels for knobs', () => {
    expect(shortLabel('Gate threshold')).toBe('Thresh');
    expect(shortLabel('Gate hysteresis')).toBe('Hyst');
    expect(shortLabel('Comp release')).toBe('Release');
    expect(shortLabel('Master EQ 2 gain')).toBe('EQ 2 gain');
    expect(shortLabel('Out 2 ceiling')).toBe('ceiling');
    expect(shortLabel('Trim')).toBe('Trim');
  });
});
