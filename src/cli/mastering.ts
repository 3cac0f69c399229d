/**
 * Offline mastering to a loudness target: `mixhost render SESSION --target ID [--genre ID]` and
 * `mixhost render A B C --album --target ID`.
 *
 * 1. Mix: each session is rendered with its master chain switched out (the pre-master), to a
 *    temporary float WAV, and measured (BS.1770). In album mode each pre-master's tonal balance
 *    is measured too (src/engine/tonal-balance.ts).
 * 2. Apply: the pre-master runs through the same MasterChain the live engine uses, with the
 *    session's chain EQ and width, the genre's multiband settings (thresholds relative to the
 *    target), the gain that moves it to the target (the chain's trim) and the true-peak limiter
 *    at the target's ceiling with the genre's release. In album mode one gain serves every
 *    song (so their relative loudness stays), aimed at the album's integrated loudness, and each
 *    song gets half of its deviation from the album's average balance as a gentle match EQ.
 * 3. Limit, measure, correct: limiting takes a little loudness away, so the gain is corrected
 *    from the measured result (secant steps) until the integrated loudness is within
 *    CONVERGE_LU of the target; the pass that lands is the one written.
 * The conformity of each result (src/model/conformity.ts) is checked against the target.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WavFileReader } from '../audio/wav-reader.js';
import { WavWriter, type WavEncoding } from '../audio/wav.js';
import { Equalizer } from '../engine/filters.js';
import { LoudnessHistory } from '../engine/loudness-history.js';
import { LoudnessMeter, type LoudnessResult } from '../engine/loudness.js';
import { MasterChain } from '../engine/master-chain.js';
import { matchEq, meanShape, shapeDistanceDb, TonalBalance, type MatchBand } from '../engine/tonal-balance.js';
import { buildConformityReport, type ConformityReport } from '../model/conformity.js';
import { MASTER_EQ_TYPES, MBC_BANDS } from '../model/master-params.js';
import type { GenreProfile, MasteringTarget } from '../model/mastering-profiles.js';
import { chainMeterPoint } from '../model/master-params.js';
import { CHAIN_FIELDS, meterLayout } from '../model/meters.js';
import { MixhostError, ParamRegistry } from '../model/registry.js';
import { applySession, sessionLayout, type Session } from '../model/session.js';
import type { Reporter } from './output.js';
import { renderSession } from './render.js';

/** Stop correcting once the integrated loudness is this close to the target. */
export const CONVERGE_LU = 0.05;
export const MAX_PASSES = 8;
const BLOCK = 4096;
const TRIM_LIMIT_DB = 30;
const LIMITER_GR = CHAIN_FIELDS.indexOf('limiterGr');

export interface MasterTrack {
  readonly session: Session;
  /** Directory the session's relative paths are resolved against. */
  readonly dir: string;
  /** Title for reports (the session file's base name). */
  readonly title: string;
  readonly out: string;
}

export interface MasterOptions {
  readonly target: MasteringTarget;
  readonly genre: GenreProfile;
  readonly album: boolean;
  readonly encoding: WavEncoding;
  readonly sampleRate?: number;
}

export interface TrackResult {
  readonly title: string;
  readonly out: string;
  readonly sampleRate: number;
  readonly premix: LoudnessResult;
  /** Gain applied before the chain (dB): the album's gain plus `balanceCompensationDb`. */
  readonly gainDb: number;
  /** Album mode: the gain that undoes the loudness change of the song's match EQ (dB). */
  readonly balanceCompensationDb: number;
  readonly matchEq: MatchBand[];
  /** RMS distance (dB) of the octave balance from the album's average, before and after. */
  readonly tonalDistanceDb?: { before: number; after: number };
  readonly result: LoudnessResult;
  readonly limiterMaxGrDb: number;
  readonly passes: number;
  readonly conformity: ConformityReport;
  readonly warnings: string[];
}

export interface MasterResult {
  readonly target: MasteringTarget;
  readonly genre: string;
  readonly album: boolean;
  readonly tracks: TrackResult[];
  /** Album mode: integrated loudness of all songs together, before and after. */
  readonly albumLufs?: { premix: number; master: number };
  readonly elapsedS: number;
}

interface Premix {
  readonly track: MasterTrack;
  readonly file: string;
  readonly sampleRate: number;
  readonly loudness: LoudnessResult;
  readonly shape: number[];
}

