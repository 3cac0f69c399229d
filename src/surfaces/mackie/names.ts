/**
 * Text for a 7-character LCD cell: names shortened the way engineers abbreviate on a console
 * strip, parameter values in short form, parameter labels of the channel-strip pages.
 *
 * Shortening a name that does not fit (`shortenName`):
 * 1. transliterate to ASCII (ä -> ae, é -> e, ß -> ss; anything else that is not printable
 *    ASCII becomes `_`), collapse white space; a name that fits now is kept as it is;
 * 2. join the words (any run of characters other than letters and digits separates them),
 *    each word starting with a capital: `Lead Vocal` -> `LeadVocal`;
 * 3. drop lower-case vowels from the end inwards, never a word's first letter nor a digit:
 *    `LeadVcl`, `Overheads L` -> `OvrhdsL`;
 * 4. then lower-case consonants from the end inwards, then upper-case letters, always keeping
 *    each word's first letter and every digit: `Kick Out` -> `KickOt` beside `KickIn`;
 * 5. if the word starts and digits alone are still too long, cut letters from the end of the
 *    part before the last run of digits (`Ch 128` keeps its number).
 */
import { formatValue, type ParamDescriptor } from '../../model/descriptor.js';
import type { RemoteLayoutInfo } from '../../control/layout-info.js';

/** Characters a Mackie cell holds (LCD offsets step by 7 per strip). */
export const CELL = 7;

const SPECIAL: Readonly<Record<string, string>> = {
  ä: 'ae', ö: 'oe', ü: 'ue', Ä: 'Ae', Ö: 'Oe', Ü: 'Ue', ß: 'ss', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE',
  ø: 'o', Ø: 'O', ð: 'd', Ð: 'D', þ: 'th', Þ: 'Th', ł: 'l', Ł: 'L', đ: 'd', Đ: 'D', ı: 'i',
  '–': '-', '—': '-', '‘': "'", '’': "'", '“': '"', '”': '"', '…': '...', '∞': 'inf',
};

/** Printable ASCII only: German umlauts as Logic spells them, accents dropped, the rest `_`. */
export function toAscii(text: string): string {
  let out = '';
  for (const ch of text) {
    const special = SPECIAL[ch];
    if (special !== undefined) {
      out += special;
      continue;
    }
    const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    for (const b of base) {
      const c = b.charCodeAt(0);
      out += c >= 0x20 && c <= 0x7e ? b : /\s/.test(b) ? ' ' : '_';
    }
  }
  return out;
}

interface Ch {
  readonly c: string;
  /** A word's first character, or a digit: never dropped before step 5. */
  readonly fixed: boolean;
}

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

/** Remove the last removable character that `pick` accepts; false if there is none. */
function dropLast(chars: Ch[], pick: (c: Ch) => boolean): boolean {
  for (let i = chars.length - 1; i >= 0; i--) {
    if (!chars[i].fixed && pick(chars[i])) {
      chars.splice(i, 1);
      return true;
    }
  }
  return false;
}

/** A name in at most `width` characters (see the module comment). */
export function shortenName(name: string, width: number): string {
  const ascii = toAscii(name).trim().replace(/\s+/g, ' ');
  if (ascii.length <= width) return ascii;
  const chars: Ch[] = [];
  for (const word of ascii.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0)) {
    [...word].forEach((c, i) => chars.push({ c: i === 0 ? c.toUpperCase() : c, fixed: i === 0 || (c >= '0' && c <= '9') }));
  }
  const isLower = (c: Ch): boolean => c.c >= 'a' && c.c <= 'z';
  const steps: Array<(c: Ch) => boolean> = [(c) => VOWELS.has(c.c), (c) => isLower(c), (c) => c.c >= 'A' && c.c <= 'Z'];
  for (const pick of steps) {
    while (chars.length > width && dropLast(chars, pick));
  }
  let out = chars.map((c) => c.c).join('');
  if (out.length > width) {
    const digits = /\d+$/.exec(out)?.[0] ?? '';
    out = digits.length >= width ? digits.slice(-width) : out.slice(0, width - digits.length) + digits;
  }
  return out;
}

/** Fit a short text into `width`: as is, else without its unit letters, else cut. */
function fit(text: string, width: number): string {
  if (text.length <= width) return text;
  const bare = text.replace(/[A-Za-z:\s]+$/, '');
  return (bare.length > 0 && bare.length <= width ? bare : text).slice(0, width);
}

