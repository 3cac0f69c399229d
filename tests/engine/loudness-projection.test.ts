import { afterAll, describe, expect, it } from 'vitest';
import { LoudnessHistory } from '../../src/engine/loudness-history.js';
import { LIVE_STAGE_STEPS, LiveProjector, correctionNeededLu, projectFromHistory, projectIntegrated, recentSpreadLu, warmUpLiveProjection } from '../../src/engine/loudness-projection.js';
import { lufsFromPower } from '../../src/engine/loudness.js';

const measured: string[] = [];
afterAll(() => {
  // eslint-disable-next-line no-console
  if (process.env.LOUDNESS_REPORT) console.log(measured.join('\n'));
});

const pw = (lufs: number): number => Math.pow(10, (lufs + 0.691) / 10);

/** Per-step block powers of segments [seconds, LUFS or null for silence]. */
function steps(segments: readonly (readonly [number, number | null])[]): number[] {
  const out: number[] = [];
  for (const [dur, l] of segments) for (let i = 0; i < Math.round(dur * 10); i++) out.push(l === null ? 0 : pw(l));
  return out;
}

/** A history with M = the given powers and S = the mean of the last 30 of them. */
function historyOf(m: readonly number[]): LoudnessHistory {
  const h = new LoudnessHistory();
  let acc = 0;
  for (let i = 0; i < m.length; i++) {
    acc += m[i];
    if (i >= 30) acc -= m[i - 30];
    h.push(m[i], Math.max(0, acc / 30), 0.1);
  }
  return h;
}

/** Reference BS.1770 gating of weighted blocks. */
function gatedWeighted(blocks: readonly (readonly [power: number, weight: number])[]): number {
  const abs = pw(-70);
  let sum = 0;
  let n = 0;
  for (const [p, w] of blocks) if (p > abs) (sum += w * p), (n += w);
  if (n === 0) return Number.NEGATIVE_INFINITY;
  const gate = Math.max(abs, (sum / n) * 0.1);
  sum = 0;
  n = 0;
  for (const [p, w] of blocks) if (p > gate) (sum += w * p), (n += w);
  return n ? lufsFromPower(sum / n) : Number.NEGATIVE_INFINITY;
}

