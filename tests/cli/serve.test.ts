import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { readWavFile } from '../../src/audio/wav.js';
import { DEFAULT_X32_PORT } from '../../src/cli/serve-osc.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mixhost-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLI = path.resolve('dist/cli/main.js');

/** `mixhost serve ARGS --http 0 --local-only` to its end: the exit code and what it wrote to stderr. */
function runServe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'serve', ...args, '--http', '0', '--local-only'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('mixhost serve', () => {
  it('plays the demo on the null backend when there is no audio device, serves its status with the token, and stops cleanly on SIGINT', async () => {
    const token = 'test-token-0123456789';
    const child = spawn(process.execPath, [CLI, 'serve', '--http', '0', '--local-only', '--token', token], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const ready = new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('press Ctrl-C')) resolve();
      });
    });
    await ready;
    expect(stderr).toContain('serving "mixhost demo": 32 channels, 48000 Hz, 128-frame blocks');
    expect(stderr).toMatch(/no audio device found .*playing on the null backend/);
    expect(stderr).toContain(`token: ${token}`);
    const port = Number(/http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr)![1]);
    await new Promise((r) => setTimeout(r, 1500));
    const url = `http://127.0.0.1:${port}/api/status`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { Authorization: 'Bearer wrong-token-0000' } })).status).toBe(401);
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const status = (await res.json()) as { audio: Record<string, unknown> };
    expect(status.audio).toMatchObject({ backend: 'null', state: 'running', sampleRate: 48000, blockSize: 128, inputs: 0, outputs: 4 });
    // The null backend adds no buffering: in to out is the master's look-ahead, 126 frames.
    expect(status.audio.latencyMs).toBeCloseTo((126 / 48000) * 1000, 3);
    for (const k of ['deadlineMisses', 'xruns', 'cpuLoad', 'blocks']) expect(typeof status.audio[k], k).toBe('number');
    expect(status.audio.blocks as number).toBeGreaterThan(300);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const m = /stopped after (\d+) blocks; deadline misses (\d+); xruns (\d+)/.exec(stderr);
    expect(m).not.toBeNull();
    // about 1.5 s of 128-frame blocks at 48 kHz were rendered in real time (375 per second)
    expect(Number(m![1])).toBeGreaterThan(400);
    expect(stdout).toBe('');
  });

  it('prints the remote link, its QR code and each invite; a WebSocket set reaches the render thread; invites persist in --invites FILE', async () => {
    const token = 'test-token-remote-0123';
    const invitesFile = path.join(dir, 'show.invites.json');
    const start = () => {
      const child = spawn(process.execPath, [CLI, 'serve', '--audio', 'null', '--http', '0', '--local-only', '--token', token, '--qr', '--invites', invitesFile, '--invite', 'Anna:2', '--invite', 'FOH laptop:viewer'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      const ready = new Promise<string>((resolve) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.includes('press Ctrl-C')) resolve(stderr);
        });
      });
      return { child, ready };
    };
    const a = start();
    const out = await a.ready;
    const port = Number(/remote: http:\/\/127\.0\.0\.1:(\d+)\/join\?token=test-token-remote-0123\n/.exec(out)![1]);
    // The QR code: rows of half blocks, all the same width (a version 4 symbol at this length: 33 + 4 wide).
    const qrRows = out.split('\n').filter((l) => /^[█▀▄ ]+$/.test(l) && l.length > 20);
    expect(qrRows.length).toBeGreaterThanOrEqual(15);
    expect(new Set(qrRows.map((l) => l.length)).size).toBe(1);
    const anna = /invite: Anna \(aux 2\): (http:\/\/\S+)/.exec(out);
    const foh = /invite: FOH laptop \(viewer\): (http:\/\/\S+)/.exec(out);
    expect(anna).not.toBeNull();
    expect(foh).not.toBeNull();

    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', token })));
      ws.on('message', (d, binary) => {
        if (!binary && (JSON.parse(String(d)) as { type: string }).type === 'snapshot') resolve();
      });
    });
    ws.send(JSON.stringify({ type: 'set', address: 'ch/1/fader', value: -12 }));
    ws.send(JSON.stringify({ type: 'set', address: 'ch/2/pan', position: 0 }));
    const headers = { Authorization: `Bearer ${token}` };
    let status: { control: { changes: number; seq: number }; remote: { clients: number } } | undefined;
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await (await fetch(`http://127.0.0.1:${port}/api/status`, { headers })).json()) as typeof status;
      if (status!.control.changes >= 2) break;
    }
    // Both changes went through the store (seq 2) and were applied by the render thread.
    expect(status!.control).toMatchObject({ changes: 2, seq: 2 });
    expect(status!.remote.clients).toBe(1);
    const fader = (await (await fetch(`http://127.0.0.1:${port}/api/params/ch/1/fader`, { headers })).json()) as { value: number };
    expect(fader.value).toBe(-12);
    ws.close();
    a.child.kill('SIGINT');
    expect(await new Promise<number | string | null>((resolve) => a.child.on('exit', (code, signal) => resolve(code ?? signal)))).toBe(0);

    // A restart with the same file keeps the invites (same links), and makes no duplicates.
    const saved = JSON.parse(readFileSync(invitesFile, 'utf8')) as { invites: Array<{ name: string; bus?: number; role: string }> };
    expect(saved.invites.map((i) => [i.name, i.role, i.bus ?? null])).toEqual([
      ['Anna', 'performer', 2],
      ['FOH laptop', 'viewer', null],
    ]);
    const b = start();
    const out2 = await b.ready;
    const port2 = Number(/remote: http:\/\/127\.0\.0\.1:(\d+)\//.exec(out2)![1]);
    expect(out2).toContain(anna![1].replace(`:${port}/`, `:${port2}/`));
    expect(out2.match(/invite: /g)).toHaveLength(2);
    b.child.kill('SIGINT');
    expect(await new Promise<number | string | null>((resolve) => b.child.on('exit', (code, signal) => resolve(code ?? signal))), out2).toBe(0);
  });

  it('refuses a bad --invite, --allow-origin or invites file with exit code 2, naming the problem', async () => {
    const run = (args: string[]) => runServe(['--audio', 'null', ...args]);
    const bus = await run(['--invite', 'Anna:9']);
    expect([bus.code, bus.stderr.trim()]).toEqual([2, 'mixhost: E_USAGE: --invite Anna:9: after the colon an aux bus from 1 to 8, or viewer']);
    const shape = await run(['--invite', 'Anna']);
    expect(shape.code).toBe(2);
    expect(shape.stderr).toContain('E_USAGE: --invite Anna: NAME:BUS for a performer');
    const origin = await run(['--allow-origin', 'https://mixer.example/path']);
    expect(origin.code).toBe(2);
    expect(origin.stderr).toContain('E_USAGE: --allow-origin https://mixer.example/path');
    const broken = path.join(dir, 'broken.invites.json');
    writeFileSync(broken, '{"version":1,"invites":[{"id":"abcd","role":"performer","bus":2}]}');
    const file = await run(['--invites', broken]);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/E_INVITES_FILE: .*broken\.invites\.json: invites\.0\.name: .*fix or remove it/);
    // The broken file is left as it was.
    expect(readFileSync(broken, 'utf8')).toBe('{"version":1,"invites":[{"id":"abcd","role":"performer","bus":2}]}');
  });

  it('refuses bad OSC flags with exit code 2; a given OSC port that is taken stops the start, a taken default turns that dialect off', async () => {
    const run = (args: string[]) => runServe(['--audio', 'null', ...args]);
    const word = await run(['--x32', 'console']);
    expect([word.code, word.stderr.trim()]).toEqual([2, 'mixhost: E_USAGE: --x32 console: a UDP port (0 to 65535, 0 for any free one) or off']);
    const same = await run(['--osc', '9123', '--x32', '9123']);
    expect([same.code, same.stderr.trim()]).toEqual([2, 'mixhost: E_USAGE: --osc and --x32 both on UDP 9123: the two dialects need two ports']);
    // A port held by somebody else.
    const holder = createSocket('udp4');
    await new Promise<void>((r) => holder.bind(0, '127.0.0.1', () => r()));
    const held = holder.address().port;
    try {
      const given = await run(['--osc', 'off', '--x32', String(held), '--duration', '1']);
      expect(given.code).toBe(1);
      expect(given.stderr).toContain(`mixhost: E_OSC_LISTEN: cannot listen for X32 OSC on 127.0.0.1:${held}: the port is in use`);
    } finally {
      await new Promise<void>((r) => holder.close(() => r()));
    }
    // The default X32 port taken (by this test, or by anything else already): X32 is off, the rest runs.
    const def = createSocket('udp4');
    const bound = await new Promise<boolean>((r) => {
      def.once('error', () => r(false));
      def.bind(DEFAULT_X32_PORT, '127.0.0.1', () => r(true));
    });
    try {
      const fallback = await run(['--osc', '0', '--duration', '1']);
      expect(fallback.code, fallback.stderr).toBe(0);
      expect(fallback.stderr).toContain(`osc: cannot listen for X32 OSC on 127.0.0.1:${DEFAULT_X32_PORT}: the port is in use: the X32 dialect is off (choose another port with --x32 PORT)`);
      expect(fallback.stderr).toMatch(/osc: native OSC on udp 127\.0\.0\.1:\d+/);
    } finally {
      if (bound) await new Promise<void>((r) => def.close(() => r()));
    }
  });

  it('refuses bad MIDI flags and a broken learn file with exit code 2 before any audio starts', async () => {
    const run = (args: string[]) => runServe(['--audio', 'null', ...args]);
    const mode = await run(['--midi', 'sometimes']);
    expect([mode.code, mode.stderr.trim()]).toEqual([2, 'mixhost: E_USAGE: --midi sometimes: auto, listed or off']);
    const device = await run(['--surface', 'behringer-x-touh']);
    expect(device.code).toBe(2);
    expect(device.stderr).toMatch(/^mixhost: E_DEVICE_UNKNOWN: --surface behringer-x-touh: unknown device; known: akai-midimix, behringer-x-touch, /);
    const profile = await run(['--surface', 'behringer-x-touch,profile=korg-nanokontrol2.default']);
    expect([profile.code, profile.stderr.trim()]).toEqual([2, "mixhost: E_PROFILE_UNKNOWN: --surface behringer-x-touch: profile 'korg-nanokontrol2.default' is for korg-nanokontrol2"]);
    const off = await run(['--midi', 'off', '--surface', 'behringer-x-touch']);
    expect(off.code).toBe(2);
    expect(off.stderr).toContain('E_USAGE: --surface with --midi off');
    const learn = path.join(dir, 'broken.learn.json');
    writeFileSync(learn, '{"version": 1, "surfaces": [');
    const file = await run(['--learn', learn]);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/^mixhost: E_LEARN_FILE: .*broken\.learn\.json: not valid JSON/);
    // Nothing started: no audio line; the broken file is left as it was.
    for (const r of [mode, device, profile, off, file]) expect(r.stderr).not.toContain('audio:');
    expect(readFileSync(learn, 'utf8')).toBe('{"version": 1, "surfaces": [');
  });

  it('refuses a PortAudio device that is not there, with E_AUDIO_DEVICE and exit code 2', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--audio', 'portaudio:no-such-interface', '--http', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('E_AUDIO_DEVICE');
  });

  it('stops by itself after --duration on a live backend, and refuses --input without the file backend', async () => {
    const run = runServe;
    const timed = await run(['--audio', 'null', '--duration', '1']);
    expect(timed.code, timed.stderr).toBe(0);
    const m = /stopped after (\d+) blocks/.exec(timed.stderr);
    // One second at 375 blocks a second (the clock starts once the server is up).
    expect(Number(m![1])).toBeGreaterThan(300);
    expect(Number(m![1])).toBeLessThan(450);
    const bad = await run(['--audio', 'null', '--input', 'x.wav']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('E_USAGE');
    const queue = await run(['--audio', 'null', '--queue', '9']);
    expect(queue.code).toBe(2);
    expect(queue.stderr).toContain('--queue 9: an integer from 1 to 8');
  });

  it('plays to a WAV file with the file backend and stops by itself at --duration', async () => {
    const out = path.join(dir, 'served.wav');
    const child = spawn(process.execPath, [CLI, 'serve', '--audio', `file:${out}`, '--duration', '2', '--http', '0', '--local-only'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('file backend');
    const wav = await readWavFile(out);
    expect(wav.sampleRate).toBe(48000);
    expect(wav.channels.length).toBe(4);
    expect(wav.channels[0].length).toBe(96000);
    expect(wav.channels[0].some((x) => x !== 0)).toBe(true);
  });

  it('masters live: each chain measures its output and writes its conformity report when stopped', async () => {
    const session = {
      format: 'mixhost-session',
      version: 1,
      name: 'stage',
      channels: [{ source: { demo: 'pad' }, stereo: true }, { source: { demo: 'kick' } }],
      master: { chain: { leveller: { on: true }, limiter: { on: true } } },
      outputs: [{ name: 'stream', profile: 'youtube', limiter: { on: true } }],
    };
    writeFileSync(path.join(dir, 'stage.json'), JSON.stringify(session));
    const child = spawn(process.execPath, [CLI, 'serve', '--session', 'stage.json', '--target', 'ebu-r128', '--report', 'show', '--audio', 'null', '--http', '0', '--local-only'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const ready = new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('press Ctrl-C')) resolve();
      });
    });
    await ready;
    await new Promise((r) => setTimeout(r, 4500));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).toMatch(/Conformity: (PASS|FAIL) — "stage: master" against EBU R 128/);
    expect(stderr).toMatch(/Conformity: (PASS|FAIL) — "stage: stream" against YouTube/);
    for (const base of ['show', 'show-stream']) {
      for (const ext of ['json', 'txt', 'svg']) expect(existsSync(path.join(dir, `${base}.${ext}`)), `${base}.${ext}`).toBe(true);
    }
    const rep = JSON.parse(readFileSync(path.join(dir, 'show.json'), 'utf8')) as {
      target: { id: string; integratedLufs: number; truePeakDbtp: number };
      measured: { durationS: number; truePeakDbtp: number | null; integratedLufs: number | null };
      perMinute: unknown[];
    };
    expect(rep.target).toMatchObject({ id: 'ebu-r128', integratedLufs: -23, truePeakDbtp: -1 });
    // About 4 s of programme, measured from 400 ms on; the limiter held the EBU ceiling.
    expect(rep.measured.durationS).toBeGreaterThan(2.5);
    expect(rep.measured.integratedLufs).not.toBeNull();
    expect(rep.measured.truePeakDbtp!).toBeLessThanOrEqual(-1 + 0.1);
    expect(rep.perMinute.length).toBe(1);
    expect(readdirSync(dir).filter((f) => f.includes('.part') || f.startsWith('.'))).toEqual([]);
  });
});
