/**
 * The command-centre KPIs of an area at an instant, read from the reducer's incremental counters.
 *
 * "Today" is the Asia/Shanghai calendar day that contains `now` (00:00–24:00 UTC+8). Every figure is a function of
 * the events with `at ≤ now` only, so playback gets the KPIs at any instant t with `kpis(fold(events ≤ t), area, t)`,
 * and the live server with `kpis(state, area, Date.now())`. A rate whose denominator is zero is `null` (shown as
 * "—"), never 0 or 100 %.
 *
 * | field | 中文 | definition |
 * |---|---|---|
 * | reportedToday | 今日受理 | incidents whose `incident.reported` is today |
 * | open | 在办 | incidents now in any status but closed and cancelled (whenever reported) |
 * | overdue | 超期 | open incidents dispatched or in progress (not yet resolved) whose deadline is before `now` |
 * | resolvedToday | 今日办结反馈 | incidents whose first `incident.resolved` is today |
 * | responseRate | 响应率 | of the incidents first dispatched today, the share whose handling has started (`incident.started`) |
 * | resolutionRate | 解决率 | of the incidents reported today and not cancelled, the share now resolved, verified or closed (a failed verification takes a case out again) |
 * | onTimeRate | 按时办结率 | of the incidents closed today that had a deadline, the share whose last resolution came no later than the deadline |
 * | satisfactionRate | 满意率 | of the ratings given today, the share of 4 or 5 (on 1–5) |
 * | meanResponseMinutes | 平均响应时长 | mean of (started − first dispatch) over incidents whose handling started today |
 * | whistlesToday | 今日吹哨 | whistles blown today, by tier (community / street / district) |
 * | meanReportMinutes | 平均报到时长 | mean of (arrived − whistle blown) over departments that arrived today |
 * | reportOnTimeRate | 报到及时率 | of the departments that arrived today, the share that arrived within their whistle's 报到时限 (its own, or its type's default) |
 * | rateBases | 样本数 | what each rate divides by; a rate over fewer than KPI_MIN_BASE (5) is shown but not held to its target |
 * | activeWhistles | 未完成报到 | whistles on open incidents with at least one summoned department not yet arrived |
 * | supervisedToday | 今日督办 | supervisions today |
 * | cancelledToday / closedToday | 今日注销 / 今日结案 | incidents cancelled / closed today |
 *
 * @example
 * ```ts
 * const k = kpis(state, '530102', Date.now());
 * `${k.open} open, 响应率 ${k.responseRate === null ? '—' : Math.round(k.responseRate * 100) + '%'}`;
 * ```
 */
import type { WhistleTier } from './events';
import { areaKeysOf, areaWithin, emptyDay } from './counters';
import type { CityState } from './state';
import { advanceOverdue } from './overdue';
import { shanghaiDay, shanghaiDayStart } from './time';

export interface AreaKpis {
  area: string;
  /** the instant the figures are for, epoch ms */
  now: number;
  /** epoch ms of 00:00 Asia/Shanghai of the day of `now` */
  dayStart: number;
  reportedToday: number;
  open: number;
  overdue: number;
  resolvedToday: number;
  closedToday: number;
  cancelledToday: number;
  supervisedToday: number;
  /** 0–1 or null */
  responseRate: number | null;
  /** 0–1 or null */
  resolutionRate: number | null;
  /** 0–1 or null */
  onTimeRate: number | null;
  /** 0–1 or null */
  satisfactionRate: number | null;
  meanResponseMinutes: number | null;
  whistlesToday: Record<WhistleTier, number>;
  meanReportMinutes: number | null;
  /** 报到及时率: of the departments that arrived today, the share that came within their whistle's 报到时限 */
  reportOnTimeRate: number | null;
  activeWhistles: number;
  /**
   * What each rate divides by: the cases first dispatched today (响应率), reported today and not cancelled (解决率),
   * closed today with a deadline (按期率), today's ratings (满意率) and today's arrivals (报到及时率). A rate over fewer
   * than KPI_MIN_BASE is shown but not held to its target.
   */
  rateBases: Record<KpiTargetKey, number>;
}

const AREA_PATTERN = /^(city|\d{6}|\d{9}|\d{12}|\d{15})$/;
const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/**
 * The KPIs of `area` (`city` or a 6/9/12/15-digit code) at `now`, from a state folded up to `now`. O(1) in the
 * counters; `overdue` changes with time alone, so asking first drains the deadlines passed since the last ask into
 * the overdue counters (protocol/overdue.ts: amortised O(log n) per case; an instant earlier than the last one asked
 * about is answered by a pass over the unresolved incidents instead).
 * Throws a RangeError naming `area` or `now` when either is malformed.
 */
