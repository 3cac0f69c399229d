/**
 * External tools the tests compare against (ffmpeg, sox). Locally a missing tool skips those
 * tests with a visible reason; on CI (CI=true) a missing tool fails, because .ci/run installs it.
 */
import { spawnSync } from 'node:child_process';

export function hasTool(name: string, args: string[] = ['-version']): boolean {
  const ok = spawnSync(name, args, { stdio: 'ignore' }).status === 0;
  if (!ok && process.env.CI) throw new Error(`${name} is required on CI (.ci/run installs it) but was not found`);
  return ok;
}
