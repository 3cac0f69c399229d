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
import { MixEngine } from '../engine/mixer.js';
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

    const tail = Math.round((session.tailSeconds ?? DEFAULT_TAIL_SECONDS) * sr);
    const total = src.frames + tail;
    const ins = src.inputs.map(() => new Float32Array(RENDER_BLOCK));
    const outs = Array.from({ length: engine.outputs }, () => new Float32Array(RENDER_BLOCK));
    const master = [outs[0], outs[1]];
    const writer = new WavWriter(opts.out, sr, 2, opts.encoding);
    let peak = 0;
    let clipped = 0;
    try {
      for (let pos = 0; pos < total; pos += RENDER_BLOCK) {
        const n = Math.min(RENDER_BLOCK, total - pos);
        for (let k = 0; k < ins.length; k++) src.inputs[k].read(ins[k], n);
        engine.process(ins, outs, n);
        for (const ch of master) {
          for (let i = 0; i < n; i++) {
            const a = Math.abs(ch[i]);
            if (a > peak) peak = a;
            if (a > 1) clipped++;
          }
        }
        writer.write(master, n);
        rep?.progress((pos + n) / total, `${((pos + n) / sr).toFixed(1)} / ${(total / sr).toFixed(1)} s`);
      }
      writer.close();
    } catch (e) {
      writer.abort?.();
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
      },
    });
    json = values.json ?? false;
    if (positionals.length > 1) throw new MixhostError('E_USAGE', `render takes one session file, got ${positionals.length}`);
    if (!values.demo && positionals.length === 0) throw new MixhostError('E_USAGE', 'render needs a session file, or --demo for the built-in demo session');
    if (values.demo && positionals.length > 0) throw new MixhostError('E_USAGE', 'give a session file or --demo, not both');
    const encoding = ENCODINGS[values.format ?? 'pcm24'];
    if (!encoding) throw new MixhostError('E_USAGE', `--format ${values.format}: use pcm24 or float32`);
    let sampleRate: number | undefined;
    if (values.rate !== undefined) {
      sampleRate = Number(values.rate);
      if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 384000) throw new MixhostError('E_USAGE', `--rate ${values.rate}: give a sample rate in Hz, 8000..384000`);
    }

    let session: Session;
    let dir: string;
    let base: string;
    if (values.demo) {
      session = demoSession();
      dir = process.cwd();
      base = 'demo';
    } else {
      const file = positionals[0];
      session = await loadSessionFile(file);
      dir = path.dirname(path.resolve(file));
      base = path.basename(file).replace(/\.[^.]*$/, '');
    }
    const out = path.resolve(values.out ?? `${base}-mix.wav`);
    if (!out.toLowerCase().endsWith('.wav')) throw new MixhostError('E_USAGE', `--out ${values.out}: the output must be a .wav file`);
    const rep = reporter(json);
    const s = await renderSession(session, dir, { out, encoding, sampleRate }, rep);
    for (const note of s.notes) rep.info(`note: ${note}`);
    const peak = Number.isFinite(s.peakDbfs) ? `${s.peakDbfs.toFixed(2)} dBFS` : '-inf dBFS (silence)';
    rep.info(
      `rendered ${s.out}\n  duration ${s.durationS.toFixed(2)} s at ${s.sampleRate} Hz, ${s.encoding}\n  peak ${peak}` +
        `${s.clippedSamples > 0 ? ` (${s.clippedSamples} samples clipped in the integer file)` : ''}\n` +
        `  took ${s.elapsedS.toFixed(2)} s, ${s.realtimeFactor.toFixed(1)}x real time`,
    );
    if (json) rep.result({ ...s, peakDbfs: Number.isFinite(s.peakDbfs) ? s.peakDbfs : null });
    return 0;
  } catch (e) {
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      return reportError(new MixhostError('E_USAGE', e.message), json);
    }
    return reportError(e, json);
  }
}
