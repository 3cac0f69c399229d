/**
 * What a unit's displays show, so that only changes are sent.
 *
 * - The LCD: two lines of 7-character cells, one per strip (cell i at offset 7i, the lower line
 *   at 0x38). A render sets every cell; `flush()` gives one SysEx per run of neighbouring
 *   changed cells on a line (a full refresh is one message per line, a single name one
 *   message of 7 characters). Nothing is sent for a cell that already shows its text.
 * - The 7-segment displays (10-digit time code, 2-digit assignment): one CC per changed digit.
 * - The time code's text: the master's integrated loudness, a clock, or blank.
 */
import { CELL } from './names.js';

export const LOWER_LINE = 0x38;

export interface LcdWrite {
  readonly offset: number;
  readonly text: string;
}

export class LcdModel {
  private readonly want: string[][];
  private readonly shown: (string | undefined)[][];

  constructor(readonly cells: number) {
    this.want = [0, 1].map(() => Array.from({ length: cells }, () => ' '.repeat(CELL)));
    this.shown = [0, 1].map(() => Array.from({ length: cells }, () => undefined));
  }

  /** Set what a cell should show (exactly 7 characters). */
  set(line: 0 | 1, cell: number, text: string): void {
    if (cell >= 0 && cell < this.cells) this.want[line][cell] = text.padEnd(CELL, ' ').slice(0, CELL);
  }

  get(line: 0 | 1, cell: number): string {
    return this.want[line][cell];
  }

  /** The device's display is unknown (connect, reboot): the next flush sends every cell. */
  invalidate(): void {
    for (const line of this.shown) line.fill(undefined);
  }

  /** The writes that bring the display to what it should show, runs of changed cells merged. */
  flush(): LcdWrite[] {
    const out: LcdWrite[] = [];
    for (const line of [0, 1] as const) {
      let start = -1;
      let text = '';
      for (let c = 0; c <= this.cells; c++) {
        const changed = c < this.cells && this.shown[line][c] !== this.want[line][c];
        if (changed) {
          if (start < 0) start = c;
          text += this.want[line][c];
          this.shown[line][c] = this.want[line][c];
        } else if (start >= 0) {
          out.push({ offset: line * LOWER_LINE + start * CELL, text });
          start = -1;
          text = '';
        }
      }
    }
    return out;
  }
}

/** A row of 7-segment digits; index 0 is the right-most one (CC base + 0). */
export class SegmentModel {
  private readonly shown: number[];

  constructor(readonly digits: number) {
    this.shown = new Array<number>(digits).fill(-1);
  }

  invalidate(): void {
    this.shown.fill(-1);
  }

  /**
   * Codes left to right (as segmentCodes gives them) -> the changed digits as [index, code],
   * left-most first (LCdoc's own example writes the assignment display left digit first).
   */
  update(codesLeftToRight: readonly number[]): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = this.digits - 1; i >= 0; i--) {
      const code = codesLeftToRight[this.digits - 1 - i] ?? 0x20;
      if (this.shown[i] !== code) {
        this.shown[i] = code;
        out.push([i, code]);
      }
    }
    return out;
  }
}

export type TimecodeMode = 'loudness' | 'clock' | 'off';

/** Below this an integrated loudness counts as not measured (the meters' floor is -120). */
const LOUDNESS_NONE = -99;

/**
 * The 10-digit display's text (dots merge into the digit before them):
 * - loudness: `-14.2 LU` right-aligned, `--.- LU` while nothing has been measured;
 * - clock: ` HH.MM.SS   ` (local time), hours, minutes and seconds on the display's
 *   hours/bars, minutes/beats and seconds/sub-division digit groups, the frames blank;
 * - off: blank.
 */
export function timecodeText(mode: TimecodeMode, now: number, integrated: number | undefined): string {
  switch (mode) {
    case 'off':
      return '';
    case 'clock': {
      const d = new Date(now);
      const two = (n: number): string => String(n).padStart(2, '0');
      return ` ${two(d.getHours())}.${two(d.getMinutes())}.${two(d.getSeconds())}   `;
    }
    case 'loudness':
      return integrated === undefined || !Number.isFinite(integrated) || integrated <= LOUDNESS_NONE ? '--.- LU' : `${integrated.toFixed(1)} LU`;
  }
}
