import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mixhost-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLI = path.resolve('dist/cli/main.js');

describe('mixhost serve', () => {
  it('plays the demo on the null backend, says so, and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, [CLI, 'serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).toContain('serving "mixhost demo": 32 channels, 48000 Hz');
    expect(stderr).toContain('null backend');
    const m = /stopped after (\d+) blocks/.exec(stderr);
    expect(m).not.toBeNull();
    // about 1.5 s of 128-frame blocks at 48 kHz were rendered in real time (375 per second)
    expect(Number(m![1])).toBeGreaterThan(300);
    expect(stdout).toBe('');
  });

  it('refuses an audio backend it cannot open, with E_USAGE', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--audio', 'portaudio'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('E_USAGE');
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
    const child = spawn(process.execPath, [CLI, 'serve', '--session', 'stage.json', '--target', 'ebu-r128', '--report', 'show'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
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
