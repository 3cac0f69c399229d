/**
 * Access: the engineer hands out and takes back links. A performer link (MyMix, bound to one aux
 * bus) or a viewer link (read only) is made with `POST /api/invites`, shown as a QR code to scan
 * from this screen, copied, and revoked on the spot with `DELETE /api/invites/<id>` (two taps).
 *
 * The top line counts the remotes connected now, by role (`GET /api/status`, field `remote`,
 * every 5 s while the view is open). The server tells no more than that: which invite is in use
 * is not known, so the rows do not pretend to know it.
 *
 * The browser is authenticated by its cookie; requests that change something carry
 * `X-Mixhost-Request: 1` (see docs/http-api.md). The pure parts (request building, form checks,
 * answers to rows, the QR code) are exported for the tests; `mountAccessView` is the DOM.
 */
import { encodeQr, qrToSvg } from '../../../src/server/qr.js';
import type { RemoteLayout, Role } from '../types.js';
import { busColor } from './mixer.js';
import { ACCESS_CSS as CSS } from './access-css.js';
import { el } from '../dom.js';

// ---- pure parts ------------------------------------------------------------------------------

export const MAX_NAME = 40;
/** The status counts are read no faster than this. */
export const STATUS_POLL_MS = 5000;
/** The smallest side of the QR code on screen, quiet zone included. */
export const QR_MIN_PX = 264;

export type InviteRole = 'performer' | 'viewer';

export interface InviteInfo {
  readonly id: string;
  readonly role: InviteRole;
  readonly bus?: number;
  readonly name: string;
  readonly created: string;
  readonly url: string;
}

export interface ApiError {
  readonly status: number;
  /** The server's stable code (`E_INVITE`, …), or '' when no server answered with one. */
  readonly code: string;
  readonly message: string;
}

export type InviteBody = { role: 'performer'; bus: number; name: string } | { role: 'viewer'; name: string };

export type Op = { kind: 'list' } | { kind: 'create'; body: InviteBody } | { kind: 'revoke'; id: string } | { kind: 'status' };

export interface ApiRequest {
  readonly url: string;
  readonly init: RequestInit;
}

/** The fetch arguments of an operation: cookie credentials, never cached, the CSRF header. */
export function apiRequest(op: Op): ApiRequest {
  const headers: Record<string, string> = { Accept: 'application/json', 'X-Mixhost-Request': '1' };
  const base = { credentials: 'same-origin' as const, cache: 'no-store' as const, headers };
  switch (op.kind) {
    case 'list':
      return { url: '/api/invites', init: { ...base, method: 'GET' } };
    case 'status':
      return { url: '/api/status', init: { ...base, method: 'GET' } };
    case 'create':
      headers['Content-Type'] = 'application/json';
      return { url: '/api/invites', init: { ...base, method: 'POST', body: JSON.stringify(op.body) } };
    case 'revoke':
      return { url: `/api/invites/${encodeURIComponent(op.id)}`, init: { ...base, method: 'DELETE' } };
  }
}

/** A name as the server keeps it: control characters removed, trimmed. */
export function cleanName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
}

export interface InviteForm {
  readonly name: string;
  readonly role: InviteRole;
  readonly bus?: number;
}

export type FormCheck = { readonly ok: true; readonly body: InviteBody } | { readonly ok: false; readonly field: 'name' | 'bus'; readonly message: string };

