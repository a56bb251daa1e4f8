import { describe, expect, it } from 'vitest';
import type { CanonicalEvent, IncidentStatus, StoredEvent } from '../../protocol/events';
import { createState, applyEvent, transition, type IncidentRecord } from '../../protocol/reducer';
import { lateDepartments, publishedReportMinutes, REPORT_LIMIT_MINUTES, reportDueAt, reportLimitMinutes } from '../../protocol/transition';
import { slaHoursFor } from '../../protocol/catalogues';
import { DAY0, EventLog, GRID_A, HOUR, MINUTE } from './builders';

/** Folds a log and returns the record of `id`, failing the test on any rejection. */
function recordAfter(log: EventLog, id: string): IncidentRecord {
  const state = createState();
  for (const event of log.events) {
    const applied = applyEvent(state, event);
    if (!applied.ok) throw new Error(`setup event ${event.type} refused: ${applied.field}: ${applied.reason}`);
  }
  const record = state.incidents.get(id);
  if (record === undefined) throw new Error(`no incident ${id}`);
  return record;
}

/** A log that leaves incident `x` in `status`, with one whistle `w1` blown while registered (unless reported/cancelled). */
function logIn(status: IncidentStatus): EventLog {
  const log = new EventLog();
  const t = DAY0 + 9 * HOUR;
  log.reported('x', t);
  if (status === 'reported') return log;
  if (status === 'cancelled') {
    log.cancelled('x', t + MINUTE);
    return log;
  }
  log.registered('x', t + MINUTE);
  log.whistled('x', t + 2 * MINUTE, 'w1');
  if (status === 'registered') return log;
  log.dispatched('x', t + 3 * MINUTE);
  if (status === 'dispatched') return log;
  log.started('x', t + 4 * MINUTE);
  if (status === 'in_progress') return log;
  log.resolved('x', t + 5 * MINUTE);
  if (status === 'resolved') return log;
  log.verified('x', t + 6 * MINUTE);
  if (status === 'verified') return log;
  log.closed('x', t + 7 * MINUTE);
  return log;
}

/** One candidate event of each type for incident `x`, at `at`. */
function candidates(at: number): Record<string, CanonicalEvent> {
  const probe = new EventLog();
  probe.seq = 1000;
  const make = (event: StoredEvent): CanonicalEvent => event;
  return {
    'incident.registered': make(probe.registered('x', at)),
    'incident.cancelled': make(probe.cancelled('x', at)),
    'incident.dispatched': make(probe.dispatched('x', at)),
    'incident.started': make(probe.started('x', at)),
    'incident.resolved': make(probe.resolved('x', at)),
    'incident.verified': make(probe.verified('x', at)),
    'incident.closed': make(probe.closed('x', at)),
    'incident.rated': make(probe.rated('x', at, 5)),
    'incident.whistled': make(probe.whistled('x', at, 'w2')),
  };
}

const ALLOWED: Record<IncidentStatus, string[]> = {
  reported: ['incident.registered', 'incident.cancelled'],
  registered: ['incident.cancelled', 'incident.dispatched', 'incident.whistled'],
  dispatched: ['incident.dispatched', 'incident.started', 'incident.whistled'],
  in_progress: ['incident.resolved', 'incident.whistled'],
  resolved: ['incident.verified'],
  verified: ['incident.closed'],
  closed: ['incident.rated'],
  cancelled: [],
};

const NEXT_STATUS: Record<string, IncidentStatus | 'same'> = {
  'incident.registered': 'registered',
  'incident.cancelled': 'cancelled',
  'incident.dispatched': 'dispatched',
  'incident.started': 'in_progress',
  'incident.resolved': 'resolved',
  'incident.verified': 'verified',
  'incident.closed': 'closed',
  'incident.rated': 'same',
  'incident.whistled': 'same',
};

