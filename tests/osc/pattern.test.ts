/**
 * OSC 1.0 address patterns: the wildcard forms, mixhost's addresses, malformed patterns, a
 * seeded differential test against a regular expression built from the same rules, and a
 * hostile pattern that a backtracking matcher would take exponential time over.
 */
import { describe, expect, it } from 'vitest';
import { MixhostError } from '../../src/model/errors.js';
import { compilePattern, hasWildcards, matchAll, type PatternMatcher } from '../../src/osc/pattern.js';
import { mulberry32 as prng } from '../helpers/random.js';

function compiled(p: string): PatternMatcher {
  const m = compilePattern(p);
  if (typeof m !== 'function') throw new Error(`'${p}': ${m.error}`);
  return m;
}

/** A console like the demo session's: 32 channels, 8 buses, 8 VCAs, the master. */
const ADDRESSES: string[] = [
  ...Array.from({ length: 32 }, (_, i) => i + 1).flatMap((c) => [
    `ch/${c}/fader`,
    `ch/${c}/mute`,
    `ch/${c}/pan`,
    ...[1, 2, 3, 4].map((b) => `ch/${c}/eq/${b}/gain`),
    ...[1, 2, 3].map((s) => `ch/${c}/send/${s}/level`),
  ]),
  ...Array.from({ length: 8 }, (_, i) => [`bus/${i + 1}/fader`, `bus/${i + 1}/mute`]).flat(),
  ...Array.from({ length: 8 }, (_, i) => `vca/${i + 1}/fader`),
  'master/fader',
  'master/limiter/ceiling',
];

const ch = (ns: number[], leaf: string): string[] => ns.map((n) => `ch/${n}/${leaf}`);
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('mixhost addresses', () => {
  it.each<[string, string[]]>([
    ['/ch/*/mute', ch(range(1, 32), 'mute')],
    ['/ch/[1-4]/fader', ch([1, 2, 3, 4], 'fader')],
    ['/ch/{1,3}/fader', ch([1, 3], 'fader')],
    ['/ch/{3,1}/fader', ch([1, 3], 'fader')],
    ['/bus/?/fader', range(1, 8).map((b) => `bus/${b}/fader`)],
    ['/ch/?/fader', ch(range(1, 9), 'fader')],
    ['/ch/??/fader', ch(range(10, 32), 'fader')],
    ['/ch/[!1-3]/fader', ch(range(4, 9), 'fader')],
    ['/ch/1*/fader', ch([1, ...range(10, 19)], 'fader')],
    ['/ch/*2/pan', ch([2, 12, 22, 32], 'pan')],
    ['/ch/3[0-9]/mute', ch([30, 31, 32], 'mute')],
    ['/ch/[12][!0-8]/mute', ch([19, 29], 'mute')],
    ['/ch/1/eq/*/gain', ['ch/1/eq/1/gain', 'ch/1/eq/2/gain', 'ch/1/eq/3/gain', 'ch/1/eq/4/gain']],
    ['/ch/*/send/2/level', ch(range(1, 32), 'send/2/level')],
    ['/*/1/fader', ['ch/1/fader', 'bus/1/fader', 'vca/1/fader']],
    ['/{bus,vca}/8/fader', ['bus/8/fader', 'vca/8/fader']],
    ['/*/*', ['master/fader']],
    ['/master/*/ceiling', ['master/limiter/ceiling']],
    ['/ch/1/fader', ['ch/1/fader']],
    ['/ch/33/fader', []],
    ['/ch/*', []],
  ])('%s', (pattern, expected) => {
    expect(matchAll(pattern, ADDRESSES)).toEqual(expected);
  });

  it('/ch/*/mute matches no deeper or shallower address', () => {
    const m = compiled('/ch/*/mute');
    expect(m('ch/1/mute')).toBe(true);
    expect(m('/ch/1/mute')).toBe(true);
    expect(m('ch/1/eq/1/gain')).toBe(false);
    expect(m('ch/1/x/mute')).toBe(false);
    expect(m('ch/mute')).toBe(false);
    expect(m('ch/1/mute/')).toBe(false);
    expect(m('ch//mute')).toBe(true); // '*' matches an empty part
    expect(m('bus/1/mute')).toBe(false);
  });

  it('a pattern without wildcards compares the whole address, with or without the leading slash', () => {
    const m = compiled('/ch/1/fader');
    expect([m('ch/1/fader'), m('/ch/1/fader'), m('ch/1/fade'), m('ch/1/faders'), m('ch/11/fader')]).toEqual([true, true, false, false, false]);
    expect(hasWildcards('/ch/1/fader')).toBe(false);
    expect(['/ch/?', '/ch/*', '/ch/[1]', '/ch/{1}', '/a]'].map(hasWildcards)).toEqual([true, true, true, true, true]);
  });

  it("'/' alone matches the root address (the X32 text command)", () => {
    const m = compiled('/');
    expect([m('/'), m('/a')]).toEqual([true, false]);
  });
});

