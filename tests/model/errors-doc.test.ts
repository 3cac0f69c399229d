import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('docs/errors.md', () => {
  it('documents every error code the code can raise', () => {
    const doc = readFileSync('docs/errors.md', 'utf8');
    const codes = new Set<string>();
    for (const f of sources('src')) for (const m of readFileSync(f, 'utf8').matchAll(/'(E_[A-Z_]+)'/g)) codes.add(m[1]);
    expect(codes.size).toBeGreaterThan(10);
    const missing = [...codes].filter((c) => !doc.includes(`\`${c}\``));
    expect(missing).toEqual([]);
  });
});
