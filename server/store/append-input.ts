/**
 * Checks and prepares what append() receives, identically for both backends: one place decides which input is
 * refused and how the refusal is worded.
 */
import { incidentIdOf, type EventType, type FieldError, type StoredEvent } from '../../protocol/events';
import { StoreInputError, type StoreConflict } from './errors';
import type { EventToAppend, IncidentRow } from './event-store';
import { areasOfGrid } from './area';
import { rollupDayOf } from './rollup-day';

const GRID_PATTERN = /^\d{15}$/;

/** One event ready to write: the columns of the log plus the projection row to upsert. */
export interface PreparedEvent {
  /** Position in the caller's batch, for error messages. */
  index: number;
  id: string;
  type: EventType;
  incidentId: string;
  grid: string;
  /** epoch ms */
  at: number;
  /** The canonical event as JSON. */
  payload: string;
  projection: IncidentRow;
  /** See EventToAppend.expectedLastSeq. */
  expectedLastSeq?: number;
}

/** Validates a batch; throws StoreInputError naming every bad field, before anything is written. */
export function prepareBatch(events: EventToAppend[]): PreparedEvent[] {
  if (!Array.isArray(events)) throw new StoreInputError([{ field: 'events', reason: 'must be an array' }]);
  const errors: FieldError[] = [];
  const prepared: PreparedEvent[] = [];
  events.forEach((item, index) => {
    const at = `events[${index}]`;
    const problems = checkItem(item, at);
    if (problems.length > 0) {
      errors.push(...problems);
      return;
    }
    const event = item.event;
    prepared.push({
      index,
      id: event.id,
      type: event.type,
      incidentId: incidentIdOf(event as StoredEvent),
      grid: item.grid,
      at: Date.parse(event.at),
      payload: JSON.stringify(event),
      projection: item.projection,
      ...(item.expectedLastSeq !== undefined ? { expectedLastSeq: item.expectedLastSeq } : {}),
    });
  });
  if (errors.length > 0) throw new StoreInputError(errors);
  return prepared;
}

function checkItem(item: EventToAppend, at: string): FieldError[] {
  if (typeof item !== 'object' || item === null) return [{ field: at, reason: 'must be an object' }];
  const { event, grid, projection } = item;
  if (typeof event !== 'object' || event === null) return [{ field: `${at}.event`, reason: 'must be an object' }];
  const errors: FieldError[] = [];
  if (typeof event.id !== 'string' || event.id.length === 0) errors.push({ field: `${at}.event.id`, reason: 'must be a non-empty string' });
  if (typeof event.type !== 'string') errors.push({ field: `${at}.event.type`, reason: 'must be an event type' });
  if (typeof event.at !== 'string' || !Number.isFinite(Date.parse(event.at))) {
    errors.push({ field: `${at}.event.at`, reason: 'must be an ISO 8601 time' });
  }
  const incidentId = event.type === 'incident.reported' ? event.incident?.id : (event as { incidentId?: unknown }).incidentId;
  if (typeof incidentId !== 'string' || incidentId.length === 0) {
    errors.push({ field: `${at}.event.${event.type === 'incident.reported' ? 'incident.id' : 'incidentId'}`, reason: 'must name the incident' });
  }
  if (typeof grid !== 'string' || !GRID_PATTERN.test(grid)) errors.push({ field: `${at}.grid`, reason: 'must be a 15 digit grid code' });
  const expected = item.expectedLastSeq;
  if (expected !== undefined && (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 0)) {
    errors.push({ field: `${at}.expectedLastSeq`, reason: 'must be a whole number ≥ 0 (0: the incident must not exist yet)' });
  }
  if (typeof projection !== 'object' || projection === null) {
    errors.push({ field: `${at}.projection`, reason: 'must be the incident row after this event' });
    return errors;
  }
  if (projection.id !== incidentId) errors.push({ field: `${at}.projection.id`, reason: `must be the event's incident id (${String(incidentId)})` });
  if (typeof projection.grid !== 'string' || !GRID_PATTERN.test(projection.grid)) {
    errors.push({ field: `${at}.projection.grid`, reason: 'must be a 15 digit grid code' });
  }
  if (typeof projection.status !== 'string' || projection.status.length === 0) {
    errors.push({ field: `${at}.projection.status`, reason: 'must be a non-empty status' });
  }
  if (typeof projection.updatedAt !== 'number' || !Number.isFinite(projection.updatedAt)) {
    errors.push({ field: `${at}.projection.updatedAt`, reason: 'must be a finite epoch-ms number' });
  }
  return errors;
}

