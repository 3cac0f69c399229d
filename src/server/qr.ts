/**
 * QR Code (ISO/IEC 18004, Model 2) encoder: byte mode, versions 1..40, all four error-correction
 * levels. Used by `mixhost serve` to show the web remote's link in the terminal, and for the SVG
 * on the page and in the docs; nothing at run time depends on a QR library.
 *
 * The symbol is built in the order of the standard:
 *   1. data bits: mode indicator 0100 (byte), character count (8 bits up to version 9, 16 from
 *      version 10), the UTF-8 bytes, a terminator of up to four zeros, zero bits to a byte
 *      boundary, then the pad codewords 0xEC 0x11 alternately up to the version's capacity;
 *   2. the data codewords split into the blocks of the version's block table; Reed-Solomon
 *      error-correction codewords per block over GF(2^8) with the field polynomial
 *      x^8 + x^4 + x^3 + x^2 + 1 (0x11D), the generator polynomial (x - a^0)...(x - a^(n-1))
 *      computed for the block's n; data then EC codewords interleaved column by column;
 *   3. function patterns: finders, separators, timing, alignment, the dark module, the reserved
 *      format areas and (version 7 and up) the version information, a BCH (18,6) code;
 *   4. the codeword bits placed in the two-module-wide zig-zag from the bottom-right corner,
 *      skipping the vertical timing column, remainder bits left light;
 *   5. each of the eight data masks applied and scored with the four penalty rules (N1 runs,
 *      N2 2x2 blocks, N3 finder-like 1:1:3:1:1 patterns, N4 dark proportion); the lowest score
 *      wins (the lowest mask number on a tie) unless a mask is forced;
 *   6. the format information, BCH (15,5) of (level, mask) XOR 0x5412, in both copies.
 */
import { MixhostError } from '../model/errors.js';

export type QrEcc = 'L' | 'M' | 'Q' | 'H';

export interface QrOptions {
  /** Error-correction level; 'M' (about 15 % of codewords recoverable) by default. */
  ecc?: QrEcc;
  /** The smallest version to use (1..40); the smallest one that holds the text by default. */
  minVersion?: number;
  /** Force a data mask (0..7) instead of choosing it by penalty. */
  mask?: number;
}

export interface QrMatrix {
  /** Modules per side: 17 + 4 * version. */
  size: number;
  version: number;
  ecc: string;
  mask: number;
  /** size * size modules, row-major, 1 = dark. No quiet zone. */
  modules: Uint8Array;
  /** True when the module in column x, row y is dark (false outside the symbol). */
  get(x: number, y: number): boolean;
}

const ECC_LEVELS: readonly QrEcc[] = ['L', 'M', 'Q', 'H'];

/** The two format-information bits of each level (Table 12 of the standard). */
const ECC_FORMAT_BITS: Readonly<Record<QrEcc, number>> = { L: 0b01, M: 0b00, Q: 0b11, H: 0b10 };

