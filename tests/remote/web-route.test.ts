import { describe, expect, it } from 'vitest';
import { deviceName, parseRoute } from '../../web-remote/src/app.js';

const eng = { role: 'engineer' as const, channels: 32, auxBuses: 8, masterChains: 2 };

describe('hash routes', () => {
  it('maps hashes to views, with numbers in range', () => {
    expect(parseRoute('#channel/3', '/', eng)).toEqual({ view: 'channel', n: 3 });
    expect(parseRoute('#master', '/', eng)).toEqual({ view: 'master', n: 1 });
    expect(parseRoute('#master/2', '/', eng)).toEqual({ view: 'master', n: 2 });
    expect(parseRoute('#master/3', '/', eng)).toEqual({ view: 'master', n: 1 });
    expect(parseRoute('#mymix/4', '/', eng)).toEqual({ view: 'mymix', n: 4 });
    expect(parseRoute('#mymix', '/', eng)).toEqual({ view: 'mymix', n: 1 });
  });
  it('falls back to the mixer for unknown or out-of-range routes', () => {
    expect(parseRoute('', '/', eng)).toEqual({ view: 'mixer' });
    expect(parseRoute('#channel/33', '/', eng)).toEqual({ view: 'mixer' });
    expect(parseRoute('#channel/0', '/', eng)).toEqual({ view: 'mixer' });
    expect(parseRoute('#settings', '/', eng)).toEqual({ view: 'mixer' });
    expect(parseRoute('#mymix/2', '/', { ...eng, auxBuses: 0 })).toEqual({ view: 'mixer' });
  });
  it('opens MyMix for /mymix, and always the own bus for a performer', () => {
    expect(parseRoute('', '/mymix', eng)).toEqual({ view: 'mymix', n: 1 });
    const perf = { ...eng, role: 'performer' as const, bus: 5 };
    expect(parseRoute('#mixer', '/', perf)).toEqual({ view: 'mymix', n: 5 });
    expect(parseRoute('#mymix/2', '/mymix', perf)).toEqual({ view: 'mymix', n: 5 });
  });
  it('names the device from its user agent', () => {
    expect(deviceName('Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)')).toBe('iPad');
    expect(deviceName('Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari')).toBe('Android phone');
    expect(deviceName('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15', 5)).toBe('iPad');
    expect(deviceName('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15', 0)).toBe('Mac');
    expect(deviceName('Mozilla/5.0 (X11; Linux x86_64)')).toBe('Browser');
  });
});
