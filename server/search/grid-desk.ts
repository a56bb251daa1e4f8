/**
 * What the officer's desk shows for an area beyond its static detail: its open cases, the cases closed in the last
 * day with their satisfaction, how the departments summoned to it over the last day reported (部门报到), the service
 * centres whose 15-minute circle reaches it, and its public board
 * (居民一家亲: 本期议题 topics, 群众反映 residents' reports, 回音壁 the echo wall of answered cases), all derived
 * from the cases' records, never typed in by hand: the live state's for now, a state folded from the store for a
 * past instant (playback).
 */
import { categoryOf } from '../../protocol/catalogues';
import { isOpenStatus, reportLate, type IncidentRecord } from '../../protocol/transition';
import type { CityGeodata, ServiceCentreProperties } from '../geodata/types';

/** 15 min × 4.5 km/h × 0.85 detour ≈ 956 m: the same reach as client/geo/coverage.ts. */
export const SERVICE_CIRCLE_RADIUS_M = (15 / 60) * 4.5 * 1000 * 0.85;
/** "Recently closed": within the last day (the server's live state keeps closed cases 24 h). */
export const RECENT_CLOSED_MS = 24 * 3_600_000;
const LIST_LIMIT = 30;
export const DEPARTMENTS_LISTED = 12;

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

/**
 * One summoned department's 报到 record on the whistles blown over the area's cases in the last day: how often it
 * was summoned, how often it arrived, how often it was late (arrived after the whistle's limit, or not there once
 * the limit passed), how many are still within their limit, and its mean time from whistle to arrival.
 */
export interface DepartmentReportRow {
  department: string;
  summoned: number;
  arrived: number;
  late: number;
  /** not arrived, the limit not yet passed */
  pending: number;
  /** mean minutes from whistle to arrival over its arrivals; null before the first */
  meanReportMinutes: number | null;
}

export interface AreaDesk {
  code: string;
  /** the instant the view describes (epoch ms): now, or the playback instant it was asked for */
  at: number;
  open: IncidentRecord[];
  closed: IncidentRecord[];
  /** 部门报到: the departments summoned over the last day, the most often late first (the first DEPARTMENTS_LISTED) */
  departments: DepartmentReportRow[];
  /** how many departments were summoned over the last day, listed or not */
  departmentsSummoned: number;
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
  const departments = new DepartmentReports(now);
  for (const incident of incidents) {
    if (!incident.grid.startsWith(code)) continue;
    departments.add(incident);
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

  const departmentRows = departments.rows();
  return {
    code,
    at: now,
    open: open.slice(0, LIST_LIMIT),
    closed: closed.slice(0, LIST_LIMIT),
    departments: departmentRows.slice(0, DEPARTMENTS_LISTED),
    departmentsSummoned: departmentRows.length,
    serviceCentres: centresReaching(geodata, code),
    board: { topics, reports, echoes },
  };
}

/**
 * Tallies the departments' reports on whistles blown within RECENT_CLOSED_MS of `now` (the live state keeps every
 * case that long after it ends, and a past instant's state is folded from before the window: no whistle of the
 * window is missing).
 */
class DepartmentReports {
  private readonly byDepartment = new Map<string, DepartmentReportRow & { reportMinutesSum: number }>();

  constructor(private readonly now: number) {}

  add(incident: IncidentRecord): void {
    for (const whistle of incident.whistles) {
      if (this.now - whistle.at > RECENT_CLOSED_MS || whistle.at > this.now) continue;
      for (const department of whistle.departments) {
        let row = this.byDepartment.get(department);
        if (row === undefined) {
          row = { department, summoned: 0, arrived: 0, late: 0, pending: 0, meanReportMinutes: null, reportMinutesSum: 0 };
          this.byDepartment.set(department, row);
        }
        row.summoned += 1;
        const arrivedAt = whistle.reports[department]?.arrivedAt;
        if (arrivedAt !== undefined) {
          row.arrived += 1;
          row.reportMinutesSum += (arrivedAt - whistle.at) / 60_000;
        }
        if (reportLate(whistle, department, this.now)) row.late += 1;
        else if (arrivedAt === undefined) row.pending += 1;
      }
    }
  }

  /** The most often late first, then the most often summoned, then by code. */
  rows(): DepartmentReportRow[] {
    return [...this.byDepartment.values()]
      .sort((a, b) => b.late - a.late || b.summoned - a.summoned || a.department.localeCompare(b.department))
      .map(({ reportMinutesSum, ...row }) => ({ ...row, meanReportMinutes: row.arrived > 0 ? reportMinutesSum / row.arrived : null }));
  }
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
