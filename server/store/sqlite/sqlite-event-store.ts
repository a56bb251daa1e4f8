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
 *
 * Write cost: what an append costs is mostly pages: every page a transaction touches is written whole to the WAL
 * (and checksummed, and fsynced), and later copied back into the database by a checkpoint. So a group is written
 * without savepoints (a savepoint copies each page it first touches into a sub-journal as well); only when a call
 * of the group fails is the group rolled back and written again with a savepoint per call. Checkpoints run every
 * WAL_AUTOCHECKPOINT_PAGES pages rather than SQLite's 1,000: the pages every commit touches (the log's last page,
 * the time index's last page, the rollups, the B-tree roots) are then copied back once per checkpoint, not once per
 * few commits.
 */
import Database from 'better-sqlite3';
import type { StoredEvent } from '../../../protocol/events';
import { gridRangeOf, type GridRange } from '../area';
import { checkLimit, checkSeq, checkTime, RollupTally, serialiseDoc, toStoredEvent, type PreparedEvent } from '../append-input';
import { BaseEventStore } from '../base-event-store';
import { StoreConflictError, type StoreConflict } from '../errors';
import type { AppendResult, EventStore, IncidentRow, RollupRow, StoredEventRef, TimeRangeQuery } from '../event-store';
import type { CallOutcome } from '../group-commit';
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
  last_seq: number;
}

const EVENT_COLUMNS = 'seq, grid, recorded_at, payload';
const INCIDENT_COLUMNS = 'id, grid, status, updated_at, doc, last_seq';
/** About 0.1–0.3 s of event-loop time per transaction at most (measured in bench/store-restart.bench.ts). */
const MAX_GROUP_EVENTS = 4000;
/** WAL pages between automatic checkpoints (about 40 MB of WAL; SQLite's default is 1,000). */
const WAL_AUTOCHECKPOINT_PAGES = 10_000;

/**
 * @example
 * ```ts
 * const store = new SqliteEventStore({ path: 'data/events.sqlite' });
 * await store.init();
 * const [ack] = await store.append([{ event, grid, projection }]);
 * ```
 */
export class SqliteEventStore extends BaseEventStore implements EventStore {
  readonly backend = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(options: SqliteEventStoreOptions) {
    super(MAX_GROUP_EVENTS, `the event store at ${options.path}`);
    this.db = new Database(options.path);
  }

