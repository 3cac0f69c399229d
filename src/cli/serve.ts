/**
 * `mixhost serve [--session FILE] [--audio null] [--target ID] [--report BASE]`
 *
 * Runs a session (the built-in demo by default) on the mix engine in real time. Live audio
 * devices, the render worker, the web remote and the control surfaces are built on top of this
 * (see the README's roadmap); today the engine runs on the `null` backend: paced by the clock,
 * output discarded, meters live on the terminal.
 *
 * Live mastering: each master chain measures its output (BS.1770) and projects where the
 * integrated loudness will land; when the server stops, a conformity report per chain is
 * printed and, with `--report BASE`, written as BASE.json, BASE.txt and BASE.svg (chain k ≥ 2:
 * BASE-<name>.*). `--target ID` sets chain 1's target loudness and ceiling from a profile
 * (profiles/mastering/targets); a chain's `profile` in the session does the same for it.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NullBackend } from '../audio/null-backend.js';
import { loadRenderInputs, readLooping, type RenderInputs } from '../audio/sources.js';
import { MixEngine } from '../engine/mixer.js';
import { demoSession } from '../model/demo-session.js';
import { MixhostError, ParamRegistry } from '../model/registry.js';
import { applySession, loadSessionFile, sessionLayout } from '../model/session.js';
import { buildConformityReport, formatConformityText, type ConformityTarget } from '../model/conformity.js';
import { chainPrefix } from '../model/master-params.js';
import { loadTarget, type MasteringTarget } from '../model/mastering-profiles.js';
import { reportError } from './output.js';
import { writeConformityReport } from './report-files.js';

const BLOCK = 128;

export async function serveCommand(argv: string[]): Promise<number> {
  let opened: RenderInputs | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { session: { type: 'string' }, audio: { type: 'string' }, target: { type: 'string' }, report: { type: 'string' } },
    });
    const audio = values.audio ?? 'null';
    if (audio !== 'null') throw new MixhostError('E_USAGE', `--audio ${audio}: this build plays on the null backend only; live devices come with the real-time engine`);
    const session = values.session ? await loadSessionFile(values.session) : demoSession();
    const dir = values.session ? path.dirname(path.resolve(values.session)) : process.cwd();
    const layout = sessionLayout(session);
    const registry = new ParamRegistry(layout);
    const src = await loadRenderInputs(session, layout, dir);
    opened = src;
    const engine = new MixEngine(registry, { sampleRate: src.sampleRate, maxBlock: BLOCK });
    applySession(session, registry, engine.params);
    // Targets: --target for chain 1, else each chain's profile in the session.
    const profiles: Array<MasteringTarget | undefined> = [];
    for (let k = 1; k <= layout.masterChains; k++) {
      const id = k === 1 ? (values.target ?? session.master?.chain?.profile) : session.outputs?.[k - 2]?.profile;
      const target = id !== undefined ? await loadTarget(id) : undefined;
      profiles.push(target);
      const given = k === 1 ? session.master?.chain : session.outputs?.[k - 2];
      if (target) {
        if (k === 1 && values.target !== undefined) {
          registry.set(engine.params, `${chainPrefix(k)}/target`, target.integratedLufs);
          registry.set(engine.params, `${chainPrefix(k)}/limiter/ceiling`, target.truePeakDbtp);
        } else {
          if (given?.target === undefined) registry.set(engine.params, `${chainPrefix(k)}/target`, target.integratedLufs);
          if (given?.limiter?.ceiling === undefined) registry.set(engine.params, `${chainPrefix(k)}/limiter/ceiling`, target.truePeakDbtp);
        }
      }
    }

    const ins = src.inputs.map(() => new Float32Array(BLOCK));
    const outs = Array.from({ length: engine.outputs }, () => new Float32Array(BLOCK));
    const length = Math.max(src.frames, BLOCK);
    let pos = 0;
    let sourceFailed = false;
    const startedAt = new Date().toISOString();
    const backend = new NullBackend(src.sampleRate, BLOCK);
    backend.start({
      render(n) {
        // The sources loop, as a rehearsal track would: all start over at the end of the longest.
        // A source that fails (a stem deleted or a disk error) falls silent, is reported once,
        // and the engine keeps running.
        if (!sourceFailed) {
          try {
            pos = readLooping(src.inputs, ins, n, pos, length);
          } catch (e) {
            sourceFailed = true;
            for (const b of ins) b.fill(0);
            process.stderr.write(`\nmixhost: ${e instanceof MixhostError ? e.code : 'E_AUDIO_READ'}: sources stopped: ${e instanceof Error ? e.message : String(e)}\n`);
          }
        }
        engine.process(ins, outs, n);
      },
    });
    const err = process.stderr;
    err.write(
      `mixhost: serving "${session.name ?? 'session'}": ${layout.channels.length} channels, ${src.sampleRate} Hz, ${BLOCK}-frame blocks\n` +
        `audio: null backend (no audio device used): the engine runs at real-time pace and its output is discarded\n` +
        `press Ctrl-C to stop\n`,
    );
    for (const note of src.notes) err.write(`note: ${note}\n`);
    const chainMeter = engine.meterLayout.offsetOf('master/chain');
    const lu = (v: number): string => (v <= -120 ? '  -inf' : v.toFixed(1).padStart(6));
    const meter = err.isTTY
      ? setInterval(() => {
          const m = engine.meters;
          const c = chainMeter;
          const s = backend.stats();
          err.write(
            `\rmaster peak ${lu(Math.max(m[c], m[c + 1]))} dBFS  M ${lu(m[c + 6])} S ${lu(m[c + 7])} I ${lu(m[c + 8])} LUFS  ` +
              `-> ${lu(m[c + 11])}  TP ${lu(m[c + 10])}  cpu ${(s.cpuLoad * 100).toFixed(1)} %\x1b[K`,
          );
        }, 200)
      : undefined;
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    backend.stop();
    if (meter) clearInterval(meter);
    const s = backend.stats();
    err.write(`\nmixhost: stopped after ${s.blocks} blocks; deadline misses ${s.deadlineMisses}; cpu load ${(s.cpuLoad * 100).toFixed(1)} %\n`);
    for (let k = 1; k <= layout.masterChains; k++) {
      const chain = engine.chain(k);
      const name = k === 1 ? 'master' : (session.outputs?.[k - 2]?.name ?? `out${k}`);
      const t = chain.targetOf(engine.params);
      const p = profiles[k - 1];
      const target: ConformityTarget = p ?? { id: 'custom', name: `${t.integratedLufs} LUFS`, integratedLufs: t.integratedLufs, toleranceLu: 1, truePeakDbtp: t.truePeakDbtp };
      const report = buildConformityReport(chain.history, target, { title: `${session.name ?? 'session'}: ${name}`, sampleRate: src.sampleRate, startedAt });
      err.write(`\n${formatConformityText(report)}\n`);
      if (values.report !== undefined) {
        const base = k === 1 ? path.resolve(values.report) : path.resolve(`${values.report}-${name.replace(/[^A-Za-z0-9._-]+/g, '-')}`);
        const files = await writeConformityReport(report, base);
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
    opened?.close();
  }
}
