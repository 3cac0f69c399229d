/**
 * Values that MIDI spreads over several Control Change messages, put back together per channel.
 *
 * 14-bit CC pairs (Cc14Assembler): the MSB on CC n (0..31), the LSB on CC n + 32.
 * - The value is delivered on the LSB: MSB 8 then LSB 33 on CC 2/34 gives 8 << 7 | 33 = 1057.
 * - An MSB that no LSB follows within CC14_TIMEOUT_MS is delivered alone as MSB << 7 (MIDI 1.0:
 *   a new MSB clears the LSB) by flush(now), which the surface calls on every tick, or by the
 *   next message of that pair if it comes first. Devices that only send MSBs thus still work,
 *   one tick late.
 * - An LSB alone refines the last MSB of its pair (MIDI 1.0: "if only the LSB needs changing,
 *   it may be sent alone") and is delivered at once; with no MSB seen yet it is dropped.
 * The caller says which CCs belong to pairs (the device's 14-bit controls): a 7-bit control on
 * CC 0..31 must never wait for an LSB.
 *
 * (N)RPN (ParamNumberAssembler): CC 99/98 select an NRPN number (MSB/LSB), CC 101/100 an RPN
 * number; data entry CC 6 (MSB) and 38 (LSB); increment/decrement CC 96/97.
 * - NRPN and RPN numbers are kept apart; whichever was written last is the current parameter.
 *   Writing either half of a number first delivers a half-received value alone (below). Data
 *   for a number of which only one half has been seen, or for the null number 7F/7F (which
 *   deselects), is dropped.
 * - A 7-bit parameter (the caller's `bits` says which) is delivered on CC 6; CC 38 is ignored.
 * - A 14-bit parameter is delivered when both halves have come, in either order: MSB then LSB
 *   (delivered on the LSB) or LSB then MSB (delivered on the MSB, as in helgoboss-midi's
 *   doctest: CC101=3, CC100=36, CC38=24, CC6=117 -> RPN 420 = 117 << 7 | 24 = 15000). A half
 *   that waits longer than CC14_TIMEOUT_MS is delivered alone by flush(now): an MSB as
 *   MSB << 7, an LSB with the last MSB of that parameter (dropped if none was seen).
 * - CC 96 (increment) and 97 (decrement) deliver a step of +1 / -1; their data byte is ignored.
 */

/** How long the first half of a 14-bit value waits for the second (ms, inclusive). */
export const CC14_TIMEOUT_MS = 20;

export interface Cc14Value {
  /** 0..15. */
  readonly channel: number;
  /** The MSB's controller number, 0..31. */
  readonly number: number;
  /** 0..16383. */
  readonly value: number;
}

interface PendingMsb {
  msb: number;
  time: number;
}

export class Cc14Assembler {
  /** LSBs with no MSB to refine. */
  dropped = 0;
  private readonly pending = new Map<number, PendingMsb>();
  private readonly lastMsb = new Map<number, number>();

  constructor(private readonly timeoutMs = CC14_TIMEOUT_MS) {}

  /** A CC of a 14-bit pair (controller 0..63); returns the values completed by it (0..2). */
  push(channel: number, controller: number, value: number, now: number): Cc14Value[] {
    const ch = channel & 15;
    const v = value & 127;
    if (controller < 0 || controller > 63) return [];
    const number = controller & 31;
    const key = ch * 32 + number;
    const out: Cc14Value[] = [];
    const waiting = this.pending.get(key);
    if (controller < 32) {
      // A new MSB: a previous one still waiting never got its LSB.
      if (waiting !== undefined) out.push({ channel: ch, number, value: waiting.msb << 7 });
      this.pending.set(key, { msb: v, time: now });
      this.lastMsb.set(key, v);
      return out;
    }
    if (waiting !== undefined) {
      this.pending.delete(key);
      if (now - waiting.time > this.timeoutMs) out.push({ channel: ch, number, value: waiting.msb << 7 });
      out.push({ channel: ch, number, value: (waiting.msb << 7) | v });
      return out;
    }
    const msb = this.lastMsb.get(key);
    if (msb === undefined) {
      this.dropped++;
      return out;
    }
    out.push({ channel: ch, number, value: (msb << 7) | v });
    return out;
  }

