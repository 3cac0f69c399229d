/**
 * Builders for hand-made WAV files in tests: bytes, little-endian integers, chunks, fmt chunks
 * (plain and WAVE_FORMAT_EXTENSIBLE) and the RIFF wrapper.
 */
export function bytes(...parts: Array<string | number[] | Uint8Array>): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const ch of p) out.push(ch.charCodeAt(0));
    else for (const v of p) out.push(v); // no spread: large bodies would overflow the call stack
  }
  return Uint8Array.from(out);
}
export const u16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
export const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
export const i16 = (v: number): number[] => u16(v & 0xffff);
export const i24 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];

export function chunk(id: string, body: Uint8Array | number[], pad = true): Uint8Array {
  const b = Uint8Array.from(body);
  return bytes(id, u32(b.length), b, pad && b.length & 1 ? [0] : []);
}

export function riff(...chunks: Uint8Array[]): Uint8Array {
  const body = bytes('WAVE', ...chunks);
  return bytes('RIFF', u32(body.length), body);
}

export function fmt(tag: number, channels: number, rate: number, bits: number, blockAlign = (channels * bits) / 8): Uint8Array {
  return chunk('fmt ', [...u16(tag), ...u16(channels), ...u32(rate), ...u32(rate * blockAlign), ...u16(blockAlign), ...u16(bits)]);
}

export const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
export function fmtExt(sub: number, channels: number, rate: number, bits: number, validBits: number, mask: number): Uint8Array {
  const blockAlign = (channels * bits) / 8;
  return chunk('fmt ', [
    ...u16(0xfffe),
    ...u16(channels),
    ...u32(rate),
    ...u32(rate * blockAlign),
    ...u16(blockAlign),
    ...u16(bits),
    ...u16(22),
    ...u16(validBits),
    ...u32(mask),
    ...u16(sub),
    ...GUID_TAIL,
  ]);
}

