/**
 * The surface manager: which MIDI ports are which hardware, which units form one surface, and
 * keeping them connected while ports come and go.
 *
 * - A port watcher polls the backend. No MIDI subsystem, a port that vanishes and a port that
 *   cannot be opened are normal states: reported once, retried, never a crash.
 * - Surfaces come from `--surface` entries (device, optional port, optional profile) and, with
 *   auto-detection on, from every port whose name matches a device file. A port that matches no
 *   device becomes a learn-only controller (`generic-midi`), so any MIDI controller can be used
 *   through learn. Mackie Control units found together form one surface: the extenders to the
 *   left of the main unit (the usual desk layout; `--surface` entries give any order).
 * - Learn: `learn(address)` arms every learning surface; the first control moved binds, the
 *   others are cancelled. Learnt mappings are kept per surface in a JSON file (written whole,
 *   atomically), loaded again at start.
 */
import { readFile } from 'node:fs/promises';
import { writeAtomically } from '../control/atomic-file.js';
import { MixhostError } from '../model/errors.js';
import { createGenericSurface } from './generic/driver.js';
import { createMackieSurface } from './mackie/driver.js';
import { PortWatcher, type PortEvent } from './transport/port-watcher.js';
import { isLearning, type Surface, type SurfaceContext, type SurfaceEvent, type SurfaceStatus, type UnitSpec } from './surface.js';
import type { DeviceSpec, Mapping, MidiBackend, MidiConnection, SurfaceProfile } from './types.js';

/** The device used for a port that matches no device file: a controller known through learn. */
export const LEARN_ONLY_DEVICE = 'generic-midi';
/** Ports never opened by auto-detection (the system's own MIDI loopback). */
const IGNORED_PORTS = /midi through|rtmidi|mixhost/i;
export const LEARN_TIMEOUT_MS = 30_000;
export const TICK_MS = 30;

export interface SurfaceConfig {
  /** Device file id. */
  readonly device: string;
  /** Port name, or a case-insensitive part of it; default: the device's own port patterns. */
  readonly port?: string;
  /** Profile id; default `<device>.default`. */
  readonly profile?: string;
}

export interface SurfaceData {
  readonly devices: ReadonlyMap<string, DeviceSpec>;
  readonly profiles: ReadonlyMap<string, SurfaceProfile>;
}

export interface ManagerOptions {
  readonly ctx: Omit<SurfaceContext, 'report'>;
  readonly backend: MidiBackend;
  readonly data: SurfaceData;
  /** Explicit surfaces, in order (Mackie units listed together form one surface, left to right). */
  readonly surfaces?: readonly SurfaceConfig[];
  /** Open every recognised (and unrecognised, learn-only) port as it appears. Default true. */
  readonly auto?: boolean;
  /** Where learnt mappings are kept. */
  readonly learnFile?: string;
  readonly pollMs?: number;
  readonly tickMs?: number;
  /** Where reports go (default: nowhere; `serve` prints them). */
  readonly onReport?: (e: SurfaceEvent) => void;
  /** Find a device for a port name (the loader's matchDevice). */
  readonly matchDevice: (port: string) => DeviceSpec | undefined;
}

interface UnitSlot {
  readonly device: DeviceSpec;
  /** Exact input port name once known, or the pattern to look for. */
  port: string | undefined;
  readonly pattern: string | undefined;
  conn: MidiConnection | undefined;
  input: string | undefined;
  output: string | undefined;
  failedOpen: boolean;
}

interface Managed {
  surface: Surface;
  readonly slots: UnitSlot[];
  readonly auto: boolean;
}

export type LearnResult =
  | { ok: true; surface: string; control: string; address: string }
  | { ok: false; code: 'E_LEARN_NONE' | 'E_LEARN_TIMEOUT' | 'E_LEARN_CANCELLED'; message: string };

export interface ManagerStatus {
  readonly available: boolean;
  readonly reason?: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly surfaces: readonly SurfaceStatus[];
  readonly learning?: string;
}

