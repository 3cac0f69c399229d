import { describe, it, expect, afterAll } from 'vitest';
import { LoudnessMeter, kWeightingCoeffs, defaultChannelWeights, lufsFromPower } from '../../src/engine/loudness.js';
import { designInterpolator, oversampleFactor, TP_TAPS, TruePeakDetector } from '../../src/engine/true-peak.js';
import { responseDb } from '../../src/engine/biquad.js';
import { feedSegments, seg, feedArrays, tpSine, tpBurst, peakDb, type Segment } from './ebu-cases.js';

// Measured values are collected here and printed once, so a run shows the figures.
const measured: string[] = [];
function note(s: string): void {
  measured.push(s);
}
afterAll(() => {
  // eslint-disable-next-line no-console
  if (process.env.LOUDNESS_REPORT) console.log(measured.join('\n'));
});

function run(fs: number, segments: readonly Segment[], channels = 2): ReturnType<LoudnessMeter['result']> {
  const m = new LoudnessMeter(fs, channels);
  feedSegments(m, segments);
  return m.result();
}

describe('K-weighting', () => {
  it('48 kHz coefficients equal the BS.1770 table to 1e-8', () => {
    const { pre, rlb } = kWeightingCoeffs(48000);
    const tPre = [1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585];
    const tRlb = [1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621];
    for (let i = 0; i < 5; i++) {
      expect(Math.abs(pre[i] - tPre[i])).toBeLessThan(1e-8);
      expect(Math.abs(rlb[i] - tRlb[i])).toBeLessThan(1e-8);
    }
  });

  it('44.1, 96 and 192 kHz coefficients match the derived table', () => {
    const table: Record<number, number[]> = {
      44100: [1.53084123005035, -2.65097999515473, 1.16907907992159, -1.66365511325602, 0.71259542807323, -1.9891696736298, 0.98919903578704],
      96000: [1.5597142289758, -2.92674157825108, 1.37826120231582, -1.84460946989011, 0.85584332293064, -1.99501754472472, 0.99502375904092],
      192000: [1.57222721509128, -3.04728305156155, 1.47797134097961, -1.92220223060749, 0.92511773511683, -1.9975072228407, 0.99750877835551],
    };
    for (const fs of [44100, 96000, 192000]) {
      const { pre, rlb } = kWeightingCoeffs(fs);
      const got = [pre[0], pre[1], pre[2], pre[3], pre[4], rlb[3], rlb[4]];
      for (let i = 0; i < 7; i++) expect(Math.abs(got[i] - table[fs][i])).toBeLessThan(1e-10);
    }
  });

  it('combined magnitude at 48 kHz matches the published response (±0.005 dB)', () => {
    const { pre, rlb } = kWeightingCoeffs(48000);
    const k = (f: number): number => responseDb(pre, f, 48000) + responseDb(rlb, f, 48000);
    const pub: [number, number][] = [
      [20, -13.275], [25, -10.393], [50, -3.934], [100, -1.133], [500, 0.042], [997, 0.691],
      [1000, 0.698], [2000, 3.071], [5000, 4.013], [10000, 4.042], [16000, 4.043], [20000, 4.043],
    ];
    for (const [f, db] of pub) expect(Math.abs(k(f) - db), `${f} Hz`).toBeLessThan(0.005);
  });

  it('other rates give the 48 kHz response within ±0.01 dB from 20 Hz to 16 kHz', () => {
    const ref = kWeightingCoeffs(48000);
    const k48 = (f: number): number => responseDb(ref.pre, f, 48000) + responseDb(ref.rlb, f, 48000);
    for (const fs of [44100, 88200, 96000, 176400, 192000]) {
      const c = kWeightingCoeffs(fs);
      for (const f of [20, 50, 100, 500, 1000, 2000, 5000, 10000, 16000]) {
        const d = Math.abs(responseDb(c.pre, f, fs) + responseDb(c.rlb, f, fs) - k48(f));
        expect(d, `${fs} Hz rate, ${f} Hz`).toBeLessThan(0.01);
      }
    }
  });
});

