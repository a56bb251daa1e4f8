/**
 * The incident state machine: one pure function from (incident, event) to the next incident or the reason the
 * event is illegal. protocol/reducer.ts builds the city state on top of it; ingest runs it to refuse illegal events
 * before they are stored; the simulator runs it to emit only legal ones.
 *
 * ```
 * reported ─► registered ─► dispatched ─► in_progress ─► resolved ─► verified ─► closed ─► (rated once)
 *    │            │          ▲      │          ▲              │
 *    └► cancelled ◄┘          └──────┘          └─────────────┘
 *                        redispatch         verification failed (返工)
 * ```
 * Whistles while registered / dispatched / in_progress; department reports while the incident is open;
 * supervision only of an unresolved case past its deadline; `at` never goes back in time per incident.
 */
import type {
  CanonicalEvent,
  IncidentStatus,
  Priority,
  WhistleTier,
  WhistleType,
} from './events';
import { eventTime, REPORT_WITHIN_MAX_MINUTES, REPORT_WITHIN_MIN_MINUTES, WHISTLE_TYPES } from './events';
import { isKnownCategory, isKnownChannel, slaHoursFor } from './catalogues';

/** A department's 报到 on one whistle. */
export interface DepartmentReport {
  acknowledgedAt?: number;
  arrivedAt?: number;
}

/** One 吹哨 on an incident. */
export interface WhistleRecord {
  id: string;
  tier: WhistleTier;
  type: WhistleType;
  /** epoch ms the whistle was blown */
  at: number;
  /** the summoned departments' codes */
  departments: string[];
  /** by department code; a department appears once it has acknowledged */
  reports: Record<string, DepartmentReport>;
  /** the whistle's own 报到时限 in minutes, when its event carried one (otherwise the type's default applies) */
  reportWithinMinutes?: number;
}

/** The folded state of one incident. All times are epoch ms (event `at`, not server receive time). */
export interface IncidentRecord {
  id: string;
  /** 15-digit grid code */
  grid: string;
  /** WGS84 [lon, lat] */
  location: [number, number];
  category: string;
  channel: string;
  priority: Priority;
  status: IncidentStatus;
  title?: string;
  address?: string;
  reportedAt: number;
  registeredAt?: number;
  /** the first dispatch: the deadline clock starts here and a redispatch does not reset it */
  dispatchedAt?: number;
  /** how many times the case was dispatched again (改派) */
  redispatches: number;
  deadline?: number;
  startedAt?: number;
  /** the first resolution (反馈); counts in "resolved today" */
  firstResolvedAt?: number;
  /** the latest resolution; the on-time check compares it with the deadline */
  resolvedAt?: number;
  /** verifications that failed and sent the case back (返工) */
  reworks: number;
  verifiedAt?: number;
  closedAt?: number;
  cancelledAt?: number;
  satisfaction?: number;
  ratedAt?: number;
  /** current handling departments (the latest dispatch) */
  departments: string[];
  whistles: WhistleRecord[];
  /** the latest 督办 */
  supervisedAt?: number;
  /** every 督办 time, oldest first (a case may be supervised again at a higher level) */
  supervisions: number[];
  /** seq of the last event applied */
  lastSeq: number;
  /** `at` of the last event applied; later events may not be earlier */
  updatedAt: number;
}

/**
 * Why the state machine refuses an event, as a stable code: the English `reason` is for logs and integrators, the
 * code and its `params` let a screen word the refusal in its own language (client/desk/error-text.ts).
 */
