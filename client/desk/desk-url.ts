/**
 * The desk's part of the URL: `sel=<area code>` (the area whose panel is open, any level) and `case=<incident id>`
 * (the case whose detail is open). Every view is a URL, so it can be reloaded and shared, and the browser's back
 * button steps back through the drill-down. Other parameters (lang, wall, area, …) are left as they are.
 */
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
