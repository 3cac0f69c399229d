import { describe, expect, it } from 'vitest';
import { ParamRegistry, MixhostError } from '../../src/model/registry.js';
import { defaultLayout } from '../../src/model/layout.js';
import { formatValue } from '../../src/model/descriptor.js';

describe('ParamRegistry', () => {
  const reg = new ParamRegistry(defaultLayout());
  it('holds every strip and bus of the default layout', () => {
    for (const a of ['ch/1/fader', 'ch/32/eq/4/gain', 'ch/5/send/8/level', 'ch/5/fx/2/pre', 'bus/8/mute', 'fx/1/reverb/decay',
      'fx/2/delay/time', 'group/4/fader', 'vca/8/mute', 'master/fader', 'monitor/solo/mode']) {
      expect(reg.find(a), a).toBeGreaterThanOrEqual(0);
    }
    expect(reg.find('ch/33/fader')).toBe(-1);
    expect(reg.find('bus/9/fader')).toBe(-1);
    expect(reg.find('vca/9/fader')).toBe(-1);
    expect(reg.find('group/5/fader')).toBe(-1);
  });
  it('indices are stable and unique', () => {
    const again = new ParamRegistry(defaultLayout());
    expect(again.descriptors.map((d) => d.address)).toEqual(reg.descriptors.map((d) => d.address));
    expect(new Set(reg.descriptors.map((d) => d.address)).size).toBe(reg.size);
  });
  it('unknown addresses throw a coded error', () => {
    try {
      reg.index('ch/1/nope');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MixhostError);
      expect((e as MixhostError).code).toBe('E_PARAM_UNKNOWN');
    }
  });
  it('set clamps to range and rounds steps', () => {
    const t = reg.createTable();
    expect(reg.set(t, 'ch/1/fader', 40)).toBe(10);
    expect(reg.set(t, 'ch/1/eq/1/freq', 40000)).toBe(20000);
    expect(reg.set(t, 'ch/1/mute', 0.7)).toBe(1);
    expect(reg.set(t, 'ch/1/hpf/slope', 9)).toBe(2);
    expect(reg.set(t, 'ch/1/pan', Number.NaN)).toBe(0);
    expect(reg.get(t, 'ch/1/fader')).toBe(10);
  });
  it('formats values for people', () => {
    expect(formatValue(reg.descriptor('ch/1/fader'), -90)).toBe('-∞ dB');
    expect(formatValue(reg.descriptor('ch/1/fader'), 3)).toBe('+3.0 dB');
    expect(formatValue(reg.descriptor('ch/1/eq/2/freq'), 1200)).toBe('1.20 kHz');
    expect(formatValue(reg.descriptor('ch/1/pan'), -30)).toBe('L30');
    expect(formatValue(reg.descriptor('ch/1/eq/1/type'), 1)).toBe('lowshelf');
    expect(formatValue(reg.descriptor('fx/2/delay/division'), 2)).toBe('1/8.');
  });
  it('stereo channels and layouts change the registry shape only in channel count', () => {
    const small = new ParamRegistry(defaultLayout([{ stereo: true }, { stereo: false }]));
    expect(small.find('ch/2/fader')).toBeGreaterThanOrEqual(0);
    expect(small.find('ch/3/fader')).toBe(-1);
  });
});
