import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { synthDemoStem } from '../../src/audio/demo-stems.js';
import { resample } from '../../src/audio/resample.js';
import { DEMO_SECONDS, loadRenderInputs, readLooping, STREAM_BLOCK_FRAMES, type InputStream, type RenderInputs } from '../../src/audio/sources.js';
import { decodeWav, encodeWav, readWavFile, WavWriter, type WavEncoding } from '../../src/audio/wav.js';
import { WavFileReader } from '../../src/audio/wav-reader.js';
import { RENDER_BLOCK, renderSession } from '../../src/cli/render.js';
import { MixEngine } from '../../src/engine/mixer.js';
import { MixhostError, ParamRegistry } from '../../src/model/registry.js';
import { applySession, DEFAULT_TAIL_SECONDS, parseSession, sessionLayout, type Session } from '../../src/model/session.js';

// Watch the whole-file decoders: a stem at the render's rate must never go through them.
vi.mock('../../src/audio/wav.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/audio/wav.js')>();
  return { ...m, readWavFile: vi.fn(m.readWavFile), decodeWav: vi.fn(m.decodeWav) };
});

const dir = mkdtempSync(join(tmpdir(), 'mixhost-sources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function wave(frames: number, seed: number): Float32Array {
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = 0.6 * Math.sin(0.0123 * seed * i + seed) + 0.3 * Math.sin(0.301 * i * (seed + 1));
  return x;
}

function writeStem(name: string, channels: Float32Array[], encoding: WavEncoding = 'float32', rate = 48000): string {
  writeFileSync(join(dir, name), encodeWav({ sampleRate: rate, channels }, encoding));
  return name;
}

// Frames chosen to cross STREAM_BLOCK_FRAMES boundaries at odd places.
const ST = writeStem('st.wav', [wave(20003, 1), wave(20003, 2)]);
const THREE = writeStem('three.wav', [wave(9001, 3), wave(9001, 4), wave(9001, 5)], 'pcm16');
const MONO = writeStem('mono.wav', [wave(5003, 6)], 'pcm24');
const CONST = writeStem('const.wav', [new Float32Array(100).fill(0.5), new Float32Array(100).fill(0.25)]);
const R44 = writeStem('r44.wav', [wave(4410, 7)], 'float32', 44100);

function session(channels: unknown[], extra: object = {}): Session {
  return parseSession(JSON.stringify({ format: 'mixhost-session', version: 1, ...extra, channels }));
}

async function load(s: Session): Promise<RenderInputs> {
  return loadRenderInputs(s, sessionLayout(s), dir);
}

function decoded(name: string): Float32Array[] {
  return decodeWav(readFileSync(join(dir, name)), name).channels;
}

/** Pull `frames` samples out of every input in blocks of `block`, the inputs moving together. */
function pull(inputs: readonly InputStream[], frames: number, block: number): Float32Array[] {
  const out = inputs.map(() => new Float32Array(frames));
  const tmp = new Float32Array(block);
  for (let pos = 0; pos < frames; pos += block) {
    const n = Math.min(block, frames - pos);
    for (let k = 0; k < inputs.length; k++) {
      tmp.fill(NaN);
      inputs[k].read(tmp, n);
      out[k].set(tmp.subarray(0, n), pos);
    }
  }
  return out;
}

/** `x` padded with zeros (or cut) to `frames`. */
function padded(x: Float32Array, frames: number): Float32Array {
  const out = new Float32Array(frames);
  out.set(x.subarray(0, frames));
  return out;
}

/** The average of a file's channels as the in-memory mixdown computed it: accumulated in float32. */
function average(ch: Float32Array[]): Float32Array {
  const mono = new Float32Array(ch[0].length);
  for (const c of ch) for (let i = 0; i < mono.length; i++) mono[i] += c[i] / ch.length;
  return mono;
}

function expectSame(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  let first = -1;
  for (let i = 0; i < got.length && first < 0; i++) if (!Object.is(got[i], want[i])) first = i;
  expect(first, `${what}: first difference at ${first}: ${got[first]} vs ${want[first]}`).toBe(-1);
}

describe('loadRenderInputs: channel fitting', () => {
  const channels = [
    { source: { file: ST } }, // mono from stereo: the average
    { source: { file: ST, channel: 2 } }, // mono: the right channel
    { stereo: true, source: { file: ST } }, // stereo: L, R
    { stereo: true, source: { file: THREE, channel: 2 } }, // stereo: channels 2 and 3
    { stereo: true, source: { file: MONO } }, // a mono file on both sides
    { source: { file: THREE } }, // mono from three channels
    { source: { file: MONO } },
    { source: { file: CONST } },
  ];

  for (const block of [1, 7, 1000, 9000]) {
    it(`gives each input its samples, then zeros, in blocks of ${block}`, async () => {
      const src = await load(session(channels));
      try {
        expect(src.sampleRate).toBe(48000);
        expect(src.frames).toBe(20003);
        expect(src.notes).toEqual([]);
        expect(src.inputs).toHaveLength(11);
        const st = decoded(ST);
        const three = decoded(THREE);
        const mono = decoded(MONO)[0];
        const F = 20003 + 100; // past the end of every source
        const want = [average(st), st[1], st[0], st[1], three[1], three[2], mono, mono, average(three), mono, average(decoded(CONST))];
        const got = pull(src.inputs, F, block);
        want.forEach((w, k) => expectSame(got[k], padded(w, F), `input ${k}`));
      } finally {
        src.close();
      }
    });
  }

  it('averages a constant stereo file exactly: (0.5 + 0.25) / 2 = 0.375', async () => {
    const src = await load(session([{ source: { file: CONST } }]));
    const [x] = pull(src.inputs, 102, 64);
    src.close();
    expect(Array.from(x.subarray(0, 100)).every((v) => v === 0.375)).toBe(true);
    expect(Array.from(x.subarray(100))).toEqual([0, 0]);
  });

  it('refuses a channel the file lacks with E_AUDIO_FORMAT, closing the files it opened', async () => {
    const close = vi.spyOn(WavFileReader.prototype, 'close');
    const cases: Array<[unknown, RegExp]> = [
      [{ source: { file: ST, channel: 3 } }, /^channels\[2\] \(st\.wav\): channel 3 asked for, but the file has 2$/],
      [{ stereo: true, source: { file: ST, channel: 2 } }, /^channels\[2\] \(st\.wav\): a stereo channel needs channels 2 and 3, but the file has 2$/],
    ];
    for (const [bad, message] of cases) {
      close.mockClear();
      const err = await load(session([{ source: { file: MONO } }, { source: { file: THREE } }, bad])).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MixhostError);
      expect((err as MixhostError).code).toBe('E_AUDIO_FORMAT');
      expect((err as MixhostError).message).toMatch(message);
      expect(close).toHaveBeenCalledTimes(3);
      expect(new Set(close.mock.instances).size).toBe(3); // mono.wav, three.wav and st.wav
    }
  });

  it('a missing file is E_AUDIO_READ naming it, and the files already open are closed', async () => {
    const close = vi.spyOn(WavFileReader.prototype, 'close');
    const err = await load(session([{ source: { file: ST } }, { source: { file: 'nope.wav' } }])).catch((e: unknown) => e);
    expect((err as MixhostError).code).toBe('E_AUDIO_READ');
    expect((err as MixhostError).message).toBe(`${join(dir, 'nope.wav')}: file not found`);
    expect(new Set(close.mock.instances).size).toBe(1);
  });
});

