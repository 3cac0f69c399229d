import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_END, REFERENCE_START, sessionReferenceMarkdown, withReference } from '../../src/cli/write-schema.js';
import { demoSession } from '../../src/model/demo-session.js';
import { defaultLayout } from '../../src/model/layout.js';
import { ParamRegistry } from '../../src/model/registry.js';
import {
  CHANNEL_BINDINGS,
  SESSION_DEMO_STEMS,
  SessionError,
  applySession,
  loadSessionFile,
  locateJsonError,
  parseSession,
  pickSourceChannels,
  resolveSourcePath,
  sessionFromParams,
  sessionJsonSchema,
  sessionLayout,
  sessionSchemaText,
  type AnyBindings,
  type Session,
} from '../../src/model/session.js';

const root = new URL('../../', import.meta.url);

/** A session that sets every kind of field at least once. */
const FULL = {
  format: 'mixhost-session',
  version: 1,
  name: 'Test gig',
  sampleRate: 44100,
  tailSeconds: 4,
  channels: [
    {
      name: 'Kick',
      color: '#D04040',
      stereo: false,
      source: { file: 'stems/kick.wav', channel: 2 },
      trim: 6.5,
      polarity: true,
      hpf: { on: true, freq: 45, slope: 18 },
      gate: { on: true, mode: 'expander', threshold: -33, range: 25, ratio: 3, attack: 0.3, hold: 0, release: 200, hysteresis: 5 },
      eqOn: false,
      eq: [{ type: 'peak', freq: 70, gain: 4, q: 2 }, { freq: 12000, gain: -3 }, {}, { type: 'lowpass', q: 0.5 }],
      comp: { on: true, threshold: -30, ratio: 6, knee: 0, attack: 0.05, release: 4000, makeup: 5, scHpf: { on: true, freq: 150 } },
      pan: -35,
      fader: -7.5,
      mute: true,
      solo: true,
      soloSafe: true,
      main: false,
      sends: [
        { bus: 3, level: -10, pre: false },
        { bus: 8, level: 10 },
      ],
      fxSends: [{ fx: 2, level: -15, pre: true }],
      groups: [1, 3],
      vcas: [2, 8],
    },
    { name: 'Pad', stereo: true, source: { demo: 'pad' }, pan: 40 },
    { name: 'Vox', source: { input: 3 }, fader: -90 },
    {},
  ],
  buses: [{ name: 'Drum IEM' }, { name: 'Wedge', fader: -3, mute: true, pan: 20 }],
  fx: [
    { type: 'reverb', name: 'Plate', fader: -1, mute: false, pan: -10, decay: 3.5, predelay: 40, damping: 70 },
    { type: 'delay', name: 'Slap', time: 120, sync: true, tempo: 96, division: '1/4.', feedback: 50, highcut: 4000, pingpong: true },
  ],
  groups: [{ name: 'Drums', fader: -2, pan: 15 }],
  vcas: [{ name: 'Vocals' }, {}, { name: 'FX', fader: -6, mute: true }],
  master: { fader: -1, mute: false, pan: 5 },
  monitor: { level: -12, soloMode: 'sip' },
};

const clone = <T>(x: T): T => structuredClone(x);
const text = (x: unknown): string => JSON.stringify(x, null, 2);

/** Parse expecting a SessionError; returns it. */
function failure(source: string, origin?: string): SessionError {
  try {
    parseSession(source, origin);
  } catch (e) {
    expect(e).toBeInstanceOf(SessionError);
    return e as SessionError;
  }
  throw new Error('expected the session to be rejected');
}

function applied(s: Session): { reg: ParamRegistry; table: Float64Array } {
  const reg = new ParamRegistry(sessionLayout(s));
  const table = reg.createTable();
  applySession(s, reg, table);
  return { reg, table };
}

/** Independent path printer for the tests: ['a', 0, 'b'] -> a[0].b. */
const pathText = (path: readonly (string | number)[]): string =>
  path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');

