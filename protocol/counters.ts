/**
 * Per-area counters, kept incrementally by the reducer: every event touches the counters of the incident's five
 * areas (city, district, street, community, grid) and nothing else, so a wall can shade 5,000 grids live.
 *
 * Two kinds of figures:
 * - stock counters (`status`, `open`, `activeWhistles`): how things stand now;
 * - day counters (`days`, keyed by Asia/Shanghai day number): what happened on a day, bucketed by the time of the
 *   event that caused it, plus a few cohort counters bucketed by the day a case entered a stage (so that rates
 *   compare like with like). protocol/kpi.ts documents what each one means as a KPI.
 *
 * `recountFromIncidents` computes the same counters from scratch from incident records: tests compare the two
 * (they must always agree while nothing is evicted) and the benchmark uses it as the naive way.
 */
import { INCIDENT_STATUSES, type IncidentStatus, type WhistleTier } from './events';
import { isOpenStatus, isResolvedStatus, reportDueAt, type IncidentRecord, type WhistleRecord } from './transition';
import { shanghaiDay } from './time';

/** What happened in one area on one Asia/Shanghai day. */
export interface DayCounters {
  /** incidents reported (受理) this day */
  reported: number;
  /** incidents cancelled (注销) this day */
  cancelled: number;
  /** incidents first dispatched this day */
  dispatched: number;
  /** incidents whose handling started this day */
  started: number;
  /** Σ (startedAt − dispatchedAt) over `started`, ms */
  responseMsSum: number;
  /** incidents first resolved (反馈) this day */
  resolved: number;
  /** incidents closed (结案) this day */
  closed: number;
  /** of `closed`, those with a deadline */
  closedWithDeadline: number;
  /** of `closedWithDeadline`, those whose last resolution came no later than the deadline */
  closedOnTime: number;
  /** ratings given this day */
  ratings: number;
  /** of `ratings`, those of 4 or 5 */
  satisfied: number;
  /** whistles blown this day, by tier */
  whistles: Record<WhistleTier, number>;
  /** departments that arrived (报到) this day */
  arrivals: number;
  /** Σ (arrivedAt − whistle time) over `arrivals`, ms */
  reportMsSum: number;
  /** of `arrivals`, those within their whistle's 报到时限 (protocol/transition.ts reportDueAt) */
  arrivalsOnTime: number;
  /** supervisions (督办) this day */
  supervised: number;
  /** cohort: of the incidents first dispatched this day, those whose handling has started */
  dispatchedCohortStarted: number;
  /** cohort: of the incidents reported this day, those cancelled */
  reportedCohortCancelled: number;
  /** cohort: of the incidents reported this day, those now resolved, verified or closed */
  reportedCohortResolved: number;
}

/** The counters of one area (`city` or a 6/9/12/15-digit code). */
export interface AreaCounters {
  code: string;
  /** incidents ever reported here (eviction does not change it) */
  total: number;
  /** incidents per current status */
  status: Record<IncidentStatus, number>;
  /** incidents neither closed nor cancelled */
  open: number;
  /** whistles on open incidents that some summoned department has not yet arrived for */
  activeWhistles: number;
  /** unresolved cases past their deadline, as of the state's `overdueAsOf` (kept by protocol/overdue.ts) */
  overdue: number;
  /** by Asia/Shanghai day number */
  days: Map<number, DayCounters>;
  /**
   * The day most recently touched and its counters: nearly every event lands on today, so this spares a Map lookup
   * per area per counter. Not serialised; `dropDaysBefore` keeps it in step.
   */
  recentDay: number;
  recentCounters: DayCounters | undefined;
}

export function emptyDay(): DayCounters {
  return {
    reported: 0,
    cancelled: 0,
    dispatched: 0,
    started: 0,
    responseMsSum: 0,
    resolved: 0,
    closed: 0,
    closedWithDeadline: 0,
    closedOnTime: 0,
    ratings: 0,
    satisfied: 0,
    whistles: { community: 0, street: 0, district: 0 },
    arrivals: 0,
    reportMsSum: 0,
    arrivalsOnTime: 0,
    supervised: 0,
    dispatchedCohortStarted: 0,
    reportedCohortCancelled: 0,
    reportedCohortResolved: 0,
  };
}

export function emptyArea(code: string): AreaCounters {
  const status = {} as Record<IncidentStatus, number>;
  for (const s of INCIDENT_STATUSES) status[s] = 0;
  return { code, total: 0, status, open: 0, activeWhistles: 0, overdue: 0, days: new Map(), recentDay: Number.NaN, recentCounters: undefined };
}

