import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

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
});
