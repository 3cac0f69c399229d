/**
 * The render worker on the null and file backends: the same samples as an offline render,
 * parameter changes through the ring, meters through the snapshot, a throwing DSP block muted
 * and reported while the rest plays on, and status.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../../src/audio/wav.js';
import { parseSession, type Session } from '../../src/model/session.js';
import { liveSetup, startLive, until } from '../helpers/live.js';
import { RenderHost } from '../../src/engine/rt/render-host.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mixhost-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CLI = path.resolve('dist/cli/main.js');

const band = (): Session =>
  parseSession(
    JSON.stringify({
      format: 'mixhost-session',
      version: 1,
      name: 'band',
      sampleRate: 48000,
      tailSeconds: 0,
      channels: [
        { source: { demo: 'kick' }, comp: { on: true, threshold: -20 } },
        { source: { demo: 'pad' }, stereo: true, fxSends: [{ fx: 1, level: -10 }] },
        { source: { demo: 'bass' }, gate: { on: true }, pan: -30 },
        { source: { demo: 'vox' }, sends: [{ bus: 1, level: 0 }] },
      ],
      master: { chain: { limiter: { on: true, ceiling: -1 } } },
    }),
  );

describe('render worker', () => {
  it('gives, through the file backend, exactly the samples of an offline render (latency compensated there)', async () => {
    const session = band();
    const file = path.join(dir, 'band.json');
    writeFileSync(file, JSON.stringify(session));
    const offline = path.join(dir, 'offline.wav');
    execFileSync(process.execPath, [CLI, 'render', file, '--out', offline, '--format', 'float32', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const live = path.join(dir, 'live.wav');
    const frames = 3 * 48000;
    const host = await startLive(session, { kind: 'file', outFile: live, frames }, { sessionDir: dir, blockSize: 256 });
    expect(host.info).toMatchObject({ backend: 'file', sampleRate: 48000, blockSize: 256, outputChannels: 4, lookaheadFrames: 126 });
    expect(host.info.patch).toEqual([
      { pair: 'master', outputs: [1, 2] },
      { pair: 'monitor', outputs: [3, 4] },
    ]);
    await new Promise<void>((resolve) => host.once('stopped', () => resolve()));
    await host.stop();
    const a = await readWavFile(offline);
    const b = await readWavFile(live);
    expect(b.channels.length).toBe(4);
    expect(b.channels[0].length).toBe(frames);
    const lat = host.info.lookaheadFrames;
    let diffs = 0;
    let energy = 0;
    for (let c = 0; c < 2; c++) {
      for (let i = 0; i + lat < frames; i++) {
        if (a.channels[c][i] !== b.channels[c][i + lat]) diffs++;
        energy += a.channels[c][i] ** 2;
      }
    }
    expect(energy).toBeGreaterThan(100); // the band plays
    expect(diffs).toBe(0);
  });

  it('applies parameter changes from the ring, meters come back, status counts blocks and control latency', async () => {
    const session = band();
    const { options, registry, meterLayout } = liveSetup(session, { kind: 'null' });
    const host = await RenderHost.start(options);
    try {
      const meters = new Float32Array(meterLayout.size);
      const master = meterLayout.offsetOf('master');
      await until(() => host.readMeters(meters) && host.meterBlocks > 100 && meters[master] > -40, 5000, 'the master meter to show the band');
      host.setAddress('master/mute', 1);
      const blocksAtMute = host.meterBlocks;
      // The master's RMS (a 300 ms window) falls by about 14.5 dB a second once muted.
      const rms = master + 4;
      await until(() => host.readMeters(meters) && meters[rms] < -60, 10_000, 'the master RMS to fall below -60 dBFS');
      expect(host.meterBlocks).toBeGreaterThan(blocksAtMute);
      const s = host.snapshot();
      expect(s.control.changes).toBe(1);
      expect(s.control.lastMs).not.toBeNull();
      expect(s.control.lastMs!).toBeGreaterThanOrEqual(0);
      expect(s.audio).toMatchObject({ backend: 'null', state: 'running', sampleRate: 48000, blockSize: 128, inputs: 0, outputs: 4 });
      expect(s.audio.latencyMs).toBeCloseTo((126 / 48000) * 1000, 3);
      expect(s.audio.blocks, JSON.stringify(s)).toBeGreaterThan(10);
      // A change to an index the engine does not have is dropped and counted, not applied.
      host.set(registry.size + 5, 1);
      await until(() => host.snapshot().control.rejected === 1, 2000, 'the bad change to be rejected');
    } finally {
      await host.stop();
    }
  });

  it('mutes a DSP block that throws, reports it, and the rest keeps playing', async () => {
    const session = band();
    const { options, meterLayout } = liveSetup(session, { kind: 'null' }, { injectFault: { channel: 1, afterBlocks: 50 } });
    const host = await RenderHost.start(options);
    try {
      const faults: Array<{ unit: string; message: string }> = [];
      host.on('fault', (f: { unit: string; message: string }) => faults.push(f));
      await until(() => faults.length > 0, 5000, 'the fault to be reported');
      expect(faults[0]).toMatchObject({ unit: 'ch/1', message: 'injected fault (test)' });
      const before = host.snapshot().audio.blocks;
      const meters = new Float32Array(meterLayout.size);
      await until(() => host.snapshot().audio.blocks > before + 100, 5000, 'more blocks');
      host.readMeters(meters);
      // The kick is gone from the meters of channel 1; the bass (channel 3) and the master play on.
      expect(meters[meterLayout.offsetOf('ch/3')]).toBeGreaterThan(-60);
      expect(meters[meterLayout.offsetOf('master')]).toBeGreaterThan(-60);
      const s = host.snapshot();
      expect(s.engine.faults).toHaveLength(1);
      expect(s.engine.faults[0].unit).toBe('ch/1');
      expect(s.audio.state).toBe('running');
    } finally {
      await host.stop();
    }
  });

  it('refuses a PortAudio device that does not exist, with E_AUDIO_DEVICE', async () => {
    await expect(startLive(band(), { kind: 'portaudio', device: 'no such interface', explicit: true })).rejects.toMatchObject({ code: 'E_AUDIO_DEVICE' });
  });

  it('stops with conformity reports of the master chains', async () => {
    const host = await startLive(band(), { kind: 'null' });
    await until(() => host.snapshot().audio.blocks > 400, 5000, 'a second of audio');
    const reports = await host.stop([{ chain: 1, title: 'band: master', target: { id: 't', name: 't', integratedLufs: -14, toleranceLu: 1, truePeakDbtp: -1 }, startedAt: new Date().toISOString() }]);
    expect(reports).toHaveLength(1);
    expect(reports[0].measured.durationS).toBeGreaterThan(0.5);
  });
});
