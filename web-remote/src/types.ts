/**
 * The contract between the web remote's core (connection, state, app shell, mixer and MyMix
 * views) and its detail views (channel view, master view). Views never talk to the WebSocket:
 * they read and write parameters and meters through a `RemoteContext`.
 */
import type { ParamRegistry } from '../../src/model/registry.js';
import type { MixLayout } from '../../src/model/layout.js';

export type Role = 'engineer' | 'performer' | 'viewer';

/** `welcome.layout` (see docs/remote-protocol.md). */
export interface RemoteLayout {
  readonly mix: MixLayout;
  readonly channels: ReadonlyArray<{ readonly name: string; readonly color?: string }>;
  readonly auxBuses: ReadonlyArray<{ readonly name: string }>;
  readonly fx: ReadonlyArray<{ readonly name: string; readonly kind: string }>;
  readonly groups: ReadonlyArray<{ readonly name: string }>;
  readonly vcas: ReadonlyArray<{ readonly name: string }>;
  readonly masterChains: ReadonlyArray<{ readonly name: string }>;
}

export interface Holder {
  readonly source: string;
  readonly name: string;
}

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'refused';

export interface RemoteContext {
  /** Rebuilt from `layout.mix`: every descriptor, range, taper and label. */
  readonly registry: ParamRegistry;
  readonly layout: RemoteLayout;
  readonly role: Role;
  /** The performer's aux bus (1-based). */
  readonly bus?: number;
  /** This client's id (`ws:<n>`). */
  readonly clientId: string;
  /** This client's display name as the server has it (an invite's name for a performer). */
  readonly name: string;

  /** True if the server sent this address (it is within the role's reads). */
  has(address: string): boolean;
  /** Writable by this role (engineer: all; performer: its bus; viewer: none). */
  canWrite(address: string): boolean;
  /** Current value in the parameter's unit (NaN if not sent). */
  value(address: string): number;
  /** Current 0..1 position through the taper. */
  position(address: string): number;
  /** Text for a value, e.g. `-6.0 dB` (the registry's format). */
  format(address: string, value?: number): string;
  /** Optimistic: applied locally at once (listeners told), sent to the server. */
  set(address: string, value: number): void;
  setPosition(address: string, position: number): void;
  touch(address: string): void;
  release(address: string): void;
  /**
   * Called with (address, value) for every change of an address starting with `prefix`
   * ('' = all), local or remote, and after a snapshot for each address. Returns unsubscribe.
   */
  onParam(prefix: string, cb: (address: string, value: number) => void): () => void;

  /** Who holds an address now (another client or surface), if anyone. */
  holder(address: string): Holder | undefined;
  /** Called whenever the lease table changes. Returns unsubscribe. */
  onLeases(cb: () => void): () => void;

  /**
   * Ask for meter points (e.g. `ch/3`, `master/chain`); the core subscribes to the union of
   * every view's wants. Returns a function that withdraws them.
   */
  wantMeters(points: readonly string[]): () => void;
  /** Latest values of one point's fields (see src/model/meters.ts), or undefined. */
  meter(point: string): Float32Array | undefined;
  /** Called after each meter frame (about 30 Hz). Returns unsubscribe. */
  onMeters(cb: () => void): () => void;

  readonly connection: ConnectionState;
  onConnection(cb: (state: ConnectionState) => void): () => void;

  /** Navigate: 'mixer', 'channel/3', 'master', 'mymix'. */
  navigate(view: string): void;
}

/** A detail view mounts into `root` and returns its unmount function. */
export type MountView = (root: HTMLElement, ctx: RemoteContext, arg?: number) => () => void;
