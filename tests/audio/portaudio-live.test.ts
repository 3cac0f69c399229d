/**
 * The render worker on real PortAudio (naudiodon2) through the project's ALSA devices
 * (tests/alsa/asound.conf): output to a raw file and input from one are bit-exact against the
 * file backend running the same session on the same input.
 *
 * ALSA's file plugin runs as fast as it is fed (no clock), so these runs are quick; real-time
 * pacing is tested through JACK's dummy driver in tests/rt/.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPortAudio } from '../../src/audio/portaudio-binding.js';
import { readWavFile, WavWriter } from '../../src/audio/wav.js';
import { parseSession, type Session } from '../../src/model/session.js';
import { useAlsaConfigInProcess } from '../helpers/alsa.js';
import { startLive, until } from '../helpers/live.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mixhost-pa-'));
let alsa: ReturnType<typeof useAlsaConfigInProcess>;
beforeAll(() => {
  alsa = useAlsaConfigInProcess(dir);
});
afterAll(() => {
  alsa.restore();
  rmSync(dir, { recursive: true, force: true });
});

const loaded = loadPortAudio();
if ('error' in loaded && process.env.CI) throw new Error(`PortAudio is required on CI: ${loaded.error}`);
const describePa = 'error' in loaded ? describe.skip : describe;

function session(channels: unknown[], extra: object = {}): Session {
  return parseSession(JSON.stringify({ format: 'mixhost-session', version: 1, name: 'pa', sampleRate: 48000, tailSeconds: 0, channels, ...extra }));
}

/** Interleaved float32 frames of a raw file. */
function rawFrames(file: string, channels: number): Float32Array[] {
  const b = readFileSync(file);
  const all = new Float32Array(b.buffer, b.byteOffset, Math.floor(b.length / 4));
  const frames = Math.floor(all.length / channels);
  return Array.from({ length: channels }, (_, c) => Float32Array.from({ length: frames }, (_, i) => all[i * channels + c]));
}

function firstNonZero(chs: Float32Array[]): number {
  const n = chs[0].length;
  for (let i = 0; i < n; i++) if (chs.some((c) => c[i] !== 0)) return i;
  return -1;
}

function firstDiff(a: Float32Array[], b: Float32Array[]): string {
  const ia = firstNonZero(a);
  const ib = firstNonZero(b);
  for (let i = 0; ia + i < a[0].length && ib + i < b[0].length; i++) {
    for (let c = 0; c < a.length; c++) if (a[c][ia + i] !== b[c][ib + i]) return `${i} (channel ${c}: ${a[c][ia + i]} vs ${b[c][ib + i]}; starts at ${ia} and ${ib})`;
  }
  return 'none';
}

function lastNonZero(chs: Float32Array[]): number {
  for (let i = chs[0].length - 1; i >= 0; i--) if (chs.some((c) => c[i] !== 0)) return i;
  return -1;
}

/**
 * Samples that differ between a and b over up to `len` frames from their first non-zero frame,
 * as far as `b` (the device's file) has audio: the blocks still in ALSA's buffer when the stream
 * is stopped never reach the file, whose end is PortAudio's zero padding.
 */
function compareAligned(a: Float32Array[], b: Float32Array[], len: number): { diffs: number; compared: number } {
  const ia = firstNonZero(a);
  const ib = firstNonZero(b);
  expect(ia).toBeGreaterThanOrEqual(0);
  expect(ib).toBeGreaterThanOrEqual(0);
  const endB = lastNonZero(b) + 1;
  let diffs = 0;
  let compared = 0;
  for (let i = 0; i < len && ia + i < a[0].length && ib + i < endB; i++, compared++) {
    for (let c = 0; c < a.length; c++) if (a[c][ia + i] !== b[c][ib + i]) diffs++;
  }
  return { diffs, compared };
}

