/**
 * The default event store: one SQLite file (better-sqlite3) in WAL mode.
 *
 * Durability: `synchronous = FULL` with WAL fsyncs the WAL at every commit, so a commit that returned survives
 * power loss as well as `kill -9`. NORMAL would only fsync at checkpoints: a crash of the process would still keep
 * acked events (the WAL is in the OS cache), but a power cut could lose the last commits, and "ack only after
 * durable" would then not hold. Group commit (see ../group-commit.ts) pays that fsync once per group, not per event.
 *
 * Seq: assigned as head + 1 inside a `BEGIN IMMEDIATE` transaction, which takes SQLite's single write lock first,
 * so seq order is commit order and a rolled-back call leaves no gap, even with several processes on one file.
 */
import Database from 'better-sqlite3';
import type { StoredEvent } from '../../../protocol/events';
import { gridRangeOf, type GridRange } from '../area';
import {
  checkLimit,
  checkSeq,
  checkTime,
  prepareBatch,
  RollupTally,
  serialiseDoc,
  toStoredEvent,
  type PreparedEvent,
} from '../append-input';
import { StoreClosedError, StoreConflictError, StoreInputError, type StoreConflict } from '../errors';
import type {
  AppendResult,
  EventStore,
  EventToAppend,
  IncidentRow,
  RollupRow,
  SeqRangeStreamOptions,
  TimeRangeQuery,
} from '../event-store';
import { GroupCommitQueue, type CallOutcome } from '../group-commit';
import { checkDay } from '../rollup-day';
import { migrate } from './schema';

export interface SqliteEventStoreOptions {
  /** The database file; `:memory:` for a throwaway store. */
  path: string;
}

interface EventRow {
  seq: number;
  grid: string;
  recorded_at: number;
  payload: string;
}

interface IncidentDbRow {
  id: string;
  grid: string;
  status: string;
  updated_at: number;
  doc: string;
}

const EVENT_COLUMNS = 'seq, grid, recorded_at, payload';
const DEFAULT_PAGE_SIZE = 5000;
/** About 0.1–0.3 s of event-loop time per transaction at most (measured in bench/store-restart.bench.ts). */
const MAX_GROUP_EVENTS = 4000;

/**
 * @example
 * ```ts
 * const store = new SqliteEventStore({ path: 'data/events.sqlite' });
 * await store.init();
 * const [ack] = await store.append([{ event, grid, projection }]);
 * ```
 */
export class SqliteEventStore implements EventStore {
  readonly backend = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly queue = new GroupCommitQueue<PreparedEvent[], AppendResult[]>((calls) => this.commitGroup(calls), {
    maxWeight: MAX_GROUP_EVENTS,
    weigh: (call) => call.length,
  });
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;
  private initialised = false;

  constructor(private readonly options: SqliteEventStoreOptions) {
    this.db = new Database(options.path);
  }

  async init(): Promise<void> {
    if (this.initialised) return;
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // Another process holding the write lock (a second node on the same file, a backup) is waited for, not failed.
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -65536');
    this.db.pragma('mmap_size = 268435456');
    migrate(this.db);
    this.initialised = true;
  }

  append(events: EventToAppend[]): Promise<AppendResult[]> {
    let prepared: PreparedEvent[];
    try {
      this.assertOpen();
      prepared = prepareBatch(events);
    } catch (error) {
      return Promise.reject(error);
    }
    if (prepared.length === 0) return Promise.resolve([]);
    return this.queue.submit(prepared);
  }

  async headSeq(): Promise<number> {
    this.assertOpen();
    return this.readHead();
  }

  async readSeqRange(fromSeqExclusive: number, toSeqInclusive?: number, area?: string, limit?: number): Promise<StoredEvent[]> {
    this.assertOpen();
    const from = checkSeq(fromSeqExclusive, 'fromSeqExclusive');
    const to = toSeqInclusive === undefined ? Number.MAX_SAFE_INTEGER : checkSeq(toSeqInclusive, 'toSeqInclusive');
    return this.seqPage(from, to, gridRangeOf(area), checkLimit(limit));
  }

  async *streamSeqRange(fromSeqExclusive: number, toSeqInclusive?: number, options: SeqRangeStreamOptions = {}): AsyncIterable<StoredEvent[]> {
    this.assertOpen();
    let from = checkSeq(fromSeqExclusive, 'fromSeqExclusive');
    const to = toSeqInclusive === undefined ? this.readHead() : checkSeq(toSeqInclusive, 'toSeqInclusive');
    const range = gridRangeOf(options.area, 'options.area');
    const pageSize = checkLimit(options.pageSize, 'options.pageSize') ?? DEFAULT_PAGE_SIZE;
    while (from < to) {
      this.assertOpen();
      const page = this.seqPage(from, to, range, pageSize);
      if (page.length === 0) return;
      yield page;
      from = page[page.length - 1]?.seq ?? to;
      if (page.length < pageSize) return;
    }
  }

