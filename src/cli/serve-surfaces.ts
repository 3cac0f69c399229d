/**
 * `serve`'s MIDI surfaces: the flags, the device and profile files, the manager on the control
 * server's store, and its reports on stderr.
 *
 *   --midi auto|listed|off   auto (default): every port seen is opened, as the device it matches
 *                            (or as a learn-only controller); listed: only --surface entries;
 *                            off: no MIDI at all.
 *   --surface DEVICE[@PORT][,profile=ID]   a surface by device id; PORT is a port name or part
 *                            of one (default: the device's own port names); repeatable; Mackie
 *                            units listed one after the other form one surface, left to right.
 *   --learn FILE             where learnt mappings are kept (default: SESSION.learn.json next to
 *                            a --session file; with the demo session, kept for the run only).
 */
import path from 'node:path';
import type { Writable } from 'node:stream';
import { remoteLayout } from '../control/layout-info.js';
import { MixhostError } from '../model/errors.js';
import type { ParamRegistry } from '../model/registry.js';
import type { Session } from '../model/session-schema.js';
import type { ControlServer } from '../server/control-server.js';
import { loadSurfaceData, matchDevice } from '../surfaces/loader.js';
import { SurfaceManager, checkSurfaceConfigs, readLearnFile, type SurfaceConfig, type SurfaceData } from '../surfaces/manager.js';
import type { MeterReader } from '../surfaces/surface.js';
import { EasymidiBackend } from '../surfaces/transport/easymidi.js';
import type { MidiBackend } from '../surfaces/types.js';

export const SURFACE_OPTIONS = {
  midi: { type: 'string' },
  surface: { type: 'string', multiple: true },
  learn: { type: 'string' },
} as const;

export interface SurfaceFlags {
  readonly midi?: string;
  readonly surface?: readonly string[];
  readonly learn?: string;
}

/** `DEVICE[@PORT][,profile=ID]` */
export function parseSurfaceFlag(text: string): SurfaceConfig {
  const [head, ...opts] = text.split(',');
  const at = head.indexOf('@');
  const device = (at >= 0 ? head.slice(0, at) : head).trim();
  const port = at >= 0 ? head.slice(at + 1).trim() : undefined;
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(device)) throw new MixhostError('E_USAGE', `--surface ${text}: DEVICE[@PORT][,profile=ID], DEVICE being a file name of devices/ (e.g. behringer-x-touch)`);
  if (port === '') throw new MixhostError('E_USAGE', `--surface ${text}: a port name (or part of one) after @`);
  let profile: string | undefined;
  for (const o of opts) {
    const m = /^\s*profile=([a-z0-9][a-z0-9.-]*)\s*$/.exec(o);
    if (m === null) throw new MixhostError('E_USAGE', `--surface ${text}: '${o}' is not an option (profile=ID)`);
    profile = m[1];
  }
  return { device, ...(port !== undefined ? { port } : {}), ...(profile !== undefined ? { profile } : {}) };
}

export interface CheckedSurfaceFlags {
  readonly mode: 'auto' | 'listed' | 'off';
  readonly configs: SurfaceConfig[];
  /** The device and profile files (not loaded with --midi off). */
  readonly data?: SurfaceData;
}

/**
 * Check the flags before any audio starts: the mode, each --surface entry's device and profile
 * (the device and profile files are loaded and checked here), and the learn file (read: a
 * broken one stops the start, it is never overwritten).
 */
export async function checkSurfaceFlags(flags: SurfaceFlags, sessionFile?: string): Promise<CheckedSurfaceFlags> {
  const mode = flags.midi ?? 'auto';
  if (mode !== 'auto' && mode !== 'listed' && mode !== 'off') throw new MixhostError('E_USAGE', `--midi ${mode}: auto, listed or off`);
  const configs = (flags.surface ?? []).map(parseSurfaceFlag);
  if (mode === 'off') {
    if (configs.length > 0) throw new MixhostError('E_USAGE', '--surface with --midi off: nothing would open it');
    return { mode, configs };
  }
  const data = await loadSurfaceData();
  checkSurfaceConfigs(configs, data);
  const learnFile = flags.learn ?? (sessionFile !== undefined ? defaultLearnFile(sessionFile) : undefined);
  if (learnFile !== undefined) await readLearnFile(learnFile);
  return { mode, configs, data };
}

export interface StartSurfacesOptions {
  readonly cs: ControlServer;
  readonly registry: ParamRegistry;
  readonly session: Session;
  readonly meters: MeterReader;
  readonly flags: SurfaceFlags;
  readonly sessionFile?: string;
  readonly err: Writable;
  /** The MIDI backend (default: easymidi, i.e. the hardware). */
  readonly backend?: MidiBackend;
}

export async function startSurfaces(o: StartSurfacesOptions): Promise<SurfaceManager | undefined> {
  const { mode, configs, data } = await checkSurfaceFlags(o.flags, o.sessionFile);
  if (mode === 'off' || data === undefined) {
    o.err.write('midi: off (--midi off)\n');
    return undefined;
  }
  const learnFile = o.flags.learn ?? (o.sessionFile !== undefined ? defaultLearnFile(o.sessionFile) : undefined);
  const tty = (o.err as { isTTY?: boolean }).isTTY === true;
  const manager = new SurfaceManager({
    ctx: { store: o.cs.store, registry: o.registry, layout: remoteLayout(o.session, o.registry.layout), meters: o.meters, clock: Date.now },
    backend: o.backend ?? new EasymidiBackend(),
    data,
    surfaces: configs,
    auto: mode === 'auto',
    learnFile,
    matchDevice: (port) => matchDevice(port, data.devices),
    // On a terminal the meter line is redrawn in place: clear it before a report's line.
    onReport: (e) => o.err.write(`${tty ? '\r\x1b[K' : ''}midi: ${e.surface !== '-' ? `${e.surface}: ` : ''}${e.level === 'warn' ? `${e.code}: ` : ''}${e.message}\n`),
  });
  await manager.start();
  o.cs.attachSurfaces(manager);
  const listed = configs.length > 0 ? `; surfaces: ${configs.map((c) => c.device).join(', ')}` : '';
  o.err.write(`midi: ${mode === 'auto' ? 'every MIDI port that appears is opened' : 'only the --surface entries'}${listed}; learnt mappings ${learnFile !== undefined ? `are kept in ${learnFile}` : 'are kept for this run (--learn FILE keeps them)'}\n`);
  return manager;
}

/** `show.json` -> `show.learn.json`, next to it. */
export function defaultLearnFile(sessionFile: string): string {
  const abs = path.resolve(sessionFile);
  const base = path.basename(abs).replace(/\.json$/i, '');
  return path.join(path.dirname(abs), `${base}.learn.json`);
}
