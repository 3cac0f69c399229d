/**
 * What a surface driver is given, and what it gives back. A driver reads and writes the control
 * store by parameter address (never a DSP object), reads meters from the meter snapshot, and
 * talks to its units through MidiConnections. The manager (manager.ts) opens the ports, groups
 * units, runs the clock and reports.
 */
import type { RemoteLayoutInfo } from '../control/layout-info.js';
import type { ControlStore } from '../control/store.js';
import type { MeterLayout } from '../model/meters.js';
import type { ParamRegistry } from '../model/registry.js';
import type { DeviceSpec, Mapping, MidiConnection, SurfaceProfile } from './types.js';

/** The meter snapshot (the render worker's, or a test's): values in dBFS, floor -120. */
export interface MeterReader {
  readonly layout: MeterLayout;
  /** Copy the latest values into `dst` (layout.size floats); false if there are none yet. */
  read(dst: Float32Array): boolean;
}

/** Something a surface wants people to know: shown by `serve`, counted in the status. */
export interface SurfaceEvent {
  readonly surface: string;
  readonly level: 'info' | 'warn';
  /** Stable code, e.g. `E_MIDI_UNAVAILABLE`, `E_MIDI_PORT_GONE`, `MIDI_CONNECTED`. */
  readonly code: string;
  readonly message: string;
}

export interface SurfaceContext {
  readonly store: ControlStore;
  readonly registry: ParamRegistry;
  /** Names and colours of strips and buses. */
  readonly layout: RemoteLayoutInfo;
  readonly meters?: MeterReader;
  /** Milliseconds (Date.now by default; tests inject one). */
  readonly clock: () => number;
  report(event: SurfaceEvent): void;
}

/** One physical unit of a surface (a Mackie main unit, one extender, a generic controller). */
export interface UnitSpec {
  readonly device: DeviceSpec;
}

export interface SurfaceStatus {
  readonly id: string;
  readonly source: string;
  readonly profile: string;
  readonly units: ReadonlyArray<{ readonly device: string; readonly port?: string; readonly connected: boolean }>;
  /** Messages dropped: garbage bytes, unknown messages, refused values. */
  readonly dropped: number;
  readonly received: number;
  readonly sent: number;
  /** Bank and layer, for people. */
  readonly bank?: string;
}

/** A surface: one or several units (a Mackie main unit and its extenders) with one profile. */
export interface Surface {
  /** Unique among the surfaces, e.g. `x-touch`, `nanokontrol2-2`. */
  readonly id: string;
  /** The store source of every change it makes: `midi:<id>`. */
  readonly source: string;
  readonly units: readonly UnitSpec[];
  readonly profile: SurfaceProfile;
  /** Unit `unit` is online on `conn`: greet it and send it everything it shows. */
  connect(unit: number, conn: MidiConnection): void;
  /** Unit `unit` went away (its connection is already closed). */
  disconnect(unit: number): void;
  /** Periodic work (meters, display timeouts, fake touch), called every ~30 ms with the clock. */
  tick(now: number): void;
  status(): SurfaceStatus;
  dispose(): void;
}

/** A generic surface that can learn: the next control moved is bound to `address`. */
export interface LearningSurface extends Surface {
  /** Arm learn for `address`; `done` is called once with the new mapping, or with undefined when cancelled. */
  learn(address: string, done: (mapping: Mapping | undefined) => void): void;
  cancelLearn(): void;
  /** Mappings learnt so far (to save), and loading saved ones. */
  learnt(): readonly Mapping[];
  setLearnt(mappings: readonly Mapping[]): void;
}

export function isLearning(s: Surface): s is LearningSurface {
  return typeof (s as Partial<LearningSurface>).learn === 'function';
}
