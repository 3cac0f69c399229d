/**
 * Strip meters by channel pressure, sent as peaks only: the unit lets its bars fall by itself
 * (LCdoc: about 300 ms per segment), so a level is sent when it rises above what the unit shows
 * after that fall, and a non-zero level at least once a second (a message lost on the wire is
 * made good). Overload: `…E` once when a peak reaches 0 dBFS, `…F` after 2 s below it.
 *
 * The scale (level -> dBFS) is the one reverse-engineered for the MCU's LEDs (TouchMCU):
 *
 * | level | 0C | 0B | 0A | 09 | 08 | 07 | 06 | 05 | 04 | 03 | 02 | 01 | 00 |
 * |-------|----|----|----|----|----|----|----|----|----|----|----|----|----|
 * | dBFS ≥| 0  | −2 | −4 | −6 | −8 | −10| −14| −20| −30| −40| −50| −60| below|
 */

/** The meter snapshot's floor (model/meters.ts): no signal. */
export const METER_FLOOR = -120;

/** Lower bound of each level 1..12 (index 0 is level 1). */
export const METER_SCALE_DB = [-60, -50, -40, -30, -20, -14, -10, -8, -6, -4, -2, 0] as const;
export const METER_MAX_LEVEL = 0x0c;
export const METER_OVERLOAD = 0x0e;
export const METER_CLEAR = 0x0f;
/** How fast the unit lets a bar fall (LCdoc). */
export const METER_DECAY_MS = 300;
/** A level still above zero is sent again at least this often. */
export const METER_REFRESH_MS = 1000;
/** An overload stays lit until the peaks have stayed below 0 dBFS this long. */
export const OVERLOAD_HOLD_MS = 2000;

/** dBFS -> meter level 0..12. */
export function meterLevel(db: number): number {
  if (!(db >= METER_SCALE_DB[0])) return 0; // NaN and the floor too
  let level = 0;
  for (let i = 0; i < METER_SCALE_DB.length; i++) if (db >= METER_SCALE_DB[i]) level = i + 1;
  return level;
}

/** One strip's meter as the unit shows it. */
export class MeterModel {
  private sent = 0;
  private sentAt = -Infinity;
  private over = false;
  private overAt = -Infinity;
  private key: string | undefined;

  /** Nothing known about the unit's meter (connect): it shows nothing, no overload. */
  reset(): void {
    this.sent = 0;
    this.sentAt = -Infinity;
    this.over = false;
    this.overAt = -Infinity;
    this.key = undefined;
  }

  /** What the unit shows now, having let the last level fall. */
  shown(now: number): number {
    if (this.sent === 0) return 0;
    return Math.max(0, this.sent - Math.floor((now - this.sentAt) / METER_DECAY_MS));
  }

  /**
   * The meter's new reading (`key` names the strip it shows, `db` its peak in dBFS): the
   * levels to send now, in order (0..0x0C, 0x0E, 0x0F). A new strip under the meter clears an
   * overload that belonged to the strip before.
   */
  update(key: string | undefined, db: number, now: number): number[] {
    const out: number[] = [];
    if (key !== this.key) {
      if (this.over) out.push(METER_CLEAR);
      this.over = false;
      this.overAt = -Infinity;
      this.key = key;
    }
    const level = key === undefined ? 0 : meterLevel(db);
    if (level > this.shown(now) || (level > 0 && now - this.sentAt >= METER_REFRESH_MS)) {
      out.push(level);
      this.sent = level;
      this.sentAt = now;
    }
    if (key !== undefined && db >= 0) {
      this.overAt = now;
      if (!this.over) {
        this.over = true;
        out.push(METER_OVERLOAD);
      }
    } else if (this.over && now - this.overAt >= OVERLOAD_HOLD_MS) {
      this.over = false;
      out.push(METER_CLEAR);
    }
    return out;
  }
}
