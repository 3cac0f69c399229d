/**
 * `loudness.measure_vs_ffmpeg`: ffmpeg `ebur128=peak=true` time divided by `mixhost measure`
 * time on the same 3-minute stereo 48 kHz file, both as whole processes, same run (best of 3).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_STEMS, synthDemoStem } from '../../src/audio/demo-stems.js';
import { encodeWav } from '../../src/audio/wav.js';
import type { BenchResult } from './report.js';

const SR = 48000;
const SECONDS = 180;

function best(times: number, f: () => void): number {
  let b = Infinity;
  for (let k = 0; k < times; k++) {
    const t0 = performance.now();
    f();
    b = Math.min(b, performance.now() - t0);
  }
  return b / 1000;
}

export function benchLoudness(): BenchResult[] {
  if (spawnSync('ffmpeg', ['-version']).status !== 0) {
    return [{ name: 'loudness.measure_vs_ffmpeg', value: -1, unit: 'x', goal: 3, skipped: 'ffmpeg not installed' }];
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mixhost-bench-loud-'));
  try {
    // A stereo 3-minute programme: the demo's bass and lead on the left, pad on the right.
    const l = new Float32Array(SR * SECONDS);
    const r = new Float32Array(SR * SECONDS);
    const stems = DEMO_STEMS.map((n) => synthDemoStem(n, SR, SECONDS));
    stems.forEach((s, k) => {
      const a = s[0];
      const b = s[1] ?? s[0];
      for (let i = 0; i < l.length; i++) {
        l[i] += a[i] * (k % 2 ? 0.3 : 0.2);
        r[i] += b[i] * (k % 2 ? 0.2 : 0.3);
      }
    });
    const file = path.join(dir, 'programme.wav');
    writeFileSync(file, encodeWav({ sampleRate: SR, channels: [l, r] }, 'pcm24'));
    const cli = path.resolve('dist/cli/main.js');
    const ours = best(3, () => execFileSync(process.execPath, [cli, 'measure', file, '--json'], { stdio: ['ignore', 'pipe', 'ignore'] }));
    const ff = best(3, () =>
      execFileSync('ffmpeg', ['-hide_banner', '-nostats', '-nostdin', '-i', file, '-af', 'ebur128=peak=true:framelog=verbose', '-f', 'null', '-'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
    );
    return [{ name: 'loudness.measure_vs_ffmpeg', value: ff / ours, unit: 'x', goal: 3, ffmpegS: ff, mixhostS: ours, seconds: SECONDS }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
