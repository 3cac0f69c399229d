/**
 * Mackie Control test devices (as a devices/ file would describe them), a profile, and helpers
 * to pick messages out of what a fake connection was sent.
 */
import { createMackieSurface } from '../../src/surfaces/mackie/driver.js';
import type { Surface } from '../../src/surfaces/surface.js';
import type { Capability, DeviceSpec, SurfaceProfile } from '../../src/surfaces/types.js';
import { fakeConnection, surfaceFixture, type FakeConnection, type SurfaceFixture } from '../helpers/surfaces.js';

const GLOBALS = [
  'assign-track', 'assign-send', 'assign-pan', 'assign-plugin', 'assign-eq', 'assign-dyn',
  'bank-left', 'bank-right', 'channel-left', 'channel-right', 'flip', 'global-view', 'name-value',
  'view-inputs', 'view-aux', 'view-busses', 'view-outputs', 'play', 'stop',
];

const MAIN_CAPS: Capability[] = ['motorFaders', 'faderTouch', 'lcd', 'meters', 'timecodeDisplay', 'assignmentDisplay', 'vpotRings', 'masterFader', 'ledFeedback', 'ringFeedback'];

export function device(id: string, over: { model?: number; role?: 'main' | 'extender'; caps?: Capability[]; faderTop?: number; strips?: number } = {}): DeviceSpec {
  const role = over.role ?? 'main';
  return {
    id,
    name: id,
    protocol: 'mackie',
    ports: [id],
    capabilities: over.caps ?? (role === 'main' ? MAIN_CAPS : ['motorFaders', 'faderTouch', 'lcd', 'meters', 'vpotRings', 'ledFeedback', 'ringFeedback']),
    mackie: {
      model: over.model ?? (role === 'main' ? 0x14 : 0x15),
      role,
      strips: over.strips ?? 8,
      ...(over.faderTop !== undefined ? { faderTop: over.faderTop } : {}),
      buttons: role === 'main' ? GLOBALS : [],
    },
  };
}

export const MCU = device('mcu');
export const XT = device('mcu-xt', { role: 'extender' });
export const XTOUCH = device('x-touch', { caps: [...MAIN_CAPS, 'colorScribble', 'separateMeters'] });

export const PROFILE: SurfaceProfile = {
  id: 'mcu.test',
  device: 'mcu',
  name: 'test',
  mackie: {
    buttons: {
      'bank-left': 'bank-left',
      'bank-right': 'bank-right',
      'channel-left': 'channel-left',
      'channel-right': 'channel-right',
      flip: 'flip',
      'name-value': 'name-value',
      'assign-track': 'vpot:trim',
      'assign-send': 'vpot:send',
      'assign-pan': 'vpot:pan',
      'assign-plugin': 'vpot:hpf',
      'assign-eq': 'vpot:eq',
      'assign-dyn': 'vpot:dyn',
      'view-inputs': 'layer:inputs',
      'view-aux': 'layer:aux',
      'view-busses': 'layer:groups',
      'view-outputs': 'layer:master',
      'global-view': 'sends-on-faders',
    },
  },
};

export interface Rig {
  readonly f: SurfaceFixture;
  readonly s: Surface;
  readonly conns: FakeConnection[];
}

/** A surface of `units` (left to right), every unit connected on its own fake port, sent bytes cleared. */
export function rig(units: DeviceSpec[], opts: { id?: string; profile?: SurfaceProfile; f?: SurfaceFixture; keep?: boolean } = {}): Rig {
  const f = opts.f ?? surfaceFixture();
  const s = createMackieSurface(f.ctx, { id: opts.id ?? 'mcu', units: units.map((d) => ({ device: d })), profile: opts.profile ?? PROFILE });
  const conns = units.map((d) => fakeConnection(d.id));
  conns.forEach((c, i) => s.connect(i, c));
  if (opts.keep !== true) for (const c of conns) c.sent.length = 0;
  return { f, s, conns };
}

/** Messages of a kind: pitch bends `E`, notes `9`, CCs `B`, channel pressure `D`, SysEx `F`. */
export function ofKind(sent: readonly number[][], kind: 0x9 | 0xb | 0xd | 0xe | 0xf): number[][] {
  return sent.filter((m) => m[0] >> 4 === kind);
}

/** SysEx messages of a Mackie command. */
export function sysexCmd(sent: readonly number[][], cmd: number): number[][] {
  return sent.filter((m) => m[0] === 0xf0 && m[5] === cmd);
}

/** The text of an LCD SysEx, with its offset. */
export function lcdOf(m: readonly number[]): { offset: number; text: string } {
  return { offset: m[6], text: String.fromCharCode(...m.slice(7, -1)) };
}

/** A 14-bit value as the two data bytes of a pitch bend. */
export function pb(channel: number, value: number): number[] {
  return [0xe0 | channel, value & 0x7f, value >> 7];
}

/** Messages joined with running status (a status byte equal to the one before is left out), as devices send. */
export function withRunningStatus(messages: readonly number[][]): number[] {
  const out: number[] = [];
  let status = 0;
  for (const m of messages) {
    if (m[0] >= 0xf0) status = 0;
    else if (m[0] === status) {
      out.push(...m.slice(1));
      continue;
    } else status = m[0];
    out.push(...m);
  }
  return out;
}