describe('loadRenderInputs: streaming', () => {
  /** Reads that returned frames, per reader, while pulling every input of `s` in blocks of 512. */
  async function readsWhilePulling(s: Session): Promise<{ calls: number; frames: number; biggest: number }> {
    const read = vi.spyOn(WavFileReader.prototype, 'read');
    const src = await load(s);
    pull(src.inputs, src.frames, 512);
    src.close();
    const results = read.mock.results.map((r) => r.value as number).filter((n) => n > 0);
    const biggest = Math.max(...read.mock.calls.map((c) => c[2]));
    read.mockRestore();
    return { calls: results.length, frames: results.reduce((a, b) => a + b, 0), biggest };
  }

  it('a file feeding several channels is read once per block, not once per input', async () => {
    const one = await readsWhilePulling(session([{ source: { file: ST, channel: 1 } }]));
    const many = await readsWhilePulling(
      session([{ source: { file: ST } }, { stereo: true, source: { file: ST } }, { source: { file: ST, channel: 2 } }, { stereo: true, source: { file: ST } }]),
    );
    expect(one).toEqual({ calls: Math.ceil(20003 / STREAM_BLOCK_FRAMES), frames: 20003, biggest: STREAM_BLOCK_FRAMES });
    expect(many).toEqual(one);
  });

  it('rewind starts an input over; inputs of one file stay right when they drift apart', async () => {
    const src = await load(session([{ source: { file: ST, channel: 1 } }, { source: { file: ST, channel: 2 } }]));
    const [l, r] = decoded(ST);
    const [a, b] = src.inputs;
    const x = new Float32Array(3000);
    a.read(x, 3000);
    expectSame(x, l.subarray(0, 3000), 'a, first pass');
    b.read(x, 3000);
    expectSame(x, r.subarray(0, 3000), 'b, first pass');
    // From here a trails b by 3000 frames, though both come from one reader and one cached block.
    a.rewind();
    for (let k = 0; k < 8; k++) {
      a.read(x, 3000);
      expectSame(x, padded(l.subarray(3000 * k), 3000), `a at ${3000 * k}`);
      b.read(x, 3000);
      expectSame(x, padded(r.subarray(3000 * (k + 1)), 3000), `b at ${3000 * (k + 1)}`);
    }
    // Reading at an offset writes only the range asked for.
    a.rewind();
    const z = new Float32Array(20).fill(7);
    a.read(z, 10, 5);
    expect(Array.from(z.subarray(0, 5))).toEqual([7, 7, 7, 7, 7]);
    expectSame(z.subarray(5, 15), l.subarray(0, 10), 'offset read');
    expect(Array.from(z.subarray(15))).toEqual([7, 7, 7, 7, 7]);
    src.close();
  });

  it('readLooping starts every input over at the end of the loop, as (pos + i) % length did', async () => {
    const src = await load(session([{ source: { file: MONO } }, { stereo: true, source: { file: THREE } }, { source: { input: 1 } }]));
    const mono = decoded(MONO)[0];
    const three = decoded(THREE);
    const length = src.frames; // 9001, the longest
    const bufs = [mono, three[0], three[1], new Float32Array(0)];
    const ins = src.inputs.map(() => new Float32Array(128));
    let pos = 0;
    let t = 0;
    for (let blk = 0; blk < 200; blk++) {
      pos = readLooping(src.inputs, ins, 128, pos, length);
      for (let k = 0; k < ins.length; k++) {
        for (let i = 0; i < 128; i++) {
          const j = (t + i) % length;
          const want = j < bufs[k].length ? bufs[k][j] : 0;
          if (ins[k][i] !== want) throw new Error(`input ${k}, frame ${t + i}: ${ins[k][i]} vs ${want}`);
        }
      }
      t += 128;
      expect(pos).toBe(t % length);
    }
    expect(t).toBeGreaterThan(2 * length); // the loop went round twice
    src.close();
  });
});