describe('EBU Tech 3341 (minimum requirements), 48 kHz', () => {
  const fs = 48000;

  for (const [n, lvl] of [[1, -23], [2, -33]] as const) {
    for (const rate of [44100, 48000, 96000]) {
      it(`case ${n}: stereo 1 kHz at ${lvl} dBFS, 20 s, ${rate} Hz → M, S, I = ${lvl} ±0.1`, () => {
        const m = new LoudnessMeter(rate, 2);
        feedSegments(m, [seg(20, lvl)]);
        const r = m.result();
        note(`3341-${n} @${rate}: I ${r.integratedLufs.toFixed(3)} M ${m.momentaryLufs().toFixed(3)} S ${m.shortTermLufs().toFixed(3)} maxM ${r.momentaryMaxLufs.toFixed(3)} maxS ${r.shortTermMaxLufs.toFixed(3)}`);
        expect(Math.abs(r.integratedLufs - lvl)).toBeLessThan(0.1);
        expect(Math.abs(m.momentaryLufs() - lvl)).toBeLessThan(0.1);
        expect(Math.abs(m.shortTermLufs() - lvl)).toBeLessThan(0.1);
        expect(Math.abs(r.momentaryMaxLufs - lvl)).toBeLessThan(0.1);
        expect(Math.abs(r.shortTermMaxLufs - lvl)).toBeLessThan(0.1);
        // An exact sine reads 0.007 LU above its peak level (K-filter gain at 1 kHz vs 997 Hz);
        // other rates follow the 48 kHz response within 0.005 dB at 1 kHz.
        expect(Math.abs(r.integratedLufs - (lvl + 0.007))).toBeLessThan(0.01);
      });
    }
  }

  it('case 3: 10 s @ −36, 60 s @ −23, 10 s @ −36 → I = −23 ±0.1', () => {
    const r = run(fs, [seg(10, -36), seg(60, -23), seg(10, -36)]);
    note(`3341-3: I ${r.integratedLufs.toFixed(3)}`);
    expect(Math.abs(r.integratedLufs + 23)).toBeLessThan(0.1);
  });

  it('case 4: −72 / −36 / −23 / −36 / −72 → I = −23 ±0.1', () => {
    const r = run(fs, [seg(10, -72), seg(10, -36), seg(60, -23), seg(10, -36), seg(10, -72)]);
    note(`3341-4: I ${r.integratedLufs.toFixed(3)}`);
    expect(Math.abs(r.integratedLufs + 23)).toBeLessThan(0.1);
  });

  it('case 5: 20 s @ −26, 20.1 s @ −20, 20 s @ −26 → I = −23 ±0.1', () => {
    const r = run(fs, [seg(20, -26), seg(20.1, -20), seg(20, -26)]);
    note(`3341-5: I ${r.integratedLufs.toFixed(3)}`);
    expect(Math.abs(r.integratedLufs + 23)).toBeLessThan(0.1);
  });

  it('case 6: 5.0 channels L, R −28, C −24, Ls, Rs −30 → I = −23 ±0.1', () => {
    const r = run(fs, [[20, [-28, -28, -24, -30, -30]]], 5);
    note(`3341-6: I ${r.integratedLufs.toFixed(3)}`);
    expect(Math.abs(r.integratedLufs + 23)).toBeLessThan(0.1);
  });

  it('case 9: (1.34 s @ −20, 1.66 s @ −30) × 5 → S = −23 ±0.1 at every 10 ms after 3 s', () => {
    const m = new LoudnessMeter(fs, 2);
    let lo = Infinity;
    let hi = -Infinity;
    const segs: Segment[] = [];
    for (let i = 0; i < 5; i++) segs.push(seg(1.34, -20), seg(1.66, -30));
    feedSegments(m, segs, {
      onChunk: (mm, end) => {
        if (end >= 3 * fs) {
          lo = Math.min(lo, mm.shortTermLufs());
          hi = Math.max(hi, mm.shortTermLufs());
        }
      },
    });
    note(`3341-9: S range ${lo.toFixed(3)} … ${hi.toFixed(3)}`);
    expect(Math.abs(lo + 23)).toBeLessThan(0.1);
    expect(Math.abs(hi + 23)).toBeLessThan(0.1);
  });

  it('case 10: 20 files (i·0.15 s silence, 3 s @ −23, 1 s silence) → max S = −23 ±0.1 each', () => {
    const m = new LoudnessMeter(fs, 2);
    const got: number[] = [];
    for (let i = 0; i < 20; i++) {
      m.reset();
      feedSegments(m, [seg(i * 0.15, null), seg(3, -23), seg(1, null)]);
      got.push(m.result().shortTermMaxLufs);
    }
    note(`3341-10: max S ${Math.min(...got).toFixed(3)} … ${Math.max(...got).toFixed(3)}`);
    for (const v of got) expect(Math.abs(v + 23)).toBeLessThan(0.1);
  });

  it('case 11: live, one stream of 20 tones at −38 … −19 → successive max S ±0.1', () => {
    const m = new LoudnessMeter(fs, 2);
    const got: number[] = [];
    for (let i = 0; i < 20; i++) {
      let mx = -Infinity;
      feedSegments(m, [seg(i * 0.15, null), seg(3, -38 + i), seg(3 - i * 0.15, null)], {
        onChunk: (mm) => {
          mx = Math.max(mx, mm.shortTermLufs());
        },
      });
      got.push(mx);
    }
    note(`3341-11: max S per tone − expected: ${got.map((v, i) => (v + 38 - i).toFixed(3)).join(' ')}`);
    got.forEach((v, i) => expect(Math.abs(v - (-38 + i))).toBeLessThan(0.1));
  });

  it('case 12: (0.18 s @ −20, 0.22 s @ −30) × 25 → M = −23 ±0.1 at every 10 ms after 1 s', () => {
    const m = new LoudnessMeter(fs, 2);
    let lo = Infinity;
    let hi = -Infinity;
    const segs: Segment[] = [];
    for (let i = 0; i < 25; i++) segs.push(seg(0.18, -20), seg(0.22, -30));
    feedSegments(m, segs, {
      onChunk: (mm, end) => {
        if (end >= fs) {
          lo = Math.min(lo, mm.momentaryLufs());
          hi = Math.max(hi, mm.momentaryLufs());
        }
      },
    });
    note(`3341-12: M range ${lo.toFixed(3)} … ${hi.toFixed(3)}`);
    expect(Math.abs(lo + 23)).toBeLessThan(0.1);
    expect(Math.abs(hi + 23)).toBeLessThan(0.1);
  });

  it('case 13: 20 files (i·20 ms silence, 400 ms @ −23, 1 s silence) → max M = −23 ±0.1 each', () => {
    const m = new LoudnessMeter(fs, 2);
    const got: number[] = [];
    for (let i = 0; i < 20; i++) {
      m.reset();
      feedSegments(m, [seg(i * 0.02, null), seg(0.4, -23), seg(1, null)]);
      got.push(m.result().momentaryMaxLufs);
    }
    note(`3341-13: max M ${Math.min(...got).toFixed(3)} … ${Math.max(...got).toFixed(3)}`);
    for (const v of got) expect(Math.abs(v + 23)).toBeLessThan(0.1);
  });

  it('case 14: live, 20 tones of 400 ms at −38 … −19 → successive max M ±0.1', () => {
    const m = new LoudnessMeter(fs, 2);
    const got: number[] = [];
    for (let i = 0; i < 20; i++) {
      let mx = -Infinity;
      feedSegments(m, [seg(i * 0.02, null), seg(0.4, -38 + i), seg(0.4 - i * 0.02, null)], {
        onChunk: (mm) => {
          mx = Math.max(mx, mm.momentaryLufs());
        },
      });
      got.push(mx);
    }
    note(`3341-14: max M per tone − expected: ${got.map((v, i) => (v + 38 - i).toFixed(3)).join(' ')}`);
    got.forEach((v, i) => expect(Math.abs(v - (-38 + i))).toBeLessThan(0.1));
  });

  // True peak: expected value with the Tech 3341 tolerance −0.4 / +0.2 dB.
  const tpCases: [number, number, number, number, number][] = [
    // case, frequency / fs, amplitude (FFS), phase (deg), expected dBTP
    [15, 1 / 4, 0.5, 0, -6.0],
    [16, 1 / 4, 0.5, 45, -6.0],
    [17, 1 / 6, 0.5, 60, -6.0],
    [18, 1 / 8, 0.5, 67.5, -6.0],
    [19, 1 / 4, 1.41, 45, 3.0],
  ];
  for (const [n, ratio, amp, ph, want] of tpCases) {
    it(`case ${n}: fs·${ratio.toFixed(4)} at ${amp} FFS, ${ph}° → ${want} dBTP (+0.2/−0.4)`, () => {
      const x = tpSine(fs, ratio, amp, ph);
      const m = new LoudnessMeter(fs, 2);
      feedArrays(m, [x, x], 1000);
      const r = m.result();
      note(`3341-${n}: TP ${r.truePeakDbtp.toFixed(3)} sample peak ${r.samplePeakDbfs.toFixed(3)}`);
      expect(r.truePeakDbtp).toBeGreaterThan(want - 0.4);
      expect(r.truePeakDbtp).toBeLessThan(want + 0.2);
    });
  }

  // Sample peaks of the real EBU files 20–23, to check the synthesis follows the description.
  const filePeaks = [-0.13, -0.46, -2.51, -0.46];
  for (let off = 0; off < 4; off++) {
    it(`case ${20 + off}: fs/6 burst with one fs/4 period, decimation offset ${off} → 0.0 dBTP (+0.2/−0.4)`, () => {
      const x = tpBurst(off);
      expect(Math.abs(peakDb(x) - filePeaks[off])).toBeLessThan(0.05);
      const m = new LoudnessMeter(fs, 2);
      feedArrays(m, [x, x], 4800);
      const r = m.result();
      note(`3341-${20 + off}: TP ${r.truePeakDbtp.toFixed(3)} sample peak ${r.samplePeakDbfs.toFixed(3)}`);
      expect(r.truePeakDbtp).toBeGreaterThan(-0.4);
      expect(r.truePeakDbtp).toBeLessThan(0.2);
    });
  }
});

