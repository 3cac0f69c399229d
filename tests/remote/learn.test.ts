/**
 * MIDI learn on the page, without a browser: the learn mode's messages and texts (LearnMode with
 * a manual clock), the names it shows (learnLabel, controlName), and the `learn` messages from
 * the wire through parseServerMessage and RemoteState.
 */
import { describe, expect, it } from 'vitest';
import { ParamRegistry } from '../../src/model/registry.js';
import { normaliseLayout, parseServerMessage, type LearnMsg } from '../../web-remote/src/connection.js';
import { LEARN_SECONDS, LEARNT_SHOW_MS, LearnMode, NOTICE_SHOW_MS, PROMPT, controlName, learnLabel, type LearnView } from '../../web-remote/src/learn.js';
import { RemoteState, type RemoteError } from '../../web-remote/src/state.js';
import { FakeClock, LAYOUT, welcome } from './web-fakes.js';

const layout = normaliseLayout(LAYOUT)!;
const registry = new ParamRegistry(layout.mix);

function setup(opts: { live?: boolean } = {}) {
  const clock = new FakeClock();
  const sent: Array<Record<string, unknown>> = [];
  const views: LearnView[] = [];
  let live = opts.live ?? true;
  let nextId = 40;
  const mode = new LearnMode({
    request: (msg) => {
      if (!live) return undefined;
      const id = ++nextId;
      sent.push({ ...msg, id });
      return id;
    },
    label: (a) => learnLabel(a, layout, registry),
    timers: clock,
    onChange: (v) => views.push(v),
  });
  const answer = (m: Record<string, unknown>): void => {
    const parsed = parseServerMessage(JSON.stringify({ type: 'learn', ...m }));
    if (parsed === undefined || parsed.type !== 'learn') throw new Error(`bad learn message ${JSON.stringify(m)}`);
    mode.handle(parsed);
  };
  return { clock, sent, views, mode, answer, setLive: (v: boolean) => (live = v), last: () => views[views.length - 1] };
}

describe('names', () => {
  it('names a parameter by its strip and what it is', () => {
    const cases: Array<[string, string]> = [
      ['ch/1/fader', 'Kick fader'],
      ['ch/2/mute', 'Keys mute'],
      ['ch/1/eq/2/gain', 'Kick EQ 2 gain'],
      ['ch/1/hpf/freq', 'Kick HPF freq'],
      ['ch/2/send/1/level', 'Keys send to Drummer IEM'],
      ['ch/2/send/2/pre', 'Keys aux 2 pre'],
      ['bus/1/fader', 'Drummer IEM fader'],
      ['fx/1/fader', 'Plate return'],
      ['group/1/mute', 'Drums mute'],
      ['vca/1/fader', 'Band fader'],
      ['master/fader', 'master fader'],
      ['master/eq/1/gain', 'master EQ 1 gain'],
      ['monitor/level', 'Monitor level'],
      ['nothing/here', 'nothing/here'],
    ];
    for (const [a, want] of cases) expect(learnLabel(a, layout, registry), a).toBe(want);
  });

  it("says a learnt control's id the way people say it, and keeps ids it does not know", () => {
    const cases: Array<[string, string]> = [
      ['cc:1:7', 'CC 7 (ch 1)'],
      ['cc:16:74:button', 'CC 74 button (ch 16)'],
      ['cc:2:16:twos-complement', 'CC 16 encoder (ch 2)'],
      ['cc14:1:0', '14-bit CC 0 (ch 1)'],
      ['nrpn:1:1000', 'NRPN 1000 (ch 1)'],
      ['nrpn14:3:5', '14-bit NRPN 5 (ch 3)'],
      ['note:10:36', 'Note 36 (ch 10)'],
      ['pb:9', 'Pitch bend (ch 9)'],
      ['prog:1', 'Program change (ch 1)'],
      ['fader1', 'fader1'],
      ['cc:1', 'cc:1'],
      ['track-left', 'track-left'],
    ];
    for (const [id, want] of cases) expect(controlName(id), id).toBe(want);
  });
});

