/**
 * The PostgreSQL write path: one group of append() calls (see ../group-commit.ts) per transaction, under the lock
 * on `event_head` that makes seq gap-free and ordered by commit across nodes (see postgres-event-store.ts).
 */
import type pg from 'pg';
import { findConflicts, RollupTally, serialiseDoc, type PreparedEvent } from '../append-input';
import { StoreConflictError } from '../errors';
import type { AppendResult } from '../event-store';
import type { CallOutcome } from '../group-commit';
import { quoteSchema } from './migrations';

/** The store's tables, qualified with their schema. */
export interface Tables {
  head: string;
  events: string;
  incidents: string;
  rollups: string;
  checkpoints: string;
}

export function tablesIn(schema: string): Tables {
  const q = quoteSchema(schema);
  return { head: `${q}.event_head`, events: `${q}.events`, incidents: `${q}.incidents`, rollups: `${q}.rollups`, checkpoints: `${q}.checkpoints` };
}

export class PostgresGroupWriter {
  constructor(
    private readonly pool: pg.Pool,
    private readonly t: Tables,
  ) {}

  /**
   * Writes one group of append() calls in one transaction. The fast path writes the whole group with one statement
   * per table (a handful of round trips however many calls). If that fails, one call is bad: the transaction is
   * rolled back and the group written again with each call in its own savepoint, so only the bad call fails.
   */
  async commitGroup(calls: PreparedEvent[][]): Promise<CallOutcome<AppendResult[]>[]> {
    try {
      const written = await this.transaction(async (client, head, recordedAt) => {
        const all = await this.writeCalls(client, calls, head, recordedAt);
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
          const written = await this.writeCalls(client, [call], head, recordedAt);
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

  /**
   * Writes the events of one or more calls (set-based: one statement per table), returning their acks in order and
   * the new head. Throws StoreConflictError when an `expectedLastSeq` does not hold (nothing is written then).
   */
  private async writeCalls(client: pg.PoolClient, calls: PreparedEvent[][], head: number, recordedAt: number) {
    const call = calls.flat();
    const callOf = calls.flatMap((events, k) => events.map(() => k));
    const existing = await client.query<{ id: string; seq: string; grid: string }>(
      `SELECT id, seq, grid FROM ${this.t.events} WHERE id = ANY($1::text[])`,
      [call.map((event) => event.id)],
    );
    const known = new Map(existing.rows.map((row) => [row.id, { seq: Number(row.seq), grid: row.grid }]));
    const results: AppendResult[] = [];
    const fresh: { event: PreparedEvent; seq: number; call: number }[] = [];
    for (const [position, event] of call.entries()) {
      const original = known.get(event.id);
      if (original) {
        results.push({ id: event.id, seq: original.seq, grid: original.grid, duplicate: true });
        continue;
      }
      head += 1;
      known.set(event.id, { seq: head, grid: event.grid });
      fresh.push({ event, seq: head, call: callOf[position] as number });
      results.push({ id: event.id, seq: head, grid: event.grid, duplicate: false });
    }
    if (fresh.length === 0) return { results, head };

    // The compare-and-set on the incident projection, under the head lock: no other writer can commit meanwhile.
    const expecting = [...new Set(fresh.filter((f) => f.event.expectedLastSeq !== undefined).map((f) => f.event.incidentId))];
    if (expecting.length > 0) {
      const last = await client.query<{ incident_id: string; seq: string }>(
        `SELECT incident_id, max(seq) AS seq FROM ${this.t.events} WHERE incident_id = ANY($1::text[]) GROUP BY incident_id`,
        [expecting],
      );
      const lastSeq = new Map(last.rows.map((row) => [row.incident_id, Number(row.seq)]));
      const conflicts = findConflicts(fresh, (id) => lastSeq.get(id) ?? 0);
      if (conflicts.length > 0) throw new StoreConflictError(conflicts);
    }

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
}