interface Pass {
  readonly result: LoudnessResult;
  readonly history: LoudnessHistory;
  readonly limiterMaxGrDb: number;
  readonly shape: number[];
  readonly writer?: WavWriter;
}

/** Switch a session's chain 1 out: the pre-master is the master bus after its fader. */
function neutralise(reg: ParamRegistry, t: Float64Array): void {
  for (const [a, v] of [
    ['master/trim', 0],
    ['master/eq/on', 0],
    ['master/mbc/on', 0],
    ['master/width/amount', 100],
    ['master/width/bassmono', 0],
    ['master/leveller/on', 0],
    ['master/limiter/on', 0],
  ] as const) reg.set(t, a, v);
}

/** The chain's table for one mastering pass. */
function chainTable(track: MasterTrack, opts: MasterOptions, gainDb: number): { reg: ParamRegistry; table: Float64Array } {
  const reg = new ParamRegistry(sessionLayout(track.session));
  const t = reg.createTable();
  applySession(track.session, reg, t);
  const g = opts.genre;
  const set = (a: string, v: number): void => {
    reg.set(t, `master/${a}`, v);
  };
  set('trim', gainDb);
  set('target', opts.target.integratedLufs);
  set('leveller/on', 0);
  set('mbc/on', g.multiband.on ? 1 : 0);
  set('mbc/xover/1', g.multiband.crossoversHz[0]);
  set('mbc/xover/2', g.multiband.crossoversHz[1]);
  for (let b = 0; b < MBC_BANDS; b++) {
    const band = g.multiband.bands[b];
    const p = `mbc/${b + 1}/`;
    set(`${p}on`, 1);
    set(`${p}threshold`, Math.max(-60, Math.min(0, opts.target.integratedLufs + band.thresholdLu)));
    set(`${p}ratio`, band.ratio);
    set(`${p}knee`, band.kneeDb);
    set(`${p}attack`, band.attackMs);
    set(`${p}release`, band.releaseMs);
    set(`${p}makeup`, 0);
  }
  set('limiter/on', 1);
  set('limiter/ceiling', opts.target.truePeakDbtp);
  set('limiter/release', g.limiter.releaseMs);
  return { reg, table: t };
}

/** One pass of a pre-master through the master chain (and the match EQ), optionally written. */
function runPass(pm: Premix, opts: MasterOptions, gainDb: number, eq: readonly MatchBand[], writeTo?: string): Pass {
  const sr = pm.sampleRate;
  const { reg, table } = chainTable(pm.track, opts, gainDb);
  const chain = new MasterChain(reg, 'master', sr, BLOCK);
  const meters = new Float32Array(meterLayout(reg.layout).size);
  const mo = meterLayout(reg.layout).offsetOf(chainMeterPoint(1));
  const match = eq.length > 0 ? new Equalizer(2, sr, eq.length) : undefined;
  eq.forEach((b, i) => match?.setBand(i, MASTER_EQ_TYPES.indexOf(b.type), b.freq, b.gainDb, b.q));
  const reader = new WavFileReader(pm.file);
  const writer = writeTo ? new WavWriter(writeTo, sr, 2, opts.encoding) : undefined;
  const meter = new LoudnessMeter(sr, 2);
  const tonal = new TonalBalance(sr);
  const inp: [Float32Array, Float32Array] = [new Float32Array(BLOCK), new Float32Array(BLOCK)];
  const out: [Float32Array, Float32Array] = [new Float32Array(BLOCK), new Float32Array(BLOCK)];
  const lat = chain.latency;
  let grMax = 0;
  try {
    const total = reader.frames + lat;
    for (let pos = 0; pos < total; pos += BLOCK) {
      const n = Math.min(BLOCK, total - pos);
      const got = reader.read(inp, 0, n);
      if (got < n) {
        inp[0].fill(0, got, n);
        inp[1].fill(0, got, n);
      }
      match?.process(inp, n);
      chain.process(table, inp, out[0], out[1], n, meters, mo);
      grMax = Math.max(grMax, meters[mo + LIMITER_GR]);
      const skip = pos < lat ? Math.min(n, lat - pos) : 0;
      if (skip === n) continue;
      const view = skip > 0 ? [out[0].subarray(skip, n), out[1].subarray(skip, n)] : out;
      meter.process(view, n - skip);
      tonal.process(view, n - skip);
      writer?.write(view, n - skip);
    }
  } catch (e) {
    writer?.abort();
    throw e;
  } finally {
    reader.close();
  }
  return { result: meter.result(), history: chain.history, limiterMaxGrDb: grMax, shape: tonal.shapeDb(), writer };
}

