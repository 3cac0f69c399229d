/**
 * A JACK server on the dummy driver for tests: a real-time clock without a sound card. PortAudio
 * reaches it through ALSA's jack plugin (the `mh_jack` device of tests/alsa/asound.conf).
 *
 * Each server gets its own name (`mh<pid>x<random>`, jackd -n); clients find it through
 * JACK_DEFAULT_SERVER in the returned env, which libjack (and so ALSA's jack plugin, which has
 * no server option of its own) honours — parallel test files do not collide. JACK_NO_START_SERVER
 * keeps clients from starting a default server of their own.
 *
 * The server runs with real-time scheduling (SCHED_FIFO 70, as on a studio machine) where the
 * system allows it; jackd carries on without it where it does not.
 *
 * `startJack` resolves undefined when jackd is not installed: callers skip locally; on CI
 * (CI=true, where .ci/run installs jackd2) that is an error instead.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

export interface JackServer {
  /** The server's name (jackd -n). */
  readonly name: string;
  /** process.env plus JACK_DEFAULT_SERVER and JACK_NO_START_SERVER, for clients of this server. */
  readonly env: NodeJS.ProcessEnv;
  /** SIGTERM and wait for the exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** SIGKILL, for fault tests: clients see the server vanish; its files stay until restart(). */
  kill(): void;
  /** Start again under the same name (after stop() or kill()) and wait for the ports. */
  restart(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** jackd's folder for sockets and semaphores (`jackd --version` says it), or undefined if jackd is missing. */
function jackTmpDir(): string | undefined {
  const r = spawnSync('jackd', ['--version'], { encoding: 'utf8' });
  const lsp = spawnSync('jack_lsp', ['--help'], { stdio: 'ignore' });
  if (r.status !== 0 || lsp.error) {
    if (process.env.CI) throw new Error('jackd and jack_lsp are required on CI (.ci/run installs jackd2) but were not found');
    return undefined;
  }
  return /tmpdir (\S+)/.exec(r.stdout)?.[1] ?? '/dev/shm';
}

function jackLsp(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    execFile('jack_lsp', [], { env, timeout: 2000 }, (err, stdout) => resolve(err ? '' : stdout));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startJack(opts: { rate: number; period: number; channels: number }): Promise<JackServer | undefined> {
  const tmpDir = jackTmpDir();
  if (tmpDir === undefined) return undefined;
  const name = `mh${process.pid}x${randomBytes(3).toString('hex')}`;
  const env: NodeJS.ProcessEnv = { ...process.env, JACK_DEFAULT_SERVER: name, JACK_NO_START_SERVER: '1' };
  const args = ['-n', name, '--realtime', '--realtime-priority', '70', '-d', 'dummy', '-r', String(opts.rate), '-p', String(opts.period), '-C', String(opts.channels), '-P', String(opts.channels)];
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let log = '';
  const killOnExit = (): void => void proc?.kill('SIGKILL');

  /** A server killed with SIGKILL leaves its socket and semaphores, and jackd then refuses the name. */
  const removeStaleFiles = (): void => {
    let entries: string[] = [];
    try {
      entries = readdirSync(tmpDir);
    } catch {
      return;
    }
    const sem = new RegExp(`^jack_sem\\.\\d+_${name}_`);
    for (const f of entries) if (f.startsWith(`jack_${name}_`) || sem.test(f)) rmSync(path.join(tmpDir, f), { force: true });
  };

  const launch = async (): Promise<void> => {
    removeStaleFiles();
    log = '';
    const p = spawn('jackd', args, { env: { ...process.env, JACK_NO_AUDIO_RESERVATION: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    let running = true;
    exited = new Promise((resolve) => p.once('exit', () => resolve()));
    void exited.then(() => {
      running = false;
      process.off('exit', killOnExit);
    });
    process.on('exit', killOnExit);
    const keep = (s: Buffer): void => void (log = (log + s.toString('utf8')).slice(-4000));
    p.stdout?.on('data', keep);
    p.stderr?.on('data', keep);
    let ports = '';
    const want = (prefix: string): boolean => {
      for (let i = 1; i <= opts.channels; i++) if (!ports.includes(`system:${prefix}_${i}\n`)) return false;
      return true;
    };
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!running) throw new Error(`jackd ${args.join(' ')} exited before it was ready:\n${log}`);
      ports = await jackLsp(env);
      if (want('playback') && want('capture')) return;
      await sleep(100);
    }
    p.kill('SIGKILL');
    await exited;
    removeStaleFiles();
    throw new Error(`jackd ${args.join(' ')} did not list its ports within ${READY_TIMEOUT_MS / 1000} s:\n${log}`);
  };

  const stop = async (): Promise<void> => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.kill('SIGTERM');
    const done = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
    if (!done) {
      p.kill('SIGKILL');
      await exited;
      removeStaleFiles();
    }
  };

  await launch();
  return {
    name,
    env,
    stop,
    kill: () => void proc?.kill('SIGKILL'),
    async restart() {
      await stop();
      await exited;
      await launch();
    },
  };
}
