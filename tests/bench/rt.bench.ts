/**
 * Real-time benchmarks: the render worker on PortAudio through JACK's dummy driver (a clock like
 * an audio interface's), with the project's ALSA devices (tests/alsa/asound.conf).
 *
 * - rt.control_to_audio_ms: a parameter write on the main thread until the end of the first
 *   block that applied it (the block is then handed to the device), p99 over single writes at
 *   random moments. Goal: at most one block period + 1 ms.
 * - rt.soak_deadline_misses: 64 channels, 128-frame blocks, MIXHOST_SOAK_S seconds (default 300)
 *   while the main thread floods parameter changes. Goal 0 (xruns in the same line).
 * - rt.cpu_load_64ch: the render thread's processing time over block time in that soak, mean
 *   (peak of the per-second peaks in the same line).
 * Without jackd on the machine they run on the null backend (a clock of our own) and say so.
 *
 * Each runs in a child process whose stdout goes to our stderr: PortAudio (naudiodon2) prints to
 * the C stdout when a stream opens and closes, and `--json` output must stay clean. The results
 * come back over the IPC channel.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RenderHost } from '../../src/engine/rt/render-host.js';
import type { AudioSpec } from '../../src/engine/rt/protocol.js';
import { parseSession } from '../../src/model/session.js';
import { useAlsaConfigInProcess } from '../helpers/alsa.js';
import { startJack, type JackServer } from '../helpers/jack.js';
import { liveSetup } from '../helpers/live.js';
import { soakSession, startFlood } from '../helpers/soak.js';
import type { BenchResult } from './report.js';

const RATE = 48000;
const BLOCK = 128;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function withJack<T>(run: (audio: AudioSpec, backend: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mixhost-rtbench-'));
  const alsa = useAlsaConfigInProcess(dir);
  let jack: JackServer | undefined;
  const saved = { JACK_DEFAULT_SERVER: process.env.JACK_DEFAULT_SERVER, JACK_NO_START_SERVER: process.env.JACK_NO_START_SERVER };
  try {
    jack = await startJack({ rate: RATE, period: BLOCK, channels: 64 });
    if (jack) {
      process.env.JACK_DEFAULT_SERVER = jack.env.JACK_DEFAULT_SERVER;
      process.env.JACK_NO_START_SERVER = '1';
      return await run({ kind: 'portaudio', device: 'mh_jack', explicit: true }, 'portaudio (JACK dummy)');
    }
    process.stderr.write('rt benchmarks: jackd not found, running on the null backend\n');
    return await run({ kind: 'null' }, 'null');
  } finally {
    await jack?.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    alsa.restore();
    rmSync(dir, { recursive: true, force: true });
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export async function measureControlToAudio(): Promise<BenchResult[]> {
  return withJack(async (audio, backend) => {
    const session = parseSession(JSON.stringify({ format: 'mixhost-session', version: 1, name: 'c2a', sampleRate: RATE, channels: [{ source: { demo: 'kick' } }, { source: { demo: 'bass' } }] }));
    const { options, registry } = liveSetup(session, audio, { warmUpSeconds: 4 });
    const host = await RenderHost.start(options);
    const times: number[] = [];
    try {
      await sleep(500);
      const idx = registry.index('ch/1/fader');
      for (let i = 0; i < 1000; i++) {
        const before = host.snapshot().control.changes;
        host.set(idx, -10 - (i % 20));
        const t0 = performance.now();
        while (host.snapshot().control.changes === before && performance.now() - t0 < 200) await sleep(1);
        const s = host.snapshot().control;
        if (s.changes !== before && s.lastMs !== null) times.push(s.lastMs);
        await sleep(2 + ((i * 7) % 9));
      }
    } finally {
      await host.stop();
    }
    times.sort((a, b) => a - b);
    const blockMs = (BLOCK / RATE) * 1000;
    return [
      {
        name: 'rt.control_to_audio_ms',
        value: quantile(times, 0.99),
        unit: 'ms',
        stat: 'p99',
        p50: quantile(times, 0.5),
        max: times[times.length - 1],
        writes: times.length,
        goal: blockMs + 1,
        blockMs,
        backend,
      },
    ];
  });
}

export async function measureSoak(): Promise<BenchResult[]> {
  const seconds = Number(process.env.MIXHOST_SOAK_S ?? 300);
  return withJack(async (audio, backend) => {
    const { options, registry } = liveSetup(soakSession(64, RATE, BLOCK), audio, { warmUpSeconds: 4 });
    const host = await RenderHost.start(options);
    let sent = 0;
    let peak = 0;
    let loadSum = 0;
    let s: ReturnType<RenderHost["snapshot"]> | undefined;
    try {
      const stop = startFlood(host, registry, 64);
      for (let t = 0; t < seconds; t++) {
        await sleep(1000);
        const a = host.snapshot().audio;
        peak = Math.max(peak, a.cpuPeak);
        loadSum += a.cpuLoad;
      }
      sent = stop();
      await sleep(200);
      s = host.snapshot();
    } finally {
      await host.stop();
    }
    const a = s!.audio;
    const common = { channels: 64, block: BLOCK, seconds, backend, blocks: a.blocks, changes: sent };
    return [
      { name: 'rt.soak_deadline_misses', value: a.deadlineMisses, unit: 'blocks', xruns: a.xruns, goal: 0, processMaxMs: a.processMaxMs, controlMaxMs: s!.control.maxMs, ...common },
      // The mean of the per-second means over the run (status keeps the last second's).
      { name: 'rt.cpu_load_64ch', value: (loadSum / seconds) * 100, unit: '%', peak: peak * 100, ...common },
    ];
  });
}

/** Run `which` of the measurements above in a child process (see the header). */
function inChild(which: 'control' | 'soak'): Promise<BenchResult[]> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./rt-child.ts', import.meta.url)), [which], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', process.stderr, process.stderr, 'ipc'],
    });
    let results: BenchResult[] | undefined;
    child.on('message', (m: unknown) => {
      if (Array.isArray(m)) results = m as BenchResult[];
    });
    child.on('error', reject);
    child.on('exit', (code) => (results ? resolve(results) : reject(new Error(`rt benchmark '${which}' exited with ${code} and no results`))));
  });
}

export const benchControlToAudio = (): Promise<BenchResult[]> => inChild('control');
export const benchSoak = (): Promise<BenchResult[]> => inChild('soak');
