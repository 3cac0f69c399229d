import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conformityJson, writeConformityReport } from '../../src/cli/report-files.js';
import { LoudnessHistory } from '../../src/engine/loudness-history.js';
import { LoudnessMeter } from '../../src/engine/loudness.js';
import { MixhostError } from '../../src/model/registry.js';
import {
  buildConformityReport,
  conformitySvg,
  formatConformityText,
  MAX_SERIES_POINTS,
  type ConformityReport,
  type ConformityTarget,
} from '../../src/model/conformity.js';
import { feedSegments, seg } from '../engine/ebu-cases.js';

const pw = (lufs: number): number => Math.pow(10, (lufs + 0.691) / 10);
const R128: ConformityTarget = { id: 'ebu-r128', name: 'EBU R 128', integratedLufs: -23, toleranceLu: 1, truePeakDbtp: -1 };
const META = { title: 'Show', sampleRate: 48000 };

/** History of steps at the given levels: [seconds, LUFS or null, true peak dBTP]. */
function history(segments: readonly (readonly [number, number | null, number])[], capacity?: number): LoudnessHistory {
  const h = new LoudnessHistory(capacity);
  for (const [dur, l, tp] of segments) {
    for (let i = 0; i < Math.round(dur * 10); i++) h.push(l === null ? 0 : pw(l), l === null ? 0 : pw(l), Math.pow(10, tp / 20));
  }
  return h;
}

