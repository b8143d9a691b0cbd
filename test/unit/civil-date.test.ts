import { describe, expect, it } from 'vitest';
import { addDays, addYears, dayOfWeek, daysBetween, isCivilDate, shanghaiDate, shanghaiInstant } from '../../domain/civil-date';

describe('civil dates in Asia/Shanghai', () => {
  it('adds days across month ends, year ends and 29 February', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-24', 61)).toBe('2027-02-23');
    expect(addDays('2026-12-24', -30)).toBe('2026-11-24');
  });

  it('adds years, keeping the day and turning 29 February into 28 February in common years', () => {
    expect(addYears('2027-02-23', 2)).toBe('2029-02-23');
    expect(addYears('2028-02-29', 2)).toBe('2030-02-28');
    expect(addYears('2028-02-29', 4)).toBe('2032-02-29');
    expect(addYears('2026-12-31', -1)).toBe('2025-12-31');
  });

  it('counts days between dates', () => {
    expect(daysBetween('2026-12-24', '2027-02-22')).toBe(60);
    expect(daysBetween('2028-03-01', '2028-02-28')).toBe(-2);
  });

  it('places wall-clock times on the Shanghai day (UTC+8, no daylight saving)', () => {
    expect(new Date(shanghaiInstant('2026-12-24', '09:00')).toISOString()).toBe('2026-12-24T01:00:00.000Z');
    expect(new Date(shanghaiInstant('2026-12-24')).toISOString()).toBe('2026-12-23T16:00:00.000Z');
    expect(new Date(shanghaiInstant('2026-07-01', '23:59')).toISOString()).toBe('2026-07-01T15:59:00.000Z');
  });

  it('reads the Shanghai date of an instant, including just after midnight there', () => {
    expect(shanghaiDate(Date.parse('2026-12-23T16:00:00Z'))).toBe('2026-12-24');
    expect(shanghaiDate(Date.parse('2026-12-23T15:59:59.999Z'))).toBe('2026-12-23');
    expect(shanghaiDate(shanghaiInstant('2028-02-29', '12:00'))).toBe('2028-02-29');
  });

  it('knows the day of the week', () => {
    expect(dayOfWeek('2026-11-23')).toBe(1); // Monday
    expect(dayOfWeek('2026-11-29')).toBe(0); // Sunday
  });

  it('rejects what is not a date, naming it', () => {
    expect(() => addDays('2026-02-29', 1)).toThrow('no such date: 2026-02-29');
    expect(() => addDays('2026-13-01', 1)).toThrow('no such date');
    expect(() => addDays('24/12/2026', 1)).toThrow('not a date (YYYY-MM-DD): "24/12/2026"');
    expect(() => shanghaiInstant('2026-12-24', '24:00')).toThrow('no such time: 24:00');
    expect(() => shanghaiInstant('2026-12-24', '9:00')).toThrow('not a time');
    expect(isCivilDate('2028-02-29')).toBe(true);
    expect(isCivilDate('2027-02-29')).toBe(false);
    expect(isCivilDate(20261224)).toBe(false);
  });
});
