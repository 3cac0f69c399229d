/**
 * How every command talks: `--json` output is one JSON object on stdout; people's text,
 * progress and errors go to stderr. Errors carry a stable code (docs/errors.md).
 */
import { MixhostError } from '../model/errors.js';

export interface Reporter {
  readonly json: boolean;
  /** A line for people (stderr). */
  info(line: string): void;
  /** The one JSON result (stdout), only in --json mode. */
  result(obj: unknown): void;
  /** A progress bar on a terminal; nothing otherwise. `done` 0..1. */
  progress(done: number, label: string): void;
  endProgress(): void;
}

export function reporter(json: boolean, stderr: NodeJS.WriteStream = process.stderr, stdout: NodeJS.WriteStream = process.stdout): Reporter {
  let lastDraw = 0;
  let drawn = false;
  return {
    json,
    info: (line) => void stderr.write(`${line}\n`),
    result: (obj) => void stdout.write(`${JSON.stringify(obj)}\n`),
    progress(done, label) {
      if (!stderr.isTTY) return;
      const now = Date.now();
      if (now - lastDraw < 80 && done < 1) return;
      lastDraw = now;
      const width = 30;
      const filled = Math.round(Math.min(1, Math.max(0, done)) * width);
      stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(done * 100).toFixed(0).padStart(3)}% ${label}\x1b[K`);
      drawn = true;
    },
    endProgress() {
      if (drawn) stderr.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** Exit codes: 0 ok, 1 runtime failure, 2 usage or input error. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const USAGE_CODES = new Set([
  'E_USAGE', 'E_SESSION_JSON', 'E_SESSION_FORMAT', 'E_SESSION_INVALID', 'E_SESSION_READ', 'E_SESSION_LAYOUT',
  'E_AUDIO_READ', 'E_AUDIO_FORMAT', 'E_WAV_NOT_WAV', 'E_WAV_MALFORMED', 'E_WAV_UNSUPPORTED',
  'E_AUDIO_DEVICE', 'E_AUDIO_ROUTING', 'E_INVITES_FILE',
  'E_DEVICE_UNKNOWN', 'E_PROFILE_UNKNOWN', 'E_DEVICE_INVALID', 'E_LEARN_FILE',
  'E_TARGET_UNKNOWN', 'E_GENRE_UNKNOWN', 'E_PROFILE_READ', 'E_PROFILE_JSON', 'E_PROFILE_INVALID', 'E_MASTER_SILENT',
]);

/** Print an error for people (and as JSON on stdout with --json) and return the exit code. */
export function reportError(err: unknown, json: boolean): number {
  const e = err instanceof MixhostError ? err : null;
  const code = e?.code ?? 'E_INTERNAL';
  const message = e ? e.message : err instanceof Error ? err.message : String(err);
  process.stderr.write(`mixhost: ${code}: ${message}\n`);
  if (!e && err instanceof Error && process.env.MIXHOST_DEBUG) process.stderr.write(`${err.stack}\n`);
  if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  return USAGE_CODES.has(code) ? EXIT_USAGE : EXIT_FAILURE;
}
