/**
 * Writes a conformity report (src/model/conformity.ts) as `<base>.json`, `<base>.txt` and
 * `<base>.svg`. Each file is first written in full (and flushed) to a temporary file beside its
 * target, and the three are renamed onto their targets only once all three are written, so a
 * failure never leaves a half-written report; the temporary files are removed on failure.
 * File system errors become `E_REPORT_WRITE`.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsReason } from '../audio/wav.js';
import { conformitySvg, formatConformityText, type ConformityReport } from '../model/conformity.js';
import { MixhostError } from '../model/registry.js';

/**
 * The report as JSON: indented for reading, with the arrays of numbers (the plot series) kept
 * on one line each.
 */
export function conformityJson(report: ConformityReport): string {
  const { series, ...rest } = report;
  const head = JSON.stringify(rest, null, 2);
  const body = [
    `    "stepSeconds": ${JSON.stringify(series.stepSeconds)}`,
    `    "momentary": ${JSON.stringify(series.momentary)}`,
    `    "shortTerm": ${JSON.stringify(series.shortTerm)}`,
    `    "integrated": ${JSON.stringify(series.integrated)}`,
  ].join(',\n');
  return `${head.slice(0, head.lastIndexOf('}')).trimEnd()},\n  "series": {\n${body}\n  }\n}\n`;
}

function writeError(path: string, e: unknown): MixhostError {
  const code = (e as { code?: string } | null)?.code;
  const reason = code === 'ENOENT' ? 'folder not found' : fsReason(e);
  return new MixhostError('E_REPORT_WRITE', `${path}: cannot write the report: ${reason}`);
}

async function writeTemp(target: string, text: string): Promise<string> {
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
  let fh;
  try {
    fh = await open(temp, 'wx');
  } catch (e) {
    throw writeError(target, e);
  }
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
    await fh.close();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await removeQuietly(temp);
    throw writeError(target, e);
  }
  return temp;
}

async function removeQuietly(p: string): Promise<void> {
  await unlink(p).catch(() => undefined);
}

/** Write `<basePath>.json`, `.txt` and `.svg`; resolves to those three paths, in that order. */
export async function writeConformityReport(report: ConformityReport, basePath: string): Promise<string[]> {
  const files: [string, string][] = [
    [`${basePath}.json`, conformityJson(report)],
    [`${basePath}.txt`, formatConformityText(report)],
    [`${basePath}.svg`, conformitySvg(report)],
  ];
  const temps: string[] = [];
  try {
    for (const [target, text] of files) temps.push(await writeTemp(target, text));
    for (let i = 0; i < files.length; i++) {
      try {
        await rename(temps[i], files[i][0]);
      } catch (e) {
        throw writeError(files[i][0], e);
      }
    }
  } catch (e) {
    for (const t of temps) await removeQuietly(t);
    throw e;
  }
  return files.map((f) => f[0]);
}