describe('OSC 1.0 rules', () => {
  it.each<[string, string, boolean]>([
    ['/foo/b?r', '/foo/bar', true],
    ['/foo/b?r', '/foo/br', false],
    ['/foo/b?r', '/foo/baar', false],
    ['/foo?bar', '/foo/bar', false], // '?' never matches '/'
    ['/foo*', '/foo', true], // '*' matches zero characters
    ['/foo*', '/foo/bar', false], // nor does '*' cross a part
    ['/*', '/anything', true],
    ['/[abc]x', '/bx', true],
    ['/[abc]x', '/dx', false],
    ['/[a-c]x', '/cx', true],
    ['/[!a-c]x', '/cx', false],
    ['/[!a-c]x', '/dx', true],
    ['/[a-]x', '/-x', true], // '-' last is literal
    ['/[-a]x', '/-x', true], // and first
    ['/[a!]x', '/!x', true], // '!' not first is literal
    ['/[!!]x', '/!x', false],
    ['/[0-9][0-9]', '/07', true],
    ['/{foo,bar}', '/bar', true],
    ['/{foo,bar}', '/foobar', false],
    ['/{foo,bar}*', '/foobar', true],
    ['/{a,ab}c', '/abc', true], // the longer alternative is tried too
    ['/{a,}b', '/b', true], // an empty alternative
    ['/x{1,2}{1,2}', '/x21', true],
    ['/*a*a*b', '/aab', true],
    ['/*a*a*b', '/ab', false],
    ['/a*', '/A', false], // case-sensitive
  ])('%s vs %s: %s', (pattern, address, expected) => {
    expect(compiled(pattern)(address)).toBe(expected);
  });

  it.each<[string, RegExp]>([
    ['ch/1/mute', /start with '\/'/],
    ['', /start with '\/'/],
    ['/ch/[1-4/fader', /unclosed '\[' at 4/],
    ['/ch/{1,3/fader', /unclosed '\{' at 4/],
    ['/ch/1]/fader', /unmatched '\]' at 5/],
    ['/ch/1}/fader', /unmatched '\}' at 5/],
    ['/ch/[]/fader', /empty '\[\]'/],
    ['/ch/[!]/fader', /empty '\[!\]'/],
    ['/ch/[z-a]/fader', /reversed range 'z-a'/],
    ['/ch/{1,*}/fader', /'\*' at 7 inside '\{...\}'/],
    ['/ch/{1,{2}}/fader', /'\{' at 7 inside/],
    ['/ch//fader', /empty part/],
    ['/ch/*/', /empty part/],
    ['/ch/1/', /empty part/],
    ['/ch/a b', /0x20 at 5/],
    ['/ch/[a/b]', /unclosed '\['/],
  ])('malformed %j', (pattern, message) => {
    const m = compilePattern(pattern);
    expect(typeof m).toBe('object');
    expect((m as { error: string }).error).toMatch(message);
  });

  it('matchAll raises E_OSC_PATTERN for a malformed pattern and takes a compiled matcher', () => {
    let err: unknown;
    try {
      matchAll('/ch/[1', ADDRESSES);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MixhostError);
    expect((err as MixhostError).code).toBe('E_OSC_PATTERN');
    expect(matchAll(compiled('/vca/[78]/fader'), ADDRESSES)).toEqual(['vca/7/fader', 'vca/8/fader']);
  });
});


