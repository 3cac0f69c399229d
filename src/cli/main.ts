#!/usr/bin/env node
/**
 * The `mixhost` command. See README.md and `mixhost help`.
 */
import { readFileSync } from 'node:fs';

const HELP = `mixhost — live mixing and mastering server

usage:
  mixhost serve [--session FILE] [--audio null]
      Run a session (the built-in demo without --session) on the audio engine.
  mixhost render SESSION [--out FILE.wav] [--format pcm24|float32] [--rate HZ] [--json]
  mixhost render --demo [--out FILE.wav] ...
      Mix a session's stems offline, faster than real time, to a stereo WAV.
  mixhost measure FILE.wav [--json]
      Loudness to BS.1770 / EBU R128: integrated, momentary and short-term max, loudness
      range, true peak, sample peak.
  mixhost devices [--json]
      The audio devices PortAudio sees (index, name, channels, default rate); none on a
      machine without a sound card, where serve uses the null backend.
  mixhost help | --help        this text
  mixhost --version            the version

--json prints one JSON object on stdout; people's text and progress go to stderr.
Exit codes: 0 ok, 1 failure, 2 bad usage or bad input.`;

// A PortAudio stream whose device vanished can leave a libuv pool thread blocked for good (see
// src/audio/portaudio-binding.ts); a larger pool keeps file work going after such a loss. Set
// before anything uses the pool (it is sized when first used).
process.env.UV_THREADPOOL_SIZE ??= '16';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  // Each command loads only its own modules: `measure` starts without the engine, the server
  // or the session schema.
  switch (cmd) {
    case 'render':
      return (await import('./render.js')).renderCommand(rest);
    case 'serve':
      return (await import('./serve.js')).serveCommand(rest);
    case 'measure':
      return (await import('./measure.js')).measureCommand(rest);
    case 'devices':
      return (await import('./devices.js')).devicesCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stderr.write(`${HELP}\n`);
      return cmd === undefined ? 2 : 0;
    case '--version':
    case '-v':
      process.stdout.write(`${version()}\n`);
      return 0;
    default:
      process.stderr.write(`mixhost: E_USAGE: unknown command '${cmd}'\n\n${HELP}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`mixhost: E_INTERNAL: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
