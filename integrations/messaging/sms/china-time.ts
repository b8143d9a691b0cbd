/**
 * Times as the Chinese providers write them: wall-clock Asia/Shanghai (UTC+8 all year, no daylight
 * saving), 'YYYY-MM-DD HH:mm:ss' without a zone.
 */
import type { CivilDate } from '../../../domain/civil-date';

const CHINA_OFFSET_MS = 8 * 3_600_000;
const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

export function chinaWallClock(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** The instant of a Shanghai wall-clock time, or undefined when the text is not one. */
export function parseChinaWallClock(text: string): Date | undefined {
  const m = WALL_CLOCK.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s) - CHINA_OFFSET_MS);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** '2025-03-09' → '20250309' (Alibaba SendDate). */
export function compactDate(date: CivilDate): string {
  return date.replaceAll('-', '');
}