  /** MSBs that waited longer than the timeout, delivered alone as MSB << 7. */
  flush(now: number): Cc14Value[] {
    const out: Cc14Value[] = [];
    for (const [key, p] of this.pending) {
      if (now - p.time <= this.timeoutMs) continue;
      this.pending.delete(key);
      out.push({ channel: key >> 5, number: key & 31, value: p.msb << 7 });
    }
    return out;
  }

  /** Forget everything (the port was reopened). */
  reset(): void {
    this.pending.clear();
    this.lastMsb.clear();
  }
}

// ---- (N)RPN ----

export const CC_DATA_MSB = 6;
export const CC_DATA_LSB = 38;
export const CC_INCREMENT = 96;
export const CC_DECREMENT = 97;
export const CC_NRPN_LSB = 98;
export const CC_NRPN_MSB = 99;
export const CC_RPN_LSB = 100;
export const CC_RPN_MSB = 101;
/** The null parameter number (7F/7F): nothing selected. */
export const PARAM_NULL = 0x3fff;

export type ParamValue =
  | {
      readonly kind: 'value';
      readonly channel: number;
      /** RPN (true) or NRPN (false). */
      readonly registered: boolean;
      /** 0..16383. */
      readonly number: number;
      /** 0..127 for a 7-bit parameter, 0..16383 for a 14-bit one. */
      readonly value: number;
      readonly bits: 7 | 14;
    }
  | {
      readonly kind: 'step';
      readonly channel: number;
      readonly registered: boolean;
      readonly number: number;
      /** +1 (CC 96) or -1 (CC 97). */
      readonly delta: 1 | -1;
    };

/** Which parameters carry 14 bits (the device's declared controls); the others carry 7. */
export type ParamBits = (registered: boolean, channel: number, number: number) => 7 | 14;

interface ChannelParams {
  nrpn: [msb: number | undefined, lsb: number | undefined];
  rpn: [msb: number | undefined, lsb: number | undefined];
  /** Which was written last. */
  current: 'nrpn' | 'rpn' | undefined;
  /** The first half of a 14-bit value, waiting for the other. */
  half: { which: 'msb' | 'lsb'; value: number; time: number } | undefined;
  /** Last data MSB per parameter key, for an LSB that comes alone. */
  readonly lastMsb: Map<number, number>;
}

/** True for the CCs the (N)RPN machinery uses: 6, 38, 96..101. */
export function isParamCc(controller: number): boolean {
  return controller === CC_DATA_MSB || controller === CC_DATA_LSB || (controller >= CC_INCREMENT && controller <= CC_RPN_MSB);
}

export class ParamNumberAssembler {
  /** Data with no (or the null) parameter selected, and lone LSBs with no MSB. */
  dropped = 0;
  private readonly channels = new Map<number, ChannelParams>();

  constructor(
    private readonly bits: ParamBits = () => 14,
    private readonly timeoutMs = CC14_TIMEOUT_MS,
  ) {}

  /** The parameter selected on `channel` now (undefined: none, or the null number). */
  selected(channel: number): { registered: boolean; number: number } | undefined {
    const c = this.channels.get(channel & 15);
    if (c === undefined) return undefined;
    const sel = this.current(c);
    return sel === undefined ? undefined : { registered: sel.registered, number: sel.number };
  }