/** The request body of the form, or what is wrong with it (the server checks the same again). */
export function checkInviteForm(form: InviteForm, auxBuses: number): FormCheck {
  const name = cleanName(form.name);
  if (name.length === 0) return { ok: false, field: 'name', message: 'Give the link a name: the musician or the device.' };
  if (name.length > MAX_NAME) return { ok: false, field: 'name', message: `The name is ${name.length} characters; at most ${MAX_NAME}.` };
  if (form.role === 'viewer') return { ok: true, body: { role: 'viewer', name } };
  if (auxBuses < 1) return { ok: false, field: 'bus', message: 'This session has no aux buses: a performer link needs one.' };
  const bus = form.bus;
  if (bus === undefined || !Number.isInteger(bus) || bus < 1 || bus > auxBuses) {
    return { ok: false, field: 'bus', message: `Pick the aux bus of this musician's mix (1 to ${auxBuses}).` };
  }
  return { ok: true, body: { role: 'performer', bus, name } };
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** One invite of the server's answer, or undefined if it is not one. */
export function parseInvite(x: unknown): InviteInfo | undefined {
  if (!isObj(x)) return undefined;
  const { id, role, bus, name, created, url } = x;
  if (typeof id !== 'string' || id === '' || typeof name !== 'string' || typeof url !== 'string' || !/^https?:\/\//.test(url)) return undefined;
  const when = typeof created === 'string' ? created : '';
  if (role === 'viewer') return { id, role, name, created: when, url };
  if (role === 'performer' && typeof bus === 'number' && Number.isInteger(bus) && bus >= 1) return { id, role, bus, name, created: when, url };
  return undefined;
}

/** `GET /api/invites`'s `{invites: […]}`: the invites it holds (entries that are not, skipped). */
export function parseInvites(body: unknown): InviteInfo[] | undefined {
  if (!isObj(body) || !Array.isArray(body.invites)) return undefined;
  const out: InviteInfo[] = [];
  for (const x of body.invites) {
    const inv = parseInvite(x);
    if (inv !== undefined) out.push(inv);
  }
  return out;
}

/** The error of a refused request: `{"error":{"code","message"}}`, else the HTTP status. */
export function apiError(status: number, body: unknown): ApiError {
  const e = isObj(body) ? body.error : undefined;
  if (isObj(e) && typeof e.code === 'string' && typeof e.message === 'string') return { status, code: e.code, message: e.message };
  return { status, code: '', message: `mixhost answered HTTP ${status}` };
}

/** "Aux 2 · Drum IEM" for a performer (the layout's bus name), "Viewer · read only". */
export function roleText(inv: Pick<InviteInfo, 'role' | 'bus'>, auxBuses: RemoteLayout['auxBuses']): string {
  if (inv.role === 'viewer') return 'Viewer · read only';
  const name = inv.bus !== undefined ? auxBuses[inv.bus - 1]?.name : undefined;
  return name !== undefined && name !== `Aux ${inv.bus}` ? `Aux ${inv.bus} · ${name}` : `Aux ${inv.bus}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** "today 14:05", "yesterday 23:50", "3 Mar 09:12", "3 Mar 2024" (local time); "—" if unknown. */
export function formatCreated(iso: string, now: Date): string {
  const t = new Date(iso);
  if (iso === '' || Number.isNaN(t.getTime())) return '—';
  const day = (d: Date): number => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((day(now) - day(t)) / 86_400_000);
  const hm = `${two(t.getHours())}:${two(t.getMinutes())}`;
  if (days === 0) return `today ${hm}`;
  if (days === 1) return `yesterday ${hm}`;
  const date = `${t.getDate()} ${MONTHS[t.getMonth()]}`;
  return t.getFullYear() === now.getFullYear() ? `${date} ${hm}` : `${date} ${t.getFullYear()}`;
}

export interface InviteRow {
  readonly id: string;
  readonly name: string;
  readonly role: InviteRole;
  readonly roleText: string;
  readonly created: string;
  readonly url: string;
  /** The bus colour of a performer row (as on the mixer), undefined for a viewer. */
  readonly color?: string;
}

/** The rows of the list: newest first (the server's order among equal times). */
export function inviteRows(list: readonly InviteInfo[], auxBuses: RemoteLayout['auxBuses'], now: Date): InviteRow[] {
  const time = (s: string): number => {
    const t = Date.parse(s);
    return Number.isNaN(t) ? -Infinity : t;
  };
  return list
    .map((inv, i) => ({ inv, i, t: time(inv.created) }))
    .sort((a, b) => b.t - a.t || a.i - b.i)
    .map(({ inv }) => ({
      id: inv.id,
      name: inv.name,
      role: inv.role,
      roleText: roleText(inv, auxBuses),
      created: formatCreated(inv.created, now),
      url: inv.url,
      ...(inv.role === 'performer' && inv.bus !== undefined ? { color: busColor(inv.bus) } : {}),
    }));
}

export interface RemoteCounts {
  readonly clients: number;
  readonly engineer: number;
  readonly performer: number;
  readonly viewer: number;
}

/** `GET /api/status`'s `remote.clients` and `remote.byRole`, or undefined. */
export function parseRemoteCounts(status: unknown): RemoteCounts | undefined {
  const r = isObj(status) ? status.remote : undefined;
  if (!isObj(r) || !isObj(r.byRole)) return undefined;
  const n = (x: unknown): number => (typeof x === 'number' && Number.isInteger(x) && x >= 0 ? x : 0);
  const by = r.byRole;
  const counts = { engineer: n(by.engineer), performer: n(by.performer), viewer: n(by.viewer) };
  const clients = typeof r.clients === 'number' ? n(r.clients) : counts.engineer + counts.performer + counts.viewer;
  return { clients, ...counts };
}

/** "3 remotes connected: 1 engineer, 2 performers". */
export function presenceText(c: RemoteCounts | undefined): string {
  if (c === undefined) return 'Remotes connected: not known';
  if (c.clients === 0) return 'No remotes connected';
  const parts = (['engineer', 'performer', 'viewer'] as const).filter((r) => c[r] > 0).map((r) => `${c[r]} ${r}${c[r] === 1 ? '' : 's'}`);
  return `${c.clients} remote${c.clients === 1 ? '' : 's'} connected${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

export interface QrImage {
  readonly svg: string;
  /** Side in pixels, quiet zone (4 modules) included. */
  readonly px: number;
  /** Modules per side of the symbol, and pixels per module. */
  readonly modules: number;
  readonly modulePx: number;
  readonly version: number;
}

/** The link as an SVG QR code (level M), a whole number of pixels per module, at least minPx. */
export function qrImage(url: string, minPx = QR_MIN_PX): QrImage {
  const m = encodeQr(url, { ecc: 'M' });
  const full = m.size + 8;
  const modulePx = Math.max(1, Math.ceil(minPx / full));
  return { svg: qrToSvg(m, modulePx), px: full * modulePx, modules: m.size, modulePx, version: m.version };
}

// ---- the view ----------------------------------------------------------------------------

export interface AccessContext {
  readonly role: Role;
  readonly layout: RemoteLayout;
}

const CSS_ID = 'mixhost-access-css';

function button(cls: string, parent: HTMLElement, text: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', cls, parent, text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

type Result<T> = { ok: true; body: T } | { ok: false; error: ApiError };

/** A revoke button is armed for this long after the first tap. */
const ARM_MS = 4000;

export function mountAccessView(root: HTMLElement, ctx: AccessContext): () => void {
  if (!document.getElementById(CSS_ID)) {
    const style = document.createElement('style');
    style.id = CSS_ID;
    style.textContent = CSS;
    document.head.append(style);
  }
  const view = el('div', 'acc', root);
  if (ctx.role !== 'engineer') {
    el('div', 'empty', view, 'Only the engineer hands out links.');
    return () => view.remove();
  }
  const buses = ctx.layout.auxBuses;
  const aborter = new AbortController();
  const timers = new Set<number>();
  let disposed = false;
  let invites: InviteInfo[] = [];
  let toastTimer: number | undefined;

  const call = async (op: Op): Promise<Result<unknown>> => {
    const { url, init } = apiRequest(op);
    try {
      const res = await fetch(url, { ...init, signal: aborter.signal });
      const body: unknown = await res.json().catch(() => undefined);
      return res.ok ? { ok: true, body } : { ok: false, error: apiError(res.status, body) };
    } catch {
      return { ok: false, error: { status: 0, code: '', message: 'mixhost did not answer: check the network' } };
    }
  };

  // Head: title, who is connected, New link.
  const head = el('section', 'acc-card acc-head', view);
  const title = el('div', 'acc-title', head);
  el('div', 'acc-kicker', title, 'Links for musicians and guests');
  el('h1', '', title, 'Access');
  const presence = el('div', 'acc-presence unknown', title, presenceText(undefined));
  presence.setAttribute('role', 'status');
  const newBtn = button('btn primary', head, 'New link', () => openForm(form.hidden !== false));

  // The form.
  const form = el('section', 'acc-card acc-form', view);
  form.hidden = true;
  el('h2', '', form, 'New link');
  const nameField = el('label', 'acc-field', form);
  el('span', 'acc-label', nameField, 'Name');
  const nameInput = Object.assign(el('input', '', nameField), { type: 'text', maxLength: MAX_NAME, placeholder: 'Anna, or FOH laptop', autocomplete: 'off', spellcheck: false });
  const roleField = el('div', 'acc-field', form);
  el('span', 'acc-label', roleField, 'For');
  const seg = el('div', 'acc-seg', roleField);
  seg.setAttribute('role', 'radiogroup');
  const roleBtns = new Map<InviteRole, HTMLButtonElement>();
  for (const [r, text, sub] of [
    ['performer', 'Performer', 'MyMix of one aux bus'],
    ['viewer', 'Viewer', 'sees everything, changes nothing'],
  ] as const) {
    const b = button('', seg, text, () => setRole(r));
    el('small', '', b, sub);
    b.setAttribute('role', 'radio');
    roleBtns.set(r, b);
  }
  const busField = el('div', 'acc-field', form);
  el('span', 'acc-label', busField, 'Aux bus');
  const busGrid = el('div', 'acc-buses', busField);
  const busBtns: HTMLButtonElement[] = buses.map((b, i) => {
    const btn = button('acc-bus', busGrid, '', () => setBus(i + 1));
    btn.style.setProperty('--c', busColor(i + 1));
    el('small', '', btn, `AUX ${i + 1}`);
    el('b', '', btn, b.name);
    btn.setAttribute('role', 'radio');
    return btn;
  });
  const hint = el('div', 'acc-hint', form);
  hint.setAttribute('aria-live', 'polite');
  const actions = el('div', 'acc-actions', form);
  const createBtn = button('btn primary', actions, 'Create link', () => void create());
  button('btn', actions, 'Cancel', () => openForm(false));

  let role: InviteRole = buses.length > 0 ? 'performer' : 'viewer';
  let bus: number | undefined;
  const check = (b: HTMLElement, on: boolean): void => {
    b.classList.toggle('on', on);
    b.setAttribute('aria-checked', String(on));
  };
  const setRole = (r: InviteRole): void => {
    role = r;
    for (const [k, b] of roleBtns) check(b, k === r);
    busField.hidden = r !== 'performer';
    showHint('');
  };
  const setBus = (n: number): void => {
    bus = n;
    busBtns.forEach((b, i) => check(b, i + 1 === n));
    showHint('');
  };
  roleBtns.get('performer')!.disabled = buses.length === 0;
  const showHint = (text: string, bad = false): void => {
    hint.textContent = text;
    hint.classList.toggle('bad', bad);
    nameField.classList.remove('bad');
  };
  setRole(role);
  const openForm = (open: boolean): void => {
    form.hidden = !open;
    newBtn.textContent = open ? 'Close' : 'New link';
    newBtn.classList.toggle('primary', !open);
    if (!open) return;
    nameInput.value = '';
    setRole(role);
    if (buses.length > 0 && bus === undefined) setBus(1);
    nameInput.focus();
  };
  nameInput.addEventListener('input', () => showHint(''));
  nameInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') void create();
  });

  const create = async (): Promise<void> => {
    const check = checkInviteForm({ name: nameInput.value, role, bus }, buses.length);
    if (!check.ok) {
      showHint(check.message, true);
      if (check.field === 'name') nameField.classList.add('bad');
      return;
    }
    createBtn.disabled = true;
    const r = await call({ kind: 'create', body: check.body });
    if (disposed) return;
    createBtn.disabled = false;
    if (!r.ok) {
      showHint(r.error.message, true);
      toast(r.error);
      return;
    }
    const inv = parseInvite(r.body);
    openForm(false);
    await refresh();
    if (inv !== undefined && !disposed) showQr(inv);
  };

  // The list.
  const listCard = el('section', 'acc-card acc-list', view);
  el('h2', '', listCard, 'Links handed out');
  const rowsEl = el('div', 'acc-rows', listCard);
  const armed = new Map<string, number>();

  const render = (): void => {
    rowsEl.replaceChildren();
    const rows = inviteRows(invites, buses, new Date());
    if (rows.length === 0) {
      el('div', 'acc-none', rowsEl, 'No links yet. “New link” makes one for a musician’s own mix, or a read-only one.');
      return;
    }
    for (const row of rows) {
      const r = el('div', 'acc-row', rowsEl);
      r.dataset.id = row.id;
      r.dataset.role = row.role;
      if (row.color !== undefined) r.style.setProperty('--c', row.color);
      el('div', 'row-color', r);
      el('div', 'acc-name', r, row.name);
      el('div', 'acc-role', r, row.roleText);
      el('div', 'acc-created', r, row.created);
      const btns = el('div', 'acc-rowbtns', r);
      button('btn', btns, 'Show QR', () => {
        const inv = invites.find((i) => i.id === row.id);
        if (inv !== undefined) showQr(inv);
      });
      const isArmed = armed.has(row.id);
      if (isArmed) button('btn', btns, 'Keep', () => disarm(row.id));
      const revoke = button(`btn danger${isArmed ? ' armed' : ''}`, btns, isArmed ? 'Tap to revoke' : 'Revoke', () => {
        if (armed.has(row.id)) void doRevoke(row.id, revoke);
        else arm(row.id);
      });
      revoke.setAttribute('aria-label', isArmed ? `Confirm: revoke ${row.name}'s link` : `Revoke ${row.name}'s link`);
    }
  };
  const arm = (id: string): void => {
    for (const k of [...armed.keys()]) disarm(k, false);
    armed.set(id, later(() => disarm(id), ARM_MS));
    render();
  };
  const disarm = (id: string, redraw = true): void => {
    const t = armed.get(id);
    if (t !== undefined) clearLater(t);
    armed.delete(id);
    if (redraw) render();
  };
  const doRevoke = async (id: string, btn: HTMLButtonElement): Promise<void> => {
    btn.disabled = true;
    const r = await call({ kind: 'revoke', id });
    if (disposed) return;
    disarm(id, false);
    if (!r.ok) toast(r.error);
    else {
      invites = invites.filter((i) => i.id !== id);
      if (qrBack?.dataset.id === id) closeQr();
      const name = isObj(r.body) && typeof r.body.name === 'string' ? r.body.name : 'the link';
      toast(undefined, `Revoked ${name}: that device is out.`);
    }
    render();
    await refresh();
  };

  // The QR code of one link.
  let qrBack: HTMLElement | undefined;
  const closeQr = (): void => {
    qrBack?.remove();
    qrBack = undefined;
  };
  const showQr = (inv: InviteInfo): void => {
    closeQr();
    const back = el('div', 'acc-qr-back', view);
    back.dataset.id = inv.id;
    back.addEventListener('click', (e) => {
      if (e.target === back) closeQr();
    });
    const box = el('div', 'acc-qr', back);
    box.setAttribute('role', 'dialog');
    box.setAttribute('aria-label', `Link for ${inv.name}`);
    el('h2', '', box, inv.name);
    const rt = el('div', 'acc-role', box, roleText(inv, buses));
    if (inv.role === 'performer' && inv.bus !== undefined) rt.style.color = busColor(inv.bus);
    const code = el('div', 'acc-code', box);
    try {
      const img = qrImage(inv.url);
      code.innerHTML = img.svg; // built here from numbers only
      code.dataset.px = String(img.px);
    } catch (e) {
      code.replaceWith(el('div', 'acc-hint bad', undefined, `No QR code: ${e instanceof Error ? e.message : String(e)}`));
    }
    const urlText = el('div', 'acc-url', box, inv.url);
    el('div', 'acc-qr-note', box, inv.role === 'performer' ? 'Scan with the phone’s camera: it opens this musician’s MyMix and stays in until you revoke the link.' : 'Scan with the device’s camera: it opens the remote read-only and stays in until you revoke the link.');
    const acts = el('div', 'acc-actions', box);
    const copyBtn = button('btn', acts, 'Copy link', () => void copy(inv.url, urlText, copyBtn));
    button('btn primary', acts, 'Done', closeQr);
    qrBack = back;
  };

  const copy = async (text: string, node: HTMLElement, btn: HTMLButtonElement): Promise<void> => {
    const sel = (): void => {
      const range = document.createRange();
      range.selectNodeContents(node);
      const s = window.getSelection();
      s?.removeAllRanges();
      s?.addRange(range);
    };
    // The link is selected first, so it shows what is copied (or what to copy by hand).
    sel();
    const api = window.isSecureContext ? navigator.clipboard : undefined;
    let done = api !== undefined && (await api.writeText(text).then(() => true, () => false));
    if (!done) {
      // Plain http on the LAN is not a secure context: no clipboard API. The old copy command
      // still works during a tap; else the selection stays for the device's own Copy.
      sel();
      done = (() => { try { return document.execCommand('copy'); } catch { return false; } })();
    }
    if (disposed) return;
    btn.textContent = done ? 'Copied' : 'Selected: copy it';
    later(() => (btn.textContent = 'Copy link'), 2500);
  };

  // An error line (code and message) or a short confirmation, like the app's toasts.
  let toastEl: HTMLElement | undefined;
  const toast = (err: ApiError | undefined, text?: string): void => {
    toastEl?.remove();
    if (toastTimer !== undefined) clearLater(toastTimer);
    const t = el('div', `acc-toast${err === undefined ? ' ok' : ''}`, view);
    t.setAttribute('role', err === undefined ? 'status' : 'alert');
    if (err !== undefined && err.code !== '') el('code', '', t, err.code);
    el('span', '', t, err?.message ?? text ?? '');
    t.addEventListener('click', () => t.remove());
    toastEl = t;
    toastTimer = later(() => t.remove(), err === undefined ? 3000 : 7000);
  };

  // Timers that die with the view.
  function later(fn: () => void, ms: number): number {
    const id = window.setTimeout(() => {
      timers.delete(id);
      if (!disposed) fn();
    }, ms);
    timers.add(id);
    return id;
  }
  function clearLater(id: number): void {
    window.clearTimeout(id);
    timers.delete(id);
  }

  const refreshList = async (): Promise<void> => {
    const r = await call({ kind: 'list' });
    if (disposed) return;
    if (!r.ok) return toast(r.error);
    const list = parseInvites(r.body);
    if (list === undefined) return toast({ status: 200, code: '', message: 'the invite list from mixhost was not understood' });
    invites = list;
    for (const id of [...armed.keys()]) if (!list.some((i) => i.id === id)) disarm(id, false);
    render();
  };
  const refreshStatus = async (): Promise<void> => {
    if (document.visibilityState === 'hidden') return;
    const r = await call({ kind: 'status' });
    if (disposed) return;
    const counts = r.ok ? parseRemoteCounts(r.body) : undefined;
    presence.textContent = presenceText(counts);
    presence.classList.toggle('unknown', counts === undefined || counts.clients === 0);
  };
  const refresh = (): Promise<void> => Promise.all([refreshList(), refreshStatus()]).then(() => undefined);

  render();
  void refresh();
  const poll = window.setInterval(() => void refreshStatus(), STATUS_POLL_MS);
  const onKey = (e: KeyboardEvent): void => void (e.key === 'Escape' && closeQr());
  document.addEventListener('keydown', onKey);

  return () => {
    disposed = true;
    aborter.abort();
    window.clearInterval(poll);
    for (const t of timers) window.clearTimeout(t);
    timers.clear();
    document.removeEventListener('keydown', onKey);
    view.remove();
  };
}