describe('a valid session', () => {
  it('parses and applies every given value to its address', () => {
    const s = parseSession(text(FULL));
    const { reg, table } = applied(s);
    const v = (a: string) => reg.get(table, a);
    expect(v('ch/1/trim')).toBe(6.5);
    expect(v('ch/1/polarity')).toBe(1);
    expect(v('ch/1/hpf/freq')).toBe(45);
    expect(v('ch/1/hpf/slope')).toBe(1); // '18' is HPF_SLOPES[1]
    expect(v('ch/1/gate/mode')).toBe(1); // expander
    expect(v('ch/1/gate/hold')).toBe(0);
    expect(v('ch/1/eq/on')).toBe(0);
    expect(v('ch/1/eq/1/type')).toBe(0); // peak
    expect(v('ch/1/eq/2/freq')).toBe(12000);
    expect(v('ch/1/eq/2/type')).toBe(0); // band 2 default: peak
    expect(v('ch/1/eq/4/type')).toBe(3); // lowpass
    expect(v('ch/1/eq/4/freq')).toBe(8000); // default kept
    expect(v('ch/1/comp/attack')).toBe(0.05);
    expect(v('ch/1/comp/schpf/freq')).toBe(150);
    expect(v('ch/1/pan')).toBe(-35);
    expect(v('ch/1/solosafe')).toBe(1);
    expect(v('ch/1/main')).toBe(0);
    expect(v('ch/1/send/3/level')).toBe(-10);
    expect(v('ch/1/send/3/pre')).toBe(0);
    expect(v('ch/1/send/8/level')).toBe(10);
    expect(v('ch/1/send/8/pre')).toBe(1); // default pre
    expect(v('ch/1/send/1/level')).toBe(-90); // not given: off
    expect(v('ch/1/fx/2/level')).toBe(-15);
    expect(v('ch/1/fx/2/pre')).toBe(1);
    expect([1, 2, 3, 4].map((g) => v(`ch/1/group/${g}`))).toEqual([1, 0, 1, 0]);
    expect([1, 2, 8].map((g) => v(`ch/1/vca/${g}`))).toEqual([0, 1, 1]);
    expect(v('ch/2/pan')).toBe(40);
    expect(v('ch/3/fader')).toBe(-90);
    expect(v('bus/2/fader')).toBe(-3);
    expect(v('bus/2/pan')).toBe(20);
    expect(v('fx/1/reverb/decay')).toBe(3.5);
    expect(v('fx/1/pan')).toBe(-10);
    expect(v('fx/2/delay/time')).toBe(120);
    expect(v('fx/2/delay/division')).toBe(3); // '1/4.'
    expect(v('fx/2/delay/pingpong')).toBe(1);
    expect(v('group/1/pan')).toBe(15);
    expect(v('vca/3/mute')).toBe(1);
    expect(v('master/pan')).toBe(5);
    expect(v('monitor/level')).toBe(-12);
    expect(v('monitor/solo/mode')).toBe(2); // sip
  });

  it('gives the layout: stereo flags, FX kinds per slot, fixed bus counts', () => {
    const s = parseSession(text(FULL));
    const layout = sessionLayout(s);
    expect(layout.channels.map((c) => c.stereo)).toEqual([false, true, false, false]);
    expect(layout.fxBuses).toEqual(['reverb', 'delay']);
    expect([layout.auxBuses, layout.groups, layout.vcas]).toEqual([8, 4, 8]);
    const two = parseSession(text({ format: 'mixhost-session', version: 1, channels: [{}], fx: [{ type: 'delay' }] }));
    expect(sessionLayout(two).fxBuses).toEqual(['delay', 'delay']); // slot 2 keeps its default kind
    const swapped = parseSession(text({ format: 'mixhost-session', version: 1, channels: [{}], fx: [{ type: 'delay' }, { type: 'reverb', decay: 5 }] }));
    const { reg, table } = applied(swapped);
    expect(reg.get(table, 'fx/2/reverb/decay')).toBe(5);
    expect(reg.find('fx/1/reverb/decay')).toBe(-1);
  });

  it('fills defaults: a minimal session gives the default table, whatever the table held', () => {
    const s = parseSession('{"format":"mixhost-session","version":1,"channels":[{},{}]}');
    expect(s.channels).toEqual([{}, {}]); // the parsed shape does not fill defaults
    const reg = new ParamRegistry(sessionLayout(s));
    const table = reg.createTable();
    reg.descriptors.forEach((d, i) => (table[i] = d.max)); // garbage from an earlier mix
    applySession(s, reg, table);
    expect(Array.from(table)).toEqual(Array.from(reg.createTable()));
    expect(reg.get(table, 'ch/2/eq/on')).toBe(1);
    expect(reg.get(table, 'ch/2/eq/4/freq')).toBe(8000);
  });

  it('accepts the lead demo session and every JSON example in docs/session.md', async () => {
    expect(() => parseSession(JSON.stringify(demoSession()))).not.toThrow();
    const doc = await readFile(new URL('docs/session.md', root), 'utf8');
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const b of blocks) expect(parseSession(b).format).toBe('mixhost-session');
  });

  it('strips a byte-order mark and allows "$schema"', () => {
    const s = parseSession(`\uFEFF{"$schema":"./session.schema.json","format":"mixhost-session","version":1,"channels":[{}]}`);
    expect(s.channels.length).toBe(1);
  });
});

