/**
 * The desk's part of the URL: `sel=<area code>` (the area whose panel is open, any level) and `case=<incident id>`
 * (the case whose detail is open). Every view is a URL, so it can be reloaded and shared, and the browser's back
 * button steps back through the drill-down. Other parameters (lang, wall, area, …) are left as they are.
 */
import { officerCovers, type Officer } from './desk-api';

export interface DeskLocation {
  area: string | null;
  incident: string | null;
}

const AREA = /^(\d{6}|\d{9}|\d{12}|\d{15})$/;
const INCIDENT = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Reads the desk state from a query string; malformed values are ignored (the view opens without them). */
export function readDeskLocation(search: string): DeskLocation {
  const params = new URLSearchParams(search);
  const area = params.get('sel');
  const incident = params.get('case');
  return { area: area && AREA.test(area) ? area : null, incident: incident && INCIDENT.test(incident) ? incident : null };
}

/** The query string with the desk state set (or removed), the other parameters kept in order. */
export function withDeskLocation(search: string, desk: DeskLocation): string {
  const params = new URLSearchParams(search);
  if (desk.area) params.set('sel', desk.area);
  else params.delete('sel');
  if (desk.incident) params.set('case', desk.incident);
  else params.delete('case');
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Pushes a history entry for a new desk view (no entry when nothing changed). */
export function pushDeskLocation(desk: DeskLocation): void {
  const search = withDeskLocation(location.search, desk);
  if (search === location.search) return;
  history.pushState({ desk }, '', `${location.pathname}${search}${location.hash}`);
}

/**
 * The page URL whose live feed (`area`) lies in the officer's (or screen token's) scope, or null when it already
 * does: the first allowed area replaces an area outside the scope; every other parameter is kept.
 *
 * @example
 * ```ts
 * scopedLocation('?sel=530102001&case=c1', { name: 'z', role: 'officer', scope: ['530102'] }); // '?sel=530102001&case=c1&area=530102'
 * ```
 */
export function scopedLocation(search: string, officer: Officer): string | null {
  const params = new URLSearchParams(search);
  const shown = params.get('area') ?? 'city';
  const target = officer.scope[0];
  if (officerCovers(officer, shown) || target === undefined) return null;
  params.set('area', target);
  return `?${params.toString()}`;
}
