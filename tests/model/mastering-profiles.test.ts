/**
 * Mastering targets and genre profiles: every shipped file validates and says what the
 * reference notes say; broken files give the right codes and field paths; the docs list them all.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_GENRE,
  ProfileError,
  genreIds,
  listGenres,
  listTargets,
  loadGenre,
  loadTarget,
  parseGenre,
  parseTarget,
  profilesDir,
  targetIds,
  type GenreProfile,
  type MasteringTarget,
} from '../../src/model/mastering-profiles.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TARGET_IDS = [
  'aes-streaming',
  'amazon-music',
  'apple-music',
  'apple-podcasts',
  'atsc-a85',
  'deezer',
  'ebu-r128',
  'netflix',
  'spotify',
  'spotify-loud',
  'tidal',
  'youtube',
];
const GENRE_IDS = ['acoustic', 'balanced', 'classical', 'electronic', 'hip-hop', 'pop', 'rock', 'speech'];

/** The error a promise or function rejects with (fails the test if it does not). */
async function failure(f: () => unknown): Promise<ProfileError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(ProfileError);
    return e as ProfileError;
  }
  throw new Error('expected a ProfileError');
}

let targets: MasteringTarget[];
let genres: GenreProfile[];
const byId = <T extends { id: string }>(list: T[], id: string): T => {
  const found = list.find((x) => x.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
};

beforeAll(async () => {
  targets = await listTargets();
  genres = await listGenres();
});

describe('profiles directory', () => {
  it('resolves to the package profiles/mastering folder', () => {
    expect(profilesDir()).toBe(join(root, 'profiles', 'mastering'));
    expect(existsSync(join(profilesDir(), 'targets'))).toBe(true);
  });

  // `npm test` builds first, so the compiled module is there on CI.
  const compiled = join(root, 'dist', 'model', 'mastering-profiles.js');
  it.skipIf(!existsSync(compiled))('resolves the same folder from the compiled module in dist/model', async () => {
    const mod = (await import(pathToFileURL(compiled).href)) as { profilesDir(): string; loadTarget(id: string): Promise<MasteringTarget> };
    expect(mod.profilesDir()).toBe(profilesDir());
    expect((await mod.loadTarget('spotify')).integratedLufs).toBe(-14);
  });
});

describe('mastering targets', () => {
  it('every file loads and validates, sorted by id, and each id equals its file name', async () => {
    expect(targets.map((t) => t.id)).toEqual(TARGET_IDS);
    expect(await targetIds()).toEqual(TARGET_IDS);
    const files = readdirSync(join(profilesDir(), 'targets'));
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(TARGET_IDS);
    expect(files.every((f) => f.endsWith('.json'))).toBe(true);
    for (const id of TARGET_IDS) expect((await loadTarget(id)).id).toBe(id);
  });

  it('every target names at least one source with a web address', () => {
    for (const t of targets) {
      expect(t.sources.length, t.id).toBeGreaterThanOrEqual(1);
      for (const s of t.sources) expect(s.url, `${t.id}: ${s.title}`).toMatch(/^https:\/\/[^\s]+$/);
    }
  });

  it('carries the figures of the reference notes', () => {
    const fig = (id: string) => {
      const t = byId(targets, id);
      return [t.integratedLufs, t.truePeakDbtp, t.gating];
    };
    expect(fig('spotify')).toEqual([-14, -1, 'programme']);
    expect(fig('spotify-loud')).toEqual([-11, -1, 'programme']);
    expect(fig('apple-music')).toEqual([-16, -1, 'programme']);
    expect(fig('youtube')).toEqual([-14, -1, 'programme']);
    expect(fig('amazon-music')).toEqual([-14, -2, 'programme']);
    expect(fig('tidal')).toEqual([-14, -1, 'programme']);
    expect(fig('deezer')).toEqual([-15, -1, 'programme']);
    expect(fig('apple-podcasts')).toEqual([-16, -1, 'programme']);
    expect(fig('aes-streaming')).toEqual([-16, -1, 'programme']);
    expect(fig('ebu-r128')).toEqual([-23, -1, 'programme']);
    expect(fig('atsc-a85')).toEqual([-24, -2, 'programme']);
    expect(fig('netflix')).toEqual([-27, -2, 'dialogue']);

    const netflix = byId(targets, 'netflix');
    expect([netflix.toleranceLu, netflix.toleranceKind]).toEqual([2, 'published']);
    expect(netflix.fallback).toMatchObject({ integratedLufs: -24, gating: 'programme' });
    expect(netflix.fallback?.when).toMatch(/15 %/);
    const ebu = byId(targets, 'ebu-r128');
    expect([ebu.toleranceLu, ebu.toleranceKind, ebu.normalisation]).toEqual([0.2, 'published', 'delivery-spec']);
    expect(byId(targets, 'apple-podcasts').toleranceLu).toBe(1);
    expect(byId(targets, 'youtube').normalisation).toBe('down-only');
    expect(byId(targets, 'spotify').normalisation).toBe('up-and-down');
    expect(byId(targets, 'spotify-loud').notes).toMatch(/limiter/);
    // Only Netflix has a fallback; no target here sets a short-term or momentary maximum.
    expect(targets.filter((t) => t.fallback).map((t) => t.id)).toEqual(['netflix']);
  });

  it('keeps the source status of the notes: no platform without a published figure cites an official source', () => {
    const statuses = (id: string) => byId(targets, id).sources.map((s) => s.status);
    for (const id of ['apple-music', 'youtube', 'amazon-music', 'deezer', 'tidal', 'aes-streaming']) {
      expect(statuses(id), id).not.toContain('official');
    }
    for (const id of ['apple-music', 'youtube', 'amazon-music', 'deezer']) expect(statuses(id), id).toContain('folklore');
    for (const id of ['spotify', 'spotify-loud', 'apple-podcasts', 'ebu-r128', 'atsc-a85', 'netflix']) expect(statuses(id), id).toContain('official');
    // A tolerance is "published" only where the notes give one.
    expect(targets.filter((t) => t.toleranceKind === 'published').map((t) => t.id)).toEqual(['apple-podcasts', 'ebu-r128', 'netflix']);
  });
});

describe('genre profiles', () => {
  /** Mean gain reduction (dB) over the bands for a peak 12 LU above the target (hard knee); 0 when off. */
  const density = (g: GenreProfile): number =>
    g.multiband.on ? g.multiband.bands.reduce((sum, b) => sum + Math.max(0, 12 - b.thresholdLu) * (1 - 1 / b.ratio), 0) / g.multiband.bands.length : 0;

  it('every file loads and validates, ids equal file names, and the default exists', async () => {
    expect(genres.map((g) => g.id)).toEqual(GENRE_IDS);
    expect(await genreIds()).toEqual(GENRE_IDS);
    expect(readdirSync(join(profilesDir(), 'genres')).sort()).toEqual(GENRE_IDS.map((id) => `${id}.json`));
    for (const g of genres) expect((await loadGenre(g.id)).id).toBe(g.id);
    expect((await loadGenre(DEFAULT_GENRE)).id).toBe('balanced');
    for (const g of genres) {
      const [f1, f2] = g.multiband.crossoversHz;
      expect(f2 / f1, `${g.id}: crossover spacing`).toBeGreaterThanOrEqual(4);
    }
  });

  it('classical and acoustic keep their range; classical has no multiband compression', () => {
    const classical = byId(genres, 'classical');
    expect(classical.keepsRange).toBe(true);
    expect(classical.multiband.on).toBe(false);
    expect(byId(genres, 'acoustic').keepsRange).toBe(true);
    expect(genres.filter((g) => g.keepsRange).map((g) => g.id)).toEqual(['acoustic', 'classical']);
  });

  it('pop and electronic are denser than acoustic and classical, band by band', () => {
    const acoustic = byId(genres, 'acoustic');
    for (const id of ['pop', 'electronic']) {
      const g = byId(genres, id);
      g.multiband.bands.forEach((b, i) => {
        const a = acoustic.multiband.bands[i];
        expect(b.thresholdLu, `${id} band ${i} threshold`).toBeLessThan(a.thresholdLu);
        expect(b.ratio, `${id} band ${i} ratio`).toBeGreaterThan(a.ratio);
      });
      expect(density(g), `${id} density`).toBeGreaterThan(density(acoustic) + 2);
    }
    expect(density(byId(genres, 'classical'))).toBe(0);
    expect(density(byId(genres, 'electronic'))).toBeGreaterThan(density(byId(genres, 'pop')));
    // Measured: acoustic 0.67 dB, pop 3.8 dB, electronic 5.2 dB.
  });

  it('allows more peak limiting the denser the genre', () => {
    const lim = (id: string) => byId(genres, id).maxLimitingDb;
    expect([lim('classical'), lim('acoustic'), lim('pop'), lim('electronic')]).toEqual([2, 3, 6, 8]);
    expect(lim('balanced')).toBeLessThan(lim('pop'));
    expect(byId(genres, 'classical').leveller.maxBoostDb).toBeLessThan(byId(genres, 'speech').leveller.maxBoostDb);
  });
});

describe('profile errors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mixhost-profiles-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = async (name: string, text: string): Promise<string> => {
    const p = join(dir, name);
    await writeFile(p, text);
    return p;
  };
  const spotify = () => JSON.parse(readFileSync(join(profilesDir(), 'targets', 'spotify.json'), 'utf8')) as Record<string, unknown>;
  const pop = () => JSON.parse(readFileSync(join(profilesDir(), 'genres', 'pop.json'), 'utf8')) as Record<string, unknown>;

  it('loads a valid file by path', async () => {
    const p = await write('mine.json', JSON.stringify({ ...spotify(), id: 'my-stream', integratedLufs: -15.5 }));
    const t = await loadTarget(p);
    expect([t.id, t.integratedLufs]).toEqual(['my-stream', -15.5]);
  });

  it('an unknown id is E_TARGET_UNKNOWN / E_GENRE_UNKNOWN and lists the known ones', async () => {
    const t = await failure(() => loadTarget('spotfy'));
    expect(t.code).toBe('E_TARGET_UNKNOWN');
    for (const id of TARGET_IDS) expect(t.message).toContain(id);
    const g = await failure(() => loadGenre('jazz'));
    expect(g.code).toBe('E_GENRE_UNKNOWN');
    for (const id of GENRE_IDS) expect(g.message).toContain(id);
  });

  it('broken JSON is E_PROFILE_JSON with line and column', async () => {
    const p = await write('broken.json', '{\n  "format": "mixhost-mastering-target",\n  "version": 1,\n}\n');
    const e = await failure(() => loadTarget(p));
    expect(e.code).toBe('E_PROFILE_JSON');
    expect(e.issues).toEqual(["line 3, column 15: trailing comma before '}' is not allowed in JSON"]);
    const e2 = await failure(() => parseGenre('{"format": "mixhost-mastering-genre"} x'));
    expect(e2.issues[0]).toBe('line 1, column 39: unexpected text after the end of the genre profile object');
  });

  it('invalid fields are E_PROFILE_INVALID, one line per problem with the field path', async () => {
    const t = spotify();
    const bad = {
      ...t,
      integratedLufs: 5,
      toleranceKind: 'vibes',
      gating: 'loud',
      sources: [{ title: 'x', url: 'spotify.com', status: 'official-ish' }],
      colour: 'red',
    };
    const e = await failure(() => parseTarget(JSON.stringify(bad), 'bad.json'));
    expect(e.code).toBe('E_PROFILE_INVALID');
    expect(e.issues).toEqual([
      'integratedLufs: 5 LUFS is above 0 LUFS',
      'toleranceKind: "vibes" is not one of published, mastering',
      'gating: "loud" is not one of programme, dialogue',
      'sources[0].url: "spotify.com" is not a web address (http:// or https://)',
      'sources[0].status: "official-ish" is not one of official, secondary, folklore',
      'colour: unknown field',
    ]);
    expect(e.message.split('\n')[0]).toBe('bad.json: 6 problems in the mastering target');
    expect((await failure(() => parseTarget(JSON.stringify({ ...t, sources: [] })))).issues).toEqual(['sources: at least one source is required']);
    expect((await failure(() => parseTarget(JSON.stringify({ ...t, maxShortTermLufs: -20 })))).issues).toEqual([
      'maxShortTermLufs: -20 LUFS is below the integrated target -14 LUFS',
    ]);

    const g = pop() as { multiband: { crossoversHz: number[]; bands: Array<Record<string, unknown>> } };
    g.multiband.bands[1].ratio = 0.5;
    delete g.multiband.bands[2].attackMs;
    const eg = await failure(() => parseGenre(JSON.stringify(g)));
    expect(eg.issues).toEqual(['multiband.bands[1].ratio: 0.5:1 is below 1:1', 'multiband.bands[2].attackMs: missing, expected a number (ms)']);
    const h = pop() as { multiband: { crossoversHz: number[] } };
    h.multiband.crossoversHz = [3000, 120];
    expect((await failure(() => parseGenre(JSON.stringify(h)))).issues).toEqual(['multiband.crossoversHz[1]: 120 Hz must be above the low/mid crossover (3000 Hz)']);
    h.multiband.crossoversHz = [120, 3000, 8000];
    expect((await failure(() => parseGenre(JSON.stringify(h)))).issues).toEqual(['multiband.crossoversHz: 3 entries, expected 2 frequencies (low/mid, mid/high)']);
  });

  it('a file of the other kind, or of a newer version, is E_PROFILE_INVALID saying so', async () => {
    const p = join(profilesDir(), 'genres', 'pop.json');
    const e = await failure(() => loadTarget(p));
    expect(e.code).toBe('E_PROFILE_INVALID');
    expect(e.issues).toEqual(['format: "mixhost-mastering-genre" is not "mixhost-mastering-target" (this file is a genre profile)']);
    const v = await failure(() => parseTarget(JSON.stringify({ ...spotify(), version: 2 })));
    expect(v.issues).toEqual(['version: 2 is newer than this mixhost reads (supported: 1)']);
    const arr = await failure(() => parseGenre('[1, 2]'));
    expect(arr.code).toBe('E_PROFILE_INVALID');
  });

  it('a missing file or a directory is E_PROFILE_READ', async () => {
    const e = await failure(() => loadTarget(join(dir, 'nope.json')));
    expect(e.code).toBe('E_PROFILE_READ');
    expect(e.issues).toEqual(['file not found']);
    const d = await failure(() => loadGenre(`${dir}/`));
    expect(d.code).toBe('E_PROFILE_READ');
    expect(d.issues[0]).toMatch(/directory/);
  });
});

describe('docs/mastering-targets.md', () => {
  it('names every target and genre id', () => {
    const doc = readFileSync(join(root, 'docs', 'mastering-targets.md'), 'utf8');
    const missing = [...TARGET_IDS, ...GENRE_IDS].filter((id) => !doc.includes(`\`${id}\``));
    expect(missing).toEqual([]);
  });
});
