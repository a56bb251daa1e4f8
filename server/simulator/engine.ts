/**
 * The simulation engine: a seeded discrete-event simulation of a city's incidents. Arrivals follow a time-of-day
 * curve (thinned Poisson process) and population; each case is planned through its lifecycle with realistic delays
 * (server/simulator/profiles.ts) and its events come out in time order.
 *
 * Every event is checked with the shared reducer against the engine's own view of the city before it is emitted, so
 * the engine only ever emits events that are legal; anything its plan got wrong is dropped and counted.
 *
 * Deterministic: the same city, seed, start time and sequence of `advance` calls give the same events.
 */
import type { IncomingEvent, StoredEvent, WhistleTier, WhistleType } from '../../protocol/events';
import { categoryOf, channelOf, type Category } from '../../protocol/catalogues';
import { applyEvent, createState, evict, isOpenStatus, type CityState, type IncidentRecord } from '../../protocol/reducer';
import { shanghaiHour } from '../../protocol/time';
import { REPORT_LIMIT_MINUTES } from '../../protocol/transition';
import type { Area } from '../geodata/types';
import { CityModel, type SimCity } from './city-model';
import {
  CATEGORY_WEIGHTS,
  CHANNEL_WEIGHTS,
  DELAYS,
  HOUR,
  HOURLY_INTENSITY,
  MINUTE,
  PEAK_INTENSITY,
  PROBABILITIES,
  priorityWeights,
} from './profiles';
import { Random } from './random';
import { TaskQueue, type Task } from './task-queue';
import { eventFor, planWhistle, type CaseContext, type Plan } from './case-events';

export { planWhistle } from './case-events';

export interface EngineOptions {
  city: SimCity | CityModel;
  seed: number;
  /** simulated start time, epoch ms */
  startAt: number;
  /** mean new incidents per second over a day (the hourly curve shapes it) */
  rate: number;
  /** prefix of event and incident ids; defaults to one derived from seed and start time, so runs do not collide */
  idPrefix?: string;
  /**
   * The server's report limits (报到时限, minutes) for whistles that name none (its WHISTLE_REPORT_MINUTES), so that
   * departments are late as often against them as against the defaults (REPORT_LIMIT_MINUTES, taken when absent).
   */
  reportMinutes?: Readonly<Record<WhistleType, number>>;
}

export interface EngineStats {
  incidents: number;
  events: number;
  /** events the plan produced that the reducer refused (never emitted) */
  dropped: number;
  /** arrivals skipped because no point could be placed in the drawn grid */
  unplaced: number;
  whistles: Record<WhistleTier, number>;
}

const bounded = (random: Random, spec: { mean: number; floor: number }): number => spec.floor + random.exponential(spec.mean);

export class SimulationEngine {
  readonly model: CityModel;
  readonly view: CityState;
  readonly stats: EngineStats = { incidents: 0, events: 0, dropped: 0, unplaced: 0, whistles: { community: 0, street: 0, district: 0 } };
  private readonly random: Random;
  private readonly context: CaseContext;
  private readonly queue = new TaskQueue();
  private readonly plans = new Map<string, Plan>();
  private readonly idPrefix: string;
  private readonly reportMinutes: Readonly<Record<WhistleType, number>>;
  private rate: number;
  private clock: number;
  private nextArrival: number;
  private nextEviction: number;
  private eventCounter = 0;
  /** the grid of the last event accepted */
  private lastGrid = '';
  private incidentCounter = 0;

  constructor(options: EngineOptions) {
    if (!Number.isFinite(options.startAt)) throw new RangeError(`startAt: must be an epoch ms, got ${options.startAt}`);
    this.model = options.city instanceof CityModel ? options.city : new CityModel(options.city);
    this.random = new Random(options.seed);
    this.context = { random: this.random, model: this.model, stats: this.stats, nextEventId: () => this.nextEventId() };
    this.rate = checkRate(options.rate);
    this.clock = options.startAt;
    this.reportMinutes = options.reportMinutes ?? REPORT_LIMIT_MINUTES;
    this.idPrefix = options.idPrefix ?? `sim${options.seed}-${Math.floor(options.startAt / 1000).toString(36)}`;
    // The view keeps closed cases long enough for their rating (DELAYS.rate.cap) to still find them.
    this.view = createState({ retainClosedMs: 24 * HOUR, retainDays: 2 });
    this.nextArrival = this.drawArrival(this.clock);
    this.nextEviction = this.clock + 6 * HOUR;
  }

