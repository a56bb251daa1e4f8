/**
 * Calendar days in Asia/Shanghai, the clock that "today" means in every KPI. China has kept UTC+8 without daylight
 * saving since 1991, so a fixed offset is exact and avoids Intl in the hot path of the reducer.
 *
 * @example
 * ```ts
 * const day = shanghaiDay(Date.parse('2026-11-22T23:30:00+08:00'));
 * shanghaiDayStart(day) === Date.parse('2026-11-22T00:00:00+08:00'); // true
 * ```
 */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;

/** The Asia/Shanghai day number (days since 1970-01-01 local) of an epoch-ms instant. */
export function shanghaiDay(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS);
}

/** Epoch ms of 00:00 Asia/Shanghai on a day number. */
export function shanghaiDayStart(day: number): number {
  return day * DAY_MS - SHANGHAI_OFFSET_MS;
}

/** Hour of day (0–23.999…) in Asia/Shanghai. */
export function shanghaiHour(ms: number): number {
  return ((ms + SHANGHAI_OFFSET_MS) % DAY_MS) / 3_600_000;
}