/** Drops an area's day counters before `oldestDay` (eviction). */
export function dropDaysBefore(area: AreaCounters, oldestDay: number): void {
  for (const day of area.days.keys()) if (day < oldestDay) area.days.delete(day);
  if (area.recentDay < oldestDay) {
    area.recentDay = Number.NaN;
    area.recentCounters = undefined;
  }
}

/** The five area keys of a grid code, widest first: `city`, district, street, community, grid. */
export function areaKeysOf(grid: string): string[] {
  return ['city', grid.slice(0, 6), grid.slice(0, 9), grid.slice(0, 12), grid];
}

/** Whether an area key lies inside `area` (`city` holds everything). */
export function areaWithin(key: string, area: string): boolean {
  if (area === 'city') return true;
  return key !== 'city' && key.startsWith(area);
}

/** The counters of an area chain, creating missing ones in `areas`. */
export function chainFor(areas: Map<string, AreaCounters>, grid: string): AreaCounters[] {
  return areaKeysOf(grid).map((key) => {
    let counters = areas.get(key);
    if (counters === undefined) {
      counters = emptyArea(key);
      areas.set(key, counters);
    }
    return counters;
  });
}

function dayOf(area: AreaCounters, day: number): DayCounters {
  if (area.recentDay === day && area.recentCounters !== undefined) return area.recentCounters;
  let counters = area.days.get(day);
  if (counters === undefined) {
    counters = emptyDay();
    area.days.set(day, counters);
  }
  area.recentDay = day;
  area.recentCounters = counters;
  return counters;
}

/** Adds `amount` to a day counter of every area in the chain. */
function bump(chain: AreaCounters[], at: number, field: Exclude<keyof DayCounters, 'whistles'>, amount = 1): void {
  const day = shanghaiDay(at);
  for (const area of chain) dayOf(area, day)[field] += amount;
}

function activeWhistleCount(record: IncidentRecord): number {
  if (!isOpenStatus(record.status)) return 0;
  let active = 0;
  for (const whistle of record.whistles) if (!answered(whistle)) active += 1;
  return active;
}

function answered(whistle: WhistleRecord): boolean {
  for (const department of whistle.departments) {
    if (whistle.reports[department]?.arrivedAt === undefined) return false;
  }
  return true;
}

/**
 * Updates the counters of `chain` (the incident's five areas) for one legal transition prev → next. Works from the
 * difference between the two records, so it needs no knowledge of the event type.
 */
export function applyDelta(chain: AreaCounters[], prev: IncidentRecord | undefined, next: IncidentRecord): void {
  if (prev === undefined) {
    for (const area of chain) {
      area.total += 1;
      area.status[next.status] += 1;
      if (isOpenStatus(next.status)) area.open += 1;
    }
    bump(chain, next.reportedAt, 'reported');
    return;
  }

  if (prev.status !== next.status) {
    const wasOpen = isOpenStatus(prev.status);
    const isOpen = isOpenStatus(next.status);
    // Closing or cancelling lapses whistles that were still waiting for departments.
    const lapsed = wasOpen && !isOpen ? activeWhistleCount(prev) : 0;
    for (const area of chain) {
      area.status[prev.status] -= 1;
      area.status[next.status] += 1;
      if (wasOpen !== isOpen) area.open += isOpen ? 1 : -1;
      area.activeWhistles -= lapsed;
    }
    const wasResolved = isResolvedStatus(prev.status);
    const isResolved = isResolvedStatus(next.status);
    if (wasResolved !== isResolved) bump(chain, next.reportedAt, 'reportedCohortResolved', isResolved ? 1 : -1);
    if (next.status === 'cancelled') {
      bump(chain, next.cancelledAt ?? next.updatedAt, 'cancelled');
      bump(chain, next.reportedAt, 'reportedCohortCancelled');
    }
    if (next.status === 'closed' && next.closedAt !== undefined) closeCounters(chain, next, next.closedAt);
  }

  if (prev.dispatchedAt === undefined && next.dispatchedAt !== undefined) bump(chain, next.dispatchedAt, 'dispatched');
  if (prev.startedAt === undefined && next.startedAt !== undefined) {
    startCounters(chain, next, next.startedAt);
  }
  if (prev.firstResolvedAt === undefined && next.firstResolvedAt !== undefined) bump(chain, next.firstResolvedAt, 'resolved');
  if (prev.ratedAt === undefined && next.ratedAt !== undefined && next.satisfaction !== undefined) {
    rateCounters(chain, next.ratedAt, next.satisfaction);
  }
  if (next.supervisions.length > prev.supervisions.length && next.supervisedAt !== undefined) {
    bump(chain, next.supervisedAt, 'supervised');
  }

  if (next.whistles !== prev.whistles) {
    for (let i = 0; i < next.whistles.length; i++) {
      const after = next.whistles[i] as WhistleRecord;
      const before = prev.whistles[i];
      if (after === before) continue;
      if (before === undefined) {
        whistleCounters(chain, after);
        if (!answered(after) && isOpenStatus(next.status)) for (const area of chain) area.activeWhistles += 1;
        continue;
      }
      for (const department of after.departments) {
        const arrivedAt = after.reports[department]?.arrivedAt;
        if (arrivedAt !== undefined && before.reports[department]?.arrivedAt === undefined) {
          arrivalCounters(chain, after, arrivedAt);
        }
      }
      if (isOpenStatus(next.status) && !answered(before) && answered(after)) {
        for (const area of chain) area.activeWhistles -= 1;
      }
    }
  }
}

