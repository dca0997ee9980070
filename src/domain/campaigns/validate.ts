/**
 * What must hold before a campaign may start calling. Returns every problem at
 * once, each naming its API field, so the console can show them all together.
 */
import type { QuestionType } from '../../db/schema/core.js';
import type { FieldProblem } from '../errors.js';

export interface ActivationCheck {
  readonly introScript: string;
  readonly questions: readonly { readonly text: string; readonly type: QuestionType; readonly scaleMin: number; readonly scaleMax: number }[];
  readonly maxAttempts: number;
  readonly retryIntervalMinutes: number;
  /** `HH:MM` or `HH:MM:SS`, campaign-local. */
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly weekdays: readonly number[];
  readonly timezone: string | null;
  readonly templates: readonly { readonly outcome: 'completed' | 'refused' | 'not_reached'; readonly id: string; readonly found: boolean; readonly type?: string }[];
  readonly contactCount: number;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Minutes since midnight for `HH:MM[:SS]`, or null when malformed. */
export function minutesOf(time: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(time);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

export function activationProblems(c: ActivationCheck): FieldProblem[] {
  const p: FieldProblem[] = [];
  const add = (field: string, code: string, message: string) => p.push({ field, code, message });

  if (c.contactCount < 1) add('contacts', 'no_contacts', 'Upload at least one contact before activating.');
  if (!c.introScript.trim()) add('intro_script', 'required', 'The introduction script is empty; it must say who is calling, why and how long it takes.');
  if (c.questions.length !== 3) add('questions', 'count', 'A campaign has exactly three questions.');
  c.questions.forEach((q, i) => {
    if (!q.text.trim()) add(`questions.${i}.text`, 'required', `Question ${i + 1} is empty.`);
    if (q.type === 'scale' && !(Number.isInteger(q.scaleMin) && Number.isInteger(q.scaleMax) && q.scaleMin < q.scaleMax)) {
      add(`questions.${i}.scale`, 'invalid_range', `Question ${i + 1}: the scale minimum must be below its maximum.`);
    }
  });
  if (!Number.isInteger(c.maxAttempts) || c.maxAttempts < 1 || c.maxAttempts > 5) {
    add('retry_policy.max_attempts', 'out_of_range', `Attempts must be between 1 and 5 (got ${c.maxAttempts}).`);
  }
  if (!Number.isInteger(c.retryIntervalMinutes) || c.retryIntervalMinutes < 1) {
    add('retry_policy.retry_interval_minutes', 'out_of_range', `The retry interval must be at least 1 minute (got ${c.retryIntervalMinutes}).`);
  }
  const start = minutesOf(c.windowStart);
  const end = minutesOf(c.windowEnd);
  if (start === null) add('calling_window.start', 'invalid_time', 'The calling window start must be a time like 09:00.');
  if (end === null) add('calling_window.end', 'invalid_time', 'The calling window end must be a time like 20:00.');
  if (start !== null && end !== null && start >= end) {
    add('calling_window', 'start_not_before_end', `The calling window must start before it ends (${c.windowStart.slice(0, 5)}–${c.windowEnd.slice(0, 5)}).`);
  }
  if (c.weekdays.length === 0) add('calling_window.weekdays', 'required', 'Allow calls on at least one day of the week.');
  if (!c.timezone) add('timezone', 'required', 'Set the time zone the calling window is read in.');
  else if (!isTimeZone(c.timezone)) add('timezone', 'invalid_timezone', `"${c.timezone}" is not an IANA time zone.`);
  for (const t of c.templates) {
    const field = `email_templates.${t.outcome}`;
    if (!t.found) add(field, 'unknown_template', `Email template ${t.id} does not exist.`);
    else if (t.type !== t.outcome) add(field, 'wrong_template_type', `Template ${t.id} is for "${t.type}" emails, not "${t.outcome}".`);
  }
  return p;
}
