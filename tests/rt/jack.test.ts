/**
 * Real time on real PortAudio: the render worker against JACK's dummy driver (through ALSA's
 * jack plugin, the `mh_jack` device of tests/alsa/asound.conf), which paces the stream by its
 * own clock as an audio interface would.
 *
 * These tests run after every other suite, one file at a time (vitest.config.ts), so that the
 * deadlines they count are not missed for another suite's sake.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSession } from '../../src/model/session.js';
import { useAlsaConfigInProcess } from '../helpers/alsa.js';
import { startJack, type JackServer } from '../helpers/jack.js';
import { liveSetup, until } from '../helpers/live.js';
import { soakSession, startFlood } from '../helpers/soak.js';
import { RenderHost } from '../../src/engine/rt/render-host.js';

const RATE = 48000;
const BLOCK = 128;
const SOAK_S = 30;
const FLOOD_PER_MS = 3;

const dir = mkdtempSync(path.join(os.tmpdir(), 'mixhost-rt-'));
let alsa: ReturnType<typeof useAlsaConfigInProcess> | undefined;
let jack: JackServer | undefined;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  alsa = useAlsaConfigInProcess(dir);
  jack = await startJack({ rate: RATE, period: BLOCK, channels: 64 });
  if (jack) {
    for (const k of ['JACK_DEFAULT_SERVER', 'JACK_NO_START_SERVER']) {
      saved[k] = process.env[k];
      process.env[k] = jack.env[k];
    }
  }
});
afterAll(async () => {
  await jack?.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  alsa?.restore();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * CPU time the hypervisor gave to other guests while this machine's vCPUs wanted to run (the
 * `steal` column of /proc/stat, all CPUs, in ms); NaN where there is no such column.
 */
function stolenMs(): number {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    return cpu.length > 8 ? Number(cpu[8]) * 10 : NaN;
  } catch {
    return NaN;
  }
}

describe('real time through JACK (dummy driver)', () => {
  // Four retries: the build machines are shared 2-vCPU virtual machines on which the whole
  // process is now and then held off the CPU for 10 to 40 ms (seen as an xrun or two in about one
  // 30 s run in three, with no collection or deoptimisation at that moment, and clean runs on
  // either side), in spells when the host is busy (the log line gives the CPU time the host took
  // during the attempt: 130-1,700 ms in one such spell); a fault of ours fails every attempt.
  it(`plays 32 channels in 128-frame blocks for ${SOAK_S} s while the control plane floods changes, without a deadline miss or an xrun`, { retry: 4 }, async (ctx) => {
    if (!jack) return ctx.skip();
    const { options, registry } = liveSetup(soakSession(32, RATE, BLOCK), { kind: 'portaudio', device: 'mh_jack', explicit: true }, { warmUpSeconds: 4 });
    const host = await RenderHost.start(options);
    try {
      expect(host.info).toMatchObject({ backend: 'portaudio', device: 'mh_jack', sampleRate: RATE, blockSize: BLOCK, inputChannels: 32, outputChannels: 20 });
      // The flood: every millisecond tick, three changes to faders, EQ gains, pans and sends:
      // about 2,700 a second (the timer ticks a little slower than 1 ms), every control of every
      // channel moved about 17 times a second (a busy 8-fader surface sends about 800).
      const stopFlood = startFlood(host, registry, 32, FLOOD_PER_MS);
      const steal0 = stolenMs();
      const t0 = Date.now();
      await new Promise((r) => setTimeout(r, SOAK_S * 1000));
      const sent = stopFlood();
      const wall = (Date.now() - t0) / 1000;
      const stolen = stolenMs() - steal0;
      await until(() => host.snapshot().control.deferred === 0, 2000, 'the backlog to drain');
      const s = host.snapshot();
      console.log(`soak: ${s.audio.blocks} blocks in ${wall.toFixed(1)} s, ${sent} changes, misses ${s.audio.deadlineMisses} (over one period ${s.audio.overBudget}), ${s.audio.scheduling}, xruns ${s.audio.xruns}, cpu ${(s.audio.cpuLoad * 100).toFixed(1)} % (peak ${(s.audio.cpuPeak * 100).toFixed(1)} %), longest block ${s.audio.processMaxMs} ms, gc ${s.audio.gcCount} (longest ${s.audio.gcMaxMs} ms), control-to-audio mean ${s.control.meanMs} ms max ${s.control.maxMs} ms, latency ${s.audio.latencyMs} ms, cpu stolen by the host ${Number.isNaN(stolen) ? 'unknown' : `${stolen} ms`}`);
      expect(s.audio.deadlineMisses).toBe(0);
      expect(s.audio.xruns).toBe(0);
      expect(s.audio.state).toBe('running');
      // Paced by JACK's clock: 375 blocks a second, within 3 %.
      const expected = (wall * RATE) / BLOCK;
      expect(s.audio.blocks).toBeGreaterThan(expected * 0.97);
      expect(s.audio.blocks).toBeLessThan(expected * 1.03);
      expect(s.control.changes).toBeGreaterThan(SOAK_S * 1000 * FLOOD_PER_MS * 0.5);
      expect(s.control.rejected).toBe(0);
      expect(s.engine.faults).toEqual([]);
    } finally {
      await host.stop();
    }
  });

  it('survives the device going away: keeps the engine running, reports it, and reopens the device when it is back', async (ctx) => {
    if (!jack) return ctx.skip();
    const session = parseSession(JSON.stringify({ format: 'mixhost-session', version: 1, name: 'loss', sampleRate: RATE, channels: [{ source: { demo: 'kick' } }, { source: { demo: 'bass' } }] }));
    const { options } = liveSetup(session, { kind: 'portaudio', device: 'mh_jack', explicit: true });
    const host = await RenderHost.start(options);
    const events: string[] = [];
    host.on('device', (m: { event: string }) => events.push(m.event));
    try {
      await until(() => host.snapshot().audio.blocks > 300, 10_000, 'audio to run');
      jack.kill();
      await until(() => host.snapshot().audio.state === 'reopening', 10_000, 'the loss to be noticed');
      expect(events).toEqual(['lost']);
      const during = host.snapshot().audio.blocks;
      // The engine runs on, on a clock: meters and loudness keep going while the device is away.
      await until(() => host.snapshot().audio.blocks > during + 200, 5000, 'blocks on the clock');
      await jack.restart();
      await until(() => host.snapshot().audio.state === 'running' && host.snapshot().audio.reopens === 1, 20_000, 'the device to be reopened');
      expect(events).toEqual(['lost', 'reopened']);
      const back = host.snapshot().audio.blocks;
      await until(() => host.snapshot().audio.blocks > back + 300, 10_000, 'audio on the reopened device');
      const s = host.snapshot().audio;
      expect(s).toMatchObject({ backend: 'portaudio', device: 'mh_jack', deviceLosses: 1, reopens: 1, state: 'running' });
    } finally {
      await host.stop();
    }
  });
});
