/**
 * `mixhost measure FILE.wav [--json]`: loudness of a WAV file to ITU-R BS.1770-5 / EBU R128:
 * integrated (gated), momentary max, short-term max, loudness range (EBU Tech 3342), true peak
 * (BS.1770 Annex 2) and sample peak. The file is streamed: any length, flat memory.
 *
 * Channel weights follow BS.1770: 1.0 for L, R, C, 1.41 for the surrounds, LFE (4th of 6)
 * excluded. Silence reads −∞; in JSON, −∞ is written as null.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WavFileReader } from '../audio/wav-reader.js';
import { LoudnessMeter, type LoudnessResult } from '../engine/loudness.js';
import { MixhostError } from '../model/errors.js';
import { reporter, reportError } from './output.js';

/** Frames per meter call. */
const BLOCK = 8192;
/**
 * Frames per read: five meter blocks (one disk read of the reader's buffer for 24-bit stereo),
 * or as many whole blocks as the meter's own input arrays hold when it has them.
 */
const READ = 5 * BLOCK;

export function measureFile(file: string, onProgress?: (done: number) => void): LoudnessResult & { sampleRate: number; channels: number; warnings: readonly string[] } {
  const reader = new WavFileReader(file);
  try {
    if (reader.channels > 8) throw new MixhostError('E_AUDIO_FORMAT', `${file}: ${reader.channels} channels; loudness is measured on up to 8 (7.1)`);
    const meter = new LoudnessMeter(reader.sampleRate, reader.channels);
    // Decode straight into the meter's own input arrays where it has them (no copy).
    const bufs = meter.inputs() ?? Array.from({ length: reader.channels }, () => new Float32Array(READ));
    const read = Math.min(READ, bufs[0].length - (bufs[0].length % BLOCK));
    let done = 0;
    for (;;) {
      const n = reader.read(bufs, 0, read);
      if (n === 0) break;
      for (let i = 0; i < n; i += BLOCK) meter.processRange(bufs, i, Math.min(BLOCK, n - i));
      done += n;
      onProgress?.(reader.frames > 0 ? done / reader.frames : 1);
    }
    return { ...meter.result(), sampleRate: reader.sampleRate, channels: reader.channels, warnings: reader.warnings };
  } finally {
    reader.close();
  }
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
const show = (x: number, unit: string): string => (Number.isFinite(x) ? `${x.toFixed(1)} ${unit}` : `-inf ${unit}`);

export async function measureCommand(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } } });
    json = values.json ?? false;
    if (positionals.length !== 1) throw new MixhostError('E_USAGE', `measure takes one WAV file, got ${positionals.length}`);
    const file = positionals[0];
    const rep = reporter(json);
    let r: ReturnType<typeof measureFile>;
    try {
      r = measureFile(file, (d) => rep.progress(d, path.basename(file)));
    } finally {
      rep.endProgress();
    }
    for (const w of r.warnings) rep.info(`note: ${w}`);
    rep.info(
      `${file}: ${r.durationS.toFixed(2)} s, ${r.sampleRate} Hz, ${r.channels} ch\n` +
        `  integrated   ${show(r.integratedLufs, 'LUFS')}\n` +
        `  momentary max ${show(r.momentaryMaxLufs, 'LUFS')}\n` +
        `  short-term max ${show(r.shortTermMaxLufs, 'LUFS')}\n` +
        `  loudness range ${r.loudnessRangeLu.toFixed(1)} LU\n` +
        `  true peak    ${show(r.truePeakDbtp, 'dBTP')}\n` +
        `  sample peak  ${show(r.samplePeakDbfs, 'dBFS')}`,
    );
    if (json) {
      rep.result({
        file,
        integratedLufs: finite(r.integratedLufs),
        momentaryMaxLufs: finite(r.momentaryMaxLufs),
        shortTermMaxLufs: finite(r.shortTermMaxLufs),
        loudnessRangeLu: r.loudnessRangeLu,
        truePeakDbtp: finite(r.truePeakDbtp),
        samplePeakDbfs: finite(r.samplePeakDbfs),
        durationS: r.durationS,
        sampleRate: r.sampleRate,
        channels: r.channels,
      });
    }
    return 0;
  } catch (e) {
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      return reportError(new MixhostError('E_USAGE', e.message), json);
    }
    return reportError(e, json);
  }
}
