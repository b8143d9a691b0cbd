import type { CalendarDay } from '../business-calendar';
import { addDays, type CivilDate } from '../civil-date';
import { lunarNewYear, lunarToGregorian, qingmingDate } from '../lunar-calendar';

/**
 * Mainland China days off and make-up working days (调休), exactly as the State Council General
 * Office published them:
 * - 2025: 《国务院办公厅关于2025年部分节假日安排的通知》 (国办发明电〔2024〕12号, 12 November 2024)
 * - 2026: 《国务院办公厅关于2026年部分节假日安排的通知》 (4 November 2025)
 *
 * Every day off is listed, weekend days inside a block included, so a reader can check a row
 * against the notice without computing anything; 'workday' rows are the weekend days worked instead.
 *
 * A notice can re-arrange the last days of the previous December (the 2019 notice made Saturday
 * 29 December 2018 a working day), so late December 2026 is final only once the 2027 notice is out;
 * such rows go in as operator rows (cnMainlandCalendar(extra)). Later years get the statutory days by
 * rule (statutoryHolidays below), provisional until their notice is loaded (`renewals calendar import`).
 */
export const CN_MAINLAND_PUBLISHED_YEARS = [2025, 2026] as const;

type Festival = readonly [zh: string, en: string];
const NEW_YEAR: Festival = ['元旦', "New Year's Day"];
const SPRING: Festival = ['春节', 'Spring Festival'];
const QINGMING: Festival = ['清明节', 'Qingming Festival'];
const LABOUR: Festival = ['劳动节', 'Labour Day'];
const DRAGON_BOAT: Festival = ['端午节', 'Dragon Boat Festival'];
const MID_AUTUMN: Festival = ['中秋节', 'Mid-Autumn Festival'];
const NATIONAL: Festival = ['国庆节', 'National Day'];
const NATIONAL_MID_AUTUMN: Festival = ['国庆节、中秋节', 'National Day and Mid-Autumn Festival'];

const off = (date: string, [zh, en]: Festival): CalendarDay => ({ date, kind: 'holiday', name: `${zh} ${en}` });
const work = (date: string, [zh, en]: Festival): CalendarDay => ({
  date,
  kind: 'workday',
  name: `${zh}调休 ${en} make-up workday`,
});

