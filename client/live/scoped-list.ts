/**
 * The entries of a live list (the ticker, the active whistles) that lie in one area (a grid-code prefix), filtered
 * once per list version and area rather than on every render.
 */
import type { CategoryGroup } from '../../protocol/catalogues';
import { groupOf } from '../map/map-focus';

export class ScopedList<T extends { incident: { grid: string } }> {
  private last: { source: readonly T[]; version: number; area: string; entries: T[] } | null = null;

  /** `source` itself when `area` is null (the list's own area), else its entries in `area`. */
  of(source: T[], version: number, area: string | null): T[] {
    if (area === null) return source;
    const last = this.last;
    if (last && last.source === source && last.version === version && last.area === area) return last.entries;
    const entries = source.filter((entry) => entry.incident.grid.startsWith(area));
    this.last = { source, version, area, entries };
    return entries;
  }
}

/**
 * The entries of a live list whose case is in a category group (the map's focus, map-focus.ts), filtered once per
 * list and group rather than on every render.
 */
export class GroupedList<T extends { incident: { category: string } }> {
  private last: { source: readonly T[]; version: number; group: CategoryGroup; entries: T[] } | null = null;

  /** `source` itself when `group` is null, else its entries of that group. */
  of(source: T[], version: number, group: CategoryGroup | null): T[] {
    if (group === null) return source;
    const last = this.last;
    if (last && last.source === source && last.version === version && last.group === group) return last.entries;
    const entries = source.filter((entry) => groupOf(entry.incident.category) === group);
    this.last = { source, version, group, entries };
    return entries;
  }
}