export class SurfaceManager {
  private readonly inputs = new Set<string>();
  private readonly outputs = new Set<string>();
  private readonly managed: Managed[] = [];
  private readonly watcher: PortWatcher;
  private readonly ctx: SurfaceContext;
  private available = true;
  private reason: string | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private saved: Record<string, Mapping[]> = {};
  private learning: { address: string; done: (r: LearnResult) => void; timer: NodeJS.Timeout } | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  /** Reports so far (the last 100), for the status and tests. */
  readonly reports: SurfaceEvent[] = [];

  constructor(private readonly opts: ManagerOptions) {
    this.ctx = { ...opts.ctx, report: (e) => this.report(e) };
    this.watcher = new PortWatcher(opts.backend, { pollMs: opts.pollMs ?? 1000, onEvent: (e: PortEvent) => this.onPortEvent(e) });
    checkSurfaceConfigs(opts.surfaces ?? [], opts.data);
  }

  /** Load learnt mappings, build the configured surfaces, look at the ports, start the timers. */
  async start(): Promise<void> {
    await this.loadLearnt();
    this.buildConfigured();
    this.poll();
    // The watcher keeps its own back-off while MIDI is unavailable: ask it whether a look is due.
    this.pollTimer = setInterval(() => {
      if (this.closed) return;
      if (this.watcher.pollIfDue()) this.reconcile();
    }, this.opts.pollMs ?? 1000);
    this.pollTimer.unref();
    this.tickTimer = setInterval(() => this.tick(this.ctx.clock()), this.opts.tickMs ?? TICK_MS);
    this.tickTimer.unref();
  }

  /** One look at the ports: open what appeared, let go of what vanished (tests call it directly). */
  poll(): void {
    if (this.closed) return;
    this.watcher.poll();
    this.reconcile();
  }

  tick(now: number): void {
    for (const m of this.managed) {
      try {
        m.surface.tick(now);
      } catch (e) {
        this.report({ surface: m.surface.id, level: 'warn', code: 'E_INTERNAL', message: `tick failed: ${(e as Error).message}` });
      }
    }
  }

  get surfaces(): readonly Surface[] {
    return this.managed.map((m) => m.surface);
  }

  /** Display name of a change source (`midi:<id>`), for "held by" in the remote. */
  nameOf(source: string): string | undefined {
    const m = this.managed.find((x) => x.surface.source === source);
    if (m === undefined) return undefined;
    const main = m.slots.find((s) => s.device.mackie?.role === 'main') ?? m.slots[0];
    return main.device.name;
  }

  status(): ManagerStatus {
    return {
      available: this.available,
      ...(this.reason !== undefined ? { reason: this.reason } : {}),
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      surfaces: this.managed.map((m) => m.surface.status()),
      ...(this.learning !== undefined ? { learning: this.learning.address } : {}),
    };
  }

  /**
   * Bind the next control moved on any learning surface to `address`. `done` is called once:
   * learnt, cancelled (another learn, cancelLearn, close) or timed out (30 s).
   */
  learn(address: string, done: (r: LearnResult) => void, timeoutMs = LEARN_TIMEOUT_MS): void {
    this.ctx.registry.index(address); // E_PARAM_UNKNOWN
    const learners = this.managed.map((m) => m.surface).filter(isLearning);
    const live = learners.filter((s) => this.managed.find((m) => m.surface === s)?.slots.some((u) => u.conn !== undefined));
    if (live.length === 0) {
      done({ ok: false, code: 'E_LEARN_NONE', message: 'no MIDI controller that can learn is connected' });
      return;
    }
    this.cancelLearn();
    const timer = setTimeout(() => this.finishLearn({ ok: false, code: 'E_LEARN_TIMEOUT', message: `no control was moved within ${Math.round(timeoutMs / 1000)} s` }), timeoutMs);
    timer.unref();
    this.learning = { address, done, timer };
    for (const s of live) {
      s.learn(address, (mapping) => {
        if (mapping === undefined || this.learning?.done !== done) return;
        this.saved[s.id] = [...s.learnt()];
        this.saveLearnt();
        this.finishLearn({ ok: true, surface: s.id, control: mapping.control, address });
      });
    }
  }