/**
 * Serialises a projection doc. Called inside the write transaction, so a doc that cannot be serialised (a BigInt,
 * a cycle) fails the call after earlier events were written and shows the rollback really happens.
 */
export function serialiseDoc(event: PreparedEvent): string {
  try {
    const json = JSON.stringify(event.projection.doc);
    if (json === undefined) throw new Error('it serialises to nothing');
    return json;
  } catch (error) {
    throw new StoreInputError([
      { field: `events[${event.index}].projection.doc`, reason: `cannot be stored as JSON (${(error as Error).message})` },
    ]);
  }
}

/** Counts a group's new events per (area, day, type), so each rollup row is written once per transaction. */
export class RollupTally {
  private readonly counts = new Map<string, number>();

  add(event: PreparedEvent): void {
    const day = rollupDayOf(event.at);
    for (const area of areasOfGrid(event.grid)) {
      const key = `${area}|${day}|${event.type}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
  }

  /** Adds another tally's counts (a call that committed joins its group's tally). */
  merge(other: RollupTally): void {
    for (const [key, count] of other.counts) this.counts.set(key, (this.counts.get(key) ?? 0) + count);
  }

  /** [area, day, type, count] per distinct key. */
  entries(): [string, string, string, number][] {
    return [...this.counts].map(([key, count]) => {
      const [area = '', day = '', type = ''] = key.split('|');
      return [area, day, type, count];
    });
  }

  clear(): void {
    this.counts.clear();
  }
}

/**
 * The compare-and-set of `expectedLastSeq`, the same for both backends. `fresh` are the events about to be written
 * (duplicates left out), in order, each with its seq and the call it belongs to; `lastInLog` gives an incident's
 * latest seq in the log before them. Returns the conflicts (empty: write).
 */
export function findConflicts(
  fresh: ReadonlyArray<{ event: PreparedEvent; seq: number; call: number }>,
  lastInLog: (incidentId: string) => number,
): StoreConflict[] {
  const conflicts: StoreConflict[] = [];
  /** incident → [call that last touched it, seq it got] among the events being written */
  const touched = new Map<string, [number, number]>();
  for (const { event, seq, call } of fresh) {
    const earlier = touched.get(event.incidentId);
    if (event.expectedLastSeq !== undefined && earlier?.[0] !== call) {
      const actual = earlier ? earlier[1] : lastInLog(event.incidentId);
      if (actual !== event.expectedLastSeq) {
        conflicts.push({ index: event.index, incidentId: event.incidentId, expectedLastSeq: event.expectedLastSeq, actualLastSeq: actual });
      }
    }
    touched.set(event.incidentId, [call, seq]);
  }
  return conflicts;
}

/** Builds the stored form: the canonical event with the server-assigned fields. */
export function toStoredEvent(payload: object, seq: number, recordedAt: number, grid: string): StoredEvent {
  return { ...(payload as StoredEvent), seq, recordedAt, grid };
}

/** Checks the numeric arguments of the range queries. */
export function checkSeq(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new StoreInputError([{ field, reason: 'must be a whole number ≥ 0' }]);
  }
  return value;
}

export function checkLimit(value: unknown, field = 'limit'): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new StoreInputError([{ field, reason: 'must be a whole number ≥ 1' }]);
  }
  return value;
}

export function checkTime(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new StoreInputError([{ field, reason: 'must be a finite epoch-ms number' }]);
  return value;
}

/** Checks the arguments of `incidentsLiveAt`: two epoch-ms times, `endedSince` not after `at`. */
export function checkLiveAt(at: unknown, endedSince: unknown): void {
  checkTime(at, 'at');
  checkTime(endedSince, 'endedSince');
  if ((endedSince as number) > (at as number)) throw new StoreInputError([{ field: 'endedSince', reason: 'must not be after `at`' }]);
}

/** Statuses that count as no longer open (see INCIDENT_STATUSES). */
export const FINISHED_STATUSES = ['closed', 'cancelled'] as const;