export function kpis(state: CityState, area: string, now: number): AreaKpis {
  if (!AREA_PATTERN.test(area)) throw new RangeError(`area: must be \`city\` or a 6, 9, 12 or 15 digit code, got "${area}"`);
  if (!Number.isFinite(now)) throw new RangeError(`now: must be a finite epoch ms, got ${now}`);
  const day = shanghaiDay(now);
  const counters = state.areas.get(area);
  const today = counters?.days.get(day) ?? emptyDay();
  let overdue = 0;
  if (advanceOverdue(state, now)) {
    overdue = counters?.overdue ?? 0;
  } else {
    // An instant before the one the overdue counters stand at: count directly.
    for (const record of state.unresolved.values()) {
      if (record.deadline !== undefined && record.deadline < now && areaWithin(record.grid, area)) overdue += 1;
    }
  }
  return {
    area,
    now,
    dayStart: shanghaiDayStart(day),
    reportedToday: today.reported,
    open: counters?.open ?? 0,
    overdue,
    resolvedToday: today.resolved,
    closedToday: today.closed,
    cancelledToday: today.cancelled,
    supervisedToday: today.supervised,
    responseRate: ratio(today.dispatchedCohortStarted, today.dispatched),
    resolutionRate: ratio(today.reportedCohortResolved, today.reported - today.reportedCohortCancelled),
    onTimeRate: ratio(today.closedOnTime, today.closedWithDeadline),
    satisfactionRate: ratio(today.satisfied, today.ratings),
    meanResponseMinutes: today.started > 0 ? today.responseMsSum / today.started / 60_000 : null,
    whistlesToday: { ...today.whistles },
    meanReportMinutes: today.arrivals > 0 ? today.reportMsSum / today.arrivals / 60_000 : null,
    reportOnTimeRate: ratio(today.arrivalsOnTime, today.arrivals),
    activeWhistles: counters?.activeWhistles ?? 0,
    rateBases: {
      responseRate: today.dispatched,
      resolutionRate: today.reported - today.reportedCohortCancelled,
      onTimeRate: today.closedWithDeadline,
      satisfactionRate: today.ratings,
      reportOnTimeRate: today.arrivals,
    },
  };
}

/**
 * Overdue incidents per area at `now`, for every area key that has any (city, districts, streets, communities,
 * grids), for shading a whole wall at once: read from the overdue counters, or one pass over the unresolved
 * incidents for an instant earlier than the counters stand at.
 */
export function overdueByArea(state: CityState, now: number): Map<string, number> {
  const counts = new Map<string, number>();
  if (advanceOverdue(state, now)) {
    for (const area of state.areas.values()) if (area.overdue > 0) counts.set(area.code, area.overdue);
    return counts;
  }
  for (const record of state.unresolved.values()) {
    if (record.deadline === undefined || record.deadline >= now) continue;
    for (const key of areaKeysOf(record.grid)) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The rates a city may set a target for (考核目标), in the header's order. */
export const KPI_TARGET_KEYS = ['responseRate', 'resolutionRate', 'onTimeRate', 'satisfactionRate', 'reportOnTimeRate'] as const;
export type KpiTargetKey = (typeof KPI_TARGET_KEYS)[number];
/** A target per rate, each a share 0–1; a rate without one is shown plain (neither met nor missed). */
export type KpiTargets = Partial<Record<KpiTargetKey, number>>;

/**
 * Gridwatch's default targets, not any city's rule (a city sets its own, KPI_TARGETS): 90 % of cases closed within
 * their deadline, 85 % of ratings satisfied, 95 % of summoned departments on time. 响应率 and 解决率 have none by
 * default: each counts today's cases started or resolved so far, so it climbs through the day, and a morning's figure
 * below any target says only that the day's last cases are still being handled.
 */
export const DEFAULT_KPI_TARGETS: Readonly<KpiTargets> = { onTimeRate: 0.9, satisfactionRate: 0.85, reportOnTimeRate: 0.95 };

/**
 * The targets a server publishes (`kpiTargets` of GET /api/v1/city), each checked: a value that is not a share in
 * 0–1 is left out, and a server that publishes none (an older one) has the defaults.
 */
export function publishedKpiTargets(given: unknown): KpiTargets {
  if (typeof given !== 'object' || given === null) return { ...DEFAULT_KPI_TARGETS };
  const targets: KpiTargets = {};
  for (const key of KPI_TARGET_KEYS) {
    const share = (given as Record<string, unknown>)[key];
    if (typeof share === 'number' && share >= 0 && share <= 1) targets[key] = share;
  }
  return targets;
}

/**
 * The fewest cases, ratings or arrivals a rate must divide by to be held to its target: below it one more case moves
 * the rate by 20 points or more (a community's 2 ratings of 3 read 66.7 %), so the figure is shown but not judged.
 */
export const KPI_MIN_BASE = 5;

/**
 * How a rate stands against its target: `met` at or above it, `missed` below it, `few` when it divides by fewer than
 * KPI_MIN_BASE (`base`, when given), `none` without a target or without a figure (nothing to divide). Compared on the
 * figure rounded as the wall writes it (0.1 %), so a rate shown as 90.0 % never reads as a miss of a 90 % target.
 */
export function kpiTargetStanding(value: number | null, target: number | undefined, base?: number): 'met' | 'missed' | 'few' | 'none' {
  if (value === null || target === undefined) return 'none';
  if (base !== undefined && base < KPI_MIN_BASE) return 'few';
  return Math.round(value * 1000) >= Math.round(target * 1000) ? 'met' : 'missed';
}