describe('loadRenderInputs: resampled, demo and live sources', () => {
  it('a stem at another rate is decoded whole and resampled, with a note', async () => {
    const src = await load(session([{ source: { file: R44 } }, { source: { input: 2 } }, {}], { sampleRate: 48000 }));
    const want = resample(decoded(R44)[0], 44100, 48000);
    expect(src.frames).toBe(want.length);
    expect(src.notes).toEqual(['r44.wav: resampled from 44100 Hz to 48000 Hz', 'channels[1]: live input 2 is silent in an offline render']);
    const got = pull(src.inputs, want.length + 5, 333);
    src.close();
    expectSame(got[0], padded(want, want.length + 5), 'resampled');
    expectSame(got[1], new Float32Array(want.length + 5), 'live input');
    expectSame(got[2], new Float32Array(want.length + 5), 'no source');
  });

  it('the first file sets the rate when the session does not; demo stems are synthesized at it', async () => {
    const src = await load(session([{ source: { file: R44 } }, { stereo: true, source: { demo: 'pad' } }, { source: { demo: 'pad' } }]));
    expect(src.sampleRate).toBe(44100);
    expect(src.notes).toEqual([]);
    const pad = synthDemoStem('pad', 44100, DEMO_SECONDS);
    expect(src.frames).toBe(pad[0].length);
    const got = pull(src.inputs, src.frames, 4096);
    src.close();
    expectSame(got[0], padded(decoded(R44)[0], src.frames), 'stem');
    expectSame(got[1], pad[0], 'pad L');
    expectSame(got[2], pad[1], 'pad R');
    expectSame(got[3], average(pad), 'pad as mono');
  });

  it('a truncated stem still plays, and its warning becomes a note', async () => {
    const file = encodeWav({ sampleRate: 48000, channels: [wave(1000, 9)] }, 'pcm16');
    writeFileSync(join(dir, 'cut.wav'), file.subarray(0, file.length - 301));
    const src = await load(session([{ source: { file: 'cut.wav' } }]));
    expect(src.frames).toBe(849);
    expect(src.notes).toHaveLength(1);
    expect(src.notes[0]).toMatch(/cut\.wav: data chunk truncated: declares 1000 frames, decoded the 849 whole frames present$/);
    src.close();
  });
});

