/**
 * The render worker: a worker_thread that owns the mix engine and the audio backend.
 *
 * Per block (`cycle`, allocation-free): drain the parameter ring into the engine's table, read
 * the file and demo sources (they loop) and copy the routed device inputs, run the engine, copy
 * the patched engine outputs to the device outputs, publish the meters and update the status
 * counters. It never waits on the control plane: the ring and the snapshot are lock-free, and
 * the only messages it posts are rare events (ready, fault, device lost or back, stopped).
 *
 * Device loss: when the backend fails (an error, or no audio for a while) the worker reports
 * it, keeps the engine running on a clock (meters and loudness history go on), and tries to
 * open the same device again every second (then every few seconds); when it opens, audio
 * resumes on it.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { BackendLost, type AudioBackend, type BackendCallbacks } from '../../audio/backend.js';
import { enumerateDevices, findDevice } from '../../audio/devices.js';
import { FileBackend } from '../../audio/file-backend.js';
import { NullBackend } from '../../audio/null-backend.js';
import { PortAudioBackend } from '../../audio/portaudio-backend.js';
import { loadPortAudio, type PortAudioBinding } from '../../audio/portaudio-binding.js';
import { loadRenderInputs, readLooping, type RenderInputs } from '../../audio/sources.js';
import { buildConformityReport, type ConformityReport } from '../../model/conformity.js';
import { MixhostError, ParamRegistry } from '../../model/registry.js';
import { resolveRouting, type AudioRouting } from '../../model/routing.js';
import { sessionLayout } from '../../model/session.js';
import { MixEngine } from '../mixer.js';
import { ParamRingReader, sharedNow } from './param-ring.js';
import type { HostMessage, ReadyInfo, WorkerConfig, WorkerMessage } from './protocol.js';
import { raiseThreadPriority, type PriorityResult } from './priority.js';
import { CONTROL, MeterPublisher, RenderState, STATUS } from './shared-state.js';

const RETRY_MS = [1000, 1000, 2000, 3000, 5000];
/** SCHED_FIFO priority of the render thread: below JACK's own threads (70 by default). */
export const DEFAULT_PRIORITY = 60;
/**
 * Seconds of audio the throwaway engine runs before the device opens (see warmUp()): past the
 * 3 s after which the master chains' short-term loudness, leveller and projection start working,
 * so those paths are compiled before the show rather than in it.
 */
const DEFAULT_WARM_UP_S = 4;
/** Blocks of the real block path run before the device starts (see preroll()). */
const PREROLL_BLOCKS = 64;

function post(m: WorkerMessage): void {
  parentPort?.postMessage(m);
}

interface Opened {
  backend: AudioBackend;
  routing: AudioRouting;
}

class RenderWorker {
  private readonly cfg: WorkerConfig;
  private readonly engine: MixEngine;
  private readonly layoutInputs: number;
  private readonly ring: ParamRingReader;
  private readonly meters: MeterPublisher;
  private readonly status: Float64Array;
  private readonly control: Int32Array;
  private readonly engIns: Float32Array[];
  private readonly engOuts: Float32Array[];
  private readonly zeros: Float32Array;
  private readonly src: RenderInputs;
  private readonly srcLength: number;
  private srcPos = 0;
  private srcFailed = false;
  private backend!: AudioBackend;
  /** The current backend's device buffers (kept here so the block path sees one shape of object whatever the backend). */
  private devIn: readonly Float32Array[] = [];
  private devOut: readonly Float32Array[] = [];
  private inputMap: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private outputMap: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private readonly blockMs: number;
  /**
   * Per-block bookkeeping in a typed array (a double kept in a field or passed around is boxed,
   * an allocation per block): [0] load sum and [1] peak over the current second, [2] blocks in
   * it, [3] the backend's slack in ms (a block later than this missed its deadline).
   */
  private readonly acc = new Float64Array(4);
  private seenFaults = 0;
  private stopping = false;
  private prerolling = false;
  private binding: PortAudioBinding | undefined;
  private deviceName: string | undefined;
  readonly callbacks: BackendCallbacks;
  /** Set once at start: the thread's scheduling. */
  scheduling: PriorityResult = { realtime: null, detail: 'normal scheduling' };

