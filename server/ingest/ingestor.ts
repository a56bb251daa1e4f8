/**
 * The ingest pipeline: validate → convert CRS → locate the grid → check the state machine → append (durable) →
 * hand to the live state and the relay. One queue serialises every batch (HTTP, officer actions, the in-process
 * simulator), so validation sees exactly the state the store's seq order produces.
 *
 * Nothing is half-written: the reducer runs on a staged copy of the touched incidents; only after the store
 * commits are the events applied to the live state and published. A store failure rejects the whole batch.
 *
 * Batches that queue up while a commit is under way (a burst, a slow disk) are validated one after another on one
 * staged state, exactly as if run in turn, and appended as one store call: one transaction and one fsync for all
 * of them instead of one each, so a backlog drains instead of growing. Each keeps its own acks and errors; a
 * store failure rejects every batch of that call, and nothing of them is stored.
 */
import {
  IngestBatchSchema,
  MAX_BATCH_EVENTS,
  incidentIdOf,
  toFieldErrors,
  type CanonicalEvent,
  type EventAck,
  type FieldError,
  type IngestResponse,
  type StoredEvent,
  type WhistleType,
} from '../../protocol/events';
import { transition, type IncidentRecord } from '../../protocol/transition';
import type { EventStore, EventToAppend } from '../store/event-store';
import { StoreConflictError } from '../store/errors';
import { HttpError } from '../http/errors';
import type { Logger } from '../ops/logger';
import type { ServerMetrics } from '../ops/metrics';
import { checkEvent, type DepartmentDirectory, type EventCheck } from './validate-event';

/** Finds the grid of a WGS84 point (server/geodata/grid-index.ts). */
export interface GridLocator {
  locate(lon: number, lat: number): string | null;
}

export interface IngestorDeps {
  store: EventStore;
  locator: GridLocator;
  departments: DepartmentDirectory;
  /** The live state's record of an incident (undefined when unknown or evicted: the store is asked then). */
  liveIncident(id: string): IncidentRecord | undefined;
  /** Ask the store's projection before the live state (when other nodes write to the same store). */
  storeFirst?: boolean;
  /**
   * Called after each commit with the new events in seq order: apply to the live state, then relay. `restored` holds
   * the records of incidents the events continue that the live state does not have now (ended cases evicted before
   * the batch, or while its append was in flight), as the batch was validated against them, to put back before
   * applying.
   */
  onCommitted(events: StoredEvent[], restored: IncidentRecord[]): void;
  metrics: ServerMetrics;
  logger: Logger;
  /** City name for error messages. */
  cityName: string;
  /** 报到时限 by whistle type for whistles that name none (WHISTLE_REPORT_MINUTES); default REPORT_LIMIT_MINUTES. */
  whistleReportMinutes?: Readonly<Record<WhistleType, number>>;
  /** Batches allowed to wait in the queue before new ones are refused with 503. */
  maxQueuedBatches?: number;
  now?: () => number;
}

/** One request body, parsed, waiting in the queue. */
interface QueuedBatch {
  crs: Parameters<typeof checkEvent>[1];
  events: unknown[];
  resolve: (response: IngestResponse) => void;
  reject: (error: unknown) => void;
}

interface StagedEvent {
  /** the batch of the run it came in */
  batch: number;
  index: number;
  event: CanonicalEvent;
  grid: string;
  next: IncidentRecord;
  /** storeFirst: the incident's last seq in the store when validated (the store's compare-and-set) */
  expectedLastSeq?: number;
}

/** How often a batch is validated again after another node changed one of its incidents meanwhile. */
const CONFLICT_RETRIES = 3;
/**
 * The most events that queued batches are merged into for one store call: one largest batch's worth, so a run
 * holds the event loop (SQLite commits synchronously) for about as long as one such batch would.
 */
const MAX_RUN_EVENTS = MAX_BATCH_EVENTS;

/** Serialised ingest for one server. */
export class Ingestor {
  private readonly waiting: QueuedBatch[] = [];
  /** the run being processed, while one is */
  private running: Promise<void> | undefined;
  private queued = 0;
  private closing = false;
  private headSeq = 0;

  constructor(private readonly deps: IngestorDeps) {}

  /** Reads the store head once before the first batch. */
  async init(): Promise<void> {
    this.headSeq = await this.deps.store.headSeq();
  }

