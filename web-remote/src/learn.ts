/**
 * MIDI learn on the page (the engineer's only): a Learn switch in the top bar puts the page in
 * learn mode. A control touched then is not moved: its address is sent as `learn`, the control
 * is marked as armed, and the next control moved on a MIDI controller is bound to it by the
 * server (docs/remote-protocol.md, "MIDI learn"). Learn mode stays on for the next control until
 * the switch is pressed again or Escape is pressed (an armed learn is cancelled then).
 *
 * `LearnMode` is the logic (no DOM; messages, timers and texts injected), `LearnUi` the switch,
 * the banner and the capture of pointer and key events before the widgets see them.
 *
 * Stable hooks: the switch `data-learn-toggle` (`aria-pressed`), the banner's text
 * `data-learn-banner` (with `data-learn-state`: prompt, armed, learnt, error), the armed control
 * `data-learn-armed`, the buttons `data-learn-forget` and `data-learn-done` (leaves learn mode).
 */
import type { ParamRegistry } from '../../src/model/registry.js';
import type { LearnMsg } from './connection.js';
import { el } from './dom.js';
import type { RemoteError, RemoteState, Timers } from './state.js';
import type { RemoteLayout } from './types.js';

/** How long the server waits for a MIDI control (its E_LEARN_TIMEOUT). */
export const LEARN_SECONDS = 30;
/** How long "… now moves …" stays before the prompt returns. */
export const LEARNT_SHOW_MS = 4000;
/** How long a failure stays before the prompt returns. */
export const NOTICE_SHOW_MS = 8000;
export const PROMPT = 'MIDI learn: touch a control on this page, then move the control on your MIDI controller';

export type LearnTone = 'prompt' | 'armed' | 'learnt' | 'error';

export interface LearnView {
  readonly active: boolean;
  readonly tone: LearnTone;
  readonly text: string;
  /** The address waiting for a MIDI control, if any (the Forget button shows then). */
  readonly armed?: string;
}

export interface LearnModeOptions {
  /** Send a message with a fresh id; the id, or undefined when the link is down. */
  request(msg: { readonly type: string; readonly [field: string]: unknown }): number | undefined;
  /** A control's name for people, e.g. `Kick fader`. */
  label(address: string): string;
  readonly timers: Timers;
  onChange(view: LearnView): void;
}

/** Most learn message ids remembered (to recognise late answers and errors about them). */
const MAX_IDS = 32;

/** A learnt control's id as people say it: `cc:1:7` -> `CC 7 (ch 1)`; unknown forms as they are. */
export function controlName(id: string): string {
  const p = id.split(':');
  const ch = (c: string): string => `(ch ${c})`;
  switch (p[0]) {
    case 'cc':
      if (p.length === 3) return `CC ${p[2]} ${ch(p[1])}`;
      if (p.length === 4) return `CC ${p[2]} ${p[3] === 'button' ? 'button' : 'encoder'} ${ch(p[1])}`;
      break;
    case 'cc14':
      if (p.length === 3) return `14-bit CC ${p[2]} ${ch(p[1])}`;
      break;
    case 'nrpn':
    case 'nrpn14':
      if (p.length === 3) return `${p[0] === 'nrpn14' ? '14-bit NRPN' : 'NRPN'} ${p[2]} ${ch(p[1])}`;
      break;
    case 'note':
      if (p.length === 3) return `Note ${p[2]} ${ch(p[1])}`;
      break;
    case 'pb':
      if (p.length === 2) return `Pitch bend ${ch(p[1])}`;
      break;
    case 'prog':
      if (p.length === 2) return `Program change ${ch(p[1])}`;
      break;
  }
  return id;
}

const STRIP_LISTS = { ch: 'channels', bus: 'auxBuses', fx: 'fx', group: 'groups', vca: 'vcas' } as const;
const STRIP_DEFAULT = { ch: 'Ch', bus: 'Aux', fx: 'FX', group: 'Group', vca: 'VCA' } as const;

/**
 * A parameter's name for people: the strip's name from the session, then the parameter
 * (`Kick fader`, `Kick send to Drummer IEM`, `Vocals EQ 2 gain`, `Master fader`).
 */
