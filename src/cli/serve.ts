/**
 * `mixhost serve [--session FILE] [--audio SPEC] [--rate HZ] [--block N] [--queue N] [--http PORT]
 *                [--local-only] [--token TOKEN] [--target ID] [--report BASE] [--invites FILE]
 *                [--invite NAME:BUS|NAME:viewer]... [--allow-origin ORIGIN]... [--qr]
 *                [--midi auto|listed|off] [--surface DEVICE[@PORT][,profile=ID]]... [--learn FILE]
 *                [--osc PORT|off] [--x32 PORT|off]`
 *
 * Plays a session (the built-in demo by default) live: the render worker (a worker_thread)
 * owns the engine and the audio backend; this thread runs the HTTP API and the terminal
 * meters. `--audio` picks the backend:
 *   - `portaudio[:DEVICE]`: an audio interface (DEVICE: index, name, or a unique part of one);
 *   - `null`: no device, paced by a clock;
 *   - `file:OUT.wav`: faster than real time, every device output to a WAV file (with
 *     `--input IN.wav` standing in for the interface's inputs).
 * `--duration S` stops after S seconds: of audio with `file`, of wall time live.
 * Without `--audio`, the default PortAudio device plays; if there is none (no sound card) or it
 * cannot be opened, the null backend does, and a line says why.
 *
 * Live mastering as before: each master chain measures its output and projects where the
 * integrated loudness will land; on stop a conformity report per chain is printed (and written
 * with `--report BASE`). `--target ID` sets chain 1's target and ceiling from a profile.
 * MIDI surfaces (serve-surfaces.ts) and OSC (serve-osc.ts) run on the same control store as the
 * web remote.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { listAudioDevices } from '../audio/devices.js';
import { MAX_QUEUE } from '../audio/portaudio-backend.js';
import { RenderHost } from '../engine/rt/render-host.js';
import type { AudioSpec, HostMessage } from '../engine/rt/protocol.js';
import { MixEngine } from '../engine/mixer.js';
import { formatConformityText, type ConformityTarget } from '../model/conformity.js';
import { demoSession } from '../model/demo-session.js';
import { chainPrefix } from '../model/master-params.js';
import { loadTarget, type MasteringTarget } from '../model/mastering-profiles.js';
import { MixhostError, ParamRegistry } from '../model/registry.js';
import { DEFAULT_BLOCK, LIVE_SAMPLE_RATES, MAX_BLOCK, MIN_BLOCK } from '../model/routing.js';
import { applySession, loadSessionFile, sessionLayout, type Session } from '../model/session.js';
import { chooseToken } from '../server/auth.js';
import { startControlServer, type ControlServer } from '../server/control-server.js';
import type { SurfaceManager } from '../surfaces/manager.js';
import { SURFACE_OPTIONS, checkSurfaceFlags, startSurfaces } from './serve-surfaces.js';
import { OSC_OPTIONS, parseOscFlags, startOsc, type OscServers } from './serve-osc.js';
import { lanAddresses } from '../server/http.js';
import { encodeQr, qrToTerminal } from '../server/qr.js';
import { reportError } from './output.js';
import { writeConformityReport } from './report-files.js';

/** The HTTP port when --http is not given (another free port is used if it is taken). */
export const DEFAULT_HTTP_PORT = 8080;

/** Parse `--audio`: null | file:OUT.wav | portaudio[:DEVICE]. */
export function parseAudioSpec(text: string | undefined, extra: { input?: string; duration?: number; sampleRate: number }): AudioSpec {
  if (text === undefined) return { kind: 'portaudio', explicit: false };
  const [kind, ...rest] = text.split(':');
  const arg = rest.join(':');
  if (kind === 'null' && arg === '') return { kind: 'null' };
  if (kind === 'file') {
    if (arg === '') throw new MixhostError('E_USAGE', '--audio file:OUT.wav needs the WAV file to write');
    const frames = extra.duration !== undefined ? Math.round(extra.duration * extra.sampleRate) : undefined;
    return { kind: 'file', outFile: path.resolve(arg), inFile: extra.input !== undefined ? path.resolve(extra.input) : undefined, frames };
  }
  if (kind === 'portaudio') {
    if (arg === '') return { kind: 'portaudio', explicit: true };
    return { kind: 'portaudio', device: /^\d+$/.test(arg) ? Number(arg) : arg, explicit: true };
  }
  throw new MixhostError('E_USAGE', `--audio ${text}: use null, file:OUT.wav or portaudio[:DEVICE]`);
}

function intOption(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new MixhostError('E_USAGE', `${name} ${v}: an integer from ${min} to ${max}`);
  return n;
}

interface Chains {
  profiles: Array<MasteringTarget | undefined>;
}