  cancelLearn(): void {
    this.finishLearn({ ok: false, code: 'E_LEARN_CANCELLED', message: 'learn was cancelled' });
  }

  /** Remove every learnt mapping to `address`; returns how many went. */
  unlearn(address: string): number {
    let n = 0;
    for (const s of this.surfaces.filter(isLearning)) {
      const before = s.learnt();
      const after = before.filter((m) => m.target !== address);
      if (after.length !== before.length) {
        n += before.length - after.length;
        s.setLearnt(after);
        this.saved[s.id] = [...after];
      }
    }
    if (n > 0) this.saveLearnt();
    return n;
  }

  /** Wait for pending writes of the learn file. */
  flush(): Promise<void> {
    return this.writing;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.cancelLearn();
    this.closed = true;
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
    if (this.tickTimer !== undefined) clearInterval(this.tickTimer);
    for (const m of this.managed) {
      for (const slot of m.slots) this.closeSlot(slot);
      m.surface.dispose();
    }
    await this.writing;
  }

  // ---- internals ----

  private report(e: SurfaceEvent): void {
    this.reports.push(e);
    if (this.reports.length > 100) this.reports.shift();
    try {
      this.opts.onReport?.(e);
    } catch {
      // a failing printer must not stop the surfaces
    }
  }

  private finishLearn(r: LearnResult): void {
    const l = this.learning;
    if (l === undefined) return;
    this.learning = undefined;
    clearTimeout(l.timer);
    for (const s of this.surfaces.filter(isLearning)) s.cancelLearn();
    l.done(r);
  }

  private profileFor(device: DeviceSpec, id?: string): SurfaceProfile {
    const p = this.opts.data.profiles.get(id ?? `${device.id}.default`);
    if (p === undefined) throw new MixhostError('E_PROFILE_UNKNOWN', `no profile '${id ?? `${device.id}.default`}'`);
    return p;
  }

  private uniqueId(base: string): string {
    let id = base;
    for (let n = 2; this.managed.some((m) => m.surface.id === id); n++) id = `${base}-${n}`;
    return id;
  }

  /**
   * `--surface` entries: consecutive Mackie units form one surface, left to right, up to the
   * next main unit (which starts another surface); each other entry is one surface.
   */
  private buildConfigured(): void {
    const list = this.opts.surfaces ?? [];
    let group: { slot: UnitSlot; profile: SurfaceProfile }[] = [];
    const flushGroup = (): void => {
      if (group.length === 0) return;
      const main = group.find((g) => g.slot.device.mackie?.role === 'main') ?? group[0];
      this.create(group.map((g) => g.slot), main.profile, false);
      group = [];
    };
    for (const c of list) {
      const device = this.opts.data.devices.get(c.device) as DeviceSpec;
      const slot: UnitSlot = { device, port: undefined, pattern: c.port, conn: undefined, input: undefined, output: undefined, failedOpen: false };
      const profile = this.profileFor(device, c.profile);
      if (device.protocol === 'mackie') {
        const isMain = device.mackie?.role === 'main';
        if (isMain && group.some((g) => g.slot.device.mackie?.role === 'main')) flushGroup();
        group.push({ slot, profile });
        continue;
      }
      flushGroup();
      this.create([slot], profile, false);
    }
    flushGroup();
  }

  private create(slots: UnitSlot[], profile: SurfaceProfile, auto: boolean, id?: string): Managed {
    const units: UnitSpec[] = slots.map((s) => ({ device: s.device }));
    const first = slots.find((s) => s.device.mackie?.role === 'main') ?? slots[0];
    const sid = id ?? this.uniqueId(first.device.id === LEARN_ONLY_DEVICE && first.port !== undefined ? slug(first.port) : first.device.id);
    const surface =
      first.device.protocol === 'mackie'
        ? createMackieSurface(this.ctx, { id: sid, units, profile })
        : createGenericSurface(this.ctx, { id: sid, device: first.device, profile });
    if (isLearning(surface) && this.saved[sid] !== undefined) surface.setLearnt(this.saved[sid]);
    const m: Managed = { surface, slots, auto };
    this.managed.push(m);
    return m;
  }

