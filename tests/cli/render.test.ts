import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav, encodeWav } from '../../src/audio/wav.js';

const run = promisify(execFile);
const CLI = path.resolve('dist/cli/main.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'mixhost-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function mixhost(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { cwd: dir, maxBuffer: 1 << 24 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

function sine(freq: number, amp: number, seconds: number, sr: number): Float32Array {
  return new Float32Array(Math.round(seconds * sr)).map((_, i) => amp * Math.sin((2 * Math.PI * freq * i) / sr));
}

describe('mixhost render', () => {
  it('mixes WAV stems (16-bit, 24-bit, float, mono and stereo) to a 24-bit master with a JSON summary', async () => {
    const sr = 48000;
    writeFileSync(path.join(dir, 'a.wav'), encodeWav({ sampleRate: sr, channels: [sine(440, 0.5, 1, sr)] }, 'pcm16'));
    writeFileSync(path.join(dir, 'b.wav'), encodeWav({ sampleRate: sr, channels: [sine(220, 0.25, 1.5, sr)] }, 'pcm24'));
    writeFileSync(path.join(dir, 'c.wav'), encodeWav({ sampleRate: sr, channels: [sine(330, 0.1, 1, sr), sine(660, 0.1, 1, sr)] }, 'float32'));
    const session = {
      format: 'mixhost-session',
      version: 1,
      tailSeconds: 0.5,
      channels: [
        { name: 'A', source: { file: 'a.wav' }, pan: -100 },
        { name: 'B', source: { file: 'b.wav' }, pan: 100, fader: -6 },
        { name: 'C', stereo: true, source: { file: 'c.wav' }, mute: true },
      ],
    };
    writeFileSync(path.join(dir, 'song.json'), JSON.stringify(session));
    const r = await mixhost(['render', 'song.json', '--out', 'song.wav', '--json']);
    expect(r.stderr).toContain('rendered');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(summary.durationS).toBeCloseTo(2, 6);
    expect(summary.sampleRate).toBe(sr);
    expect(summary.realtimeFactor).toBeGreaterThan(1);
    const out = decodeWav(readFileSync(path.join(dir, 'song.wav')));
    expect(out.sampleRate).toBe(sr);
    expect(out.channels).toHaveLength(2);
    // A hard left at 0 dB, B hard right at −6 dB, C muted: left is A, right is B·0.5
    const i = 12345;
    expect(out.channels[0][i]).toBeCloseTo(0.5 * Math.sin((2 * Math.PI * 440 * i) / sr), 3);
    expect(out.channels[1][i]).toBeCloseTo(0.5 * 0.25 * Math.sin((2 * Math.PI * 220 * i) / sr), 3);
    expect(summary.peakDbfs).toBeCloseTo(20 * Math.log10(0.5), 1);
  });

  it('compensates the master chains\' look-ahead and writes every output chain, with the loudness of the master', async () => {
    const sr = 48000;
    const click = new Float32Array(sr);
    click[1000] = 0.5;
    writeFileSync(path.join(dir, 'click.wav'), encodeWav({ sampleRate: sr, channels: [click] }, 'float32'));
    writeFileSync(
      path.join(dir, 'two.json'),
      JSON.stringify({
        format: 'mixhost-session',
        version: 1,
        tailSeconds: 0,
        channels: [{ source: { file: 'click.wav' }, pan: -100 }],
        master: { chain: { limiter: { on: true, ceiling: -1 } } },
        outputs: [{ name: 'stream', trim: -6 }],
      }),
    );
    const r = await mixhost(['render', 'two.json', '--out', 'two.wav', '--format', 'float32', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.latencyCompensated).toBeGreaterThan(100);
    expect(s.extraOutputs).toEqual([path.join(dir, 'two-stream.wav')]);
    expect(s.loudness.truePeakDbtp).toBeLessThan(-1.5);
    const main = decodeWav(readFileSync(path.join(dir, 'two.wav'))).channels[0];
    const stream = decodeWav(readFileSync(path.join(dir, 'two-stream.wav'))).channels[0];
    expect(main.length).toBe(sr);
    // The click comes out where it went in, on both outputs; the stream 6 dB down.
    const at = (x: Float32Array): number => x.reduce((best, v, i) => (Math.abs(v) > Math.abs(x[best]) ? i : best), 0);
    expect(at(main)).toBe(1000);
    expect(at(stream)).toBe(1000);
    expect(main[1000]).toBeCloseTo(0.5, 6);
    expect(stream[1000]).toBeCloseTo(0.5 * Math.pow(10, -6 / 20), 6);
  });

  it('resamples stems at another rate to the session rate', async () => {
    writeFileSync(path.join(dir, 'r44.wav'), encodeWav({ sampleRate: 44100, channels: [sine(1000, 0.5, 1, 44100)] }, 'float32'));
    writeFileSync(path.join(dir, 'rs.json'), JSON.stringify({ format: 'mixhost-session', version: 1, sampleRate: 48000, tailSeconds: 0, channels: [{ source: { file: 'r44.wav' }, pan: -100 }] }));
    const r = await mixhost(['render', 'rs.json', '--out', 'rs.wav', '--format', 'float32']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('resampled from 44100 Hz to 48000 Hz');
    const out = decodeWav(readFileSync(path.join(dir, 'rs.wav')));
    expect(out.sampleRate).toBe(48000);
    expect(out.channels[0].length).toBe(48000);
    // the tone is still 1 kHz at 0.5 in the middle of the file
    const i = 24000;
    expect(out.channels[0][i]).toBeCloseTo(0.5 * Math.sin((2 * Math.PI * 1000 * i) / 48000), 3);
  });

  it('renders the built-in demo', async () => {
    const r = await mixhost(['render', '--demo', '--out', 'demo.wav', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.durationS).toBeGreaterThan(30);
    expect(s.peakDbfs).toBeLessThan(0);
    expect(s.peakDbfs).toBeGreaterThan(-20);
  });

  it('explains a broken session without a stack trace, exit code 2, and writes nothing', async () => {
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ format: 'mixhost-session', version: 1, channels: [{}, {}, {}, { eq: [{}, { freq: 40000 }] }] }));
    const r = await mixhost(['render', 'bad.json', '--out', 'bad.wav']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('channels[3].eq[1].freq: 40000 Hz is above 20000 Hz');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(dir, 'bad.wav'))).toBe(false);
  });

  it('a missing stem is a clear error and leaves no partial output', async () => {
    writeFileSync(path.join(dir, 'missing.json'), JSON.stringify({ format: 'mixhost-session', version: 1, channels: [{ source: { file: 'nope.wav' } }] }));
    const before = readdirSync(dir).length;
    const r = await mixhost(['render', 'missing.json', '--out', 'missing.wav', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_AUDIO_READ: .*nope\.wav.*not found/);
    expect(JSON.parse(r.stdout).error.code).toBe('E_AUDIO_READ');
    expect(readdirSync(dir).length).toBe(before);
  });

  it('rejects bad usage with E_USAGE', async () => {
    for (const args of [['render'], ['render', 'a.json', 'b.json'], ['render', '--demo', '--format', 'mp3'], ['render', '--demo', '--bogus'], ['frobnicate']]) {
      const r = await mixhost(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain('E_USAGE');
    }
  });
});
