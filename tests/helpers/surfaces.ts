/**
 * Test fixtures of the MIDI surfaces: the demo session's registry and control store, a surface
 * context with a settable clock and writable meters, and a fake connection that records every
 * message sent to the device and lets a test feed bytes from it.
 */
import { remoteLayout } from '../../src/control/layout-info.js';
import { ControlStore } from '../../src/control/store.js';
import { demoSession } from '../../src/model/demo-session.js';
import { meterLayout, METER_FLOOR_DB } from '../../src/model/meters.js';
import { ParamRegistry } from '../../src/model/registry.js';
import { applySession, sessionLayout } from '../../src/model/session.js';
import type { Session } from '../../src/model/session-schema.js';
import { expect } from 'vitest';
import { MixhostError } from '../../src/model/errors.js';
import { matchDevice, type SurfaceData } from '../../src/surfaces/loader.js';
import { SurfaceManager, type ManagerOptions } from '../../src/surfaces/manager.js';
import type { SurfaceContext, SurfaceEvent } from '../../src/surfaces/surface.js';
import type { MidiBackend, MidiConnection } from '../../src/surfaces/types.js';

export interface FakeConnection extends MidiConnection {
  /** Every send() call's bytes, in order. */
  readonly sent: number[][];
  /** All bytes sent, concatenated. */
  bytes(): number[];
  /** Bytes arriving from the device. */
  feed(...bytes: number[]): void;
  /** The device goes away. */
  unplug(reason?: string): void;
  closed: boolean;
}

export function fakeConnection(name = 'fake port'): FakeConnection {
  const byteListeners: Array<(b: readonly number[]) => void> = [];
  const closeListeners: Array<(r: string) => void> = [];
  const conn: FakeConnection = {
    name,
    sent: [],
    closed: false,
    bytes: () => conn.sent.flat(),
    send(bytes) {
      if (conn.closed) throw new Error('send on a closed connection');
      conn.sent.push([...bytes]);
    },
    onBytes(l) {
      byteListeners.push(l);
    },
    onClose(l) {
      closeListeners.push(l);
    },
    close() {
      conn.closed = true;
    },
    feed(...bytes) {
      for (const l of byteListeners) l(bytes);
    },
    unplug(reason = 'unplugged') {
      conn.closed = true;
      for (const l of closeListeners) l(reason);
    },
  };
  return conn;
}

export interface SurfaceFixture {
  readonly session: Session;
  readonly registry: ParamRegistry;
  readonly store: ControlStore;
  readonly ctx: SurfaceContext;
  /** Meter values (dBFS) the context's meter reader returns; starts at the floor. */
  readonly meterValues: Float32Array;
  /** Set the fixture's clock (ms). */
  setTime(ms: number): void;
  readonly events: SurfaceEvent[];
}

/** The demo session (32 channels, 8 aux, 2 FX, 4 groups, 8 VCAs), a store with a manual clock. */
export function surfaceFixture(session: Session = demoSession()): SurfaceFixture {
  const registry = new ParamRegistry(sessionLayout(session));
  const table = registry.createTable();
  applySession(session, registry, table);
  let now = 1_000_000;
  const store = new ControlStore(registry, table, { clock: () => now });
  const layout = meterLayout(registry.layout);
  const meterValues = new Float32Array(layout.size).fill(METER_FLOOR_DB);
  const events: SurfaceEvent[] = [];
  const ctx: SurfaceContext = {
    store,
    registry,
    layout: remoteLayout(session, registry.layout),
    meters: {
      layout,
      read(dst) {
        dst.set(meterValues);
        return true;
      },
    },
    clock: () => now,
    report: (e) => events.push(e),
  };
  return { session, registry, store, ctx, meterValues, setTime: (ms) => (now = ms), events };
}

/** The code and message of the MixhostError `f` throws (fails the test if it throws anything else, or nothing). */
export function codeOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MixhostError);
    return { code: (e as MixhostError).code, message: (e as Error).message };
  }
  throw new Error('expected a throw');
}

/**
 * A surface manager on a fixture's store and a backend, with the shipped device files; timers
 * slowed to a minute (tests poll and tick by hand).
 */
export function testManager(f: SurfaceFixture, backend: MidiBackend, data: SurfaceData, extra: Partial<ManagerOptions> = {}): SurfaceManager {
  const { report: _report, ...ctx } = f.ctx;
  void _report;
  return new SurfaceManager({ ctx, backend, data, matchDevice: (p) => matchDevice(p, data.devices), pollMs: 60_000, tickMs: 60_000, ...extra });
}