  /** The simulated time reached so far. */
  get now(): number {
    return this.clock;
  }

  /** Cases with tasks still to come. */
  get activeCases(): number {
    return this.plans.size;
  }

  /** Changes the arrival rate (mean incidents per second) from the current simulated time on. */
  setRate(rate: number): void {
    this.rate = checkRate(rate);
    this.nextArrival = this.drawArrival(this.clock);
  }

  /**
   * Runs the simulation up to `until` (inclusive) and hands each emitted event to `emit`, in time order, with the
   * grid the server will assign its incident. Returns the number emitted.
   */
  advance(until: number, emit: (event: IncomingEvent, grid: string) => void): number {
    let emitted = 0;
    for (;;) {
      const task = this.queue.peek();
      const taskAt = task?.at ?? Infinity;
      if (this.nextArrival <= taskAt && this.nextArrival <= until) {
        const at = this.nextArrival;
        this.clock = at;
        this.nextArrival = this.drawArrival(at);
        const event = this.arrive(at);
        if (event !== undefined) {
          emit(event, this.lastGrid);
          emitted += 1;
        }
      } else if (task !== undefined && taskAt <= until) {
        this.queue.pop();
        this.clock = task.at;
        const event = this.perform(task);
        if (event !== undefined) {
          emit(event, this.lastGrid);
          emitted += 1;
        }
      } else {
        break;
      }
      if (this.clock >= this.nextEviction) {
        evict(this.view, this.clock);
        this.nextEviction = this.clock + 6 * HOUR;
      }
    }
    if (until > this.clock) this.clock = until;
    return emitted;
  }

  /**
   * Takes over open incidents that an earlier run left (e.g. from the server's live state after a restart) and
   * plans the rest of their lifecycle from their current status, so that they do not stay open for ever. Incidents
   * of unknown category, closed or cancelled ones, and ids the engine knows already are skipped. Returns how many
   * were adopted.
   */
  adopt(records: Iterable<IncidentRecord>): number {
    let adopted = 0;
    for (const record of records) {
      const category = categoryOf(record.category);
      if (category === undefined || !isOpenStatus(record.status) || this.view.incidents.has(record.id)) continue;
      // The view only needs the record itself to check later events; it is private to the engine.
      this.view.incidents.set(record.id, record);
      const plan: Plan = { category, gridCode: record.grid, location: record.location, priority: record.priority, verifications: 0 };
      this.plans.set(record.id, plan);
      const from = Math.max(this.clock, record.updatedAt);
      const sla = category.slaHours * HOUR;
      switch (record.status) {
        case 'reported':
          this.schedule(from + bounded(this.random, DELAYS.register), record.id, 'register');
          break;
        case 'registered':
          this.schedule(from + bounded(this.random, DELAYS.dispatch), record.id, 'dispatch');
          break;
        case 'dispatched':
          this.scheduleHandling(record.id, plan, record, from, sla);
          break;
        case 'in_progress':
          this.schedule(from + DELAYS.handlingFloor + this.random.exponential(sla * DELAYS.reworkShareOfSla), record.id, 'resolve');
          break;
        case 'resolved':
          this.schedule(from + bounded(this.random, DELAYS.verify), record.id, 'verify');
          break;
        case 'verified':
          this.schedule(from + bounded(this.random, DELAYS.close), record.id, 'close');
          break;
      }
      adopted += 1;
    }
    return adopted;
  }

  /** The next arrival after `from`, by thinning a Poisson process at the peak intensity. */
  private drawArrival(from: number): number {
    if (this.rate === 0) return Infinity;
    const peakPerMs = (this.rate * PEAK_INTENSITY) / 1000;
    let t = from;
    for (;;) {
      t += this.random.exponential(1 / peakPerMs);
      const intensity = HOURLY_INTENSITY[Math.floor(shanghaiHour(t))] as number;
      if (this.random.next() * PEAK_INTENSITY < intensity) return Math.ceil(t);
    }
  }

