/**
 * What the control plane and the render worker say to each other outside the shared memory:
 * the start configuration, and rare events (ready, a fault, a device lost or back, stopped).
 * Parameter changes never travel here: they go through the parameter ring (param-ring.ts).
 */
import type { ConformityReport, ConformityTarget } from '../../model/conformity.js';
import type { Session } from '../../model/session.js';
import type { ParamRingBuffers } from './param-ring.js';
import type { SharedStateBuffers } from './shared-state.js';

/** Which backend, as `--audio` spells it: null, file, portaudio (device by name or index). */
export type AudioSpec =
  | { readonly kind: 'null' }
  | { readonly kind: 'file'; readonly outFile?: string; readonly inFile?: string; readonly frames?: number }
  | { readonly kind: 'portaudio'; readonly device?: string | number; readonly explicit: boolean };

export interface WorkerConfig {
  readonly session: Session;
  readonly sessionDir: string;
  readonly audio: AudioSpec;
  readonly sampleRate: number;
  readonly blockSize: number;
  /** The parameter table to start from (the session applied, targets set). */
  readonly params: Float64Array;
  readonly ring: ParamRingBuffers;
  readonly shared: SharedStateBuffers;
  /** Blocks queued between the render loop and PortAudio in each direction (default 2). */
  readonly queue?: number;
  /** SCHED_FIFO priority of the render thread (1-99; 0: leave its scheduling alone). Default 60. */
  readonly priority?: number;
  /** Seconds of audio run through a throwaway engine before the device opens (default 4). */
  readonly warmUpSeconds?: number;
  /** Testing aid: make channel `channel`'s strip throw from block `afterBlocks` on. */
  readonly injectFault?: { readonly channel: number; readonly afterBlocks: number };
}

export interface ReadyInfo {
  readonly backend: string;
  readonly device: string;
  readonly sampleRate: number;
  readonly blockSize: number;
  readonly inputChannels: number;
  readonly outputChannels: number;
  /** Device in to device out, the master look-ahead included, frames. */
  readonly latencyFrames: number;
  readonly ioLatencyFrames: number;
  readonly lookaheadFrames: number;
  readonly patch: ReadonlyArray<{ readonly pair: string; readonly outputs: readonly [number, number] }>;
  readonly notes: readonly string[];
  /** The render thread's scheduling: SCHED_FIFO priority, or null with the reason in `schedulingDetail`. */
  readonly realtimePriority: number | null;
  readonly schedulingDetail: string;
}

export type WorkerMessage =
  | { readonly type: 'ready'; readonly info: ReadyInfo }
  | { readonly type: 'error'; readonly code: string; readonly message: string }
  | { readonly type: 'fault'; readonly unit: string; readonly message: string; readonly block: number }
  | { readonly type: 'device'; readonly event: 'lost' | 'reopened'; readonly message: string; readonly info?: ReadyInfo }
  | { readonly type: 'note'; readonly message: string }
  | { readonly type: 'stopped'; readonly reports: ConformityReport[] };

export type HostMessage = { readonly type: 'stop'; readonly reports: ReadonlyArray<{ readonly chain: number; readonly title: string; readonly target: ConformityTarget; readonly startedAt: string }> };