function startCounters(chain: AreaCounters[], record: IncidentRecord, startedAt: number): void {
  bump(chain, startedAt, 'started');
  bump(chain, startedAt, 'responseMsSum', startedAt - (record.dispatchedAt ?? startedAt));
  if (record.dispatchedAt !== undefined) bump(chain, record.dispatchedAt, 'dispatchedCohortStarted');
}

function closeCounters(chain: AreaCounters[], record: IncidentRecord, closedAt: number): void {
  bump(chain, closedAt, 'closed');
  if (record.deadline !== undefined) {
    bump(chain, closedAt, 'closedWithDeadline');
    if (record.resolvedAt !== undefined && record.resolvedAt <= record.deadline) bump(chain, closedAt, 'closedOnTime');
  }
}

function rateCounters(chain: AreaCounters[], ratedAt: number, satisfaction: number): void {
  bump(chain, ratedAt, 'ratings');
  if (satisfaction >= 4) bump(chain, ratedAt, 'satisfied');
}

function whistleCounters(chain: AreaCounters[], whistle: WhistleRecord): void {
  const day = shanghaiDay(whistle.at);
  for (const area of chain) dayOf(area, day).whistles[whistle.tier] += 1;
}

function arrivalCounters(chain: AreaCounters[], whistle: WhistleRecord, arrivedAt: number): void {
  bump(chain, arrivedAt, 'arrivals');
  bump(chain, arrivedAt, 'reportMsSum', arrivedAt - whistle.at);
  if (arrivedAt <= reportDueAt(whistle)) bump(chain, arrivedAt, 'arrivalsOnTime');
}

/**
 * Every area's counters computed from scratch from incident records (the naive way). Equals the incremental
 * counters as long as no incident was evicted.
 */
export function recountFromIncidents(incidents: Iterable<IncidentRecord>): Map<string, AreaCounters> {
  const areas = new Map<string, AreaCounters>();
  for (const record of incidents) {
    const chain = chainFor(areas, record.grid);
    for (const area of chain) {
      area.total += 1;
      area.status[record.status] += 1;
      if (isOpenStatus(record.status)) area.open += 1;
      area.activeWhistles += activeWhistleCount(record);
    }
    bump(chain, record.reportedAt, 'reported');
    if (record.status === 'cancelled') {
      bump(chain, record.cancelledAt ?? record.updatedAt, 'cancelled');
      bump(chain, record.reportedAt, 'reportedCohortCancelled');
    }
    if (isResolvedStatus(record.status)) bump(chain, record.reportedAt, 'reportedCohortResolved');
    if (record.dispatchedAt !== undefined) bump(chain, record.dispatchedAt, 'dispatched');
    if (record.startedAt !== undefined) startCounters(chain, record, record.startedAt);
    if (record.firstResolvedAt !== undefined) bump(chain, record.firstResolvedAt, 'resolved');
    if (record.closedAt !== undefined) closeCounters(chain, record, record.closedAt);
    if (record.ratedAt !== undefined && record.satisfaction !== undefined) rateCounters(chain, record.ratedAt, record.satisfaction);
    for (const supervisedAt of record.supervisions) bump(chain, supervisedAt, 'supervised');
    for (const whistle of record.whistles) {
      whistleCounters(chain, whistle);
      for (const department of whistle.departments) {
        const arrivedAt = whistle.reports[department]?.arrivedAt;
        if (arrivedAt !== undefined) arrivalCounters(chain, whistle, arrivedAt);
      }
    }
  }
  return areas;
}
