/**
 * The mastering part of `mixhost render`: `--target ID [--genre ID] [--album] [--report BASE]`.
 * Loads the target and genre profiles, masters (src/cli/mastering.ts), prints a per-track report
 * and writes the conformity reports when asked.
 */
import path from 'node:path';
import { formatConformityText } from '../model/conformity.js';
import { DEFAULT_GENRE, loadGenre, loadTarget } from '../model/mastering-profiles.js';
import type { Session } from '../model/session.js';
import type { WavEncoding } from '../audio/wav.js';
import { masterTracks, type MasterResult, type TrackResult } from './mastering.js';
import type { Reporter } from './output.js';
import { jsonSafe } from './render.js';
import { writeConformityReport } from './report-files.js';

export interface MasterFlags {
  readonly target: string;
  readonly genre?: string;
  readonly album: boolean;
  readonly encoding: WavEncoding;
  readonly sampleRate?: number;
  readonly report?: string;
}



function f1(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : '-inf';
}
function signed(v: number): string {
  return `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
}

function trackText(t: TrackResult, r: MasterResult): string {
  const c = t.conformity;
  const loudness = r.albumLufs
    ? `album ${f1(r.albumLufs.master)} LUFS (target ${r.target.integratedLufs} ±${r.target.toleranceLu} LU), this song ${f1(t.result.integratedLufs)} LUFS`
    : `${f1(t.result.integratedLufs)} LUFS (target ${r.target.integratedLufs} ±${r.target.toleranceLu} LU)`;
  const lines = [
    `${t.title} -> ${t.out}`,
    `  ${c.pass ? 'CONFORMS' : 'DOES NOT CONFORM'} to ${r.target.name}: ${loudness}, true peak ${f1(t.result.truePeakDbtp)} dBTP (ceiling ${r.target.truePeakDbtp})`,
    `  mix ${f1(t.premix.integratedLufs)} LUFS, range ${f1(t.premix.loudnessRangeLu)} LU -> master range ${f1(t.result.loudnessRangeLu)} LU; ` +
      `gain ${signed(t.gainDb)} dB, peak limiting up to ${t.limiterMaxGrDb.toFixed(1)} dB, ${t.passes} pass${t.passes === 1 ? '' : 'es'}`,
  ];
  if (t.matchEq.some((b) => b.gainDb !== 0)) {
    lines.push(`  balance: ${t.matchEq.map((b) => `${b.type} ${b.freq} Hz ${signed(b.gainDb)} dB`).join(', ')}`);
  }
  if (t.tonalDistanceDb) lines.push(`  distance from the album's balance ${t.tonalDistanceDb.before.toFixed(2)} -> ${t.tonalDistanceDb.after.toFixed(2)} dB rms`);
  for (const w of t.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

export async function masterCommand(
  inputs: ReadonlyArray<{ session: Session; dir: string; base: string }>,
  outs: readonly string[],
  flags: MasterFlags,
  rep: Reporter,
): Promise<number> {
  const target = await loadTarget(flags.target);
  const genre = await loadGenre(flags.genre ?? DEFAULT_GENRE);
  const r = await masterTracks(
    inputs.map((x, i) => ({ session: x.session, dir: x.dir, title: x.base, out: outs[i] })),
    { target, genre, album: flags.album, encoding: flags.encoding, sampleRate: flags.sampleRate },
    rep,
  );
  const reports: Record<string, string[]> = {};
  if (flags.report !== undefined) {
    for (const t of r.tracks) {
      const base = r.tracks.length === 1 ? path.resolve(flags.report) : path.resolve(`${flags.report}-${t.title}`);
      reports[t.title] = await writeConformityReport(t.conformity, base);
    }
  }
  for (const t of r.tracks) rep.info(trackText(t, r));
  if (r.albumLufs) rep.info(`album: ${f1(r.albumLufs.premix)} -> ${f1(r.albumLufs.master)} LUFS integrated over all songs`);
  for (const [title, files] of Object.entries(reports)) rep.info(`conformity report of ${title}: ${files.join(', ')}`);
  rep.info(`took ${r.elapsedS.toFixed(1)} s`);
  if (rep.json) {
    rep.result(
      jsonSafe({
        target: { id: r.target.id, name: r.target.name, integratedLufs: r.target.integratedLufs, toleranceLu: r.target.toleranceLu, truePeakDbtp: r.target.truePeakDbtp },
        genre: r.genre,
        album: r.album,
        albumLufs: r.albumLufs,
        tracks: r.tracks.map((t) => ({
          title: t.title,
          out: t.out,
          sampleRate: t.sampleRate,
          premix: t.premix,
          gainDb: t.gainDb,
          balanceCompensationDb: t.balanceCompensationDb,
          matchEq: t.matchEq,
          tonalDistanceDb: t.tonalDistanceDb,
          ...t.result,
          limiterMaxGrDb: t.limiterMaxGrDb,
          passes: t.passes,
          conforms: t.conformity.pass,
          checks: t.conformity.checks,
          warnings: t.warnings,
          reports: reports[t.title],
        })),
        elapsedS: r.elapsedS,
      }),
    );
  }
  return r.tracks.every((t) => t.conformity.pass) ? 0 : 1;
}
