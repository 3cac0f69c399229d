/**
 * Conformity report of a programme against a loudness target (EBU R 128, a platform profile …):
 * a plain JSON-able object, a short text for people and a self-contained SVG plot. Pure: no file
 * I/O (src/cli/report-files.ts writes the files), deterministic output for the same history.
 *
 * Measured values come from a loudness history (src/engine/loudness-history.ts): integrated per
 * BS.1770-5 (−70 LUFS absolute, −10 LU relative gate, mean of block powers), loudness range per
 * EBU Tech 3342, maxima of the 400 ms and 3 s values at 100 ms resolution, BS.1770 Annex 2 true
 * peak. Each minute is measured on its own (its blocks gated within the minute). −∞ is written
 * as null.
 *
 * Checks (margin > 0: inside, by that much; < 0: outside, by that much):
 * - integrated:     |I − target| ≤ tolerance,  margin = tolerance − |I − target|  (no programme: fail)
 * - true-peak:      TP ≤ ceiling,              margin = ceiling − TP
 * - short-term-max: max S ≤ limit (when the target sets one), margin = limit − max S
 * - momentary-max:  max M ≤ limit (when the target sets one), margin = limit − max M
 * Silence passes the peak and maximum checks. Values within 1e-6 LU of an edge count as inside,
 * so a level set exactly on the edge is not failed by rounding.
 *
 * The series for the plot hold at most 2000 points: each point covers `stepSeconds` and holds the
 * highest momentary and short-term value of its interval (so no peak vanishes from the plot) and
 * the running integrated value at its end (what a live meter showed then), rounded to 0.01 LU.
 */

/** What the report needs of a loudness history (LoudnessHistory has it all). */
export interface LoudnessHistoryView {
  readonly steps: number;
  readonly stepSeconds: number;
  readonly durationS: number;
  slotAt(seconds: number): number;
  integratedLufs(from?: number, to?: number): number;
  loudnessRangeLu(from?: number, to?: number): number;
  truePeakDbtp(from?: number, to?: number): number;
  momentaryMaxLufs(from?: number, to?: number): number;
  shortTermMaxLufs(from?: number, to?: number): number;
  runningIntegratedLufs(ends: ArrayLike<number>): Float64Array;
}

export interface ConformityTarget {
  id: string;
  name: string;
  integratedLufs: number;
  toleranceLu: number;
  truePeakDbtp: number;
  maxShortTermLufs?: number;
  maxMomentaryLufs?: number;
}

export interface ConformityMeta {
  title?: string;
  /** ISO 8601 time the programme started. */
  startedAt?: string;
  sampleRate: number;
  /**
   * Album mastering: the integrated loudness of the whole release. The integrated check then
   * compares the album (not the song) with the target, as album normalisation does.
   */
  albumIntegratedLufs?: number;
}

export type ConformityCheckId = 'integrated' | 'true-peak' | 'short-term-max' | 'momentary-max';

export interface ConformityCheck {
  id: ConformityCheckId;
  /** Target loudness (integrated) or the ceiling / maximum. */
  limit: number;
  /** ± LU around `limit` (integrated only). */
  toleranceLu?: number;
  measured: number | null;
  /** 'album' when the integrated check measures the whole release (album mastering). */
  scope?: 'album';
  /** dB (LU) inside the limit (> 0) or outside it (< 0); null when nothing was measured. */
  marginDb: number | null;
  pass: boolean;
}

export interface ConformityMinute {
  minute: number;
  startS: number;
  integratedLufs: number | null;
  shortTermMaxLufs: number | null;
  momentaryMaxLufs: number | null;
  truePeakDbtp: number | null;
  loudnessRangeLu: number;
}

export interface ConformityReport {
  format: 'mixhost-conformity-report';
  version: 1;
  title: string | null;
  startedAt: string | null;
  sampleRate: number;
  target: {
    id: string;
    name: string;
    integratedLufs: number;
    toleranceLu: number;
    truePeakDbtp: number;
    maxShortTermLufs: number | null;
    maxMomentaryLufs: number | null;
  };
  measured: {
    integratedLufs: number | null;
    loudnessRangeLu: number;
    truePeakDbtp: number | null;
    momentaryMaxLufs: number | null;
    shortTermMaxLufs: number | null;
    durationS: number;
  };
  checks: ConformityCheck[];
  pass: boolean;
  perMinute: ConformityMinute[];
  series: {
    stepSeconds: number;
    momentary: (number | null)[];
    shortTerm: (number | null)[];
    integrated: (number | null)[];
  };
}