function fixed(v: number, digits: number): string {
  const s = v.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s; // no "-0.0"
}

/**
 * A value in short form for a cell of `width` characters: `L30`, `C`, `-6.0`, `+3.0`, `-inf`,
 * `80Hz`, `1.2k`, `4.0:1`, `8.0ms`, `1.2s`, `0.71`, `on`.
 */
export function shortValue(d: ParamDescriptor, value: number, width: number): string {
  let s: string;
  switch (d.unit) {
    case 'pan':
      s = formatValue(d, Math.round(value));
      break;
    case 'dB':
      s = d.taper.name === 'fader' && value <= d.min ? '-inf' : `${value > 0.05 ? '+' : ''}${fixed(value, 1)}`;
      if (s.length > width) s = `${value >= 0.5 ? '+' : ''}${fixed(value, 0)}`;
      break;
    case 'Hz':
      s = value >= 1000 ? `${fixed(value / 1000, 1)}k` : `${Math.round(value)}Hz`;
      break;
    case 'ms':
      s = value >= 1000 ? `${fixed(value / 1000, 1)}s` : value >= 10 ? `${Math.round(value)}ms` : value >= 1 ? `${fixed(value, 1)}ms` : `${fixed(value, 2)}ms`;
      break;
    case 's':
      s = `${fixed(value, value >= 10 ? 0 : 1)}s`;
      break;
    case 'ratio':
      s = `${fixed(value, value >= 10 ? 0 : 1)}:1`;
      break;
    case 'Q':
      s = fixed(value, value >= 10 ? 1 : 2);
      break;
    case '%':
      s = `${Math.round(value)}%`;
      break;
    case 'switch':
      s = value >= 0.5 ? 'on' : 'off';
      break;
    case 'enum':
      s = shortenName(d.options?.[Math.round(value)] ?? String(Math.round(value)), width);
      break;
    default:
      s = toAscii(formatValue(d, value)).replace(/\s+/g, '');
  }
  return fit(s, width);
}

/** Short labels of channel-strip parameters, by the end of their address. */
const POT_LABELS: ReadonlyArray<readonly [RegExp, (m: RegExpExecArray) => string]> = [
  [/\/eq\/(\d+)\/gain$/, (m) => `${m[1]} Gain`],
  [/\/eq\/(\d+)\/freq$/, (m) => `${m[1]} Freq`],
  [/\/eq\/(\d+)\/q$/, (m) => `${m[1]} Q`],
  [/\/eq\/on$/, () => 'EQ on'],
  [/\/hpf\/freq$/, () => 'HPF'],
  [/\/hpf\/on$/, () => 'HPF on'],
  [/\/comp\/threshold$/, () => 'Thresh'],
  [/\/comp\/ratio$/, () => 'Ratio'],
  [/\/comp\/attack$/, () => 'Attack'],
  [/\/comp\/release$/, () => 'Releas'],
  [/\/comp\/makeup$/, () => 'Makeup'],
  [/\/comp\/knee$/, () => 'Knee'],
  [/\/gate\/threshold$/, () => 'Gate'],
  [/\/gate\/range$/, () => 'Range'],
  [/\/trim$/, () => 'Trim'],
  [/\/pan$/, () => 'Pan'],
  [/\/(fader|level)$/, () => 'Fader'],
];

/**
 * What a parameter is, in a cell: a send names its bus (`DrmIEM`), channel-strip parameters
 * have short labels (`1 Gain`, `Thresh`), the rest their descriptor's label, shortened.
 */
export function paramLabel(address: string, d: ParamDescriptor, layout: RemoteLayoutInfo, width: number): string {
  const send = /\/(send|fx)\/(\d+)\/level$/.exec(address);
  if (send !== null) {
    const n = Number(send[2]);
    const name = send[1] === 'send' ? layout.auxBuses[n - 1]?.name : layout.fx[n - 1]?.name;
    return shortenName(name ?? d.label, width);
  }
  if (/^bus\/\d+\/pan$/.test(address)) return 'Bal';
  for (const [re, label] of POT_LABELS) {
    const m = re.exec(address);
    if (m !== null) return shortenName(label(m), width);
  }
  return shortenName(d.label, width);
}

/** A cell's 7 characters: the text in `width`, padded with blanks. */
export function cell(text: string, width: number): string {
  return text.slice(0, width).padEnd(CELL, ' ').slice(0, CELL);
}