  /** A CC that isParamCc(); returns what it completes (0..2 values). */
  push(channel: number, controller: number, value: number, now: number): ParamValue[] {
    const ch = channel & 15;
    const v = value & 127;
    const c = this.state(ch);
    const out: ParamValue[] = [];
    switch (controller) {
      case CC_NRPN_MSB:
      case CC_NRPN_LSB:
      case CC_RPN_MSB:
      case CC_RPN_LSB: {
        // A waiting half belongs to the parameter selected until now: deliver it alone.
        if (c.half !== undefined) this.deliverHalf(ch, c, out);
        const which = controller === CC_NRPN_MSB || controller === CC_NRPN_LSB ? 'nrpn' : 'rpn';
        const half = controller === CC_NRPN_MSB || controller === CC_RPN_MSB ? 0 : 1;
        c[which][half] = v;
        c.current = which;
        return out;
      }
      case CC_INCREMENT:
      case CC_DECREMENT: {
        this.expire(ch, c, now, out);
        const sel = this.current(c);
        if (sel === undefined) {
          this.dropped++;
          return out;
        }
        out.push({ kind: 'step', channel: ch, registered: sel.registered, number: sel.number, delta: controller === CC_INCREMENT ? 1 : -1 });
        return out;
      }
      case CC_DATA_MSB:
      case CC_DATA_LSB:
        return this.data(ch, c, controller === CC_DATA_MSB ? 'msb' : 'lsb', v, now);
      default:
        return out;
    }
  }

  /** Halves of 14-bit values that waited longer than the timeout, delivered alone. */
  flush(now: number): ParamValue[] {
    const out: ParamValue[] = [];
    for (const [ch, c] of this.channels) this.expire(ch, c, now, out);
    return out;
  }

  reset(): void {
    this.channels.clear();
  }

  // ---- internals ----

  private data(ch: number, c: ChannelParams, which: 'msb' | 'lsb', v: number, now: number): ParamValue[] {
    const out: ParamValue[] = [];
    this.expire(ch, c, now, out);
    const sel = this.current(c);
    if (sel === undefined) {
      this.dropped++;
      return out;
    }
    const { registered, number } = sel;
    const key = (registered ? 0x4000 : 0) | number;
    if (this.bits(registered, ch, number) === 7) {
      if (which === 'msb') out.push({ kind: 'value', channel: ch, registered, number, value: v, bits: 7 });
      return out;
    }
    const half = c.half;
    if (half !== undefined && half.which !== which) {
      c.half = undefined;
      const msb = which === 'msb' ? v : half.value;
      const lsb = which === 'lsb' ? v : half.value;
      c.lastMsb.set(key, msb);
      out.push({ kind: 'value', channel: ch, registered, number, value: (msb << 7) | lsb, bits: 14 });
      return out;
    }
    // A second half of the same kind replaces a waiting one: deliver that one alone first.
    if (half !== undefined) this.deliverHalf(ch, c, out);
    c.half = { which, value: v, time: now };
    return out;
  }

  /** Deliver a waiting half that is older than the timeout. */
  private expire(ch: number, c: ChannelParams, now: number, out: ParamValue[]): void {
    if (c.half !== undefined && now - c.half.time > this.timeoutMs) this.deliverHalf(ch, c, out);
  }

  private deliverHalf(ch: number, c: ChannelParams, out: ParamValue[]): void {
    const half = c.half;
    c.half = undefined;
    const sel = this.current(c);
    if (half === undefined || sel === undefined) return;
    const key = (sel.registered ? 0x4000 : 0) | sel.number;
    let msb: number | undefined;
    let lsb = 0;
    if (half.which === 'msb') {
      msb = half.value;
      c.lastMsb.set(key, msb);
    } else {
      msb = c.lastMsb.get(key);
      lsb = half.value;
    }
    if (msb === undefined) {
      this.dropped++;
      return;
    }
    out.push({ kind: 'value', channel: ch, registered: sel.registered, number: sel.number, value: (msb << 7) | lsb, bits: 14 });
  }

  private current(c: ChannelParams): { registered: boolean; number: number } | undefined {
    if (c.current === undefined) return undefined;
    const [msb, lsb] = c[c.current];
    if (msb === undefined || lsb === undefined) return undefined;
    const number = (msb << 7) | lsb;
    return number === PARAM_NULL ? undefined : { registered: c.current === 'rpn', number };
  }

  private state(ch: number): ChannelParams {
    let c = this.channels.get(ch);
    if (c === undefined) {
      c = { nrpn: [undefined, undefined], rpn: [undefined, undefined], current: undefined, half: undefined, lastMsb: new Map() };
      this.channels.set(ch, c);
    }
    return c;
  }
}
