/**
 * Takeover: what an absolute control without a motor (or a ring the device follows) does when
 * the parameter it is bound to has moved elsewhere (the web remote, another surface, a bank
 * change), so that touching it does not make the value jump.
 *
 * Positions here are the parameter's positions (0..1 through its taper), the control's already
 * mapped into the mapping's part of the travel [lo, hi]. `tolerance` is how close counts as
 * "met": 1/127 of the control's travel.
 *
 * - pickup: the control does nothing until it crosses the parameter's position, or comes within
 *   the tolerance of it; from then on it follows.
 * - scaled (catch-up): each move closes part of the gap, so that control and parameter reach the
 *   end of travel the control is moving toward together. Moving from h0 to h1 toward the end E
 *   (hi when h1 > h0, else lo), the parameter goes from p to
 *       p' = p + (h1 - h0) * (E - p) / (E - h0).
 *   The gap shrinks in proportion to the distance left (p' - h1 = (p - h0) (E - h1) / (E - h0)),
 *   so the control never overtakes the parameter: they meet at the end of travel, or where the
 *   control crosses a parameter that was moved elsewhere; from then on the control follows. With the control below the parameter and moving up, the
 *   parameter moves up more slowly than the control; moving down, faster. p' is monotonic in
 *   h1, never passes E, and the parameter never steps back against the control's move.
 *   On the first message (no direction yet) being within the tolerance also counts as met.
 * - jump: the control follows at once.
 *
 * State per control: the last hardware position (undefined before the first move: no takeover
 * decision can use a direction yet, so only "within the tolerance" locks then) and whether it
 * is locked. The driver unlocks it whenever the parameter changes from elsewhere, and on bank
 * changes.
 */
import type { TakeoverMode } from '../types.js';

export interface TakeoverState {
  /** Last hardware position (in parameter positions), undefined before the first move. */
  last: number | undefined;
  /** The control drives the parameter directly. */
  locked: boolean;
}

export interface TakeoverStrategy {
  /**
   * The control moved to `hw`; the parameter is at `param`. Returns the position to set (undefined:
   * leave the parameter alone) and updates `state`.
   */
  move(state: TakeoverState, hw: number, param: number, lo?: number, hi?: number, tolerance?: number): number | undefined;
}

export const DEFAULT_TOLERANCE = 1 / 127;
/** Float slack on "within the tolerance" (a 7-bit step computed two ways). */
const EPS = 1e-9;

export function newTakeoverState(): TakeoverState {
  return { last: undefined, locked: false };
}

/** The parameter moved elsewhere (or the control now drives another one): take over again. */
export function unlock(state: TakeoverState): void {
  state.locked = false;
}

/** Control and parameter have met: crossed between the last and this position, or close. */
function met(last: number | undefined, hw: number, param: number, tolerance: number): boolean {
  if (Math.abs(hw - param) <= tolerance + EPS) return true;
  if (last === undefined) return false;
  return (last - param) * (hw - param) <= 0;
}

export const TAKEOVER: Readonly<Record<TakeoverMode, TakeoverStrategy>> = {
  pickup: {
    move(state, hw, param, _lo = 0, _hi = 1, tolerance = DEFAULT_TOLERANCE) {
      const last = state.last;
      state.last = hw;
      if (!state.locked && !met(last, hw, param, tolerance)) return undefined;
      state.locked = true;
      return hw;
    },
  },
  scaled: {
    move(state, hw, param, lo = 0, hi = 1, tolerance = DEFAULT_TOLERANCE) {
      const last = state.last;
      state.last = hw;
      // Met: crossed (or reached) the parameter; on the first message, within the tolerance.
      // (Later, "within the tolerance" is not enough: the parameter may be ahead of the
      // control, and following it there would step the parameter back against the move.)
      const meets = last === undefined ? Math.abs(hw - param) <= tolerance + EPS : (last - param) * (hw - param) <= 0;
      if (state.locked || meets) {
        state.locked = true;
        return hw;
      }
      if (last === undefined || hw === last) return undefined;
      const end = hw > last ? Math.max(lo, hi) : Math.min(lo, hi);
      if (end === last) return undefined;
      const next = param + ((hw - last) * (end - param)) / (end - last);
      // Between where it was and the end (float rounding must not carry it past either).
      return Math.min(Math.max(next, Math.min(param, end)), Math.max(param, end));
    },
  },
  jump: {
    move(state, hw) {
      state.last = hw;
      state.locked = true;
      return hw;
    },
  },
};
