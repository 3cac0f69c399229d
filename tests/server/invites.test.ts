/**
 * The invite book and its file: tokens that survive a reopen, the atomic write (no temporary
 * files left, mode 0600), revocation, and files that are refused (E_INVITES_FILE, naming what is
 * wrong) without being touched.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MixhostError } from '../../src/model/errors.js';
import { cleanName, InviteBook } from '../../src/server/invites.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mixhost-invites-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function openError(file: string, auxBuses = 8): Promise<MixhostError> {
  try {
    await InviteBook.open(file, auxBuses);
  } catch (e) {
    expect(e).toBeInstanceOf(MixhostError);
    return e as MixhostError;
  }
  throw new Error('the file was accepted');
}

const GOOD = { id: 'abcd1234', role: 'performer', bus: 2, name: 'Anna', token: 'A'.repeat(24), created: '2025-01-01T00:00:00.000Z' };

describe('InviteBook with a file', () => {
  it('keeps invites across a reopen, written atomically with mode 0600', async () => {
    const file = path.join(dir, 'invites.json');
    const book = await InviteBook.open(file, 8);
    expect(book.list()).toEqual([]);
    const anna = await book.create({ role: 'performer', bus: 2, name: '  Anna\u0007 ' });
    const booth = await book.create({ role: 'viewer', name: 'Booth' });
    expect(anna).toMatchObject({ role: 'performer', bus: 2, name: 'Anna' });
    expect(anna.id).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(anna.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(anna.token).not.toBe(booth.token);
    expect(booth.bus).toBeUndefined();
    expect(readdirSync(dir)).toEqual(['invites.json']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const data = JSON.parse(readFileSync(file, 'utf8'));
    expect(data.version).toBe(1);
    expect(data.invites.map((i: { id: string }) => i.id)).toEqual([anna.id, booth.id]);

    const again = await InviteBook.open(file, 8);
    expect(again.resolve(anna.token)).toEqual({ role: 'performer', bus: 2, name: 'Anna', id: anna.id });
    expect(again.resolve(booth.token)).toEqual({ role: 'viewer', bus: undefined, name: 'Booth', id: booth.id });
    expect(again.resolve(`${anna.token}x`)).toBeUndefined();
    expect(again.list()).toEqual([anna, booth]);

    // Revoking persists, and tells the listeners.
    const revoked: string[] = [];
    again.on('revoked', (inv) => revoked.push(inv.id));
    expect(await again.revoke(anna.id)).toEqual(anna);
    expect(await again.revoke(anna.id)).toBeUndefined();
    expect(revoked).toEqual([anna.id]);
    expect(again.resolve(anna.token)).toBeUndefined();
    const third = await InviteBook.open(file, 8);
    expect(third.resolve(anna.token)).toBeUndefined();
    expect(third.list().map((i) => i.id)).toEqual([booth.id]);
    expect(readdirSync(dir)).toEqual(['invites.json']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses bad invites with E_INVITE', async () => {
    const book = await InviteBook.open(undefined, 8);
    const bad: Array<[Parameters<InviteBook['create']>[0], string]> = [
      [{ role: 'performer', bus: 9, name: 'A' }, 'from 1 to 8'],
      [{ role: 'performer', bus: 0, name: 'A' }, 'from 1 to 8'],
      [{ role: 'performer', bus: 1.5, name: 'A' }, 'from 1 to 8'],
      [{ role: 'performer', name: 'A' }, 'from 1 to 8'],
      [{ role: 'viewer', bus: 1, name: 'A' }, 'no bus'],
      [{ role: 'performer', bus: 1, name: ' \u0001 ' }, 'needs a name'],
      [{ role: 'engineer' as 'viewer', name: 'A' }, "role 'engineer'"],
    ];
    for (const [req, text] of bad) {
      const err = await book.create(req).then(
        () => undefined,
        (e: unknown) => e as MixhostError,
      );
      expect(err?.code, JSON.stringify(req)).toBe('E_INVITE');
      expect(err?.message).toContain(text);
    }
    expect(book.list()).toEqual([]);
    expect(cleanName('x'.repeat(50))).toHaveLength(40);
  });

  it('refuses a broken file with E_INVITES_FILE, naming the problem, and leaves it as it was', async () => {
    const file = path.join(dir, 'invites.json');
    const cases: Array<[string, string]> = [
      ['{"version":1,"invites":[', 'not JSON'],
      [JSON.stringify({ version: 2, invites: [] }), 'version'],
      [JSON.stringify({ version: 1, invites: [{ ...GOOD, extra: 1 }] }), 'invites.0'],
      [JSON.stringify({ version: 1, invites: [{ ...GOOD, token: 'short' }] }), 'invites.0.token'],
      [JSON.stringify({ version: 1, invites: [{ ...GOOD, bus: 9 }] }), "invite 'abcd1234' is for aux bus 9, the session has 8"],
      [JSON.stringify({ version: 1, invites: [{ ...GOOD, bus: undefined }] }), "invite 'abcd1234' is for aux bus (none)"],
      [JSON.stringify({ version: 1, invites: [GOOD, { ...GOOD, token: 'B'.repeat(24) }] }), "invite id 'abcd1234' appears twice"],
      ['[]', '(top)'],
    ];
    for (const [text, problem] of cases) {
      writeFileSync(file, text, { mode: 0o644 });
      const before = statSync(file);
      const err = await openError(file);
      expect(err.code, text).toBe('E_INVITES_FILE');
      expect(err.message, text).toContain(file);
      expect(err.message, text).toContain(problem);
      expect(readFileSync(file, 'utf8')).toBe(text);
      expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
      expect(statSync(file).mode & 0o777).toBe(0o644);
      expect(readdirSync(dir)).toEqual(['invites.json']);
    }
    // A well-formed file loads.
    writeFileSync(file, JSON.stringify({ version: 1, invites: [GOOD] }));
    const book = await InviteBook.open(file, 8);
    expect(book.resolve(GOOD.token)).toEqual({ role: 'performer', bus: 2, name: 'Anna', id: 'abcd1234' });
  });

  it('says when the file cannot be read, and starts empty when it does not exist', async () => {
    const err = await openError(dir); // a folder
    expect(err.code).toBe('E_INVITES_FILE');
    expect(err.message).toContain('cannot be read');
    const book = await InviteBook.open(path.join(dir, 'new.json'), 8);
    expect(book.list()).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });
});