describePa('PortAudio through ALSA file devices', () => {
  it('plays a session to a device bit for bit as the file backend renders it', async () => {
    const s = session([
      { source: { demo: 'kick' }, comp: { on: true } },
      { source: { demo: 'pad' }, stereo: true, fxSends: [{ fx: 1, level: -12 }] },
      { source: { demo: 'bass' }, pan: 40 },
    ]);
    const host = await startLive(s, { kind: 'portaudio', device: 'mh_fileout', explicit: true });
    expect(host.info).toMatchObject({ backend: 'portaudio', device: 'mh_fileout', sampleRate: 48000, blockSize: 128, inputChannels: 0, outputChannels: 4 });
    // Output only: the queue (2 blocks) and PortAudio's block; the device reports 0 latency.
    expect(host.info.ioLatencyFrames).toBe(3 * 128);
    expect(host.info.latencyFrames).toBe(3 * 128 + 126);
    // The file plugin takes blocks as fast as they come: a second of audio is quick.
    await until(() => host.meterBlocks > 600, 20_000, '600 blocks through PortAudio');
    const xruns = host.snapshot().audio.xruns;
    await host.stop();
    const live = rawFrames(alsa.outFile, 4);
    const ref = path.join(dir, 'ref.wav');
    const fileHost = await startLive(s, { kind: 'file', outFile: ref, frames: 600 * 128 });
    await new Promise<void>((resolve) => fileHost.once('stopped', () => resolve()));
    await fileHost.stop();
    const want = (await readWavFile(ref)).channels;
    const { diffs, compared } = compareAligned(want, live, 500 * 128);
    expect(compared).toBeGreaterThan(200 * 128);
    expect(diffs, `xruns ${xruns}; first differing frame ${firstDiff(want, live)}`).toBe(0);
    // PortAudio's priming: silence before the first block (the reference notes measured 768 frames at 128).
    expect(firstNonZero(live)).toBeGreaterThanOrEqual(firstNonZero(want));
  });

  it('takes interface inputs bit for bit: a duplex stream from a raw file to a raw file', async () => {
    // Three inputs of distinct noise, twice as long as the run reads (the plugin repeats stale
    // data after the end of its file).
    const K = 3;
    const frames = 96_000;
    const inputs = Array.from({ length: K }, () => new Float32Array(frames));
    let seed = 7;
    for (let c = 0; c < K; c++) {
      for (let i = 0; i < frames / 2; i++) {
        seed = (seed * 1664525 + 1013904223) >>> 0;
        inputs[c][i] = ((seed / 4294967296) * 2 - 1) * 0.25 * (c + 1);
      }
    }
    const raw = new Float32Array(frames * K);
    for (let i = 0; i < frames; i++) for (let c = 0; c < K; c++) raw[i * K + c] = inputs[c][i];
    writeFileSync(alsa.inFile, Buffer.from(raw.buffer));
    const inWav = path.join(dir, 'in.wav');
    const w = new WavWriter(inWav, 48000, K, 'float32');
    w.write(inputs, frames);
    w.close();
    // Input 1 on a mono channel panned left, inputs 2-3 on a stereo channel; default strips.
    const s = session([{ source: { input: 1 }, pan: -100 }, { source: { input: 2 }, stereo: true }]);
    const host = await startLive(s, { kind: 'portaudio', device: 'mh_fileio', explicit: true });
    expect(host.info).toMatchObject({ inputChannels: 3, outputChannels: 4 });
    // Duplex: the capture block, the queue (2) and PortAudio's block, then the look-ahead.
    expect(host.info.latencyFrames).toBe(4 * 128 + 126);
    await until(() => host.meterBlocks > 300, 20_000, '300 duplex blocks');
    const xruns = host.snapshot().audio.xruns;
    await host.stop();
    const live = rawFrames(alsa.outFile, 4);
    const ref = path.join(dir, 'ref-in.wav');
    const fileHost = await startLive(s, { kind: 'file', outFile: ref, inFile: inWav, frames: 300 * 128 });
    await new Promise<void>((resolve) => fileHost.once('stopped', () => resolve()));
    await fileHost.stop();
    const want = (await readWavFile(ref)).channels;
    const { diffs, compared } = compareAligned(want, live, 250 * 128);
    expect(compared).toBeGreaterThan(100 * 128);
    expect(diffs, `xruns ${xruns}; first differing frame ${firstDiff(want, live)}`).toBe(0);
  });
});
