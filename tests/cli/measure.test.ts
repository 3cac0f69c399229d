import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/audio/wav.js';
import { hasTool } from '../helpers/tools.js';

const run = promisify(execFile);
const CLI = path.resolve('dist/cli/main.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'mixhost-measure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ffmpeg = hasTool('ffmpeg');

async function measure(file: string): Promise<Record<string, number | null>> {
  const r = await run(process.execPath, [CLI, 'measure', file, '--json'], { cwd: dir });
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout) as Record<string, number | null>;
}

/** ffmpeg's ebur128 at full resolution (metadata printout of the last frame). */
function ebur128(file: string): { i: number; lra: number; tp: number } {
  const out = path.join(dir, 'r128.txt');
  execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', file, '-af',
    `ebur128=peak=true:metadata=1,ametadata=mode=print:file=${out}`, '-f', 'null', '-']);
  const text = readFileSync(out, 'utf8');
  const last = (key: string): number => {
    const all = [...text.matchAll(new RegExp(`lavfi\\.r128\\.${key.replace('.', '\\.')}=(-?[\\d.]+|-?inf)`, 'g'))];
    return Number(all[all.length - 1][1].replace('inf', 'Infinity'));
  };
  return { i: last('I'), lra: last('LRA'), tp: 20 * Math.log10(last('true_peak')) };
}

/** Deterministic test material. */
function noise(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296 - 0.5;
  };
}

function material(kind: string, sr: number): Float32Array[] {
  const secs = 40;
  const n = secs * sr;
  const L = new Float32Array(n);
  const R = new Float32Array(n);
  const rnd = noise(kind.length * 7919);
  let b0 = 0;
  let b1 = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    if (kind === 'dynamic-noise') {
      // pink-ish noise stepping between −30, −20 and −12 dBFS every 5 s, a little different per side
      const lvl = [0.03, 0.1, 0.25, 0.1][Math.floor(t / 5) % 4];
      const w = rnd();
      b0 = 0.99 * b0 + w * 0.1;
      b1 = 0.6 * b1 + w;
      L[i] = lvl * (b0 + 0.2 * b1);
      R[i] = lvl * (b0 + 0.2 * rnd());
    } else if (kind === 'tones') {
      // a sweep plus bursts: tonal, with silent gaps
      const f = 60 * Math.pow(2, (t % 10) * 0.8);
      const gate = Math.floor(t * 2) % 5 === 4 ? 0 : 1;
      L[i] = 0.3 * gate * Math.sin(2 * Math.PI * f * t);
      R[i] = 0.2 * gate * Math.sin(2 * Math.PI * f * 1.01 * t);
    } else {
      // inter-sample peaks: an fs/4 sine at 45° phase, peak 0.9 (sample peak 3 dB under the true
      // peak), faded in and out over 0.5 s so no edge rings past it, over noise whose level
      // wanders slowly (a smooth loudness distribution, so the range is well defined)
      const env = Math.min(1, t / 0.5, Math.max(0, (10 - t) / 0.5));
      const wander = 0.2 * (1.2 + Math.sin((2 * Math.PI * t) / 13));
      L[i] = (t < 10 ? Math.sin((Math.PI / 2) * i + Math.PI / 4) * 0.9 * env : 0) + wander * rnd();
      R[i] = L[i];
    }
  }
  return [L, R];
}

describe.skipIf(!ffmpeg)('mixhost measure agrees with ffmpeg ebur128', () => {
  for (const [kind, sr] of [['dynamic-noise', 48000], ['tones', 44100], ['intersample', 48000]] as const) {
    it(`${kind} at ${sr} Hz: integrated ±0.1 LU, range ±0.5 LU, true peak ±0.3 dB`, async () => {
      const file = path.join(dir, `${kind}.wav`);
      writeFileSync(file, encodeWav({ sampleRate: sr, channels: material(kind, sr) }, 'float32'));
      const ours = await measure(file);
      const ref = ebur128(file);
      expect(Math.abs((ours.integratedLufs as number) - ref.i), `integrated ${ours.integratedLufs} vs ${ref.i}`).toBeLessThanOrEqual(0.1);
      expect(Math.abs((ours.loudnessRangeLu as number) - ref.lra), `range ${ours.loudnessRangeLu} vs ${ref.lra}`).toBeLessThanOrEqual(0.5);
      expect(Math.abs((ours.truePeakDbtp as number) - ref.tp), `true peak ${ours.truePeakDbtp} vs ${ref.tp}`).toBeLessThanOrEqual(0.3);
      expect(ours.durationS).toBeCloseTo(40, 6);
    });
  }

  it('the demo mix', async () => {
    await run(process.execPath, [CLI, 'render', '--demo', '--out', 'demo.wav', '--format', 'float32'], { cwd: dir });
    const file = path.join(dir, 'demo.wav');
    const ours = await measure(file);
    const ref = ebur128(file);
    expect(Math.abs((ours.integratedLufs as number) - ref.i)).toBeLessThanOrEqual(0.1);
    expect(Math.abs((ours.loudnessRangeLu as number) - ref.lra)).toBeLessThanOrEqual(0.5);
    expect(Math.abs((ours.truePeakDbtp as number) - ref.tp)).toBeLessThanOrEqual(0.3);
  });
});

describe('mixhost measure, plain cases', () => {
  it('silence reads -inf (null in JSON); a missing file is E_AUDIO_READ', async () => {
    const file = path.join(dir, 'silence.wav');
    writeFileSync(file, encodeWav({ sampleRate: 48000, channels: [new Float32Array(48000 * 5)] }, 'pcm16'));
    const r = await measure(file);
    expect(r.integratedLufs).toBeNull();
    expect(r.truePeakDbtp).toBeNull();
    expect(r.samplePeakDbfs).toBeNull();
    expect(r.loudnessRangeLu).toBe(0);
    const bad = await run(process.execPath, [CLI, 'measure', 'nope.wav', '--json'], { cwd: dir }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(2);
    expect((bad as { stderr: string }).stderr).toContain('E_AUDIO_READ');
    expect(JSON.parse((bad as { stdout: string }).stdout).error.code).toBe('E_AUDIO_READ');
  });
  it('a 1 kHz stereo sine at −23 dBFS reads −23.0 LUFS (EBU Tech 3341 case 1)', async () => {
    const sr = 48000;
    const a = Math.pow(10, -23 / 20);
    const x = new Float32Array(sr * 20).map((_, i) => a * Math.sin((2 * Math.PI * 1000 * i) / sr));
    const file = path.join(dir, 'case1.wav');
    writeFileSync(file, encodeWav({ sampleRate: sr, channels: [x, x] }, 'float32'));
    const r = await measure(file);
    expect(Math.abs((r.integratedLufs as number) + 23)).toBeLessThanOrEqual(0.1);
  });
});
