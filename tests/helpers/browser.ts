/**
 * The web remote in a real browser: headless Chromium (playwright-core driving the system's
 * `/usr/bin/chromium`) against a real `mixhost serve` child process (the demo session on the null
 * backend, bound to 127.0.0.1).
 *
 * `findChromium()` answers undefined when Chromium is not installed: callers skip locally with a
 * visible reason; on CI (CI=true, where .ci/run installs it) that is an error instead, like the
 * other external tools (tools.ts, jack.ts).
 *
 * `launchBrowser()` starts one browser; Playwright gives each launch a fresh temporary profile
 * (user-data-dir) and deletes it when the browser closes, so nothing leaks between runs. Each
 * test needing its own cookie jar opens its own context (`browser.newContext()`).
 *
 * `startServe()` spawns `node dist/cli/main.js serve` and resolves once it has printed its links;
 * `restart()` starts it again on the same port with the same token and invites file, so a page
 * that was connected can reconnect by itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The project root (two levels above this file). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** The Chromium executable, or undefined (locally) when it is missing; throws on CI. */
export function findChromium(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.env.CI) throw new Error(`${CHROMIUM_PATH} is required on CI (.ci/run installs chromium) but was not found`);
  return undefined;
}

/** Why the built server or page is not there, or undefined when both are. */
export function missingBuild(): string | undefined {
  for (const f of ['dist/cli/main.js', 'web-remote/dist/index.html', 'web-remote/dist/app.js']) {
    if (!existsSync(path.join(ROOT, f))) return `${f} is missing: run \`npm run build\` first`;
  }
  return undefined;
}

export async function launchBrowser(executablePath: string = CHROMIUM_PATH): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS], timeout: 30_000 });
}

// ---------------------------------------------------------------------------------------------
// `mixhost serve` as a child process.

export interface ServeOptions {
  /** The access token (the same at every restart, so the browser's cookie stays valid). */
  readonly token: string;
  /** `--invite` flags, e.g. `Anna:2`. */
  readonly invites?: readonly string[];
  /** Extra arguments for `serve`. */
  readonly args?: readonly string[];
  /** How long to wait for the printed links, ms. */
  readonly readyTimeoutMs?: number;
}

export interface Serve {
  /** The HTTP port (chosen by the system at the first start, kept by restart()). */
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly token: string;
  /** The engineer's link (`remote:` line): `/join?token=…`. */
  readonly remoteUrl: string;
  /** Invite links by name (`invite:` lines). */
  readonly invites: ReadonlyMap<string, string>;
  /** Everything the current process wrote to stderr so far. */
  log(): string;
  /** SIGINT, and wait for the exit (SIGKILL after `timeoutMs`). Resolves the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** Start again on the same port with the same token and invites file (after stop()). */
  restart(): Promise<void>;
  /** stop() if running, and remove the temporary folder. */
  dispose(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;

interface Started {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly remoteUrl: string;
  readonly invites: Map<string, string>;
  readonly log: () => string;
  readonly exited: Promise<number | null>;
}

function spawnServe(args: string[], readyTimeoutMs: number): Promise<Started> {
  const proc = spawn(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, MIXHOST_TOKEN: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise<Started>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new Error(`mixhost serve ${why}; its output:\n${text}`));
    };
    const timer = setTimeout(() => fail(`printed no links within ${readyTimeoutMs} ms`), readyTimeoutMs);
    proc.once('error', (e) => fail(`could not start (${e.message})`));
    void exited.then((code) => {
      if (!text.includes('press Ctrl-C to stop')) fail(`exited with ${code} before it was ready`);
    });
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (chunk: string) => {
      const before = text.includes('press Ctrl-C to stop');
      text += chunk;
      if (before || !text.includes('press Ctrl-C to stop')) return;
      clearTimeout(timer);
      const remote = /^remote: (http:\/\/127\.0\.0\.1:(\d+)\/join\?token=\S+)$/m.exec(text);
      if (remote === null) {
        fail('printed no `remote:` link on 127.0.0.1');
        return;
      }
      const invites = new Map<string, string>();
      for (const m of text.matchAll(/^invite: (.+) \((?:aux \d+|viewer)\): (http:\/\/\S+)$/gm)) invites.set(m[1], m[2]);
      resolve({ proc, port: Number(remote[2]), remoteUrl: remote[1], invites, log: () => text, exited });
    });
  });
}

/**
 * Start `mixhost serve --audio null --http 0 --local-only --token T --invites <tmp file>
 * --invite …` (the demo session) and wait for its links.
 */
export async function startServe(opts: ServeOptions): Promise<Serve> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mixhost-serve-'));
  const invitesFile = path.join(dir, 'invites.json');
  const readyTimeoutMs = opts.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const argsFor = (port: number): string[] => [
    '--audio',
    'null',
    '--http',
    String(port),
    '--local-only',
    '--token',
    opts.token,
    '--invites',
    invitesFile,
    ...(opts.invites ?? []).flatMap((i) => ['--invite', i]),
    // OSC off unless a test asks (a later flag wins): parallel serves would contend for its ports.
    '--osc',
    'off',
    '--x32',
    'off',
    ...(opts.args ?? []),
  ];
  let cur: Started | undefined;
  try {
    cur = await spawnServe(argsFor(0), readyTimeoutMs);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const port = cur.port;
  let invites = cur.invites;
  let remoteUrl = cur.remoteUrl;

  const stop = async (timeoutMs = STOP_TIMEOUT_MS): Promise<number | null> => {
    const s = cur;
    if (s === undefined) return null;
    cur = undefined;
    if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        s.proc.kill('SIGKILL');
        resolve();
      }, timeoutMs);
    });
    await Promise.race([s.exited, killed]);
    clearTimeout(timer);
    return s.exited;
  };

  return {
    port,
    base: `http://127.0.0.1:${port}`,
    token: opts.token,
    get remoteUrl() {
      return remoteUrl;
    },
    get invites() {
      return invites;
    },
    log: () => cur?.log() ?? '',
    stop,
    async restart() {
      await stop();
      cur = await spawnServe(argsFor(port), readyTimeoutMs);
      if (cur.port !== port) throw new Error(`restarted on port ${cur.port}, not ${port}`);
      invites = cur.invites;
      remoteUrl = cur.remoteUrl;
    },
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The REST API with the engineer's token (fetch; answers are checked before use).

export interface ParamAnswer {
  readonly address: string;
  readonly value: number;
  readonly text: string;
  readonly position: number;
}

function asParam(x: unknown, address: string): ParamAnswer {
  const o = x as Partial<ParamAnswer> | null;
  if (o === null || typeof o !== 'object' || o.address !== address || typeof o.value !== 'number' || typeof o.text !== 'string' || typeof o.position !== 'number') {
    throw new Error(`unexpected answer for ${address}: ${JSON.stringify(x)}`);
  }
  return { address: o.address, value: o.value, text: o.text, position: o.position };
}

export async function getParam(s: Pick<Serve, 'base' | 'token'>, address: string): Promise<ParamAnswer> {
  const res = await fetch(`${s.base}/api/params/${address}`, { headers: { Authorization: `Bearer ${s.token}` } });
  if (res.status !== 200) throw new Error(`GET ${address}: ${res.status} ${await res.text()}`);
  return asParam(await res.json(), address);
}

export async function putParam(s: Pick<Serve, 'base' | 'token'>, address: string, value: number): Promise<ParamAnswer> {
  const res = await fetch(`${s.base}/api/params/${address}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ value }),
  });
  if (res.status !== 200) throw new Error(`PUT ${address}: ${res.status} ${await res.text()}`);
  return asParam(await res.json(), address);
}