describe('EBU Tech 3342 (loudness range)', () => {
  const cases: [number, Segment[], number][] = [
    [1, [seg(20, -20), seg(20, -30)], 10],
    [2, [seg(20, -20), seg(20, -15)], 5],
    [3, [seg(20, -40), seg(20, -20)], 20],
    [4, [seg(20, -50), seg(20, -35), seg(20, -20), seg(20, -35), seg(20, -50)], 15],
  ];
  for (const [n, segs, want] of cases) {
    const rates = n <= 2 ? [44100, 48000, 96000] : [48000];
    for (const fs of rates) {
      it(`case ${n} at ${fs} Hz → LRA = ${want} ±1 LU`, () => {
        const r = run(fs, segs);
        note(`3342-${n} @${fs}: LRA ${r.loudnessRangeLu.toFixed(3)}`);
        expect(Math.abs(r.loudnessRangeLu - want)).toBeLessThan(1);
        // Step signals have exact percentiles: the synthetic result is within 0.05 LU.
        expect(Math.abs(r.loudnessRangeLu - want)).toBeLessThan(0.05);
      });
    }
  }

  it('the value is unchanged when the signal is repeated (±0.1 LU)', () => {
    const once: Segment[] = [seg(20, -20), seg(20, -30)];
    const r = run(48000, [...once, ...once]);
    expect(Math.abs(r.loudnessRangeLu - 10)).toBeLessThan(0.1);
  });
});

