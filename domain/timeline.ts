import { addDays, shanghaiInstant, type CivilDate } from './civil-date';

/**
 * Minimal timeline of the first vertical slice: one reminder before the due date, one debit on it.
 * The full collection plan (standard-60) replaces this with the decider.
 */
export interface SliceTimeline {
  reminderAt: number;
  debitAt: number;
}

/** Contacts go out inside the 09:00–21:00 window; reminders at its start. */
export const REMINDER_TIME = '09:00';
/** Debit files go to the bank in the morning of the collection date. */
export const DEBIT_TIME = '10:00';

export function sliceTimeline(dueDate: CivilDate, reminderDaysBefore: number): SliceTimeline {
  if (!Number.isInteger(reminderDaysBefore) || reminderDaysBefore < 0) {
    throw new RangeError(`reminderDaysBefore must be a whole number of days >= 0, got ${reminderDaysBefore}`);
  }
  return {
    reminderAt: shanghaiInstant(addDays(dueDate, -reminderDaysBefore), REMINDER_TIME),
    debitAt: shanghaiInstant(dueDate, DEBIT_TIME),
  };
}
