/**
 * Which departments to summon for a case: those of the level the tier calls (community → street, street →
 * district, district → city; `SUMMONED_LEVEL`) whose jurisdiction covers the case's grid, the kinds that usually
 * handle its category first (the catalogue's `departmentKinds`, best first), then nearest first.
 *
 * @example
 * ```ts
 * suggestDepartments(city.departments, incident, 'street'); // district departments, e.g. 五华区公安分局 first for a dispute
 * ```
 */
import { categoryOf } from '../../protocol/catalogues';
import { SUMMONED_LEVEL, type WhistleTier } from '../../protocol/events';
import type { IncidentRecord } from '../../protocol/transition';
import type { Department } from '../geo/city-model';

export interface SuggestedDepartment {
  department: Department;
  /** the category usually goes to this kind of department */
  matchesCategory: boolean;
  distanceKm: number;
}

/** Departments a whistle of `tier` (or a dispatch, with `level`) may summon for the case, best first. */
export function suggestDepartments(
  departments: readonly Department[],
  incident: Pick<IncidentRecord, 'grid' | 'category' | 'location'>,
  target: { tier: WhistleTier } | { level: Department['level'] },
): SuggestedDepartment[] {
  const level = 'tier' in target ? SUMMONED_LEVEL[target.tier] : target.level;
  const kinds = categoryOf(incident.category)?.departmentKinds ?? [];
  const rankOf = (kind: string) => {
    const i = (kinds as readonly string[]).indexOf(kind);
    return i < 0 ? kinds.length : i;
  };
  return departments
    .filter((d) => d.level === level && (d.jurisdiction === 'city' || incident.grid.startsWith(d.jurisdiction)))
    .map((department) => ({
      department,
      matchesCategory: rankOf(department.kind) < kinds.length,
      distanceKm: kmBetween(incident.location, department.position),
    }))
    .sort((a, b) => rankOf(a.department.kind) - rankOf(b.department.kind) || a.distanceKm - b.distanceKm);
}

/** Equirectangular distance: exact enough to order departments within a city. */
function kmBetween(a: readonly number[], b: readonly number[]): number {
  const rad = Math.PI / 180;
  const x = ((b[0]! - a[0]!) * rad) * Math.cos(((a[1]! + b[1]!) / 2) * rad);
  const y = (b[1]! - a[1]!) * rad;
  return Math.hypot(x, y) * 6371.0088;
}
