/**
 * Business dates are civil dates ('YYYY-MM-DD') in Asia/Shanghai. Mainland China has kept UTC+8
 * without daylight saving since 1991, so the offset is a constant and these functions need no
 * time-zone database: they run unchanged inside the workflow sandbox.
 */
export type CivilDate = string;

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const CIVIL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses and validates a civil date, returning its UTC midnight in ms (an internal day number). */
function dayStartUtc(date: CivilDate): number {
  const match = CIVIL_DATE.exec(date);
  if (!match) throw new RangeError(`not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`no such date: ${date}`);
  }
  return ms;
}

function formatUtcDay(ms: number): CivilDate {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isCivilDate(value: unknown): value is CivilDate {
  if (typeof value !== 'string') return false;
  try {
    dayStartUtc(value);
    return true;
  } catch {
    return false;
  }
}

export function addDays(date: CivilDate, days: number): CivilDate {
  return formatUtcDay(dayStartUtc(date) + days * DAY_MS);
}

/** The same day N years later; 29 February becomes 28 February in a common year. */
export function addYears(date: CivilDate, years: number): CivilDate {
  dayStartUtc(date);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const year = y + years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = m === 2 && d === 29 && !leap ? 28 : d;
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CivilDate, to: CivilDate): number {
  return Math.round((dayStartUtc(to) - dayStartUtc(from)) / DAY_MS);
}

/** The instant of a wall-clock time on a civil date in Shanghai, as epoch ms. */
export function shanghaiInstant(date: CivilDate, time = '00:00'): number {
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  if (!match) throw new RangeError(`not a time (HH:MM): ${JSON.stringify(time)}`);
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  if (minutes >= 24 * 60 || Number(match[2]) >= 60) throw new RangeError(`no such time: ${time}`);
  return dayStartUtc(date) + minutes * 60_000 - SHANGHAI_OFFSET_MS;
}

/** A Shanghai wall-clock time as people and files write it (`YYYY-MM-DD HH:MM[:SS]`, or with a T), as epoch ms; undefined if none. */
export function shanghaiTimeInstant(text: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!match || !isCivilDate(match[1]) || Number(match[2]) > 23 || Number(match[3]) > 59 || Number(match[4] ?? 0) > 59) return undefined;
  return shanghaiInstant(match[1], `${match[2]}:${match[3]}`) + Number(match[4] ?? 0) * 1000;
}

/** The civil date in Shanghai at an instant. */
export function shanghaiDate(epochMs: number): CivilDate {
  return formatUtcDay(Math.floor((epochMs + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS);
}

/** Day of week in Shanghai for a civil date: 0 Sunday … 6 Saturday. */
export function dayOfWeek(date: CivilDate): number {
  return new Date(dayStartUtc(date)).getUTCDay();
}