describe('error messages', () => {
  const base = () => clone(FULL) as Record<string, any>;
  const cases: Array<[string, (s: Record<string, any>) => void, string]> = [
    ['EQ frequency', (s) => (s.channels[3] = { eq: [{}, { freq: 40000 }] }), 'channels[3].eq[1].freq: 40000 Hz is above 20000 Hz'],
    ['fader', (s) => (s.channels[0].fader = 12), 'channels[0].fader: 12 dB is above 10 dB'],
    ['HPF slope', (s) => (s.channels[2].hpf = { slope: 30 }), 'channels[2].hpf.slope: 30 is not one of 12, 18, 24'],
    ['send bus', (s) => (s.channels[1].sends = [{ bus: 9 }]), 'channels[1].sends[0].bus: 9 is above 8 (there are 8 aux buses)'],
    ['unknown field', (s) => (s.master.mutee = true), 'master.mutee: unknown field'],
    ['gate mode', (s) => s.channels.push({}, { gate: { mode: 'gaet' } }), 'channels[5].gate.mode: "gaet" is not one of gate, expander'],
    ['no channels', (s) => (s.channels = []), 'channels: at least one channel is required'],
    ['below range with unit', (s) => (s.channels[0].comp.ratio = 0.5), 'channels[0].comp.ratio: 0.5:1 is below 1:1'],
    ['wrong type', (s) => (s.channels[0].mute = 1), 'channels[0].mute: expected true or false, got 1'],
    ['number as string', (s) => (s.channels[0].trim = '3'), 'channels[0].trim: expected a number (dB), got "3"'],
    ['missing bus', (s) => (s.channels[0].sends = [{ level: 0 }]), 'channels[0].sends[0].bus: missing, expected a whole number 1 to 8'],
    ['fractional bus', (s) => (s.channels[0].sends = [{ bus: 1.5 }]), 'channels[0].sends[0].bus: 1.5 is not a whole number'],
    ['duplicate send', (s) => (s.channels[0].sends = [{ bus: 2 }, { bus: 2, level: 0 }]), 'channels[0].sends[1].bus: aux bus 2 is already set by sends[0]'],
    ['duplicate group', (s) => (s.channels[0].groups = [4, 4]), 'channels[0].groups[1]: group 4 is listed twice'],
    ['group range', (s) => (s.channels[0].groups = [5]), 'channels[0].groups[0]: 5 is above 4 (there are 4 groups)'],
    ['fx kind', (s) => (s.fx[0].type = 'chorus'), 'fx[0].type: "chorus" is not one of reverb, delay'],
    ['fx type missing', (s) => delete s.fx[1].type, 'fx[1].type: missing, expected one of reverb, delay'],
    ['fx setting of the other kind', (s) => (s.fx[1].decay = 2), 'fx[1].decay: unknown field (decay is a reverb setting; this entry is a delay)'],
    ['too many fx', (s) => s.fx.push({ type: 'reverb' }), 'fx: 3 entries, but there are only 2 FX buses'],
    ['two source kinds', (s) => (s.channels[1].source = { demo: 'pad', input: 2 }), 'channels[1].source.input: a source has one of "file", "demo" or "input", not both "demo" and "input"'],
    ['channel without file', (s) => (s.channels[1].source = { demo: 'pad', channel: 2 }), 'channels[1].source.channel: "channel" picks a channel of a "file" source and needs "file"'],
    ['empty source', (s) => (s.channels[1].source = {}), 'channels[1].source: needs one of "file", "demo" or "input"'],
    ['stereo on the last input', (s) => (s.channels[1].source = { input: 256 }), 'channels[1].source.input: 256 is the last one there can be, but a stereo channel takes this one and the next (256 and 257)'],
    ['unknown demo', (s) => (s.channels[1].source = { demo: 'cowbell' }), 'channels[1].source.demo: "cowbell" is not one of kick, snare, hats, bass, pad, lead, vox'],
    ['colour', (s) => (s.channels[0].color = 'red'), 'channels[0].color: "red" is not a colour of the form #rrggbb'],
    ['sample rate', (s) => (s.sampleRate = 48001), 'sampleRate: 48001 Hz is not one of 22050, 32000, 44100, 48000, 88200, 96000, 176400, 192000'],
    ['five EQ bands', (s) => (s.channels[0].eq = [{}, {}, {}, {}, {}]), 'channels[0].eq: 5 bands, but a channel has 4 EQ bands'],
    ['odd key', (s) => (s['my key'] = 1), '["my key"]: unknown field'],
  ];
  for (const [what, mutate, line] of cases) {
    it(`${what}: ${line}`, () => {
      const s = base();
      mutate(s);
      const e = failure(text(s), 'gig.json');
      expect(e.code).toBe('E_SESSION_INVALID');
      expect(e.issues).toEqual([line]);
      expect(e.message).toBe(`gig.json: 1 problem in the session\n  ${line}`);
    });
  }

  it('lists every problem, capped at 20 lines in the message', () => {
    const s = base();
    s.channels = Array.from({ length: 30 }, () => ({ fader: 20 }));
    const e = failure(text(s));
    expect(e.issues.length).toBe(30);
    expect(e.issues[29]).toBe('channels[29].fader: 20 dB is above 10 dB');
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('session: 30 problems in the session');
    expect(lines.length).toBe(22);
    expect(lines[21]).toBe('  … and 10 more');
  });

  it('matches the error example printed in docs/session.md', async () => {
    const broken = `{
  "format": "mixhost-session", "version": 1,
  "channels": [
    { "name": "Kick", "fader": 12, "hpf": { "on": true, "slope": 30 } },
    { "name": "Vox", "eq": [ {}, { "freq": 40000 } ], "gate": { "mode": "gaet" },
      "sends": [ { "bus": 9, "level": -10 } ] }
  ],
  "master": { "mutee": true }
}`;
    const doc = await readFile(new URL('docs/session.md', root), 'utf8');
    const blocks = [...doc.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1].trimEnd());
    expect(blocks).toContain(failure(broken, 'gig.json').message);
    const noComma = '{\n  "format": "mixhost-session",\n  "version": 1\n  "channels": [ { "name": "Kick" } ]\n}';
    expect(blocks).toContain(failure(noComma, 'gig.json').message);
  });
});

