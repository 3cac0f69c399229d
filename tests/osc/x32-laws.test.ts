import { describe, expect, it } from 'vitest';
import {
  FADER_LEVEL,
  LAWS,
  LEVEL_OFF_DB,
  SEND_LEVEL,
  enumLaw,
  freqText,
  levelDbToFloat,
  levelFloatToDb,
  levelText,
  parseNumber,
} from '../../src/osc/x32-laws.js';
import { faderTaper } from '../../src/model/tapers.js';

const f32 = Math.fround;
/** Big-endian bytes of a float32, as it goes on the wire. */
function beHex(f: number): string {
  const b = Buffer.alloc(4);
  b.writeFloatBE(f);
  return b.toString('hex');
}

describe('X32 level law, 1024 steps', () => {
  const steps = Array.from({ length: 1024 }, (_, k) => k);

  it('round-trips dB -> float -> dB at every one of the 1024 known values', () => {
    for (const k of steps) {
      const db = FADER_LEVEL.fromFloat(k / 1023);
      expect(FADER_LEVEL.toFloat(db)).toBe(k / 1023);
      expect(FADER_LEVEL.fromFloat(FADER_LEVEL.toFloat(db))).toBe(db);
      // The float32 a client sends decodes to the same step.
      expect(FADER_LEVEL.fromWire(f32(k / 1023))).toBe(db);
    }
  });

  it('is strictly monotonic over the 1024 steps, from −∞ (−90) to +10 dB', () => {
    const dbs = steps.map((k) => FADER_LEVEL.fromFloat(k / 1023));
    for (let k = 1; k < 1024; k++) expect(dbs[k]).toBeGreaterThan(dbs[k - 1]);
    expect(dbs[0]).toBe(LEVEL_OFF_DB);
    expect(dbs[1023]).toBe(10);
    expect(FADER_LEVEL.text(dbs[0])).toBe('  -oo');
  });

  it('matches mixhost’s fader taper at every known value (same four segments)', () => {
    for (const k of steps) expect(FADER_LEVEL.fromFloat(k / 1023)).toBeCloseTo(faderTaper.fromPosition(k / 1023), 9);
  });

  it('puts 0 dB on step 767 (0.74976, −0.0098 dB, printed 0.0)', () => {
    const f = FADER_LEVEL.toFloat(0);
    expect(f * 1023).toBeCloseTo(767, 9);
    expect(FADER_LEVEL.fromFloat(f)).toBeCloseTo(-0.009775, 6);
    expect(FADER_LEVEL.text(FADER_LEVEL.fromFloat(f))).toBe('  0.0');
    // no other step is nearer 0 dB
    const nearest = steps.reduce((best, k) => (Math.abs(FADER_LEVEL.fromFloat(k / 1023)) < Math.abs(FADER_LEVEL.fromFloat(best / 1023)) ? k : best), 0);
    expect(nearest).toBe(767);
  });

  it('sends +3 dB as X32doc’s example 0.8250, bytes 3f5334cd (step 844), and decodes it as +3.0', () => {
    expect(beHex(FADER_LEVEL.toWire(3))).toBe('3f5334cd');
    expect(FADER_LEVEL.toWire(3) * 1023).toBeCloseTo(844, 9);
    expect(FADER_LEVEL.fromWire(f32(0.825))).toBe(FADER_LEVEL.fromFloat(844 / 1023));
    const db = FADER_LEVEL.fromWire(f32(0.825))!;
    expect(db).toBeCloseTo(3.0, 1);
    expect(Math.abs(db - 3)).toBeLessThan(40 / 1023); // within one step (0.039 dB) of +3
    expect(FADER_LEVEL.text(db)).toBe(' +3.0');
    expect(levelDbToFloat(3)).toBe(0.825);
  });

  it('lands on the step nearest each segment boundary', () => {
    const cases: Array<[db: number, k: number, text: string]> = [
      [-60, 64, '-60.0'],
      [-30, 256, '-30.0'],
      [-10, 512, '-10.0'],
      [10, 1023, '+10.0'],
    ];
    for (const [db, k, text] of cases) {
      expect(Math.round(FADER_LEVEL.toFloat(db) * 1023)).toBe(k);
      expect(FADER_LEVEL.text(FADER_LEVEL.quantize(db))).toBe(text);
    }
    // the unquantised segments meet exactly at the boundaries
    expect(levelFloatToDb(0.0625)).toBe(-60);
    expect(levelFloatToDb(0.25)).toBe(-30);
    expect(levelFloatToDb(0.5)).toBe(-10);
    expect(levelDbToFloat(-60)).toBe(0.0625);
    expect(levelDbToFloat(-30)).toBe(0.25);
    expect(levelDbToFloat(-10)).toBe(0.5);
    // step size per segment: 480, 160, 80, 40 dB over the float range
    expect(FADER_LEVEL.fromFloat(2 / 1023) - FADER_LEVEL.fromFloat(1 / 1023)).toBeCloseTo(480 / 1023, 9);
    expect(FADER_LEVEL.fromFloat(1000 / 1023) - FADER_LEVEL.fromFloat(999 / 1023)).toBeCloseTo(40 / 1023, 9);
  });

  it('agrees with X32doc’s int(f·1023.5)/1023 rounding on every known float', () => {
    for (const k of steps) {
      const f = f32(k / 1023);
      expect(Math.floor(f * 1023.5)).toBe(Math.round(FADER_LEVEL.toFloat(FADER_LEVEL.fromWire(f)!) * 1023));
    }
  });

  it('parses node text, including −oo and the nearest known value (−85.4 -> −85.3)', () => {
    expect(FADER_LEVEL.parse('-oo')).toBe(LEVEL_OFF_DB);
    expect(FADER_LEVEL.text(FADER_LEVEL.parse('-85.4')!)).toBe('-85.3');
    expect(FADER_LEVEL.parse('+3')).toBeCloseTo(3.0, 1);
    expect(FADER_LEVEL.parse('loud')).toBeUndefined();
  });

  it('rejects out-of-range and non-numeric wire values', () => {
    expect(FADER_LEVEL.fromWire(1.5)).toBeUndefined();
    expect(FADER_LEVEL.fromWire(-0.1)).toBeUndefined();
    expect(FADER_LEVEL.fromWire(Number.NaN)).toBeUndefined();
    expect(FADER_LEVEL.fromWire('0.5')).toBeUndefined();
  });
});

