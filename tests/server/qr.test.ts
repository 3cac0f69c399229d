/**
 * The QR encoder: every symbol is rendered to pixels and read back with an independent decoder
 * (jsQR), and the structure is checked module by module against ISO/IEC 18004: finder, timing and
 * dark module, both copies of the format information, both version-information blocks, the
 * Reed-Solomon codewords of the standard's worked example, byte capacities, the penalty rules on
 * hand-scored matrices, and the terminal and SVG renderings.
 */
import jsqr from 'jsqr';
import { describe, expect, it } from 'vitest';
import { MixhostError } from '../../src/model/errors.js';
import {
  alignmentPositions,
  byteCapacity,
  encodeQr,
  qrDataCodewords,
  qrPenalty,
  qrToSvg,
  qrToTerminal,
  rsGenerator,
  rsRemainder,
  versionBits,
  type QrEcc,
  type QrMatrix,
} from '../../src/server/qr.js';

// jsqr is CommonJS: module.exports is the decoder function and carries itself as .default, which is
// what TypeScript (NodeNext) types the default import's .default as.
const jsQR = jsqr.default;

/** RGBA pixels of the symbol, `px` pixels per module, a light quiet zone of `quiet` modules. */
function toPixels(m: QrMatrix, px = 4, quiet = 4): { data: Uint8ClampedArray; width: number } {
  const width = (m.size + 2 * quiet) * px;
  const data = new Uint8ClampedArray(width * width * 4).fill(255);
  for (let y = 0; y < m.size; y++) {
    for (let x = 0; x < m.size; x++) {
      if (!m.get(x, y)) continue;
      for (let dy = 0; dy < px; dy++) {
        for (let dx = 0; dx < px; dx++) {
          const i = (((y + quiet) * px + dy) * width + (x + quiet) * px + dx) * 4;
          data[i] = 0;
          data[i + 1] = 0;
          data[i + 2] = 0;
        }
      }
    }
  }
  return { data, width };
}

function decode(m: QrMatrix, px = 4): { text: string; bytes: number[]; version: number } | null {
  const { data, width } = toPixels(m, px);
  const r = jsQR(data, width, width, { inversionAttempts: 'dontInvert' });
  return r ? { text: r.data, bytes: r.binaryData, version: r.version } : null;
}

function expectRoundTrip(text: string, m: QrMatrix, px = 4): void {
  const r = decode(m, px);
  expect(r).not.toBeNull();
  expect(r!.text).toBe(text);
  expect(r!.bytes).toEqual([...new TextEncoder().encode(text)]);
  expect(r!.version).toBe(m.version);
}

const LINK = 'http://192.168.178.23:8080/join?token=' + 'Zx3-q_9LmW2pQ7rT5vY8bA';