  async readTimeRange(query: TimeRangeQuery): Promise<StoredEvent[]> {
    this.assertOpen();
    const from = checkTime(query.from, 'from');
    const to = checkTime(query.to, 'to');
    const after = query.afterSeq === undefined ? 0 : checkSeq(query.afterSeq, 'afterSeq');
    const limit = checkLimit(query.limit) ?? -1;
    const range = gridRangeOf(query.area);
    const rows = range
      ? (this.statement(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE grid >= ? AND grid < ? AND at BETWEEN ? AND ? AND seq > ? ORDER BY seq LIMIT ?`,
        ).all(range.low, range.high, from, to, after, limit) as EventRow[])
      : (this.statement(`SELECT ${EVENT_COLUMNS} FROM events WHERE at BETWEEN ? AND ? AND seq > ? ORDER BY seq LIMIT ?`).all(
          from,
          to,
          after,
          limit,
        ) as EventRow[]);
    return rows.map(rowToEvent);
  }

  async getEvent(id: string): Promise<StoredEvent | undefined> {
    this.assertOpen();
    const row = this.statement(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`).get(id) as EventRow | undefined;
    return row && rowToEvent(row);
  }

  async incidentEvents(incidentId: string): Promise<StoredEvent[]> {
    this.assertOpen();
    const rows = this.statement(`SELECT ${EVENT_COLUMNS} FROM events WHERE incident_id = ? ORDER BY seq`).all(incidentId) as EventRow[];
    return rows.map(rowToEvent);
  }

  async openIncidents(area: string): Promise<IncidentRow[]> {
    this.assertOpen();
    const range = gridRangeOf(area);
    const open = `status NOT IN ('closed', 'cancelled')`;
    const rows = range
      ? (this.statement(`SELECT * FROM incidents WHERE grid >= ? AND grid < ? AND ${open} ORDER BY id`).all(range.low, range.high) as IncidentDbRow[])
      : (this.statement(`SELECT * FROM incidents WHERE ${open} ORDER BY id`).all() as IncidentDbRow[]);
    return rows.map(rowToIncident);
  }

  async getIncident(id: string): Promise<IncidentRow | undefined> {
    this.assertOpen();
    // One statement, one snapshot: the row and its last seq agree (what a compare-and-set needs).
    const row = this.statement(
      'SELECT i.*, (SELECT coalesce(max(seq), 0) FROM events WHERE incident_id = i.id) AS last_seq FROM incidents i WHERE i.id = ?',
    ).get(id) as (IncidentDbRow & { last_seq: number }) | undefined;
    return row && { ...rowToIncident(row), lastSeq: row.last_seq };
  }

  async rollups(area: string, fromDay: string, toDay: string): Promise<RollupRow[]> {
    this.assertOpen();
    gridRangeOf(area);
    const rows = this.statement(
      'SELECT area, day, type, count FROM rollups WHERE area = ? AND day BETWEEN ? AND ? ORDER BY day, type',
    ).all(area, checkDay(fromDay, 'fromDay'), checkDay(toDay, 'toDay')) as RollupRow[];
    return rows;
  }

  async saveCheckpoint(seq: number, state: Uint8Array): Promise<void> {
    this.assertOpen();
    checkSeq(seq, 'seq');
    if (!(state instanceof Uint8Array)) throw new StoreInputError([{ field: 'state', reason: 'must be a Uint8Array' }]);
    const head = this.readHead();
    if (seq > head) throw new StoreInputError([{ field: 'seq', reason: `must not be beyond the head of the log (${head})` }]);
    // "Newest" is by seq: a slow writer of an older checkpoint must not replace a newer one.
    this.statement(
      `INSERT INTO checkpoints (slot, seq, state, saved_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (slot) DO UPDATE SET seq = excluded.seq, state = excluded.state, saved_at = excluded.saved_at
       WHERE excluded.seq >= checkpoints.seq`,
    ).run(seq, Buffer.from(state.buffer, state.byteOffset, state.byteLength), Date.now());
  }

  async loadCheckpoint(): Promise<{ seq: number; state: Uint8Array } | undefined> {
    this.assertOpen();
    const row = this.statement('SELECT seq, state FROM checkpoints WHERE slot = 1').get() as { seq: number; state: Buffer } | undefined;
    return row && { seq: row.seq, state: new Uint8Array(row.state.buffer, row.state.byteOffset, row.state.byteLength) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.drain();
    // Lets SQLite refresh the statistics its query planner uses, cheaply, as its documentation advises at close.
    if (this.initialised) this.db.pragma('optimize');
    this.db.close();
  }

  /** Writes one group of append() calls in one transaction, each call inside its own savepoint. */
  private commitGroup(calls: PreparedEvent[][]): CallOutcome<AppendResult[]>[] {
    const db = this.db;
    const findById = this.statement('SELECT seq, grid FROM events WHERE id = ?');
    const lastSeqOf = this.statement('SELECT coalesce(max(seq), 0) AS seq FROM events WHERE incident_id = ?');
    const insertEvent = this.statement(
      'INSERT INTO events (seq, id, type, incident_id, grid, at, recorded_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const upsertIncident = this.statement(
      `INSERT INTO incidents (id, grid, status, updated_at, doc) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET grid = excluded.grid, status = excluded.status, updated_at = excluded.updated_at, doc = excluded.doc`,
    );
    const addRollup = this.statement(
      `INSERT INTO rollups (area, day, type, count) VALUES (?, ?, ?, ?)
       ON CONFLICT (area, day, type) DO UPDATE SET count = count + excluded.count`,
    );
    // Prepared once, like the rest: a group of single-event calls runs these per call.
    const savepoint = this.statement('SAVEPOINT append_call');
    const release = this.statement('RELEASE append_call');
    const rollbackCall = this.statement('ROLLBACK TO append_call');
    const outcomes: CallOutcome<AppendResult[]>[] = [];
    // Rollups are counted per call and written once per group: a few upserts per transaction, not five per event.
    const groupTally = new RollupTally();
    db.exec('BEGIN IMMEDIATE');
    try {
      let head = this.readHead();
      const recordedAt = Date.now();
      for (const call of calls) {
        const headBefore = head;
        const callTally = new RollupTally();
        savepoint.run();
        try {
          const results: AppendResult[] = [];
          const conflicts: StoreConflict[] = [];
          /** incidents this call wrote already: later events of theirs chain onto the call's own (not checked) */
          const touched = new Set<string>();
          for (const event of call) {
            const existing = findById.get(event.id) as { seq: number; grid: string } | undefined;
            if (existing) {
              results.push({ id: event.id, seq: existing.seq, grid: existing.grid, duplicate: true });
              continue;
            }
            // The compare-and-set on the projection: under the write lock, so no writer can slip in between.
            if (event.expectedLastSeq !== undefined && !touched.has(event.incidentId)) {
              const actual = (lastSeqOf.get(event.incidentId) as { seq: number }).seq;
              if (actual !== event.expectedLastSeq) {
                conflicts.push({ index: event.index, incidentId: event.incidentId, expectedLastSeq: event.expectedLastSeq, actualLastSeq: actual });
              }
            }
            touched.add(event.incidentId);
            head += 1;
            insertEvent.run(head, event.id, event.type, event.incidentId, event.grid, event.at, recordedAt, event.payload);
            const row = event.projection;
            upsertIncident.run(row.id, row.grid, row.status, row.updatedAt, serialiseDoc(event));
            callTally.add(event);
            results.push({ id: event.id, seq: head, grid: event.grid, duplicate: false });
          }
          if (conflicts.length > 0) throw new StoreConflictError(conflicts);
          release.run();
          groupTally.merge(callTally);
          outcomes.push({ ok: true, value: results });
        } catch (error) {
          rollbackCall.run();
          release.run();
          head = headBefore;
          outcomes.push({ ok: false, error });
        }
      }
      for (const [area, day, type, count] of groupTally.entries()) addRollup.run(area, day, type, count);
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
    return outcomes;
  }

  private seqPage(from: number, to: number, range: GridRange | undefined, limit: number | undefined): StoredEvent[] {
    const rows = range
      ? (this.statement(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ? AND seq <= ? AND grid >= ? AND grid < ? ORDER BY seq LIMIT ?`).all(
          from,
          to,
          range.low,
          range.high,
          limit ?? -1,
        ) as EventRow[])
      : (this.statement(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`).all(from, to, limit ?? -1) as EventRow[]);
    return rows.map(rowToEvent);
  }

  private readHead(): number {
    const row = this.statement('SELECT coalesce(max(seq), 0) AS head FROM events').get() as { head: number };
    return row.head;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
    if (!this.initialised) throw new Error(`the event store at ${this.options.path} is not initialised: call init() first`);
  }
}

function rowToEvent(row: EventRow): StoredEvent {
  return toStoredEvent(JSON.parse(row.payload) as object, row.seq, row.recorded_at, row.grid);
}

function rowToIncident(row: IncidentDbRow): IncidentRow {
  return { id: row.id, grid: row.grid, status: row.status, updatedAt: row.updated_at, doc: JSON.parse(row.doc) as unknown };
}
