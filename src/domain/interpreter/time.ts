/**
 * "Call me tomorrow at five", "mi richiami stasera", "richiamate lunedì": the
 * requested callback time, read in the respondent's time zone relative to `now`.
 * Returns undefined when no time can be read ("later", "più tardi").
 */
import { extractNumbers } from './numbers.js';
import { fold, tokenize } from './normalize.js';

const WEEKDAYS: Record<string, number> = {
  monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7,
  lunedi: 1, martedi: 2, mercoledi: 3, giovedi: 4, venerdi: 5, sabato: 6, domenica: 7,
};

/** Default local hour for a part of the day. */
const PART_OF_DAY: [RegExp, number][] = [
  [/\b(after lunch|dopo pranzo|dopopranzo)\b/, 14.5],
  [/\b(morning|mattina|mattinata|stamattina|stamani)\b/, 10],
  [/\b(lunch|lunchtime|pranzo)\b/, 13],
  [/\b(afternoon|pomeriggio)\b/, 15],
  [/\b(evening|tonight|sera|serata|stasera|stanotte)\b/, 19],
];

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number; // ISO 1–7
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function localParts(at: Date, timeZone: string): LocalParts & { second: number } {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(at).map((p) => [p.type, p.value]));
  const wd = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday!) + 1;
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour) % 24, minute: Number(parts.minute), second: Number(parts.second), weekday: wd,
  };
}

/** The instant at which the wall clock in `timeZone` shows the given local time. */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const p = localParts(new Date(guess), timeZone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    const diff = shown - wall;
    if (diff === 0) break;
    guess -= diff;
  }
  return new Date(guess);
}

function hourFrom(tokens: string[], at: number): { hour: number; minute: number; pm?: boolean } | null {
  // "half past five", "quarter past/to six"
  const lead = tokens.slice(at, at + 2).join(' ');
  const offsets: Record<string, number> = { 'half past': 30, 'quarter past': 15, 'quarter to': -15 };
  if (lead in offsets) {
    const h = hourFrom(tokens, at + 2);
    if (!h) return null;
    const m = offsets[lead]!;
    return m < 0 ? { ...h, hour: h.hour - 1, minute: 60 + m } : { ...h, minute: m };
  }
  const rest = tokens.slice(at, at + 6);
  const nums = extractNumbers(rest);
  const first = nums[0];
  if (!first || first.start > 1 || first.value > 24) return null;
  let minute = 0;
  if (!Number.isInteger(first.value)) {
    // "nove e mezza" parses as 9.5
    if (first.value % 1 !== 0.5) return null;
    return { hour: Math.floor(first.value), minute: 30, ...pmOf(rest.slice(first.end + 1).join(' ')) };
  }
  const after = rest.slice(first.end + 1).join(' ');
  const second = nums[1];
  if (/^(e )?(mezza|mezzo)\b|^thirty\b|^30\b/.test(after)) minute = 30;
  else if (/^e un quarto\b|^fifteen\b|^15\b/.test(after)) minute = 15;
  else if (/^(e )?quarantacinque\b|^forty five\b|^45\b/.test(after)) minute = 45;
  else if (second && second.start === first.end + 1 && second.value < 60) minute = second.value;
  return { hour: first.value, minute, ...pmOf(after) };
}

function pmOf(after: string): { pm?: boolean } {
  if (/\b(pm|p m|del pomeriggio|di pomeriggio|di sera|della sera|in the afternoon|in the evening)\b/.test(after)) return { pm: true };
  if (/\b(am|a m|di mattina|del mattino|in the morning)\b/.test(after)) return { pm: false };
  return {};
}

/**
 * Parses a callback time out of `text`. Hours without am/pm read as office
 * hours: 1–7 are afternoon, 8–11 morning.
 */
