/**
 * Relative encoders: the four ways a 7-bit value says "turned by n ticks". Which one a control
 * uses is data (the device file's `encoding`), never guessed from a vendor name.
 *
 * | encoding                   | +1 | -1 | decode                     | also known as                          |
 * |----------------------------|----|----|----------------------------|----------------------------------------|
 * | `twos-complement`          | 01 | 7F | v < 64 ? v : v - 128       | REAPER Relative 1, Ardour enc-2        |
 * | `binary-offset`            | 41 | 3F | v - 64                     | REAPER Relative 2, Ardour enc-b        |
 * | `sign-magnitude`           | 01 | 41 | v < 64 ? v : 64 - v        | REAPER Relative 3, Ardour enc-l, Mackie|
 * | `sign-magnitude-positive`  | 41 | 01 | v > 64 ? v - 64 : -v       | Ardour enc-r, HUI                      |
 *
 * Zero magnitudes:
 * - `twos-complement` 00 and `binary-offset` 40 mean "no move" (0).
 * - `sign-magnitude` (the Mackie V-Pot and jog encoding): 00 decodes as +1 and 40 as -1. Ardour's
 *   Mackie driver does the same because some devices send a zero magnitude when they mean one
 *   tick; a device never sends "turned by nothing", so nothing is lost. Consequently 0 cannot be
 *   encoded in this scheme: encode(0) gives 00, which reads back as +1.
 * - `sign-magnitude-positive` (HUI): 00 and 40 both decode as 0. The table's literal formula
 *   would read 40 as -64, which no encoder means; a zero magnitude with either sign is no move.
 *
 * The range of one message: twos-complement -64..+63, binary-offset -64..+63, the
 * sign-magnitude schemes -63..+63. encode() rounds and clamps a delta into that range.
 */
import type { RelativeEncoding } from '../types.js';

export interface RelativeCodec {
  /** A 7-bit value (masked to 0..127) -> signed ticks. */
  decode(v: number): number;
  /** Signed ticks -> the 7-bit value that sends them (rounded, clamped to the scheme's range). */
  encode(delta: number): number;
}

const ticks = (delta: number, lo: number, hi: number): number => {
  const d = Math.round(Number.isFinite(delta) ? delta : 0);
  return d < lo ? lo : d > hi ? hi : d;
};

export const RELATIVE: Readonly<Record<RelativeEncoding, RelativeCodec>> = {
  'twos-complement': {
    decode: (v) => {
      const x = v & 127;
      return x < 64 ? x : x - 128;
    },
    encode: (delta) => ticks(delta, -64, 63) & 127,
  },
  'binary-offset': {
    decode: (v) => (v & 127) - 64,
    encode: (delta) => ticks(delta, -64, 63) + 64,
  },
  'sign-magnitude': {
    decode: (v) => {
      const x = v & 127;
      const magnitude = x & 63 || 1; // zero means one tick (see above)
      return x & 64 ? -magnitude : magnitude;
    },
    encode: (delta) => {
      const d = ticks(delta, -63, 63);
      return d < 0 ? 64 | -d : d;
    },
  },
  'sign-magnitude-positive': {
    decode: (v) => {
      const x = v & 127;
      const magnitude = x & 63;
      if (magnitude === 0) return 0;
      return x & 64 ? magnitude : -magnitude;
    },
    encode: (delta) => {
      const d = ticks(delta, -63, 63);
      return d > 0 ? 64 | d : -d | 0; // | 0: no -0
    },
  },
};
