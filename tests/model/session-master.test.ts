import { describe, expect, it } from 'vitest';
import { MASTER_EQ_TYPES } from '../../src/model/master-params.js';
import { EQ_TYPES } from '../../src/model/params.js';
import { ParamRegistry } from '../../src/model/registry.js';
import { applySession, parseSession, sessionFromParams, sessionLayout, type Session } from '../../src/model/session.js';
import { outputPairs } from '../../src/model/layout.js';
import { meterLayout } from '../../src/model/meters.js';

const base = { format: 'mixhost-session', version: 1, channels: [{}] };

function parse(extra: object): Session {
  return parseSession(JSON.stringify({ ...base, ...extra }));
}

function errorOf(extra: object): string {
  try {
    parse(extra);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

describe('master chains in the session', () => {
  it('master EQ types are the strip types plus tilt', () => {
    expect(MASTER_EQ_TYPES.slice(0, EQ_TYPES.length)).toEqual([...EQ_TYPES]);
    expect(MASTER_EQ_TYPES.at(-1)).toBe('tilt');
  });

  it('applies master.chain and outputs[] to chain 1 and chain 2 addresses', () => {
    const s = parse({
      master: {
        chain: {
          profile: 'spotify',
          trim: 3,
          target: -14,
          eq: [{}, { type: 'tilt', freq: 800, gain: -2 }],
          multiband: { on: true, crossoverLow: 120, bands: [{ ratio: 3 }, {}, { threshold: -30 }] },
          width: { amount: 120, bassMono: 100 },
          leveller: { on: true, rate: 0.5 },
          limiter: { on: true, ceiling: -1.5 },
        },
      },
      outputs: [{ name: 'stream', limiter: { on: true, ceiling: -2 }, target: -16 }],
      monitor: { translate: 'phone', mono: true },
    });
    const layout = sessionLayout(s);
    expect(layout.masterChains).toBe(2);
    expect(outputPairs(layout).at(-1)).toBe('master2');
    expect(meterLayout(layout).offsetOf('master/2/chain')).toBeGreaterThan(meterLayout(layout).offsetOf('master/chain'));
    const reg = new ParamRegistry(layout);
    const t = reg.createTable();
    applySession(s, reg, t);
    expect(reg.get(t, 'master/trim')).toBe(3);
    expect(reg.get(t, 'master/eq/2/type')).toBe(MASTER_EQ_TYPES.indexOf('tilt'));
    expect(reg.get(t, 'master/eq/2/gain')).toBe(-2);
    expect(reg.get(t, 'master/mbc/on')).toBe(1);
    expect(reg.get(t, 'master/mbc/xover/1')).toBe(120);
    expect(reg.get(t, 'master/mbc/1/ratio')).toBe(3);
    expect(reg.get(t, 'master/mbc/3/threshold')).toBe(-30);
    expect(reg.get(t, 'master/width/amount')).toBe(120);
    expect(reg.get(t, 'master/leveller/rate')).toBe(0.5);
    expect(reg.get(t, 'master/limiter/ceiling')).toBe(-1.5);
    expect(reg.get(t, 'master/2/limiter/ceiling')).toBe(-2);
    expect(reg.get(t, 'master/2/target')).toBe(-16);
    expect(reg.get(t, 'monitor/translate')).toBe(3);
    expect(reg.get(t, 'monitor/mono')).toBe(1);

    const saved = sessionFromParams(reg, t, { chains: [{ profile: 'spotify' }, { name: 'stream' }] });
    expect(saved.master?.chain?.profile).toBe('spotify');
    expect(saved.outputs?.[0].name).toBe('stream');
    const again = parseSession(JSON.stringify(saved));
    const t2 = reg.createTable();
    applySession(again, reg, t2);
    expect(Array.from(t2)).toEqual(Array.from(t));
  });

  it('says which field is wrong', () => {
    expect(errorOf({ master: { chain: { limiter: { ceiling: 1 } } } })).toContain('master.chain.limiter.ceiling: 1 dBTP is above 0 dBTP');
    expect(errorOf({ master: { chain: { eq: [{ type: 'notch' }] } } })).toContain('master.chain.eq[0].type');
    expect(errorOf({ master: { chain: { multiband: { bands: [{}, {}, {}, {}] } } } })).toContain('4 bands, but there are 3 multiband bands');
    expect(errorOf({ outputs: [{}, {}, {}, {}] })).toContain('at most 3 besides the master');
    expect(errorOf({ master: { chain: { target: -50 } } })).toContain('-50 LUFS is below -40 LUFS');
    expect(errorOf({ master: { chain: { profile: 'a b' } } })).toContain('master.chain.profile');
  });
});