  private onPortEvent(e: PortEvent): void {
    if (e.type === 'unavailable') {
      this.available = false;
      this.reason = e.reason;
      this.report({ surface: '-', level: 'warn', code: 'E_MIDI_UNAVAILABLE', message: `MIDI is not available: ${e.reason}; looking again from time to time` });
      return;
    }
    if (e.type === 'available') {
      this.available = true;
      this.reason = undefined;
      this.report({ surface: '-', level: 'info', code: 'MIDI_AVAILABLE', message: 'MIDI is available' });
      return;
    }
    const set = e.kind === 'output' ? this.outputs : this.inputs;
    if (e.type === 'appeared') set.add(e.name);
    else if (e.type === 'vanished') set.delete(e.name);
  }

  private claimed(): Set<string> {
    const out = new Set<string>();
    for (const m of this.managed) for (const s of m.slots) if (s.input !== undefined) out.add(s.input);
    return out;
  }

  /** Bring the surfaces in line with the ports present now. */
  private reconcile(): void {
    if (this.closed) return;
    // 1. Units that lost their port.
    for (const m of this.managed) {
      m.slots.forEach((slot, i) => {
        if (slot.conn === undefined) return;
        const inGone = slot.input !== undefined && !this.inputs.has(slot.input);
        const outGone = slot.output !== undefined && !this.outputs.has(slot.output);
        if (inGone || outGone) this.lose(m, i, `port '${slot.input ?? slot.output}' is gone`);
      });
    }
    // 2. Configured units look for their ports.
    for (const m of this.managed) {
      m.slots.forEach((slot, i) => {
        if (slot.conn !== undefined) return;
        if (slot.input === undefined || !this.inputs.has(slot.input)) {
          const taken = this.claimed();
          slot.input = this.findInput(slot, taken);
        }
        if (slot.input !== undefined) this.open(m, i);
      });
    }
    // 3. Auto-detection: new ports become units.
    if (this.opts.auto ?? true) this.autoDetect();
  }

  private findInput(slot: UnitSlot, taken: Set<string>): string | undefined {
    const free = [...this.inputs].filter((p) => !taken.has(p));
    if (slot.port !== undefined && free.includes(slot.port)) return slot.port;
    if (slot.pattern !== undefined) {
      const p = slot.pattern.toLowerCase();
      return free.find((n) => n === slot.pattern) ?? free.find((n) => n.toLowerCase().includes(p));
    }
    return free.find((n) => this.opts.matchDevice(n)?.id === slot.device.id);
  }

  private autoDetect(): void {
    const taken = this.claimed();
    const fresh = [...this.inputs].filter((p) => !taken.has(p) && !IGNORED_PORTS.test(p)).sort();
    if (fresh.length === 0) return;
    const mackie: UnitSlot[] = [];
    for (const port of fresh) {
      const known = this.opts.matchDevice(port);
      const device = known ?? this.opts.data.devices.get(LEARN_ONLY_DEVICE);
      if (device === undefined) continue;
      const slot: UnitSlot = { device, port, pattern: undefined, conn: undefined, input: port, output: undefined, failedOpen: false };
      if (device.protocol === 'mackie') {
        mackie.push(slot);
        continue;
      }
      const m = this.create([slot], this.profileFor(device), true);
      this.open(m, 0);
    }
    if (mackie.length > 0) this.joinMackie(mackie);
  }