  constructor(cfg: WorkerConfig, src: RenderInputs) {
    this.cfg = cfg;
    const layout = sessionLayout(cfg.session);
    const registry = new ParamRegistry(layout);
    this.engine = new MixEngine(registry, { sampleRate: cfg.sampleRate, maxBlock: cfg.blockSize });
    this.engine.params.set(cfg.params);
    this.layoutInputs = this.engine.inputs;
    this.ring = new ParamRingReader(cfg.ring);
    this.meters = new MeterPublisher(cfg.shared);
    this.status = new Float64Array(cfg.shared.status);
    this.control = new Int32Array(cfg.shared.control);
    const n = cfg.blockSize;
    this.engIns = Array.from({ length: this.engine.inputs }, () => new Float32Array(n));
    this.engOuts = Array.from({ length: this.engine.outputs }, () => new Float32Array(n));
    this.zeros = new Float32Array(n);
    this.src = src;
    this.srcLength = src.frames;
    this.blockMs = (n / cfg.sampleRate) * 1000;
    this.callbacks = { cycle: () => this.cycle(), xrun: () => this.xrun() };
    const st = this.status;
    st[STATUS.sampleRate] = cfg.sampleRate;
    st[STATUS.blockSize] = n;
    st[STATUS.controlLastMs] = Number.NaN;
  }

  /**
   * Run a throwaway engine of the same session for `seconds` of noise and tones before the
   * device opens, so that V8 has compiled the DSP code (its feedback is shared by every
   * instance) and the first blocks on the device are not the slow, interpreted ones.
   */
  warmUp(seconds: number): void {
    const cfg = this.cfg;
    const n = cfg.blockSize;
    const registry = this.engine.registry;
    const spare = new MixEngine(registry, { sampleRate: cfg.sampleRate, maxBlock: n });
    spare.params.set(cfg.params);
    // Continuous controls an engineer moves during a show (levels, pans, EQ, dynamics, sends):
    // changing them while warming compiles the parameter paths (coefficient updates, smoothing).
    const moving = registry.descriptors
      .map((d, i) => ({ d, i }))
      .filter(({ d }) => d.steps === undefined && /^(ch|bus|fx|group|vca)\/\d+\/(fader|pan|trim|eq\/\d+\/(gain|freq|q)|send\/\d+\/level|fx\/\d+\/level|comp\/threshold|gate\/threshold)$/.test(d.address));
    const ins = this.engIns.map(() => new Float32Array(n));
    const outs = this.engOuts.map(() => new Float32Array(n));
    let seed = 1;
    const blocks = Math.ceil((seconds * cfg.sampleRate) / n);
    for (let b = 0; b < blocks; b++) {
      const amp = b % 200 < 150 ? 0.5 : 0.001;
      for (let k = 0; k < ins.length; k++) {
        const x = ins[k];
        for (let i = 0; i < n; i++) {
          seed = (seed * 1664525 + 1013904223) >>> 0;
          x[i] = amp * ((seed / 4294967296) * 2 - 1) * 0.5 + amp * 0.5 * Math.sin(((b * n + i) * (k + 1) * 0.013) % 6.283185307179586);
        }
      }
      if (b % 3 === 0 && moving.length > 0) {
        for (let j = 0; j < 8; j++) {
          seed = (seed * 1664525 + 1013904223) >>> 0;
          const { d, i } = moving[seed % moving.length];
          const lo = Math.max(d.min, -60);
          const hi = Math.min(d.max, 20000);
          spare.params[i] = lo + ((seed >>> 8) / 16777216) * (hi - lo);
        }
      }
      spare.process(ins, outs, n);
    }
  }