/** Integrated loudness of a pre-master through its match EQ. */
function eqLoudness(pm: Premix, eq: readonly MatchBand[]): number {
  const sr = pm.sampleRate;
  const match = new Equalizer(2, sr, eq.length);
  eq.forEach((b, i) => match.setBand(i, MASTER_EQ_TYPES.indexOf(b.type), b.freq, b.gainDb, b.q));
  const reader = new WavFileReader(pm.file);
  const meter = new LoudnessMeter(sr, 2);
  const buf: [Float32Array, Float32Array] = [new Float32Array(BLOCK), new Float32Array(BLOCK)];
  try {
    for (;;) {
      const n = reader.read(buf, 0, BLOCK);
      if (n === 0) break;
      match.process(buf, n);
      meter.process(buf, n);
    }
  } finally {
    reader.close();
  }
  return meter.result().integratedLufs;
}

/** Integrated loudness of several programmes taken as one (their gating blocks pooled). */
function pooledLufs(histories: readonly LoudnessHistory[]): number {
  const all = new LoudnessHistory();
  for (const h of histories) h.forEachStep((m, s, tp) => {
      all.push(m, s, tp);
    });
  return all.integratedLufs();
}

function premixHistory(file: string, sr: number): { loudness: LoudnessResult; shape: number[]; history: LoudnessHistory } {
  const reader = new WavFileReader(file);
  const meter = new LoudnessMeter(sr, 2);
  const tonal = new TonalBalance(sr);
  const history = new LoudnessHistory();
  const step = meter.tickLen * 10;
  const buf: [Float32Array, Float32Array] = [new Float32Array(step), new Float32Array(step)];
  let steps = 0;
  try {
    for (;;) {
      const n = reader.read(buf, 0, step);
      if (n === 0) break;
      meter.process(buf, n);
      tonal.process(buf, n);
      if (n === step && ++steps >= 4) {
        const m = meter.momentaryLufs();
        history.push(m > -1e9 ? Math.pow(10, (m + 0.691) / 10) : 0, 0, 0);
      }
    }
  } finally {
    reader.close();
  }
  return { loudness: meter.result(), shape: tonal.shapeDb(), history };
}

