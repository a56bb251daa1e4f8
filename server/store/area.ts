/**
 * Area scoping. An area is `city` or a code prefix of the 15-digit grid code (district 6, street 9, community 12,
 * grid 15 digits), so "events in an area" is a prefix match on `grid`. Both backends turn the prefix into a
 * half-open text range `grid >= prefix AND grid < prefix + ':'` (':' sorts right after '9' in byte order), which a
 * B-tree index answers as a range scan, unlike LIKE, which SQLite only optimises under case-sensitive settings.
 */
import { AreaCodeSchema } from '../../protocol/events';
import { StoreInputError } from './errors';

/** Bounds of an area on the grid column, or undefined for the whole city. */
export interface GridRange {
  low: string;
  high: string;
}

/** Checks an area argument and returns its grid range (undefined for `city`). */
export function gridRangeOf(area: string | undefined, field = 'area'): GridRange | undefined {
  if (area === undefined || area === 'city') return undefined;
  const parsed = AreaCodeSchema.safeParse(area);
  if (!parsed.success) {
    throw new StoreInputError([{ field, reason: parsed.error.issues[0]?.message ?? 'is not an area code' }]);
  }
  return { low: area, high: `${area}:` };
}

/** The areas an event in `grid` counts towards: the city, its district, street, community and the grid itself. */
export function areasOfGrid(grid: string): string[] {
  return ['city', grid.slice(0, 6), grid.slice(0, 9), grid.slice(0, 12), grid];
}