describe('X32 send level, 161 steps', () => {
  it('has 161 known values k/160 and round-trips each', () => {
    expect(SEND_LEVEL.steps).toBe(161);
    for (let k = 0; k <= 160; k++) {
      const db = SEND_LEVEL.fromFloat(k / 160);
      expect(SEND_LEVEL.toFloat(db)).toBe(k / 160);
    }
    expect(SEND_LEVEL.fromFloat(120 / 160)).toBe(0);
    expect(SEND_LEVEL.fromFloat(1 / 160)).toBeCloseTo(-87, 9); // 480/160 - 90
  });
});

describe('linf and logf laws', () => {
  it('pan: linf −100..100 step 2, 101 values; X32doc 0.75 = half right (+50)', () => {
    expect(LAWS.pan.steps).toBe(101);
    expect(LAWS.pan.fromFloat(0.75)).toBe(50);
    expect(LAWS.pan.fromFloat(0.5)).toBe(0);
    expect(LAWS.pan.toFloat(-100)).toBe(0);
    expect(LAWS.pan.quantize(33)).toBe(34);
    expect(LAWS.pan.text(0)).toBe('+0');
    expect(LAWS.pan.text(-100)).toBe('-100');
  });

  it('EQ gain: 121 values of 0.25 dB; trim: 145 values', () => {
    expect(LAWS.eqGain.steps).toBe(121);
    expect(LAWS.eqGain.fromFloat(61 / 120)).toBe(0.25);
    expect(LAWS.eqGain.text(-4.25)).toBe('-4.25');
    expect(LAWS.eqGain.text(0)).toBe('+0.00');
    expect(LAWS.trim.steps).toBe(145);
    expect(LAWS.trim.quantize(0.1)).toBe(0);
  });

  it('EQ frequency: logf 20..20k, 201 values, printed 990.9 / 1k39 / 11k91', () => {
    expect(LAWS.freq.steps).toBe(201);
    expect(LAWS.freq.fromFloat(0)).toBe(20);
    expect(LAWS.freq.fromFloat(1)).toBe(20000);
    expect(LAWS.freq.fromFloat(0.5)).toBeCloseTo(632.456, 3); // geometric centre
    for (let k = 0; k <= 200; k++) expect(LAWS.freq.toFloat(LAWS.freq.fromFloat(k / 200))).toBe(k / 200);
    expect(freqText(990.9)).toBe('990.9');
    expect(freqText(1390)).toBe('1k39');
    expect(freqText(11910)).toBe('11k91');
    expect(parseNumber('1k39')).toBe(1390);
    expect(parseNumber('12k5')).toBe(12500);
  });

  it('EQ Q: logf from 10 down to 0.3 in 72 values', () => {
    expect(LAWS.eqQ.steps).toBe(72);
    expect(LAWS.eqQ.fromFloat(0)).toBe(10);
    expect(LAWS.eqQ.fromFloat(1)).toBe(0.3);
    expect(LAWS.eqQ.toFloat(10)).toBe(0);
    expect(LAWS.eqQ.toFloat(0.3)).toBe(1);
    for (let k = 1; k < 71; k++) expect(LAWS.eqQ.fromFloat(k / 71)).toBeLessThan(LAWS.eqQ.fromFloat((k - 1) / 71));
  });

  it('HPF 20..400 (101), hold 0.02..2000 (101), release 5..4000 (101), thresholds, mgain', () => {
    expect([LAWS.hpf.steps, LAWS.hold.steps, LAWS.release.steps]).toEqual([101, 101, 101]);
    expect(LAWS.hpf.fromFloat(1)).toBe(400);
    expect(LAWS.gateThr.steps).toBe(161);
    expect(LAWS.gateRange.steps).toBe(58);
    expect(LAWS.dynThr.steps).toBe(121);
    expect(LAWS.mgain.steps).toBe(49);
    expect(LAWS.attack.steps).toBe(121);
    expect(LAWS.mgain.text(8)).toBe('8.00');
  });
});