describe('JSON syntax errors', () => {
  const cases: Array<[string, string, string]> = [
    ['missing comma', '{\n  "format": "mixhost-session",\n  "version": 1\n  "channels": []\n}', "line 3, column 15: missing ',' after a property value"],
    ['trailing comma', '{"a": [1, 2,],\n "b": 1}', "line 1, column 12: trailing comma before ']' is not allowed in JSON"],
    ['bare word', '{\n"a": tru}', "line 2, column 6: unknown word 'tru' (a value is true, false, null, a number, a \"string\", an object or a list)"],
    ['comment', '{\n  // the kick\n  "a": 1}', 'line 2, column 3: comments are not allowed in JSON'],
    ['unterminated string', '{"a": "abc', 'line 1, column 7: unterminated string'],
    ['single quotes', "{'a': 1}", 'line 1, column 2: property names need double quotes'],
    ['empty file', '', 'line 1, column 1: unexpected end of the file, expected a value'],
    ['unclosed', '{"a": 1', "line 1, column 8: unexpected end of the file inside an object (missing '}')"],
    ['extra text', '{"a": 1} x', 'line 1, column 10: unexpected text after the end of the session object'],
    ['leading zero', '{"a": 01}', 'line 1, column 7: invalid number'],
    ['missing colon', '{"a" 1}', "line 1, column 6: expected ':' after the property name, found '1'"],
  ];
  for (const [what, src, line] of cases) {
    it(`${what} -> ${line}`, () => {
      expect(() => JSON.parse(src)).toThrow(); // the case really is invalid JSON
      const e = failure(src, 'x.json');
      expect(e.code).toBe('E_SESSION_JSON');
      expect(e.issues).toEqual([line]);
      expect(e.message.split('\n').slice(0, 2)).toEqual(['x.json: not valid JSON', `  ${line}`]);
    });
  }

  it('shows the line with a caret under the column', () => {
    const e = failure('{\n  "a": 1,\n  "b": @\n}');
    expect(e.message.split('\n').slice(1)).toEqual(["  line 3, column 8: unexpected '@', expected a value", '      "b": @', '           ^']);
  });

  it('finds no error in valid JSON, and never escapes with a stack trace on deep nesting', () => {
    expect(locateJsonError(text(FULL))).toBeUndefined();
    const e = failure('['.repeat(20000));
    expect(e.code).toBe('E_SESSION_JSON');
    expect(e.issues).toEqual(['line 1, column 20001: Unexpected end of JSON input']);
  });
});