describe('meter behaviour', () => {
  function noise(len: number, seed: number): Float32Array {
    const x = new Float32Array(len);
    let s = seed >>> 0;
    for (let i = 0; i < len; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const env = 0.3 + 0.25 * Math.sin((2 * Math.PI * i) / 30000);
      x[i] = env * ((s / 4294967296) * 2 - 1) + 0.2 * Math.sin(i * 0.3);
    }
    return x;
  }

  it('gives identical results for block sizes 1, 64, 1000 and 4800', () => {
    const fs = 48000;
    const l = noise(fs * 5, 1);
    const r = noise(fs * 5, 2);
    const results = [1, 64, 1000, 4800].map((b) => {
      const m = new LoudnessMeter(fs, 2);
      feedArrays(m, [l, r], b);
      return { ...m.result(), m: m.momentaryLufs(), s: m.shortTermLufs() };
    });
    for (const x of results.slice(1)) expect(x).toEqual(results[0]);
    expect(Number.isFinite(results[0].integratedLufs)).toBe(true);
    expect(results[0].loudnessRangeLu).toBeGreaterThan(0);
  });

  it('silence reads -Infinity (integrated, M, S, peaks) and LRA 0, with no NaN', () => {
    const m = new LoudnessMeter(48000, 2);
    const z = new Float32Array(48000 * 4);
    feedArrays(m, [z, z], 1000);
    const r = m.result();
    expect(r.integratedLufs).toBe(-Infinity);
    expect(r.momentaryMaxLufs).toBe(-Infinity);
    expect(r.shortTermMaxLufs).toBe(-Infinity);
    expect(r.truePeakDbtp).toBe(-Infinity);
    expect(r.samplePeakDbfs).toBe(-Infinity);
    expect(r.loudnessRangeLu).toBe(0);
    expect(r.durationS).toBe(4);
    expect(m.momentaryLufs()).toBe(-Infinity);
    expect(m.shortTermLufs()).toBe(-Infinity);
  });

  it('an empty meter and a tone followed by silence give no NaN; silence after a tone returns to -Infinity M', () => {
    const m = new LoudnessMeter(48000, 2);
    for (const v of Object.values(m.result())) expect(Number.isNaN(v)).toBe(false);
    feedSegments(m, [seg(1, -20), seg(4, null)]);
    const r = m.result();
    for (const v of Object.values(r)) expect(Number.isNaN(v)).toBe(false);
    expect(m.momentaryLufs()).toBe(-Infinity);
    expect(m.shortTermLufs()).toBe(-Infinity);
    // Gating blocks ending after the tone hold 3/4, 1/2, 1/4 of it; all pass the gates, so the
    // mean power is (7 + 0.75 + 0.5 + 0.25)/10 of the tone's: −0.706 LU.
    expect(Math.abs(r.integratedLufs - (-19.993 + 10 * Math.log10(0.85)))).toBeLessThan(0.01);
  });

  it('reset makes the meter read as new', () => {
    const m = new LoudnessMeter(48000, 2);
    feedSegments(m, [seg(3, -10)]);
    m.reset();
    feedSegments(m, [seg(20, -23)]);
    const r = m.result();
    expect(Math.abs(r.momentaryMaxLufs + 23)).toBeLessThan(0.1);
    expect(r.durationS).toBe(20);
  });

  it('5.1: a tone in Ls reads 10·log10(1.41) = 1.49 dB above the same tone in L; LFE is ignored', () => {
    const lvl = -23;
    const only = (ch: number): ReturnType<LoudnessMeter['result']> => {
      const levels: (number | null)[] = [null, null, null, null, null, null];
      levels[ch] = lvl;
      return run(48000, [[10, levels]], 6);
    };
    const l = only(0);
    const ls = only(4);
    const lfe = only(3);
    note(`5.1: L ${l.integratedLufs.toFixed(3)} Ls ${ls.integratedLufs.toFixed(3)} LFE ${lfe.integratedLufs}`);
    expect(Math.abs(ls.integratedLufs - l.integratedLufs - 10 * Math.log10(1.41))).toBeLessThan(0.01);
    expect(Math.abs(l.integratedLufs - (lvl - 3.01 + 0.007))).toBeLessThan(0.02);
    expect(lfe.integratedLufs).toBe(-Infinity);
    expect(Math.abs(lfe.samplePeakDbfs - lvl)).toBeLessThan(0.01); // peaks still see the LFE
  });

  it('over 10 minutes (the stored series grow): I and LRA of a 10 LU step stay exact', () => {
    // 8 kHz mono keeps this quick; 11 min = 6600 gating blocks > the 6000 preallocated.
    const fs = 8000;
    const ref = new LoudnessMeter(fs, 1);
    feedSegments(ref, [seg(10, -20, 1)]);
    const loud = ref.result().integratedLufs;
    const m = new LoudnessMeter(fs, 1);
    feedSegments(m, [seg(330, -20, 1), seg(330, -30, 1)], { chunk: 4000 });
    const r = m.result();
    note(`11 min step: I ${r.integratedLufs.toFixed(3)} (want ${(loud + 10 * Math.log10(0.55)).toFixed(3)}) LRA ${r.loudnessRangeLu.toFixed(3)}`);
    expect(Math.abs(r.integratedLufs - (loud + 10 * Math.log10(0.55)))).toBeLessThan(0.01);
    expect(Math.abs(r.loudnessRangeLu - 10)).toBeLessThan(0.05);
    expect(r.durationS).toBe(660);
  });

  it('default weights and argument checks', () => {
    expect(defaultChannelWeights(1)).toEqual([1]);
    expect(defaultChannelWeights(6)).toEqual([1, 1, 1, 0, 1.41, 1.41]);
    expect(() => new LoudnessMeter(48000, 9)).toThrow(RangeError);
    expect(() => new LoudnessMeter(48000, 2, [1])).toThrow(RangeError);
    expect(lufsFromPower(0)).toBe(-Infinity);
  });

  it('mono 997 Hz sine at 0 dBFS reads −3.01 LUFS', () => {
    const m = new LoudnessMeter(48000, 1);
    feedSegments(m, [seg(5, 0, 1)], { freq: 997 });
    expect(Math.abs(m.result().integratedLufs + 3.01)).toBeLessThan(0.01);
  });
});

