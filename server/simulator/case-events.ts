/**
 * What a simulated case is (its plan) and the events its planned steps become. Split from the engine, which decides
 * when steps happen; this decides what each step says: which departments, which deadline, which verdict, which
 * rating.
 */
import type { IncomingEvent, WhistleTier, WhistleType, Priority } from '../../protocol/events';
import { SUMMONED_LEVEL } from '../../protocol/events';
import type { Category, CategoryGroup } from '../../protocol/catalogues';
import type { IncidentRecord } from '../../protocol/reducer';
import type { CityModel } from './city-model';
import {
  HOUR,
  NAMED_REPORT_LIMITS,
  PROBABILITIES,
  SATISFACTION_WEIGHTS,
  WHISTLE_PROBABILITY,
  WHISTLE_TIER_WEIGHTS,
  whistleTypeWeights,
} from './profiles';
import type { Random } from './random';
import type { Task } from './task-queue';

/** Per-case facts the plan needs beyond the reducer's record. */
export interface Plan {
  category: Category;
  gridCode: string;
  location: [number, number];
  priority: Priority;
  whistle?: PlannedWhistle;
  verifications: number;
  /** when the whistle's last summoned department will arrive: the case is not resolved before then */
  lastArrivalAt?: number;
}

/** The whistle a case will need: its tier, its type and, for some, a report limit of its own (minutes). */
export interface PlannedWhistle {
  tier: WhistleTier;
  type: WhistleType;
  reportWithinMinutes?: number;
}

/** What building a step's event may draw on. */
export interface CaseContext {
  random: Random;
  model: CityModel;
  stats: { dropped: number };
  nextEventId(): string;
}

/**
 * Whether a new case of this group will need a whistle, and at which tier and type. Tiers are drawn in Kunming's
 * proportions (WHISTLE_TIER_WEIGHTS), so whistle counts by tier converge on 17,532 : 1,651 : 43. Some whistles name a
 * tighter report limit than their type's (NAMED_REPORT_LIMITS); the rest leave it to the server.
 */
export function planWhistle(random: Random, group: CategoryGroup): PlannedWhistle | undefined {
  if (!random.chance(WHISTLE_PROBABILITY[group])) return undefined;
  const whistle: PlannedWhistle = { tier: random.pick(WHISTLE_TIER_WEIGHTS), type: random.pick(whistleTypeWeights(group)) };
  if (random.chance(PROBABILITIES.namedReportLimit)) {
    const limits = NAMED_REPORT_LIMITS[whistle.type];
    whistle.reportWithinMinutes = limits[random.int(limits.length)] as number;
  }
  return whistle;
}

/** The event of one planned step, or undefined when it cannot be made (counted as dropped). */
export function eventFor(task: Task, plan: Plan, record: IncidentRecord, context: CaseContext): IncomingEvent | undefined {
  const { random, model, stats } = context;
  const base = { id: context.nextEventId(), at: new Date(task.at).toISOString(), incidentId: task.incidentId };
  switch (task.action) {
    case 'register':
      return { ...base, type: 'incident.registered' };
    case 'cancel':
      return { ...base, type: 'incident.cancelled', reason: '重复诉求或不属于受理范围' };
    case 'dispatch':
    case 'redispatch': {
      const departments = dispatchTargets(model, plan, task.action === 'redispatch' ? record.departments : []);
      if (departments.length === 0) {
        stats.dropped += 1;
        return undefined;
      }
      const explicit = task.action === 'dispatch' && plan.priority === 'urgent' && random.chance(PROBABILITIES.urgentExplicitDeadline);
      const deadline = explicit ? { deadline: new Date(task.at + plan.category.slaHours * HOUR * 0.5).toISOString() } : {};
      return { ...base, type: 'incident.dispatched', departments, ...deadline };
    }
    case 'start':
      return { ...base, type: 'incident.started' };
    case 'whistle': {
      const whistle = plan.whistle;
      if (whistle === undefined) return undefined;
      const level = SUMMONED_LEVEL[whistle.tier];
      const count = whistle.type === 'emergency' ? 3 : 1 + random.int(2);
      const departments = model.departmentsFor(plan.gridCode, plan.location, level, plan.category.departmentKinds, count);
      if (departments.length === 0) {
        stats.dropped += 1;
        return undefined;
      }
      const limit = whistle.reportWithinMinutes === undefined ? {} : { reportWithinMinutes: whistle.reportWithinMinutes };
      return { ...base, type: 'incident.whistled', whistleId: `${task.incidentId}-w1`, tier: whistle.tier, whistleType: whistle.type, departments, ...limit };
    }
    case 'acknowledge':
    case 'arrive':
      return {
        ...base,
        type: 'department.reported',
        whistleId: `${task.incidentId}-w1`,
        department: task.department ?? '',
        stage: task.action === 'acknowledge' ? 'acknowledged' : 'arrived',
      };
    case 'supervise':
      return { ...base, type: 'incident.supervised', level: plan.whistle?.tier === 'street' ? 'district' : 'street' };
    case 'resolve':
      return { ...base, type: 'incident.resolved' };
    case 'verify': {
      plan.verifications += 1;
      const failP = plan.verifications === 1 ? PROBABILITIES.verificationFails : PROBABILITIES.verificationFailsAgain;
      return { ...base, type: 'incident.verified', passed: !random.chance(failP) };
    }
    case 'close':
      return { ...base, type: 'incident.closed' };
    case 'rate':
      return { ...base, type: 'incident.rated', satisfaction: random.pick(SATISFACTION_WEIGHTS) };
  }
}

/** Departments to dispatch a case to: the category's department kinds at street level, else district, else city. */
function dispatchTargets(model: CityModel, plan: Plan, exclude: readonly string[]): string[] {
  const kinds = plan.category.departmentKinds;
  for (const level of ['street', 'district', 'city'] as const) {
    const found = model.departmentsFor(plan.gridCode, plan.location, level, kinds, 1 + exclude.length)
      .filter((code) => !exclude.includes(code));
    if (found.length > 0) return found.slice(0, 1);
  }
  return [];
}