describe('learn mode', () => {
  it('arms on a touched control, counts down from the armed answer, and shows what was learnt', () => {
    const t = setup();
    expect(t.mode.view()).toEqual({ active: false, tone: 'prompt', text: '' });
    t.mode.enter();
    expect(t.last()).toEqual({ active: true, tone: 'prompt', text: PROMPT });
    expect(t.sent).toEqual([]);

    t.mode.pick('ch/1/fader');
    expect(t.sent).toEqual([{ type: 'learn', address: 'ch/1/fader', id: 41 }]);
    expect(t.last()).toEqual({ active: true, tone: 'armed', text: 'Move a control on your MIDI controller for Kick fader (30 s)', armed: 'ch/1/fader' });
    // No countdown before the server armed it.
    expect(t.clock.pending()).toEqual([]);

    t.answer({ state: 'armed', address: 'ch/1/fader', id: 41 });
    t.clock.advance(999);
    expect(t.last().text).toMatch(/\(30 s\)$/);
    t.clock.advance(1);
    expect(t.last().text).toMatch(/\(29 s\)$/);
    t.clock.advance(12_500);
    expect(t.last().text).toBe('Move a control on your MIDI controller for Kick fader (17 s)');

    const before = t.views.length;
    t.answer({ state: 'learnt', address: 'ch/1/fader', surface: 'nanokontrol2', control: 'cc:1:0', id: 41 });
    expect(t.views.length).toBe(before + 1);
    expect(t.last()).toEqual({ active: true, tone: 'learnt', text: 'CC 0 (ch 1) on nanokontrol2 now moves Kick fader' });
    // The countdown stopped; the notice gives way to the prompt, and learn mode stays on.
    expect(t.clock.pending()).toEqual([LEARNT_SHOW_MS]);
    t.clock.advance(LEARNT_SHOW_MS);
    expect(t.last()).toEqual({ active: true, tone: 'prompt', text: PROMPT });
    expect(t.mode.active).toBe(true);
    expect(t.sent).toHaveLength(1);
  });

  it('counts down to 0 s and no further; the end is the server’s to say', () => {
    const t = setup();
    t.mode.enter();
    t.mode.pick('bus/1/fader');
    t.answer({ state: 'armed', address: 'bus/1/fader', id: 41 });
    const texts = new Set<string>();
    for (let ms = 0; ms < (LEARN_SECONDS + 5) * 1000; ms += 250) {
      t.clock.advance(250);
      texts.add(t.last().text.replace(/.*\((\d+) s\)$/, '$1'));
    }
    expect([...texts].map(Number)).toEqual(Array.from({ length: LEARN_SECONDS + 1 }, (_, i) => LEARN_SECONDS - i));
    expect(t.clock.pending()).toEqual([]);
    t.answer({ state: 'ended', address: 'bus/1/fader', code: 'E_LEARN_TIMEOUT', message: 'no control was moved within 30 s', id: 41 });
    expect(t.last()).toEqual({ active: true, tone: 'error', text: 'No MIDI control was moved within 30 s: Drummer IEM fader was not learnt.' });
    t.clock.advance(NOTICE_SHOW_MS - 1);
    expect(t.last().tone).toBe('error');
    t.clock.advance(1);
    expect(t.last()).toEqual({ active: true, tone: 'prompt', text: PROMPT });
  });

  it('a second control replaces the first; answers about the first are ignored', () => {
    const t = setup();
    t.mode.enter();
    t.mode.pick('ch/1/fader');
    t.mode.pick('ch/2/pan');
    expect(t.sent).toEqual([
      { type: 'learn', address: 'ch/1/fader', id: 41 },
      { type: 'learn', address: 'ch/2/pan', id: 42 },
    ]);
    // The server cancels the first learn when the second arrives.
    t.answer({ state: 'ended', address: 'ch/1/fader', code: 'E_LEARN_CANCELLED', message: 'learn was cancelled', id: 41 });
    t.answer({ state: 'armed', address: 'ch/1/fader', id: 41 });
    t.answer({ state: 'learnt', address: 'ch/1/fader', surface: 'x', control: 'cc:1:1', id: 41 });
    expect(t.last()).toEqual({ active: true, tone: 'armed', text: 'Move a control on your MIDI controller for Keys pan (30 s)', armed: 'ch/2/pan' });
    // Answers without an id, or with one this page never sent, are not this page's.
    t.answer({ state: 'learnt', address: 'ch/2/pan', surface: 'x', control: 'cc:1:1' });
    t.answer({ state: 'learnt', address: 'ch/2/pan', surface: 'x', control: 'cc:1:1', id: 7 });
    expect(t.last().armed).toBe('ch/2/pan');
    t.answer({ state: 'armed', address: 'ch/2/pan', id: 42 });
    t.answer({ state: 'learnt', address: 'ch/2/pan', surface: 'x-touch-mini', control: 'cc:1:16:twos-complement', id: 42 });
    expect(t.last().text).toBe('CC 16 encoder (ch 1) on x-touch-mini now moves Keys pan');
  });

  it('leaving (the switch or Escape) cancels an armed learn, and only an armed one', () => {
    const t = setup();
    t.mode.toggle();
    t.mode.toggle();
    expect(t.sent).toEqual([]);
    expect(t.last()).toEqual({ active: false, tone: 'prompt', text: '' });

    t.mode.toggle();
    t.mode.pick('vca/1/fader');
    t.answer({ state: 'armed', address: 'vca/1/fader', id: 41 });
    t.mode.toggle();
    expect(t.sent).toEqual([
      { type: 'learn', address: 'vca/1/fader', id: 41 },
      { type: 'learn-cancel', id: 42 },
    ]);
    expect(t.mode.active).toBe(false);
    expect(t.clock.pending()).toEqual([]);
    // The cancellation's answer arrives after: nothing to show.
    const n = t.views.length;
    t.answer({ state: 'ended', address: 'vca/1/fader', code: 'E_LEARN_CANCELLED', message: 'learn was cancelled', id: 41 });
    expect(t.views.length).toBe(n);
    // Learn mode is off: a touched control is not learnt.
    t.mode.pick('ch/1/fader');
    expect(t.sent).toHaveLength(2);
  });

  it('says that no MIDI controller is connected (ended or refused at once)', () => {
    const t = setup();
    t.mode.enter();
    t.mode.pick('ch/1/fader');
    t.answer({ state: 'ended', address: 'ch/1/fader', code: 'E_LEARN_NONE', message: 'no MIDI controller that can learn is connected', id: 41 });
    expect(t.last()).toEqual({ active: true, tone: 'error', text: 'No MIDI controller is connected: connect one, then touch Kick fader again.' });

    // A server without surfaces refuses with an error message carrying the learn's id.
    t.mode.pick('ch/2/fader');
    const e: RemoteError = { code: 'E_LEARN_NONE', message: 'no MIDI surfaces run in this server', id: 42 };
    expect(t.mode.claims(e)).toBe(true);
    expect(t.last()).toEqual({ active: true, tone: 'error', text: 'No MIDI controller is connected: connect one, then touch Keys fader again.' });
    // Errors about other messages are not learn's.
    expect(t.mode.claims({ code: 'E_CONTROL_HELD', message: 'held', id: 12 })).toBe(false);
    expect(t.mode.claims({ code: 'E_WS_MESSAGE', message: 'bad' })).toBe(false);
    // An error about an earlier learn is learn's (no toast), but changes nothing shown.
    t.mode.pick('ch/1/mute');
    const n = t.views.length;
    expect(t.mode.claims({ code: 'E_PARAM_UNKNOWN', message: 'x', id: 41 })).toBe(true);
    expect(t.views.length).toBe(n);
    expect(t.mode.claims({ code: 'E_PARAM_UNKNOWN', message: "unknown parameter address 'ch/1/mute'", id: 43 })).toBe(true);
    expect(t.last().text).toBe("Kick mute cannot be learnt: unknown parameter address 'ch/1/mute'");
  });

  it('forgets the armed control’s MIDI controls and stays armed', () => {
    const t = setup();
    t.mode.forget();
    t.mode.enter();
    t.mode.forget();
    expect(t.sent).toEqual([]);
    t.mode.pick('ch/1/fader');
    t.answer({ state: 'armed', address: 'ch/1/fader', id: 41 });
    t.mode.forget();
    expect(t.sent[1]).toEqual({ type: 'unlearn', address: 'ch/1/fader', id: 42 });
    t.answer({ state: 'unlearnt', address: 'ch/1/fader', count: 2, id: 42 });
    expect(t.last()).toEqual({
      active: true,
      tone: 'armed',
      text: 'Forgot 2 MIDI controls of Kick fader. Move a control on your MIDI controller for Kick fader (30 s)',
      armed: 'ch/1/fader',
    });
    t.mode.forget();
    t.answer({ state: 'unlearnt', address: 'ch/1/fader', count: 1, id: 43 });
    expect(t.last().text.startsWith('Forgot the MIDI control of Kick fader. Move')).toBe(true);
    t.mode.forget();
    t.answer({ state: 'unlearnt', address: 'ch/1/fader', count: 0, id: 44 });
    expect(t.last().text.startsWith('Kick fader had no MIDI control to forget. Move')).toBe(true);
    // The learn is still the one armed: a MIDI control moved now binds.
    t.answer({ state: 'learnt', address: 'ch/1/fader', surface: 'nk', control: 'note:1:36', id: 41 });
    expect(t.last().text).toBe('Note 36 (ch 1) on nk now moves Kick fader');
  });

  it('ends an armed learn when the link goes down, and arms nothing while it is down', () => {
    const t = setup();
    t.mode.enter();
    t.mode.linkLost();
    expect(t.last()).toEqual({ active: true, tone: 'prompt', text: PROMPT });
    t.mode.pick('ch/1/fader');
    t.mode.linkLost();
    expect(t.last()).toEqual({ active: true, tone: 'error', text: 'Connection lost: learning Kick fader ended.' });
    t.setLive(false);
    t.mode.pick('ch/2/fader');
    expect(t.last()).toEqual({ active: true, tone: 'error', text: 'Not connected to mixhost: Keys fader cannot be learnt now.' });
    expect(t.sent).toEqual([{ type: 'learn', address: 'ch/1/fader', id: 41 }]);
    // Nothing armed, so leaving sends nothing either.
    t.setLive(true);
    t.mode.leave();
    expect(t.sent).toHaveLength(1);
  });

  it('a control that cannot be learnt says so and ends the armed learn', () => {
    const t = setup();
    t.mode.enter();
    t.mode.pick('ch/1/fader');
    t.mode.hint('The EQ curve cannot be learnt');
    expect(t.sent[1]).toEqual({ type: 'learn-cancel', id: 42 });
    expect(t.last()).toEqual({ active: true, tone: 'error', text: 'The EQ curve cannot be learnt' });
  });
});