  /** Batches waiting or running. */
  get pending(): number {
    return this.queued;
  }

  /**
   * Ingests one request body `{crs?, events: [...]}`.
   * @throws HttpError 400 when the body itself is malformed, 503 when the store fails or the server is closing.
   */
  submit(body: unknown): Promise<IngestResponse> {
    if (this.closing) return Promise.reject(new HttpError(503, 'shutting_down', 'The server is shutting down'));
    if (this.queued >= (this.deps.maxQueuedBatches ?? 256)) {
      return Promise.reject(new HttpError(503, 'busy', 'Too many batches waiting; retry shortly'));
    }
    // Parse before queueing so a malformed body never waits behind others.
    const batch = parseBatch(body);
    this.queued++;
    return new Promise<IngestResponse>((resolve, reject) => {
      this.waiting.push({ ...batch, resolve, reject });
      if (!this.running) this.running = this.drain();
    });
  }

  /** Stops intake and waits for the queued batches to finish. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.running) await this.running;
  }

  /** Processes queued batches, a run at a time, until none waits. */
  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const run = this.takeRun();
        try {
          const responses = await this.process(run);
          run.forEach((batch, b) => batch.resolve(responses[b] as IngestResponse));
        } catch (error) {
          for (const batch of run) batch.reject(error);
        } finally {
          this.queued -= run.length;
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  /**
   * The next run: the first waiting batch, plus the ones after it while they fit in one store call. A batch that
   * repeats an event id of an earlier batch of the run waits for the next run, so that it sees that event stored
   * (a retry answers the original ack). With other nodes writing to the store, batches go one by one: a conflict
   * there re-validates the whole run.
   */
  private takeRun(): QueuedBatch[] {
    const first = this.waiting.shift() as QueuedBatch;
    const run = [first];
    if (this.deps.storeFirst) return run;
    const ids = new Set<unknown>(first.events.map(rawIdOf));
    let events = first.events.length;
    while (this.waiting.length > 0) {
      const next = this.waiting[0] as QueuedBatch;
      if (events + next.events.length > MAX_RUN_EVENTS) break;
      const nextIds = next.events.map(rawIdOf);
      if (nextIds.some((id) => id !== undefined && ids.has(id))) break;
      for (const id of nextIds) ids.add(id);
      events += next.events.length;
      run.push(this.waiting.shift() as QueuedBatch);
    }
    return run;
  }

  /** The current record of an incident: live state first, then the store's projection (evicted incidents). */
  async incident(id: string): Promise<IncidentRecord | undefined> {
    if (!this.deps.storeFirst) {
      const live = this.deps.liveIncident(id);
      if (live) return live;
    }
    const row = await this.deps.store.getIncident(id);
    return row ? (row.doc as IncidentRecord) : undefined;
  }

  /** Validates, stages and appends one run of batches (see takeRun); answers each batch's response, in order. */
  private async process(run: ReadonlyArray<Pick<QueuedBatch, 'crs' | 'events'>>, attempt = 1): Promise<IngestResponse[]> {
    const { store, metrics, departments, locator } = this.deps;
    const now = (this.deps.now ?? Date.now)();
    const acks: Array<Array<EventAck | undefined>> = run.map((batch) => new Array(batch.events.length));
    const staged = new Map<string, IncidentRecord>();
    /**
     * Each incident's record as this run found it, before its first event here: the live state's, or the store's
     * for one the live state had evicted. The live state may evict a closed case while the append is in flight
     * (its minute timer), so a late event of it is handed over with this record, never refused after its commit.
     */
    const found = new Map<string, IncidentRecord>();
    const valid: StagedEvent[] = [];
    /** per batch: first index of each id in it, for in-batch retries, and the repeats */
    const sameAs = run.map(() => new Map<number, number>());

    // Stateless checks first, then every store lookup of the run at once (one query for the ids, one for the
    // incidents: not one read transaction, or PostgreSQL round trip, per event), then the ordered, staged walk
    // through the state machine.
    const checked = run.map((batch) => batch.events.map((raw, i) => checkEvent(raw, batch.crs, `events[${i}]`, departments, now, this.deps.whistleReportMinutes)));
    const candidates: CanonicalEvent[] = [];
    for (const batch of checked) for (const c of batch) if (c.ok) candidates.push(c.event);
    const eventIds = [...new Set(candidates.map((e) => e.id))];
    const incidentIds = [...new Set(candidates.map((e) => incidentIdOf(e as StoredEvent)))].filter(
      (id) => this.deps.storeFirst || this.deps.liveIncident(id) === undefined,
    );
    const [existingById, storedRow] = await Promise.all([store.findEvents(eventIds), store.getIncidents(incidentIds)]);
    const storedIncident = (id: string): IncidentRecord | undefined => storedRow.get(id)?.doc as IncidentRecord | undefined;
    const current = (id: string): IncidentRecord | undefined =>
      staged.get(id) ?? (this.deps.storeFirst ? storedIncident(id) : (this.deps.liveIncident(id) ?? storedIncident(id)));

    for (let b = 0; b < run.length; b++) {
      const batchAcks = acks[b] as Array<EventAck | undefined>;
      const batchChecked = checked[b] as EventCheck[];
      const firstIndex = new Map<string, number>();
      for (let i = 0; i < batchChecked.length; i++) {
        const prefix = `events[${i}]`;
        const check = batchChecked[i] as EventCheck;
        if (!check.ok) {
          batchAcks[i] = rejected(i, check.id, check.errors);
          continue;
        }
        const event = check.event;
        const earlier = firstIndex.get(event.id);
        if (earlier !== undefined) {
          (sameAs[b] as Map<number, number>).set(i, earlier);
          continue;
        }
        const existing = existingById.get(event.id);
        if (existing) {
          batchAcks[i] = { index: i, id: event.id, status: 'stored', seq: existing.seq, grid: existing.grid, duplicate: true };
          continue;
        }
        const incidentId = incidentIdOf(event as StoredEvent);
        const prev = current(incidentId);
        let grid: string;
        if (event.type === 'incident.reported') {
          const [lon, lat] = event.incident.location;
          const located = locator.locate(lon, lat);
          if (located === null) {
            batchAcks[i] = rejected(i, event.id, [
              {
                field: `${prefix}.incident.location`,
                reason: `is outside every grid of ${this.deps.cityName} (WGS84 ${lon.toFixed(6)}, ${lat.toFixed(6)})`,
                code: 'outside_grids',
                params: { lon: lon.toFixed(6), lat: lat.toFixed(6) },
              },
            ]);
            continue;
          }
          grid = located;
        } else if (prev) {
          grid = prev.grid;
        } else {
          batchAcks[i] = rejected(i, event.id, [
            { field: `${prefix}.incidentId`, reason: `unknown incident "${incidentId}"`, code: 'unknown_incident', params: { incident: incidentId } },
          ]);
          continue;
        }
        const result = transition(prev, event, grid, this.headSeq + valid.length + 1);
        if (!result.ok) {
          batchAcks[i] = rejected(i, event.id, [{ field: `${prefix}.${result.field}`, reason: result.reason, code: result.code, params: result.params }]);
          continue;
        }
        // Other nodes write to the same store: the append checks that the incident is still where it was validated.
        const expectedLastSeq = this.deps.storeFirst && !staged.has(incidentId) ? (storedRow.get(incidentId)?.lastSeq ?? 0) : undefined;
        if (prev !== undefined && !staged.has(incidentId)) found.set(incidentId, prev);
        staged.set(incidentId, result.next);
        firstIndex.set(event.id, i);
        valid.push({ batch: b, index: i, event, grid, next: result.next, ...(expectedLastSeq !== undefined ? { expectedLastSeq } : {}) });
      }
    }

    const stored: StoredEvent[] = [];
    if (valid.length > 0) {
      const toAppend: EventToAppend[] = valid.map(({ event, grid, next, expectedLastSeq }) => ({
        event,
        grid,
        projection: { id: next.id, grid: next.grid, status: next.status, updatedAt: next.updatedAt, doc: next },
        ...(expectedLastSeq !== undefined ? { expectedLastSeq } : {}),
      }));
      const stopTimer = metrics.storeAppendSeconds.startTimer();
      let results;
      try {
        results = await store.append(toAppend);
      } catch (err) {
        if (err instanceof StoreConflictError) {
          // Another node changed an incident of this batch after we read it: validate again against the store,
          // so the loser gets the state machine's own per-event refusal (or goes through, if still legal).
          if (attempt < CONFLICT_RETRIES) return this.process(run, attempt + 1);
          throw new HttpError(409, 'conflict', `Incidents of this batch kept changing on other nodes; nothing was stored, retry it`, err.fields);
        }
        this.deps.logger.error({ err, events: valid.length }, 'store append failed; batch rejected');
        throw new HttpError(503, 'store_unavailable', 'The event store could not commit the batch; nothing was stored, retry it');
      } finally {
        stopTimer();
      }
      const recordedAt = Date.now();
      results.forEach((result, k) => {
        const item = valid[k] as StagedEvent;
        (acks[item.batch] as Array<EventAck | undefined>)[item.index] = {
          index: item.index,
          id: result.id,
          status: 'stored',
          seq: result.seq,
          grid: result.grid,
          duplicate: result.duplicate,
        };
        if (!result.duplicate) {
          // The store's own receive time when it reports one, so live and resumed screens see the same event.
          const at = (result as { recordedAt?: number }).recordedAt ?? recordedAt;
          stored.push({ ...item.event, seq: result.seq, recordedAt: at, grid: result.grid } as StoredEvent);
          if (result.seq > this.headSeq) this.headSeq = result.seq;
        }
      });
    }
    run.forEach((_, b) => {
      const batchAcks = acks[b] as Array<EventAck | undefined>;
      for (const [i, first] of sameAs[b] as Map<number, number>) {
        // The first event of an id in a batch is only recorded once it is staged, and a staged event is stored
        // (an append that fails throws for the whole run), so a repeat answers its ack. A repeat of a rejected
        // first is not in `sameAs`: it is judged on its own, as a retry in a later batch would be.
        const original = batchAcks[first];
        if (original?.status !== 'stored') throw new Error(`ingest: events[${first}] of a batch was staged but has no stored ack`);
        batchAcks[i] = { ...original, index: i, duplicate: true };
      }
    });
    if (stored.length > 0) {
      // Incidents the live state does not have now (evicted before this run, or while its append was in flight):
      // hand over the records this run validated them against, so their events fold.
      const restored = new Map<string, IncidentRecord>();
      if (!this.deps.storeFirst) {
        for (const item of valid) {
          const id = incidentIdOf(item.event as StoredEvent);
          const record = found.get(id);
          if (record !== undefined && this.deps.liveIncident(id) === undefined) restored.set(id, record);
        }
      }
      this.deps.onCommitted(stored, [...restored.values()]);
    }

    let storedCount = 0;
    let duplicates = 0;
    let rejectedCount = 0;
    const responses = acks.map((batchAcks) => {
      const final = batchAcks as EventAck[];
      let batchStored = 0;
      for (const ack of final) {
        if (ack.status === 'stored') {
          batchStored++;
          if (ack.duplicate) duplicates++;
        }
      }
      storedCount += batchStored;
      rejectedCount += final.length - batchStored;
      return { stored: batchStored, rejected: final.length - batchStored, acks: final };
    });
    metrics.ingestEvents.inc({ result: 'stored' }, storedCount - duplicates);
    if (duplicates > 0) metrics.ingestEvents.inc({ result: 'duplicate' }, duplicates);
    if (rejectedCount > 0) metrics.ingestEvents.inc({ result: 'rejected' }, rejectedCount);
    return responses;
  }
}

/** The `id` of a raw event, when it has a string one (to keep retries of one id out of the same run). */
function rawIdOf(raw: unknown): string | undefined {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

function rejected(index: number, id: string | null, errors: FieldError[]): EventAck {
  return { index, id, status: 'rejected', errors };
}

/** Checks the envelope `{crs?, events}`; per-event problems are answered per event, not here. */
export function parseBatch(body: unknown): { crs: Parameters<typeof checkEvent>[1]; events: unknown[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'bad_request', 'The body must be a JSON object {"events": [...]}', [
      { field: '(body)', reason: 'must be a JSON object with an `events` array', code: 'wrong_type', params: { expected: 'object' } },
    ]);
  }
  const parsed = IngestBatchSchema.safeParse(body);
  if (!parsed.success) {
    const fields = toFieldErrors(parsed.error, '', body);
    throw new HttpError(400, 'bad_request', `Malformed batch: ${fields.map((f) => `${f.field} ${f.reason}`).join('; ')}`, fields);
  }
  return { crs: parsed.data.crs, events: parsed.data.events };
}
