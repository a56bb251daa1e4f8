import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { StoredEvent } from '../../protocol/events';
import { applyEvent, createState, recountFromIncidents, snapshotOf, type CityState } from '../../protocol/reducer';
import { kpis } from '../../protocol/kpi';
import { DAY0, EventLog, GRID_A, GRID_B, GRID_C, MINUTE } from './builders';
import { normaliseAreas } from './normalise';

/**
 * One step of a random history: `guided` steps take a plausible next step for the incident (mostly legal), the
 * others send any event type (mostly illegal). `dt` may be negative, to send events back in time.
 */
const stepArbitrary = fc.noBias(fc.record({
  incident: fc.nat({ max: 4 }),
  guided: fc.nat({ max: 4 }).map((n) => n > 0),
  kind: fc.nat({ max: 20 }),
  pick: fc.nat({ max: 7 }),
  dt: fc.integer({ min: -30, max: 600 }),
}));
type Step = typeof stepArbitrary extends fc.Arbitrary<infer T> ? T : never;

const GRIDS = [GRID_A, GRID_B, GRID_C];
const DEPARTMENTS = ['s-ps-1', 's-um-1', 'd-hs-1'];

/** The event a step makes, given the current state. */
function eventFor(log: EventLog, state: CityState, step: Step, clock: number): StoredEvent {
  const id = `x${step.incident}`;
  const record = state.incidents.get(id);
  const whistle = record?.whistles[step.pick % Math.max(1, record.whistles.length)];
  const whistleId = whistle?.id ?? `w${step.pick}`;
  // Guided reports come from a summoned department; the others from any department.
  const pickDepartment = (step.guided && whistle !== undefined
    ? whistle.departments[step.pick % whistle.departments.length]
    : DEPARTMENTS[step.pick % DEPARTMENTS.length]) as string;
  const report = whistle?.reports[pickDepartment];
  const stage = report?.acknowledgedAt === undefined ? 'acknowledged' : 'arrived';
  if (step.guided && record !== undefined) {
    const side = step.kind % 4 === 0;
    switch (record.status) {
      case 'reported': return side ? log.cancelled(id, clock) : log.registered(id, clock);
      case 'registered':
        if (step.kind % 4 === 1) return log.cancelled(id, clock);
        return side ? log.whistled(id, clock, `w${record.whistles.length}`, 'community', DEPARTMENTS.slice(0, 1 + (step.pick % 3))) : log.dispatched(id, clock);
      case 'dispatched':
        if (step.kind % 4 === 2 && whistle !== undefined) return log.departmentReported(id, clock, whistleId, pickDepartment, stage);
        // A redispatch sometimes sets a new deadline, earlier or later than the one running.
        if (side) return log.dispatched(id, clock, step.pick % 2 === 1 ? clock + step.pick * 30 * MINUTE : undefined, [pickDepartment]);
        return step.kind % 4 === 1 ? log.supervised(id, clock) : log.started(id, clock);
      case 'in_progress':
        if (step.kind % 4 === 1) return log.whistled(id, clock, `w${record.whistles.length}`, 'street', DEPARTMENTS.slice(step.pick % 3));
        return side ? log.departmentReported(id, clock, whistleId, pickDepartment, stage) : log.resolved(id, clock);
      case 'resolved': return log.verified(id, clock, !side);
      case 'verified': return side ? log.departmentReported(id, clock, whistleId, pickDepartment, stage) : log.closed(id, clock);
      case 'closed': return log.rated(id, clock, 1 + (step.pick % 5));
      case 'cancelled': break;
    }
  }
  switch (step.kind % 12) {
    case 0: return log.reported(id, clock, { grid: GRIDS[step.pick % 3] as string, category: step.pick === 7 ? 'bogus' : 'env.noise' });
    case 1: return log.registered(id, clock);
    case 2: return log.cancelled(id, clock);
    case 3: return log.dispatched(id, clock, step.pick === 0 ? clock : undefined);
    case 4: return log.started(id, clock);
    case 5: return log.resolved(id, clock);
    case 6: return log.verified(id, clock, step.pick % 2 === 0);
    case 7: return log.closed(id, clock);
    case 8: return log.rated(id, clock, 1 + (step.pick % 5));
    case 9: return log.whistled(id, clock, `w${step.pick % 3}`, (['community', 'street', 'district'] as const)[step.pick % 3], DEPARTMENTS.slice(0, 1 + (step.pick % 3)));
    case 10: return log.departmentReported(id, clock, whistleId, pickDepartment, step.pick % 2 === 0 ? 'acknowledged' : 'arrived');
    default: return log.supervised(id, clock);
  }
}