describe('format and version', () => {
  const cases: Array<[string, string]> = [
    ['{"format":"other","version":1,"channels":[{}]}', 'format: "other" is not "mixhost-session"'],
    ['{"version":1,"channels":[{}]}', 'format: missing, expected "mixhost-session"'],
    ['{"format":"mixhost-session","version":2,"channels":[{}]}', 'version: 2 is newer than this mixhost reads (supported versions: 1)'],
    ['{"format":"mixhost-session","version":"1","channels":[{}]}', 'version: "1" is not a known version (supported versions: 1)'],
    ['{"format":"mixhost-session","channels":[{}]}', 'version: missing (supported versions: 1)'],
    ['[1, 2]', 'session: the file holds a list, not a session object {"format": "mixhost-session", ...}'],
    ['null', 'session: the file holds null, not a session object {"format": "mixhost-session", ...}'],
  ];
  for (const [src, line] of cases) {
    it(line, () => {
      const e = failure(src);
      expect(e.code).toBe('E_SESSION_FORMAT');
      expect(e.issues).toEqual([line]);
    });
  }
});

/** xorshift32, so the mutations are the same on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

type Path = (string | number)[];
function leaves(v: unknown, path: Path = [], out: Array<{ path: Path; value: unknown }> = []) {
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) leaves(x, [...path, Array.isArray(v) ? Number(k) : k], out);
  } else out.push({ path, value: v });
  return out;
}
function setAt(root: any, path: Path, value: unknown): void {
  let o = root;
  for (const k of path.slice(0, -1)) o = o[k];
  o[path[path.length - 1]] = value;
}
function getAt(root: any, path: Path): any {
  return path.reduce((o, k) => o[k], root);
}

/**
 * A small JSON Schema checker (the keywords the session schema uses), to show the published
 * schema accepts and rejects what the parser does.
 */
