import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parameterReference } from '../../src/model/param-docs.js';

describe('docs/parameters.md', () => {
  it('is what the descriptors generate (run `npm run docs` after changing params.ts)', () => {
    expect(readFileSync('docs/parameters.md', 'utf8')).toBe(parameterReference());
  });
  it('lists the numbered families once, with placeholders', () => {
    const doc = parameterReference();
    expect(doc).toContain('| `ch/<n>/eq/<b>/freq` |');
    expect(doc).toContain('| `ch/<n>/send/<a>/level` |');
    expect(doc).not.toContain('ch/<n>/eq/2/');
    expect(doc).toContain('| `master/fader` | Fader | dB | -∞ dB … +10.0 dB | 0.0 dB | fader |');
  });
});
