/**
 * The event store on PostgreSQL, for several relay nodes sharing one log (used when DATABASE_URL is set).
 *
 * Seq under concurrent writers: every write transaction first locks the single row of `event_head`
 * (`SELECT … FOR UPDATE`) and holds it until COMMIT. Writers on all nodes therefore commit one after another, each
 * numbering its events head + 1, head + 2, …, so seq order is commit order and a reader never sees seq n + 1
 * before n (a plain sequence would allow that, and a resuming screen would skip n for good). A rollback restores
 * the counter, so there is never a gap. The cost is that writes are serial across nodes; group commit keeps that
 * to one short transaction per tick per node, and reads never take the lock.
 *
 * Idempotency: ids are UNIQUE; under the head lock a writer sees every committed id, so a retried id answers its
 * original seq and grid and writes nothing.
 */
import pg from 'pg';
import type { StoredEvent } from '../../../protocol/events';
import { gridRangeOf, type GridRange } from '../area';
import { checkLimit, checkSeq, checkTime, toStoredEvent, type PreparedEvent } from '../append-input';
import { BaseEventStore } from '../base-event-store';
import type { AppendResult, EventStore, IncidentRow, RollupRow, StoredEventRef, TimeRangeQuery } from '../event-store';
import type { CallOutcome } from '../group-commit';
import { checkDay } from '../rollup-day';
import { withDefaultUser } from './connection';
import { PostgresGroupWriter, tablesIn, type Tables } from './group-writer';
import { migrate } from './migrations';

export interface PostgresEventStoreOptions {
  connectionString: string;
  /** Schema holding the tables (default `public`). */
  schema?: string | undefined;
  /** Pool size (default 10). */
  maxConnections?: number;
}

interface EventRow {
  seq: string;
  grid: string;
  recorded_at: string;
  payload: object;
}

interface IncidentDbRow {
  id: string;
  grid: string;
  status: string;
  updated_at: string;
  doc: unknown;
}

const EVENT_COLUMNS = 'seq, grid, recorded_at, payload';
/** Keeps the array parameters of one transaction, and the time it holds the head lock, bounded. */
const MAX_GROUP_EVENTS = 10_000;

/**
 * @example
 * ```ts
 * const store = new PostgresEventStore({ connectionString: process.env.DATABASE_URL! });
 * await store.init();
 * ```
 */
export class PostgresEventStore extends BaseEventStore implements EventStore {
  readonly backend = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly t: Tables;
  private readonly writer: PostgresGroupWriter;

  constructor(options: PostgresEventStoreOptions) {
    super(MAX_GROUP_EVENTS, 'the PostgreSQL event store');
    this.schema = options.schema ?? 'public';
    this.t = tablesIn(this.schema);
    this.pool = new pg.Pool({
      connectionString: withDefaultUser(options.connectionString),
      max: options.maxConnections ?? 10,
    });
    this.writer = new PostgresGroupWriter(this.pool, this.t);
    // An idle client losing its connection must not crash the process; the next query gets a fresh one.
    this.pool.on('error', () => undefined);
  }

  async init(): Promise<void> {
    if (this.initialised) return;
    const client = await this.pool.connect();
    try {
      await migrate(client, this.schema);
    } finally {
      client.release();
    }
    this.initialised = true;
  }

  async readTimeRange(query: TimeRangeQuery): Promise<StoredEvent[]> {
    this.assertOpen();
    const from = checkTime(query.from, 'from');
    const to = checkTime(query.to, 'to');
    const after = query.afterSeq === undefined ? 0 : checkSeq(query.afterSeq, 'afterSeq');
    const limit = checkLimit(query.limit) ?? null;
    const range = gridRangeOf(query.area);
    const result = range
      ? await this.pool.query<EventRow>(
          `SELECT ${EVENT_COLUMNS} FROM ${this.t.events}
           WHERE grid >= $1 AND grid < $2 AND at BETWEEN $3 AND $4 AND seq > $5 ORDER BY seq LIMIT $6`,
          [range.low, range.high, from, to, after, limit],
        )
      : await this.pool.query<EventRow>(
          `SELECT ${EVENT_COLUMNS} FROM ${this.t.events} WHERE at BETWEEN $1 AND $2 AND seq > $3 ORDER BY seq LIMIT $4`,
          [from, to, after, limit],
        );
    return result.rows.map(rowToEvent);
  }