export const REPORT_FORMAT = 'mixhost-conformity-report';
/** Most points per series. */
export const MAX_SERIES_POINTS = 2000;
const EDGE_EPS = 1e-6;

function fin(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function round2(x: number): number | null {
  return Number.isFinite(x) ? Math.round(x * 100) / 100 : null;
}

function maxCheck(id: ConformityCheckId, limit: number, measured: number): ConformityCheck {
  const m = fin(measured);
  const margin = m === null ? null : limit - m;
  return { id, limit, measured: m, marginDb: margin, pass: margin === null || margin >= -EDGE_EPS };
}

function checkTarget(t: ConformityTarget): void {
  const nums: [string, number | undefined][] = [
    ['integratedLufs', t.integratedLufs],
    ['toleranceLu', t.toleranceLu],
    ['truePeakDbtp', t.truePeakDbtp],
    ['maxShortTermLufs', t.maxShortTermLufs],
    ['maxMomentaryLufs', t.maxMomentaryLufs],
  ];
  for (const [k, v] of nums) {
    if (v !== undefined && !Number.isFinite(v)) throw new RangeError(`conformity target ${t.id}: ${k} must be a finite number`);
  }
  if (!(t.toleranceLu >= 0)) throw new RangeError(`conformity target ${t.id}: toleranceLu must be ≥ 0`);
}

export function buildConformityReport(history: LoudnessHistoryView, target: ConformityTarget, meta: ConformityMeta): ConformityReport {
  checkTarget(target);
  const h = history;
  const n = h.steps;
  const integrated = h.integratedLufs();
  const tp = h.truePeakDbtp();
  const maxM = h.momentaryMaxLufs();
  const maxS = h.shortTermMaxLufs();

  const album = meta.albumIntegratedLufs;
  const iValue = album ?? integrated;
  const iDev = Math.abs(iValue - target.integratedLufs);
  const iMargin = Number.isFinite(iValue) ? target.toleranceLu - iDev : null;
  const checks: ConformityCheck[] = [
    {
      id: 'integrated',
      limit: target.integratedLufs,
      toleranceLu: target.toleranceLu,
      measured: fin(iValue),
      ...(album !== undefined ? { scope: 'album' as const } : {}),
      marginDb: iMargin,
      pass: iMargin !== null && iMargin >= -EDGE_EPS,
    },
    maxCheck('true-peak', target.truePeakDbtp, tp),
  ];
  if (target.maxShortTermLufs !== undefined) checks.push(maxCheck('short-term-max', target.maxShortTermLufs, maxS));
  if (target.maxMomentaryLufs !== undefined) checks.push(maxCheck('momentary-max', target.maxMomentaryLufs, maxM));

  const perMinute: ConformityMinute[] = [];
  const minutes = Math.ceil(h.durationS / 60 - 1e-9);
  for (let k = 0; k < minutes; k++) {
    const from = h.slotAt(60 * k);
    const to = k === minutes - 1 ? n : h.slotAt(60 * (k + 1));
    perMinute.push({
      minute: k,
      startS: 60 * k,
      integratedLufs: fin(h.integratedLufs(from, to)),
      shortTermMaxLufs: to > from ? fin(h.shortTermMaxLufs(from, to)) : null,
      momentaryMaxLufs: to > from ? fin(h.momentaryMaxLufs(from, to)) : null,
      truePeakDbtp: to > from ? fin(h.truePeakDbtp(from, to)) : null,
      loudnessRangeLu: h.loudnessRangeLu(from, to),
    });
  }

  const group = Math.max(1, Math.ceil(n / MAX_SERIES_POINTS));
  const points = Math.ceil(n / group);
  const ends = new Float64Array(points);
  const momentary: (number | null)[] = [];
  const shortTerm: (number | null)[] = [];
  for (let i = 0; i < points; i++) {
    const a = i * group;
    const b = Math.min(n, a + group);
    ends[i] = b;
    momentary.push(round2(h.momentaryMaxLufs(a, b)));
    shortTerm.push(round2(h.shortTermMaxLufs(a, b)));
  }
  const integratedSeries = Array.from(h.runningIntegratedLufs(ends), round2);

  return {
    format: REPORT_FORMAT,
    version: 1,
    title: meta.title ?? null,
    startedAt: meta.startedAt ?? null,
    sampleRate: meta.sampleRate,
    target: {
      id: target.id,
      name: target.name,
      integratedLufs: target.integratedLufs,
      toleranceLu: target.toleranceLu,
      truePeakDbtp: target.truePeakDbtp,
      maxShortTermLufs: target.maxShortTermLufs ?? null,
      maxMomentaryLufs: target.maxMomentaryLufs ?? null,
    },
    measured: {
      integratedLufs: fin(integrated),
      loudnessRangeLu: h.loudnessRangeLu(),
      truePeakDbtp: fin(tp),
      momentaryMaxLufs: fin(maxM),
      shortTermMaxLufs: fin(maxS),
      durationS: h.durationS,
    },
    checks,
    pass: checks.every((c) => c.pass),
    perMinute,
    series: { stepSeconds: group * h.stepSeconds, momentary, shortTerm, integrated: integratedSeries },
  };
}

// ---------------------------------------------------------------------------------------------
// Text

/** m:ss (minutes run past 59: 75:00). */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function f1(x: number | null, unit = ''): string {
  return x === null ? '-inf' + unit : x.toFixed(1) + unit;
}

function signed(x: number | null, unit: string): string {
  return x === null ? '—' : `${x >= 0 ? '+' : ''}${x.toFixed(1)} ${unit}`;
}

const CHECK_LABEL: Record<ConformityCheckId, string> = {
  integrated: 'Integrated',
  'true-peak': 'True peak',
  'short-term-max': 'Max short-term',
  'momentary-max': 'Max momentary',
};

/** Consecutive minute numbers as "3:00–5:00, 12:00", at most `max` groups. */
function minuteRuns(mins: readonly number[], max: number): string {
  const runs: string[] = [];
  for (let i = 0; i < mins.length; ) {
    let j = i;
    while (j + 1 < mins.length && mins[j + 1] === mins[j] + 1) j++;
    runs.push(j > i ? `${formatClock(mins[i] * 60)}–${formatClock(mins[j] * 60 + 60)}` : formatClock(mins[i] * 60));
    i = j + 1;
  }
  return runs.length > max ? `${runs.slice(0, max).join(', ')}, …` : runs.join(', ');
}

/** A short text for people (at most 15 lines). */
export function formatConformityText(report: ConformityReport): string {
  const t = report.target;
  const m = report.measured;
  const lines: string[] = [];
  const title = report.title ? `"${report.title}" ` : '';
  lines.push(`Conformity: ${report.pass ? 'PASS' : 'FAIL'} — ${title}against ${t.name} (${t.id})`);
  for (const c of report.checks) {
    const label = (c.scope === 'album' ? 'Integr. (album)' : CHECK_LABEL[c.id]).padEnd(15);
    const unit = c.id === 'true-peak' ? 'dBTP' : 'LUFS';
    const limit = c.id === 'integrated' ? `target ${c.limit.toFixed(1)} ±${(c.toleranceLu ?? 0).toFixed(1)} LU` : `${c.id === 'true-peak' ? 'ceiling' : 'limit'} ${c.limit.toFixed(1)} ${unit}`;
    lines.push(`${label}${f1(c.measured, ' ' + unit).padStart(11)}  ${limit.padEnd(24)} margin ${signed(c.marginDb, c.id === 'true-peak' ? 'dB' : 'LU').padEnd(9)} ${c.pass ? 'ok' : 'FAIL'}`);
  }
  lines.push(
    `Range ${m.loudnessRangeLu.toFixed(1)} LU · max momentary ${f1(m.momentaryMaxLufs, ' LUFS')} · max short-term ${f1(m.shortTermMaxLufs, ' LUFS')} · duration ${formatClock(m.durationS)}`,
  );
  const pm = report.perMinute;
  if (pm.length > 0 && pm.length <= 8) {
    lines.push('Per minute:   integrated   max S      true peak');
    for (const p of pm) {
      lines.push(`  ${formatClock(p.startS).padStart(6)}  ${f1(p.integratedLufs, ' LUFS').padStart(11)}  ${f1(p.shortTermMaxLufs).padStart(6)}  ${f1(p.truePeakDbtp, ' dBTP').padStart(11)}`);
    }
  } else if (pm.length > 8) {
    const live = pm.filter((p) => p.integratedLufs !== null);
    if (live.length > 0) {
      const lo = live.reduce((a, b) => ((b.integratedLufs as number) < (a.integratedLufs as number) ? b : a));
      const hi = live.reduce((a, b) => ((b.integratedLufs as number) > (a.integratedLufs as number) ? b : a));
      lines.push(`Per minute (${pm.length}): integrated from ${f1(lo.integratedLufs)} (${formatClock(lo.startS)}) to ${f1(hi.integratedLufs)} LUFS (${formatClock(hi.startS)})`);
    } else {
      lines.push(`Per minute (${pm.length}): silent throughout`);
    }
    const off = live.filter((p) => Math.abs((p.integratedLufs as number) - t.integratedLufs) > t.toleranceLu).map((p) => p.minute);
    lines.push(off.length === 0 ? `  every minute within ${t.integratedLufs.toFixed(1)} ±${t.toleranceLu.toFixed(1)} LU` : `  ${off.length} minute(s) outside ${t.integratedLufs.toFixed(1)} ±${t.toleranceLu.toFixed(1)} LU: ${minuteRuns(off, 6)}`);
    const over = pm.filter((p) => p.truePeakDbtp !== null && p.truePeakDbtp > t.truePeakDbtp + EDGE_EPS).map((p) => p.minute);
    if (over.length > 0) lines.push(`  true peak above ${t.truePeakDbtp.toFixed(1)} dBTP in ${over.length} minute(s): ${minuteRuns(over, 6)}`);
    if (t.maxShortTermLufs !== null) {
      const lim = t.maxShortTermLufs;
      const sOver = pm.filter((p) => p.shortTermMaxLufs !== null && p.shortTermMaxLufs > lim + EDGE_EPS).map((p) => p.minute);
      if (sOver.length > 0) lines.push(`  short-term above ${lim.toFixed(1)} LUFS in ${sOver.length} minute(s): ${minuteRuns(sOver, 6)}`);
    }
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// SVG

export interface SvgOptions {
  width?: number;
  height?: number;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function n1(x: number): string {
  const r = Math.round(x * 10) / 10;
  return (Object.is(r, -0) ? 0 : r).toFixed(1);
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 14400, 28800, 86400];

/** LUFS axis [bottom, top], in 5 LU steps, from the target and the loudest momentary value. */
export function svgLufsAxis(report: ConformityReport): [number, number] {
  const t = report.target;
  let top = Math.ceil((t.integratedLufs + t.toleranceLu + 3) / 5) * 5;
  const mx = report.measured.momentaryMaxLufs;
  if (mx !== null) top = Math.max(top, Math.ceil((mx + 1) / 5) * 5);
  if (t.maxShortTermLufs !== null) top = Math.max(top, Math.ceil((t.maxShortTermLufs + 1) / 5) * 5);
  top = Math.min(top, 10);
  const bottom = Math.min(top - 20, Math.floor((t.integratedLufs - 25) / 5) * 5);
  return [bottom, top];
}

/**
 * A self-contained SVG of momentary (thin), short-term and running integrated (thick) loudness
 * against time, with the target as a dashed line in its tolerance band (and the short-term
 * limit when the target sets one), a legend and a title.
 * Values outside the LUFS axis (and silence) are drawn on its edge.
 */
export function conformitySvg(report: ConformityReport, options: SvgOptions = {}): string {
  const W = options.width ?? 960;
  const H = options.height ?? 360;
  const L = 56;
  const R = 16;
  const T = 44;
  const B = 40;
  const x0 = L;
  const x1 = W - R;
  const y0 = T;
  const y1 = H - B;
  const t = report.target;
  const [bot, top] = svgLufsAxis(report);
  const dur = Math.max(report.measured.durationS, report.series.stepSeconds, 1);
  const X = (s: number): number => x0 + (Math.min(Math.max(s, 0), dur) / dur) * (x1 - x0);
  const Y = (l: number | null): number => {
    const v = l === null ? bot : Math.min(Math.max(l, bot), top);
    return y0 + ((top - v) / (top - bot)) * (y1 - y0);
  };
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  const verdict = report.pass ? 'PASS' : 'FAIL';
  const name = report.title ? `${report.title} — ` : '';
  out.push(`<title>${esc(`${name}${verdict} against ${t.name}`)}</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  const head = `${name}${verdict} · ${t.name}: ${f1(report.measured.integratedLufs, ' LUFS')} (target ${t.integratedLufs.toFixed(1)} ±${t.toleranceLu.toFixed(1)}), TP ${f1(report.measured.truePeakDbtp, ' dBTP')} (ceiling ${t.truePeakDbtp.toFixed(1)})`;
  out.push(`<text x="${x0}" y="18" font-size="13" font-weight="bold" fill="${report.pass ? '#1b5e20' : '#b71c1c'}">${esc(head)}</text>`);

  // Tolerance band and target line.
  const bandTop = Y(t.integratedLufs + t.toleranceLu);
  const bandBot = Y(t.integratedLufs - t.toleranceLu);
  out.push(`<rect x="${n1(x0)}" y="${n1(bandTop)}" width="${n1(x1 - x0)}" height="${n1(Math.max(0, bandBot - bandTop))}" fill="#31a354" fill-opacity="0.15"/>`);
  // Grid and LUFS axis.
  const yStep = top - bot > 40 ? 10 : 5;
  const g: string[] = [];
  for (let v = bot; v <= top + 1e-9; v += yStep) {
    const y = n1(Y(v));
    g.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#dddddd" stroke-width="0.5"/>`);
    g.push(`<text x="${x0 - 6}" y="${n1(Y(v) + 4)}" text-anchor="end" fill="#444444">${v}</text>`);
  }
  // Time axis.
  const tStep = TIME_STEPS.find((s) => dur / s <= 10) ?? TIME_STEPS[TIME_STEPS.length - 1];
  for (let s = 0; s <= dur + 1e-9; s += tStep) {
    const x = n1(X(s));
    g.push(`<line x1="${x}" y1="${y0}" x2="${x}" y2="${y1}" stroke="#eeeeee" stroke-width="0.5"/>`);
    g.push(`<text x="${x}" y="${y1 + 14}" text-anchor="middle" fill="#444444">${formatClock(s)}</text>`);
  }
  out.push(...g);
  out.push(`<text x="14" y="${n1((y0 + y1) / 2)}" text-anchor="middle" fill="#444444" transform="rotate(-90 14 ${n1((y0 + y1) / 2)})">LUFS</text>`);
  out.push(`<text x="${n1((x0 + x1) / 2)}" y="${H - 8}" text-anchor="middle" fill="#444444">time (m:ss)</text>`);
  out.push(`<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="#888888" stroke-width="0.75"/>`);
  const ty = n1(Y(t.integratedLufs));
  out.push(`<line x1="${x0}" y1="${ty}" x2="${x1}" y2="${ty}" stroke="#31a354" stroke-width="1.25" stroke-dasharray="6 4"/>`);
  if (t.maxShortTermLufs !== null) {
    const sy = n1(Y(t.maxShortTermLufs));
    out.push(`<line x1="${x0}" y1="${sy}" x2="${x1}" y2="${sy}" stroke="#b71c1c" stroke-width="1" stroke-dasharray="2 3"/>`);
  }

  // Curves.
  const step = report.series.stepSeconds;
  const line = (vals: readonly (number | null)[], skipLeadingNull: boolean): string => {
    const pts: string[] = [];
    let started = !skipLeadingNull;
    for (let i = 0; i < vals.length; i++) {
      if (!started && vals[i] === null) continue;
      started = true;
      pts.push(`${n1(X((i + 1) * step))},${n1(Y(vals[i]))}`);
    }
    return pts.join(' ');
  };
  const curves: [string, readonly (number | null)[], boolean, string, string][] = [
    ['momentary', report.series.momentary, false, '#92b9d8', '0.75'],
    ['short-term', report.series.shortTerm, false, '#3182bd', '1.5'],
    ['integrated', report.series.integrated, true, '#e6550d', '2.5'],
  ];
  for (const [cls, vals, skip, colour, width] of curves) {
    const pts = line(vals, skip);
    if (pts.split(' ').length >= 2) {
      out.push(`<polyline class="${cls}" fill="none" stroke="${colour}" stroke-width="${width}" stroke-linejoin="round" points="${pts}"/>`);
    }
  }

  // Legend (top right, above the plot).
  const legend: [string, string, string][] = [
    ['momentary', '#92b9d8', '0.75'],
    ['short-term', '#3182bd', '1.5'],
    ['integrated', '#e6550d', '2.5'],
    [`target ±${t.toleranceLu.toFixed(1)} LU`, '#31a354', '1.25'],
  ];
  if (t.maxShortTermLufs !== null) legend.push(['max short-term', '#b71c1c', '1']);
  let lx = x1 - legend.length * 110;
  for (const [label, colour, width] of legend) {
    out.push(`<line x1="${lx}" y1="32" x2="${lx + 18}" y2="32" stroke="${colour}" stroke-width="${width}"/>`);
    out.push(`<text x="${lx + 22}" y="36" fill="#333333">${esc(label)}</text>`);
    lx += 110;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