  /**
   * Run the real block path (this engine, its sources, the snapshot) for `blocks` blocks on no
   * device, then put everything back: the engine reset, the sources rewound, the counters at
   * zero. What the throwaway engine of warmUp() cannot do: touch this engine's own memory for
   * the first time (page faults) and compile the block path itself, so the device's first block
   * costs what every other block costs.
   */
  preroll(blocks: number): void {
    const { sampleRate, blockSize } = this.cfg;
    const device = this.backend;
    this.attach(new NullBackend({ sampleRate, blockSize, inputChannels: device.info.inputChannels, outputChannels: device.info.outputChannels }));
    this.prerolling = true;
    try {
      for (let b = 0; b < blocks; b++) this.cycle();
    } finally {
      this.prerolling = false;
      this.attach(device);
    }
    this.engine.reset();
    for (const s of this.src.inputs) s.rewind();
    this.srcPos = 0;
    const st = this.status;
    for (const k of [STATUS.blocks, STATUS.deadlineMisses, STATUS.overBudget, STATUS.xruns, STATUS.cpuLoad, STATUS.cpuPeak, STATUS.processMaxMs]) st[k] = 0;
    for (const k of [STATUS.controlMaxMs, STATUS.controlSumMs, STATUS.controlCount, STATUS.applied]) st[k] = 0;
    st[STATUS.controlLastMs] = Number.NaN;
    this.acc[0] = 0;
    this.acc[1] = 0;
    this.acc[2] = 0;
  }