function schemaErrors(s: any, v: unknown, at = ''): string[] {
  const errs: string[] = [];
  const t = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
  if (s.type === 'integer' ? !Number.isInteger(v) : s.type !== undefined && s.type !== t) return [`${at}: type`];
  if (s.const !== undefined && v !== s.const) errs.push(`${at}: const`);
  if (s.enum && !s.enum.includes(v)) errs.push(`${at}: enum`);
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) errs.push(`${at}: minimum`);
    if (s.maximum !== undefined && v > s.maximum) errs.push(`${at}: maximum`);
  }
  if (typeof v === 'string') {
    if (s.pattern && !new RegExp(s.pattern).test(v)) errs.push(`${at}: pattern`);
    if (s.maxLength !== undefined && v.length > s.maxLength) errs.push(`${at}: maxLength`);
    if (s.minLength !== undefined && v.length < s.minLength) errs.push(`${at}: minLength`);
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) errs.push(`${at}: minItems`);
    if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(`${at}: maxItems`);
    v.forEach((x, i) => {
      const item = s.prefixItems && i < s.prefixItems.length ? s.prefixItems[i] : s.items;
      if (item === false) errs.push(`${at}[${i}]: items`);
      else if (item) errs.push(...schemaErrors(item, x, `${at}[${i}]`));
    });
  }
  if (t === 'object') {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) errs.push(`${at}.${r}: required`);
    for (const [k, x] of Object.entries(o)) {
      if (s.properties?.[k]) errs.push(...schemaErrors(s.properties[k], x, `${at}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${at}.${k}: additional`);
    }
  }
  if (s.oneOf && s.oneOf.filter((b: unknown) => schemaErrors(b, v, at).length === 0).length !== 1) errs.push(`${at}: oneOf`);
  return errs;
}

describe('random mutations', () => {
  it('each gives E_SESSION_INVALID naming the mutated path, and the JSON Schema rejects it too', () => {
    const rand = rng(0x5e55);
    const all = leaves(FULL).filter((l) => !['format', 'version'].includes(String(l.path[0])));
    const schema = sessionJsonSchema();
    expect(schemaErrors(schema, FULL)).toEqual([]);
    const kinds = new Set<string>();
    for (let n = 0; n < 60; n++) {
      const { path, value } = all[Math.floor(rand() * all.length)];
      const s = clone(FULL) as Record<string, any>;
      const r = rand();
      let where: Path;
      if (r < 0.35) {
        kinds.add('type');
        setAt(s, path, typeof value === 'string' ? 42 : typeof value === 'number' ? String(value) : 1);
        where = path;
      } else if (r < 0.7 && typeof value === 'number') {
        kinds.add('range');
        setAt(s, path, n % 2 === 0 ? 1e9 : -1e9);
        where = path;
      } else {
        kinds.add('unknown key');
        let parent = path.slice(0, -1);
        if (Array.isArray(getAt(s, parent))) parent = parent.slice(0, -1); // groups: [1, 3]
        getAt(s, parent)[`zz${n}`] = true;
        where = [...parent, `zz${n}`];
      }
      const e = failure(text(s));
      expect(e.code).toBe('E_SESSION_INVALID');
      expect(e.issues.length, e.message).toBe(1);
      expect(e.issues[0].startsWith(`${pathText(where)}: `), e.message).toBe(true);
      expect(schemaErrors(schema, s).length, `${pathText(where)} in the JSON Schema`).toBeGreaterThan(0);
    }
    expect([...kinds].sort()).toEqual(['range', 'type', 'unknown key']);
  });
});