  async init(): Promise<void> {
    if (this.initialised) return;
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // Another process holding the write lock (a second node on the same file, a backup) is waited for, not failed.
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -8192');
    this.db.pragma('mmap_size = 268435456');
    this.db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    // The sub-journals of the savepoint path and statement journals stay in memory, not in temporary files.
    this.db.pragma('temp_store = MEMORY');
    migrate(this.db);
    this.initialised = true;
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
    // The incident's row lists its seqs (schema.ts, migration 2): a few lookups by primary key.
    const rows = this.statement(
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE seq IN (SELECT value FROM json_each('[' || (SELECT seqs FROM incidents WHERE id = ?) || ']')) ORDER BY seq`,
    ).all(incidentId) as EventRow[];
    return rows.map(rowToEvent);
  }

  async openIncidents(area: string): Promise<IncidentRow[]> {
    this.assertOpen();
    const range = gridRangeOf(area);
    const open = `status NOT IN ('closed', 'cancelled')`;
    const rows = range
      ? (this.statement(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE grid >= ? AND grid < ? AND ${open} ORDER BY id`).all(range.low, range.high) as IncidentDbRow[])
      : (this.statement(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE ${open} ORDER BY id`).all() as IncidentDbRow[]);
    return rows.map(({ last_seq: _, ...row }) => rowToIncident(row));
  }

  protected liveIds(at: number, endedSince: number, range: GridRange | undefined, ids: string[] | undefined): string[] {
    // an incident not ended has no end time: it counts as ending never
    const live = `json_extract(doc, '$.reportedAt') < ? AND (updated_at >= ? OR coalesce(json_extract(doc, '$.closedAt'), json_extract(doc, '$.cancelledAt'), ${Number.MAX_SAFE_INTEGER}) >= ?)`;
    const where = [range ? 'grid >= ? AND grid < ?' : '', ids ? 'id IN (SELECT value FROM json_each(?))' : '', live].filter(Boolean).join(' AND ');
    const params = [...(range ? [range.low, range.high] : []), ...(ids ? [JSON.stringify(ids)] : []), at, at, endedSince];
    const rows = this.statement(`SELECT id FROM incidents WHERE ${where} ORDER BY id`).all(...params) as Array<{ id: string }>;
    return rows.map((row) => row.id);
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
    const bytes = await this.checkCheckpoint(seq, state);
    // "Newest" is by seq: a slow writer of an older checkpoint must not replace a newer one.
    this.statement(
      `INSERT INTO checkpoints (slot, seq, state, saved_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (slot) DO UPDATE SET seq = excluded.seq, state = excluded.state, saved_at = excluded.saved_at
       WHERE excluded.seq >= checkpoints.seq`,
    ).run(seq, bytes, Date.now());
  }

  async loadCheckpoint(): Promise<{ seq: number; state: Uint8Array } | undefined> {
    this.assertOpen();
    const row = this.statement('SELECT seq, state FROM checkpoints WHERE slot = 1').get() as { seq: number; state: Buffer } | undefined;
    return row && { seq: row.seq, state: new Uint8Array(row.state.buffer, row.state.byteOffset, row.state.byteLength) };
  }

  async close(): Promise<void> {
    if (!(await this.closeQueue())) return;
    // Lets SQLite refresh the statistics its query planner uses, cheaply, as its documentation advises at close.
    if (this.initialised) this.db.pragma('optimize');
    this.db.close();
  }

  /**
   * Writes one group of append() calls in one transaction. First without savepoints; if a call fails, that
   * transaction is rolled back and the group written again with each call inside its own savepoint, so only the
   * failing call fails (a group of one call just fails).
   */
  protected commitGroup(calls: PreparedEvent[][]): CallOutcome<AppendResult[]>[] {
    const outcomes = this.writeGroup(calls, false);
    if (outcomes.every((outcome) => outcome.ok) || calls.length === 1) return outcomes;
    return this.writeGroup(calls, true);
  }

  /**
   * One group transaction. Without `savepoints`, the first failing call rolls back the whole transaction and is
   * the only outcome returned with `ok: false` (the caller then writes the group again with savepoints).
   */
  private writeGroup(calls: PreparedEvent[][], savepoints: boolean): CallOutcome<AppendResult[]>[] {
    const db = this.db;
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
        const callTally = new RollupTally();
        if (savepoints) savepoint.run();
        try {
          const results = this.writeCall(call, head, recordedAt, callTally);
          if (savepoints) release.run();
          head += results.reduce((fresh, result) => fresh + (result.duplicate ? 0 : 1), 0);
          groupTally.merge(callTally);
          outcomes.push({ ok: true, value: results });
        } catch (error) {
          if (!savepoints) {
            db.exec('ROLLBACK');
            return [{ ok: false, error }];
          }
          rollbackCall.run();
          release.run();
          outcomes.push({ ok: false, error });
        }
      }
      const addRollup = this.statement(
        `INSERT INTO rollups (area, day, type, count) VALUES (?, ?, ?, ?)
         ON CONFLICT (area, day, type) DO UPDATE SET count = count + excluded.count`,
      );
      for (const [area, day, type, count] of groupTally.entries()) addRollup.run(area, day, type, count);
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
    return outcomes;
  }

  /** Writes one append() call's events after `head`; throws (leaving the caller to roll back) when the call fails. */
  private writeCall(call: PreparedEvent[], head: number, recordedAt: number, tally: RollupTally): AppendResult[] {
    const findById = this.statement('SELECT seq, grid FROM events WHERE id = ?');
    // A retried id meets the UNIQUE index: the insert writes nothing, and only then is the original looked up.
    const insertEvent = this.statement(
      `INSERT INTO events (seq, id, type, incident_id, grid, at, recorded_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    );
    const lastSeqOf = this.statement('SELECT last_seq FROM incidents WHERE id = ?');
    // The projection row also keeps the incident's seqs and its last seq (see schema.ts, migration 2).
    const upsertIncident = this.statement(
      `INSERT INTO incidents (id, grid, status, updated_at, doc, last_seq, seqs) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET grid = excluded.grid, status = excluded.status, updated_at = excluded.updated_at,
         doc = excluded.doc, last_seq = excluded.last_seq,
         seqs = CASE incidents.seqs WHEN '' THEN excluded.seqs ELSE incidents.seqs || ',' || excluded.seqs END`,
    );
    const results: AppendResult[] = [];
    const conflicts: StoreConflict[] = [];
    /** incidents this call wrote already: later events of theirs chain onto the call's own (not checked) */
    const touched = new Set<string>();
    let seq = head;
    for (const event of call) {
      if (insertEvent.run(seq + 1, event.id, event.type, event.incidentId, event.grid, event.at, recordedAt, event.payload).changes === 0) {
        const existing = findById.get(event.id) as { seq: number; grid: string };
        results.push({ id: event.id, seq: existing.seq, grid: existing.grid, duplicate: true });
        continue;
      }
      // The compare-and-set on the projection: under the write lock, so no writer can slip in between.
      if (event.expectedLastSeq !== undefined && !touched.has(event.incidentId)) {
        const actual = (lastSeqOf.get(event.incidentId) as { last_seq: number } | undefined)?.last_seq ?? 0;
        if (actual !== event.expectedLastSeq) {
          conflicts.push({ index: event.index, incidentId: event.incidentId, expectedLastSeq: event.expectedLastSeq, actualLastSeq: actual });
        }
      }
      touched.add(event.incidentId);
      seq += 1;
      const row = event.projection;
      upsertIncident.run(row.id, row.grid, row.status, row.updatedAt, serialiseDoc(event), seq, String(seq));
      tally.add(event);
      results.push({ id: event.id, seq, grid: event.grid, duplicate: false });
    }
    if (conflicts.length > 0) throw new StoreConflictError(conflicts);
    return results;
  }

  protected eventRefs(ids: string[]): StoredEventRef[] {
    return this.statement('SELECT id, seq, grid FROM events WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as StoredEventRef[];
  }

  protected incidentRows(ids: string[]): IncidentRow[] {
    // Each row carries its last seq (written in the same statement as the rest): they always agree.
    const rows = this.statement(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id IN (SELECT value FROM json_each(?))`).all(
      JSON.stringify(ids),
    ) as IncidentDbRow[];
    return rows.map((row) => ({ ...rowToIncident(row), lastSeq: row.last_seq }));
  }

  protected seqPage(from: number, to: number, range: GridRange | undefined, limit: number | undefined): StoredEvent[] {
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

  protected readHead(): number {
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
}

function rowToEvent(row: EventRow): StoredEvent {
  return toStoredEvent(JSON.parse(row.payload) as object, row.seq, row.recorded_at, row.grid);
}

function rowToIncident(row: Omit<IncidentDbRow, 'last_seq'>): IncidentRow {
  return { id: row.id, grid: row.grid, status: row.status, updatedAt: row.updated_at, doc: JSON.parse(row.doc) as unknown };
}