describe('the incident state machine', () => {
  for (const status of Object.keys(ALLOWED) as IncidentStatus[]) {
    for (const [type, event] of Object.entries(candidates(DAY0 + 12 * HOUR))) {
      const legal = ALLOWED[status].includes(type);
      it(`${legal ? 'accepts' : 'refuses'} ${type} while ${status}`, () => {
        const prev = recordAfter(logIn(status), 'x');
        const before = structuredClone(prev);
        const result = transition(prev, event, GRID_A, 2000);
        expect(prev).toEqual(before);
        if (legal) {
          expect(result.ok).toBe(true);
          if (!result.ok) return;
          const expected = NEXT_STATUS[type] === 'same' ? status : NEXT_STATUS[type];
          expect(result.next.status).toBe(expected);
          expect(result.next.lastSeq).toBe(2000);
          expect(result.next.updatedAt).toBe(DAY0 + 12 * HOUR);
        } else {
          expect(result).toMatchObject({ ok: false, field: 'type', code: 'step_not_allowed', params: { type, status } });
          if (!result.ok) expect(result.reason).toContain(status);
        }
      });
    }
  }

  it('a failed verification sends the case back to in_progress and counts a rework', () => {
    const log = logIn('resolved');
    log.verified('x', DAY0 + 10 * HOUR, false);
    const record = recordAfter(log, 'x');
    expect(record.status).toBe('in_progress');
    expect(record.reworks).toBe(1);
    expect(record.verifiedAt).toBeUndefined();
  });

  it('the deadline is dispatch time plus the category SLA unless the dispatch names one', () => {
    const log = new EventLog();
    log.reported('a', DAY0, { category: 'social.neighbour-dispute' });
    log.registered('a', DAY0 + MINUTE);
    log.dispatched('a', DAY0 + 2 * MINUTE);
    log.reported('b', DAY0);
    log.registered('b', DAY0 + MINUTE);
    log.dispatched('b', DAY0 + 2 * MINUTE, DAY0 + 3 * HOUR);
    expect(recordAfter(log, 'a').deadline).toBe(DAY0 + 2 * MINUTE + slaHoursFor('social.neighbour-dispute') * HOUR);
    expect(recordAfter(log, 'b').deadline).toBe(DAY0 + 3 * HOUR);
  });

  it('a redispatch replaces the departments but keeps the first dispatch time and deadline', () => {
    const log = logIn('dispatched');
    const first = recordAfter(log, 'x');
    log.dispatched('x', DAY0 + 11 * HOUR, undefined, ['d-hs-2']);
    const record = recordAfter(log, 'x');
    expect(record.departments).toEqual(['d-hs-2']);
    expect(record.dispatchedAt).toBe(first.dispatchedAt);
    expect(record.deadline).toBe(first.deadline);
    expect(record.redispatches).toBe(1);
  });

  it('refuses a dispatch deadline that is not after the dispatch', () => {
    const log = logIn('registered');
    const prev = recordAfter(log, 'x');
    const event = log.dispatched('x', DAY0 + 12 * HOUR, DAY0 + 12 * HOUR);
    expect(transition(prev, event, GRID_A, 99)).toMatchObject({ ok: false, field: 'deadline', code: 'deadline_not_after_dispatch' });
  });

  it('refuses an event earlier than the incident\'s last event', () => {
    const log = logIn('registered');
    const prev = recordAfter(log, 'x');
    const event = log.dispatched('x', prev.updatedAt - 1);
    const result = transition(prev, event, GRID_A, 99);
    expect(result).toMatchObject({ ok: false, field: 'at', code: 'back_in_time', params: { last: new Date(prev.updatedAt).toISOString() } });
    if (!result.ok) expect(result.reason).toMatch(/back in time/);
  });

  it('refuses lifecycle events of an unknown incident and a second report of a known one', () => {
    const log = logIn('reported');
    const prev = recordAfter(log, 'x');
    expect(transition(undefined, log.registered('y', DAY0 + 12 * HOUR), GRID_A, 9)).toMatchObject({ ok: false, field: 'incidentId', code: 'unknown_incident', params: { incident: 'y' } });
    expect(transition(prev, log.reported('x', DAY0 + 12 * HOUR), GRID_A, 9)).toMatchObject({ ok: false, field: 'incident.id', code: 'already_reported' });
  });

  it('refuses unknown categories and channels', () => {
    const log = new EventLog();
    expect(transition(undefined, log.reported('x', DAY0, { category: 'nope' }), GRID_A, 1)).toMatchObject({ ok: false, field: 'incident.category', code: 'unknown_category', params: { category: 'nope' } });
    expect(transition(undefined, log.reported('y', DAY0, { channel: 'nope' }), GRID_A, 1)).toMatchObject({ ok: false, field: 'incident.channel', code: 'unknown_channel' });
  });

  it('refuses a second rating', () => {
    const log = logIn('closed');
    log.rated('x', DAY0 + 11 * HOUR, 4);
    const prev = recordAfter(log, 'x');
    const result = transition(prev, log.rated('x', DAY0 + 12 * HOUR, 5), GRID_A, 99);
    expect(result).toMatchObject({ ok: false, field: 'type', code: 'already_rated' });
    if (!result.ok) expect(result.reason).toMatch(/rated already/);
  });

  it('refuses a whistle id used twice on the same incident', () => {
    const log = logIn('dispatched');
    const prev = recordAfter(log, 'x');
    expect(transition(prev, log.whistled('x', DAY0 + 12 * HOUR, 'w1'), GRID_A, 99)).toMatchObject({ ok: false, field: 'whistleId' });
  });
});