/** Apply --target / the chains' profiles to the table (as `render --target` does). */
async function applyTargets(session: Session, registry: ParamRegistry, table: Float64Array, chains: number, flagTarget: string | undefined): Promise<Chains> {
  const profiles: Array<MasteringTarget | undefined> = [];
  for (let k = 1; k <= chains; k++) {
    const id = k === 1 ? (flagTarget ?? session.master?.chain?.profile) : session.outputs?.[k - 2]?.profile;
    const target = id !== undefined ? await loadTarget(id) : undefined;
    profiles.push(target);
    const given = k === 1 ? session.master?.chain : session.outputs?.[k - 2];
    if (!target) continue;
    const forced = k === 1 && flagTarget !== undefined;
    if (forced || given?.target === undefined) registry.set(table, `${chainPrefix(k)}/target`, target.integratedLufs);
    if (forced || given?.limiter?.ceiling === undefined) registry.set(table, `${chainPrefix(k)}/limiter/ceiling`, target.truePeakDbtp);
  }
  return { profiles };
}

export async function serveCommand(argv: string[]): Promise<number> {
  let host: RenderHost | undefined;
  let http: ControlServer | undefined;
  let surfaces: SurfaceManager | undefined;
  let osc: OscServers | undefined;
  const err = process.stderr;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        session: { type: 'string' },
        audio: { type: 'string' },
        input: { type: 'string' },
        duration: { type: 'string' },
        rate: { type: 'string' },
        block: { type: 'string' },
        queue: { type: 'string' },
        http: { type: 'string' },
        'local-only': { type: 'boolean' },
        token: { type: 'string' },
        target: { type: 'string' },
        report: { type: 'string' },
        invites: { type: 'string' },
        invite: { type: 'string', multiple: true },
        'allow-origin': { type: 'string', multiple: true },
        qr: { type: 'boolean' },
        ...SURFACE_OPTIONS,
        ...OSC_OPTIONS,
      },
    });
    const token = chooseToken(values.token, process.env);
    const session = values.session ? await loadSessionFile(values.session) : demoSession();
    const sessionDir = values.session ? path.dirname(path.resolve(values.session)) : process.cwd();
    const rate = intOption(values.rate, '--rate', 1, 768000) ?? session.sampleRate ?? 48000;
    if (!LIVE_SAMPLE_RATES.includes(rate)) throw new MixhostError('E_USAGE', `sample rate ${rate} Hz: live audio runs at ${LIVE_SAMPLE_RATES.join(', ')} Hz`);
    const blockSize = intOption(values.block, '--block', MIN_BLOCK, MAX_BLOCK) ?? session.audio?.blockSize ?? DEFAULT_BLOCK;
    const queue = intOption(values.queue, '--queue', 1, MAX_QUEUE);
    const duration = values.duration !== undefined ? Number(values.duration) : undefined;
    if (duration !== undefined && !(duration > 0)) throw new MixhostError('E_USAGE', `--duration ${values.duration}: seconds, more than 0`);
    if (values.input !== undefined && !(values.audio ?? '').startsWith('file:')) throw new MixhostError('E_USAGE', '--input stands in for the interface inputs of --audio file:OUT.wav; a live device has its own');
    const httpPort = intOption(values.http, '--http', 0, 65535);
    let audio = parseAudioSpec(values.audio ?? (session.audio?.device !== undefined ? `portaudio:${session.audio.device}` : undefined), { input: values.input, duration, sampleRate: rate });

    const layout = sessionLayout(session);
    // Flags of the control plane, checked before any audio starts.
    const invitesWanted = (values.invite ?? []).map((text) => parseInviteFlag(text, layout.auxBuses));
    for (const o of values['allow-origin'] ?? []) {
      if (!/^https?:\/\/[^/\s]+$/.test(o)) throw new MixhostError('E_USAGE', `--allow-origin ${o}: an origin such as https://mixer.example or http://10.0.0.5:3000 (scheme, host, port; no path)`);
    }
    await checkSurfaceFlags(values, values.session);
    parseOscFlags(values);
    const registry = new ParamRegistry(layout);
    const params = registry.createTable();
    applySession(session, registry, params);
    const { profiles } = await applyTargets(session, registry, params, layout.masterChains, values.target);
    const meterLayout = new MixEngine(registry, { sampleRate: rate, maxBlock: 32 }).meterLayout;

    // No --audio: the default device if PortAudio sees one, else the null backend.
    if (audio.kind === 'portaudio' && !audio.explicit) {
      const list = await listAudioDevices();
      if (!list.available || !list.devices.some((d) => d.maxOutputs > 0)) {
        err.write(`audio: no audio device found (${list.available ? 'no sound card' : list.reason}): playing on the null backend (paced by a clock, output discarded)\n`);
        audio = { kind: 'null' };
      }
    }
    const startHost = (spec: AudioSpec): Promise<RenderHost> =>
      RenderHost.start({ registry, meterCount: meterLayout.size, session, sessionDir, audio: spec, sampleRate: rate, blockSize, params, queue });
    try {
      host = await startHost(audio);
    } catch (e) {
      if (audio.kind !== 'portaudio' || audio.explicit) throw e;
      err.write(`audio: the default device cannot be opened (${e instanceof Error ? e.message : String(e)}): playing on the null backend\n`);
      host = await startHost({ kind: 'null' });
    }
    const h = host;
    const info = h.info;
    const startedAt = new Date().toISOString();
    const t0 = Date.now();
    h.on('fault', (m: { unit: string; message: string }) => err.write(`\nmixhost: E_DSP_FAULT: ${m.unit} threw (${m.message}); it is muted, the rest plays on\n`));
    h.on('device', (m: { event: string; message: string }) =>
      err.write(m.event === 'lost' ? `\nmixhost: E_AUDIO_LOST: ${m.message}; the engine runs on, the device is retried\n` : `\naudio: ${m.message}\n`),
    );
    h.on('note', (m: string) => err.write(`\nnote: ${m}\n`));

    const statusBody = (): unknown => ({
      ...h.snapshot(),
      session: { name: session.name ?? 'session', channels: layout.channels.length },
      uptimeS: Math.round((Date.now() - t0) / 100) / 10,
      osc: osc?.status() ?? { native: { on: false }, x32: { on: false } },
    });
    const bindHost = values['local-only'] ? '127.0.0.1' : '0.0.0.0';
    http = await startControlServer({
      session,
      registry,
      params,
      meters: { layout: meterLayout, read: (dst) => h.readMeters(dst) },
      sink: (index, value) => h.set(index, value),
      token: token.token,
      port: httpPort ?? DEFAULT_HTTP_PORT,
      portFallback: httpPort === undefined,
      host: bindHost,
      status: statusBody as () => Record<string, unknown>,
      invitesFile: values.invites,
      allowOrigins: values['allow-origin'],
    });
    surfaces = await startSurfaces({
      cs: http,
      registry,
      session,
      meters: { layout: meterLayout, read: (dst) => h.readMeters(dst) },
      flags: values,
      sessionFile: values.session,
      err,
    });
    osc = await startOsc({ cs: http, registry, session, meters: { layout: meterLayout, read: (dst) => h.readMeters(dst) }, flags: values, host: bindHost, err });
    for (const want of invitesWanted) {
      const existing = http.invites.list().find((i) => i.name === want.name && i.role === want.role && i.bus === want.bus);
      if (existing === undefined) await http.invites.create(want);
    }
    const latencyMs = (info.latencyFrames / info.sampleRate) * 1000;
    const patch = info.patch.map((p) => `${p.pair} → ${p.outputs.join('/')}`).join(', ');
    err.write(
      `mixhost: serving "${session.name ?? 'session'}": ${layout.channels.length} channels, ${info.sampleRate} Hz, ${info.blockSize}-frame blocks\n` +
        `audio: ${describeBackend(info.backend, info.device)}; ${info.inputChannels} in, ${info.outputChannels} out; latency ${latencyMs.toFixed(1)} ms in to out` +
        (patch ? `; ${patch}` : '') +
        `; render thread: ${info.schedulingDetail}\n`,
    );
    const addrs = values['local-only'] ? ['127.0.0.1'] : [...lanAddresses(), '127.0.0.1'];
    err.write(`http: ${addrs.map((a) => `http://${a}:${http!.http.port}/`).join('  ')}\n`);
    err.write(`token: ${token.token}${token.origin === 'generated' ? ' (new at each start; set --token or MIXHOST_TOKEN to keep one)' : ''}\n`);
    const join = http.joinUrl(token.token);
    err.write(`remote: ${join}\n`);
    if (err.isTTY || values.qr === true) err.write(`${qrToTerminal(encodeQr(join))}\n`);
    for (const inv of http.invites.list()) {
      err.write(`invite: ${inv.name} (${inv.role === 'performer' ? `aux ${inv.bus}` : 'viewer'}): ${http.joinUrl(inv.token)}\n`);
    }
    err.write(`status: curl -H 'Authorization: Bearer ${token.token}' http://127.0.0.1:${http.http.port}/api/status\n`);
    for (const n of info.notes) err.write(`note: ${n}\n`);
    // Until Ctrl-C / SIGTERM, or the end of a file backend's run. The handlers are in place
    // before the line that says Ctrl-C works: a script that signals as soon as it reads that
    // line must stop the server cleanly, not kill it.
    let failed: MixhostError | undefined;
    const finished = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
      h.once('stopped', () => resolve());
      // --duration: the file backend stops by itself; a live run stops on a timer.
      if (duration !== undefined && h.info.backend !== 'file') setTimeout(resolve, duration * 1000).unref();
      h.once('failed', (e: MixhostError) => {
        failed = e;
        resolve();
      });
    });
    err.write('press Ctrl-C to stop\n');

    const meters = new Float32Array(meterLayout.size);
    const chainMeter = meterLayout.offsetOf('master/chain');
    const lu = (v: number): string => (v <= -120 ? '  -inf' : v.toFixed(1).padStart(6));
    const meter = err.isTTY
      ? setInterval(() => {
          h.readMeters(meters);
          const c = chainMeter;
          const s = h.snapshot().audio;
          err.write(
            `\rmaster peak ${lu(Math.max(meters[c], meters[c + 1]))} dBFS  M ${lu(meters[c + 6])} S ${lu(meters[c + 7])} I ${lu(meters[c + 8])} LUFS  ` +
              `-> ${lu(meters[c + 11])}  TP ${lu(meters[c + 10])}  cpu ${(s.cpuLoad * 100).toFixed(1)} %  ${s.state !== 'running' ? s.state : ''}\x1b[K`,
          );
        }, 200)
      : undefined;
    await finished;
    if (failed) throw failed;
    if (meter) clearInterval(meter);
    const requests: Array<HostMessage['reports'][number]> = [];
    const names: string[] = [];
    for (let k = 1; k <= layout.masterChains; k++) {
      const name = k === 1 ? 'master' : (session.outputs?.[k - 2]?.name ?? `out${k}`);
      const t = { integratedLufs: registry.get(params, `${chainPrefix(k)}/target`), truePeakDbtp: registry.get(params, `${chainPrefix(k)}/limiter/ceiling`) };
      const p = profiles[k - 1];
      const target: ConformityTarget = p ?? { id: 'custom', name: `${t.integratedLufs} LUFS`, integratedLufs: t.integratedLufs, toleranceLu: 1, truePeakDbtp: t.truePeakDbtp };
      requests.push({ chain: k, title: `${session.name ?? 'session'}: ${name}`, target, startedAt });
      names.push(name);
    }
    const final = h.snapshot().audio;
    const reports = await h.stop(requests);
    await surfaces?.close();
    surfaces = undefined;
    await osc?.close();
    osc = undefined;
    await http.close();
    http = undefined;
    err.write(
      `\nmixhost: stopped after ${final.blocks} blocks; deadline misses ${final.deadlineMisses}; xruns ${final.xruns}; ` +
        `cpu load ${(final.cpuLoad * 100).toFixed(1)} % (peak ${(final.cpuPeak * 100).toFixed(1)} %)\n`,
    );
    for (let i = 0; i < reports.length; i++) {
      err.write(`\n${formatConformityText(reports[i])}\n`);
      if (values.report !== undefined) {
        const base = i === 0 ? path.resolve(values.report) : path.resolve(`${values.report}-${names[i].replace(/[^A-Za-z0-9._-]+/g, '-')}`);
        const files = await writeConformityReport(reports[i], base);
        err.write(`report: ${files.join(', ')}\n`);
      }
    }
    return 0;
  } catch (e) {
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      return reportError(new MixhostError('E_USAGE', e.message), false);
    }
    return reportError(e, false);
  } finally {
    await osc?.close();
    await surfaces?.close();
    await host?.stop();
    await http?.close();
  }
}

