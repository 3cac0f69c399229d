import { describe, expect, it } from 'vitest';
import { remoteLayout } from '../../src/control/layout-info.js';
import { demoSession } from '../../src/model/demo-session.js';
import { ParamRegistry } from '../../src/model/registry.js';
import { sessionLayout } from '../../src/model/session.js';
import { busTarget, nearestColour, x32Tree, type X32SetResult } from '../../src/osc/x32-map.js';

function setup() {
  const session = demoSession();
  const mix = sessionLayout(session);
  const registry = new ParamRegistry(mix);
  const table = registry.createTable();
  const info = remoteLayout(session, mix);
  const tree = x32Tree(info, (a) => registry.get(table, a));
  const put = (a: string, v: number) => registry.set(table, a, v);
  return { registry, table, info, tree, put };
}

const writes = (r: X32SetResult | undefined) => {
  if (!r || !('writes' in r)) throw new Error(`expected writes, got ${JSON.stringify(r)}`);
  return r.writes;
};

describe('X32 tree: every leaf answers', () => {
  const { tree } = setup();
  const leaves = tree.leaves();

  it('has the documented number of leaves per tree', () => {
    const counts: Record<string, number> = {};
    for (const l of leaves) counts[l.split('/')[1]] = (counts[l.split('/')[1]] ?? 0) + 1;
    expect(counts).toEqual({ config: 322, ch: 4032, auxin: 696, fxrtn: 672, bus: 1248, mtx: 318, main: 149, dca: 40, headamp: 256, '-stat': 80 });
    expect(leaves.length).toBe(7813);
    expect(new Set(leaves).size).toBe(leaves.length);
  });

  it('answers a GET on every leaf with a value of the leaf’s OSC type', () => {
    for (const address of leaves) {
      const v = tree.get(address);
      expect(v, address).toBeDefined();
      const law = tree.law(address)!;
      expect(v!.type).toBe(law.type);
      if (v!.type === 's') expect(typeof v!.value).toBe('string');
      else if (v!.type === 'i') expect(Number.isInteger(v!.value), address).toBe(true);
      else {
        expect(typeof v!.value).toBe('number');
        expect(v!.value as number, address).toBeGreaterThanOrEqual(0);
        expect(v!.value as number, address).toBeLessThanOrEqual(1);
      }
    }
  });

  it('includes the addresses full-sync apps stall on and renders every node', () => {
    for (const a of ['/main/st/grp/dca', '/main/m/grp/dca', '/main/st/grp/mute', '/bus/16/dyn/mix', '/ch/32/automix/weight', '/dca/8/config/color', '/config/routing/OUT/13-16']) {
      expect(tree.get(a), a).toBeDefined();
    }
    for (const n of tree.nodes()) expect(tree.nodeText(n), n).toMatch(/^\/\S+( \S.*| +\S.*)$/);
    expect(tree.get('/ch/33/mix/fader')).toBeUndefined();
    expect(tree.get('/ch/01/mix')).toBeUndefined();
  });
});

