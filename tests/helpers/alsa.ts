/**
 * The project's ALSA configuration (tests/alsa/asound.conf) for tests: PCM devices that need no
 * sound card — `mh_null` (discard), `mh_fileout` (playback to a raw file), `mh_filein` (capture
 * from a raw file) and `mh_jack` (a JACK server, see helpers/jack.ts).
 *
 * The configuration is loaded after the system's alsa.conf through ALSA_CONFIG_PATH; the file
 * devices take their paths from MIXHOST_ALSA_OUT and MIXHOST_ALSA_IN (`@func getenv` in the
 * config), so each test points them into its own temp folder. ALSA reads both variables whenever
 * PortAudio initialises (each enumeration, each stream open).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The system configuration that must come first in ALSA_CONFIG_PATH. */
export const SYSTEM_ALSA_CONF = '/usr/share/alsa/alsa.conf';
/** tests/alsa/asound.conf, absolute. */
export const PROJECT_ALSA_CONF = fileURLToPath(new URL('../alsa/asound.conf', import.meta.url));

function vars(dir: string): { ALSA_CONFIG_PATH: string; MIXHOST_ALSA_OUT: string; MIXHOST_ALSA_IN: string } {
  return {
    ALSA_CONFIG_PATH: `${SYSTEM_ALSA_CONF}:${PROJECT_ALSA_CONF}`,
    MIXHOST_ALSA_OUT: path.join(dir, 'out.raw'),
    MIXHOST_ALSA_IN: path.join(dir, 'in.raw'),
  };
}

/** An environment for a child process (process.env plus the project's ALSA devices, files in `dir`). */
export function alsaEnv(dir: string): { env: NodeJS.ProcessEnv; outFile: string; inFile: string } {
  const v = vars(dir);
  return { env: { ...process.env, ...v }, outFile: v.MIXHOST_ALSA_OUT, inFile: v.MIXHOST_ALSA_IN };
}

/**
 * The same variables on this process's environment, for the binding loaded in-process (native
 * code reads them at the next PortAudio initialisation). `restore()` puts the previous values back.
 */
export function useAlsaConfigInProcess(dir: string): { outFile: string; inFile: string; restore(): void } {
  const v = vars(dir);
  const before = Object.fromEntries(Object.keys(v).map((k) => [k, process.env[k]]));
  Object.assign(process.env, v);
  return {
    outFile: v.MIXHOST_ALSA_OUT,
    inFile: v.MIXHOST_ALSA_IN,
    restore() {
      for (const [k, old] of Object.entries(before)) {
        if (old === undefined) delete process.env[k];
        else process.env[k] = old;
      }
    },
  };
}
