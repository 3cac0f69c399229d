/**
 * `mixhost render SESSION [--out FILE.wav] [--format pcm24|float32] [--json]`
 * `mixhost render --demo [--out FILE.wav] ...`
 *
 * Offline, faster than real time, through exactly the engine that runs live: the session's
 * sources (WAV stems or the built-in demo stems) go through the mix to a stereo WAV of the
 * master. A progress bar is drawn on a terminal; the summary gives duration, peak, time taken
 * and real-time factor. The output file appears only when the render has finished (it is
 * written next to the target and renamed), so a failed render never leaves a broken file.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadRenderInputs } from '../audio/sources.js';
import { WavWriter, type WavEncoding } from '../audio/wav.js';
import { LoudnessMeter, type LoudnessResult } from '../engine/loudness.js';
import { MixEngine } from '../engine/mixer.js';
import { outputPairs } from '../model/layout.js';
import { demoSession } from '../model/demo-session.js';
import { MixhostError, ParamRegistry } from '../model/registry.js';
import { applySession, DEFAULT_TAIL_SECONDS, loadSessionFile, sessionLayout, type Session } from '../model/session.js';
import { reporter, reportError, type Reporter } from './output.js';

/** Block size of offline renders (any size gives the same samples). */
export const RENDER_BLOCK = 512;

export interface RenderOptions {
  readonly out: string;
  readonly encoding: WavEncoding;
  readonly sampleRate?: number;
  /** Change the parameter table after the session is applied (mastering passes use this). */
  readonly tweak?: (registry: ParamRegistry, table: Float64Array) => void;
  /** Skip measuring the loudness of the result. */
  readonly noLoudness?: boolean;
  /** Write master chain 1 only (the other chains' outputs are not wanted). */
  readonly mainOnly?: boolean;
}