describe('X32 tree: mapped parameters round-trip', () => {
  it('X32 -> mixhost -> X32 is exact at every known value of every mapped leaf of channel 1 and the masters', () => {
    const { tree, put, registry } = setup();
    let clamped = 0;
    const mapped = tree.leaves().filter((a) => tree.mixhostOf(a) && /^\/(ch\/01|bus\/01|fxrtn\/01|main\/st|dca\/1)\//.test(a));
    expect(mapped.length).toBe(71);
    let checked = 0;
    for (const address of mapped) {
      const law = tree.law(address)!;
      if (law.kind === 'string') continue;
      for (let k = 0; k < law.steps; k++) {
        const wire = law.type === 'f' ? k / (law.steps - 1) : law.min + k;
        const w = writes(tree.set(address, wire));
        for (const x of w) put(x.address, x.value);
        const back = tree.get(address)!.value;
        // Exact, except where the X32 range exceeds mixhost's: the compressor's key filter goes to
        // 20 kHz, mixhost's side-chain high-pass to 600 Hz: such values come back clamped.
        // (A 100:1 ratio is kept at 50:1, whose nearest X32 ratio is 100 again: exact.)
        const d = registry.descriptor(tree.mixhostOf(address)!);
        const shown = law.fromWire(wire)!;
        // VEQ has no mixhost counterpart: it is set as a peak band and reads back as PEQ.
        const veq = /\/eq\/\d\/type$/.test(address) && wire === 3;
        // Send taps: mixhost has pre and post only; IN/LC, <-EQ, EQ-> read back as PRE, GRP as POST.
        const tap = /\/mix\/\d\d\/type$/.test(address) ? (wire <= 3 ? 3 : 4) : undefined;
        const expected = tap ?? (veq ? 2 : law.kind === 'enum' || d.unit === 'switch' ? wire : law.toWire(Math.min(Math.max(shown, d.min), d.max)));
        if (expected !== wire && !veq && tap === undefined) clamped++;
        expect(back, `${address} k=${k}`).toBe(expected);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(3000);
    expect(clamped).toBe(102); // the key filter's known values 99..200 (612 Hz .. 20 kHz)
  });

  it('mixhost -> X32 -> mixhost stays within one X32 step of every mapped value', () => {
    const { tree, registry, put, table } = setup();
    const converted = /\/(mix\/on|dca\/\d\/on|dyn\/ratio|dyn\/knee|eq\/\d\/type|mix\/\d\d\/type)$/;
    const mapped = tree.leaves().filter((a) => tree.mixhostOf(a) && !converted.test(a));
    expect(mapped.length).toBeGreaterThan(1000);
    for (const address of mapped) {
      const law = tree.law(address)!;
      if (law.kind === 'string') continue;
      const d = registry.descriptor(tree.mixhostOf(address)!);
      for (const pos of [0, 0.13, 0.5, 0.77, 1]) {
        const v = put(d.address, d.taper.fromPosition(pos));
        const wire = tree.get(address)!.value as number;
        const [w] = writes(tree.set(address, wire));
        expect(w.address).toBe(d.address);
        // the mixhost value lands on a known X32 value within one step of where it was
        const step = 1 / (law.steps - 1);
        expect(Math.abs(law.toFloat(w.value) - law.toFloat(v)), `${address} at ${v}`).toBeLessThanOrEqual(step + 1e-12);
        registry.set(table, d.address, d.default);
      }
    }
  });

  it('inverts mute into X32 "on" (1 = unmuted) for channels, buses, FX returns, main and DCAs', () => {
    const { tree, put } = setup();
    const pairs: Array<[string, string]> = [
      ['/ch/01/mix/on', 'ch/1/mute'],
      ['/bus/02/mix/on', 'bus/2/mute'],
      ['/fxrtn/01/mix/on', 'fx/1/mute'],
      ['/main/st/mix/on', 'master/mute'],
      ['/dca/3/on', 'vca/3/mute'],
    ];
    for (const [x, m] of pairs) {
      put(m, 1);
      expect(tree.get(x)!.value).toBe(0);
      expect(writes(tree.set(x, 1))).toEqual([{ address: m, value: 0 }]);
      expect(writes(tree.set(x, 'OFF'))).toEqual([{ address: m, value: 1 }]);
    }
  });
});

describe('X32 tree: solo', () => {
  it('maps the solo switches 01-32 onto the channels\' solo, and the channel solo mode onto PFL/AFL', () => {
    const { tree, put } = setup();
    put('ch/7/solo', 1);
    expect(tree.get('/-stat/solosw/07')).toMatchObject({ type: 'i', value: 1 });
    expect(tree.get('/-stat/solosw/08')).toMatchObject({ type: 'i', value: 0 });
    expect(writes(tree.set('/-stat/solosw/08', 1))).toEqual([{ address: 'ch/8/solo', value: 1 }]);
    expect(writes(tree.set('/-stat/solosw/32', 'ON'))).toEqual([{ address: 'ch/32/solo', value: 1 }]);
    // Solo switches past the channels (aux ins, FX returns, buses, main, DCAs) have no mixhost solo.
    expect(tree.set('/-stat/solosw/41', 1)).toEqual({ ignored: '/-stat/solosw/41 has no mixhost equivalent' });
    expect(tree.nodeText('-stat/solosw')!.split(' ')).toHaveLength(81);
    put('monitor/solo/mode', 1); // pfl
    expect(tree.get('/config/solo/chmode')!.value).toBe(0);
    put('monitor/solo/mode', 2); // sip: after the fader, as AFL
    expect(tree.get('/config/solo/chmode')!.value).toBe(1);
    expect(writes(tree.set('/config/solo/chmode', 0))).toEqual([{ address: 'monitor/solo/mode', value: 1 }]);
    expect(writes(tree.set('/config/solo/chmode', 'AFL'))).toEqual([{ address: 'monitor/solo/mode', value: 0 }]);
  });
});

describe('X32 tree: conversions', () => {
  it('maps sends: 01-08 aux, 09-10 FX, 11-14 group assignments, 15-16 unmapped', () => {
    const { tree, info, put } = setup();
    expect([1, 8, 9, 10, 11, 14, 15].map((m) => busTarget(info, m))).toEqual([
      { kind: 'aux', n: 1 },
      { kind: 'aux', n: 8 },
      { kind: 'fx', n: 1 },
      { kind: 'fx', n: 2 },
      { kind: 'group', n: 1 },
      { kind: 'group', n: 4 },
      undefined,
    ]);
    expect(tree.mixhostOf('/ch/01/mix/03/level')).toBe('ch/1/send/3/level');
    expect(tree.mixhostOf('/ch/02/mix/09/level')).toBe('ch/2/fx/1/level');
    expect(tree.mixhostOf('/ch/01/mix/11/on')).toBe('ch/1/group/1');
    expect(tree.mixhostOf('/bus/12/mix/fader')).toBe('group/2/fader');
    put('ch/1/send/1/level', -6);
    expect(tree.get('/ch/01/mix/01/level')!.value).toBe(96 / 160); // −6 dB = (−6 + 30)/40 = 0.6, step 96 of 160
    put('ch/1/send/1/pre', 0);
    expect(tree.nodeText('ch/01/mix/01')).toBe('/ch/01/mix/01 ON  -6.0 +0 POST 0');
    expect(writes(tree.set('/ch/01/mix/01/type', 'PRE'))).toEqual([{ address: 'ch/1/send/1/pre', value: 1 }]);
    expect(tree.set('/ch/01/mix/01/on', 0)).toEqual({ ignored: expect.stringContaining('no on switch') });
    expect(tree.set('/ch/01/mix/15/level', 0.5)).toEqual({ ignored: '/ch/01/mix/15/level has no mixhost equivalent' });
  });

  it('maps the DCA bitmask onto the channel’s VCA switches', () => {
    const { tree, put } = setup();
    put('ch/4/vca/1', 1);
    put('ch/4/vca/3', 1);
    expect(tree.get('/ch/04/grp/dca')!.value).toBe(5);
    expect(tree.nodeText('/ch/04/grp')).toBe('/ch/04/grp %00000101 %000000');
    const w = writes(tree.set('/ch/04/grp/dca', 0b10000010));
    expect(w.map((x) => x.value)).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
    expect(tree.affected('ch/4/vca/8')).toEqual(['/ch/04/grp/dca']);
  });

  it('maps EQ types to the nearest mixhost type and gate modes to gate/expander ratios', () => {
    const { tree, put } = setup();
    expect(writes(tree.set('/ch/01/eq/2/type', 'HCut'))).toEqual([{ address: 'ch/1/eq/2/type', value: 3 }]);
    expect(writes(tree.set('/ch/01/eq/2/type', 0))).toEqual([{ address: 'ch/1/eq/2/type', value: 4 }]);
    expect(writes(tree.set('/ch/01/eq/2/type', 'VEQ'))).toEqual([{ address: 'ch/1/eq/2/type', value: 0 }]);
    put('ch/1/eq/2/type', 1);
    expect(tree.get('/ch/01/eq/2/type')!.value).toBe(1); // lowshelf -> LShv
    expect(writes(tree.set('/ch/01/gate/mode', 'EXP3'))).toEqual([
      { address: 'ch/1/gate/mode', value: 1 },
      { address: 'ch/1/gate/ratio', value: 3 },
    ]);
    expect(tree.set('/ch/01/gate/mode', 'DUCK')).toEqual({ ignored: expect.stringContaining('ducking') });
    put('ch/1/comp/ratio', 3.3);
    expect(tree.nodeText('ch/01/dyn')?.split(' ')[6]).toBe('3.0');
  });

  it('answers names and nearest colours from the session; a SET of a name is ignored', () => {
    const { tree } = setup();
    expect(tree.nodeText('ch/01/config')).toBe('/ch/01/config "Kick" 1 RD 1');
    expect(tree.nodeText('/ch/32/config')).toBe('/ch/32/config "Ch 32" 1 YE 32');
    expect(tree.get('/ch/01/config/name')).toEqual({ value: 'Kick', type: 's', display: 'Kick' });
    expect(tree.set('/ch/01/config/name', 'Bass')).toEqual({ ignored: expect.stringContaining('session data') });
    expect(['#d04040', '#d0a040', '#40d070', '#40a0a0', '#4070d0', '#a040d0', '#f0f0f0', '#101010'].map((c) => nearestColour(c, -1))).toEqual([1, 3, 2, 6, 4, 5, 7, 0]);
  });

  it('renders node text in display units (X32doc/scene-file form)', () => {
    const { tree, put } = setup();
    put('ch/1/fader', -12.5);
    put('ch/1/pan', -30);
    expect(tree.nodeText('ch/01/mix')).toBe('/ch/01/mix ON -12.5 ON -30 OFF   -oo');
    put('ch/1/eq/1/freq', 1390);
    put('ch/1/eq/1/gain', -6);
    // 1390 Hz is shown at the nearest of the 201 known frequencies, 1.40 kHz (step 123)
    expect(tree.nodeText('ch/01/eq/1')).toBe('/ch/01/eq/1 LShv 1k40 -6.00 0.7');
    expect(tree.nodeText('/ch/01/mix/fader')).toBe('/ch/01/mix/fader -12.5');
    expect(tree.nodeLeaves('ch/01/eq/1')).toEqual(['/ch/01/eq/1/type', '/ch/01/eq/1/f', '/ch/01/eq/1/g', '/ch/01/eq/1/q']);
    expect(tree.nodeText('ch/99/mix')).toBeUndefined();
  });

  it('tells unknown addresses (undefined) from bad values and unmapped leaves (ignored)', () => {
    const { tree } = setup();
    expect(tree.set('/ch/01/mix/volume', 0.5)).toBeUndefined();
    expect(tree.set('/ch/01/mix/fader', 1.5)).toEqual({ ignored: expect.stringContaining('does not fit') });
    expect(tree.set('/ch/01/mix/fader', 'loud')).toEqual({ ignored: expect.stringContaining('does not fit') });
    expect(tree.set('/mtx/01/mix/fader', 0.5)).toEqual({ ignored: '/mtx/01/mix/fader has no mixhost equivalent' });
    expect(tree.affected('ch/1/fader')).toEqual(['/ch/01/mix/fader']);
    expect(tree.affected('ch/1/gate/ratio')).toEqual(['/ch/01/gate/mode']);
  });
});