/** Tiny XML well-formedness check: balanced tags, quoted attributes, escaped text. */
function wellFormed(xml: string): boolean {
  const stack: string[] = [];
  const body = xml.trim();
  if (!body.startsWith('<svg') || !body.endsWith('</svg>')) return false;
  let i = 0;
  while (i < body.length) {
    const lt = body.indexOf('<', i);
    const text = body.slice(i, lt < 0 ? body.length : lt);
    if (/&(?!(amp|lt|gt|quot|#\d+);)/.test(text) || text.includes('>')) return false;
    if (lt < 0) break;
    const gt = body.indexOf('>', lt);
    if (gt < 0) return false;
    const tag = body.slice(lt + 1, gt);
    if (tag.includes('<')) return false;
    if (tag.startsWith('/')) {
      if (stack.pop() !== tag.slice(1).trim()) return false;
    } else {
      const m = /^([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)$/.exec(tag);
      if (!m) return false;
      if (m[3] !== '/') stack.push(m[1]);
    }
    i = gt + 1;
  }
  return stack.length === 0;
}

function polylines(svg: string): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  for (const m of svg.matchAll(/<polyline class="([\w-]+)"[^>]*points="([^"]*)"/g)) {
    out.set(m[1], m[2].split(' ').map((p) => p.split(',').map(Number) as [number, number]));
  }
  return out;
}

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

describe('conformity report', () => {
  const h = history([[120, -23, -3], [60, -33, -12]]);
  const report = buildConformityReport(h, R128, { ...META, startedAt: '2024-05-01T20:00:00Z' });

  it('measures per minute and overall', () => {
    expect(report.format).toBe('mixhost-conformity-report');
    expect(report.version).toBe(1);
    expect(report.perMinute.map((m) => m.minute)).toEqual([0, 1, 2]);
    const mins = report.perMinute.map((m) => m.integratedLufs as number);
    expect(Math.abs(mins[0] + 23)).toBeLessThan(0.01);
    expect(Math.abs(mins[1] + 23)).toBeLessThan(0.01);
    expect(Math.abs(mins[2] + 33)).toBeLessThan(0.01);
    expect(report.perMinute[2].truePeakDbtp).toBeCloseTo(-12, 9);
    expect(report.perMinute[2].shortTermMaxLufs).toBeCloseTo(-33, 9);
    expect(report.perMinute[1].startS).toBe(60);
    expect(report.measured.integratedLufs).toBe(h.integratedLufs());
    // 1200 blocks at −23, 600 at −33 (above the relative gate at −34.8).
    expect(report.measured.integratedLufs).toBeCloseTo(10 * Math.log10((1200 * pw(-23) + 600 * pw(-33)) / 1800) - 0.691, 10);
    expect(report.measured.durationS).toBeCloseTo(180, 9);
    expect(report.measured.truePeakDbtp).toBeCloseTo(-3, 9);
    expect(report.measured.loudnessRangeLu).toBeCloseTo(10, 9);
    expect(report.startedAt).toBe('2024-05-01T20:00:00Z');
    // Integrated ≈ −24.6: outside −23 ±1, true peak −3 ≤ −1.
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId.integrated.pass).toBe(false);
    expect(byId.integrated.marginDb).toBeCloseTo(1 - Math.abs((report.measured.integratedLufs as number) + 23), 10);
    expect(byId['true-peak'].pass).toBe(true);
    expect(byId['true-peak'].marginDb).toBeCloseTo(2, 9);
    expect(report.pass).toBe(false);
  });

  it('checks pass and fail around the tolerance edges', () => {
    const t: ConformityTarget = { ...R128, maxShortTermLufs: -18, maxMomentaryLufs: -15 };
    const at = (lufs: number, tp: number) => buildConformityReport(history([[30, lufs, tp]]), t, META);
    const check = (r: ConformityReport, id: string) => r.checks.find((c) => c.id === id)!;
    expect(at(-22.0, -1).pass).toBe(true); // on both edges
    expect(at(-24.0, -1.0).pass).toBe(true);
    expect(check(at(-21.99, -2), 'integrated').pass).toBe(false);
    expect(check(at(-24.01, -2), 'integrated').pass).toBe(false);
    expect(check(at(-21.99, -2), 'integrated').marginDb).toBeCloseTo(-0.01, 9);
    expect(check(at(-23.5, -0.99), 'true-peak').pass).toBe(false);
    expect(check(at(-23.5, -1.01), 'true-peak').pass).toBe(true);
    // Maximum S / M limits (steady level: S = M = I).
    const loud = buildConformityReport(history([[30, -23, -5], [5, -17.5, -5]]), t, META);
    expect(check(loud, 'short-term-max').pass).toBe(false);
    expect(check(loud, 'short-term-max').marginDb).toBeCloseTo(-0.5, 9);
    expect(check(loud, 'momentary-max').pass).toBe(true);
    expect(loud.pass).toBe(false);
    expect(at(-23, -3).pass).toBe(true);
    // Silence: no integrated value (fail), peaks pass.
    const quiet = buildConformityReport(history([[10, null, -200]]), t, META);
    expect(check(quiet, 'integrated')).toMatchObject({ measured: null, marginDb: null, pass: false });
    expect(check(quiet, 'true-peak').pass).toBe(true);
    expect(quiet.perMinute[0].integratedLufs).toBeNull();
  });

  it('series: one point per step up to 2000 points, maxima per point, running integrated', () => {
    expect(report.series.stepSeconds).toBeCloseTo(0.1, 12);
    expect(report.series.momentary.length).toBe(1800);
    expect(report.series.integrated[1799]).toBeCloseTo(report.measured.integratedLufs as number, 2);
    expect(report.series.integrated[1199]).toBe(-23);
    // Five hours at 10 Hz (decimated once by a 3-hour capacity): ≤ 2000 points.
    const long = history([[9000, -23, -2], [9000, -20, -2]], 108000);
    expect(long.stepSeconds).toBeCloseTo(0.2, 12);
    const r = buildConformityReport(long, R128, META);
    expect(r.series.momentary.length).toBeLessThanOrEqual(MAX_SERIES_POINTS);
    expect(r.series.momentary.length).toBe(Math.ceil(long.steps / Math.ceil(long.steps / MAX_SERIES_POINTS)));
    expect(r.series.stepSeconds * r.series.momentary.length).toBeCloseTo(18000, 6);
    expect(r.perMinute.length).toBe(300);
    expect(r.perMinute[200].integratedLufs).toBeCloseTo(-20, 9);
    expect(r.series.shortTerm[r.series.shortTerm.length - 1]).toBe(-20);
  });

  it('JSON round-trips, −∞ as null', () => {
    const quiet = buildConformityReport(history([[5, null, -200], [5, -23, -6]]), R128, META);
    const text = conformityJson(quiet);
    expect(JSON.parse(text)).toEqual(quiet);
    expect(quiet.series.momentary[0]).toBeNull();
    expect(JSON.parse(conformityJson(report))).toEqual(report);
    expect(text).toContain('"momentary": [null,');
  });

  it('text: verdict, values and at most 15 lines, also for long programmes', () => {
    const text = formatConformityText(report);
    expect(text).toMatch(/^Conformity: FAIL/);
    expect(text).toContain('EBU R 128');
    expect(text).toContain('target -23.0 ±1.0 LU');
    expect(text).toContain('-12.0 dBTP');
    expect(text.trimEnd().split('\n').length).toBeLessThanOrEqual(15);
    const ok = formatConformityText(buildConformityReport(history([[30, -23, -3]]), R128, META));
    expect(ok).toMatch(/^Conformity: PASS/);
    const long = buildConformityReport(history([[600, -23, -3], [120, -18, 0.5], [1800, -23, -3]]), { ...R128, maxShortTermLufs: -18.5 }, META);
    const lt = formatConformityText(long);
    expect(lt.trimEnd().split('\n').length).toBeLessThanOrEqual(15);
    expect(lt).toContain('2 minute(s) outside -23.0 ±1.0 LU: 10:00–12:00');
    expect(lt).toContain('true peak above -1.0 dBTP in 2 minute(s)');
  });

  it('SVG: well-formed, deterministic, polylines with one point per series value inside the viewBox', () => {
    const svg = conformitySvg(report);
    expect(wellFormed(svg)).toBe(true);
    expect(conformitySvg(buildConformityReport(h, R128, { ...META, startedAt: '2024-05-01T20:00:00Z' }))).toBe(svg);
    const vb = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)!;
    const [W, H] = [Number(vb[1]), Number(vb[2])];
    expect([W, H]).toEqual([960, 360]);
    const lines = polylines(svg);
    expect([...lines.keys()].sort()).toEqual(['integrated', 'momentary', 'short-term']);
    for (const [, pts] of lines) {
      expect(pts.length).toBe(1800);
      for (const [x, y] of pts) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(W);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThanOrEqual(H);
      }
    }
    // Time runs left to right; the last point sits at the right edge of the plot.
    const m = lines.get('momentary')!;
    expect(m[1799][0]).toBeGreaterThan(m[0][0]);
    expect(svg).toContain('>3:00<');
    // −23 and −33 land on different heights; −23 is higher up (smaller y).
    expect(m[100][1]).toBeLessThan(m[1500][1]);
    // Titles with markup are escaped; a history that starts with warm-up steps leaves the
    // integrated line shorter by the missing blocks; size options apply.
    const hw = new LoudnessHistory(1000, { warmup: true });
    for (let i = 0; i < 100; i++) hw.push(pw(-23), pw(-23), 0.1);
    const svg2 = conformitySvg(buildConformityReport(hw, R128, { title: 'A <b> & "c"', sampleRate: 44100 }), { width: 640, height: 240 });
    expect(wellFormed(svg2)).toBe(true);
    expect(svg2).toContain('A &lt;b&gt; &amp; &quot;c&quot;');
    expect(svg2).toContain('viewBox="0 0 640 240"');
    expect(polylines(svg2).get('integrated')!.length).toBe(97);
    expect(polylines(svg2).get('momentary')!.length).toBe(100);
  });

  it('writeConformityReport writes three files atomically and leaves no temporary file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mixhost-report-'));
    tmpDirs.push(dir);
    const files = await writeConformityReport(report, path.join(dir, 'show'));
    expect(files.map((f) => path.basename(f))).toEqual(['show.json', 'show.txt', 'show.svg']);
    expect(readdirSync(dir).sort()).toEqual(['show.json', 'show.svg', 'show.txt']);
    expect(JSON.parse(readFileSync(files[0], 'utf8'))).toEqual(report);
    expect(readFileSync(files[1], 'utf8')).toBe(formatConformityText(report));
    expect(readFileSync(files[2], 'utf8')).toBe(conformitySvg(report));
    // Overwrites in place.
    await writeConformityReport(report, path.join(dir, 'show'));
    expect(readdirSync(dir).length).toBe(3);
    // A missing folder: E_REPORT_WRITE, nothing left behind.
    const err = await writeConformityReport(report, path.join(dir, 'missing', 'show')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MixhostError);
    expect((err as MixhostError).code).toBe('E_REPORT_WRITE');
    expect(readdirSync(dir).length).toBe(3);
  });

  it('a history fed from a real meter reports the meter’s integrated loudness', () => {
    const meter = new LoudnessMeter(48000, 2);
    const hm = new LoudnessHistory(10000, { warmup: true });
    const pow = (l: number): number => (Number.isFinite(l) ? pw(l) : 0);
    feedSegments(meter, [seg(15, -18), seg(5, -40), seg(15, -28)], {
      chunk: meter.tickLen * 10,
      onChunk: (m) => hm.push(pow(m.momentaryLufs()), pow(m.shortTermLufs()), Math.pow(10, m.result().truePeakDbtp / 20)),
    });
    const r = meter.result();
    const rep = buildConformityReport(hm, R128, META);
    expect(Math.abs((rep.measured.integratedLufs as number) - r.integratedLufs)).toBeLessThan(1e-9);
    expect(Math.abs(rep.measured.loudnessRangeLu - r.loudnessRangeLu)).toBeLessThan(1e-9);
    expect(Math.abs((rep.measured.truePeakDbtp as number) - r.truePeakDbtp)).toBeLessThan(1e-9);
    expect(rep.measured.durationS).toBeCloseTo(r.durationS, 9);
  });
});
