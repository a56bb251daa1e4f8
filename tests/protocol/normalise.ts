/** Plain, comparable forms of reducer counters for tests. */
import type { AreaCounters, DayCounters } from '../../protocol/counters';

const isZeroDay = (d: DayCounters): boolean =>
  Object.entries(d).every(([key, value]) =>
    key === 'whistles' ? Object.values(value as Record<string, number>).every((n) => n === 0) : value === 0,
  );

/** Areas sorted by code, day buckets sorted and with all-zero buckets dropped. */
export function normaliseAreas(areas: Map<string, AreaCounters>): unknown[] {
  return [...areas.values()]
    .map((area) => ({
      code: area.code,
      total: area.total,
      status: area.status,
      open: area.open,
      activeWhistles: area.activeWhistles,
      days: [...area.days].filter(([, d]) => !isZeroDay(d)).sort(([a], [b]) => a - b),
    }))
    .sort((a, b) => a.code.localeCompare(b.code));
}