// ---------------------------------------------------------------------------------------------
// The render path

/** The render as it was when every stem was decoded whole into memory. */
function renderInMemory(s: Session): Float32Array[] {
  const layout = sessionLayout(s);
  const registry = new ParamRegistry(layout);
  const engine = new MixEngine(registry, { sampleRate: 48000, maxBlock: RENDER_BLOCK });
  applySession(s, registry, engine.params);
  const inputs: Float32Array[] = [];
  s.channels.forEach((c, i) => {
    const stereo = layout.channels[i].stereo;
    const src = c.source as { file: string; channel?: number };
    const ch = decoded(src.file);
    const sides = stereo
      ? src.channel !== undefined
        ? [ch[src.channel - 1], ch[src.channel]]
        : [ch[0], ch[1] ?? ch[0]]
      : [src.channel !== undefined ? ch[src.channel - 1] : ch.length === 1 ? ch[0] : average(ch)];
    inputs.push(...sides);
  });
  const frames = Math.max(...inputs.map((x) => x.length));
  const total = frames + Math.round((s.tailSeconds ?? DEFAULT_TAIL_SECONDS) * 48000);
  const ins = inputs.map(() => new Float32Array(RENDER_BLOCK));
  const outs = Array.from({ length: engine.outputs }, () => new Float32Array(RENDER_BLOCK));
  const master = [new Float32Array(total), new Float32Array(total)];
  // The master chains delay by their look-ahead; the render drops that much from the start.
  const lat = engine.masterLatency;
  for (let pos = 0; pos < total + lat; pos += RENDER_BLOCK) {
    const n = Math.min(RENDER_BLOCK, total + lat - pos);
    inputs.forEach((x, k) => {
      ins[k].fill(0);
      ins[k].set(x.subarray(Math.min(pos, x.length), Math.min(pos + n, x.length)));
    });
    engine.process(ins, outs, n);
    for (let i = 0; i < n; i++) {
      const at = pos + i - lat;
      if (at < 0) continue;
      master[0][at] = outs[0][i];
      master[1][at] = outs[1][i];
    }
  }
  return master;
}