function run(steps: Step[], check: (state: CityState, applied: boolean, before: string | undefined, clock: number) => void): CityState {
  const log = new EventLog();
  const state = createState();
  let clock = DAY0;
  for (const step of steps) {
    clock += step.dt * MINUTE;
    // Reports start from the guided path too: an unknown incident in guided mode gets reported.
    const event = step.guided && !state.incidents.has(`x${step.incident}`)
      ? log.reported(`x${step.incident}`, clock, { grid: GRIDS[step.pick % 3] as string })
      : eventFor(log, state, step, clock);
    const before = JSON.stringify(snapshotOf(state, 'city'));
    const applied = applyEvent(state, event);
    check(state, applied.ok, before, clock);
  }
  return state;
}

/** Overdue cases in an area at `now`, counted directly from the incidents. */
function overdueByScan(state: CityState, area: string, now: number): number {
  return [...state.incidents.values()].filter(
    (r) => (r.status === 'dispatched' || r.status === 'in_progress') && r.deadline !== undefined && r.deadline < now && (area === 'city' || r.grid.startsWith(area)),
  ).length;
}

describe('reducer properties (fast-check)', () => {
  it('random histories never throw and counters always equal a recount from the incidents', () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { minLength: 1, maxLength: 200, size: 'max' }), (steps) => {
        const state = run(steps, () => undefined);
        expect(normaliseAreas(state.areas)).toEqual(normaliseAreas(recountFromIncidents(state.incidents.values())));
        const open = [...state.incidents.values()].filter((r) => r.status !== 'closed' && r.status !== 'cancelled').length;
        expect(state.areas.get('city')?.open ?? 0).toBe(open);
        for (const area of ['city', '530102', GRID_C]) expect(() => kpis(state, area, DAY0 + 86_400_000)).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('the lazily kept overdue counts always equal a direct count, asked forwards or backwards in time', () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { minLength: 1, maxLength: 150, size: 'max' }), fc.array(fc.integer({ min: -3000, max: 3000 }), { maxLength: 6 }), (steps, offsets) => {
        const state = run(steps, (s, _applied, _before, clock) => {
          expect(kpis(s, 'city', clock).overdue).toBe(overdueByScan(s, 'city', clock));
        });
        for (const offset of offsets) {
          const t = state.clock + offset * MINUTE;
          for (const area of ['city', '530102', GRID_C]) expect(kpis(state, area, t).overdue).toBe(overdueByScan(state, area, t));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a refused event never changes the state', () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { minLength: 1, maxLength: 60 }), (steps) => {
        run(steps, (state, applied, before) => {
          if (!applied) expect(JSON.stringify(snapshotOf(state, 'city'))).toBe(before);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('every refusal names a field and gives a reason', () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { minLength: 1, maxLength: 60 }), (steps) => {
        const log = new EventLog();
        const state = createState();
        let clock = DAY0;
        for (const step of steps) {
          clock += step.dt * MINUTE;
          const result = applyEvent(state, eventFor(log, state, step, clock));
          if (!result.ok) {
            expect(result.field).toMatch(/^[a-zA-Z.]+$/);
            expect(result.reason.length).toBeGreaterThan(5);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