export const REFUSAL_CODES = [
  'invalid_time',
  'already_reported',
  'unknown_category',
  'unknown_channel',
  'unknown_incident',
  'back_in_time',
  'step_not_allowed',
  'deadline_not_after_dispatch',
  'already_rated',
  'whistle_exists',
  'no_whistle',
  'not_summoned',
  'already_acknowledged',
  'not_acknowledged',
  'already_arrived',
  'not_overdue',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** The result of applying one event to one incident. */
export type Transition =
  | { ok: true; next: IncidentRecord }
  | { ok: false; field: string; reason: string; code: RefusalCode; params: Record<string, string> };

/** Statuses that count as open in KPIs: every status but closed and cancelled. */
export function isOpenStatus(status: IncidentStatus): boolean {
  return status !== 'closed' && status !== 'cancelled';
}

/** Statuses in which the deadline clock runs (dispatched, not yet resolved). */
export function isUnresolvedStatus(status: IncidentStatus): boolean {
  return status === 'dispatched' || status === 'in_progress';
}

/** Statuses after a resolution (反馈) that stands: resolved, verified or closed. The deadline clock has stopped. */
export function isResolvedStatus(status: IncidentStatus): boolean {
  return status === 'resolved' || status === 'verified' || status === 'closed';
}

/** Whether every summoned department of a whistle has arrived. */
export function whistleAnswered(whistle: WhistleRecord): boolean {
  for (const department of whistle.departments) {
    if (whistle.reports[department]?.arrivedAt === undefined) return false;
  }
  return true;
}

/**
 * How soon a summoned department must arrive (报到时限), in minutes from the whistle, by its type, when the whistle
 * names no limit of its own: an emergency (应急哨) within 30 minutes, a hard case (攻坚哨) within 2 hours, a routine
 * whistle (日常哨) within a working day (24 hours). These are Gridwatch's defaults, in the range cities set for 吹哨报到
 * (an emergency's half hour is the common one); a server can be configured otherwise (WHISTLE_REPORT_MINUTES), and
 * then writes its limit into each whistle it stores.
 */
export const REPORT_LIMIT_MINUTES: Readonly<Record<WhistleType, number>> = { emergency: 30, hard: 120, routine: 24 * 60 };

/**
 * The 报到时限 by whistle type a server publishes (`whistleReportMinutes` of GET /api/v1/city), each checked: a
 * missing or odd value (an older server) is the built-in default.
 */
export function publishedReportMinutes(given: unknown): Record<WhistleType, number> {
  const limits = { ...REPORT_LIMIT_MINUTES };
  if (typeof given !== 'object' || given === null) return limits;
  for (const type of WHISTLE_TYPES) {
    const minutes = (given as Partial<Record<WhistleType, unknown>>)[type];
    if (typeof minutes === 'number' && Number.isInteger(minutes) && minutes >= REPORT_WITHIN_MIN_MINUTES && minutes <= REPORT_WITHIN_MAX_MINUTES) limits[type] = minutes;
  }
  return limits;
}

/** A whistle's 报到时限 in minutes: its own, or its type's default. */
export function reportLimitMinutes(whistle: Pick<WhistleRecord, 'type' | 'reportWithinMinutes'>): number {
  return whistle.reportWithinMinutes ?? REPORT_LIMIT_MINUTES[whistle.type];
}

/** When a whistle's summoned departments are due to have arrived, epoch ms. */
export function reportDueAt(whistle: Pick<WhistleRecord, 'at' | 'type' | 'reportWithinMinutes'>): number {
  return whistle.at + reportLimitMinutes(whistle) * 60_000;
}

/**
 * Whether a summoned department is late to report as of `now`: it arrived after the whistle's report limit, or it has
 * not arrived and the limit has passed.
 */
export function reportLate(whistle: WhistleRecord, department: string, now: number): boolean {
  const arrivedAt = whistle.reports[department]?.arrivedAt;
  return (arrivedAt ?? now) > reportDueAt(whistle);
}

/** The summoned departments not arrived by `now` although the whistle's report limit has passed (超时未报到). */
export function lateDepartments(whistle: WhistleRecord, now: number): string[] {
  if (now <= reportDueAt(whistle)) return [];
  return whistle.departments.filter((department) => whistle.reports[department]?.arrivedAt === undefined);
}

// Plain functions rather than closures inside `transition`: it runs once per event on the hot path.
function fail(field: string, reason: string, code: RefusalCode, params: Record<string, string> = {}): Transition {
  return { ok: false, field, reason, code, params };
}

function illegal(type: string, status: IncidentStatus, wanted: string): Transition {
  return fail('type', `${type} is not allowed while the incident is ${status} (needs ${wanted})`, 'step_not_allowed', { type, status });
}

function isoOf(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

/**
 * A fresh record with every key present, in one fixed order: records then share one hidden class in V8, which keeps
 * the per-event copy fast. Absent times are `undefined` (dropped by JSON).
 */
export function newRecord(
  id: string,
  grid: string,
  location: readonly [number, number],
  category: string,
  channel: string,
  reportedAt: number,
  seq: number,
): IncidentRecord {
  return {
    id,
    grid,
    location: [location[0], location[1]],
    category,
    channel,
    priority: 'normal',
    status: 'reported',
    title: undefined,
    address: undefined,
    reportedAt,
    registeredAt: undefined,
    dispatchedAt: undefined,
    redispatches: 0,
    deadline: undefined,
    startedAt: undefined,
    firstResolvedAt: undefined,
    resolvedAt: undefined,
    reworks: 0,
    verifiedAt: undefined,
    closedAt: undefined,
    cancelledAt: undefined,
    satisfaction: undefined,
    ratedAt: undefined,
    departments: [],
    whistles: [],
    supervisedAt: undefined,
    supervisions: [],
    lastSeq: seq,
    updatedAt: reportedAt,
  };
}

/** A record rebuilt with the canonical key order (e.g. one parsed from JSON, which drops undefined keys). */
export function normaliseRecord(record: IncidentRecord): IncidentRecord {
  return Object.assign(newRecord(record.id, record.grid, record.location, record.category, record.channel, record.reportedAt, record.lastSeq), record);
}

/**
 * The incident after `event`, or why the event is illegal. Pure: never mutates `prev` (a changed whistle list or
 * report map is copied). `grid` is used for a new incident only; later events keep the incident's grid.
 *
 * @example
 * ```ts
 * const t = transition(undefined, reportedEvent, '530102001001001', 1);
 * if (!t.ok) console.log(`${t.field}: ${t.reason}`);
 * ```
 */
export function transition(
  prev: IncidentRecord | undefined,
  event: CanonicalEvent,
  grid: string,
  seq: number,
): Transition {
  const at = Date.parse(event.at);
  if (!Number.isFinite(at)) return fail('at', 'must be a valid time', 'invalid_time');

  if (event.type === 'incident.reported') {
    const incident = event.incident;
    if (prev !== undefined) return fail('incident.id', `incident ${incident.id} was reported already`, 'already_reported', { incident: incident.id });
    if (!isKnownCategory(incident.category)) {
      return fail('incident.category', `unknown category "${incident.category}" (see the published catalogue)`, 'unknown_category', {
        category: incident.category,
      });
    }
    if (!isKnownChannel(incident.channel)) {
      return fail('incident.channel', `unknown channel "${incident.channel}" (see the published catalogue)`, 'unknown_channel', {
        channel: incident.channel,
      });
    }
    const next = newRecord(incident.id, grid, incident.location, incident.category, incident.channel, at, seq);
    next.priority = incident.priority ?? 'normal';
    next.title = incident.title;
    next.address = incident.address;
    return { ok: true, next };
  }

  if (prev === undefined) return fail('incidentId', `unknown incident ${event.incidentId}`, 'unknown_incident', { incident: event.incidentId });
  if (at < prev.updatedAt) {
    return fail('at', `${event.at} goes back in time: incident ${prev.id} last changed at ${isoOf(prev.updatedAt)}`, 'back_in_time', {
      at: event.at,
      last: isoOf(prev.updatedAt),
    });
  }
  const status = prev.status;
  // One shallow copy per event; every record has the same keys in the same order (see `newRecord`), so V8 keeps a
  // single hidden class and the copy stays on its fast path.
  const next: IncidentRecord = { ...prev };
  next.lastSeq = seq;
  next.updatedAt = at;

  switch (event.type) {
    case 'incident.registered':
      if (status !== 'reported') return illegal(event.type, status, 'reported');
      next.status = 'registered';
      next.registeredAt = at;
      return { ok: true, next };

    case 'incident.cancelled':
      if (status !== 'reported' && status !== 'registered') return illegal(event.type, status, 'reported or registered');
      next.status = 'cancelled';
      next.cancelledAt = at;
      return { ok: true, next };

    case 'incident.dispatched': {
      if (status !== 'registered' && status !== 'dispatched') return illegal(event.type, status, 'registered, or dispatched for a redispatch');
      let deadline: number | undefined;
      if (event.deadline !== undefined) {
        deadline = Date.parse(event.deadline);
        if (!Number.isFinite(deadline)) return fail('deadline', 'must be a valid time', 'invalid_time');
        if (deadline <= at) return fail('deadline', `${event.deadline} is not after the dispatch time ${event.at}`, 'deadline_not_after_dispatch', {
            deadline: event.deadline,
            at: event.at,
          });
      }
      next.departments = [...event.departments];
      if (status === 'dispatched') {
        // A redispatch (改派) hands the case to other departments; the clock keeps running from the first dispatch.
        next.redispatches = prev.redispatches + 1;
        if (deadline !== undefined) next.deadline = deadline;
        return { ok: true, next };
      }
      next.status = 'dispatched';
      next.dispatchedAt = at;
      next.deadline = deadline ?? at + slaHoursFor(prev.category) * 3_600_000;
      return { ok: true, next };
    }

    case 'incident.started':
      if (status !== 'dispatched') return illegal(event.type, status, 'dispatched');
      next.status = 'in_progress';
      next.startedAt = at;
      return { ok: true, next };

    case 'incident.resolved':
      if (status !== 'in_progress') return illegal(event.type, status, 'in_progress');
      next.status = 'resolved';
      next.resolvedAt = at;
      next.firstResolvedAt = prev.firstResolvedAt ?? at;
      return { ok: true, next };

    case 'incident.verified':
      if (status !== 'resolved') return illegal(event.type, status, 'resolved');
      if (event.passed) {
        next.status = 'verified';
        next.verifiedAt = at;
      } else {
        next.status = 'in_progress';
        next.reworks = prev.reworks + 1;
      }
      return { ok: true, next };

    case 'incident.closed':
      if (status !== 'verified') return illegal(event.type, status, 'verified');
      next.status = 'closed';
      next.closedAt = at;
      return { ok: true, next };

    case 'incident.rated':
      if (status !== 'closed') return illegal(event.type, status, 'closed');
      if (prev.satisfaction !== undefined) return fail('type', `incident ${prev.id} was rated already`, 'already_rated');
      next.satisfaction = event.satisfaction;
      next.ratedAt = at;
      return { ok: true, next };

    case 'incident.whistled': {
      if (status !== 'registered' && status !== 'dispatched' && status !== 'in_progress') {
        return illegal(event.type, status, 'registered, dispatched or in_progress');
      }
      if (prev.whistles.some((w) => w.id === event.whistleId)) {
        return fail('whistleId', `whistle ${event.whistleId} was blown already on incident ${prev.id}`, 'whistle_exists', { whistle: event.whistleId });
      }
      const whistle: WhistleRecord = {
        id: event.whistleId,
        tier: event.tier,
        type: event.whistleType,
        at,
        departments: [...event.departments],
        reports: {},
      };
      if (event.reportWithinMinutes !== undefined) whistle.reportWithinMinutes = event.reportWithinMinutes;
      next.whistles = [...prev.whistles, whistle];
      return { ok: true, next };
    }

    case 'department.reported': {
      if (!isOpenStatus(status)) return illegal(event.type, status, 'an open incident');
      const index = prev.whistles.findIndex((w) => w.id === event.whistleId);
      const whistle = prev.whistles[index];
      if (whistle === undefined) return fail('whistleId', `no whistle ${event.whistleId} on incident ${prev.id}`, 'no_whistle', { whistle: event.whistleId });
      if (!whistle.departments.includes(event.department)) {
        return fail('department', `${event.department} was not summoned by whistle ${whistle.id}`, 'not_summoned', {
          department: event.department,
        });
      }
      const report = whistle.reports[event.department];
      let nextReport: DepartmentReport;
      if (event.stage === 'acknowledged') {
        if (report?.acknowledgedAt !== undefined) return fail('stage', `${event.department} acknowledged whistle ${whistle.id} already`, 'already_acknowledged', {
            department: event.department,
          });
        nextReport = { acknowledgedAt: at };
      } else {
        if (report?.acknowledgedAt === undefined) return fail('stage', `${event.department} must acknowledge before arriving`, 'not_acknowledged', { department: event.department });
        if (report.arrivedAt !== undefined) return fail('stage', `${event.department} arrived on whistle ${whistle.id} already`, 'already_arrived', { department: event.department });
        nextReport = { acknowledgedAt: report.acknowledgedAt, arrivedAt: at };
      }
      const whistles = prev.whistles.slice();
      whistles[index] = { ...whistle, reports: { ...whistle.reports, [event.department]: nextReport } };
      next.whistles = whistles;
      return { ok: true, next };
    }

    case 'incident.supervised':
      if (!isUnresolvedStatus(status)) return illegal(event.type, status, 'dispatched or in_progress');
      if (prev.deadline === undefined || at <= prev.deadline) {
        const deadline = prev.deadline === undefined ? 'none' : isoOf(prev.deadline);
        return fail('at', `incident ${prev.id} is not overdue at ${event.at} (deadline ${deadline})`, 'not_overdue', { deadline });
      }
      next.supervisedAt = at;
      next.supervisions = [...prev.supervisions, at];
      return { ok: true, next };
  }
}

/**
 * One case as it stood at `at`: its own events (in seq order, as the store keeps them) that happened at or before
 * `at`, folded through `transition`, the same rule as `fold(events with at ≤ t)` for the whole city. Undefined when
 * the case had not been reported by then. For playback's views of a case the state at t no longer holds (it ended
 * more than a day before t) or a case looked up by its id.
 */
export function recordAt(events: Iterable<CanonicalEvent & { seq: number; grid: string }>, at: number): IncidentRecord | undefined {
  let record: IncidentRecord | undefined;
  for (const event of events) {
    if (!(eventTime(event) <= at)) continue;
    const result = transition(record, event, record?.grid ?? event.grid, event.seq);
    if (result.ok) record = result.next;
  }
  return record;
}
