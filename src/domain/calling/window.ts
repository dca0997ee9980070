/**
 * The calling window: may a call to this contact start now? Evaluated on the
 * contact's local wall clock (see local-time.ts). The claim query evaluates the
 * same rule in SQL (src/commands/calling/claim.ts); a test checks they agree.
 */
import { localParts, parseTimeOfDay } from './local-time.js';

export interface CallingWindow {
  /** `HH:MM[:SS]` local, inclusive. */
  readonly start: string;
  /** `HH:MM[:SS]` local, exclusive. */
  readonly end: string;
  /** ISO weekdays 1–7 on which calls may start. */
  readonly allowedWeekdays: readonly number[];
}

export type WindowVerdict =
  | { readonly open: true }
  | { readonly open: false; readonly reason: 'weekday' | 'before_start' | 'after_end' | 'closing_soon' };

/**
 * Open when the local weekday is allowed and start ≤ local time < end − guard.
 * `guardMinutes`: no call starts in the last N minutes of the window. Works in
 * seconds of the local day without wrapping, so a window never spans midnight.
 */
export function checkWindow(now: Date, zone: string, window: CallingWindow, guardMinutes: number): WindowVerdict {
  const local = localParts(now, zone);
  if (!window.allowedWeekdays.includes(local.isoWeekday)) return { open: false, reason: 'weekday' };
  const start = parseTimeOfDay(window.start);
  const end = parseTimeOfDay(window.end);
  if (local.secondOfDay < start) return { open: false, reason: 'before_start' };
  if (local.secondOfDay >= end) return { open: false, reason: 'after_end' };
  if (local.secondOfDay >= end - guardMinutes * 60) return { open: false, reason: 'closing_soon' };
  return { open: true };
}