describe('true-peak interpolator', () => {
  it('oversamples 4× below 88.2 kHz, 2× to 176.4 kHz, then 1×', () => {
    expect([44100, 48000, 88200, 96000, 176400, 192000].map(oversampleFactor)).toEqual([4, 4, 2, 2, 1, 1]);
  });

  it('passband gain within ±0.04 dB up to 0.45·fs for every phase at 4× and 2×', () => {
    for (const factor of [4, 2]) {
    const c = designInterpolator(factor);
    for (let p = 0; p < factor - 1; p++) {
      for (let f = 0; f <= 0.45; f += 0.01) {
        // Magnitude of the fractional-delay phase at normalised frequency f.
        let re = 0;
        let im = 0;
        for (let j = 0; j < TP_TAPS; j++) {
          re += c[p * TP_TAPS + j] * Math.cos(2 * Math.PI * f * j);
          im += c[p * TP_TAPS + j] * Math.sin(2 * Math.PI * f * j);
        }
        const db = 10 * Math.log10(re * re + im * im);
        expect(Math.abs(db), `${factor}×, phase ${p + 1}, f ${f.toFixed(2)}`).toBeLessThan(0.04);
      }
    }
    }
  });

  it('the folded polyphase evaluation equals the plain per-phase sums (4× and 2×)', () => {
    for (const [fs, factor] of [[48000, 4], [96000, 2]] as const) {
      const len = 3000;
      const x = new Float32Array(len);
      let seed = 7;
      for (let i = 0; i < len; i++) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        x[i] = (seed / 4294967296) * 2 - 1;
      }
      const c = designInterpolator(factor);
      let want = 0;
      for (let n = TP_TAPS - 1; n < len; n++) {
        for (let p = 0; p < factor - 1; p++) {
          let acc = 0;
          for (let j = 0; j < TP_TAPS; j++) acc += c[p * TP_TAPS + j] * x[n - TP_TAPS + 1 + j];
          want = Math.max(want, Math.abs(acc), Math.abs(x[n]));
        }
      }
      const d = new TruePeakDetector(fs, 1);
      d.process(0, x, 0, 1234);
      d.process(0, x, 1234, len - 1234);
      expect(Math.abs(d.truePeak() - want)).toBeLessThan(1e-12);
      expect(d.truePeak()).toBeGreaterThan(1); // random samples in ±1 overshoot between samples
    }
  });

  for (const fs of [44100, 96000]) {
    it(`Tech 3341 cases 15–19 signals at ${fs} Hz stay within +0.2/−0.4 dB`, () => {
      const cases: [number, number, number, number][] = [
        [1 / 4, 0.5, 0, -6.0], [1 / 4, 0.5, 45, -6.0], [1 / 6, 0.5, 60, -6.0], [1 / 8, 0.5, 67.5, -6.0], [1 / 4, 1.41, 45, 3.0],
      ];
      for (const [ratio, amp, ph, want] of cases) {
        const x = tpSine(fs, ratio, amp, ph, 0.5);
        const m = new LoudnessMeter(fs, 1);
        feedArrays(m, [x], 777);
        const tp = m.result().truePeakDbtp;
        expect(tp, `${ratio} ${ph}`).toBeGreaterThan(want - 0.4);
        expect(tp, `${ratio} ${ph}`).toBeLessThan(want + 0.2);
      }
    });
  }

  it('a 0 dBFS-peak sine at 0.42·fs with samples off the crest reads 0.0 dBTP within +0.02/−0.6 dB', () => {
    // 20 kHz at 48 kHz: worst-case 4× under-read is 20·log10(cos(π·0.42/4)) = −0.47 dB.
    const fs = 48000;
    const x = tpSine(fs, 20000 / fs, 1, 17);
    const m = new LoudnessMeter(fs, 1);
    feedArrays(m, [x], 512);
    const r = m.result();
    note(`TP 20 kHz 0 dBFS: ${r.truePeakDbtp.toFixed(3)} (sample peak ${r.samplePeakDbfs.toFixed(3)})`);
    expect(r.truePeakDbtp).toBeLessThan(0.02);
    expect(r.truePeakDbtp).toBeGreaterThan(-0.6);
  });
});
