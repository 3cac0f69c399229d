/**
 * naudiodon2's native PortAudio binding, loaded without its JavaScript wrapper.
 *
 * Why not `require('naudiodon2')`: its index.js registers a segfault handler that writes
 * `crash.log` into the working directory, and wraps the native object in Node streams whose
 * buffering and error handling we do not want on the render thread. The native object has all
 * we need: `create(options)` gives a stream object with `start()`, `read(bytes)`,
 * `write(buffer)` and `quit('WAIT' | 'ABORT')`, each of the last three a promise settled on a
 * libuv pool thread.
 *
 * Its quirks, contained by the portaudio backend (src/audio/portaudio-backend.ts):
 * - it prints to the C stdout (PortAudio's version and the stream options at open, "Finishing
 *   output - N bytes not available…" when a queue runs dry at the end): nothing that needs to be
 *   read from stdout ever runs in a process that opens a stream (`mixhost devices` enumerates
 *   in a child process);
 * - with `closeOnError: true`, PortAudio's status flags (under- and overflows) come back as the
 *   string result of `read`/`write` instead of being printed;
 * - `write` copies the buffer before it resolves, so one buffer can be reused for every block;
 *   `read` returns a new Buffer per call;
 * - the PortAudio callback blocks on an empty queue: a duplex stream must be primed with output
 *   before `start()`, and a device that stops calling back (unplugged, its server gone) leaves
 *   `read`/`write` pending for ever, so callers watch them with a timeout;
 * - `quit()` can hang in the same case: callers give up on it after a timeout (a pool thread
 *   stays blocked; `mixhost` raises the pool size for that reason).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** One PortAudio device as the binding reports it. */
export interface NativeDeviceInfo {
  readonly id: number;
  readonly name: string;
  readonly maxInputChannels: number;
  readonly maxOutputChannels: number;
  readonly defaultSampleRate: number;
  readonly defaultLowInputLatency: number;
  readonly defaultLowOutputLatency: number;
  readonly defaultHighInputLatency: number;
  readonly defaultHighOutputLatency: number;
  readonly hostAPIName: string;
}

export interface NativeHostApi {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly deviceCount: number;
  readonly defaultInput: number;
  readonly defaultOutput: number;
}

/** Options of one direction of a stream (the binding's own names). */
export interface NativeStreamOptions {
  /** Device index; −1 for PortAudio's default device. */
  readonly deviceId: number;
  readonly channelCount: number;
  /** 1 = float32, 8/16/24/32 = integer bits. */
  readonly sampleFormat: 1 | 8 | 16 | 24 | 32;
  readonly sampleRate: number;
  readonly framesPerBuffer: number;
  /** Chunks queued between JavaScript and the PortAudio callback (default 2). */
  readonly maxQueue: number;
  /** true: status flags come back from read/write as a string instead of being printed. */
  readonly closeOnError: boolean;
}

export interface NativeReadResult {
  readonly err?: string;
  readonly buf?: Buffer;
  readonly finished?: boolean;
}

export interface NativeAudioIO {
  start(): void;
  read(bytes: number): Promise<NativeReadResult>;
  /** Resolves with a status string (an under/overflow) or undefined. */
  write(chunk: Buffer): Promise<string | undefined>;
  quit(mode: 'WAIT' | 'ABORT'): Promise<void>;
}

export interface PortAudioBinding {
  getDevices(): NativeDeviceInfo[];
  getHostAPIs(): { defaultHostAPI: number; HostAPIs: NativeHostApi[] };
  create(options: { inOptions?: NativeStreamOptions; outOptions?: NativeStreamOptions }): NativeAudioIO;
}

export type LoadedBinding = { readonly binding: PortAudioBinding; readonly file: string } | { readonly error: string };

/**
 * Load the compiled binding of the installed naudiodon2 (build/Release, else build/Debug).
 * Never throws: a missing package or a failed native build is a reason in `error`.
 */
export function loadPortAudio(): LoadedBinding {
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = path.dirname(require.resolve('naudiodon2/package.json'));
  } catch {
    return { error: 'the naudiodon2 package is not installed (npm install builds it; it needs python3, make and g++)' };
  }
  const candidates = ['build/Release/naudiodon.node', 'build/Debug/naudiodon.node'].map((f) => path.join(dir, f));
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) return { error: 'naudiodon2 is installed but its native module was not built (run `npm rebuild naudiodon2`)' };
  try {
    return { binding: require(file) as PortAudioBinding, file };
  } catch (e) {
    return { error: `naudiodon2's native module did not load: ${e instanceof Error ? e.message : String(e)}` };
  }
}
