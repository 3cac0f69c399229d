import { describe, expect, it } from 'vitest';
import { MeterBank, MeterLoop, meterDeflection, readFrameHeader } from '../../web-remote/src/meters.js';

/** A meter frame as the server sends it: header, then f32 values, little-endian. */
function frame(sub: number, counter: number, values: readonly number[], kind = 1, version = 1): ArrayBuffer {
  const buf = new ArrayBuffer(8 + 4 * values.length);
  const dv = new DataView(buf);
  dv.setUint8(0, kind);
  dv.setUint8(1, version);
  dv.setUint16(2, sub, true);
  dv.setUint32(4, counter, true);
  values.forEach((v, i) => dv.setFloat32(8 + 4 * i, v, true));
  return buf;
}

const SUB = {
  id: 3,
  size: 8,
  points: [
    { name: 'ch/1', offset: 0, fields: ['peakL', 'peakR', 'holdL', 'holdR', 'rmsL', 'rmsR'] },
    { name: 'master', offset: 6, fields: ['peakL', 'peakR'] },
  ],
};

describe('meter frames', () => {
  it('reads the header of a built frame', () => {
    const h = readFrameHeader(frame(513, 70000, [1, 2, 3]));
    expect(h).toEqual({ subscription: 513, counter: 70000, count: 3 });
  });

  it('rejects another kind, another version, a short or ragged buffer', () => {
    expect(readFrameHeader(frame(1, 1, [0], 2))).toBeUndefined();
    expect(readFrameHeader(frame(1, 1, [0], 1, 2))).toBeUndefined();
    expect(readFrameHeader(new ArrayBuffer(7))).toBeUndefined();
    expect(readFrameHeader(new ArrayBuffer(10))).toBeUndefined();
  });

  it('decodes values into each point at its offset', () => {
    const bank = new MeterBank();
    bank.subscribe(SUB);
    expect(Array.from(bank.get('ch/1')!)).toEqual([-120, -120, -120, -120, -120, -120]);
    expect(bank.apply(frame(3, 9, [-6, -7.5, -3, -4, -18, -19, -0.25, -1]))).toBe(true);
    expect(Array.from(bank.get('ch/1')!)).toEqual([-6, -7.5, -3, -4, -18, -19]);
    expect(Array.from(bank.get('master')!)).toEqual([-0.25, -1]);
    expect(bank.counter).toBe(9);
    expect(bank.get('bus/1')).toBeUndefined();
  });

  it('drops frames of an older subscription and short frames', () => {
    const bank = new MeterBank();
    bank.subscribe(SUB);
    bank.apply(frame(3, 1, [-10, -10, -10, -10, -10, -10, -10, -10]));
    expect(bank.apply(frame(2, 2, [0, 0, 0, 0, 0, 0, 0, 0]))).toBe(false);
    expect(bank.apply(frame(3, 3, [0, 0, 0]))).toBe(false);
    expect(bank.get('ch/1')![0]).toBe(-10);
    expect(bank.dropped).toBe(2);
    expect(bank.applied).toBe(1);
    bank.reset();
    expect(bank.apply(frame(3, 4, [0, 0, 0, 0, 0, 0, 0, 0]))).toBe(false);
    expect(bank.get('ch/1')).toBeUndefined();
  });

  it('maps levels on the IEC 60268-18 scale', () => {
    expect(meterDeflection(0)).toBe(1);
    expect(meterDeflection(6)).toBe(1);
    expect(meterDeflection(-20)).toBeCloseTo(0.5, 12);
    expect(meterDeflection(-30)).toBeCloseTo(0.3, 12);
    expect(meterDeflection(-40)).toBeCloseTo(0.15, 12);
    expect(meterDeflection(-60)).toBeCloseTo(0.025, 12);
    expect(meterDeflection(-70)).toBe(0);
    expect(meterDeflection(-120)).toBe(0);
    expect(meterDeflection(NaN)).toBe(0);
  });

  it('draws at most 30 times a second from 60 Hz animation frames', () => {
    const queue: Array<(t: number) => void> = [];
    const draws: number[] = [];
    const loop = new MeterLoop((t) => draws.push(t), { request: (cb) => queue.push(cb), cancel: () => undefined });
    loop.start();
    for (let i = 0; i < 60; i++) queue.shift()!(i * (1000 / 60));
    expect(draws.length).toBe(30);
    expect(draws[1] - draws[0]).toBeCloseTo(1000 / 30, 6);
  });
});