export function learnLabel(address: string, layout: RemoteLayout, registry: ParamRegistry): string {
  const i = registry.find(address);
  let what = i >= 0 ? registry.descriptors[i].label : address;
  let strip: string | undefined;
  const m = /^(ch|bus|fx|group|vca)\/(\d+)\//.exec(address);
  if (m !== null) {
    const kind = m[1] as keyof typeof STRIP_LISTS;
    const n = Number(m[2]);
    strip = layout[STRIP_LISTS[kind]][n - 1]?.name ?? `${STRIP_DEFAULT[kind]} ${n}`;
  } else if (address.startsWith('master/')) {
    const k = /^master\/(\d+)\//.exec(address);
    const chain = k !== null ? Number(k[1]) : 1;
    strip = layout.masterChains[chain - 1]?.name ?? (chain === 1 ? 'Master' : `Out ${chain}`);
    // Master-chain labels name their chain already (`Master EQ 2 gain`, `Out 2 trim`).
    what = what.replace(/^(Master|Out \d+) /, '');
  } else if (address.startsWith('monitor/')) {
    strip = 'Monitor';
    what = what.replace(/^Monitor /, '');
  }
  if (strip === undefined || strip === '') return what;
  const send = /^ch\/\d+\/send\/(\d+)\/level$/.exec(address);
  const bus = send !== null ? layout.auxBuses[Number(send[1]) - 1]?.name : undefined;
  if (bus !== undefined) return `${strip} send to ${bus}`;
  if (what.toLowerCase().startsWith(strip.toLowerCase())) return what;
  // `Fader` -> `fader`, but `EQ 2 gain` and `HPF` keep their capitals.
  const lower = /^[A-Z][a-z]/.test(what) ? what[0].toLowerCase() + what.slice(1) : what;
  return `${strip} ${lower}`;
}

function forgetText(count: number, label: string): string {
  if (count === 0) return `${label} had no MIDI control to forget.`;
  return count === 1 ? `Forgot the MIDI control of ${label}.` : `Forgot ${count} MIDI controls of ${label}.`;
}

/** Learn mode's logic: what was sent, what the answers mean, and the banner's text. */
export class LearnMode {
  private on = false;
  /** The learn in flight: its address and id, and when the server's 30 s end (once armed). */
  private armed: { readonly address: string; readonly id: number; deadline?: number } | undefined;
  private forgetId: number | undefined;
  /** What a Forget said, shown with the armed text. */
  private forgot: string | undefined;
  private notice: { readonly tone: 'learnt' | 'error'; readonly text: string } | undefined;
  private readonly ids: number[] = [];
  private tickTimer: unknown;
  private noticeTimer: unknown;

  constructor(private readonly opts: LearnModeOptions) {}

  get active(): boolean {
    return this.on;
  }

  view(): LearnView {
    if (!this.on) return { active: false, tone: 'prompt', text: '' };
    const a = this.armed;
    if (a !== undefined) {
      const left = a.deadline === undefined ? LEARN_SECONDS : Math.max(0, Math.ceil((a.deadline - this.opts.timers.now()) / 1000));
      const text = `Move a control on your MIDI controller for ${this.opts.label(a.address)} (${left} s)`;
      return { active: true, tone: 'armed', text: this.forgot !== undefined ? `${this.forgot} ${text}` : text, armed: a.address };
    }
    if (this.notice !== undefined) return { active: true, tone: this.notice.tone, text: this.notice.text };
    return { active: true, tone: 'prompt', text: PROMPT };
  }

  toggle(): void {
    if (this.on) this.leave();
    else this.enter();
  }

  enter(): void {
    if (this.on) return;
    this.on = true;
    this.emit();
  }

  /** Leave learn mode; an armed learn is cancelled. */
  leave(): void {
    if (!this.on) return;
    if (this.armed !== undefined) this.send({ type: 'learn-cancel' });
    this.on = false;
    this.disarm();
    this.setNotice(undefined);
    this.emit();
  }

  /** A control on the page was touched: learn it (a learn armed for another one ends). */
  pick(address: string): void {
    if (!this.on) return;
    const label = this.opts.label(address);
    const id = this.send({ type: 'learn', address });
    this.disarm();
    if (id === undefined) {
      this.setNotice({ tone: 'error', text: `Not connected to mixhost: ${label} cannot be learnt now.` });
    } else {
      this.setNotice(undefined);
      this.armed = { address, id };
    }
    this.emit();
  }

  /** Forget the MIDI controls bound to the armed address (the learn stays armed). */
  forget(): void {
    const a = this.armed;
    if (!this.on || a === undefined) return;
    this.forgetId = this.send({ type: 'unlearn', address: a.address });
    if (this.forgetId === undefined) this.forgot = 'Not connected to mixhost.';
    this.emit();
  }

  /** A page control that cannot be learnt (e.g. the EQ curve) was touched. */
  hint(text: string): void {
    if (!this.on) return;
    if (this.armed !== undefined) this.send({ type: 'learn-cancel' });
    this.disarm();
    this.setNotice({ tone: 'error', text });
    this.emit();
  }

