/**
 * Invites: one token per performer (bound to one aux bus) or viewer, made and revoked by the
 * engineer. A revoked invite's token is refused from then on (and its connections are closed by
 * the remote server, which listens to `revoked`).
 *
 * Kept in memory, and in a file when one is given (`serve --invites FILE`), so that the links on
 * the musicians' phones survive a restart. The file is JSON, written to a temporary file in the
 * same folder, flushed and renamed over the old one: a crash mid-write leaves the old file
 * whole. A file that cannot be read or is not an invite file stops `serve` with
 * `E_INVITES_FILE`, naming what is wrong; it is never overwritten then.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Principal } from '../control/roles.js';
import { MixhostError } from '../model/errors.js';
import { writeAtomically } from '../control/atomic-file.js';

export { writeAtomically };

export interface Invite {
  readonly id: string;
  readonly role: 'performer' | 'viewer';
  /** The performer's aux bus, 1-based. */
  readonly bus?: number;
  readonly name: string;
  readonly token: string;
  /** ISO time of creation. */
  readonly created: string;
}

export const MAX_INVITES = 256;
export const MAX_INVITE_NAME = 40;

const inviteSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{4,32}$/),
  role: z.enum(['performer', 'viewer']),
  bus: z.number().int().min(1).max(64).optional(),
  name: z.string().min(1).max(MAX_INVITE_NAME),
  token: z.string().regex(/^[\x21-\x7e]{16,1024}$/),
  created: z.string(),
});
const fileSchema = z.strictObject({ version: z.literal(1), invites: z.array(inviteSchema).max(MAX_INVITES) });

export interface NewInvite {
  role: 'performer' | 'viewer';
  bus?: number;
  name: string;
}

function tokenKey(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A display name: trimmed, control characters removed, at most 40 characters; else undefined. */
export function cleanName(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const s = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  return s === '' ? undefined : s.slice(0, MAX_INVITE_NAME);
}

export class InviteBook extends EventEmitter<{ revoked: [Invite] }> {
  private readonly byId = new Map<string, Invite>();
  private readonly byKey = new Map<string, Invite>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string | undefined,
    private readonly auxBuses: number,
  ) {
    super();
  }

  /** Open the book: empty in memory, or loaded from `file` (which need not exist yet). */
  static async open(file: string | undefined, auxBuses: number): Promise<InviteBook> {
    const book = new InviteBook(file !== undefined ? path.resolve(file) : undefined, auxBuses);
    if (book.file === undefined) return book;
    let text: string;
    try {
      text = await readFile(book.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return book;
      throw new MixhostError('E_INVITES_FILE', `${book.file}: cannot be read (${(e as Error).message})`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new MixhostError('E_INVITES_FILE', `${book.file}: not JSON (${(e as Error).message}); fix or remove it`);
    }
    const parsed = fileSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new MixhostError('E_INVITES_FILE', `${book.file}: ${issue.path.join('.') || '(top)'}: ${issue.message}; fix or remove it`);
    }
    for (const inv of parsed.data.invites) {
      if (inv.role === 'performer' && (inv.bus === undefined || inv.bus > auxBuses)) {
        throw new MixhostError('E_INVITES_FILE', `${book.file}: invite '${inv.id}' is for aux bus ${inv.bus ?? '(none)'}, the session has ${auxBuses}`);
      }
      if (book.byId.has(inv.id)) throw new MixhostError('E_INVITES_FILE', `${book.file}: invite id '${inv.id}' appears twice`);
      book.add(inv);
    }
    return book;
  }

  list(): Invite[] {
    return [...this.byId.values()];
  }

  get(id: string): Invite | undefined {
    return this.byId.get(id);
  }

  /** The principal of an invite's token, or undefined. */
  resolve(token: string): Principal | undefined {
    const inv = this.byKey.get(tokenKey(token));
    if (inv === undefined) return undefined;
    return { role: inv.role, bus: inv.bus, name: inv.name, id: inv.id };
  }

  /** Make an invite (and save the book). Bad input -> E_INVITE with the reason. */
  async create(req: NewInvite): Promise<Invite> {
    const name = cleanName(req.name);
    if (name === undefined) throw new MixhostError('E_INVITE', 'an invite needs a name (the musician or the device), 1 to 40 characters');
    if (req.role !== 'performer' && req.role !== 'viewer') throw new MixhostError('E_INVITE', `role '${String(req.role)}': invites are for a performer or a viewer`);
    if (req.role === 'performer') {
      if (typeof req.bus !== 'number' || !Number.isInteger(req.bus) || req.bus < 1 || req.bus > this.auxBuses) {
        throw new MixhostError('E_INVITE', `a performer invite needs an aux bus from 1 to ${this.auxBuses}, not ${String(req.bus)}`);
      }
    } else if (req.bus !== undefined) {
      throw new MixhostError('E_INVITE', 'a viewer invite has no bus');
    }
    if (this.byId.size >= MAX_INVITES) throw new MixhostError('E_INVITE', `at most ${MAX_INVITES} invites; revoke some first`);
    let id: string;
    do id = randomBytes(6).toString('base64url');
    while (this.byId.has(id));
    const inv: Invite = { id, role: req.role, ...(req.role === 'performer' ? { bus: req.bus } : {}), name, token: randomBytes(18).toString('base64url'), created: new Date().toISOString() };
    this.add(inv);
    try {
      await this.save();
    } catch (e) {
      this.remove(inv);
      throw e;
    }
    return inv;
  }

  /** Revoke an invite: its token is refused at once; `revoked` is emitted. Undefined if none. */
  async revoke(id: string): Promise<Invite | undefined> {
    const inv = this.byId.get(id);
    if (inv === undefined) return undefined;
    this.remove(inv);
    this.emit('revoked', inv);
    await this.save();
    return inv;
  }

  private add(inv: Invite): void {
    this.byId.set(inv.id, inv);
    this.byKey.set(tokenKey(inv.token), inv);
  }

  private remove(inv: Invite): void {
    this.byId.delete(inv.id);
    this.byKey.delete(tokenKey(inv.token));
  }

  /** Write the book (one write at a time; each writes the state at its turn). */
  private save(): Promise<void> {
    const file = this.file;
    if (file === undefined) return Promise.resolve();
    const next = this.writing.catch(() => undefined).then(() => writeAtomically(file, `${JSON.stringify({ version: 1, invites: this.list() }, null, 2)}\n`));
    this.writing = next;
    return next.catch((e: unknown) => {
      throw new MixhostError('E_INVITES_FILE', `${file}: cannot be written (${(e as Error).message})`);
    });
  }
}

