/**
 * The durable event store. An append is acknowledged only after it is durable (committed). Implementations:
 * SQLite (default, better-sqlite3 in WAL mode with group commit) and PostgreSQL (when DATABASE_URL is set).
 * One test suite (tests/store/) runs against both. Open one with `openEventStore` (open-event-store.ts); the
 * guarantees and their reasons are in server/store/README.md.
 *
 * Bad arguments are refused with a StoreInputError (errors.ts) that names each field and the reason, before anything
 * is written.
 */
import type { CanonicalEvent, EventType, StoredEvent } from '../../protocol/events';

/** What ingest hands the store: a validated event, converted to WGS84, with its grid assigned. */
export interface EventToAppend {
  event: CanonicalEvent;
  grid: string;
  /**
   * The incident's projection row after this event, computed by the caller with the shared reducer (ingest runs
   * the reducer anyway to refuse illegal transitions). Written in the same transaction as the event, so the
   * current-incident projection never disagrees with the log.
   */
  projection: IncidentRow;
  /**
   * Optimistic concurrency (a compare-and-set on the incident's projection): the seq of the incident's latest
   * event in the log when the caller validated this event, or 0 when it validated against no incident (a new one).
   * If the log has moved on, another writer (another node) changed the incident meanwhile: the whole append() call
   * is refused with a StoreConflictError naming this event, and nothing of it is written. A later event of the same
   * incident in the same call is validated against the earlier one, so only the first per incident is checked.
   * Omitted: no check (a single writer that serialises its own validation).
   */
  expectedLastSeq?: number;
}

/** One row of the current-incident projection. */
export interface IncidentRow {
  id: string;
  grid: string;
  status: string;
  /** epoch ms of the incident's last event `at` */
  updatedAt: number;
  /** the reducer's incident record, as JSON-serialisable data */
  doc: unknown;
  /**
   * Seq of the incident's latest event, read in the same snapshot as the row: what to pass as
   * `EventToAppend.expectedLastSeq`. Set by `getIncident`; ignored in a projection handed to append().
   */
  lastSeq?: number;
}

export type AppendResult =
  /** Newly stored. */
  | { id: string; seq: number; grid: string; duplicate: false }
  /** The id was stored before: the original ack, nothing written. */
  | { id: string; seq: number; grid: string; duplicate: true };

export interface TimeRangeQuery {
  /** epoch ms, inclusive */
  from: number;
  /** epoch ms, inclusive */
  to: number;
  /** `city` or a code prefix: district, street, community or grid */
  area: string;
  /** page through large ranges: only events with seq > afterSeq */
  afterSeq?: number;
  limit?: number;
}

/** One per-area rollup: how many events of one type happened in one area on one day. */
export interface RollupRow {
  /** `city` or an area code (district, street, community or grid). */
  area: string;
  /** The local calendar day (China Standard Time, UTC+8) of the events' `at`, as `YYYY-MM-DD`. */
  day: string;
  type: EventType;
  count: number;
}

/** Options for paging through a seq range without holding it all in memory. */
export interface SeqRangeStreamOptions {
  /** `city` (default) or an area code prefix. */
  area?: string;
  /** Events per page (default 5,000). */
  pageSize?: number;
}

/** Where a stored event sits in the log: what a retried id is answered with. */
export interface StoredEventRef {
  id: string;
  seq: number;
  grid: string;
}

export interface EventStore {
  /** Which backend this is, for health and metrics. */
  readonly backend: 'sqlite' | 'postgres';
  /** Creates tables / runs migrations. Idempotent. */
  init(): Promise<void>;
  /**
   * Appends in order and resolves after the commit. Events whose id exists already are not written again and
   * answer their original seq (`duplicate: true`). All-or-nothing: a failure writes none of the batch.
   */
  append(events: EventToAppend[]): Promise<AppendResult[]>;
  /** The highest seq stored (0 when empty). */
  headSeq(): Promise<number>;
  /** Events with fromSeq < seq ≤ toSeq (toSeq defaults to head), in seq order, filtered to an area prefix. */
  readSeqRange(fromSeqExclusive: number, toSeqInclusive?: number, area?: string, limit?: number): Promise<StoredEvent[]>;
  /**
   * Pages through fromSeq < seq ≤ toSeq (toSeq fixed at head when the stream starts), in seq order, one page per
   * iteration, so that a restart or a long resume never holds the whole log in memory.
   *
   * @example
   * ```ts
   * for await (const page of store.streamSeqRange(checkpoint.seq)) for (const event of page) state = fold(state, event);
   * ```
   */
  streamSeqRange(fromSeqExclusive: number, toSeqInclusive?: number, options?: SeqRangeStreamOptions): AsyncIterable<StoredEvent[]>;
  /** Events whose `at` lies in [from, to] within an area, in seq order. */
  readTimeRange(query: TimeRangeQuery): Promise<StoredEvent[]>;
  /** Looks up an event by its own id. */
  getEvent(id: string): Promise<StoredEvent | undefined>;
  /**
   * The stored events among `ids`, by id, with their seq and grid: one query for a whole batch (ingest checks every
   * id of a batch for a retry at once). Ids not stored are absent.
   */
  findEvents(ids: readonly string[]): Promise<Map<string, StoredEventRef>>;
  /** All events of one incident, in seq order. */
  incidentEvents(incidentId: string): Promise<StoredEvent[]>;
  /** Current projection rows of incidents that are not closed or cancelled, within an area prefix. */
  openIncidents(area: string): Promise<IncidentRow[]>;
  /**
   * Ids (ascending) of the incidents within an area prefix that were reported before `at` and either had not ended
   * (closed or cancelled) before `endedSince` (≤ at) or have an event at or after `at` (a rating after the close):
   * the cases a playback starting at `at` carries in. Read from the projection (report and end times never change;
   * `updatedAt` is the latest event's), one scan of it. With `among`, only those incidents are looked at (by id: a
   * playback's carried-in set brought up to date with the incidents that new events touched).
   */
  incidentsLiveAt(at: number, endedSince: number, area: string, among?: readonly string[]): Promise<string[]>;
  /** One incident's projection row, with `lastSeq`. */
  getIncident(id: string): Promise<IncidentRow | undefined>;
  /** The projection rows, with `lastSeq`, of the stored incidents among `ids`, by id, in one query. */
  getIncidents(ids: readonly string[]): Promise<Map<string, IncidentRow>>;
  /**
   * Per-day event counts by type for exactly one area (`city` or an area code), for days in [fromDay, toDay]
   * (`YYYY-MM-DD`, inclusive), ordered by day then type. Maintained in the same transaction as the log.
   */
  rollups(area: string, fromDay: string, toDay: string): Promise<RollupRow[]>;
  /**
   * Checkpoints of the in-memory reducer state, so that a restart replays only the tail of the log.
   * `saveCheckpoint` keeps the newest only.
   */
  saveCheckpoint(seq: number, state: Uint8Array): Promise<void>;
  loadCheckpoint(): Promise<{ seq: number; state: Uint8Array } | undefined>;
  /** Flushes pending writes and closes. */
  close(): Promise<void>;
}