/** Error-correction codewords per block, by level then version 1..40 (Table 9). */
const EC_PER_BLOCK: Readonly<Record<QrEcc, readonly number[]>> = {
  L: [7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
    28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  M: [10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
    26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
  Q: [13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
    28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  H: [17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
    30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
};

/** Number of error-correction blocks, by level then version 1..40 (Table 9). */
const BLOCK_COUNT: Readonly<Record<QrEcc, readonly number[]>> = {
  L: [1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
    8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
  M: [1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
    17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
  Q: [1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
    23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
  H: [1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
    25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
};

const FORMAT_GENERATOR = 0b10100110111; // x^10 + x^8 + x^5 + x^4 + x^2 + x + 1
const FORMAT_XOR = 0b101010000010010;
const VERSION_GENERATOR = 0b1111100100101; // x^12 + x^11 + x^10 + x^9 + x^8 + x^5 + x^2 + 1

// ---------------------------------------------------------------------------------------------
// Capacities

/** Centres of the alignment patterns along one axis (Annex E): 6, then evenly spaced (an even
 *  step) back from size - 7. */
export function alignmentPositions(version: number): number[] {
  if (version === 1) return [];
  const size = 17 + 4 * version;
  const count = Math.floor(version / 7) + 2;
  const last = size - 7;
  // The step is the smallest even number at least (last - 6) / (count - 1), so that the first
  // gap (from 6) is the short one; version 32 is the one exception in the standard's table
  // (6, 34, 60, 86, 112, 138: a step of 26 where the rule gives 28).
  let step = version === 32 ? 26 : Math.ceil((last - 6) / (count - 1));
  if (step % 2 === 1) step += 1;
  const out = [6];
  for (let i = count - 2; i >= 0; i--) out.push(last - i * step);
  return out;
}

/** Modules left for codewords (data + EC + remainder bits) once every function pattern is
 *  placed: the whole square less finders with separators (3 * 64), the format areas with the
 *  dark module (31), the timing patterns between the finders, the alignment patterns (less the
 *  5 modules each of those on row or column 6 shares with a timing pattern) and the two
 *  version-information blocks. */
export function rawDataModules(version: number): number {
  const size = 17 + 4 * version;
  let n = size * size - 3 * 64 - 31 - 2 * (size - 16);
  const a = version === 1 ? 0 : Math.floor(version / 7) + 2;
  if (a > 0) n -= 25 * (a * a - 3) - 10 * (a - 2);
  if (version >= 7) n -= 36;
  return n;
}

/** Data codewords (before error correction) of a version at a level. */
export function dataCodewords(version: number, ecc: QrEcc): number {
  const total = Math.floor(rawDataModules(version) / 8);
  return total - EC_PER_BLOCK[ecc][version - 1]! * BLOCK_COUNT[ecc][version - 1]!;
}

/** Bytes that byte mode fits in a version at a level. */
export function byteCapacity(version: number, ecc: QrEcc): number {
  const countBits = version <= 9 ? 8 : 16;
  return Math.floor((dataCodewords(version, ecc) * 8 - 4 - countBits) / 8);
}

// ---------------------------------------------------------------------------------------------
// Reed-Solomon over GF(2^8)

/** Product in GF(2^8) with the field polynomial 0x11D (shift-and-add, no tables). */
function gfMul(a: number, b: number): number {
  let r = 0;
  while (b > 0) {
    if (b & 1) r ^= a;
    a <<= 1;
    if (a & 0x100) a ^= 0x11d;
    b >>= 1;
  }
  return r;
}

/** Coefficients of (x - a^0)(x - a^1)...(x - a^(degree-1)), highest power first, the leading 1
 *  omitted: g[0] is the coefficient of x^(degree-1), g[degree-1] the constant term. */
export function rsGenerator(degree: number): Uint8Array {
  // Built in ascending order: poly[i] is the coefficient of x^i.
  let poly = [1];
  let root = 1; // a^0
  for (let i = 0; i < degree; i++) {
    const next = new Array<number>(poly.length + 1).fill(0);
    for (let j = 0; j < poly.length; j++) {
      next[j + 1]! ^= poly[j]!; // * x
      next[j]! ^= gfMul(poly[j]!, root); // * a^i (minus is plus in GF(2^m))
    }
    poly = next;
    root = gfMul(root, 2);
  }
  const g = new Uint8Array(degree);
  for (let i = 0; i < degree; i++) g[i] = poly[degree - 1 - i]!;
  return g;
}

/** The remainder of data(x) * x^n divided by the generator: the n EC codewords. */
export function rsRemainder(data: ArrayLike<number>, generator: Uint8Array): Uint8Array {
  const n = generator.length;
  const r = new Uint8Array(n);
  for (let i = 0; i < data.length; i++) {
    const factor = data[i]! ^ r[0]!;
    r.copyWithin(0, 1);
    r[n - 1] = 0;
    if (factor !== 0) for (let j = 0; j < n; j++) r[j]! ^= gfMul(generator[j]!, factor);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Codewords

function dataBits(bytes: Uint8Array, version: number, capacity: number): Uint8Array {
  const out = new Uint8Array(capacity);
  let bit = 0;
  const put = (value: number, length: number): void => {
    for (let i = length - 1; i >= 0; i--, bit++) {
      if ((value >>> i) & 1) out[bit >>> 3]! |= 0x80 >>> (bit & 7);
    }
  };
  put(0b0100, 4);
  put(bytes.length, version <= 9 ? 8 : 16);
  for (const b of bytes) put(b, 8);
  bit += Math.min(4, capacity * 8 - bit); // terminator (zeros; the array is zeroed)
  bit = (bit + 7) & ~7;
  for (let i = bit >>> 3, pad = 0; i < capacity; i++, pad ^= 1) out[i] = pad === 0 ? 0xec : 0x11;
  return out;
}

/** The data codewords (before error correction) that carry text at a version and level: mode,
 *  count, UTF-8 bytes, terminator, padding. The text must fit. */
export function qrDataCodewords(text: string, version: number, ecc: QrEcc): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > byteCapacity(version, ecc)) {
    throw new MixhostError('E_QR_TOO_LONG', `${bytes.length} bytes do not fit in a version ${version}-${ecc} QR code`);
  }
  return dataBits(bytes, version, dataCodewords(version, ecc));
}

/** Data codewords split into blocks, EC added, both interleaved: the final codeword sequence. */
function finalCodewords(data: Uint8Array, version: number, ecc: QrEcc): Uint8Array {
  const blocks = BLOCK_COUNT[ecc][version - 1]!;
  const ecLen = EC_PER_BLOCK[ecc][version - 1]!;
  const total = Math.floor(rawDataModules(version) / 8);
  const shortTotal = Math.floor(total / blocks); // data + EC of a short block
  const longBlocks = total % blocks; // the last ones carry one more data codeword
  const generator = rsGenerator(ecLen);
  const dataParts: Uint8Array[] = [];
  const ecParts: Uint8Array[] = [];
  for (let b = 0, at = 0; b < blocks; b++) {
    const len = shortTotal - ecLen + (b >= blocks - longBlocks ? 1 : 0);
    const part = data.subarray(at, at + len);
    at += len;
    dataParts.push(part);
    ecParts.push(rsRemainder(part, generator));
  }
  const out = new Uint8Array(total);
  let k = 0;
  const shortData = shortTotal - ecLen;
  for (let i = 0; i <= shortData; i++) {
    for (const part of dataParts) if (i < part.length) out[k++] = part[i]!;
  }
  for (let i = 0; i < ecLen; i++) for (const part of ecParts) out[k++] = part[i]!;
  if (k !== total) throw new MixhostError('E_INTERNAL', `QR: ${k} codewords interleaved, ${total} expected`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Function patterns and placement

/** A symbol under construction: the modules and which of them belong to function patterns. */
interface Grid {
  size: number;
  dark: Uint8Array;
  fixed: Uint8Array;
}

function setFixed(g: Grid, x: number, y: number, dark: boolean): void {
  g.dark[y * g.size + x] = dark ? 1 : 0;
  g.fixed[y * g.size + x] = 1;
}

function drawFinder(g: Grid, cx: number, cy: number): void {
  // 7x7 finder centred on (cx, cy) with its one-module light separator, clipped to the symbol.
  for (let dy = -4; dy <= 4; dy++) {
    for (let dx = -4; dx <= 4; dx++) {
      const x = cx + dx;
      const y = cy + dy;
      if (x < 0 || y < 0 || x >= g.size || y >= g.size) continue;
      const ring = Math.max(Math.abs(dx), Math.abs(dy));
      setFixed(g, x, y, ring !== 2 && ring !== 4);
    }
  }
}

function drawAlignment(g: Grid, cx: number, cy: number): void {
  for (let dy = -2; dy <= 2; dy++) {
    for (let dx = -2; dx <= 2; dx++) setFixed(g, cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
  }
}

/** BCH remainder of value * x^(deg g) modulo g, appended to value. */
function bch(value: number, generator: number): number {
  const degree = 31 - Math.clz32(generator);
  let r = value << degree;
  for (let bit = 31 - Math.clz32(r); bit >= degree; bit--) {
    if ((r >>> bit) & 1) r ^= generator << (bit - degree);
  }
  return (value << degree) | r;
}

/** The 15 format bits of a level and mask, masked with 0x5412. */
export function formatBits(ecc: QrEcc, mask: number): number {
  return bch((ECC_FORMAT_BITS[ecc] << 3) | mask, FORMAT_GENERATOR) ^ FORMAT_XOR;
}

/** The 18 version-information bits (version 7 and up). */
export function versionBits(version: number): number {
  return bch(version, VERSION_GENERATOR);
}

/** Format information, bit 14 (most significant) first, in both copies: the top-left one along
 *  row 8 (columns 0-5, 7, 8) then up column 8 (rows 7, 5-0); the other one up column 8 from the
 *  bottom (rows size-1 .. size-7) then along row 8 (columns size-8 .. size-1). */
function drawFormat(g: Grid, bits: number): void {
  const s = g.size;
  const bit = (i: number): boolean => ((bits >>> i) & 1) === 1;
  for (let i = 0; i <= 5; i++) setFixed(g, 8, i, bit(i));
  setFixed(g, 8, 7, bit(6));
  setFixed(g, 8, 8, bit(7));
  setFixed(g, 7, 8, bit(8));
  for (let i = 9; i < 15; i++) setFixed(g, 14 - i, 8, bit(i));
  for (let i = 0; i < 8; i++) setFixed(g, s - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) setFixed(g, 8, s - 15 + i, bit(i));
  setFixed(g, 8, s - 8, true); // the dark module
}

function drawFunctionPatterns(version: number): Grid {
  const size = 17 + 4 * version;
  const g: Grid = { size, dark: new Uint8Array(size * size), fixed: new Uint8Array(size * size) };
  for (let i = 0; i < size; i++) {
    setFixed(g, 6, i, i % 2 === 0);
    setFixed(g, i, 6, i % 2 === 0);
  }
  drawFinder(g, 3, 3);
  drawFinder(g, size - 4, 3);
  drawFinder(g, 3, size - 4);
  const centres = alignmentPositions(version);
  const last = centres.length - 1;
  for (let i = 0; i <= last; i++) {
    for (let j = 0; j <= last; j++) {
      // No alignment pattern where a finder is.
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) continue;
      drawAlignment(g, centres[i]!, centres[j]!);
    }
  }
  drawFormat(g, 0); // reserve the areas; redrawn per mask
  if (version >= 7) {
    const bits = versionBits(version);
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) === 1;
      const a = size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      setFixed(g, b, a, dark); // bottom-left block
      setFixed(g, a, b, dark); // top-right block
    }
  }
  return g;
}

/** Codeword bits, most significant first, into every non-function module in zig-zag order. */
function placeCodewords(g: Grid, codewords: Uint8Array): void {
  const s = g.size;
  const totalBits = codewords.length * 8;
  let bit = 0;
  let upward = true;
  for (let right = s - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5; // the vertical timing pattern takes a whole column
    for (let k = 0; k < s; k++) {
      const y = upward ? s - 1 - k : k;
      for (let dx = 0; dx < 2; dx++) {
        const x = right - dx;
        const idx = y * s + x;
        if (g.fixed[idx]) continue;
        if (bit < totalBits) g.dark[idx] = (codewords[bit >>> 3]! >>> (7 - (bit & 7))) & 1;
        bit++; // past the codewords: remainder bits, left light
      }
    }
    upward = !upward;
  }
  if (bit < totalBits || bit - totalBits > 7) {
    throw new MixhostError('E_INTERNAL', `QR: ${bit} modules for ${totalBits} codeword bits`);
  }
}

/** Whether data mask `mask` inverts the module in row y, column x (Table 10). */
export function maskInverts(mask: number, x: number, y: number): boolean {
  switch (mask) {
    case 0: return (y + x) % 2 === 0;
    case 1: return y % 2 === 0;
    case 2: return x % 3 === 0;
    case 3: return (y + x) % 3 === 0;
    case 4: return (Math.floor(y / 2) + Math.floor(x / 3)) % 2 === 0;
    case 5: return ((y * x) % 2) + ((y * x) % 3) === 0;
    case 6: return (((y * x) % 2) + ((y * x) % 3)) % 2 === 0;
    case 7: return (((y + x) % 2) + ((y * x) % 3)) % 2 === 0;
    default: throw new MixhostError('E_INTERNAL', `QR: no data mask ${mask}`);
  }
}

function applyMask(g: Grid, mask: number): void {
  for (let y = 0; y < g.size; y++) {
    for (let x = 0; x < g.size; x++) {
      const idx = y * g.size + x;
      if (!g.fixed[idx] && maskInverts(mask, x, y)) g.dark[idx]! ^= 1;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Penalty (evaluation of a masked symbol, all four rules)

/** The penalty score of a finished symbol (size * size modules, 1 = dark):
 *  N1 = 3 + (k - 5) for each run of k >= 5 same-coloured modules in a row or column;
 *  N2 = 3 for each 2x2 block of one colour (overlapping blocks counted each);
 *  N3 = 40 for each dark-light-dark-dark-dark-light-dark run with four light modules before or
 *       after it in a row or column (the area outside the symbol counts as light: it is the
 *       quiet zone), counted once per side that has them;
 *  N4 = 10 for each full 5 % by which the dark share departs from 50 %. */
export function qrPenalty(modules: Uint8Array, size: number): number {
  let score = 0;
  const at = (x: number, y: number, vertical: boolean): number => {
    if (x < 0 || x >= size) return 0;
    return vertical ? modules[x * size + y]! : modules[y * size + x]!;
  };
  for (let pass = 0; pass < 2; pass++) {
    const vertical = pass === 1;
    for (let line = 0; line < size; line++) {
      // N1
      let run = 1;
      for (let i = 1; i <= size; i++) {
        if (i < size && at(i, line, vertical) === at(i - 1, line, vertical)) {
          run++;
        } else {
          if (run >= 5) score += 3 + run - 5;
          run = 1;
        }
      }
      // N3: the core 1011101 starting at i, then four lights on either side.
      for (let i = 0; i + 7 <= size; i++) {
        if (
          at(i, line, vertical) !== 1 || at(i + 1, line, vertical) !== 0 || at(i + 2, line, vertical) !== 1 ||
          at(i + 3, line, vertical) !== 1 || at(i + 4, line, vertical) !== 1 || at(i + 5, line, vertical) !== 0 ||
          at(i + 6, line, vertical) !== 1
        ) continue;
        let before = true;
        let after = true;
        for (let k = 1; k <= 4; k++) {
          if (at(i - k, line, vertical) !== 0) before = false;
          if (at(i + 6 + k, line, vertical) !== 0) after = false;
        }
        if (before) score += 40;
        if (after) score += 40;
      }
    }
  }
  // N2
  for (let y = 0; y + 1 < size; y++) {
    for (let x = 0; x + 1 < size; x++) {
      const c = modules[y * size + x];
      if (c === modules[y * size + x + 1] && c === modules[(y + 1) * size + x] && c === modules[(y + 1) * size + x + 1]) {
        score += 3;
      }
    }
  }
  // N4
  let dark = 0;
  for (const m of modules) dark += m;
  const total = size * size;
  score += Math.floor(Math.abs(20 * dark - 10 * total) / total) * 10;
  return score;
}

// ---------------------------------------------------------------------------------------------
// Encoding

function checkInt(name: string, value: number, lo: number, hi: number): void {
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw new MixhostError('E_QR_OPTION', `QR ${name} must be a whole number from ${lo} to ${hi}, not ${value}`);
  }
}

/** Encode text (as UTF-8, byte mode) into a QR symbol: the smallest version from minVersion on
 *  that holds it at the level asked for. Throws E_QR_TOO_LONG when not even version 40 does. */
export function encodeQr(text: string, opts: QrOptions = {}): QrMatrix {
  const ecc = opts.ecc ?? 'M';
  if (!ECC_LEVELS.includes(ecc)) {
    throw new MixhostError('E_QR_OPTION', `QR error-correction level must be L, M, Q or H, not ${String(ecc)}`);
  }
  const minVersion = opts.minVersion ?? 1;
  checkInt('minimum version', minVersion, 1, 40);
  if (opts.mask !== undefined) checkInt('mask', opts.mask, 0, 7);

  const bytes = new TextEncoder().encode(text);
  let version = minVersion;
  while (version <= 40 && bytes.length > byteCapacity(version, ecc)) version++;
  if (version > 40) {
    throw new MixhostError(
      'E_QR_TOO_LONG',
      `${bytes.length} bytes do not fit in a QR code at level ${ecc} (at most ${byteCapacity(40, ecc)})`,
    );
  }

  const data = dataBits(bytes, version, dataCodewords(version, ecc));
  const codewords = finalCodewords(data, version, ecc);
  const base = drawFunctionPatterns(version);
  placeCodewords(base, codewords);

  const render = (mask: number): Grid => {
    const g: Grid = { size: base.size, dark: base.dark.slice(), fixed: base.fixed };
    applyMask(g, mask);
    drawFormat(g, formatBits(ecc, mask));
    return g;
  };

  let mask = opts.mask ?? -1;
  let best: Grid | undefined;
  if (mask >= 0) {
    best = render(mask);
  } else {
    let bestScore = Infinity;
    for (let m = 0; m < 8; m++) {
      const g = render(m);
      const score = qrPenalty(g.dark, g.size);
      if (score < bestScore) {
        bestScore = score;
        best = g;
        mask = m;
      }
    }
  }
  const modules = best!.dark;
  const size = base.size;
  return {
    size,
    version,
    ecc,
    mask,
    modules,
    get: (x: number, y: number): boolean => x >= 0 && y >= 0 && x < size && y < size && modules[y * size + x] === 1,
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** Text rendering for a terminal with Unicode half blocks, two module rows per line, a quiet
 *  zone of 2 modules on every side.
 *
 *  Terminals are mostly light text on a dark background, and a scanner needs dark modules on a
 *  light ground. So by default the block characters are drawn for the LIGHT modules (they
 *  take the terminal's light foreground) and dark modules are left as spaces (the dark
 *  background). `invert: true` draws the blocks for the dark modules instead, for terminals with
 *  dark text on a light background. Beyond the last module row (the symbol plus quiet zone has
 *  an odd number of rows) nothing is drawn. Every line is size + 4 characters long. */
export function qrToTerminal(m: QrMatrix, opts: { invert?: boolean } = {}): string {
  const quiet = 2;
  const full = m.size + 2 * quiet;
  const inked = (x: number, y: number): boolean => {
    if (y >= full) return false;
    const dark = m.get(x - quiet, y - quiet); // false in the quiet zone
    return opts.invert ? dark : !dark;
  };
  const lines: string[] = [];
  for (let y = 0; y < full; y += 2) {
    let line = '';
    for (let x = 0; x < full; x++) {
      const top = inked(x, y);
      const bottom = inked(x, y + 1);
      line += top ? (bottom ? '█' : '▀') : bottom ? '▄' : ' ';
    }
    lines.push(line);
  }
  return lines.join('\n');
}

/** A small SVG of the symbol: a white square with a quiet zone of 4 modules and one black path
 *  of unit squares, `moduleSize` pixels per module. */
export function qrToSvg(m: QrMatrix, moduleSize = 4): string {
  const quiet = 4;
  const full = m.size + 2 * quiet;
  const px = full * moduleSize;
  let path = '';
  for (let y = 0; y < m.size; y++) {
    for (let x = 0; x < m.size; x++) {
      if (m.get(x, y)) path += `M${x + quiet} ${y + quiet}h1v1h-1z`;
    }
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${px}" viewBox="0 0 ${full} ${full}" ` +
    `shape-rendering="crispEdges"><rect width="${full}" height="${full}" fill="#fff"/>` +
    `<path d="${path}" fill="#000"/></svg>`
  );
}