  /**
   * New Mackie units found by auto-detection. A main unit joins an auto-detected surface that
   * has none yet (extenders found earlier), else starts its own. An extender joins the surface
   * whose main unit's port name shares the longest beginning with its own ("X-Touch-Ext…" goes
   * with "X-Touch…", not with "MCU Pro…"), to the left of it. A surface that gains units is
   * re-formed (banks re-counted, every unit refreshed).
   */
  private joinMackie(fresh: UnitSlot[]): void {
    const isMain = (s: UnitSlot): boolean => s.device.mackie?.role === 'main';
    const groups: Array<{ existing: Managed | undefined; slots: UnitSlot[] }> = [];
    for (const m of this.managed) if (m.auto && m.slots[0].device.protocol === 'mackie') groups.push({ existing: m, slots: [] });
    for (const slot of fresh.filter(isMain)) {
      const open = groups.find((g) => g.existing !== undefined && g.slots.length === 0 && !g.existing.slots.some(isMain));
      if (open !== undefined) open.slots.push(slot);
      else groups.push({ existing: undefined, slots: [slot] });
    }
    for (const slot of fresh.filter((s) => !isMain(s))) {
      let best: { existing: Managed | undefined; slots: UnitSlot[] } | undefined;
      let bestLen = -1;
      for (const g of groups) {
        const mains = [...(g.existing?.slots ?? []), ...g.slots].filter(isMain);
        const len = Math.max(0, ...mains.map((mn) => commonPrefix(mn.port ?? '', slot.port ?? '')));
        if (len > bestLen) {
          best = g;
          bestLen = len;
        }
      }
      if (best === undefined) groups.push({ existing: undefined, slots: [slot] });
      else best.slots.push(slot);
    }
    for (const g of groups) if (g.slots.length > 0) this.reform(g.existing, g.slots);
  }

  private reform(existing: Managed | undefined, fresh: UnitSlot[]): void {
    const slots = [...(existing?.slots ?? []), ...fresh];
    slots.sort((a, b) => roleOrder(a) - roleOrder(b));
    let id: string | undefined;
    if (existing !== undefined) {
      id = existing.surface.id;
      for (const s of existing.slots) this.closeSlot(s);
      existing.surface.dispose();
      this.managed.splice(this.managed.indexOf(existing), 1);
    }
    const main = slots.find((s) => s.device.mackie?.role === 'main') ?? slots[0];
    const m = this.create(slots, this.profileFor(main.device), true, id);
    m.slots.forEach((_, i) => this.open(m, i));
  }

  private open(m: Managed, i: number): void {
    const slot = m.slots[i];
    if (slot.input === undefined || slot.conn !== undefined) return;
    slot.output = this.outputs.has(slot.input) ? slot.input : this.pairOutput(slot);
    let conn: MidiConnection;
    try {
      conn = this.opts.backend.open(slot.input, slot.output);
    } catch (e) {
      if (!slot.failedOpen) {
        const code = e instanceof MixhostError ? e.code : 'E_MIDI_OPEN';
        this.report({ surface: m.surface.id, level: 'warn', code, message: `cannot open '${slot.input}': ${(e as Error).message}; trying again` });
      }
      slot.failedOpen = true;
      return;
    }
    slot.failedOpen = false;
    slot.port = slot.input;
    slot.conn = conn;
    conn.onClose((reason) => {
      if (slot.conn === conn) this.lose(m, i, reason);
    });
    try {
      m.surface.connect(i, conn);
    } catch (e) {
      this.report({ surface: m.surface.id, level: 'warn', code: 'E_INTERNAL', message: `connecting '${slot.input}' failed: ${(e as Error).message}` });
    }
    const out = slot.output === undefined ? ' (no output port: no feedback)' : '';
    this.report({ surface: m.surface.id, level: 'info', code: 'MIDI_CONNECTED', message: `${slot.device.name} on '${slot.input}'${out}` });
  }

  /** An output port for a unit whose input and output names differ: same device, not in use. */
  private pairOutput(slot: UnitSlot): string | undefined {
    const used = new Set<string>();
    for (const m of this.managed) for (const s of m.slots) if (s.output !== undefined && s.conn !== undefined) used.add(s.output);
    const free = [...this.outputs].filter((o) => !used.has(o));
    const base = slot.input?.replace(/\s*(in|input)\b.*$/i, '').toLowerCase();
    return free.find((o) => base !== undefined && base !== '' && o.toLowerCase().startsWith(base)) ?? free.find((o) => this.opts.matchDevice(o)?.id === slot.device.id && slot.device.id !== LEARN_ONLY_DEVICE);
  }