  private arrive(at: number): IncomingEvent | undefined {
    const category = categoryOf(this.random.pick(CATEGORY_WEIGHTS)) as Category;
    const channelCode = this.random.pick(CHANNEL_WEIGHTS[category.group]);
    const channel = channelOf(channelCode);
    if (channel === undefined) throw new Error(`profiles name an unknown channel ${channelCode}`);
    const point = this.model.pointIn(this.model.pickGrid(this.random), channel.crs, this.random);
    if (point === undefined) {
      this.stats.unplaced += 1;
      return undefined;
    }
    const grid = this.model.grids[point.gridIndex] as Area;
    this.incidentCounter += 1;
    const id = `${this.idPrefix}-i${this.incidentCounter}`;
    const priority = this.random.pick(priorityWeights(category.group));
    const plan: Plan = { category, gridCode: grid.code, location: point.wgs84, priority, verifications: 0 };
    const whistle = planWhistle(this.random, category.group);
    if (whistle !== undefined) plan.whistle = whistle;
    const address = this.model.addressOf(point.gridIndex);
    const event: IncomingEvent = {
      id: this.nextEventId(),
      type: 'incident.reported',
      at: new Date(at).toISOString(),
      crs: channel.crs,
      incident: {
        id,
        location: point.sent,
        category: category.code,
        channel: channel.code,
        priority,
        title: category.name,
        ...(address === undefined ? {} : { address }),
      },
    };
    // The view holds the location as the server will (converted back to WGS84).
    const stored = { ...event, incident: { ...event.incident, location: point.wgs84 } };
    if (!this.accept(stored, grid.code)) return undefined;
    this.plans.set(id, plan);
    this.stats.incidents += 1;
    if (this.random.chance(PROBABILITIES.cancel)) this.schedule(at + bounded(this.random, DELAYS.cancel), id, 'cancel');
    else this.schedule(at + bounded(this.random, DELAYS.register), id, 'register');
    return event;
  }

  /** Runs one planned step: builds its event, checks it against the view, schedules what follows. */
  private perform(task: Task): IncomingEvent | undefined {
    const plan = this.plans.get(task.incidentId);
    const record = this.view.incidents.get(task.incidentId);
    if (plan === undefined || record === undefined) {
      this.stats.dropped += 1;
      return undefined;
    }
    if (task.action === 'resolve' && plan.lastArrivalAt !== undefined && task.at < plan.lastArrivalAt) {
      // a summoned department is still on its way: the case waits for it
      this.schedule(plan.lastArrivalAt + bounded(this.random, DELAYS.afterArrival), task.incidentId, 'resolve');
      return undefined;
    }
    const event = eventFor(task, plan, record, this.context);
    if (event === undefined) return undefined;
    if (!this.accept(event, plan.gridCode)) return undefined;
    this.followUp(task, plan, this.view.incidents.get(task.incidentId) as IncidentRecord);
    return event;
  }



  /** Schedules what follows a step that was just applied; `record` is the case after it. */
  private followUp(task: Task, plan: Plan, record: IncidentRecord): void {
    const id = task.incidentId;
    const at = task.at;
    const sla = plan.category.slaHours * HOUR;
    switch (task.action) {
      case 'register':
        this.schedule(at + bounded(this.random, DELAYS.dispatch), id, 'dispatch');
        return;
      case 'dispatch': {
        if (this.random.chance(PROBABILITIES.redispatch)) {
          this.schedule(at + bounded(this.random, DELAYS.redispatch), id, 'redispatch');
          return;
        }
        this.scheduleHandling(id, plan, record, at, sla);
        return;
      }
      case 'redispatch':
        this.scheduleHandling(id, plan, record, at, sla);
        return;
      case 'resolve':
        this.schedule(at + bounded(this.random, DELAYS.verify), id, 'verify');
        return;
      case 'verify':
        if (record.status === 'verified') this.schedule(at + bounded(this.random, DELAYS.close), id, 'close');
        else this.schedule(at + DELAYS.handlingFloor + this.random.exponential(sla * DELAYS.reworkShareOfSla), id, 'resolve');
        return;
      case 'close':
        if (this.random.chance(PROBABILITIES.rated)) {
          this.schedule(at + Math.min(DELAYS.rate.cap, bounded(this.random, DELAYS.rate)), id, 'rate');
        } else {
          this.plans.delete(id);
        }
        return;
      case 'rate':
      case 'cancel':
        this.plans.delete(id);
        return;
      default:
        return;
    }
  }