describe('projection of the integrated loudness', () => {
  it('steady −23 projects −23 exactly, with a zero-width range', () => {
    const h = historyOf(steps([[120, -23]]));
    for (const p of [projectFromHistory(h), projectFromHistory(h, { expectedDurationS: 3600 }), projectIntegrated({ history: h })]) {
      expect(p.projectedLufs).toBeCloseTo(-23, 10);
      expect(p.lowLufs).toBeCloseTo(-23, 10);
      expect(p.highLufs).toBeCloseTo(-23, 10);
      expect(p.currentLufs).toBeCloseTo(-23, 10);
    }
    const st = h.gatingState();
    const q = projectIntegrated({ ...st, recentLufs: -23, elapsedS: 120 });
    expect(q.projectedLufs).toBeCloseTo(-23, 10);
  });

  it('first half at −20, the recent minute at −26, expected 2× elapsed: the analytic combination', () => {
    const h = historyOf(steps([[60, -20], [60, -26]]));
    // Past: 600 blocks at −20, 600 at −26; the rest: 1200 more at −26. No block near the gates.
    const analytic = lufsFromPower((600 * pw(-20) + 1800 * pw(-26)) / 2400);
    const p = projectFromHistory(h, { expectedDurationS: 240 });
    measured.push(`projection −20/−26, 2×: ${p.projectedLufs} (analytic ${analytic}); range ${p.lowLufs} … ${p.highLufs}`);
    expect(p.projectedLufs).toBeCloseTo(analytic, 10);
    expect(p.remainingS).toBeCloseTo(120, 9);
    expect(p.assumedLufs).toBeCloseTo(-26, 10);
    // Without an expected duration: as long again as so far, the same here.
    expect(projectFromHistory(h).projectedLufs).toBeCloseTo(analytic, 10);
    // From the running sums, the same (nothing crosses a gate).
    const q = projectIntegrated({ ...h.gatingState(), recentLufs: h.integratedLufs(600, 1200), elapsedS: 120, expectedDurationS: 240 });
    expect(q.projectedLufs).toBeCloseTo(analytic, 10);
    // Where the meter stands now lies between the past and the projection.
    expect(p.currentLufs).toBeCloseTo(lufsFromPower((pw(-20) + pw(-26)) / 2), 10);
    expect(correctionNeededLu(-23, p.projectedLufs)).toBeCloseTo(-23 - analytic, 10);
  });

  it('a leveller target replaces the recent level', () => {
    const h = historyOf(steps([[60, -20], [60, -26]]));
    const p = projectFromHistory(h, { expectedDurationS: 240, levellerTargetLufs: -23 });
    expect(p.projectedLufs).toBeCloseTo(lufsFromPower((600 * pw(-20) + 600 * pw(-26) + 1200 * pw(-23)) / 2400), 10);
    expect(p.basis).toContain('leveller');
    const q = projectIntegrated({ ...h.gatingState(), recentLufs: -26, elapsedS: 120, expectedDurationS: 240, levellerTargetLufs: -23 });
    expect(q.projectedLufs).toBeCloseTo(p.projectedLufs, 10);
  });

  it('silence does not move the projection', () => {
    // The recent minute is silent: the rest adds nothing, even with a leveller.
    const h = historyOf(steps([[90, -23], [60, null]]));
    for (const opts of [{}, { expectedDurationS: 3600 }, { levellerTargetLufs: -16 }]) {
      const p = projectFromHistory(h, opts);
      expect(p.projectedLufs).toBeCloseTo(-23, 10);
      expect(p.projectedLufs).toBe(p.currentLufs);
    }
    expect(projectIntegrated({ ...h.gatingState(), recentLufs: Number.NEGATIVE_INFINITY, elapsedS: 150 }).projectedLufs).toBeCloseTo(-23, 10);
    // Silence in the past does not weigh either: −23, a pause, −23 again projects −23.
    const g = historyOf(steps([[60, -23], [30, null], [70, -23]]));
    expect(projectFromHistory(g, { expectedDurationS: 1000 }).projectedLufs).toBeCloseTo(-23, 10);
    // No programme at all: nothing to project.
    const z = historyOf(steps([[30, null]]));
    expect(projectFromHistory(z).projectedLufs).toBe(Number.NEGATIVE_INFINITY);
    expect(correctionNeededLu(-23, Number.NEGATIVE_INFINITY)).toBeNull();
  });

  it('pauses in the recent minute carry over to the rest (they do not count as programme)', () => {
    // Past 60 s at −20; recent minute alternates 5 s at −26 and 5 s of silence.
    const recent: [number, number | null][] = [];
    for (let i = 0; i < 6; i++) recent.push([5, -26], [5, null]);
    const h = historyOf(steps([[60, -20], ...recent]));
    // The rest (120 s) is like the recent minute: 600 more blocks at −26, 600 silent.
    const analytic = gatedWeighted([[pw(-20), 600], [pw(-26), 300 + 600], [0, 300 + 600]]);
    expect(projectFromHistory(h, { expectedDurationS: 240 }).projectedLufs).toBeCloseTo(analytic, 10);
    const st = h.gatingState();
    const q = projectIntegrated({ ...st, recentLufs: -26, recentGatedFraction: 0.5, elapsedS: 120, expectedDurationS: 240 });
    expect(q.projectedLufs).toBeCloseTo(analytic, 10);
    // Taking the pauses as programme would read 0.7 LU lower.
    const naive = projectIntegrated({ ...st, recentLufs: -26, elapsedS: 120, expectedDurationS: 240 });
    expect(analytic - naive.projectedLufs).toBeGreaterThan(0.3);
  });

  it('the relative gate is re-applied: past blocks that the louder rest gates out are dropped', () => {
    // 100 s at −33, then a minute at −20; the programme runs 10× as long.
    const h = historyOf(steps([[100, -33], [60, -20]]));
    const exact = gatedWeighted([[pw(-33), 1000], [pw(-20), 600 + 14400]]);
    // The −33 blocks fall under the new gate (≈ −30.2): the result is −20 exactly.
    expect(exact).toBeCloseTo(-20, 10);
    const p = projectFromHistory(h, { expectedDurationS: 1600 });
    expect(p.projectedLufs).toBeCloseTo(exact, 10);
    // The sums-only projection keeps the past gated set: its documented approximation.
    const q = projectIntegrated({ ...h.gatingState(), recentLufs: -20, elapsedS: 160, expectedDurationS: 1600 });
    measured.push(`gate re-applied: exact ${p.projectedLufs.toFixed(4)}, sums-only ${q.projectedLufs.toFixed(4)} LUFS`);
    expect(q.projectedLufs).toBeLessThan(exact);
    expect(exact - q.projectedLufs).toBeLessThan(0.3);
  });

  it('the range comes from the recent short-term spread and contains the projection', () => {
    // Recent minute alternates 10 s at −20 and 10 s at −30 (S spans −30 … −20).
    const recent: [number, number][] = [];
    for (let i = 0; i < 3; i++) recent.push([10, -20], [10, -30]);
    const h = historyOf(steps([[120, -24], ...recent]));
    const p = projectFromHistory(h);
    measured.push(`range: ${p.lowLufs.toFixed(2)} ≤ ${p.projectedLufs.toFixed(2)} ≤ ${p.highLufs.toFixed(2)}`);
    expect(p.lowLufs).toBeLessThan(p.projectedLufs - 0.5);
    expect(p.highLufs).toBeGreaterThan(p.projectedLufs + 0.5);
    // High: the rest as loud as the recent P95 (−20 + 0 LU above the loud part).
    const s = h.gatedShortTermLufs(h.slotAt(120), h.steps);
    const spread = recentSpreadLu(Array.from(s), p.assumedLufs);
    expect(spread.downLu).toBeLessThan(0);
    expect(spread.upLu).toBeGreaterThan(0);
    // The sums path gives a range from the same values.
    const q = projectIntegrated({ ...h.gatingState(), recentLufs: p.assumedLufs, recentShortTermLufs: s, elapsedS: 180 });
    expect(q.lowLufs).toBeLessThanOrEqual(q.projectedLufs);
    expect(q.highLufs).toBeGreaterThanOrEqual(q.projectedLufs);
    expect(q.highLufs - q.lowLufs).toBeGreaterThan(1);
  });

  it('on a varied programme it matches a brute-force gating of past and assumed blocks, halved or not', () => {
    // 20 minutes of phrases around −23 (±6 LU) with pauses; a 45-minute programme expected.
    let a = 12345;
    const r = (): number => ((a = (a * 16807) % 2147483647), a / 2147483647);
    const m: number[] = [];
    while (m.length < 12000) {
      const len = 20 + Math.floor(r() * 100);
      const level = -23 + (r() - 0.5) * 12;
      const pause = r() < 0.1;
      for (let i = 0; i < len && m.length < 12000; i++) m.push(pause ? 0 : pw(level + (r() - 0.5) * 4));
    }
    const h = historyOf(m);
    const recent = m.slice(m.length - 600);
    const exact = gatedWeighted([...m.map((p) => [p, 1] as const), ...recent.map((p) => [p, 15000 / 600] as const)]);
    const p = projectFromHistory(h, { expectedDurationS: 2700 });
    // A history that halved twice sees the same past (its histograms keep every step); its
    // recent minute is every 4th block, a sparser sample of the same passage.
    const small = new LoudnessHistory(3000);
    h.forEachStep((mp, sp, tp) => small.push(mp, sp, tp));
    expect(small.stepSeconds).toBeCloseTo(0.4, 12);
    const ps = projectFromHistory(small, { expectedDurationS: 2700 });
    measured.push(`varied programme: projected ${p.projectedLufs.toFixed(4)} (brute force ${exact.toFixed(4)}), halved ${ps.projectedLufs.toFixed(4)}`);
    expect(Math.abs(p.projectedLufs - exact)).toBeLessThan(0.005);
    expect(Math.abs(ps.projectedLufs - exact)).toBeLessThan(0.1);
    expect(p.lowLufs).toBeLessThan(p.projectedLufs);
    expect(p.highLufs).toBeGreaterThan(p.projectedLufs);
  });

  it('an expected duration already passed projects the current value', () => {
    const h = historyOf(steps([[60, -20], [60, -26]]));
    const p = projectFromHistory(h, { expectedDurationS: 60 });
    expect(p.remainingS).toBe(0);
    expect(p.projectedLufs).toBe(p.currentLufs);
    // A duration of 0 (unknown) falls back to "as long again".
    expect(projectIntegrated({ history: h, expectedDurationS: 0 }).remainingS).toBeCloseTo(120, 9);
  });
});