export const CN_MAINLAND_CALENDAR_DAYS: readonly CalendarDay[] = [
  // 2025
  off('2025-01-01', NEW_YEAR),
  work('2025-01-26', SPRING), // Sunday
  off('2025-01-28', SPRING), off('2025-01-29', SPRING), off('2025-01-30', SPRING), off('2025-01-31', SPRING),
  off('2025-02-01', SPRING), off('2025-02-02', SPRING), off('2025-02-03', SPRING), off('2025-02-04', SPRING),
  work('2025-02-08', SPRING), // Saturday
  off('2025-04-04', QINGMING), off('2025-04-05', QINGMING), off('2025-04-06', QINGMING),
  work('2025-04-27', LABOUR), // Sunday
  off('2025-05-01', LABOUR), off('2025-05-02', LABOUR), off('2025-05-03', LABOUR), off('2025-05-04', LABOUR),
  off('2025-05-05', LABOUR),
  off('2025-05-31', DRAGON_BOAT), off('2025-06-01', DRAGON_BOAT), off('2025-06-02', DRAGON_BOAT),
  work('2025-09-28', NATIONAL_MID_AUTUMN), // Sunday
  off('2025-10-01', NATIONAL_MID_AUTUMN), off('2025-10-02', NATIONAL_MID_AUTUMN),
  off('2025-10-03', NATIONAL_MID_AUTUMN), off('2025-10-04', NATIONAL_MID_AUTUMN),
  off('2025-10-05', NATIONAL_MID_AUTUMN), off('2025-10-06', NATIONAL_MID_AUTUMN),
  off('2025-10-07', NATIONAL_MID_AUTUMN), off('2025-10-08', NATIONAL_MID_AUTUMN),
  work('2025-10-11', NATIONAL_MID_AUTUMN), // Saturday

  // 2026
  off('2026-01-01', NEW_YEAR), off('2026-01-02', NEW_YEAR), off('2026-01-03', NEW_YEAR),
  work('2026-01-04', NEW_YEAR), // Sunday
  work('2026-02-14', SPRING), // Saturday
  off('2026-02-15', SPRING), off('2026-02-16', SPRING), off('2026-02-17', SPRING), off('2026-02-18', SPRING),
  off('2026-02-19', SPRING), off('2026-02-20', SPRING), off('2026-02-21', SPRING), off('2026-02-22', SPRING),
  off('2026-02-23', SPRING),
  work('2026-02-28', SPRING), // Saturday
  off('2026-04-04', QINGMING), off('2026-04-05', QINGMING), off('2026-04-06', QINGMING),
  off('2026-05-01', LABOUR), off('2026-05-02', LABOUR), off('2026-05-03', LABOUR), off('2026-05-04', LABOUR),
  off('2026-05-05', LABOUR),
  work('2026-05-09', LABOUR), // Saturday
  off('2026-06-19', DRAGON_BOAT), off('2026-06-20', DRAGON_BOAT), off('2026-06-21', DRAGON_BOAT),
  work('2026-09-20', NATIONAL), // Sunday
  off('2026-09-25', MID_AUTUMN), off('2026-09-26', MID_AUTUMN), off('2026-09-27', MID_AUTUMN),
  off('2026-10-01', NATIONAL), off('2026-10-02', NATIONAL), off('2026-10-03', NATIONAL), off('2026-10-04', NATIONAL),
  off('2026-10-05', NATIONAL), off('2026-10-06', NATIONAL), off('2026-10-07', NATIONAL),
  work('2026-10-10', NATIONAL), // Saturday
];

/** The first year the amended regulation (13 statutory days) governs; earlier years are not computed. */
export const STATUTORY_RULE_FROM = 2025;
/** The last year the rule can be computed for: the end of the lunar table (domain/calendars/lunar-years.ts). */
export const STATUTORY_RULE_TO = 2100;

/**
 * The statutory days off of a year by the rule of 全国年节及纪念日放假办法 (as amended in 2024, in force
 * from 2025): 元旦 1 January; 春节 农历除夕 to 正月初三 (4 days); 清明 the Qingming solar term; 劳动节
 * 1–2 May; 端午 农历五月初五; 中秋 农历八月十五; 国庆 1–3 October. 13 days, no bridging and no
 * make-up workdays: those come only with the State Council's notice for the year, so a year known
 * only by this rule is provisional (docs/business-rules.md#business-calendar).
 */
export function statutoryHolidays(year: number): CalendarDay[] {
  if (!Number.isInteger(year) || year < STATUTORY_RULE_FROM || year > STATUTORY_RULE_TO) {
    throw new RangeError(`statutory holidays are computed for ${STATUTORY_RULE_FROM}–${STATUTORY_RULE_TO}, not ${year}`);
  }
  const days = (from: CivilDate, count: number, festival: Festival): CalendarDay[] =>
    Array.from({ length: count }, (_, i) => off(addDays(from, i), festival));
  const all = [
    ...days(`${year}-01-01`, 1, NEW_YEAR),
    ...days(addDays(lunarNewYear(year), -1), 4, SPRING),
    ...days(qingmingDate(year), 1, QINGMING),
    ...days(`${year}-05-01`, 2, LABOUR),
    ...days(lunarToGregorian(year, 5, 5), 1, DRAGON_BOAT),
    ...days(lunarToGregorian(year, 8, 15), 1, MID_AUTUMN),
    ...days(`${year}-10-01`, 3, NATIONAL),
  ];
  // Mid-Autumn can fall on 1–3 October (2028: 3 October): one day off, named after both, as notices do.
  const byDate = new Map<CivilDate, CalendarDay>();
  for (const day of all) {
    byDate.set(day.date, byDate.has(day.date) ? off(day.date, NATIONAL_MID_AUTUMN) : day);
  }
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