describe('round trip through an independent decoder', () => {
  it('a short ASCII string', () => {
    const m = encodeQr('mixhost');
    expect(m.version).toBe(1);
    expectRoundTrip('mixhost', m);
  });

  it('the web-remote link: 60 bytes, version 4 at M', () => {
    expect(LINK.length).toBe(60);
    const m = encodeQr(LINK);
    expect(m.ecc).toBe('M');
    // 4 + 8 + 60 * 8 = 492 bits: more than version 3-M's 44 codewords, within version 4-M's 64.
    expect(m.version).toBe(4);
    expect(m.size).toBe(33);
    expectRoundTrip(LINK, m);
  });

  it('300 bytes: version 13 at M, nine blocks of two lengths, a 16-bit count', () => {
    let text = '';
    for (let i = 0; text.length < 300; i++) text += `ch/${i}/fader=${(i * 0.37) % 1};`;
    text = text.slice(0, 300);
    const m = encodeQr(text);
    // 4 + 16 + 2400 = 2420 bits: more than version 12-M's 290 data codewords (287 bytes), within
    // version 13-M's 334, which are split 8 x 37 + 1 x 38 (each block with 22 EC codewords).
    expect(m.version).toBe(13);
    expectRoundTrip(text, m);
  });

  it('UTF-8 text in byte mode', () => {
    const text = 'Bühne – Monitor 2 ♪';
    expect(new TextEncoder().encode(text).length).toBe(24);
    const m = encodeQr(text);
    expectRoundTrip(text, m);
  });

  for (const ecc of ['L', 'M', 'Q', 'H'] as const) {
    it(`level ${ecc}: the link decodes, at the version the level needs`, () => {
      const m = encodeQr(LINK, { ecc });
      expect(m.ecc).toBe(ecc);
      // 60 bytes in byte mode: 3-L holds 53, 4-L 78; 4-M 62; 4-Q 46, 5-Q 60; 5-H 44, 6-H 58, 7-H 64.
      expect(m.version).toBe({ L: 4, M: 4, Q: 5, H: 7 }[ecc]);
      expectRoundTrip(LINK, m);
    });
  }

  it('version 7 and up (version information) decodes', () => {
    const m = encodeQr(LINK, { minVersion: 7 });
    expect(m.version).toBe(7);
    expect(m.size).toBe(45);
    expectRoundTrip(LINK, m);
  });

  for (let mask = 0; mask < 8; mask++) {
    it(`mask ${mask} forced`, () => {
      const m = encodeQr(LINK, { mask });
      expect(m.mask).toBe(mask);
      expectRoundTrip(LINK, m);
    });
  }

  it('every version 1..40 at every level decodes (block tables, alignment, version info)', () => {
    const failures: string[] = [];
    for (const ecc of ['L', 'M', 'Q', 'H'] as const) {
      for (let v = 1; v <= 40; v++) {
        // jsQR 1.4.0 has 74 for version 23's fourth alignment centre where the standard has 78
        // (cozmo/jsQR#251), so it misreads every version-23 symbol; at L there is too little
        // redundancy to absorb that. The centres themselves are checked exactly below.
        if (v === 23 && ecc === 'L') continue;
        const text = `${ecc}${v}:` + 'abcdefghij'.repeat(Math.floor(byteCapacity(v, ecc) / 20));
        const m = encodeQr(text, { ecc, minVersion: v });
        const r = decode(m, v > 20 ? 2 : 3);
        if (m.version !== v || r?.text !== text || r.version !== v) failures.push(`${v}-${ecc}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('still decodes with 22 modules inverted (the EC codewords are real)', () => {
    // Version 2-H: one block of 16 data + 28 EC codewords, so up to 14 codeword errors correct.
    const text = 'Bühne Monitor';
    const m = encodeQr(text, { ecc: 'H', minVersion: 2, mask: 3 });
    expect(m.version).toBe(2);
    // Columns 19-20, rows 9-24 less the alignment pattern's rows 16-20: 22 data modules, parts
    // of a handful of codewords. Inverting them all is well within what H corrects.
    const damaged = m.modules.slice();
    for (let y = 9; y <= 24; y++) {
      for (let x = 19; x <= 20; x++) {
        if (y >= 16 && y <= 20) continue; // alignment pattern rows
        damaged[y * m.size + x]! ^= 1;
      }
    }
    const broken: QrMatrix = { ...m, modules: damaged, get: (x, y) => damaged[y * m.size + x] === 1 };
    let changed = 0;
    for (let i = 0; i < damaged.length; i++) changed += damaged[i] !== m.modules[i] ? 1 : 0;
    expect(changed).toBe(22);
    expectRoundTrip(text, broken);
  });
});

describe('structure', () => {
  it("'HELLO WORLD' at M is version 1, 21 x 21", () => {
    const m = encodeQr('HELLO WORLD');
    expect(m.version).toBe(1);
    expect(m.size).toBe(21);
    expect(m.modules.length).toBe(441);
    expect(m.ecc).toBe('M');
  });

  it('size is 17 + 4 * version', () => {
    for (const v of [1, 2, 6, 7, 14, 27, 40]) {
      const m = encodeQr('x', { minVersion: v, ecc: 'L' });
      expect([m.version, m.size, m.modules.length]).toEqual([v, 17 + 4 * v, (17 + 4 * v) ** 2]);
    }
  });

  it('format information (M, mask 0) is 101010000010010 in both copies; the dark module', () => {
    const m = encodeQr('HELLO WORLD', { mask: 0 });
    const s = m.size;
    const bit = (x: number, y: number): string => (m.get(x, y) ? '1' : '0');
    // Copy 1, bit 14 first: row 8 columns 0-5, 7, 8, then column 8 rows 7, 5, 4, 3, 2, 1, 0.
    let a = '';
    for (const x of [0, 1, 2, 3, 4, 5, 7, 8]) a += bit(x, 8);
    for (const y of [7, 5, 4, 3, 2, 1, 0]) a += bit(8, y);
    // Copy 2, bit 14 first: column 8 rows size-1 .. size-7, then row 8 columns size-8 .. size-1.
    let b = '';
    for (let y = s - 1; y >= s - 7; y--) b += bit(8, y);
    for (let x = s - 8; x <= s - 1; x++) b += bit(x, 8);
    expect(a).toBe('101010000010010');
    expect(b).toBe('101010000010010');
    expect(m.get(8, s - 8)).toBe(true);

    // Another level and mask: H, mask 5 gives 000001001010101 (BCH of 10101, then XOR 0x5412).
    const h = encodeQr('HELLO WORLD', { ecc: 'H', mask: 5 });
    let c = '';
    for (const x of [0, 1, 2, 3, 4, 5, 7, 8]) c += h.get(x, 8) ? '1' : '0';
    for (const y of [7, 5, 4, 3, 2, 1, 0]) c += h.get(8, y) ? '1' : '0';
    expect(c).toBe('000001001010101');
  });

  it('three finder patterns with separators, and the timing patterns', () => {
    const m = encodeQr(LINK, { minVersion: 7 });
    const s = m.size;
    const finder = ['1111111', '1000001', '1011101', '1011101', '1011101', '1000001', '1111111'];
    for (const [ox, oy] of [[0, 0], [s - 7, 0], [0, s - 7]] as const) {
      for (let y = 0; y < 7; y++) {
        let row = '';
        for (let x = 0; x < 7; x++) row += m.get(ox + x, oy + y) ? '1' : '0';
        expect(row).toBe(finder[y]);
      }
    }
    // Separators: the light L around each finder, on the symbol side.
    for (let i = 0; i < 8; i++) {
      expect([m.get(7, i), m.get(i, 7)]).toEqual([false, false]); // top-left
      expect([m.get(s - 8, i), m.get(s - 1 - i, 7)]).toEqual([false, false]); // top-right
      expect([m.get(7, s - 1 - i), m.get(i, s - 8)]).toEqual([false, false]); // bottom-left
    }
    // Timing: row 6 and column 6 alternate between the separators, dark on even indices.
    for (let i = 8; i <= s - 9; i++) {
      expect(m.get(i, 6)).toBe(i % 2 === 0);
      expect(m.get(6, i)).toBe(i % 2 === 0);
    }
    // The alignment pattern at (22, 22): dark centre, light ring, dark border.
    expect(m.get(22, 22)).toBe(true);
    expect([m.get(21, 22), m.get(23, 22), m.get(22, 21), m.get(22, 23)]).toEqual([false, false, false, false]);
    expect([m.get(20, 20), m.get(24, 24), m.get(20, 24), m.get(24, 20)]).toEqual([true, true, true, true]);
  });

  it('version information: 7 is 000111110010010100 in both blocks, 40 is 101000110001101001', () => {
    const read = (m: QrMatrix): [string, string] => {
      const s = m.size;
      // Bit 17 first. Bottom-left block: 6 columns x 3 rows, bit i at column floor(i / 3), row
      // size - 11 + i % 3; the top-right block is its transpose.
      let bl = '';
      let tr = '';
      for (let i = 17; i >= 0; i--) {
        const col = Math.floor(i / 3);
        const row = s - 11 + (i % 3);
        bl += m.get(col, row) ? '1' : '0';
        tr += m.get(row, col) ? '1' : '0';
      }
      return [bl, tr];
    };
    const v7 = encodeQr('x', { minVersion: 7 });
    expect(read(v7)).toEqual(['000111110010010100', '000111110010010100']);
    const v40 = encodeQr('x', { minVersion: 40, ecc: 'L' });
    expect(read(v40)).toEqual(['101000110001101001', '101000110001101001']);
    expect(versionBits(8)).toBe(0x085bc);
    expect(versionBits(21)).toBe(0x15683);
  });

  it('alignment pattern centres match Annex E', () => {
    expect(alignmentPositions(1)).toEqual([]);
    expect(alignmentPositions(2)).toEqual([6, 18]);
    expect(alignmentPositions(6)).toEqual([6, 34]);
    expect(alignmentPositions(7)).toEqual([6, 22, 38]);
    expect(alignmentPositions(16)).toEqual([6, 26, 50, 74]);
    expect(alignmentPositions(23)).toEqual([6, 30, 54, 78, 102]);
    expect(alignmentPositions(32)).toEqual([6, 34, 60, 86, 112, 138]);
    expect(alignmentPositions(36)).toEqual([6, 24, 50, 76, 102, 128, 154]);
    expect(alignmentPositions(40)).toEqual([6, 30, 58, 86, 114, 142, 170]);
  });

  it('Reed-Solomon: the generator polynomials and the standard example 01234567 at 1-M', () => {
    // a^k in GF(2^8) mod x^8 + x^4 + x^3 + x^2 + 1, by repeated doubling.
    const alpha = (k: number): number => {
      let v = 1;
      for (let i = 0; i < k; i++) v = v & 0x80 ? ((v << 1) ^ 0x11d) & 0xff : v << 1;
      return v;
    };
    // Annex A: degree 7 = x^7 + a^87 x^6 + a^229 x^5 + a^146 x^4 + a^149 x^3 + a^238 x^2 + a^102 x + a^21.
    expect([...rsGenerator(7)]).toEqual([87, 229, 146, 149, 238, 102, 21].map(alpha));
    expect([...rsGenerator(10)]).toEqual([251, 67, 46, 61, 118, 70, 64, 94, 32, 45].map(alpha));
    // Annex I: "01234567" in numeric mode at 1-M, the 16 data and 10 EC codewords.
    const data = [0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11];
    expect([...rsRemainder(data, rsGenerator(10))]).toEqual([0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55]);
  });

  it('data codewords: mode, count, bytes, terminator, then 0xEC 0x11 padding', () => {
    // 'mixhost' at 1-M: 0100 | 00000111 | 6d 69 78 68 6f 73 74 | 0000 = 72 bits = 9 codewords,
    // then 7 pad codewords up to version 1-M's 16.
    expect([...qrDataCodewords('mixhost', 1, 'M')]).toEqual([
      0x40, 0x76, 0xd6, 0x97, 0x86, 0x86, 0xf7, 0x37, 0x40, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec,
    ]);
    // From version 10 the count is 16 bits: 0100 | 00000000 00000010 | c3 bc | 0000, 'ü' in UTF-8.
    // Version 10-H: 346 codewords, 8 blocks of 28 EC codewords, so 122 data codewords.
    const v10 = qrDataCodewords('ü', 10, 'H');
    expect(v10.length).toBe(122);
    expect([...v10.subarray(0, 7)]).toEqual([0x40, 0x00, 0x2c, 0x3b, 0xc0, 0xec, 0x11]);
    expect([v10[120], v10[121]]).toEqual([0x11, 0xec]);
  });

  it('byte capacities (Table 7) and E_QR_TOO_LONG', () => {
    const cap = (ecc: QrEcc): number[] => [1, 10, 40].map((v) => byteCapacity(v, ecc));
    expect(cap('L')).toEqual([17, 271, 2953]);
    expect(cap('M')).toEqual([14, 213, 2331]);
    expect(cap('Q')).toEqual([11, 151, 1663]);
    expect(cap('H')).toEqual([7, 119, 1273]);
    expect(encodeQr('a'.repeat(2331)).version).toBe(40);
    expect(encodeQr('a'.repeat(14)).version).toBe(1);
    expect(encodeQr('a'.repeat(15)).version).toBe(2);
    const tooLong = (text: string, ecc?: QrEcc): string => {
      try {
        encodeQr(text, ecc ? { ecc } : {});
      } catch (e) {
        expect(e).toBeInstanceOf(MixhostError);
        return (e as MixhostError).code;
      }
      return 'no error';
    };
    expect(tooLong('a'.repeat(2332))).toBe('E_QR_TOO_LONG');
    expect(tooLong('a'.repeat(2954), 'L')).toBe('E_QR_TOO_LONG');
    expect(tooLong('ü'.repeat(1166))).toBe('E_QR_TOO_LONG'); // 2332 bytes of UTF-8
    expect(tooLong('a'.repeat(2953), 'L')).toBe('no error');
  });

  it('bad options are E_QR_OPTION', () => {
    for (const opts of [{ mask: 8 }, { mask: -1 }, { mask: 1.5 }, { minVersion: 0 }, { minVersion: 41 }]) {
      expect(() => encodeQr('x', opts)).toThrow(expect.objectContaining({ code: 'E_QR_OPTION' }));
    }
    expect(() => encodeQr('x', { ecc: 'X' as QrEcc })).toThrow(expect.objectContaining({ code: 'E_QR_OPTION' }));
  });
});

describe('mask selection', () => {
  it('scores hand-counted matrices', () => {
    // 5 x 5 all light: N1 10 runs of 5 (3 each) = 30; N2 16 blocks = 48; N4 0 % dark = 100.
    expect(qrPenalty(new Uint8Array(25), 5)).toBe(178);
    // 7 x 7 light with row 3 = 1011101: N1 six light rows (5 each) + columns 1 and 5 (5 each) =
    // 40; N2 24 light blocks = 72; N3 the row with light (quiet zone) on both sides = 80;
    // N4 5 of 49 dark = 10.2 %, 7 whole steps of 5 % = 70.
    const m = new Uint8Array(49);
    [0, 2, 3, 4, 6].forEach((x) => (m[3 * 7 + x] = 1));
    expect(qrPenalty(m, 7)).toBe(262);
    // The same transposed scores the same (columns are scored like rows).
    const t = new Uint8Array(49);
    [0, 2, 3, 4, 6].forEach((y) => (t[y * 7 + 3] = 1));
    expect(qrPenalty(t, 7)).toBe(262);
    // A checkerboard: no runs, no blocks, no finder-like runs, 12 of 25 dark (48 %): 0.
    const c = new Uint8Array(25).map((_, i) => ((i % 5) + Math.floor(i / 5)) % 2);
    expect(qrPenalty(c, 5)).toBe(0);
  });

  it('chooses the mask with the lowest penalty, the lowest number on a tie', () => {
    // This link scores 1197 with both mask 2 and mask 4: the tie goes to 2.
    const tie = 'http://10.0.0.111:8111/';
    const tieScores = [2, 4].map((mask) => {
      const f = encodeQr(tie, { mask });
      return qrPenalty(f.modules, f.size);
    });
    expect(tieScores).toEqual([1197, 1197]);
    expect(encodeQr(tie).mask).toBe(2);
    for (const text of [LINK, 'HELLO WORLD', 'Bühne – Monitor 2 ♪', tie]) {
      const chosen = encodeQr(text);
      const scores = [0, 1, 2, 3, 4, 5, 6, 7].map((mask) => {
        const f = encodeQr(text, { mask });
        return qrPenalty(f.modules, f.size);
      });
      const best = scores.indexOf(Math.min(...scores));
      expect(chosen.mask).toBe(best);
      expect([...chosen.modules]).toEqual([...encodeQr(text, { mask: best }).modules]);
    }
  });

  it('different masks give different symbols around the same function patterns', () => {
    const a = encodeQr(LINK, { mask: 0 });
    const b = encodeQr(LINK, { mask: 1 });
    let diff = 0;
    for (let i = 0; i < a.modules.length; i++) diff += a.modules[i] !== b.modules[i] ? 1 : 0;
    // Masks 0 and 1 differ on half the data modules; the format bits differ too.
    expect(diff).toBeGreaterThan(200);
    expect(a.get(0, 0)).toBe(b.get(0, 0));
  });
});

describe('rendering', () => {
  it('terminal: ceil((size + 4) / 2) lines of size + 4 half blocks; light modules inked', () => {
    const m = encodeQr('HELLO WORLD');
    const text = qrToTerminal(m);
    const lines = text.split('\n');
    expect(lines.length).toBe(Math.ceil((21 + 4) / 2));
    expect(lines.length).toBe(13);
    for (const line of lines) expect([...line].length).toBe(25);
    expect(text).toMatch(/^[▀▄█ \n]+$/);
    // Quiet zone (2 rows) on top: all light, so all full blocks in the default (light-inked) mode.
    expect(lines[0]).toBe('█'.repeat(25));
    // Line 1 = rows 2 and 3: quiet zone columns, then the finder's first two rows (1111111 over
    // 1000001): only the light insides of the second row are inked, as lower halves.
    expect(lines[1]!.slice(0, 2)).toBe('██');
    expect(lines[1]!.slice(2, 9)).toBe(' ▄▄▄▄▄ ');
    // The last line has only the last quiet-zone row (25 is odd): upper halves only.
    expect(lines[12]).toBe('▀'.repeat(25));
    // Each character is exactly the two modules it stands for.
    const light = (x: number, y: number): boolean => !m.get(x - 2, y - 2);
    for (let row = 0; row < 12; row++) {
      for (let x = 0; x < 25; x++) {
        const top = light(x, 2 * row);
        const bottom = light(x, 2 * row + 1);
        expect([...lines[row]!][x]).toBe(top ? (bottom ? '█' : '▀') : bottom ? '▄' : ' ');
      }
    }
  });

  it('terminal, inverted: the dark modules are inked instead', () => {
    const m = encodeQr(LINK);
    const lines = qrToTerminal(m, { invert: true }).split('\n');
    const size = m.size + 4;
    expect(lines.length).toBe(Math.ceil(size / 2));
    for (const line of lines) expect([...line].length).toBe(size);
    expect(lines[0]).toBe(' '.repeat(size));
    // Rows 2-3 are the finder's top row and the first ring row: '█' then '▀' inside the ring.
    expect(lines[1]!.slice(2, 9)).toBe('█▀▀▀▀▀█');
  });

  it('SVG: quiet zone 4, one path of unit squares, one per dark module', () => {
    const m = encodeQr('HELLO WORLD');
    const svg = qrToSvg(m, 4);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="116" height="116" viewBox="0 0 29 29"')).toBe(true);
    let dark = 0;
    for (const v of m.modules) dark += v;
    expect(svg.match(/h1v1h-1z/g)?.length).toBe(dark);
    expect(svg).toContain('M4 4h1v1h-1z'); // top-left finder corner at (0, 0) + quiet zone
    expect(qrToSvg(m, 10)).toContain('width="290"');
  });
});
