/**
 * MIDI byte stream -> messages. Handles what devices really send:
 * - running status (Mackie Control relies on it: `B0 3C 41 3C 41` is two messages);
 * - System Real-Time bytes (F8..FF) anywhere, even inside another message: skipped;
 * - SysEx split over chunks, ended by F7 (or cut short by another status byte: dropped);
 * - data bytes with no status, truncated messages, undefined status bytes: dropped and counted.
 * Note-on with velocity 0 is reported as note-off (velocity 0), as the MIDI spec says it means.
 */
import type { MidiMessage } from '../types.js';

/** Longest SysEx accepted (bytes, F0 and F7 included); longer ones are dropped. */
export const MAX_SYSEX = 4096;

/** Data bytes after a channel-voice status (by high nibble 8..E). */
const DATA_LENGTH = [2, 2, 2, 2, 1, 1, 2]; // 8 noteoff, 9 noteon, A poly, B cc, C program, D chanpressure, E pitch

export class MidiParser {
  /** Bytes or messages thrown away (garbage, truncated, oversized). */
  dropped = 0;
  /** Messages delivered. */
  received = 0;
  private status = 0; // running status (0 = none)
  private readonly data: number[] = [];
  private sysex: number[] | undefined;
  private sysexTooLong = false;

  constructor(private readonly onMessage: (m: MidiMessage) => void) {}

  push(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.byte(bytes[i] & 0xff);
  }

  /** Forget a half-received message (the port was reopened). */
  reset(): void {
    if (this.data.length > 0 || this.sysex !== undefined) this.dropped++;
    this.status = 0;
    this.data.length = 0;
    this.sysex = undefined;
    this.sysexTooLong = false;
  }

  private byte(b: number): void {
    if (b >= 0xf8) return; // real-time: clock, start, stop, active sensing... not for us, and never breaks running status
    if (this.sysex !== undefined) {
      if (b < 0x80) {
        if (this.sysex.length < MAX_SYSEX - 1) this.sysex.push(b);
        else this.sysexTooLong = true;
        return;
      }
      if (b === 0xf7) {
        const body = this.sysex;
        const tooLong = this.sysexTooLong;
        this.sysex = undefined;
        this.sysexTooLong = false;
        if (tooLong) this.dropped++;
        else this.emit({ type: 'sysex', bytes: [...body, 0xf7] });
        return;
      }
      // Any other status byte ends an unterminated SysEx: drop it, then read the byte as usual.
      this.sysex = undefined;
      this.sysexTooLong = false;
      this.dropped++;
    }
    if (b >= 0x80) {
      if (this.data.length > 0) this.dropped++; // the previous message was cut short
      this.data.length = 0;
      if (b === 0xf0) {
        this.sysex = [0xf0];
        this.status = 0;
        return;
      }
      if (b >= 0xf0) {
        // System Common (F1..F7): not used by surfaces; it cancels running status.
        this.status = 0;
        if (b === 0xf7 || b === 0xf4 || b === 0xf5) this.dropped++;
        else if (b !== 0xf6) this.status = b; // F1, F2, F3: swallow their data bytes below
        return;
      }
      this.status = b;
      return;
    }
    // A data byte.
    if (this.status === 0) {
      this.dropped++;
      return;
    }
    if (this.status >= 0xf0) {
      // System Common data: F1 and F3 take 1 byte, F2 two.
      this.data.push(b);
      const need = this.status === 0xf2 ? 2 : 1;
      if (this.data.length >= need) {
        this.data.length = 0;
        this.status = 0;
      }
      return;
    }
    this.data.push(b);
    const kind = this.status >> 4;
    if (this.data.length < DATA_LENGTH[kind - 8]) return;
    const ch = this.status & 0x0f;
    const [d1, d2] = this.data;
    this.data.length = 0;
    switch (kind) {
      case 0x8:
        this.emit({ type: 'noteoff', channel: ch, note: d1, velocity: d2 });
        break;
      case 0x9:
        this.emit(d2 === 0 ? { type: 'noteoff', channel: ch, note: d1, velocity: 0 } : { type: 'noteon', channel: ch, note: d1, velocity: d2 });
        break;
      case 0xa:
        this.emit({ type: 'polypressure', channel: ch, note: d1, value: d2 });
        break;
      case 0xb:
        this.emit({ type: 'cc', channel: ch, controller: d1, value: d2 });
        break;
      case 0xc:
        this.emit({ type: 'program', channel: ch, number: d1 });
        break;
      case 0xd:
        this.emit({ type: 'chanpressure', channel: ch, value: d1 });
        break;
      default:
        this.emit({ type: 'pitch', channel: ch, value: d1 | (d2 << 7) });
    }
  }

  private emit(m: MidiMessage): void {
    this.received++;
    this.onMessage(m);
  }
}