/** `--invite NAME:BUS` (a performer of aux BUS) or `--invite NAME:viewer`. */
function parseInviteFlag(text: string, auxBuses: number): { name: string; role: 'performer' | 'viewer'; bus?: number } {
  const i = text.lastIndexOf(':');
  const name = i > 0 ? text.slice(0, i).trim() : '';
  const what = i > 0 ? text.slice(i + 1).trim() : '';
  if (name === '' || what === '') throw new MixhostError('E_USAGE', `--invite ${text}: NAME:BUS for a performer (e.g. "Anna:2") or NAME:viewer`);
  if (name.length > 40) throw new MixhostError('E_USAGE', `--invite ${text}: a name of at most 40 characters`);
  if (what === 'viewer') return { name, role: 'viewer' };
  if (!/^[1-9][0-9]*$/.test(what) || Number(what) > auxBuses) throw new MixhostError('E_USAGE', `--invite ${text}: after the colon an aux bus from 1 to ${auxBuses}, or viewer`);
  return { name, role: 'performer', bus: Number(what) };
}

function describeBackend(kind: string, device: string): string {
  if (kind === 'null') return 'null backend (no audio device used): the engine runs at real-time pace and its output is discarded';
  if (kind === 'file') return `file backend, faster than real time: ${device}`;
  return `PortAudio device "${device}"`;
}
