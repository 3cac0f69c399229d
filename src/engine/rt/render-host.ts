/**
 * The control plane's handle on the render worker: starts it, writes parameter changes into
 * the ring, samples the meters and the status, hears its rare events, and stops it.
 *
 * The worker runs the compiled module (dist/engine/rt/render-worker.js) whether this file is
 * loaded compiled or from source (tests): a worker needs JavaScript.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ConformityReport } from '../../model/conformity.js';
import { MixhostError, type ParamRegistry } from '../../model/registry.js';
import { createParamRing, ParamRingWriter } from './param-ring.js';
import type { HostMessage, ReadyInfo, WorkerConfig, WorkerMessage } from './protocol.js';
import { CONTROL, createSharedState, MeterReader, RENDER_STATE_NAMES, STATUS, STATUS_SLOTS, type SharedStateBuffers } from './shared-state.js';

export interface RenderHostOptions extends Omit<WorkerConfig, 'ring' | 'shared'> {
  readonly registry: ParamRegistry;
  /** Meter snapshot size (engine.meterLayout.size). */
  readonly meterCount: number;
  /** Ring capacity in changes (a power of two, default 4096). */
  readonly ringCapacity?: number;
}

export interface AudioStatus {
  backend: string;
  device: string;
  state: string;
  sampleRate: number;
  blockSize: number;
  /** Device input to device output, the master look-ahead included. */
  latencyMs: number;
  lookaheadMs: number;
  inputs: number;
  outputs: number;
  blocks: number;
  deadlineMisses: number;
  /** Blocks whose processing took longer than one block period (absorbed by the queue unless also a deadline miss). */
  overBudget: number;
  xruns: number;
  cpuLoad: number;
  cpuPeak: number;
  processMaxMs: number;
  /** Garbage collections on the render thread since it started, and the longest, ms. */
  gcCount: number;
  gcMaxMs: number;
  /** SCHED_FIFO priority of the render thread, or null (see `scheduling`). */
  realtimePriority: number | null;
  scheduling: string;
  deviceLosses: number;
  reopens: number;
  patch: ReadyInfo['patch'];
}

export interface RenderStatus {
  audio: AudioStatus;
  engine: { faults: Array<{ unit: string; message: string; block: number }>; nonFiniteBlocks: number };
  control: { lastMs: number | null; maxMs: number; meanMs: number | null; changes: number; deferred: number; rejected: number };
}

function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return path.join(path.dirname(here), 'render-worker.js');
  // Loaded from source: use the build (npm run build makes it; the tests build first).
  const root = path.resolve(path.dirname(here), '..', '..', '..');
  return path.join(root, 'dist', 'engine', 'rt', 'render-worker.js');
}

export class RenderHost extends EventEmitter {
  readonly registry: ParamRegistry;
  private readonly worker: Worker;
  private readonly writer: ParamRingWriter;
  private readonly meterReader: MeterReader;
  private readonly status: Float64Array;
  private readonly control: Int32Array;
  private readonly shared: SharedStateBuffers;
  private readyInfo: ReadyInfo | undefined;
  private readonly faults: Array<{ unit: string; message: string; block: number }> = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private stopped: Promise<ConformityReport[]> | undefined;
  private exited = false;

  private constructor(opts: RenderHostOptions) {
    super();
    this.registry = opts.registry;
    const ring = createParamRing(opts.ringCapacity ?? 4096);
    this.shared = createSharedState(opts.meterCount);
    this.writer = new ParamRingWriter(ring);
    this.meterReader = new MeterReader(this.shared);
    this.status = new Float64Array(this.shared.status);
    this.control = new Int32Array(this.shared.control);
    const cfg: WorkerConfig = {
      session: opts.session,
      sessionDir: opts.sessionDir,
      audio: opts.audio,
      sampleRate: opts.sampleRate,
      blockSize: opts.blockSize,
      params: opts.params,
      ring,
      shared: this.shared,
      queue: opts.queue,
      injectFault: opts.injectFault,
      warmUpSeconds: opts.warmUpSeconds,
      priority: opts.priority,
    };
    this.worker = new Worker(workerFile(), { workerData: cfg, stdout: false, stderr: false });
    this.worker.on('exit', () => {
      this.exited = true;
    });
  }