describe('renderSession streams its stems', () => {
  it('renders the same samples as the in-memory render did', async () => {
    const s = session(
      [
        { source: { file: ST }, pan: -40 },
        { stereo: true, source: { file: ST }, fader: -3 },
        { source: { file: THREE, channel: 3 }, pan: 60 },
        { stereo: true, source: { file: MONO } },
        { source: { file: THREE }, fader: -8 },
      ],
      { tailSeconds: 0.2 },
    );
    const out = join(dir, 'mix.wav');
    const summary = await renderSession(s, dir, { out, encoding: 'float32' });
    expect(summary.frames).toBe(20003 + 9600);
    const got = decodeWav(readFileSync(out)).channels;
    const want = renderInMemory(s);
    expectSame(got[0], want[0], 'left');
    expectSame(got[1], want[1], 'right');
    expect(Math.max(...want[0].map(Math.abs))).toBeGreaterThan(0.1); // not a silent comparison
  });

  it('a 60 s stereo float stem at the session rate never goes through readWavFile or decodeWav', async () => {
    const frames = 60 * 48000;
    const w = new WavWriter(join(dir, 'long.wav'), 48000, 2, 'float32');
    const piece = [new Float32Array(48000), new Float32Array(48000)];
    for (let t = 0; t < 60; t++) {
      for (let i = 0; i < 48000; i++) {
        piece[0][i] = 0.5 * Math.sin((2 * Math.PI * 440 * (t * 48000 + i)) / 48000);
        piece[1][i] = 0.25;
      }
      w.write(piece, 48000);
    }
    w.close();
    vi.mocked(readWavFile).mockClear();
    vi.mocked(decodeWav).mockClear();
    const read = vi.spyOn(WavFileReader.prototype, 'read');
    const s = session([{ stereo: true, source: { file: 'long.wav' } }, { source: { file: 'long.wav' } }], { tailSeconds: 0 });
    const summary = await renderSession(s, dir, { out: join(dir, 'long-mix.wav'), encoding: 'pcm24' });
    expect(summary.frames).toBe(frames);
    expect(readWavFile).not.toHaveBeenCalled();
    expect(decodeWav).not.toHaveBeenCalled();
    // The reader was asked for a block at a time, one read per block for both channels.
    const asked = read.mock.calls.map((c) => c[2]);
    expect(Math.max(...asked)).toBe(STREAM_BLOCK_FRAMES);
    expect(read.mock.calls.length).toBe(Math.ceil(frames / STREAM_BLOCK_FRAMES));
    expect((read.mock.results as Array<{ value: number }>).reduce((a, r) => a + r.value, 0)).toBe(frames);
  });

  it('a read error mid-render aborts: nothing written, every file closed', async () => {
    const realRead = WavFileReader.prototype.read;
    let calls = 0;
    // The third disk read fails: st.wav's second block, after some 8192 frames were written.
    vi.spyOn(WavFileReader.prototype, 'read').mockImplementation(function (this: WavFileReader, dst, offset, n) {
      if (++calls === 3) throw new MixhostError('E_AUDIO_READ', 'disk gone');
      return realRead.call(this, dst, offset, n);
    });
    const close = vi.spyOn(WavFileReader.prototype, 'close');
    const s = session([{ source: { file: ST } }, { source: { file: THREE } }]);
    const before = readdirSync(dir).sort();
    const err = await renderSession(s, dir, { out: join(dir, 'broken.wav'), encoding: 'pcm24' }).catch((e: unknown) => e);
    expect((err as MixhostError).code).toBe('E_AUDIO_READ');
    expect((err as MixhostError).message).toBe('disk gone');
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(new Set(close.mock.instances).size).toBe(2);
  });
});