describe('enum, bitmap and string laws', () => {
  it('takes an enum as its name or its index (X32doc: gate mode GATE ≡ 3)', () => {
    expect(LAWS.gateMode.fromWire('GATE')).toBe(3);
    expect(LAWS.gateMode.fromWire(3)).toBe(3);
    expect(LAWS.gateMode.fromWire(5)).toBeUndefined();
    expect(LAWS.gateMode.fromWire('SIDECHAIN')).toBeUndefined();
    expect(LAWS.gateMode.text(0)).toBe('EXP2');
    expect(LAWS.onOff.fromWire('ON')).toBe(1);
    expect(LAWS.onOff.fromWire(0)).toBe(0);
  });

  it('lists the EQ types, colours and compressor ratios as documented', () => {
    expect(LAWS.eqType.options).toEqual(['LCut', 'LShv', 'PEQ', 'VEQ', 'HShv', 'HCut']);
    expect(LAWS.colour.steps).toBe(16);
    expect(LAWS.colour.text(11)).toBe('YEi');
    expect(LAWS.dynRatio.options?.[0]).toBe('1.1');
    expect(LAWS.dynRatio.options?.[11]).toBe('100');
    expect(enumLaw(['A', 'B', 'C']).toFloat(1)).toBe(0.5);
  });

  it('prints bitmaps most significant bit first and parses them back', () => {
    expect(LAWS.dcaMask.text(1)).toBe('%00000001');
    expect(LAWS.dcaMask.parse('%10000001')).toBe(129);
    expect(LAWS.muteMask.text(5)).toBe('%000101');
    expect(LAWS.dcaMask.fromWire(256)).toBeUndefined();
  });

  it('quotes strings and cuts them at 12 characters', () => {
    expect(LAWS.name.text('Kick')).toBe('"Kick"');
    expect(LAWS.name.fromWire('A very long channel name')).toBe('A very long ');
    expect(LAWS.name.fromWire(3)).toBeUndefined();
  });

  it('prints levels as the console does (five characters)', () => {
    expect(levelText(0.2)).toBe(' +0.2');
    expect(levelText(-10)).toBe('-10.0');
    expect(levelText(-0.04)).toBe('  0.0');
  });
});