  /** Start the worker and wait until audio runs (or the worker says why it cannot). */
  static start(opts: RenderHostOptions): Promise<RenderHost> {
    const host = new RenderHost(opts);
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(new MixhostError('E_INTERNAL', `render worker: ${e.message}`));
      host.worker.once('error', onError);
      host.worker.on('message', (m: WorkerMessage) => {
        switch (m.type) {
          case 'ready':
            host.readyInfo = m.info;
            host.worker.off('error', onError);
            host.worker.on('error', (e) => host.emit('note', `render worker error: ${e.message}`));
            resolve(host);
            break;
          case 'error':
            void host.worker.terminate();
            // Before ready: the start fails. After: the render thread died; say so.
            if (host.readyInfo === undefined) reject(new MixhostError(m.code, m.message));
            else host.emit('failed', new MixhostError(m.code, m.message));
            break;
          case 'fault':
            host.faults.push({ unit: m.unit, message: m.message, block: m.block });
            host.emit('fault', m);
            break;
          case 'device':
            if (m.info) host.readyInfo = m.info;
            host.emit('device', m);
            break;
          case 'note':
            host.emit('note', m.message);
            break;
          case 'stopped':
            host.emit('stopped', m.reports);
            break;
        }
      });
    });
  }

  /** What the worker opened (a host exists only once the worker is ready). */
  get info(): ReadyInfo {
    return this.readyInfo!;
  }

  /** Queue a change by registry index (value in the parameter's unit). Never waits. */
  set(index: number, value: number): void {
    if (!this.writer.write(index, value)) this.scheduleFlush();
  }

  /** Queue a change by address; unknown addresses throw E_PARAM_UNKNOWN (from the registry). */
  setAddress(address: string, value: number): void {
    this.set(this.registry.index(address), value);
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setInterval(() => {
      if (this.writer.flush() === 0 && this.flushTimer) {
        clearInterval(this.flushTimer);
        this.flushTimer = undefined;
      }
    }, 1);
  }

  /** Copy the latest meter snapshot into `dst` (size: the engine's meter layout). */
  readMeters(dst: Float32Array): boolean {
    return this.meterReader.read(dst);
  }

  /** Meter snapshots published so far (one per block). */
  get meterBlocks(): number {
    return this.meterReader.published;
  }

  /** Raw status slots (see STATUS). */
  statusSlots(): Float64Array {
    return Float64Array.from(this.status.subarray(0, STATUS_SLOTS));
  }

  snapshot(): RenderStatus {
    const s = this.status;
    const i = this.info;
    const sr = s[STATUS.sampleRate] || i.sampleRate;
    const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;
    const count = s[STATUS.controlCount];
    return {
      audio: {
        backend: i.backend,
        device: i.device,
        state: RENDER_STATE_NAMES[s[STATUS.state]] ?? 'unknown',
        sampleRate: sr,
        blockSize: s[STATUS.blockSize],
        latencyMs: round((s[STATUS.latencyFrames] / sr) * 1000),
        lookaheadMs: round((i.lookaheadFrames / sr) * 1000),
        inputs: s[STATUS.inputChannels],
        outputs: s[STATUS.outputChannels],
        blocks: s[STATUS.blocks],
        deadlineMisses: s[STATUS.deadlineMisses],
        overBudget: s[STATUS.overBudget],
        xruns: s[STATUS.xruns],
        cpuLoad: round(s[STATUS.cpuLoad], 4),
        cpuPeak: round(s[STATUS.cpuPeak], 4),
        processMaxMs: round(s[STATUS.processMaxMs]),
        gcCount: s[STATUS.gcCount],
        gcMaxMs: round(s[STATUS.gcMaxMs]),
        realtimePriority: i.realtimePriority,
        scheduling: i.schedulingDetail,
        deviceLosses: s[STATUS.deviceLosses],
        reopens: s[STATUS.reopens],
        patch: i.patch,
      },
      engine: { faults: [...this.faults], nonFiniteBlocks: s[STATUS.nonFinite] },
      control: {
        lastMs: Number.isFinite(s[STATUS.controlLastMs]) ? round(s[STATUS.controlLastMs]) : null,
        maxMs: round(s[STATUS.controlMaxMs]),
        meanMs: count > 0 ? round(s[STATUS.controlSumMs] / count) : null,
        changes: s[STATUS.applied],
        deferred: this.writer.pending,
        rejected: s[STATUS.rejected],
      },
    };
  }

  /**
   * Stop the audio and the worker. `reports` asks the worker for conformity reports of master
   * chains before it exits. Resolves with them; a worker that does not answer within
   * `timeoutMs` is terminated.
   */
  stop(reports: HostMessage['reports'] = [], timeoutMs = 5000): Promise<ConformityReport[]> {
    if (this.stopped) return this.stopped;
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.stopped = new Promise<ConformityReport[]>((resolve) => {
      if (this.exited) return resolve([]);
      const timer = setTimeout(() => {
        void this.worker.terminate();
        resolve([]);
      }, timeoutMs);
      this.once('stopped', (r: ConformityReport[]) => {
        clearTimeout(timer);
        void this.worker.terminate();
        resolve(r);
      });
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve([]);
      });
      Atomics.store(this.control, CONTROL.stop, 1);
      const msg: HostMessage = { type: 'stop', reports };
      this.worker.postMessage(msg);
    });
    return this.stopped;
  }
}
