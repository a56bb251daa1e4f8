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
import { StoreClosedError, StoreInputError } from '../errors';
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
import { withDefaultUser } from './connection';
import { migrate, quoteSchema } from './migrations';

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
const DEFAULT_PAGE_SIZE = 5000;

/**
 * @example
 * ```ts
 * const store = new PostgresEventStore({ connectionString: process.env.DATABASE_URL! });
 * await store.init();
 * ```
 */
export class PostgresEventStore implements EventStore {
  readonly backend = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly t: { head: string; events: string; incidents: string; rollups: string; checkpoints: string };
  private readonly queue = new GroupCommitQueue<PreparedEvent[], AppendResult[]>((calls) => this.commitGroup(calls));
  private closed = false;
  private initialised = false;

  constructor(options: PostgresEventStoreOptions) {
    this.schema = options.schema ?? 'public';
    const q = quoteSchema(this.schema);
    this.t = { head: `${q}.event_head`, events: `${q}.events`, incidents: `${q}.incidents`, rollups: `${q}.rollups`, checkpoints: `${q}.checkpoints` };
    this.pool = new pg.Pool({
      connectionString: withDefaultUser(options.connectionString),
      max: options.maxConnections ?? 10,
    });
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
    const range = gridRangeOf(options.area, 'options.area');
    const pageSize = checkLimit(options.pageSize, 'options.pageSize') ?? DEFAULT_PAGE_SIZE;
    const to = toSeqInclusive === undefined ? await this.readHead() : checkSeq(toSeqInclusive, 'toSeqInclusive');
    while (from < to) {
      this.assertOpen();
      const page = await this.seqPage(from, to, range, pageSize);
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

  async getIncident(id: string): Promise<IncidentRow | undefined> {
    this.assertOpen();
    const result = await this.pool.query<IncidentDbRow>(`SELECT * FROM ${this.t.incidents} WHERE id = $1`, [id]);
    const row = result.rows[0];
    return row && rowToIncident(row);
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
    this.assertOpen();
    checkSeq(seq, 'seq');
    if (!(state instanceof Uint8Array)) throw new StoreInputError([{ field: 'state', reason: 'must be a Uint8Array' }]);
    const head = await this.readHead();
    if (seq > head) throw new StoreInputError([{ field: 'seq', reason: `must not be beyond the head of the log (${head})` }]);
    // "Newest" is by seq: a slow node saving an older checkpoint must not replace a newer one.
    await this.pool.query(
      `INSERT INTO ${this.t.checkpoints} AS c (slot, seq, state, saved_at) VALUES (1, $1, $2, $3)
       ON CONFLICT (slot) DO UPDATE SET seq = excluded.seq, state = excluded.state, saved_at = excluded.saved_at
       WHERE excluded.seq >= c.seq`,
      [seq, Buffer.from(state.buffer, state.byteOffset, state.byteLength), Date.now()],
    );
  }

  async loadCheckpoint(): Promise<{ seq: number; state: Uint8Array } | undefined> {
    this.assertOpen();
    const result = await this.pool.query<{ seq: string; state: Buffer }>(`SELECT seq, state FROM ${this.t.checkpoints} WHERE slot = 1`);
    const row = result.rows[0];
    return row && { seq: Number(row.seq), state: new Uint8Array(row.state.buffer, row.state.byteOffset, row.state.byteLength) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.drain();
    await this.pool.end();
  }

  /**
   * Writes one group of append() calls in one transaction. The fast path writes the whole group with one statement
   * per table (a handful of round trips however many calls). If that fails, one call is bad: the transaction is
   * rolled back and the group written again with each call in its own savepoint, so only the bad call fails.
   */
  private async commitGroup(calls: PreparedEvent[][]): Promise<CallOutcome<AppendResult[]>[]> {
    try {
      const written = await this.transaction(async (client, head, recordedAt) => {
        const all = await this.writeCall(client, calls.flat(), head, recordedAt);
        let offset = 0;
        const outcomes = calls.map((call): CallOutcome<AppendResult[]> => {
          const value = all.results.slice(offset, offset + call.length);
          offset += call.length;
          return { ok: true, value };
        });
        return { outcomes, head: all.head };
      });
      return written;
    } catch (error) {
      if (calls.length === 1) return [{ ok: false, error }];
    }
    return this.transaction(async (client, startHead, recordedAt) => {
      let head = startHead;
      const outcomes: CallOutcome<AppendResult[]>[] = [];
      for (const call of calls) {
        await client.query('SAVEPOINT append_call');
        try {
          const written = await this.writeCall(client, call, head, recordedAt);
          head = written.head;
          await client.query('RELEASE SAVEPOINT append_call');
          outcomes.push({ ok: true, value: written.results });
        } catch (error) {
          await client.query('ROLLBACK TO SAVEPOINT append_call');
          await client.query('RELEASE SAVEPOINT append_call');
          outcomes.push({ ok: false, error });
        }
      }
      return { outcomes, head };
    });
  }

  /** Runs `write` in a transaction holding the head lock, stores the head it returns, and commits. */
  private async transaction<T>(
    write: (client: pg.PoolClient, head: number, recordedAt: number) => Promise<{ outcomes: T; head: number }>,
  ): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const locked = await client.query<{ seq: string }>(`SELECT seq FROM ${this.t.head} WHERE singleton FOR UPDATE`);
      const head = Number(locked.rows[0]?.seq ?? 0);
      const written = await write(client, head, Date.now());
      if (written.head !== head) await client.query(`UPDATE ${this.t.head} SET seq = $1 WHERE singleton`, [written.head]);
      await client.query('COMMIT');
      return written.outcomes;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError as Error;
      });
      throw error;
    } finally {
      // A client whose rollback failed has a broken connection: discard it rather than return it to the pool.
      client.release(broken);
    }
  }

  /** Writes one call's events (set-based: one statement per table), returning its acks and the new head. */
  private async writeCall(client: pg.PoolClient, call: PreparedEvent[], head: number, recordedAt: number) {
    const existing = await client.query<{ id: string; seq: string; grid: string }>(
      `SELECT id, seq, grid FROM ${this.t.events} WHERE id = ANY($1::text[])`,
      [call.map((event) => event.id)],
    );
    const known = new Map(existing.rows.map((row) => [row.id, { seq: Number(row.seq), grid: row.grid }]));
    const results: AppendResult[] = [];
    const fresh: { event: PreparedEvent; seq: number }[] = [];
    for (const event of call) {
      const original = known.get(event.id);
      if (original) {
        results.push({ id: event.id, seq: original.seq, grid: original.grid, duplicate: true });
        continue;
      }
      head += 1;
      known.set(event.id, { seq: head, grid: event.grid });
      fresh.push({ event, seq: head });
      results.push({ id: event.id, seq: head, grid: event.grid, duplicate: false });
    }
    if (fresh.length === 0) return { results, head };

    await client.query(
      `INSERT INTO ${this.t.events} (seq, id, type, incident_id, grid, at, recorded_at, payload)
       SELECT seq, id, type, incident_id, grid, at, $7, payload::json
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $8::text[])
         AS u(seq, id, type, incident_id, grid, at, payload)`,
      [
        fresh.map((f) => f.seq),
        fresh.map((f) => f.event.id),
        fresh.map((f) => f.event.type),
        fresh.map((f) => f.event.incidentId),
        fresh.map((f) => f.event.grid),
        fresh.map((f) => f.event.at),
        recordedAt,
        fresh.map((f) => f.event.payload),
      ],
    );

    // One upsert row per incident (the last event's projection wins): ON CONFLICT cannot touch a row twice.
    const latest = new Map<string, { event: PreparedEvent; doc: string }>();
    const tally = new RollupTally();
    for (const { event } of fresh) {
      latest.set(event.projection.id, { event, doc: serialiseDoc(event) });
      tally.add(event);
    }
    const rows = [...latest.values()];
    await client.query(
      `INSERT INTO ${this.t.incidents} (id, grid, status, updated_at, doc)
       SELECT id, grid, status, updated_at, doc::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
         AS u(id, grid, status, updated_at, doc)
       ON CONFLICT (id) DO UPDATE SET grid = excluded.grid, status = excluded.status, updated_at = excluded.updated_at, doc = excluded.doc`,
      [
        rows.map((r) => r.event.projection.id),
        rows.map((r) => r.event.projection.grid),
        rows.map((r) => r.event.projection.status),
        rows.map((r) => r.event.projection.updatedAt),
        rows.map((r) => r.doc),
      ],
    );
    const counts = tally.entries();
    await client.query(
      `INSERT INTO ${this.t.rollups} AS r (area, day, type, count)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
       ON CONFLICT (area, day, type) DO UPDATE SET count = r.count + excluded.count`,
      [counts.map((c) => c[0]), counts.map((c) => c[1]), counts.map((c) => c[2]), counts.map((c) => c[3])],
    );
    return { results, head };
  }

  private async seqPage(from: number, to: number, range: GridRange | undefined, limit: number | undefined): Promise<StoredEvent[]> {
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
  private async readHead(): Promise<number> {
    const result = await this.pool.query<{ seq: string }>(`SELECT seq FROM ${this.t.head} WHERE singleton`);
    return Number(result.rows[0]?.seq ?? 0);
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
    if (!this.initialised) throw new Error('the PostgreSQL event store is not initialised: call init() first');
  }
}

function rowToEvent(row: EventRow): StoredEvent {
  return toStoredEvent(row.payload, Number(row.seq), Number(row.recorded_at), row.grid);
}

function rowToIncident(row: IncidentDbRow): IncidentRow {
  return { id: row.id, grid: row.grid, status: row.status, updatedAt: Number(row.updated_at), doc: row.doc };
}
