/** Money is integer fen (分). Yuan strings come only from files and go only to people. */
export type Fen = number;

/** Parses a yuan amount with up to 2 decimals ('1234', '1234.5', '1234.56') into fen, exactly. */
export function yuanToFen(yuan: string): Fen {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(yuan.trim());
  if (!match) throw new RangeError(`not a yuan amount with at most 2 decimals: ${JSON.stringify(yuan)}`);
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) throw new RangeError(`amount too large: ${yuan}`);
  return fen;
}

export function formatYuan(fen: Fen): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not a whole number of fen: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