describe('LiveProjector (the render thread\'s projection)', () => {
  /** 12 minutes of phrases with pauses, M powers, and S = mean of the last 30. */
  function programme(seed: number, n = 7200): { m: number[]; s: number[] } {
    let a = seed;
    const r = (): number => ((a = (a * 16807) % 2147483647), a / 2147483647);
    const m: number[] = [];
    while (m.length < n) {
      const len = 20 + Math.floor(r() * 100);
      const level = -23 + (r() - 0.5) * 14;
      const pause = r() < 0.1;
      for (let i = 0; i < len && m.length < n; i++) m.push(pause ? 0 : pw(level + (r() - 0.5) * 4));
    }
    const s: number[] = [];
    let acc = 0;
    for (let i = 0; i < m.length; i++) {
      acc += m[i];
      if (i >= 30) acc -= m[i - 30];
      s.push(Math.max(0, acc / 30));
    }
    return { m, s };
  }

  it('staged steps and one update a second give exactly the pushed history\'s values and projection', () => {
    const { m, s } = programme(777);
    const ref = new LoudnessHistory();
    const live = new LiveProjector(new LoudnessHistory());
    let checked = 0;
    for (let k = 0; k < m.length; k++) {
      ref.push(m[k], s[k], 0.25);
      const q = 3 * live.pending;
      live.staged[q] = m[k];
      live.staged[q + 1] = s[k];
      live.staged[q + 2] = 0.25;
      live.pending++;
      if (k % 10 !== 9) continue;
      const opts = k < 2400 ? {} : k < 4800 ? { levellerTargetLufs: -16 } : { expectedDurationS: 1200, levellerTargetLufs: -18 };
      live.levellerTargetLufs = opts.levellerTargetLufs ?? Number.NaN;
      live.expectedDurationS = opts.expectedDurationS ?? Number.NaN;
      live.update();
      expect(live.pending).toBe(0);
      if (k % 300 !== 299) continue;
      const p = projectFromHistory(ref, opts);
      expect(live.projectedLufs).toBe(p.projectedLufs);
      expect(live.lowLufs).toBe(p.lowLufs);
      expect(live.highLufs).toBe(p.highLufs);
      expect(live.assumedLufs).toBe(p.assumedLufs);
      expect(live.remainingS).toBe(p.remainingS);
      expect(live.integratedLufs).toBe(ref.liveIntegratedLufs());
      expect(live.rangeLu).toBe(ref.liveLoudnessRangeLu());
      checked++;
    }
    expect(checked).toBe(24);
    expect(live.lowLufs).toBeLessThan(live.projectedLufs);
    expect(live.history.pushes).toBe(m.length);
    live.reset();
    expect([live.integratedLufs, live.rangeLu, live.projectedLufs, live.lowLufs, live.highLufs]).toEqual([-Infinity, 0, -Infinity, -Infinity, -Infinity]);
    // flush() pushes staged steps without computing.
    live.staged.set([pw(-20), 0, 1]);
    live.pending = 1;
    live.flush();
    expect(live.pending).toBe(0);
    expect(live.history.pushes).toBe(m.length + 1);
    expect(live.projectedLufs).toBe(Number.NEGATIVE_INFINITY);
    expect(LIVE_STAGE_STEPS).toBeGreaterThanOrEqual(10);
  });

  it('low and high come from P10 and P95 of the recent short-term values, ties and ordered runs included', () => {
    // The in-place selection must find the values a sort would: recent minutes whose S values
    // come in long runs of equal values, in rising, falling and alternating order.
    const cases: Record<string, (i: number) => number> = {
      ties: (i) => (i < 300 ? -24 : i < 450 ? -30 : -19),
      rising: (i) => -34 + i / 30,
      falling: (i) => -14 - i / 30,
      alternating: (i) => (i % 20 < 10 ? -21 : -29) + (i % 7) * 0.25,
    };
    for (const [name, level] of Object.entries(cases)) {
      const m = [...steps([[120, -24]]), ...Array.from({ length: 600 }, (_, i) => pw(level(i)))];
      const h = historyOf(m);
      const p = projectFromHistory(h, { expectedDurationS: 1200 });
      // Reference: sort the gated recent S values and take the Tech 3342 index rule.
      const sorted = Array.from(h.gatedShortTermLufs(h.slotAt(h.durationS - 60), h.steps)).sort((x, y) => x - y);
      const k = sorted.length;
      const recent = p.assumedLufs;
      const down = Math.min(0, sorted[Math.round((k - 1) * 0.1)] - recent);
      const up = Math.max(0, sorted[Math.round((k - 1) * 0.95)] - recent);
      // The same projection with the rest moved by down / up, through the leveller input.
      const lo = projectFromHistory(h, { expectedDurationS: 1200, levellerTargetLufs: recent + down }).projectedLufs;
      const hi = projectFromHistory(h, { expectedDurationS: 1200, levellerTargetLufs: recent + up }).projectedLufs;
      measured.push(`P10/P95 ${name}: low ${p.lowLufs.toFixed(6)} (ref ${Math.min(p.projectedLufs, lo).toFixed(6)}), high ${p.highLufs.toFixed(6)} (ref ${Math.max(p.projectedLufs, hi).toFixed(6)})`);
      expect(Math.abs(p.lowLufs - Math.min(p.projectedLufs, lo))).toBeLessThan(1e-9);
      expect(Math.abs(p.highLufs - Math.max(p.projectedLufs, hi))).toBeLessThan(1e-9);
      expect(up - down).toBeGreaterThan(1);
    }
  });

  it('the warm-up runs on a history of its own and leaves others alone', () => {
    const h = historyOf(steps([[30, -20]]));
    const before = projectFromHistory(h);
    warmUpLiveProjection(8);
    expect(h.pushes).toBe(300);
    expect(projectFromHistory(h)).toEqual(before);
  });
});