/** Where master chain k ≥ 2 of a render goes: beside the main output, named after the chain. */
export function chainOutPath(out: string, k: number, name?: string): string {
  const safe = (name ?? '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return out.replace(/\.wav$/i, '') + `-${safe || `out${k}`}.wav`;
}

export interface RenderSummary {
  readonly out: string;
  readonly sampleRate: number;
  readonly channels: number;
  readonly encoding: WavEncoding;
  readonly frames: number;
  readonly durationS: number;
  readonly peakDbfs: number;
  readonly clippedSamples: number;
  readonly elapsedS: number;
  readonly realtimeFactor: number;
  /** Loudness of the main output (BS.1770 / EBU R128), unless `noLoudness`. */
  readonly loudness?: LoudnessResult;
  /** Files of master chains 2..k. */
  readonly extraOutputs: string[];
  /** Samples of look-ahead removed from the start so the output lines up with the sources. */
  readonly latencyCompensated: number;
  readonly notes: string[];
}

/** Render a parsed session (sources resolved against `sessionDir`) to a WAV of the master. */
export async function renderSession(session: Session, sessionDir: string, opts: RenderOptions, rep?: Reporter): Promise<RenderSummary> {
  const started = performance.now();
  const layout = sessionLayout(session);
  const registry = new ParamRegistry(layout);
  const src = await loadRenderInputs(session, layout, sessionDir, opts.sampleRate);
  // Streamed stems stay open until the render is over, whether it ends well or not.
  try {
    const sr = src.sampleRate;
    const engine = new MixEngine(registry, { sampleRate: sr, maxBlock: RENDER_BLOCK });
    applySession(session, registry, engine.params);
    opts.tweak?.(registry, engine.params);

    const tail = Math.round((session.tailSeconds ?? DEFAULT_TAIL_SECONDS) * sr);
    const total = src.frames + tail;
    // The master chains lag by their look-ahead: run that much longer and drop the start.
    const lat = engine.masterLatency;
    const ins = src.inputs.map(() => new Float32Array(RENDER_BLOCK));
    const outs = Array.from({ length: engine.outputs }, () => new Float32Array(RENDER_BLOCK));
    const pairs = outputPairs(layout);
    const chainPairs = Array.from({ length: opts.mainOnly ? 1 : layout.masterChains }, (_, k) => {
      const o = 2 * pairs.indexOf(k === 0 ? 'master' : `master${k + 1}`);
      return [outs[o], outs[o + 1]];
    });
    const paths = chainPairs.map((_, k) => (k === 0 ? opts.out : chainOutPath(opts.out, k + 1, session.outputs?.[k - 1]?.name)));
    const writers: WavWriter[] = [];
    const meter = opts.noLoudness ? undefined : new LoudnessMeter(sr, 2);
    const view = [new Float32Array(0), new Float32Array(0)];
    let peak = 0;
    let clipped = 0;
    try {
      for (const p of paths) writers.push(new WavWriter(p, sr, 2, opts.encoding));
      for (let pos = 0; pos < total + lat; pos += RENDER_BLOCK) {
        const n = Math.min(RENDER_BLOCK, total + lat - pos);
        for (let k = 0; k < ins.length; k++) src.inputs[k].read(ins[k], n);
        engine.process(ins, outs, n);
        const skip = pos < lat ? Math.min(n, lat - pos) : 0;
        if (skip === n) continue;
        for (let k = 0; k < chainPairs.length; k++) {
          const pair = skip > 0 ? chainPairs[k].map((c) => c.subarray(skip, n)) : chainPairs[k];
          writers[k].write(pair, n - skip);
        }
        const master = chainPairs[0];
        for (const ch of master) {
          for (let i = skip; i < n; i++) {
            const a = Math.abs(ch[i]);
            if (a > peak) peak = a;
            if (a > 1) clipped++;
          }
        }
        if (meter) {
          view[0] = skip > 0 ? master[0].subarray(skip, n) : master[0];
          view[1] = skip > 0 ? master[1].subarray(skip, n) : master[1];
          meter.process(view, n - skip);
        }
        rep?.progress((pos + n) / (total + lat), `${((pos + n) / sr).toFixed(1)} / ${(total / sr).toFixed(1)} s`);
      }
      for (const w of writers) w.close();
    } catch (e) {
      for (const w of writers) w.abort();
      throw e;
    } finally {
      rep?.endProgress();
    }
    const elapsedS = (performance.now() - started) / 1000;
    const durationS = total / sr;
    return {
      out: opts.out,
      sampleRate: sr,
      channels: 2,
      encoding: opts.encoding,
      frames: total,
      durationS,
      peakDbfs: peak > 0 ? 20 * Math.log10(peak) : -Infinity,
      clippedSamples: opts.encoding === 'float32' ? 0 : clipped,
      elapsedS,
      realtimeFactor: durationS / elapsedS,
      ...(meter ? { loudness: meter.result() } : {}),
      extraOutputs: paths.slice(1),
      latencyCompensated: lat,
      notes: src.notes,
    };
  } finally {
    src.close();
  }
}

const ENCODINGS: Record<string, WavEncoding> = { pcm24: 'pcm24', '24': 'pcm24', float32: 'float32', float: 'float32', f32: 'float32' };

export async function renderCommand(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        format: { type: 'string' },
        rate: { type: 'string' },
        demo: { type: 'boolean' },
        json: { type: 'boolean' },
        target: { type: 'string', short: 't' },
        genre: { type: 'string' },
        album: { type: 'boolean' },
        report: { type: 'string' },
      },
    });
    json = values.json ?? false;
    const album = values.album ?? false;
    if (album && !values.target) throw new MixhostError('E_USAGE', '--album masters songs as one release and needs --target');
    if (positionals.length > 1 && !album) throw new MixhostError('E_USAGE', `render takes one session file, got ${positionals.length} (use --album --target to master several as one release)`);
    if (!values.demo && positionals.length === 0) throw new MixhostError('E_USAGE', 'render needs a session file, or --demo for the built-in demo session');
    if (values.demo && positionals.length > 0) throw new MixhostError('E_USAGE', 'give a session file or --demo, not both');
    if (album && values.out !== undefined && positionals.length > 1) throw new MixhostError('E_USAGE', '--out names one file; an album writes <session>-master.wav beside each session');
    if (values.genre !== undefined && !values.target) throw new MixhostError('E_USAGE', '--genre shapes mastering and needs --target');
    if (values.report !== undefined && !values.target) throw new MixhostError('E_USAGE', '--report writes the conformity report of a mastered render and needs --target');
    const encoding = ENCODINGS[values.format ?? 'pcm24'];
    if (!encoding) throw new MixhostError('E_USAGE', `--format ${values.format}: use pcm24 or float32`);
    let sampleRate: number | undefined;
    if (values.rate !== undefined) {
      sampleRate = Number(values.rate);
      if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 384000) throw new MixhostError('E_USAGE', `--rate ${values.rate}: give a sample rate in Hz, 8000..384000`);
    }

    const inputs: Array<{ session: Session; dir: string; base: string }> = [];
    if (values.demo) inputs.push({ session: demoSession(), dir: process.cwd(), base: 'demo' });
    for (const file of positionals) {
      inputs.push({ session: await loadSessionFile(file), dir: path.dirname(path.resolve(file)), base: path.basename(file).replace(/\.[^.]*$/, '') });
    }
    const suffix = values.target ? 'master' : 'mix';
    const outs = inputs.map((x) => path.resolve(values.out !== undefined && inputs.length === 1 ? values.out : `${x.base}-${suffix}.wav`));
    for (const o of outs) if (!o.toLowerCase().endsWith('.wav')) throw new MixhostError('E_USAGE', `--out ${values.out}: the output must be a .wav file`);
    const rep = reporter(json);
    if (values.target) {
      const { masterCommand } = await import('./master-command.js');
      return await masterCommand(inputs, outs, { target: values.target, genre: values.genre, album, encoding, sampleRate, report: values.report }, rep);
    }
    const s = await renderSession(inputs[0].session, inputs[0].dir, { out: outs[0], encoding, sampleRate }, rep);
    for (const note of s.notes) rep.info(`note: ${note}`);
    const peak = Number.isFinite(s.peakDbfs) ? `${s.peakDbfs.toFixed(2)} dBFS` : '-inf dBFS (silence)';
    const l = s.loudness;
    rep.info(
      `rendered ${s.out}${s.extraOutputs.map((o) => `\n  and ${o}`).join('')}\n  duration ${s.durationS.toFixed(2)} s at ${s.sampleRate} Hz, ${s.encoding}\n  peak ${peak}` +
        `${s.clippedSamples > 0 ? ` (${s.clippedSamples} samples clipped in the integer file)` : ''}\n` +
        (l ? `  loudness ${fmtLufs(l.integratedLufs)} integrated, range ${l.loudnessRangeLu.toFixed(1)} LU, true peak ${fmtDb(l.truePeakDbtp)} dBTP\n` : '') +
        `  took ${s.elapsedS.toFixed(2)} s, ${s.realtimeFactor.toFixed(1)}x real time`,
    );
    if (json) rep.result(jsonSafe(s));
    return 0;
  } catch (e) {
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      return reportError(new MixhostError('E_USAGE', e.message), json);
    }
    return reportError(e, json);
  }
}

function fmtDb(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : '-inf';
}
function fmtLufs(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(1)} LUFS` : '-inf LUFS';
}

/** JSON has no infinities: they become null. */
export function jsonSafe(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? null : x)));
}
