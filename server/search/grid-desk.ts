/**
 * What the officer's desk shows for an area beyond its static detail: its open cases, the cases closed in the last
 * day with their satisfaction, the service centres whose 15-minute circle reaches it, and its public board
 * (居民一家亲: 本期议题 topics, 群众反映 residents' reports, 回音壁 the echo wall of answered cases), all derived
 * from the live state, never typed in by hand.
 */
import { categoryOf } from '../../protocol/catalogues';
import { isOpenStatus, type IncidentRecord } from '../../protocol/transition';
import type { CityGeodata, ServiceCentreProperties } from '../geodata/types';

/** 15 min × 4.5 km/h × 0.85 detour ≈ 956 m: the same reach as client/geo/coverage.ts. */
export const SERVICE_CIRCLE_RADIUS_M = (15 / 60) * 4.5 * 1000 * 0.85;
/** "Recently closed": within the last day (the server's live state keeps closed cases 24 h). */
export const RECENT_CLOSED_MS = 24 * 3_600_000;
const LIST_LIMIT = 30;

export interface BoardTopic {
  category: string;
  name: string;
  count: number;
}

export interface EchoEntry {
  incidentId: string;
  category: string;
  title: string | null;
  closedAt: number;
  satisfaction: number | null;
  /** how long from report to close, in minutes */
  minutes: number;
}

export interface AreaDesk {
  code: string;
  open: IncidentRecord[];
  closed: IncidentRecord[];
  serviceCentres: Array<ServiceCentreProperties & { position: number[]; distanceM: number; own: boolean }>;
  board: {
    /** 本期议题: the categories raised most this period (open and recent), most first */
    topics: BoardTopic[];
    /** 群众反映: the latest reports from residents, newest first */
    reports: Array<{ incidentId: string; category: string; title: string | null; status: IncidentRecord['status']; reportedAt: number }>;
    /** 回音壁: answered cases with their outcome */
    echoes: EchoEntry[];
  };
}

/** Builds the desk view of `code` (any area level) at `now`. */
export function areaDesk(geodata: CityGeodata, incidents: Iterable<IncidentRecord>, code: string, now: number): AreaDesk {
  const open: IncidentRecord[] = [];
  const closed: IncidentRecord[] = [];
  for (const incident of incidents) {
    if (!incident.grid.startsWith(code)) continue;
    if (isOpenStatus(incident.status)) open.push(incident);
    else if (incident.status === 'closed' && incident.closedAt !== undefined && now - incident.closedAt <= RECENT_CLOSED_MS) closed.push(incident);
  }
  // the most pressing first: overdue, then the nearest deadline, then cases with no deadline yet (newest first)
  open.sort((a, b) => (a.deadline ?? Infinity) - (b.deadline ?? Infinity) || b.reportedAt - a.reportedAt);
  closed.sort((a, b) => (b.closedAt ?? 0) - (a.closedAt ?? 0));

  const counts = new Map<string, number>();
  for (const incident of [...open, ...closed]) counts.set(incident.category, (counts.get(incident.category) ?? 0) + 1);
  const topics = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 3)
    .map(([category, count]) => ({ category, name: categoryOf(category)?.name ?? category, count }));
  const reports = [...open, ...closed]
    .sort((a, b) => b.reportedAt - a.reportedAt)
    .slice(0, 5)
    .map((i) => ({ incidentId: i.id, category: i.category, title: i.title ?? null, status: i.status, reportedAt: i.reportedAt }));
  const echoes = closed.slice(0, 5).map((i) => ({
    incidentId: i.id,
    category: i.category,
    title: i.title ?? null,
    closedAt: i.closedAt as number,
    satisfaction: i.satisfaction ?? null,
    minutes: Math.round(((i.closedAt as number) - i.reportedAt) / 60_000),
  }));

  return {
    code,
    open: open.slice(0, LIST_LIMIT),
    closed: closed.slice(0, LIST_LIMIT),
    serviceCentres: centresReaching(geodata, code),
    board: { topics, reports, echoes },
  };
}

/** The area's own centres, and every centre whose 15-minute circle reaches the area's centre, nearest first. */
function centresReaching(geodata: CityGeodata, code: string): AreaDesk['serviceCentres'] {
  const area = geodata.areas.get(code);
  if (!area) return [];
  const centre: [number, number] = [(area.bbox[0] + area.bbox[2]) / 2, (area.bbox[1] + area.bbox[3]) / 2];
  const out: AreaDesk['serviceCentres'] = [];
  for (const sc of geodata.serviceCentres) {
    const distanceM = metresBetween(centre, [sc.position[0] ?? 0, sc.position[1] ?? 0]);
    const own = sc.area === code;
    if (own || distanceM <= SERVICE_CIRCLE_RADIUS_M) out.push({ ...sc, distanceM: Math.round(distanceM), own });
  }
  return out.sort((a, b) => Number(b.own) - Number(a.own) || a.distanceM - b.distanceM).slice(0, 12);
}

/** Great-circle distance in metres (haversine). */
export function metresBetween(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}
