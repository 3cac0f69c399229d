/**
 * The shell: top bar (views, role, this client's name, round-trip time, connection state),
 * hash routing (#mixer, #channel/3, #master, #master/2, #mymix, #mymix/2, #access), the view
 * mounted under it, error toasts, the page shown when the server refuses this browser, and the
 * engineer's MIDI learn switch and banner (learn.ts).
 */
import type { LinkStatus } from './connection.js';
import type { RemoteState } from './state.js';
import type { Role } from './types.js';
import { mountAccessView } from './views/access.js';
import { mountChannelView } from './views/channel.js';
import { mountMasterView } from './views/master.js';
import { mountMixer } from './views/mixer.js';
import { mountMyMix } from './views/mymix.js';
import { el } from './dom.js';
import { LearnUi } from './learn.js';

export type Route =
  | { readonly view: 'mixer' }
  | { readonly view: 'channel'; readonly n: number }
  | { readonly view: 'master'; readonly n: number }
  | { readonly view: 'mymix'; readonly n: number }
  | { readonly view: 'access' };

export interface RouteLimits {
  readonly role: Role;
  readonly bus?: number;
  readonly channels: number;
  readonly auxBuses: number;
  readonly masterChains: number;
}

/**
 * The view for a location. A performer always gets its own MyMix; an unknown or out-of-range
 * route falls back to the mixer; `/mymix` without a hash is MyMix of bus 1 (for the engineer);
 * #access (the invite links) is the engineer's only.
 */
