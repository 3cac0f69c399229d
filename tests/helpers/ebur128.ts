/**
 * FFmpeg's `ebur128` filter as an independent loudness and true-peak reference. The summary it
 * prints rounds to 0.1 dB, so this reads the per-frame metadata instead (`metadata=1` printed
 * through `ametadata`): the last frame carries the final integrated loudness, range and the
 * running maximum true peak (linear, 3 decimals: ±0.01 dB near full scale).
 * Callers check `hasTool('ffmpeg')` (tools.ts) first.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Ebur128Result {
  /** Integrated loudness, LUFS. */
  i: number;
  /** Loudness range, LU. */
  lra: number;
  /** True peak over all channels, dBTP (−Infinity for silence). */
  tp: number;
}

/** Run `ebur128=peak=true` over `file`; `scratchDir` receives the metadata printout. */
export function ffmpegEbur128(file: string, scratchDir: string): Ebur128Result {
  const out = path.join(scratchDir, `${path.basename(file)}.r128.txt`);
  execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', file, '-af',
    `ebur128=peak=true:metadata=1,ametadata=mode=print:file=${out}`, '-f', 'null', '-']);
  const text = readFileSync(out, 'utf8');
  const last = (key: string): number => {
    const all = [...text.matchAll(new RegExp(`lavfi\\.r128\\.${key.replace('.', '\\.')}=(-?[\\d.]+|-?inf)`, 'g'))];
    if (all.length === 0) throw new Error(`ebur128: no ${key} in the ffmpeg output`);
    return Number(all[all.length - 1][1].replace('inf', 'Infinity'));
  };
  return { i: last('I'), lra: last('LRA'), tp: 20 * Math.log10(last('true_peak')) };
}