export function parseCallbackTime(text: string, now: Date, timeZone: string): Date | undefined {
  const folded = ` ${fold(text).replace(/(\d{1,2})[:.](\d{2})\b/g, '$1 $2')} `;
  const tokens = tokenize(folded);
  const p = ` ${tokens.filter((t) => t !== ',').join(' ')} `;

  // Relative: "in an hour", "tra mezz'ora", "in 20 minutes", "fra due ore".
  const rel = /\b(?:in|tra|fra|within)\s+(?:(half an|mezz|mezza)\s*(?:hour|ora)|(?:(an|a|un|una|\S+)\s+)?(?:(?:ora|hour)s?|ore|minut[oei]|minutes?|quarto d ora|quarter of an hour|quarter hour))\b/.exec(p);
  if (rel) {
    const m = rel[0];
    let minutes: number | null = null;
    if (/half an|mezz/.test(m)) minutes = 30;
    else if (/quarto|quarter/.test(m)) minutes = 15;
    else {
      const n = extractNumbers(tokenize(m)).find((x) => x.value > 0);
      const count = n ? n.value : /\b(an|a|un|una)\b/.test(m) ? 1 : null;
      if (count !== null) minutes = /\b(ora|ore|hours?)\b/.test(m) ? count * 60 : count;
    }
    if (minutes !== null && minutes > 0 && minutes <= 48 * 60) return new Date(now.getTime() + minutes * 60_000);
  }

  const today = localParts(now, timeZone);
  let dayOffset: number | null = null;
  let sameWeekday = false;
  if (/\b(day after tomorrow|dopodomani)\b/.test(p)) dayOffset = 2;
  else if (/\b(tomorrow|domani)\b/.test(p)) dayOffset = 1;
  else if (/\b(today|oggi|tonight|stasera|stamattina|stamani|stanotte|this (morning|afternoon|evening))\b/.test(p)) dayOffset = 0;
  else if (/\b(next week|settimana prossima|prossima settimana)\b/.test(p)) dayOffset = 8 - today.weekday;
  else {
    for (const [word, wd] of Object.entries(WEEKDAYS)) {
      if (p.includes(` ${word} `)) {
        // Today's weekday means today when a later time today is named, else next week.
        dayOffset = (wd - today.weekday + 7) % 7;
        if (dayOffset === 0) sameWeekday = true;
        break;
      }
    }
  }

  let hour: number | null = null;
  let minute = 0;
  const atIdx = tokens.findIndex((t, i) => (t === 'at' || t === 'alle' || (t === 'all' && tokens[i + 1] === 'una') || (t === 'le' && (tokens[i - 1] === 'verso' || tokens[i - 1] === 'per'))) && i + 1 < tokens.length);
  if (atIdx >= 0) {
    const h = hourFrom(tokens, atIdx + 1);
    if (h) {
      hour = h.hour;
      minute = h.minute;
      if (h.pm === true && hour < 12) hour += 12;
      else if (h.pm === undefined && hour >= 1 && hour <= 7) hour += 12;
    }
  }
  if (hour === null) {
    for (const [re, h] of PART_OF_DAY) {
      if (re.test(p)) {
        hour = h;
        break;
      }
    }
  } else if (hour < 12 && /\b(afternoon|pomeriggio|evening|sera|stasera|tonight)\b/.test(p)) {
    hour += 12;
  }

  if (dayOffset === null && hour === null) return undefined;
  if (sameWeekday && (hour === null || hour * 60 + minute <= today.hour * 60 + today.minute)) dayOffset = 7;
  if (dayOffset === null) {
    // A time alone: today if still ahead, else tomorrow.
    const nowMinutes = today.hour * 60 + today.minute;
    dayOffset = hour! * 60 + minute > nowMinutes ? 0 : 1;
  }
  hour ??= 10;
  if (!Number.isInteger(hour)) {
    minute = Math.round((hour % 1) * 60);
    hour = Math.floor(hour);
  }
  const base = new Date(Date.UTC(today.year, today.month - 1, today.day + dayOffset));
  const at = zonedTime(base.getUTCFullYear(), base.getUTCMonth() + 1, base.getUTCDate(), hour, minute, timeZone);
  return at.getTime() > now.getTime() ? at : undefined;
}