describe('saving: sessionFromParams', () => {
  it('round-trips: apply(sessionFromParams(apply(s))) gives the same table, with names and sources kept', () => {
    const s = parseSession(text(FULL));
    const first = applied(s);
    const meta = {
      name: s.name,
      sampleRate: s.sampleRate,
      tailSeconds: s.tailSeconds,
      channels: s.channels.map((c) => ({ name: c.name, color: c.color, source: c.source })),
      buses: s.buses,
      fx: s.fx,
      groups: s.groups,
      vcas: s.vcas,
    };
    const saved = parseSession(text(sessionFromParams(first.reg, first.table, meta)));
    const second = applied(saved);
    expect(Array.from(second.table)).toEqual(Array.from(first.table));
    expect(sessionLayout(saved)).toEqual(sessionLayout(s));
    expect(saved.channels[0]).toMatchObject({ name: 'Kick', color: '#D04040', source: { file: 'stems/kick.wav', channel: 2 }, groups: [1, 3], vcas: [2, 8] });
    expect(saved.channels[1]).toMatchObject({ stereo: true, source: { demo: 'pad' } });
    expect(saved.fx?.[1]).toMatchObject({ type: 'delay', name: 'Slap', division: '1/4.' });
    expect(saved.channels[0].hpf).toEqual({ on: true, freq: 45, slope: 18 });
    expect(saved.channels[0].sends?.length).toBe(8); // every value is written out
    expect(saved.monitor).toEqual({ level: -12, soloMode: 'sip', translate: 'off', mono: false });
  });

  it('round-trips a table of random in-range values for every parameter exactly', () => {
    const rand = rng(7);
    const reg = new ParamRegistry({ ...defaultLayout(Array.from({ length: 6 }, (_, i) => ({ stereo: i % 3 === 0 }))), fxBuses: ['delay', 'reverb'] });
    const table = reg.createTable();
    reg.descriptors.forEach((d, i) => {
      const x = d.min + rand() * (d.max - d.min);
      table[i] = d.steps !== undefined ? Math.floor(rand() * d.steps) : x;
      // Live-only parameters (a loudness reset, the loudness tap's source) are not saved.
      if (d.transient) table[i] = d.default;
    });
    expect(reg.descriptors.filter((d) => d.transient).map((d) => d.address)).toEqual(['master/meter/reset', 'loudness/source', 'loudness/reset']);
    const saved = parseSession(text(sessionFromParams(reg, table)));
    expect(sessionLayout(saved)).toEqual(reg.layout);
    const again = reg.createTable();
    applySession(saved, reg, again);
    expect(Array.from(again)).toEqual(Array.from(table));
  });
});

describe('applying to a mixer of another layout', () => {
  it('refuses with E_SESSION_LAYOUT and says why', () => {
    const s = parseSession(text(FULL));
    const small = new ParamRegistry(defaultLayout([{ stereo: false }]));
    expect(() => applySession(s, small, small.createTable())).toThrow(/channels: the session has 4 channels, the mixer 1/);
    const swapped = new ParamRegistry({ ...defaultLayout(Array.from({ length: 4 }, () => ({ stereo: false }))), fxBuses: ['delay', 'reverb'] });
    try {
      applySession(s, swapped, swapped.createTable());
      throw new Error('expected a layout error');
    } catch (e) {
      expect((e as SessionError).code).toBe('E_SESSION_LAYOUT');
      expect((e as SessionError).issues).toEqual([`fx[0].type: "reverb", but the mixer's FX 1 is a delay`, `fx[1].type: "delay", but the mixer's FX 2 is a reverb`]);
    }
  });
});

describe('files and sources', () => {
  it('loads a file, and says plainly when it cannot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mixhost-session-'));
    try {
      const file = join(dir, 'gig.json');
      await writeFile(file, text(FULL));
      expect((await loadSessionFile(file)).name).toBe('Test gig');
      const missing = join(dir, 'nope.json');
      await expect(loadSessionFile(missing)).rejects.toMatchObject({ code: 'E_SESSION_READ', issues: ['file not found'], message: `${missing}: cannot read the session file\n  file not found` });
      await expect(loadSessionFile(dir)).rejects.toMatchObject({ code: 'E_SESSION_READ', issues: ['this is a directory, not a session file'] });
      await writeFile(file, '{"format": "mixhost-session", "version": 1, "channels": [{"fader": 11}]}');
      await expect(loadSessionFile(file)).rejects.toMatchObject({ code: 'E_SESSION_INVALID', issues: ['channels[0].fader: 11 dB is above 10 dB'] });
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('resolves stem paths against the session file folder', () => {
    expect(resolveSourcePath('/shows/friday/gig.json', 'stems/kick.wav')).toBe('/shows/friday/stems/kick.wav');
    expect(resolveSourcePath('/shows/friday/gig.json', '../shared/vox.wav')).toBe('/shows/shared/vox.wav');
    expect(resolveSourcePath('/shows/friday/gig.json', '/abs/pad.wav')).toBe('/abs/pad.wav');
  });

  it('picks file channels for mono and stereo strips', () => {
    expect(pickSourceChannels(false, 1)).toEqual([[0]]);
    expect(pickSourceChannels(false, 2)).toEqual([[0, 1]]); // mono downmix
    expect(pickSourceChannels(true, 1)).toEqual([[0], [0]]); // mono file on both sides
    expect(pickSourceChannels(true, 6)).toEqual([[0], [1]]);
    expect(pickSourceChannels(false, 6, 4)).toEqual([[3]]);
    expect(pickSourceChannels(true, 6, 5)).toEqual([[4], [5]]);
    expect(() => pickSourceChannels(true, 6, 6, 'channels[2].source.channel')).toThrow('channels[2].source.channel: the file has 6 channels, but a stereo channel takes channels 6 and 7');
    expect(() => pickSourceChannels(false, 2, 3)).toThrow('source.channel: the file has 2 channels, but it asks for channel 3');
  });

  it('knows the same demo stems as the synthesiser', async (ctx) => {
    const file = new URL('src/audio/demo-stems.ts', root);
    if (!existsSync(file)) ctx.skip();
    const mod = (await import(file.href)) as { DEMO_STEMS: readonly string[] };
    expect([...SESSION_DEMO_STEMS]).toEqual([...mod.DEMO_STEMS]);
  });
});