/** Master one song, or several as an album. */
export async function masterTracks(tracks: readonly MasterTrack[], opts: MasterOptions, rep?: Reporter): Promise<MasterResult> {
  const started = performance.now();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'mixhost-master-'));
  const target = opts.target.integratedLufs;
  try {
    // 1. Mix each song to a pre-master and measure it.
    const premixes: Premix[] = [];
    const premixHist: LoudnessHistory[] = [];
    for (const [i, track] of tracks.entries()) {
      rep?.info(`mixing ${track.title} (${i + 1}/${tracks.length})`);
      const file = path.join(tmp, `premix-${i}.wav`);
      const s = await renderSession(track.session, track.dir, { out: file, encoding: 'float32', sampleRate: opts.sampleRate, tweak: neutralise, noLoudness: true, mainOnly: true }, rep);
      const m = premixHistory(file, s.sampleRate);
      if (!Number.isFinite(m.loudness.integratedLufs)) {
        throw new MixhostError('E_MASTER_SILENT', `${track.title}: the mix is silent (no block above the −70 LUFS gate); there is nothing to master`);
      }
      premixes.push({ track, file, sampleRate: s.sampleRate, loudness: m.loudness, shape: m.shape });
      premixHist.push(m.history);
    }
    const albumPremix = opts.album ? pooledLufs(premixHist) : Number.NaN;
    const ref = opts.album ? meanShape(premixes.map((p) => p.shape)) : [];
    const eqs = premixes.map((p) => (opts.album ? matchEq(p.shape, ref) : []));
    // A balance move must not change a song's loudness relative to the others: each song's
    // gain is offset by the loudness its match EQ adds or takes away.
    const comp = premixes.map((p, i) => (eqs[i].some((b) => b.gainDb !== 0) ? p.loudness.integratedLufs - eqLoudness(p, eqs[i]) : 0));

    // 2-3. Apply, limit, measure and correct. Album mode moves one gain for every song.
    const groups: number[][] = opts.album ? [premixes.map((_, i) => i)] : premixes.map((_, i) => [i]);
    const final: Array<{ pass: Pass; gain: number; passes: number }> = [];
    for (const group of groups) {
      const measure = (passes: Pass[]): number =>
        opts.album ? pooledLufs(passes.map((p) => p.history)) : passes[0].result.integratedLufs;
      const start = opts.album ? albumPremix : premixes[group[0]].loudness.integratedLufs;
      let g0 = clampTrim(target - start);
      let best: { passes: Pass[]; gain: number; err: number } | undefined;
      let prev: { gain: number; lufs: number } | undefined;
      let count = 0;
      for (let k = 0; k < MAX_PASSES; k++) {
        count++;
        const names = group.map((i) => premixes[i].track.title).join(', ');
        rep?.info(`mastering ${names}: pass ${k + 1}, gain ${g0 >= 0 ? '+' : ''}${g0.toFixed(2)} dB`);
        const passes = group.map((i) => runPass(premixes[i], opts, clampTrim(g0 + comp[i]), eqs[i], premixes[i].track.out));
        const lufs = measure(passes);
        const err = lufs - target;
        if (!best || Math.abs(err) < Math.abs(best.err)) {
          best?.passes.forEach((p) => p.writer?.abort());
          best = { passes, gain: g0, err };
        } else passes.forEach((p) => p.writer?.abort());
        if (Math.abs(err) <= CONVERGE_LU) break;
        // Secant step on gain -> loudness (the limiter makes the slope below 1 dB per dB).
        let slope = 1;
        if (prev && Math.abs(g0 - prev.gain) > 1e-6) slope = (lufs - prev.lufs) / (g0 - prev.gain);
        if (!(slope > 0.05)) slope = 0.05;
        prev = { gain: g0, lufs };
        const next = clampTrim(g0 - err / slope);
        if (Math.abs(next - g0) < 1e-4) break;
        g0 = next;
      }
      best!.passes.forEach((p, j) => {
        p.writer?.close();
        final[group[j]] = { pass: p, gain: clampTrim(best!.gain + comp[group[j]]), passes: count };
      });
    }

    const albumMaster = opts.album ? pooledLufs(final.map((f) => f.pass.history)) : Number.NaN;
    const results: TrackResult[] = premixes.map((pm, i) => {
      const { pass, gain, passes } = final[i];
      const warnings: string[] = [];
      if (pass.limiterMaxGrDb > opts.genre.maxLimitingDb) {
        warnings.push(
          `${pass.limiterMaxGrDb.toFixed(1)} dB of peak limiting is more than the ${opts.genre.maxLimitingDb} dB a ${opts.genre.name} master tolerates; ` +
            'a lower target keeps more of its dynamics',
        );
      }
      if (gain >= TRIM_LIMIT_DB || gain <= -TRIM_LIMIT_DB) warnings.push(`the gain needed is beyond ±${TRIM_LIMIT_DB} dB; the target was not reached`);
      if (opts.target.gating === 'dialogue') {
        warnings.push('this target is dialogue-gated; mixhost measures programme loudness (BS.1770 gating), not dialogue');
      }
      const conformity = buildConformityReport(pass.history, opts.target, {
        title: pm.track.title,
        sampleRate: pm.sampleRate,
        ...(opts.album ? { albumIntegratedLufs: albumMaster } : {}),
      });
      return {
        title: pm.track.title,
        out: pm.track.out,
        sampleRate: pm.sampleRate,
        premix: pm.loudness,
        gainDb: gain,
        balanceCompensationDb: comp[i],
        matchEq: eqs[i],
        ...(opts.album ? { tonalDistanceDb: { before: shapeDistanceDb(pm.shape, ref), after: shapeDistanceDb(pass.shape, meanShape(final.map((f) => f.pass.shape))) } } : {}),
        result: pass.result,
        limiterMaxGrDb: pass.limiterMaxGrDb,
        passes,
        conformity,
        warnings,
      };
    });
    return {
      target: opts.target,
      genre: opts.genre.id,
      album: opts.album,
      tracks: results,
      ...(opts.album ? { albumLufs: { premix: albumPremix, master: albumMaster } } : {}),
      elapsedS: (performance.now() - started) / 1000,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function clampTrim(g: number): number {
  return Math.max(-TRIM_LIMIT_DB, Math.min(TRIM_LIMIT_DB, g));
}
