import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import { addYears, isCivilDate, type CivilDate } from '../../domain/civil-date';
import { addMonths } from '../../domain/months';

/**
 * The time-skipping server starts at today's date and only moves forward, so a scenario written for
 * a month that has passed is moved forward by whole years (same month and day; 29 February becomes
 * the 28th) before it is imported. Only the business dates the cycle runs on move: issue and due
 * dates, event dates and promised dates. The copies go to `toDir`; the originals are not touched.
 */
export function shiftScenarioYears(toDir: string, years: number, files: { policies: string; events?: string }): { policies: string; events?: string } {
  const policies = join(toDir, 'policies.csv');
  shiftCsv(files.policies, policies, years, (column) => column === 'issue_date' || column === 'next_due_date');
  if (!files.events) return { policies };
  const events = join(toDir, 'events.csv');
  shiftCsv(files.events, events, years, (column, row) => column === 'date' || (column === 'value' && row.event?.toLowerCase() === 'promise'));
  return { policies, events };
}

function shiftCsv(from: string, to: string, years: number, isDate: (column: string, row: Record<string, string>) => boolean): void {
  const bytes = readFileSync(from);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = iconv.decode(bytes, 'gbk');
  }
  const records: string[][] = parse(text, { bom: true, relax_column_count: true });
  const [header, ...rows] = records;
  if (!header) {
    writeFileSync(to, text);
    return;
  }
  const names = header.map((n) => n.trim().toLowerCase());
  const shifted = rows.map((cells) => {
    const row = Object.fromEntries(names.map((n, i) => [n, (cells[i] ?? '').trim()]));
    // Bad dates stay as they are, so the import reports them on the same row as in the original.
    return cells.map((cell, i) => (isDate(names[i] ?? '', row) && isCivilDate(cell.trim()) ? addYears(cell.trim(), years) : cell));
  });
  // A private copy for the import, not a file for people: cells go back exactly as read (a ' added
  // for spreadsheets would change the imported names), so no inertCsvText here.
  writeFileSync(to, stringify([header, ...shifted]));
}

/**
 * Whole years to add so the month's monthly run, on the 1st of the month before, lies after `today`.
 * (A month-long margin moved March on 29 January, while its run on 1 February was still ahead.)
 */
export function yearsToLieAhead(month: string, today: CivilDate): number {
  let years = 0;
  while (`${shiftMonth(month, years, -1)}-01` <= today) years += 1;
  return years;
}

/** The month `years` years and `months` months after the given one. */
export function shiftMonth(month: string, years: number, months = 0): string {
  return addMonths(month, years * 12 + months);
}
