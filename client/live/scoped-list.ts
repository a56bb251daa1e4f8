/**
 * The entries of a live list (the ticker, the active whistles) that lie in one area (a grid-code prefix), or whose
 * case is in one category group (the map's focus, map-focus.ts), filtered once per list version and key rather than
 * on every render.
 */
import type { CategoryGroup } from '../../protocol/catalogues';
import { groupOf } from '../map/map-focus';

/** A list filtered by a key, remembered until the list, its version or the key changes. */
class KeyedFilter<T, K extends string> {
  private last: { source: readonly T[]; version: number; key: K; entries: T[] } | null = null;

  constructor(private readonly keeps: (entry: T, key: K) => boolean) {}

  /** `source` itself when `key` is null, else its entries that the key keeps. */
  of(source: T[], version: number, key: K | null): T[] {
    if (key === null) return source;
    const last = this.last;
    if (last && last.source === source && last.version === version && last.key === key) return last.entries;
    const entries = source.filter((entry) => this.keeps(entry, key));
    this.last = { source, version, key, entries };
    return entries;
  }
}

/** The entries in an area (null: the list's own area, every entry). */
export class ScopedList<T extends { incident: { grid: string } }> extends KeyedFilter<T, string> {
  constructor() {
    super((entry, area) => entry.incident.grid.startsWith(area));
  }
}

/** The entries whose case is in a category group (null: every group). */
export class GroupedList<T extends { incident: { category: string } }> extends KeyedFilter<T, CategoryGroup> {
  constructor() {
    super((entry, group) => groupOf(entry.incident.category) === group);
  }
}
