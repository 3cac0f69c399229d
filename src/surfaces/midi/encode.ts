/**
 * Messages -> bytes, always with the status byte (no running status on output: a device that
 * missed a byte resynchronises at the next message). Values are masked to their bit widths.
 */
import type { MidiMessage } from '../types.js';

export function encodeMidi(m: MidiMessage): number[] {
  switch (m.type) {
    case 'noteon':
      return [0x90 | (m.channel & 15), m.note & 127, m.velocity & 127];
    case 'noteoff':
      return [0x80 | (m.channel & 15), m.note & 127, m.velocity & 127];
    case 'polypressure':
      return [0xa0 | (m.channel & 15), m.note & 127, m.value & 127];
    case 'cc':
      return [0xb0 | (m.channel & 15), m.controller & 127, m.value & 127];
    case 'program':
      return [0xc0 | (m.channel & 15), m.number & 127];
    case 'chanpressure':
      return [0xd0 | (m.channel & 15), m.value & 127];
    case 'pitch':
      return [0xe0 | (m.channel & 15), m.value & 127, (m.value >> 7) & 127];
    case 'sysex':
      return [...m.bytes];
  }
}

/** `90 10 7F` style, for logs and test messages. */
export function hex(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}