export function parseRoute(hash: string, pathname: string, lim: RouteLimits): Route {
  if (lim.role === 'performer') return { view: 'mymix', n: lim.bus ?? 1 };
  const h = hash.replace(/^#\/?/, '');
  const m = /^(mixer|channel|master|mymix|access)(?:\/(\d+))?$/.exec(h);
  if (!m) return pathname === '/mymix' && lim.auxBuses > 0 ? { view: 'mymix', n: 1 } : { view: 'mixer' };
  const n = m[2] !== undefined ? Number(m[2]) : undefined;
  switch (m[1]) {
    case 'channel':
      return n !== undefined && n >= 1 && n <= lim.channels ? { view: 'channel', n } : { view: 'mixer' };
    case 'master':
      return { view: 'master', n: n !== undefined && n >= 1 && n <= lim.masterChains ? n : 1 };
    case 'mymix':
      return lim.auxBuses > 0 ? { view: 'mymix', n: n !== undefined && n >= 1 && n <= lim.auxBuses ? n : 1 } : { view: 'mixer' };
    case 'access':
      return lim.role === 'engineer' && n === undefined ? { view: 'access' } : { view: 'mixer' };
    default:
      return { view: 'mixer' };
  }
}

const NAME_KEY = 'mixhost.name';

/** A default name for this device, shown to others as the holder of what it touches. */
export function deviceName(ua: string, touchPoints = 0): string {
  // iPadOS Safari says "Macintosh" by default; a Mac has no touch screen.
  if (/iPad/.test(ua) || (/Macintosh/.test(ua) && touchPoints > 1)) return 'iPad';
  if (/iPhone/.test(ua)) return 'iPhone';
  if (/Android/.test(ua)) return /Mobile/.test(ua) ? 'Android phone' : 'Android tablet';
  if (/Mac OS X/.test(ua)) return 'Mac';
  if (/Windows/.test(ua)) return 'Windows PC';
  return 'Browser';
}

export interface AppOptions {
  /** The name changed: reconnect so that `hello` carries it. */
  onRename(name: string): void;
}

export class App {
  private readonly viewRoot: HTMLElement;
  private readonly nav: HTMLElement;
  private readonly navLinks = new Map<string, HTMLAnchorElement>();
  private readonly roleBadge: HTMLElement;
  private readonly nameBtn: HTMLButtonElement;
  private readonly rtt: HTMLElement;
  private readonly pill: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly toasts: HTMLElement;
  private readonly overlay: HTMLElement;
  private readonly learn: LearnUi;
  private unmount: (() => void) | undefined;
  private mountedKey = '';
  private welcomed = false;
  private bannerTimer: number | undefined;
  private last: LinkStatus | undefined;
  name: string;

  constructor(
    private readonly root: HTMLElement,
    private readonly state: RemoteState,
    private readonly opts: AppOptions,
  ) {
    this.name = (localStorage.getItem(NAME_KEY) ?? '').trim() || deviceName(navigator.userAgent, navigator.maxTouchPoints);
    const bar = el('header', 'topbar', root);
    const brand = el('div', 'brand', bar);
    el('span', 'brand-mark', brand);
    el('span', 'brand-name', brand, 'mixhost');
    this.nav = el('nav', 'nav', bar);
    for (const [key, label] of [
      ['mixer', 'Mixer'],
      ['master', 'Master'],
      ['mymix', 'MyMix'],
      ['access', 'Access'],
    ] as const) {
      const a = el('a', 'nav-link', this.nav, label);
      a.href = `#${key}`;
      a.hidden = key === 'access';
      this.navLinks.set(key, a);
    }
    el('div', 'spacer', bar);
    this.learn = new LearnUi(state);
    bar.append(this.learn.toggle);
    this.roleBadge = el('span', 'role-badge', bar);
    this.roleBadge.hidden = true;
    this.nameBtn = el('button', 'name-btn', bar, this.name);
    this.nameBtn.type = 'button';
    this.nameBtn.title = 'Your name, shown to others when you hold a control';
    this.nameBtn.addEventListener('click', () => this.rename());
    this.rtt = el('span', 'rtt', bar);
    this.rtt.title = 'Round-trip time to mixhost';
    this.pill = el('span', 'conn connecting', bar, 'Connecting');
    this.pill.setAttribute('role', 'status');
    this.banner = el('div', 'link-banner', root);
    this.banner.hidden = true;
    root.append(this.learn.bar);
    this.viewRoot = el('main', 'view-root', root);
    this.toasts = el('div', 'toasts', root);
    this.toasts.setAttribute('aria-live', 'polite');
    this.overlay = el('div', 'overlay', root);
    this.showSplash();

    window.addEventListener('hashchange', () => this.route());
    state.onWelcome((changed) => {
      this.welcomed = true;
      this.overlay.hidden = true;
      this.applyRole();
      if (changed) this.mountedKey = '';
      this.route();
    });
    state.onError((e) => {
      if (this.learn.claims(e)) return;
      const h = e.address !== undefined ? state.holder(e.address) : undefined;
      const text = e.code === 'E_CONTROL_HELD' && h !== undefined ? `${h.name} holds this control` : e.message;
      this.toast(text, e.code);
    });
  }

  navigate(view: string): void {
    const target = `#${view}`;
    if (location.hash === target) this.route();
    else location.hash = target;
  }

  /** Connection state from the link. */
  status(s: LinkStatus): void {
    this.last = s;
    const cls = s.state === 'refused' ? 'refused' : s.state;
    this.pill.className = `conn ${cls}`;
    this.pill.textContent =
      s.state === 'live' ? 'Live' : s.state === 'refused' ? 'Refused' : s.state === 'reconnecting' ? `Reconnecting${s.attempt > 1 ? ` · ${s.attempt}` : ''}` : 'Connecting';
    this.rtt.textContent = s.state === 'live' && s.rttMs !== undefined ? `${Math.max(0, Math.round(s.rttMs))} ms` : '';
    document.body.classList.toggle('offline', s.state !== 'live' && this.welcomed);
    if (s.state === 'refused') {
      this.showRefused(s);
      return;
    }
    this.updateBanner();
  }

  private updateBanner(): void {
    const s = this.last;
    if (this.bannerTimer !== undefined) window.clearTimeout(this.bannerTimer);
    this.bannerTimer = undefined;
    if (s === undefined || s.state === 'live' || s.state === 'refused' || !this.welcomed) {
      this.banner.hidden = true;
      return;
    }
    const wait = s.retryAt !== undefined ? Math.ceil((s.retryAt - performance.now()) / 1000) : 0;
    const why = s.closeCode === 4029 ? 'Too many wrong tokens from this address.' : s.closeCode === 1001 ? 'mixhost is restarting.' : 'Connection lost.';
    this.banner.textContent = `${why} ${wait > 0 ? `Reconnecting in ${wait} s` : 'Reconnecting'}${s.attempt > 1 ? ` (attempt ${s.attempt})` : ''}. Moves made now are not sent.`;
    this.banner.hidden = false;
    if (wait > 0) this.bannerTimer = window.setTimeout(() => this.updateBanner(), 500);
  }

  private applyRole(): void {
    const role = this.state.role;
    this.root.dataset.role = role;
    this.nav.hidden = role === 'performer';
    this.navLinks.get('mymix')!.hidden = this.state.layout.auxBuses.length === 0;
    this.navLinks.get('access')!.hidden = role !== 'engineer';
    this.roleBadge.hidden = role === 'engineer';
    // An invite is shown to others by the name the engineer gave it: the device's own name
    // would change nothing, so it is shown (read only) rather than offered for editing.
    this.nameBtn.disabled = role !== 'engineer';
    this.nameBtn.textContent = role === 'engineer' ? this.name : this.state.name;
    this.nameBtn.title = role === 'engineer' ? 'Your name, shown to others when you hold a control' : 'Your name, as the engineer gave it';
    this.roleBadge.textContent = role === 'viewer' ? 'Read only' : role === 'performer' ? 'Performer' : '';
  }

  private route(): void {
    if (!this.welcomed) return;
    const L = this.state.layout;
    const r = parseRoute(location.hash, location.pathname, {
      role: this.state.role,
      bus: this.state.bus,
      channels: L.channels.length,
      auxBuses: L.auxBuses.length,
      masterChains: L.masterChains.length,
    });
    const key = 'n' in r ? `${r.view}/${r.n}` : r.view;
    for (const [k, a] of this.navLinks) a.classList.toggle('on', k === r.view || (k === 'mixer' && r.view === 'channel'));
    if (key === this.mountedKey) return;
    this.unmount?.();
    this.unmount = undefined;
    this.viewRoot.replaceChildren();
    this.viewRoot.scrollTop = 0;
    this.viewRoot.dataset.view = r.view;
    this.mountedKey = key;
    const host = el('div', `view view-${r.view}`, this.viewRoot);
    document.title = `${this.title(r)} · mixhost`;
    switch (r.view) {
      case 'mixer':
        this.unmount = mountMixer(host, this.state);
        break;
      case 'mymix':
        this.unmount = mountMyMix(host, this.state, r.n);
        break;
      case 'channel':
        this.unmount = this.detail(host, (body) => mountChannelView(body, this.state, r.n));
        break;
      case 'master':
        this.unmount = this.detail(host, (body) => mountMasterView(body, this.state, r.n));
        break;
      case 'access':
        this.unmount = this.detail(host, (body) => mountAccessView(body, this.state));
        break;
    }
  }

  private title(r: Route): string {
    const L = this.state.layout;
    switch (r.view) {
      case 'mixer':
        return 'Mixer';
      case 'channel':
        return L.channels[r.n - 1]?.name ?? `Ch ${r.n}`;
      case 'master':
        return L.masterChains[r.n - 1]?.name ?? 'Master';
      case 'mymix':
        return `My mix: ${L.auxBuses[r.n - 1]?.name ?? `Aux ${r.n}`}`;
      case 'access':
        return 'Access';
    }
  }

  /** A detail view; one that throws shows its error instead of a blank page. */
  private detail(host: HTMLElement, mount: (body: HTMLElement) => () => void): () => void {
    try {
      return mount(host);
    } catch (err) {
      host.replaceChildren();
      el('div', 'empty', host, `This view failed to open: ${err instanceof Error ? err.message : String(err)}`);
      return () => undefined;
    }
  }

  private rename(): void {
    const next = window.prompt('Your name, shown to others when you hold a control', this.name);
    if (next === null) return;
    const name = next.trim().slice(0, 40) || deviceName(navigator.userAgent, navigator.maxTouchPoints);
    if (name === this.name) return;
    this.name = name;
    localStorage.setItem(NAME_KEY, name);
    this.nameBtn.textContent = name;
    this.opts.onRename(name);
  }

  private toast(text: string, code: string): void {
    for (const t of this.toasts.children) {
      if ((t as HTMLElement).dataset.text === text) return;
    }
    const t = el('div', 'toast', this.toasts);
    t.dataset.text = text;
    el('span', 'toast-code', t, code);
    el('span', 'toast-text', t, text);
    window.setTimeout(() => t.remove(), 3000);
  }

  private showSplash(): void {
    this.overlay.replaceChildren();
    const box = el('div', 'overlay-box', this.overlay);
    el('div', 'spinner', box);
    el('h2', '', box, 'Connecting to mixhost…');
    this.overlay.hidden = false;
  }

  private showRefused(s: LinkStatus): void {
    this.banner.hidden = true;
    this.overlay.replaceChildren();
    const box = el('div', 'overlay-box refused', this.overlay);
    if (s.refusal === 'revoked') {
      el('h2', '', box, 'This link has been revoked');
      el('p', '', box, 'The engineer withdrew this invite. Ask for a new link or QR code to get back in.');
    } else {
      el('h2', '', box, 'Access not accepted');
      el('p', '', box, 'This browser’s access token is wrong or out of date (mixhost may have restarted with a new token). Open the link mixhost printed, scan its QR code, or enter the token.');
    }
    const row = el('div', 'overlay-actions', box);
    const login = el('a', 'btn primary', row, 'Enter a token');
    login.href = '/logout';
    const retry = el('button', 'btn', row, 'Try again');
    retry.type = 'button';
    retry.addEventListener('click', () => location.reload());
    this.overlay.hidden = false;
  }
}
