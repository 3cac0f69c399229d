/**
 * OSC 1.0 address patterns: `?` (one character), `*` (any run), `[abc]`, `[a-z]`, `[!a-z]`,
 * `{foo,bar}`; none of them crosses a '/', so a pattern matches part by part and only addresses
 * with the same number of parts. (OSC 1.1's `//` is not supported: an empty part is an error.)
 *
 * No RegExp: each part is a token list matched by a set-of-positions walk over the address
 * part, O(tokens x length x alternatives) whatever the pattern, so a hostile `/*a*a*a*a*b`
 * cannot backtrack.
 *
 * A leading '/' on the address is optional: `/ch/[1-4]/mute` matches the OSC address
 * `/ch/1/mute` and the registry address `ch/1/mute` alike.
 */
import { MixhostError } from '../model/errors.js';

export type PatternMatcher = (address: string) => boolean;

type Token =
  | { readonly k: 'lit'; readonly s: string }
  | { readonly k: 'one' }
  | { readonly k: 'star' }
  | { readonly k: 'class'; readonly negate: boolean; readonly ranges: readonly number[] }
  | { readonly k: 'alt'; readonly alts: readonly string[] };

/** A part is a plain string (compared as is) or a token list. */
type Part = string | readonly Token[];

const SPECIAL = /[*?[\]{}]/;

/** Whether an address contains any pattern character (else it can be looked up directly). */
export function hasWildcards(address: string): boolean {
  return SPECIAL.test(address);
}

const strip = (a: string): string => (a.charCodeAt(0) === 0x2f ? a.slice(1) : a);

export function compilePattern(pattern: string): PatternMatcher | { readonly error: string } {
  if (typeof pattern !== 'string' || pattern.charCodeAt(0) !== 0x2f) return { error: `pattern must start with '/'` };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return { error: `character 0x${c.toString(16)} at ${i} is not allowed in an OSC address` };
  }
  if (pattern === '/') return (a) => a === '/' || a === '';
  if (!SPECIAL.test(pattern)) {
    if (pattern.includes('//') || pattern.endsWith('/')) return { error: `empty part in '${pattern}'` };
    const exact = pattern.slice(1);
    return (a) => strip(a) === exact;
  }
  const parts: Part[] = [];
  let offset = 1;
  for (const text of pattern.slice(1).split('/')) {
    if (text === '') return { error: `empty part at ${offset} ('//' and a trailing '/' are not supported)` };
    const part = parsePart(text, offset);
    if ('error' in part) return part;
    parts.push(part.part);
    offset += text.length + 1;
  }
  return (address) => matchParts(parts, strip(address));
}

/** The addresses the pattern matches, in their order. Throws E_OSC_PATTERN for a malformed pattern. */
export function matchAll(pattern: string | PatternMatcher, addresses: readonly string[]): string[] {
  const m = typeof pattern === 'function' ? pattern : compilePattern(pattern);
  if (typeof m !== 'function') throw new MixhostError('E_OSC_PATTERN', `bad OSC address pattern '${String(pattern)}': ${m.error}`);
  return addresses.filter((a) => m(a));
}