  /** An answer from the server. Answers to an earlier learn (replaced since) are ignored. */
  handle(m: LearnMsg): void {
    const a = this.armed;
    if (m.id === undefined || !this.ids.includes(m.id)) return;
    if (m.state === 'unlearnt') {
      if (m.id !== this.forgetId) return;
      this.forgetId = undefined;
      const text = forgetText(m.count, this.opts.label(m.address));
      if (a !== undefined && a.address === m.address) this.forgot = text;
      else if (this.on) this.setNotice({ tone: 'learnt', text });
      this.emit();
      return;
    }
    if (a === undefined || m.id !== a.id) return;
    const label = this.opts.label(a.address);
    switch (m.state) {
      case 'armed':
        a.deadline = this.opts.timers.now() + LEARN_SECONDS * 1000;
        this.scheduleTick();
        break;
      case 'learnt':
        this.disarm();
        this.setNotice({ tone: 'learnt', text: `${controlName(m.control)} on ${m.surface} now moves ${label}` });
        break;
      case 'ended':
        this.disarm();
        this.setNotice({ tone: 'error', text: this.failure(m.code, m.message, label) });
        break;
    }
    this.emit();
  }

  /** An error from the server: true if it was about a learn message (then it is shown here). */
  claims(e: RemoteError): boolean {
    if (e.id === undefined || !this.ids.includes(e.id)) return false;
    const a = this.armed;
    if (a !== undefined && e.id === a.id) {
      this.disarm();
      this.setNotice({ tone: 'error', text: this.failure(e.code, e.message, this.opts.label(a.address)) });
      this.emit();
    } else if (e.id === this.forgetId) {
      this.forgetId = undefined;
      this.forgot = `Could not forget: ${e.message}.`;
      this.emit();
    }
    return true;
  }

  /** The link went down: the server ended this client's learn with it. */
  linkLost(): void {
    const a = this.armed;
    if (a === undefined) return;
    this.disarm();
    this.setNotice({ tone: 'error', text: `Connection lost: learning ${this.opts.label(a.address)} ended.` });
    this.emit();
  }

  private failure(code: string, message: string, label: string): string {
    switch (code) {
      case 'E_LEARN_NONE':
        return `No MIDI controller is connected: connect one, then touch ${label} again.`;
      case 'E_LEARN_TIMEOUT':
        return `No MIDI control was moved within ${LEARN_SECONDS} s: ${label} was not learnt.`;
      case 'E_LEARN_CANCELLED':
        return `Learning ${label} was cancelled (another remote started learning, or mixhost is stopping).`;
      default:
        return `${label} cannot be learnt: ${message}`;
    }
  }

  private send(msg: { readonly type: string; readonly [field: string]: unknown }): number | undefined {
    const id = this.opts.request(msg);
    if (id !== undefined) {
      this.ids.push(id);
      if (this.ids.length > MAX_IDS) this.ids.shift();
    }
    return id;
  }

  private disarm(): void {
    this.armed = undefined;
    this.forgot = undefined;
    this.forgetId = undefined;
    if (this.tickTimer !== undefined) this.opts.timers.clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
  }

  /** Show a notice (learnt or failed) for a while, then the prompt again. */
  private setNotice(n: { tone: 'learnt' | 'error'; text: string } | undefined): void {
    if (this.noticeTimer !== undefined) this.opts.timers.clearTimeout(this.noticeTimer);
    this.noticeTimer = undefined;
    this.notice = n;
    if (n === undefined) return;
    this.noticeTimer = this.opts.timers.setTimeout(
      () => {
        this.noticeTimer = undefined;
        this.notice = undefined;
        this.emit();
      },
      n.tone === 'learnt' ? LEARNT_SHOW_MS : NOTICE_SHOW_MS,
    );
  }

  /** The countdown: a new text at each whole second left, until 0 (the server says the end). */
  private scheduleTick(): void {
    const a = this.armed;
    if (this.tickTimer !== undefined) this.opts.timers.clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
    if (a?.deadline === undefined) return;
    const left = a.deadline - this.opts.timers.now();
    if (left <= 0) return;
    const next = left % 1000 === 0 ? 1000 : left % 1000;
    this.tickTimer = this.opts.timers.setTimeout(() => {
      this.tickTimer = undefined;
      this.scheduleTick();
      this.emit();
    }, next);
  }

  private emit(): void {
    this.opts.onChange(this.view());
  }
}

// ---------------------------------------------------------------------------------------------
// The page.

const windowTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (h) => window.clearTimeout(h as number),
};

/** Events taken from the widgets while learn mode is on (those aimed at a control). */
const CAPTURED = ['pointerdown', 'pointerup', 'mousedown', 'click', 'dblclick', 'wheel', 'keydown', 'change', 'input'] as const;

/** The Learn switch and banner; the engineer's only. */
export class LearnUi {
  /** The switch, for the top bar. */
  readonly toggle: HTMLButtonElement;
  /** The banner row, to sit under the top bar. */
  readonly bar: HTMLElement;
  readonly mode: LearnMode;
  private readonly text: HTMLElement;
  private readonly forgetBtn: HTMLButtonElement;
  private marked: Element[] = [];
  private armedAddress: string | undefined;
  private observer: MutationObserver | undefined;

