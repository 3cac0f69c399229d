import { describe, expect, test } from 'vitest';
import { cell, paramLabel, shortenName, shortValue, toAscii } from '../../src/surfaces/mackie/names.js';
import { surfaceFixture } from '../helpers/surfaces.js';

describe('shortenName', () => {
  const table: Array<[string, number, string]> = [
    ['Kick', 6, 'Kick'],
    ['Kick In', 7, 'Kick In'],
    ['Kick In', 6, 'KickIn'],
    ['Kick Out', 6, 'KickOt'],
    ['Lead Vocal', 7, 'LeadVcl'],
    ['Lead Vocal', 6, 'LedVcl'],
    ['Overheads L', 7, 'OvrhdsL'],
    ['Overheads R', 7, 'OvrhdsR'],
    ['Overheads L', 6, 'OvrhdL'],
    ['Snare Top', 6, 'SnarTp'],
    ['Snare Bottom', 6, 'SnrBtt'],
    ['Vocal wedge', 6, 'VclWdg'],
    ['Drum IEM', 6, 'DrmIEM'],
    ['Dotted 8th', 7, 'Dttd8th'],
    ['Dotted 8th', 6, 'Dttd8t'],
    ['Channel 32', 7, 'Chnnl32'],
    ['Ch 32', 6, 'Ch 32'],
    ['Master trim', 6, 'MstrTr'],
    ['Backing Vocals 12', 6, 'BckV12'],
    ['A B C D E F G H', 6, 'ABCDEF'],
    ['Strings Section 128', 6, 'StS128'],
    ['Größe Trommel', 7, 'GrssTrm'],
    ['Café', 6, 'Cafe'],
    ['  Pad   Left ', 7, 'PadLeft'],
    ['  Pad   Left ', 8, 'Pad Left'],
    ['日本', 6, '__'],
    ['', 6, ''],
  ];
  test.each(table)('%s in %i -> %s', (name, width, short) => {
    expect(shortenName(name, width)).toBe(short);
    expect(shortenName(name, width).length).toBeLessThanOrEqual(width);
  });

  test('pairs that must stay apart', () => {
    for (const [a, b] of [
      ['Kick In', 'Kick Out'],
      ['Overheads L', 'Overheads R'],
      ['Tom 1', 'Tom 2'],
      ['Guitar Left', 'Guitar Right'],
      ['Snare Top', 'Snare Bottom'],
    ]) {
      for (const w of [6, 7]) expect(shortenName(a, w), `${a} / ${b} in ${w}`).not.toBe(shortenName(b, w));
    }
  });

  test('transliteration', () => {
    expect(toAscii('Ärger über Öl, Straße')).toBe('Aerger ueber Oel, Strasse');
    expect(toAscii('Señor Ñandú')).toBe('Senor Nandu');
    expect(toAscii('Bøsendorfer – ∞')).toBe('Bosendorfer - inf');
    expect(toAscii('a\u0007b')).toBe('a_b');
  });
});

describe('shortValue and labels', () => {
  const f = surfaceFixture();
  const d = (a: string) => f.registry.descriptor(a);

  test.each([
    ['ch/1/pan', -30, 'L30'],
    ['ch/1/pan', 0, 'C'],
    ['ch/1/pan', 100, 'R100'],
    ['ch/1/pan', 2.0000000000000018, 'R2'],
    ['ch/1/fader', -6, '-6.0'],
    ['ch/1/fader', 3, '+3.0'],
    ['ch/1/fader', 0, '0.0'],
    ['ch/1/fader', -90, '-inf'],
    ['ch/1/fader', -89.99, '-90.0'],
    ['ch/1/eq/1/freq', 1200, '1.2k'],
    ['ch/1/eq/1/freq', 80, '80Hz'],
    ['ch/1/eq/1/freq', 12500, '12.5k'],
    ['ch/1/eq/1/q', 0.707, '0.71'],
    ['ch/1/comp/ratio', 4, '4.0:1'],
    ['ch/1/comp/ratio', 20, '20:1'],
    ['ch/1/comp/attack', 0.05, '0.05ms'],
    ['ch/1/comp/attack', 8, '8.0ms'],
    ['ch/1/comp/release', 120, '120ms'],
    ['ch/1/comp/release', 1500, '1.5s'],
    ['ch/1/hpf/on', 1, 'on'],
    ['ch/1/hpf/on', 0, 'off'],
  ])('%s = %d -> %s', (a, v, s) => {
    expect(shortValue(d(a), v, 6)).toBe(s);
  });

  test('fits the width', () => {
    expect(shortValue(d('ch/1/comp/threshold'), -59.95, 4)).toBe('-60');
    expect(shortValue(d('ch/1/comp/release'), 4000, 3)).toBe('4.0');
  });

  test('labels: channel-strip short names, sends by their bus, the rest shortened', () => {
    const L = (a: string, w = 6) => paramLabel(a, d(a), f.ctx.layout, w);
    expect(L('ch/3/eq/2/gain')).toBe('2 Gain');
    expect(L('ch/3/eq/4/freq')).toBe('4 Freq');
    expect(L('ch/3/eq/1/q')).toBe('1 Q');
    expect(L('ch/3/comp/threshold')).toBe('Thresh');
    expect(L('ch/3/gate/range')).toBe('Range');
    expect(L('ch/3/send/1/level')).toBe('DrmIEM');
    expect(L('ch/3/send/2/level', 7)).toBe('VoclWdg');
    expect(L('ch/3/fx/2/level')).toBe('Dttd8t');
    expect(L('ch/3/pan')).toBe('Pan');
    expect(L('bus/1/pan')).toBe('Bal');
    expect(L('ch/3/fader')).toBe('Fader');
  });

  test('cells: text in its width, padded to 7', () => {
    expect(cell('Kick', 6)).toBe('Kick   ');
    expect(cell('LeadVcl', 6)).toBe('LeadVc ');
    expect(cell('LeadVcl', 7)).toBe('LeadVcl');
    expect(cell('', 6)).toBe('       ');
  });
});