function parsePart(text: string, offset: number): { part: Part } | { error: string } {
  if (!SPECIAL.test(text)) return { part: text };
  const tokens: Token[] = [];
  let lit = '';
  const flush = (): void => {
    if (lit !== '') tokens.push({ k: 'lit', s: lit });
    lit = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const at = offset + i;
    if (c === '?') {
      flush();
      tokens.push({ k: 'one' });
      i++;
    } else if (c === '*') {
      flush();
      if (tokens[tokens.length - 1]?.k !== 'star') tokens.push({ k: 'star' });
      i++;
    } else if (c === '[') {
      const close = text.indexOf(']', i + 1);
      if (close < 0) return { error: `unclosed '[' at ${at}` };
      const cls = parseClass(text.slice(i + 1, close), at);
      if ('error' in cls) return cls;
      flush();
      tokens.push(cls.token);
      i = close + 1;
    } else if (c === '{') {
      const close = text.indexOf('}', i + 1);
      if (close < 0) return { error: `unclosed '{' at ${at}` };
      const body = text.slice(i + 1, close);
      const bad = body.search(/[*?[\]{]/);
      if (bad >= 0) return { error: `'${body[bad]}' at ${at + 1 + bad} inside '{...}' (alternatives are plain strings)` };
      flush();
      const alts = [...new Set(body.split(','))];
      tokens.push(alts.length === 1 ? { k: 'lit', s: alts[0]! } : { k: 'alt', alts });
      i = close + 1;
    } else if (c === ']' || c === '}') {
      return { error: `unmatched '${c}' at ${at}` };
    } else {
      lit += c;
      i++;
    }
  }
  flush();
  return { part: tokens };
}

function parseClass(body: string, at: number): { token: Token } | { error: string } {
  let negate = false;
  let s = body;
  if (s.startsWith('!')) {
    negate = true;
    s = s.slice(1);
  }
  if (s === '') return { error: `empty '[${body}]' at ${at}` };
  const ranges: number[] = [];
  for (let j = 0; j < s.length; j++) {
    const lo = s.charCodeAt(j);
    if (s[j + 1] === '-' && j + 2 < s.length) {
      const hi = s.charCodeAt(j + 2);
      if (hi < lo) return { error: `reversed range '${s[j]}-${s[j + 2]}' in '[${body}]' at ${at}` };
      ranges.push(lo, hi);
      j += 2;
    } else {
      ranges.push(lo, lo); // includes a '-' first or last, which is literal
    }
  }
  return { token: { k: 'class', negate, ranges } };
}

function matchParts(parts: readonly Part[], a: string): boolean {
  let pos = 0;
  for (let i = 0; i < parts.length; i++) {
    const last = i === parts.length - 1;
    const slash = a.indexOf('/', pos);
    if (last ? slash >= 0 : slash < 0) return false;
    const end = last ? a.length : slash;
    const part = parts[i]!;
    if (typeof part === 'string') {
      if (end - pos !== part.length || !a.startsWith(part, pos)) return false;
    } else if (!matchTokens(part, a, pos, end)) return false;
    pos = end + 1;
  }
  return true;
}

function inClass(t: { readonly negate: boolean; readonly ranges: readonly number[] }, c: number): boolean {
  let hit = false;
  for (let r = 0; r < t.ranges.length && !hit; r += 2) hit = c >= t.ranges[r]! && c <= t.ranges[r + 1]!;
  return hit !== t.negate;
}

/** Whether a[from, to) matches the tokens: the set of reachable positions, token by token. */
function matchTokens(tokens: readonly Token[], a: string, from: number, to: number): boolean {
  const n = to - from;
  let cur = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  cur[0] = 1;
  for (const t of tokens) {
    next.fill(0);
    let any = false;
    if (t.k === 'star') {
      const first = cur.indexOf(1);
      if (first < 0) return false;
      next.fill(1, first);
      any = true;
    } else {
      for (let p = 0; p <= n; p++) {
        if (cur[p] === 0) continue;
        switch (t.k) {
          case 'lit':
            if (p + t.s.length <= n && a.startsWith(t.s, from + p)) {
              next[p + t.s.length] = 1;
              any = true;
            }
            break;
          case 'one':
            if (p < n) {
              next[p + 1] = 1;
              any = true;
            }
            break;
          case 'class':
            if (p < n && inClass(t, a.charCodeAt(from + p))) {
              next[p + 1] = 1;
              any = true;
            }
            break;
          case 'alt':
            for (const s of t.alts) {
              if (p + s.length <= n && a.startsWith(s, from + p)) {
                next[p + s.length] = 1;
                any = true;
              }
            }
            break;
        }
      }
    }
    if (!any) return false;
    [cur, next] = [next, cur];
  }
  return cur[n] === 1;
}