  private lose(m: Managed, i: number, reason: string): void {
    const slot = m.slots[i];
    if (slot.conn === undefined) return;
    this.closeSlot(slot);
    try {
      m.surface.disconnect(i);
    } catch {
      // nothing more to do for a unit that is gone
    }
    this.report({ surface: m.surface.id, level: 'warn', code: 'E_MIDI_PORT_GONE', message: `${slot.device.name} on '${slot.input}' went away (${reason}); it is opened again when it comes back` });
  }

  private closeSlot(slot: UnitSlot): void {
    const c = slot.conn;
    slot.conn = undefined;
    try {
      c?.close();
    } catch {
      // already closed
    }
  }

  private async loadLearnt(): Promise<void> {
    if (this.opts.learnFile !== undefined) this.saved = await readLearnFile(this.opts.learnFile);
  }

  private saveLearnt(): void {
    const file = this.opts.learnFile;
    if (file === undefined) return;
    const text = `${JSON.stringify({ version: 1, surfaces: this.saved }, null, 2)}\n`;
    this.writing = this.writing
      .catch(() => undefined)
      .then(() => writeAtomically(file, text))
      .catch((e: unknown) => {
        this.report({ surface: '-', level: 'warn', code: 'E_LEARN_FILE', message: `${file}: cannot be written (${(e as Error).message}); the mapping is kept for this run` });
      });
  }
}

/** Length of the common beginning of two port names, ignoring case. */
function commonPrefix(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return i;
}

/** Each --surface entry names a device file and a profile for that device (E_DEVICE_UNKNOWN, E_PROFILE_UNKNOWN). */
export function checkSurfaceConfigs(configs: readonly SurfaceConfig[], data: SurfaceData): void {
  for (const c of configs) {
    if (!data.devices.has(c.device)) {
      throw new MixhostError('E_DEVICE_UNKNOWN', `--surface ${c.device}: unknown device; known: ${[...data.devices.keys()].sort().join(', ')}`);
    }
    const p = c.profile ?? `${c.device}.default`;
    const prof = data.profiles.get(p);
    if (prof === undefined) throw new MixhostError('E_PROFILE_UNKNOWN', `--surface ${c.device}: no profile '${p}'`);
    if (prof.device !== c.device) throw new MixhostError('E_PROFILE_UNKNOWN', `--surface ${c.device}: profile '${p}' is for ${prof.device}`);
  }
}

/**
 * The learnt mappings of a learn file, per surface id; none if the file does not exist yet.
 * Throws E_LEARN_FILE for a file that cannot be read, is not JSON or not a learn file. Entries
 * that are not mappings are skipped (the drivers check the rest against their devices).
 */
export async function readLearnFile(file: string): Promise<Record<string, Mapping[]>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new MixhostError('E_LEARN_FILE', `${file}: cannot be read (${(e as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new MixhostError('E_LEARN_FILE', `${file}: not valid JSON (${(e as Error).message})`);
  }
  const surfaces = (data as { surfaces?: unknown } | null)?.surfaces;
  if ((data as { version?: unknown } | null)?.version !== 1 || typeof surfaces !== 'object' || surfaces === null || Array.isArray(surfaces)) {
    throw new MixhostError('E_LEARN_FILE', `${file}: not a mixhost learn file ({"version": 1, "surfaces": {...}})`);
  }
  const out: Record<string, Mapping[]> = {};
  for (const [id, list] of Object.entries(surfaces)) {
    if (Array.isArray(list)) out[id] = list.filter((x): x is Mapping => typeof x === 'object' && x !== null && typeof (x as Mapping).control === 'string' && typeof (x as Mapping).target === 'string');
  }
  return out;
}

function roleOrder(s: UnitSlot): number {
  return s.device.mackie?.role === 'extender' ? 0 : 1;
}

/** `nanoKEY Studio:nanoKEY Studio MIDI 1 24:0` -> `nanokey-studio-nanokey-studio-midi-1`. */
export function slug(port: string): string {
  const s = port
    .replace(/\s+\d+:\d+$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s === '' ? 'midi' : s.slice(0, 48);
}
