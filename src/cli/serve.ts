/**
 * `mixhost serve [--session FILE] [--audio null]`
 *
 * Runs a session (the built-in demo by default) on the mix engine in real time. Live audio
 * devices, the render worker, the web remote and the control surfaces are built on top of this
 * (see the README's roadmap); today the engine runs on the `null` backend: paced by the clock,
 * output discarded, meters live on the terminal.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NullBackend } from '../audio/null-backend.js';
import { loadRenderInputs, readLooping, type RenderInputs } from '../audio/sources.js';
import { MixEngine } from '../engine/mixer.js';
import { demoSession } from '../model/demo-session.js';
import { MixhostError, ParamRegistry } from '../model/registry.js';
import { applySession, loadSessionFile, sessionLayout } from '../model/session.js';
import { reportError } from './output.js';

const BLOCK = 128;

export async function serveCommand(argv: string[]): Promise<number> {
  let opened: RenderInputs | undefined;
  try {
    const { values } = parseArgs({ args: argv, options: { session: { type: 'string' }, audio: { type: 'string' } } });
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

    const ins = src.inputs.map(() => new Float32Array(BLOCK));
    const outs = Array.from({ length: engine.outputs }, () => new Float32Array(BLOCK));
    const length = Math.max(src.frames, BLOCK);
    let pos = 0;
    let sourceFailed = false;
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
    const master = engine.meterLayout.offsetOf('master');
    const meter = err.isTTY
      ? setInterval(() => {
          const m = engine.meters;
          const s = backend.stats();
          err.write(`\rmaster peak ${m[master].toFixed(1)} / ${m[master + 1].toFixed(1)} dBFS  rms ${m[master + 4].toFixed(1)} / ${m[master + 5].toFixed(1)}  cpu ${(s.cpuLoad * 100).toFixed(1)} %\x1b[K`);
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
