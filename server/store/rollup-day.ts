/**
 * Days for the per-area rollups. Chinese cities keep one civil time, China Standard Time (UTC+8, no daylight
 * saving), and a command centre's "today" is that calendar day, so rollups bucket `at` by the UTC+8 date.
 */
import { SHANGHAI_OFFSET_MS } from '../../protocol/time';
import { StoreInputError } from './errors';

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC+8 calendar day of an epoch-ms time, as `YYYY-MM-DD`. */
export function rollupDayOf(atMs: number): string {
  return new Date(atMs + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** Checks a `YYYY-MM-DD` argument. */
export function checkDay(day: string, field: string): string {
  if (typeof day !== 'string' || !DAY_PATTERN.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
    throw new StoreInputError([{ field, reason: 'must be a calendar day written YYYY-MM-DD' }]);
  }
  return day;
}