  /** One block. Allocation-free in steady state. */
  private cycle(): void {
    const t0 = performance.now();
    const st = this.status;
    const e = this.engine;
    const n = this.cfg.blockSize;
    st[STATUS.applied] += this.ring.drain(e.params);
    // While prerolling, pretend a change arrived a moment ago so that the bookkeeping below runs
    // (and is compiled) before the first real change, not deoptimised by it in the show.
    const oldest = this.prerolling ? sharedNow() - 0.5 : this.ring.stats[0];
    // Sources: files and demo stems loop; routed device inputs replace their silence.
    if (this.srcLength > 0 && !this.srcFailed) {
      try {
        this.srcPos = readLooping(this.src.inputs, this.engIns, n, this.srcPos, this.srcLength);
      } catch (err) {
        this.srcFailed = true;
        for (const b of this.engIns) b.fill(0);
        post({ type: 'note', message: `sources stopped: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
    const im = this.inputMap;
    const devIn = this.devIn;
    for (let k = 0; k < im.length; k++) {
      const d = im[k];
      if (d >= 0) {
        const src = devIn[d];
        const dst = this.engIns[k];
        for (let i = 0; i < n; i++) dst[i] = src[i];
      }
    }
    e.process(this.engIns, this.engOuts, n);
    const om = this.outputMap;
    const devOut = this.devOut;
    for (let d = 0; d < devOut.length; d++) {
      const k = d < om.length ? om[d] : -1;
      const src = k >= 0 ? this.engOuts[k] : this.zeros;
      const dst = devOut[d];
      for (let i = 0; i < n; i++) dst[i] = src[i];
    }
    this.meters.publish(e.meters);
    // Status.
    const t1 = performance.now();
    const ms = t1 - t0;
    const acc = this.acc;
    const load = ms / this.blockMs;
    st[STATUS.blocks]++;
    if (load > 1) st[STATUS.overBudget]++;
    if (ms > acc[3]) st[STATUS.deadlineMisses]++;
    if (ms > st[STATUS.processMaxMs]) st[STATUS.processMaxMs] = ms;
    acc[0] += load;
    if (load > acc[1]) acc[1] = load;
    if (++acc[2] * this.blockMs >= 1000) {
      st[STATUS.cpuLoad] = acc[0] / acc[2];
      st[STATUS.cpuPeak] = acc[1];
      acc[0] = 0;
      acc[1] = 0;
      acc[2] = 0;
    }
    const now = sharedNow();
    st[STATUS.lastBlockTime] = now;
    if (oldest === oldest) {
      const c = now - oldest;
      st[STATUS.controlLastMs] = c;
      if (c > st[STATUS.controlMaxMs]) st[STATUS.controlMaxMs] = c;
      st[STATUS.controlSumMs] += c;
      st[STATUS.controlCount]++;
    }
    st[STATUS.rejected] = this.ring.stats[1];
    st[STATUS.nonFinite] = e.nonFiniteBlocks;
    const fc = e.faultCount;
    if (fc !== this.seenFaults) this.reportFaults(fc);
    const inj = this.cfg.injectFault;
    if (inj !== undefined && !this.prerolling && st[STATUS.blocks] === inj.afterBlocks) this.inject(inj.channel);
    if (Atomics.load(this.control, CONTROL.stop) !== 0) this.stopBackend();
  }

  /** Point the block path at a backend's buffers. */
  private attach(b: AudioBackend): void {
    this.backend = b;
    this.devIn = b.inputs;
    this.devOut = b.outputs;
  }

  private stopBackend(): void {
    this.backend.stop();
  }

  private reportFaults(count: number): void {
    const list = this.engine.faults;
    for (let i = this.seenFaults; i < count && i < list.length; i++) post({ type: 'fault', ...list[i] });
    this.seenFaults = count;
    this.status[STATUS.faults] = count;
  }

  private inject(channel: number): void {
    const strip = this.engine.strip(channel) as unknown as { process: () => void };
    strip.process = () => {
      throw new Error('injected fault (test)');
    };
  }

  private xrun(): void {
    if (this.status[STATUS.state] === RenderState.running) this.status[STATUS.xruns]++;
  }

  /** Open the backend the configuration asks for; throws MixhostError when it cannot. */
  open(): Opened {
    const a = this.cfg.audio;
    const { sampleRate, blockSize, session } = this.cfg;
    const layout = sessionLayout(session);
    const big = { maxInputs: 64, maxOutputs: 64 };
    if (a.kind !== 'portaudio') {
      const routing = resolveRouting(session, layout, big);
      const opts = { sampleRate, blockSize, inputChannels: routing.inputChannels, outputChannels: routing.outputChannels };
      const backend = a.kind === 'file' ? new FileBackend({ ...opts, outFile: a.outFile, inFile: a.inFile, frames: a.frames }) : new NullBackend(opts);
      return { backend, routing };
    }
    if (!this.binding) {
      const loaded = loadPortAudio();
      if ('error' in loaded) throw new MixhostError('E_AUDIO_DEVICE', `PortAudio is not available: ${loaded.error}`);
      this.binding = loaded.binding;
    }
    const need = resolveRouting(session, layout, big);
    const list = enumerateDevices(this.binding);
    const dev = findDevice(list, this.deviceName ?? a.device, { inputs: need.inputChannels, outputs: need.outputChannels });
    const routing = resolveRouting(session, layout, { maxInputs: dev.maxInputs, maxOutputs: dev.maxOutputs });
    try {
      const backend = new PortAudioBackend({
        binding: this.binding,
        deviceIndex: dev.index,
        deviceName: dev.name,
        sampleRate,
        blockSize,
        inputChannels: routing.inputChannels,
        outputChannels: routing.outputChannels,
        deviceInputLatency: routing.inputChannels > 0 ? dev.lowInputLatencyMs / 1000 : 0,
        deviceOutputLatency: dev.lowOutputLatencyMs / 1000,
        queue: this.cfg.queue,
      });
      this.deviceName = dev.name;
      return { backend, routing };
    } catch (e) {
      if (e instanceof MixhostError) throw e;
      throw new MixhostError('E_AUDIO_DEVICE', `${dev.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  use(o: Opened): ReadyInfo {
    this.attach(o.backend);
    this.acc[3] = o.backend.info.slackBlocks * this.blockMs;
    this.inputMap = o.routing.inputMap;
    this.outputMap = o.routing.outputMap;
    const info = o.backend.info;
    const look = this.engine.masterLatency;
    const st = this.status;
    st[STATUS.inputChannels] = info.inputChannels;
    st[STATUS.outputChannels] = info.outputChannels;
    st[STATUS.latencyFrames] = info.ioLatencyFrames + look;
    return {
      backend: info.kind,
      device: info.device,
      sampleRate: info.sampleRate,
      blockSize: info.blockSize,
      inputChannels: info.inputChannels,
      outputChannels: info.outputChannels,
      latencyFrames: info.ioLatencyFrames + look,
      ioLatencyFrames: info.ioLatencyFrames,
      lookaheadFrames: look,
      patch: o.routing.patch,
      notes: this.src.notes.filter((s) => !s.includes('silent in an offline render')),
      realtimePriority: this.scheduling.realtime,
      schedulingDetail: this.scheduling.detail,
    };
  }

  /** Run until stopped, surviving device losses. */
  async run(): Promise<void> {
    const st = this.status;
    while (!this.stopping) {
      st[STATUS.state] = RenderState.running;
      try {
        await this.backend.run(this.callbacks);
        break; // stopped, or a file backend at its end
      } catch (e) {
        if (!(e instanceof BackendLost)) throw e;
        await this.survive(e.message);
      }
    }
    await this.backend.close();
    st[STATUS.state] = RenderState.stopped;
  }

  /** The device is gone: a clock keeps the engine going while the device is retried. */
  private async survive(reason: string): Promise<void> {
    const st = this.status;
    st[STATUS.deviceLosses]++;
    st[STATUS.state] = RenderState.reopening;
    post({ type: 'device', event: 'lost', message: reason });
    const lost = this.backend;
    void lost.close();
    const info = lost.info;
    const clock = new NullBackend({ sampleRate: info.sampleRate, blockSize: info.blockSize, inputChannels: info.inputChannels, outputChannels: info.outputChannels, label: `${info.device} (lost)` });
    this.attach(clock);
    let reopened: Opened | undefined;
    let attempt = 0;
    let timer: NodeJS.Timeout | undefined;
    const retry = (): void => {
      if (this.stopping || Atomics.load(this.control, CONTROL.stop) !== 0) return;
      try {
        reopened = this.open();
        clock.stop();
      } catch {
        timer = setTimeout(retry, RETRY_MS[Math.min(++attempt, RETRY_MS.length - 1)]);
      }
    };
    timer = setTimeout(retry, RETRY_MS[0]);
    await clock.run(this.callbacks);
    if (timer) clearTimeout(timer);
    if (reopened) {
      const ready = this.use(reopened);
      st[STATUS.reopens]++;
      post({ type: 'device', event: 'reopened', message: `${ready.device} is back`, info: ready });
    }
  }

  stop(): void {
    this.stopping = true;
    Atomics.store(this.control, CONTROL.stop, 1);
    this.backend?.stop();
  }

  reports(req: HostMessage['reports']): ConformityReport[] {
    return req.map((r) => buildConformityReport(this.engine.chain(r.chain).history, r.target, { title: r.title, sampleRate: this.cfg.sampleRate, startedAt: r.startedAt }));
  }
}

async function start(): Promise<void> {
  const cfg = workerData as WorkerConfig;
  let src: RenderInputs | undefined;
  let worker: RenderWorker | undefined;
  let stopReq: HostMessage | undefined;
  parentPort?.on('message', (m: HostMessage) => {
    if (m?.type !== 'stop') return;
    stopReq = m;
    worker?.stop();
  });
  try {
    src = await loadRenderInputs(cfg.session, sessionLayout(cfg.session), cfg.sessionDir, cfg.sampleRate);
    worker = new RenderWorker(cfg, src);
    worker.scheduling = raiseThreadPriority(cfg.priority ?? DEFAULT_PRIORITY);
    worker.warmUp(cfg.warmUpSeconds ?? DEFAULT_WARM_UP_S);
    const ready = worker.use(worker.open());
    // Twice: the first block after a reset takes paths (gain jumps, the chains' start) that the
    // compiled code had not met when the first preroll began; the second one meets them compiled.
    worker.preroll(PREROLL_BLOCKS);
    worker.preroll(PREROLL_BLOCKS);
    post({ type: 'ready', info: ready });
    if (stopReq) worker.stop();
    watchGc(new Float64Array(cfg.shared.status));
    await worker.run();
    // Stopped by the control word: the stop message (with the reports it asks for) follows it.
    for (let i = 0; i < 100 && !stopReq && Atomics.load(new Int32Array(cfg.shared.control), CONTROL.stop) !== 0; i++) await new Promise((r) => setTimeout(r, 10));
    post({ type: 'stopped', reports: stopReq ? worker.reports(stopReq.reports) : [] });
  } catch (e) {
    new Float64Array(cfg.shared.status)[STATUS.state] = RenderState.failed;
    post({ type: 'error', code: e instanceof MixhostError ? e.code : 'E_INTERNAL', message: e instanceof Error ? e.message : String(e) });
  } finally {
    src?.close();
  }
}

void start();


/** Count the render thread's garbage collections and keep the longest (status gcCount, gcMaxMs). */
function watchGc(st: Float64Array): void {
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      st[STATUS.gcCount]++;
      if (e.duration > st[STATUS.gcMaxMs]) st[STATUS.gcMaxMs] = e.duration;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
}