  /**
   * Plans the handling of a dispatched case in one go: start, the whistle and its departments' reports, supervision
   * if it runs late, and the resolution (never before the summoned departments have arrived).
   */
  private scheduleHandling(id: string, plan: Plan, record: IncidentRecord, at: number, sla: number): void {
    const dispatchedAt = record.dispatchedAt ?? at;
    const deadline = record.deadline ?? dispatchedAt + sla;
    const response = DELAYS.responseFloor + Math.min(DELAYS.responseCap, this.random.exponential(sla * DELAYS.responseShareOfSla));
    const startAt = at + response;
    this.schedule(startAt, id, 'start');
    let resolveAt = Math.max(
      startAt + DELAYS.handlingFloor,
      dispatchedAt + sla * this.random.logNormal(DELAYS.handlingMedianShare, DELAYS.handlingSigma),
    );
    if (plan.whistle !== undefined) {
      const whistleAt = startAt + 60_000 + this.random.exponential(10 * MINUTE);
      this.schedule(whistleAt, id, 'whistle');
      const emergency = plan.whistle.type === 'emergency';
      // Departments are chosen when the whistle is blown and their reports planned then (`planReports`): this is the
      // typical last arrival; a resolution due before the actual one waits for it (`perform`).
      const lastArrival = whistleAt + (emergency ? DELAYS.acknowledge.emergencyMean + DELAYS.arrive.emergencyMean : DELAYS.acknowledge.mean + DELAYS.arrive.mean);
      resolveAt = Math.max(resolveAt, lastArrival + bounded(this.random, DELAYS.afterArrival));
    }
    this.schedule(resolveAt, id, 'resolve');
    if (resolveAt > deadline) {
      const superviseAt = deadline + Math.max(DELAYS.supervise.floor, sla * DELAYS.supervise.shareOfSla);
      if (superviseAt < resolveAt) this.schedule(superviseAt, id, 'supervise');
    }
  }

  /** Applies an event to the view; on a whistle, plans each summoned department's reports. */
  private accept(event: IncomingEvent, grid: string): boolean {
    // `crs` rides along harmlessly: the reducer never reads it.
    const stored = { ...event, seq: this.view.headSeq + 1, recordedAt: this.clock, grid } as StoredEvent;
    const applied = applyEvent(this.view, stored);
    if (!applied.ok) {
      this.stats.dropped += 1;
      return false;
    }
    this.stats.events += 1;
    this.lastGrid = grid;
    if (event.type === 'incident.whistled') {
      this.stats.whistles[event.tier] += 1;
      this.planReports(event);
    }
    return true;
  }

  /**
   * Plans each summoned department's 报到 on a whistle just blown: it acknowledges, then most arrive within the
   * whistle's report limit, some after it (PROBABILITIES.departmentLate) and a few never. A limit tighter than the
   * type's default hurries them in proportion. The case is not resolved before the last arrival (`perform`).
   */
  private planReports(event: Extract<IncomingEvent, { type: 'incident.whistled' }>): void {
    const emergency = event.whistleType === 'emergency';
    const at = Date.parse(event.at);
    const limit = (event.reportWithinMinutes ?? this.reportMinutes[event.whistleType]) * MINUTE;
    const pace = Math.min(1, limit / (REPORT_LIMIT_MINUTES[event.whistleType] * MINUTE));
    let lastArrivalAt: number | undefined;
    for (const department of event.departments) {
      const ackAt = at + DELAYS.acknowledge.floor + this.random.exponential(pace * (emergency ? DELAYS.acknowledge.emergencyMean : DELAYS.acknowledge.mean));
      this.schedule(ackAt, event.incidentId, 'acknowledge', department);
      if (this.random.chance(PROBABILITIES.departmentNoShow)) continue;
      const arriveAt = this.random.chance(PROBABILITIES.departmentLate)
        ? Math.max(ackAt, at + limit) + MINUTE + this.random.exponential(limit * DELAYS.lateArrivalShareOfLimit)
        : Math.max(ackAt + 1_000, Math.min(at + 0.95 * limit, ackAt + pace * DELAYS.arrive.floor + this.random.exponential(pace * (emergency ? DELAYS.arrive.emergencyMean : DELAYS.arrive.mean))));
      this.schedule(arriveAt, event.incidentId, 'arrive', department);
      lastArrivalAt = Math.max(lastArrivalAt ?? arriveAt, arriveAt);
    }
    const plan = this.plans.get(event.incidentId);
    if (plan !== undefined && lastArrivalAt !== undefined) plan.lastArrivalAt = Math.ceil(lastArrivalAt);
  }



  private schedule(at: number, incidentId: string, action: Task['action'], department?: string): void {
    this.queue.push({ at: Math.ceil(at), incidentId, action, department });
  }

  private nextEventId(): string {
    this.eventCounter += 1;
    return `${this.idPrefix}-e${this.eventCounter}`;
  }
}

function checkRate(rate: number): number {
  if (!(Number.isFinite(rate) && rate >= 0)) throw new RangeError(`rate: must be a finite number ≥ 0 (incidents per second), got ${rate}`);
  return rate;
}