describe('JSON Schema and generated docs', () => {
  const schema = sessionJsonSchema() as any;
  const reg = new ParamRegistry(defaultLayout([{ stereo: false }]));

  it('is draft 2020-12 and carries ranges, defaults and units from the descriptors', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const ch = schema.properties.channels.items;
    expect(ch.properties.fader.maximum).toBe(10);
    expect(ch.properties.fader.minimum).toBe(-90);
    expect(ch.properties.fader.description).toBe('Fader: -90 dB (off) to 10 dB (default 0 dB).');
    expect(ch.properties.eq.prefixItems[1].properties.freq).toMatchObject({ minimum: 20, maximum: 20000, default: 400, 'x-unit': 'Hz' });
    expect(ch.properties.eq.prefixItems[3].properties.type.default).toBe('highshelf');
    expect(ch.properties.hpf.properties.slope.enum).toEqual([12, 18, 24]);
    expect(ch.properties.sends.items.properties.bus.maximum).toBe(8);
    expect(ch.additionalProperties).toBe(false);
    // Every channel parameter matches its descriptor.
    const walk = (b: AnyBindings, node: any) => {
      for (const [key, v] of Object.entries(b)) {
        const field = node.properties[key];
        if (typeof v !== 'string') {
          walk(v, field);
          continue;
        }
        const d = reg.descriptor(`ch/1/${v}`);
        if (d.unit === 'switch') expect(field.default, key).toBe(d.default === 1);
        else if (d.unit === 'enum') expect(field.enum.length, key).toBe(d.options?.length);
        else expect([field.minimum, field.maximum, field.default], key).toEqual([d.min, d.max, d.default]);
      }
    };
    walk(CHANNEL_BINDINGS as unknown as AnyBindings, ch);
  });

  it('rejects the same out-of-range values as the parser', () => {
    const bad = clone(FULL) as any;
    bad.channels[0].fader = 12;
    expect(schemaErrors(schema, bad)).toEqual(['.channels[0].fader: maximum']);
    bad.channels[0].fader = 0;
    bad.channels[0].hpf.slope = 30;
    expect(schemaErrors(schema, bad)).toEqual(['.channels[0].hpf.slope: enum']);
    bad.channels[0].hpf.slope = 12;
    bad.master.mutee = true;
    expect(schemaErrors(schema, bad)).toEqual(['.master.mutee: additional']);
  });

  it('docs/session.schema.json is what `npm run schema` writes', async () => {
    expect(await readFile(new URL('docs/session.schema.json', root), 'utf8')).toBe(sessionSchemaText());
  });

  it('the reference in docs/session.md is current', async () => {
    const doc = await readFile(new URL('docs/session.md', root), 'utf8');
    expect(doc).toContain(REFERENCE_START);
    expect(doc).toContain(REFERENCE_END);
    expect(withReference(doc, sessionReferenceMarkdown())).toBe(doc);
    expect(sessionReferenceMarkdown()).toContain('| `freq` | number | Hz | 20 … 20000 | `2500` | EQ 3 freq |');
  });
});
