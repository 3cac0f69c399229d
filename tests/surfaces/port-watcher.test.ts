/**
 * The port watcher: which ports appeared and vanished, MIDI going away and coming back as one
 * event each, the back-off schedule while it is away (1 s, 2 s, 4 s ... up to the maximum,
 * counted on fake timers), duplicate names, and listeners that throw.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MixhostError } from '../../src/model/errors.js';
import { MemoryMidiBackend } from '../../src/surfaces/transport/memory.js';
import { PortWatcher, type PortEvent } from '../../src/surfaces/transport/port-watcher.js';
import type { MidiBackend, MidiPortList } from '../../src/surfaces/types.js';

function watch(backend: MidiBackend, opts: { pollMs?: number; maxBackoffMs?: number; clock?: () => number } = {}): { w: PortWatcher; events: PortEvent[] } {
  const events: PortEvent[] = [];
  const w = new PortWatcher(backend, { ...opts, onEvent: (e) => events.push(e) });
  return { w, events };
}

/** A backend whose list() answers are set by the test, counting calls. */
function scripted(): { backend: MidiBackend; calls: () => number; set(v: MidiPortList | Error): void } {
  let answer: MidiPortList | Error = { inputs: [], outputs: [] };
  let calls = 0;
  return {
    backend: {
      kind: 'scripted',
      list() {
        calls++;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      open() {
        throw new Error('not used');
      },
    },
    calls: () => calls,
    set: (v) => (answer = v),
  };
}

afterEach(() => {
  // In this order: a spy made on a fake setTimeout must go before the real one is put back.
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('PortWatcher events', () => {
  it('reports every port of the first poll as appeared, then only changes', () => {
    const b = new MemoryMidiBackend();
    b.plug('X-Touch');
    b.plug('Clock', { output: false });
    const { w, events } = watch(b);
    expect(w.available).toBeUndefined();
    w.poll();
    expect(events).toEqual([
      { type: 'appeared', kind: 'input', name: 'X-Touch' },
      { type: 'appeared', kind: 'input', name: 'Clock' },
      { type: 'appeared', kind: 'output', name: 'X-Touch' },
    ]);
    expect(w.available).toBe(true);
    events.length = 0;
    w.poll();
    expect(events).toEqual([]);
    const ext = b.plug('X-Touch-Ext');
    w.poll();
    expect(events).toEqual([
      { type: 'appeared', kind: 'input', name: 'X-Touch-Ext' },
      { type: 'appeared', kind: 'output', name: 'X-Touch-Ext' },
    ]);
    events.length = 0;
    ext.unplug();
    w.poll();
    expect(events).toEqual([
      { type: 'vanished', kind: 'input', name: 'X-Touch-Ext' },
      { type: 'vanished', kind: 'output', name: 'X-Touch-Ext' },
    ]);
    expect(w.seen).toEqual({ inputs: ['X-Touch', 'Clock'], outputs: ['X-Touch'] });
    expect(w.polls).toBe(4);
  });

  it('orders one poll as vanished inputs, vanished outputs, appeared inputs, appeared outputs', () => {
    const s = scripted();
    const { w, events } = watch(s.backend);
    s.set({ inputs: ['A', 'B'], outputs: ['A', 'B'] });
    w.poll();
    events.length = 0;
    s.set({ inputs: ['B', 'C'], outputs: ['C', 'B'] });
    w.poll();
    expect(events).toEqual([
      { type: 'vanished', kind: 'input', name: 'A' },
      { type: 'vanished', kind: 'output', name: 'A' },
      { type: 'appeared', kind: 'input', name: 'C' },
      { type: 'appeared', kind: 'output', name: 'C' },
    ]);
  });

  it('counts a name that appears twice as two ports (easymidi numbering or not)', () => {
    const s = scripted();
    const { w, events } = watch(s.backend);
    s.set({ inputs: ['nanoKONTROL2'], outputs: [] });
    w.poll();
    s.set({ inputs: ['nanoKONTROL2', 'nanoKONTROL2'], outputs: [] });
    w.poll();
    s.set({ inputs: ['nanoKONTROL2'], outputs: [] });
    w.poll();
    expect(events).toEqual([
      { type: 'appeared', kind: 'input', name: 'nanoKONTROL2' },
      { type: 'appeared', kind: 'input', name: 'nanoKONTROL2' },
      { type: 'vanished', kind: 'input', name: 'nanoKONTROL2' },
    ]);
    // Through the memory backend, which numbers them as easymidi does.
    const b = new MemoryMidiBackend();
    const first = b.plug('nanoKONTROL2', { output: false });
    b.plug('nanoKONTROL2', { output: false });
    const m = watch(b);
    m.w.poll();
    first.unplug();
    m.w.poll();
    expect(m.events).toEqual([
      { type: 'appeared', kind: 'input', name: 'nanoKONTROL2' },
      { type: 'appeared', kind: 'input', name: 'nanoKONTROL21' },
      { type: 'vanished', kind: 'input', name: 'nanoKONTROL21' },
    ]);
  });

  it('reports unavailable once (after the ports it had vanish) and available once when it returns', () => {
    const b = new MemoryMidiBackend();
    b.plug('MCU');
    const { w, events } = watch(b);
    w.poll();
    events.length = 0;
    b.setUnavailable('no ALSA sequencer (/dev/snd/seq)');
    w.poll();
    w.poll();
    w.poll();
    expect(events).toEqual([
      { type: 'vanished', kind: 'input', name: 'MCU' },
      { type: 'vanished', kind: 'output', name: 'MCU' },
      { type: 'unavailable', reason: 'no ALSA sequencer (/dev/snd/seq)' },
    ]);
    expect(w.available).toBe(false);
    expect(w.unavailableReason).toBe('no ALSA sequencer (/dev/snd/seq)');
    expect(w.seen).toEqual({ inputs: [], outputs: [] });
    events.length = 0;
    b.setUnavailable(undefined);
    w.poll();
    w.poll();
    expect(events).toEqual([{ type: 'available' }, { type: 'appeared', kind: 'input', name: 'MCU' }, { type: 'appeared', kind: 'output', name: 'MCU' }]);
    expect([w.available, w.unavailableReason]).toEqual([true, undefined]);
  });

  it('a first poll that fails is unavailable; one that works gives no available event', () => {
    const s = scripted();
    s.set(new MixhostError('E_MIDI_UNAVAILABLE', 'the easymidi module did not load: nope'));
    const a = watch(s.backend);
    a.w.poll();
    expect(a.events).toEqual([{ type: 'unavailable', reason: 'the easymidi module did not load: nope' }]);
    const ok = scripted();
    const b = watch(ok.backend);
    b.w.poll();
    expect(b.events).toEqual([]);
    expect(b.w.available).toBe(true);
  });

  it('takes any error of list() as unavailable, and guards against a malformed answer', () => {
    const s = scripted();
    s.set(new Error('Failed to initialise RtMidi'));
    const { w, events } = watch(s.backend);
    expect(() => w.poll()).not.toThrow();
    expect(events).toEqual([{ type: 'unavailable', reason: 'listing MIDI ports failed: Failed to initialise RtMidi' }]);
    events.length = 0;
    s.set({ inputs: ['A', 7, null], outputs: 'B' } as unknown as MidiPortList);
    w.poll();
    expect(events).toEqual([{ type: 'available' }, { type: 'appeared', kind: 'input', name: 'A' }]);
  });

  it('a listener that throws is counted and neither stops the poll nor the next ones', () => {
    const b = new MemoryMidiBackend();
    b.plug('A');
    b.plug('B');
    const seen: string[] = [];
    const w = new PortWatcher(b, {
      onEvent: (e) => {
        if (e.type === 'appeared') seen.push(`${e.kind} ${e.name}`);
        throw new Error('listener bug');
      },
    });
    expect(() => w.poll()).not.toThrow();
    expect(seen).toEqual(['input A', 'input B', 'output A', 'output B']);
    expect(w.listenerErrors).toBe(4);
    b.plug('C', { output: false });
    w.poll();
    expect(seen).toEqual(['input A', 'input B', 'output A', 'output B', 'input C']);
    expect(w.listenerErrors).toBe(5);
  });

  it('a poll() from inside a listener runs after the current one, not inside it', () => {
    const b = new MemoryMidiBackend();
    b.plug('A', { output: false });
    const events: string[] = [];
    let nested = true;
    const w: PortWatcher = new PortWatcher(b, {
      onEvent: (e) => {
        events.push(e.type === 'appeared' || e.type === 'vanished' ? `${e.type} ${e.name}` : e.type);
        if (nested) {
          nested = false;
          b.plug('B', { output: false });
          w.poll();
          events.push('after nested poll()');
        }
      },
    });
    w.poll();
    expect(events).toEqual(['appeared A', 'after nested poll()', 'appeared B']);
    expect(w.polls).toBe(2);
  });
});

describe('PortWatcher timing', () => {
  it('polls at start, then every pollMs while available, on an unref\'d timer', () => {
    vi.useFakeTimers();
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const s = scripted();
    const { w } = watch(s.backend, { pollMs: 250 });
    w.start();
    w.start(); // a second start: no second timer
    expect(s.calls()).toBe(1);
    expect(vi.getTimerCount()).toBe(1);
    const handle = spy.mock.results[0].value as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(false);
    vi.advanceTimersByTime(249);
    expect(s.calls()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(s.calls()).toBe(2);
    vi.advanceTimersByTime(1000);
    expect(s.calls()).toBe(6);
    w.stop();
    vi.advanceTimersByTime(10_000);
    expect(s.calls()).toBe(6);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('backs off 1 s, 2 s, 4 s ... up to maxBackoffMs while unavailable, then pollMs again', () => {
    vi.useFakeTimers({ now: 0 });
    const s = scripted();
    s.set(new MixhostError('E_MIDI_UNAVAILABLE', 'no MIDI'));
    const times: number[] = [];
    const backend: MidiBackend = {
      kind: 'timed',
      list: () => {
        times.push(Date.now());
        return s.backend.list();
      },
      open: () => s.backend.open(undefined, undefined),
    };
    const { w, events } = watch(backend, { pollMs: 100, maxBackoffMs: 10_000 });
    w.start();
    vi.advanceTimersByTime(40_000);
    // Intervals 1, 2, 4, 8 s, then 10 s (the maximum).
    expect(times).toEqual([0, 1000, 3000, 7000, 15_000, 25_000, 35_000]);
    expect(w.delayMs).toBe(10_000);
    expect(events).toEqual([{ type: 'unavailable', reason: 'no MIDI' }]);
    s.set({ inputs: ['MCU'], outputs: ['MCU'] });
    vi.advanceTimersByTime(5000); // the next backed-off poll, at 45 s, finds it
    expect(times.at(-1)).toBe(45_000);
    expect(events.slice(1)).toEqual([{ type: 'available' }, { type: 'appeared', kind: 'input', name: 'MCU' }, { type: 'appeared', kind: 'output', name: 'MCU' }]);
    expect(w.delayMs).toBe(100);
    times.length = 0;
    vi.advanceTimersByTime(300);
    expect(times).toEqual([45_100, 45_200, 45_300]);
    // Gone again: the back-off starts over at 1 s.
    s.set(new Error('gone'));
    vi.advanceTimersByTime(100 + 1000 + 2000);
    expect(times.slice(3)).toEqual([45_400, 46_400, 48_400]);
    w.stop();
  });

  it('uses the default 30 s maximum back-off', () => {
    vi.useFakeTimers({ now: 0 });
    const s = scripted();
    s.set(new Error('no MIDI'));
    const { w } = watch(s.backend);
    w.start();
    vi.advanceTimersByTime(1000 + 2000 + 4000 + 8000 + 16_000);
    expect(s.calls()).toBe(6);
    expect(w.delayMs).toBe(30_000); // 32 s capped
    vi.advanceTimersByTime(29_999);
    expect(s.calls()).toBe(6);
    vi.advanceTimersByTime(1);
    expect(s.calls()).toBe(7);
    w.stop();
  });

  it('a listener may stop the watcher: no timer is left behind', () => {
    vi.useFakeTimers();
    const b = new MemoryMidiBackend();
    b.plug('A');
    const w: PortWatcher = new PortWatcher(b, { onEvent: () => w.stop() });
    w.start();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('pollIfDue() skips the polls the back-off would not make, and polls every time while available', () => {
    let now = 0;
    const s = scripted();
    s.set(new Error('no MIDI'));
    const { w } = watch(s.backend, { pollMs: 100, clock: () => now });
    const polled: number[] = [];
    for (now = 0; now <= 8000; now += 100) if (w.pollIfDue()) polled.push(now);
    expect(polled).toEqual([0, 1000, 3000, 7000]);
    s.set({ inputs: [], outputs: [] });
    now = 15_000;
    expect(w.pollIfDue()).toBe(true);
    expect(w.available).toBe(true);
    now = 15_001;
    expect(w.pollIfDue()).toBe(true);
    expect(s.calls()).toBe(6);
  });
});

describe('PortWatcher with real timers', () => {
  it('picks up a device plugged after start without being asked', async () => {
    const b = new MemoryMidiBackend();
    const events: PortEvent[] = [];
    const w = new PortWatcher(b, { pollMs: 10, onEvent: (e) => events.push(e) });
    w.start();
    expect(events).toEqual([]);
    b.plug('X-Touch');
    // Generous: the point is that a timed poll happens at all, not how soon.
    await vi.waitFor(() => expect(events).toHaveLength(2), { timeout: 5000, interval: 5 });
    w.stop();
    expect(events).toEqual([
      { type: 'appeared', kind: 'input', name: 'X-Touch' },
      { type: 'appeared', kind: 'output', name: 'X-Touch' },
    ]);
  });
});