describe('department reports (报到)', () => {
  const at = DAY0 + 12 * HOUR;
  it('accepts acknowledged then arrived from a summoned department, and records both times', () => {
    const log = logIn('dispatched');
    log.departmentReported('x', at, 'w1', 's-ps-1', 'acknowledged');
    log.departmentReported('x', at + 20 * MINUTE, 'w1', 's-ps-1', 'arrived');
    expect(recordAfter(log, 'x').whistles[0]?.reports['s-ps-1']).toEqual({ acknowledgedAt: at, arrivedAt: at + 20 * MINUTE });
  });

  it.each([
    ['an unknown whistle', 'w9', 's-ps-1', 'acknowledged', 'whistleId'],
    ['a department that was not summoned', 'w1', 'c-fire-1', 'acknowledged', 'department'],
    ['arrival before acknowledgement', 'w1', 's-ps-1', 'arrived', 'stage'],
  ] as const)('refuses %s', (_name, whistleId, department, stage, field) => {
    const log = logIn('in_progress');
    const prev = recordAfter(log, 'x');
    const before = structuredClone(prev);
    expect(transition(prev, log.departmentReported('x', at, whistleId, department, stage), GRID_A, 99)).toMatchObject({ ok: false, field });
    expect(prev).toEqual(before);
  });

  it('refuses a duplicate acknowledgement and a duplicate arrival', () => {
    const log = logIn('dispatched');
    log.departmentReported('x', at, 'w1', 's-ps-1', 'acknowledged');
    let prev = recordAfter(log, 'x');
    expect(transition(prev, log.departmentReported('x', at, 'w1', 's-ps-1', 'acknowledged'), GRID_A, 99)).toMatchObject({ ok: false, field: 'stage' });
    log.events.pop();
    log.departmentReported('x', at, 'w1', 's-ps-1', 'arrived');
    prev = recordAfter(log, 'x');
    expect(transition(prev, log.departmentReported('x', at, 'w1', 's-ps-1', 'arrived'), GRID_A, 99)).toMatchObject({ ok: false, field: 'stage' });
  });

  it('marks late the summoned departments not arrived once the whistle type’s report limit has passed (超时未报到)', () => {
    const log = logIn('dispatched');
    const whistle = recordAfter(log, 'x').whistles[0]!;
    expect(whistle.type).toBe('routine');
    const due = reportDueAt(whistle);
    expect(due - whistle.at).toBe(REPORT_LIMIT_MINUTES.routine * MINUTE);
    expect(REPORT_LIMIT_MINUTES).toEqual({ emergency: 30, hard: 120, routine: 24 * 60 });
    log.departmentReported('x', whistle.at + HOUR, 'w1', 's-ps-1', 'acknowledged');
    log.departmentReported('x', whistle.at + 2 * HOUR, 'w1', 's-ps-1', 'arrived');
    log.departmentReported('x', whistle.at + 3 * HOUR, 'w1', 's-um-1', 'acknowledged');
    const reported = recordAfter(log, 'x').whistles[0]!;
    // until the limit nobody is late; after it, only the department that acknowledged but never arrived
    expect(lateDepartments(reported, due)).toEqual([]);
    expect(lateDepartments(reported, due + 1)).toEqual(['s-um-1']);
    // an emergency's limit is half an hour
    expect(lateDepartments({ ...reported, type: 'emergency' }, whistle.at + 31 * MINUTE)).toEqual(['s-um-1']);
    expect(lateDepartments({ ...reported, type: 'emergency' }, whistle.at + 29 * MINUTE)).toEqual([]);
  });

  it('keeps a whistle’s own report limit (报到时限) and judges lateness by it, not by its type', () => {
    const log = logIn('registered');
    const at = DAY0 + 10 * HOUR;
    const event = log.whistled('x', at, 'w2', 'street', ['d-um-1']);
    (event as { reportWithinMinutes?: number }).reportWithinMinutes = 15;
    const whistle = recordAfter(log, 'x').whistles.find((w) => w.id === 'w2')!;
    expect(whistle.reportWithinMinutes).toBe(15);
    expect(reportLimitMinutes(whistle)).toBe(15);
    expect(reportDueAt(whistle)).toBe(at + 15 * MINUTE);
    expect(lateDepartments(whistle, at + 15 * MINUTE)).toEqual([]);
    expect(lateDepartments(whistle, at + 16 * MINUTE)).toEqual(['d-um-1']);
    // a report keeps the whistle's limit
    log.departmentReported('x', at + 20 * MINUTE, 'w2', 'd-um-1', 'acknowledged');
    expect(recordAfter(log, 'x').whistles.find((w) => w.id === 'w2')!.reportWithinMinutes).toBe(15);
    // the whistle without one (w1, routine) keeps its type's default, and its record has no own limit
    const w1 = recordAfter(log, 'x').whistles.find((w) => w.id === 'w1')!;
    expect(w1.reportWithinMinutes).toBeUndefined();
    expect(reportLimitMinutes(w1)).toBe(REPORT_LIMIT_MINUTES.routine);
  });

  it('reads the limits a server publishes, each checked: an odd or missing one is its type’s default', () => {
    expect(publishedReportMinutes({ emergency: 20, hard: 45, routine: 480 })).toEqual({ emergency: 20, hard: 45, routine: 480 });
    expect(publishedReportMinutes({ emergency: 3, hard: 12.5, routine: '480' })).toEqual(REPORT_LIMIT_MINUTES);
    expect(publishedReportMinutes({ emergency: 20_000, hard: 90 })).toEqual({ ...REPORT_LIMIT_MINUTES, hard: 90 });
    expect(publishedReportMinutes(undefined)).toEqual(REPORT_LIMIT_MINUTES);
    expect(publishedReportMinutes('emergency=20')).toEqual(REPORT_LIMIT_MINUTES);
  });

  it('accepts reports while the case is resolved but not once it is closed', () => {
    const resolved = logIn('resolved');
    expect(transition(recordAfter(resolved, 'x'), resolved.departmentReported('x', at, 'w1', 's-ps-1', 'acknowledged'), GRID_A, 99).ok).toBe(true);
    const closed = logIn('closed');
    expect(transition(recordAfter(closed, 'x'), closed.departmentReported('x', at, 'w1', 's-ps-1', 'acknowledged'), GRID_A, 99)).toMatchObject({ ok: false, field: 'type' });
  });
});

describe('supervision (督办)', () => {
  it('is accepted only once an unresolved case is past its deadline', () => {
    const log = logIn('dispatched');
    const prev = recordAfter(log, 'x');
    const deadline = prev.deadline as number;
    expect(transition(prev, log.supervised('x', deadline), GRID_A, 99)).toMatchObject({ ok: false, field: 'at' });
    log.events.pop();
    const late = transition(prev, log.supervised('x', deadline + 1), GRID_A, 99);
    expect(late.ok).toBe(true);
    if (late.ok) expect(late.next.supervisions).toEqual([deadline + 1]);
  });

  it('is refused once the case is resolved', () => {
    const log = logIn('resolved');
    const prev = recordAfter(log, 'x');
    expect(transition(prev, log.supervised('x', DAY0 + 40 * HOUR), GRID_A, 99)).toMatchObject({ ok: false, field: 'type' });
  });
});