  async getEvent(id: string): Promise<StoredEvent | undefined> {
    this.assertOpen();
    const result = await this.pool.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM ${this.t.events} WHERE id = $1`, [id]);
    const row = result.rows[0];
    return row && rowToEvent(row);
  }

  async incidentEvents(incidentId: string): Promise<StoredEvent[]> {
    this.assertOpen();
    const result = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.t.events} WHERE incident_id = $1 ORDER BY seq`,
      [incidentId],
    );
    return result.rows.map(rowToEvent);
  }

  async openIncidents(area: string): Promise<IncidentRow[]> {
    this.assertOpen();
    const range = gridRangeOf(area);
    const open = `status NOT IN ('closed', 'cancelled')`;
    const result = range
      ? await this.pool.query<IncidentDbRow>(
          `SELECT * FROM ${this.t.incidents} WHERE grid >= $1 AND grid < $2 AND ${open} ORDER BY id COLLATE "C"`,
          [range.low, range.high],
        )
      : await this.pool.query<IncidentDbRow>(`SELECT * FROM ${this.t.incidents} WHERE ${open} ORDER BY id COLLATE "C"`);
    return result.rows.map(rowToIncident);
  }

  protected async liveIds(at: number, endedSince: number, range: GridRange | undefined, ids: string[] | undefined): Promise<string[]> {
    // an incident not ended has no end time: it counts as ending never
    const params: unknown[] = [at, endedSince];
    const where = [`(doc->>'reportedAt')::float8 < $1 AND (updated_at >= $1 OR coalesce((doc->>'closedAt')::float8, (doc->>'cancelledAt')::float8, 'Infinity') >= $2)`];
    if (range) where.push(`grid >= $${params.push(range.low)} AND grid < $${params.push(range.high)}`);
    if (ids) where.push(`id = ANY($${params.push(ids)}::text[])`);
    const result = await this.pool.query<{ id: string }>(`SELECT id FROM ${this.t.incidents} WHERE ${where.join(' AND ')} ORDER BY id COLLATE "C"`, params);
    return result.rows.map((row) => row.id);
  }

  async rollups(area: string, fromDay: string, toDay: string): Promise<RollupRow[]> {
    this.assertOpen();
    gridRangeOf(area);
    const result = await this.pool.query<{ area: string; day: string; type: RollupRow['type']; count: string }>(
      `SELECT area, day, type, count FROM ${this.t.rollups}
       WHERE area = $1 AND day BETWEEN $2 AND $3 ORDER BY day, type COLLATE "C"`,
      [area, checkDay(fromDay, 'fromDay'), checkDay(toDay, 'toDay')],
    );
    return result.rows.map((row) => ({ area: row.area, day: row.day, type: row.type, count: Number(row.count) }));
  }

  async saveCheckpoint(seq: number, state: Uint8Array): Promise<void> {
    const bytes = await this.checkCheckpoint(seq, state);
    // "Newest" is by seq: a slow node saving an older checkpoint must not replace a newer one.
    await this.pool.query(
      `INSERT INTO ${this.t.checkpoints} AS c (slot, seq, state, saved_at) VALUES (1, $1, $2, $3)
       ON CONFLICT (slot) DO UPDATE SET seq = excluded.seq, state = excluded.state, saved_at = excluded.saved_at
       WHERE excluded.seq >= c.seq`,
      [seq, bytes, Date.now()],
    );
  }

  async loadCheckpoint(): Promise<{ seq: number; state: Uint8Array } | undefined> {
    this.assertOpen();
    const result = await this.pool.query<{ seq: string; state: Buffer }>(`SELECT seq, state FROM ${this.t.checkpoints} WHERE slot = 1`);
    const row = result.rows[0];
    return row && { seq: Number(row.seq), state: new Uint8Array(row.state.buffer, row.state.byteOffset, row.state.byteLength) };
  }

  async close(): Promise<void> {
    if (!(await this.closeQueue())) return;
    await this.pool.end();
  }

  protected commitGroup(calls: PreparedEvent[][]): Promise<CallOutcome<AppendResult[]>[]> {
    return this.writer.commitGroup(calls);
  }

  protected async eventRefs(ids: string[]): Promise<StoredEventRef[]> {
    const result = await this.pool.query<{ id: string; seq: string; grid: string }>(
      `SELECT id, seq, grid FROM ${this.t.events} WHERE id = ANY($1::text[])`,
      [ids],
    );
    return result.rows.map((row) => ({ id: row.id, seq: Number(row.seq), grid: row.grid }));
  }

  protected async incidentRows(ids: string[]): Promise<IncidentRow[]> {
    // One statement, one snapshot: each row and its last seq agree (what a compare-and-set needs).
    const result = await this.pool.query<IncidentDbRow & { last_seq: string }>(
      `SELECT i.*, (SELECT coalesce(max(seq), 0) FROM ${this.t.events} WHERE incident_id = i.id) AS last_seq
       FROM ${this.t.incidents} i WHERE i.id = ANY($1::text[])`,
      [ids],
    );
    return result.rows.map((row) => ({ ...rowToIncident(row), lastSeq: Number(row.last_seq) }));
  }

  protected async seqPage(from: number, to: number, range: GridRange | undefined, limit: number | undefined): Promise<StoredEvent[]> {
    const result = range
      ? await this.pool.query<EventRow>(
          `SELECT ${EVENT_COLUMNS} FROM ${this.t.events}
           WHERE seq > $1 AND seq <= $2 AND grid >= $3 AND grid < $4 ORDER BY seq LIMIT $5`,
          [from, to, range.low, range.high, limit ?? null],
        )
      : await this.pool.query<EventRow>(
          `SELECT ${EVENT_COLUMNS} FROM ${this.t.events} WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
          [from, to, limit ?? null],
        );
    return result.rows.map(rowToEvent);
  }

  /** The committed head: the counter only moves at COMMIT, so every seq up to it is readable. */
  protected async readHead(): Promise<number> {
    const result = await this.pool.query<{ seq: string }>(`SELECT seq FROM ${this.t.head} WHERE singleton`);
    return Number(result.rows[0]?.seq ?? 0);
  }
}

function rowToEvent(row: EventRow): StoredEvent {
  return toStoredEvent(row.payload, Number(row.seq), Number(row.recorded_at), row.grid);
}

function rowToIncident(row: IncidentDbRow): IncidentRow {
  return { id: row.id, grid: row.grid, status: row.status, updatedAt: Number(row.updated_at), doc: row.doc };
}