/** Pattern tokens, the regular expression each stands for (within one part), and what it may match. */
const TOKENS: [string, string, string[]][] = [
  ['a', 'a', ['a']],
  ['b', 'b', ['b']],
  ['*', '[^/]*', ['', 'a', 'b-', 'ab']],
  ['?', '[^/]', ['a', 'b', '-']],
  ['[ab]', '[ab]', ['a', 'b']],
  ['[!a]', '[^a/]', ['b', '-']],
  ['[a-b]', '[a-b]', ['a', 'b']],
  ['[b-]', '[-b]', ['b', '-']],
  ['{a,ab}', '(?:a|ab)', ['a', 'ab']],
  ['{b,}', '(?:b|)', ['b', '']],
];

describe('differential against a regular expression (seeded)', () => {
  it('20,000 random patterns, each against 5 addresses, agree', () => {
    const r = prng(0xcafe);
    const int = (n: number): number => Math.floor(r() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
    let hits = 0;
    const disagreements: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const parts: (typeof TOKENS)[] = Array.from({ length: 1 + int(3) }, () => Array.from({ length: 1 + int(4) }, () => pick(TOKENS)));
      const pattern = parts.map((ts) => '/' + ts.map((t) => t[0]).join('')).join('');
      const regex = new RegExp('^' + parts.map((ts) => '/' + ts.map((t) => t[1]).join('')).join('') + '$');
      const m = compiled(pattern);
      for (let k = 0; k < 5; k++) {
        let address: string;
        if (k < 3) {
          // An instance of the pattern, then with one character changed, dropped or added, or a '/'.
          const chars = [...parts.map((ts) => '/' + ts.map((t) => pick(t[2])).join('')).join('')];
          const at = 1 + int(chars.length);
          if (k > 0) chars.splice(at, int(2), ...(r() < 0.6 ? [pick(['a', 'b', '-', '/'])] : []));
          address = chars.join('');
        } else {
          address = Array.from({ length: 1 + int(3) }, () => '/' + Array.from({ length: int(6) }, () => pick(['a', 'b', '-'])).join('')).join('');
        }
        const want = regex.test(address);
        if (m(address) !== want) disagreements.push(`${pattern} vs ${address}: regex says ${want}`);
        if (want) hits++;
      }
    }
    expect(disagreements.slice(0, 5)).toEqual([]);
    // Both outcomes are well represented.
    expect(hits).toBeGreaterThan(25_000);
    expect(hits).toBeLessThan(75_000);
  });
});

describe('hostile patterns', () => {
  it('10,000 matches of /*a*a*a*a*a*a*b against a 250-character part take well under a second', () => {
    // A backtracking matcher takes O(n^6) steps per attempt here; the position-set walk takes
    // about 7 x 250. The bound is generous on purpose: it only separates those two.
    const m = compiled('/*a*a*a*a*a*a*b');
    const address = '/' + 'a'.repeat(250);
    const t0 = performance.now();
    let matched = 0;
    for (let i = 0; i < 10_000; i++) if (m(address)) matched++;
    const ms = performance.now() - t0;
    expect(matched).toBe(0);
    expect(m(address + 'b')).toBe(true);
    expect(ms).toBeLessThan(1000);
  });

  it('many alternatives and classes stay linear too', () => {
    const alts = '{' + Array.from({ length: 50 }, (_, i) => 'a'.repeat(i + 1)).join(',') + '}';
    const m = compiled(`/${alts}${alts}${alts}b`);
    const t0 = performance.now();
    let matched = 0;
    for (let i = 0; i < 100; i++) if (m('/' + 'a'.repeat(150))) matched++;
    expect(matched).toBe(0);
    expect(m('/' + 'a'.repeat(150) + 'b')).toBe(true);
    expect(m('/' + 'a'.repeat(151) + 'b')).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
