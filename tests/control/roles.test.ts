/**
 * Roles: which addresses a performer of an aux bus may read and write, which meter points each
 * role may have, and what a viewer and an engineer may do.
 */
import { describe, expect, it } from 'vitest';
import { canMeter, canRead, canWrite, performerAddress, writeRefusal, type Principal } from '../../src/control/roles.js';

const ENGINEER: Principal = { role: 'engineer', name: 'engineer', id: 'engineer' };
const VIEWER: Principal = { role: 'viewer', name: 'Booth', id: 'v1' };
const BUS2: Principal = { role: 'performer', bus: 2, name: 'Anna', id: 'p1' };
const NO_BUS: Principal = { role: 'performer', name: 'Nobody', id: 'p2' };

describe('performerAddress', () => {
  const truth: Array<[string, number, boolean]> = [
    ['ch/1/send/2/level', 2, true],
    ['ch/32/send/2/level', 2, true],
    ['ch/100/send/2/level', 2, true],
    ['bus/2/fader', 2, true],
    ['bus/2/mute', 2, true],
    ['bus/2/pan', 2, true],
    ['bus/12/fader', 12, true],
    ['ch/10/send/12/level', 12, true],
    // another bus
    ['ch/1/send/3/level', 2, false],
    ['ch/1/send/22/level', 2, false],
    ['ch/1/send/2/level', 22, false],
    ['ch/1/send/02/level', 2, false],
    ['bus/3/fader', 2, false],
    ['bus/22/fader', 2, false],
    ['bus/02/fader', 2, false],
    // other parameters of the same strip or bus
    ['ch/1/send/2/pre', 2, false],
    ['ch/1/fader', 2, false],
    ['ch/1/fx/2/level', 2, false],
    ['bus/2/eq/1/gain', 2, false],
    ['bus/2/solo', 2, false],
    ['master/fader', 2, false],
    ['group/2/fader', 2, false],
    // tricky strings
    ['ch/01/send/2/level', 2, false],
    ['ch/0/send/2/level', 2, false],
    ['ch/-1/send/2/level', 2, false],
    ['ch/1a/send/2/level', 2, false],
    ['ch//send/2/level', 2, false],
    ['ch/1/send/2/level/', 2, false],
    ['/ch/1/send/2/level', 2, false],
    ['ch/1/send/2/level/x', 2, false],
    ['ch/1/send//level', 2, false],
    ['ch/1/send/2', 2, false],
    ['bus/2/fader/x', 2, false],
    ['bus/2/', 2, false],
    ['bus/2', 2, false],
    ['bus//fader', 2, false],
    ['BUS/2/fader', 2, false],
    ['', 2, false],
  ];
  it.each(truth)('%s for bus %i -> %s', (address, bus, expected) => {
    expect(performerAddress(address, bus)).toBe(expected);
  });
});

describe('canRead / canWrite', () => {
  it('lets the engineer do everything and the viewer read everything', () => {
    for (const a of ['ch/1/fader', 'master/limiter/ceiling', 'bus/2/fader', 'anything']) {
      expect(canRead(ENGINEER, a)).toBe(true);
      expect(canWrite(ENGINEER, a)).toBe(true);
      expect(canRead(VIEWER, a)).toBe(true);
      expect(canWrite(VIEWER, a)).toBe(false);
    }
  });

  it('gives a performer its mix only, and a performer without a bus nothing', () => {
    expect(canRead(BUS2, 'ch/5/send/2/level')).toBe(true);
    expect(canWrite(BUS2, 'ch/5/send/2/level')).toBe(true);
    expect(canWrite(BUS2, 'bus/2/mute')).toBe(true);
    expect(canRead(BUS2, 'ch/5/send/3/level')).toBe(false);
    expect(canWrite(BUS2, 'ch/5/fader')).toBe(false);
    expect(canRead(NO_BUS, 'bus/2/fader')).toBe(false);
    expect(canWrite(NO_BUS, 'ch/1/send/1/level')).toBe(false);
  });

  it('says why a write is refused', () => {
    expect(writeRefusal(VIEWER, 'ch/1/fader')).toBe("'ch/1/fader': a viewer reads, it does not change anything");
    expect(writeRefusal(BUS2, 'ch/1/fader')).toContain('aux bus 2');
  });
});

describe('canMeter', () => {
  it('gives a performer the channels and its own bus', () => {
    const truth: Array<[string, boolean]> = [
      ['ch/1', true],
      ['ch/32', true],
      ['bus/2', true],
      ['bus/3', false],
      ['bus/22', false],
      ['bus/02', false],
      ['ch/01', false],
      ['ch/0', false],
      ['ch/', false],
      ['ch/1/x', false],
      ['master', false],
      ['master/chain', false],
      ['fx/1', false],
      ['group/1', false],
      ['monitor', false],
      ['loudness', false],
    ];
    for (const [point, expected] of truth) expect(canMeter(BUS2, point), point).toBe(expected);
    expect(canMeter(NO_BUS, 'bus/2')).toBe(false);
    expect(canMeter(NO_BUS, 'ch/1')).toBe(true);
  });

  it('gives the engineer and a viewer every point', () => {
    for (const p of ['master', 'master/chain', 'bus/3', 'loudness']) {
      expect(canMeter(ENGINEER, p)).toBe(true);
      expect(canMeter(VIEWER, p)).toBe(true);
    }
  });
});
