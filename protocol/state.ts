/**
 * The city state the reducer folds into (see protocol/reducer.ts), kept in its own module so that snapshot and KPI
 * code can import it without a cycle.
 */
import { chainFor, type AreaCounters } from './counters';
import type { IncidentRecord } from './transition';
import type { HeapEntry } from './min-heap';

export interface ReducerOptions {
  /** How long a closed or cancelled incident stays in the live map after it ended (ms). Default 24 h. */
  retainClosedMs?: number;
  /** How many Asia/Shanghai days of day counters `evict` keeps, today included. Default 8. */
  retainDays?: number;
  /**
   * At most how many ended (closed or cancelled) incidents `evict` keeps in the live map, oldest-ended dropped first,
   * even inside `retainClosedMs`: it bounds memory at any event rate. Counters are not affected. Default: no cap.
   */
  maxEnded?: number;
}

export const DEFAULT_RETAIN_CLOSED_MS = 24 * 3_600_000;
export const DEFAULT_RETAIN_DAYS = 8;
/** No cap on ended incidents (finite, so that a serialised state keeps it). */
export const NO_ENDED_CAP = Number.MAX_SAFE_INTEGER;

/** The folded state of a city (or of one area, for a state restored from an area snapshot). */
export interface CityState {
  /** live incidents by id: all open ones, and closed/cancelled ones until evicted */
  readonly incidents: Map<string, IncidentRecord>;
  /** counters by area key: `city`, 6-digit district, 9-digit street, 12-digit community, 15-digit grid */
  readonly areas: Map<string, AreaCounters>;
  /** incidents whose deadline clock is running (dispatched or in progress), for overdue figures */
  readonly unresolved: Map<string, IncidentRecord>;
  /** seq of the last event applied (0 when none) */
  headSeq: number;
  /** the latest event `at` applied (epoch ms; 0 when none) */
  clock: number;
  /** the area this state covers: `city`, or the area of the snapshot it was restored from */
  scope: string;
  readonly options: Required<ReducerOptions>;
  /** per grid, its five AreaCounters (a cache, so that the hot path does not slice codes) */
  readonly chains: Map<string, AreaCounters[]>;
  /**
   * Closed and cancelled incidents keyed by when they ended (a min-heap, protocol/min-heap.ts), for `evict` to take
   * the longest-ended first instead of scanning the whole map, whatever order their events arrived in.
   */
  readonly ended: HeapEntry[];
  /** the oldest day `evict` has kept day counters from (so that it trims only when the day changes) */
  daysFrom: number;
  /** the overdue index (protocol/overdue.ts): deadlines still to pass, the cases counted overdue, and as of when */
  readonly overdueWatch: HeapEntry[];
  readonly overdueIds: Set<string>;
  overdueAsOf: number;
}

/** A new, empty state. `scope` is `city` except for a state restored from an area snapshot. */
export function createState(options: ReducerOptions = {}, scope = 'city'): CityState {
  const retainClosedMs = options.retainClosedMs ?? DEFAULT_RETAIN_CLOSED_MS;
  const retainDays = options.retainDays ?? DEFAULT_RETAIN_DAYS;
  if (!(retainClosedMs >= 0)) throw new RangeError(`retainClosedMs must be ≥ 0, got ${retainClosedMs}`);
  if (!(Number.isInteger(retainDays) && retainDays >= 1)) throw new RangeError(`retainDays must be a whole number ≥ 1, got ${retainDays}`);
  const maxEnded = options.maxEnded ?? NO_ENDED_CAP;
  if (!(Number.isInteger(maxEnded) && maxEnded >= 0)) throw new RangeError(`maxEnded must be a whole number ≥ 0, got ${maxEnded}`);
  return {
    incidents: new Map(),
    areas: new Map(),
    unresolved: new Map(),
    headSeq: 0,
    clock: 0,
    scope,
    options: { retainClosedMs, retainDays, maxEnded },
    chains: new Map(),
    ended: [],
    daysFrom: Number.NEGATIVE_INFINITY,
    overdueWatch: [],
    overdueIds: new Set(),
    overdueAsOf: Number.NEGATIVE_INFINITY,
  };
}

/** The five AreaCounters of a grid, created on first use. */
export function chainOf(state: CityState, grid: string): AreaCounters[] {
  let chain = state.chains.get(grid);
  if (chain === undefined) {
    chain = chainFor(state.areas, grid);
    state.chains.set(grid, chain);
  }
  return chain;
}


/** When an ended (closed or cancelled) incident ended: the key `evict` drops it by. */
export function endedAt(record: IncidentRecord): number {
  return record.closedAt ?? record.cancelledAt ?? record.updatedAt;
}
