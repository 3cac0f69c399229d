/**
 * Render benchmarks on a 32-track, 3-minute session: mixhost's real-time factor, and the same
 * stems through ffmpeg with the equivalent chain (highpass, 4 × equalizer, agate, acompressor,
 * pan, amix), timed in the same run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_STEMS, synthDemoStem } from '../../src/audio/demo-stems.js';
import { encodeWav } from '../../src/audio/wav.js';
import { renderSession } from '../../src/cli/render.js';
import { parseSession } from '../../src/model/session.js';
import type { BenchResult } from './report.js';

const SR = 48000;
const TRACKS = 32;
const SECONDS = 180;

interface Rig {
  dir: string;
  stems: string[];
  sessionText: string;
}

/** 32 mono 24-bit stems of 3 minutes (the demo stems, cycled and level-varied) and a session. */
function makeRig(): Rig {
  const dir = path.join(os.tmpdir(), `mixhost-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const base = DEMO_STEMS.map((n) => synthDemoStem(n, SR, SECONDS)[0]);
  const stems: string[] = [];
  const channels = [];
  for (let t = 0; t < TRACKS; t++) {
    const name = `track${String(t + 1).padStart(2, '0')}.wav`;
    const src = base[t % base.length];
    const gain = 1 - 0.02 * t;
    const x = new Float32Array(src.length);
    for (let i = 0; i < x.length; i++) x[i] = src[i] * gain;
    writeFileSync(path.join(dir, name), encodeWav({ sampleRate: SR, channels: [x] }, 'pcm24'));
    stems.push(name);
    channels.push({
      name: `T${t + 1}`,
      source: { file: name },
      hpf: { on: true, freq: 80, slope: 12 },
      gate: { on: true, threshold: -50, range: 30, attack: 1, hold: 50, release: 150 },
      eq: [
        { type: 'peak', freq: 100, gain: 3, q: 1 },
        { type: 'peak', freq: 400, gain: -2, q: 1 },
        { type: 'peak', freq: 2500, gain: 2, q: 1 },
        { type: 'peak', freq: 8000, gain: 3, q: 1 },
      ],
      comp: { on: true, threshold: -24, ratio: 3, knee: 6, attack: 10, release: 120, makeup: 0 },
      pan: ((t * 37) % 200) - 100,
      fader: -12,
    });
  }
  const session = { format: 'mixhost-session', version: 1, name: 'bench-32', sampleRate: SR, tailSeconds: 0, channels };
  return { dir, stems, sessionText: JSON.stringify(session) };
}

function ffmpegArgs(rig: Rig, out: string): string[] {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  for (const s of rig.stems) args.push('-i', path.join(rig.dir, s));
  const chains: string[] = [];
  rig.stems.forEach((_, t) => {
    const pan = ((t * 37) % 200) - 100;
    const th = (pan + 100) / 200 * (Math.PI / 2);
    chains.push(
      `[${t}:a]highpass=f=80:p=2,equalizer=f=100:t=q:w=1:g=3,equalizer=f=400:t=q:w=1:g=-2,` +
        `equalizer=f=2500:t=q:w=1:g=2,equalizer=f=8000:t=q:w=1:g=3,agate=threshold=0.00316:range=0.0316:attack=1:release=150,` +
        `acompressor=threshold=0.063:ratio=3:knee=2:attack=10:release=120,` +
        `pan=stereo|c0=${(Math.cos(th) * 0.25).toFixed(6)}*c0|c1=${(Math.sin(th) * 0.25).toFixed(6)}*c0[t${t}]`,
    );
  });
  const graph = `${chains.join(';')};${rig.stems.map((_, t) => `[t${t}]`).join('')}amix=inputs=${rig.stems.length}:normalize=0[out]`;
  args.push('-filter_complex', graph, '-map', '[out]', '-c:a', 'pcm_s24le', out);
  return args;
}

export async function benchRender(): Promise<BenchResult[]> {
  const rig = makeRig();
  try {
    const session = parseSession(rig.sessionText, 'bench');
    const out = path.join(rig.dir, 'mix.wav');
    // Warm-up on a short slice is not needed: a 3-minute render amortises the JIT.
    const s = await renderSession(session, rig.dir, { out, encoding: 'pcm24' });
    const results: BenchResult[] = [
      { name: 'render.realtime_factor', value: s.realtimeFactor, unit: 'x', goal: 100, tracks: TRACKS, seconds: SECONDS, elapsedS: s.elapsedS },
    ];
    const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
    if (hasFfmpeg) {
      const ffOut = path.join(rig.dir, 'ff.wav');
      const t0 = performance.now();
      execFileSync('ffmpeg', ffmpegArgs(rig, ffOut), { stdio: ['ignore', 'ignore', 'pipe'] });
      const ffS = (performance.now() - t0) / 1000;
      results.push({ name: 'render.vs_ffmpeg', value: ffS / s.elapsedS, unit: 'x', goal: 2, ffmpegS: ffS, mixhostS: s.elapsedS, tracks: TRACKS, seconds: SECONDS });
    } else {
      results.push({ name: 'render.vs_ffmpeg', value: -1, unit: 'x', goal: 2, skipped: 'ffmpeg not installed' });
    }
    return results;
  } finally {
    rmSync(rig.dir, { recursive: true, force: true });
  }
}
