/**
 * Area scopes. A principal's scope is a list of area codes (`city`, or district/street/community/grid codes); an
 * area is inside the scope when it equals or lies beneath one of them. Area codes nest by prefix, so "beneath"
 * is a prefix test.
 */

/** Roles, from least to most powerful. */
export const ROLES = ['screen', 'officer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, after authentication. Ingest callers are separate: they hold the ingest key, not a role. */
export interface Principal {
  name: string;
  role: Role;
  /** Area codes this principal may see (and, for officers, act in). `['city']` = everything. */
  scope: string[];
}

/** True when `area` (a code or `city`) is inside the scope. */
export function areaInScope(scope: readonly string[], area: string): boolean {
  for (const allowed of scope) {
    if (allowed === 'city') return true;
    if (area !== 'city' && area.startsWith(allowed)) return true;
  }
  return false;
}

/** True when a grid code is inside the scope. */
export function gridInScope(scope: readonly string[], grid: string): boolean {
  return areaInScope(scope, grid);
}

/** The whole-city principal used for anonymous screens on a loopback bind. */
export const LOCAL_SCREEN: Principal = { name: 'local-screen', role: 'screen', scope: ['city'] };