  constructor(private readonly state: RemoteState) {
    this.toggle = el('button', 'learn-toggle');
    this.toggle.type = 'button';
    this.toggle.textContent = 'Learn';
    this.toggle.title = 'MIDI learn: bind a control of a MIDI controller to a control on this page';
    this.toggle.dataset.learnToggle = '';
    this.toggle.dataset.learnUi = '';
    this.toggle.setAttribute('aria-pressed', 'false');
    this.toggle.hidden = true;
    this.toggle.addEventListener('click', () => this.mode.toggle());

    this.bar = el('div', 'learn-bar');
    this.bar.dataset.learnUi = '';
    this.bar.hidden = true;
    this.bar.setAttribute('aria-live', 'polite');
    this.text = el('span', 'learn-text', this.bar);
    this.text.dataset.learnBanner = '';
    this.forgetBtn = el('button', 'learn-forget', this.bar, 'Forget');
    this.forgetBtn.type = 'button';
    this.forgetBtn.title = 'Remove the MIDI controls bound to this control';
    this.forgetBtn.dataset.learnForget = '';
    this.forgetBtn.hidden = true;
    this.forgetBtn.addEventListener('click', () => this.mode.forget());
    // For touch screens (no Escape key), and for a bar too narrow for the switch.
    const done = el('button', 'learn-done', this.bar, 'Done');
    done.type = 'button';
    done.dataset.learnDone = '';
    done.addEventListener('click', () => this.mode.leave());

    this.mode = new LearnMode({
      request: (msg) => state.request(msg),
      label: (address) => learnLabel(address, state.layout, state.registry),
      timers: windowTimers,
      onChange: (v) => this.render(v),
    });
    state.onLearn((m) => this.mode.handle(m));
    state.onConnection((c) => {
      if (c !== 'live') this.mode.linkLost();
    });
    state.onWelcome(() => {
      const engineer = state.role === 'engineer';
      this.toggle.hidden = !engineer;
      if (!engineer) this.mode.leave();
    });
    for (const type of CAPTURED) window.addEventListener(type, this.intercept, { capture: true, passive: false });
  }

  /** Errors about learn messages are shown in the banner, not as toasts. */
  claims(e: RemoteError): boolean {
    return this.mode.claims(e);
  }

  private readonly intercept = (e: Event): void => {
    if (!this.mode.active) return;
    const key = e instanceof KeyboardEvent ? e.key : undefined;
    if (key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      this.mode.leave();
      return;
    }
    const t = e.target instanceof Element ? e.target : null;
    if (t === null || t.closest('[data-learn-ui]') !== null || key === 'Tab') return;
    const control = t.closest<HTMLElement>('[data-address]');
    // The EQ curve's handles move several parameters at once and carry no address.
    const curve = control === null ? t.closest('.view-root canvas') : null;
    if (control === null && curve === null) return;
    e.preventDefault();
    e.stopPropagation();
    const address = control?.dataset.address;
    if (control instanceof HTMLSelectElement && address !== undefined && (e.type === 'change' || e.type === 'input')) {
      control.value = String(Math.round(this.state.value(address)));
    }
    const picks = e.type === 'pointerdown' || (e.type === 'keydown' && (key === 'Enter' || key === ' '));
    if (!picks) return;
    if (address !== undefined) this.mode.pick(address);
    else this.mode.hint('The EQ curve cannot be learnt: pick a band, then touch its Freq, Gain or Q knob.');
  };

  private render(v: LearnView): void {
    this.toggle.classList.toggle('on', v.active);
    this.toggle.setAttribute('aria-pressed', String(v.active));
    document.body.classList.toggle('learning', v.active);
    this.bar.hidden = !v.active;
    this.bar.dataset.learnState = v.tone;
    this.text.dataset.learnState = v.tone;
    this.text.textContent = v.text;
    this.forgetBtn.hidden = v.armed === undefined;
    if (v.armed !== this.armedAddress) {
      this.armedAddress = v.armed;
      this.mark();
      this.observer?.disconnect();
      this.observer = undefined;
      if (v.armed !== undefined) {
        // Views rebuild their controls (a bank move, another view): mark the new ones too.
        this.observer = new MutationObserver((records) => {
          if (records.some((r) => [...r.addedNodes].some((n) => n instanceof Element))) this.mark();
        });
        this.observer.observe(document.body, { childList: true, subtree: true });
      }
    }
  }

  private mark(): void {
    for (const e of this.marked) e.removeAttribute('data-learn-armed');
    const a = this.armedAddress;
    this.marked = a === undefined ? [] : [...document.querySelectorAll(`[data-address="${CSS.escape(a)}"]`)];
    for (const e of this.marked) e.setAttribute('data-learn-armed', '');
  }
}