describe('learn messages on the wire', () => {
  it('parses the four answers and refuses malformed ones', () => {
    const p = (m: object): unknown => parseServerMessage(JSON.stringify({ type: 'learn', ...m }));
    expect(p({ state: 'armed', address: 'ch/1/fader', id: 3 })).toEqual({ type: 'learn', state: 'armed', address: 'ch/1/fader', id: 3 });
    expect(p({ state: 'learnt', address: 'a', surface: 's', control: 'cc:1:7' })).toEqual({ type: 'learn', state: 'learnt', address: 'a', surface: 's', control: 'cc:1:7' });
    expect(p({ state: 'ended', address: 'a', code: 'E_LEARN_TIMEOUT' })).toEqual({ type: 'learn', state: 'ended', address: 'a', code: 'E_LEARN_TIMEOUT', message: 'E_LEARN_TIMEOUT' });
    expect(p({ state: 'unlearnt', address: 'a', count: 2, id: 9 })).toEqual({ type: 'learn', state: 'unlearnt', address: 'a', count: 2, id: 9 });
    for (const bad of [
      { state: 'armed' },
      { state: 'armed', address: 5 },
      { state: 'learnt', address: 'a', surface: 's' },
      { state: 'ended', address: 'a', message: 'no code' },
      { state: 'unlearnt', address: 'a', count: -1 },
      { state: 'unlearnt', address: 'a', count: '2' },
      { state: 'later', address: 'a' },
    ]) {
      expect(p(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('RemoteState passes learn answers on and gives learn requests ids apart from sets', () => {
    const clock = new FakeClock();
    const sent: Array<Record<string, unknown>> = [];
    const state = new RemoteState({ send: (m) => (sent.push(m as Record<string, unknown>), true), navigate: () => undefined, timers: clock });
    const feed = (m: object): void => state.handle(parseServerMessage(JSON.stringify(m))!);
    feed(welcome());
    state.setConnection('live');
    feed({ type: 'snapshot', epoch: 'e1', seq: 100, params: { 'ch/1/fader': -6 } });
    const got: LearnMsg[] = [];
    const errors: RemoteError[] = [];
    state.onLearn((m) => got.push(m));
    state.onError((e) => errors.push(e));

    state.set('ch/1/fader', -3);
    const id = state.request({ type: 'learn', address: 'ch/1/fader' });
    expect(sent).toEqual([
      { type: 'set', address: 'ch/1/fader', value: -3, id: 1 },
      { type: 'learn', address: 'ch/1/fader', id: 2 },
    ]);
    expect(id).toBe(2);
    feed({ type: 'learn', state: 'armed', address: 'ch/1/fader', id: 2 });
    expect(got).toEqual([{ type: 'learn', state: 'armed', address: 'ch/1/fader', id: 2 }]);
    // An error about the learn carries its id, and does not snap the fader back.
    feed({ type: 'error', code: 'E_LEARN_NONE', message: 'none', id: 2 });
    expect(errors).toEqual([{ code: 'E_LEARN_NONE', message: 'none', id: 2 }]);
    expect(state.value('ch/1/fader')).toBe(-3);
    // While the link is down nothing is sent and no id is given.
    state.setConnection('reconnecting');
    const down = new RemoteState({ send: () => false, navigate: () => undefined, timers: clock });
    expect(down.request({ type: 'learn-cancel' })).toBeUndefined();
  });
});
