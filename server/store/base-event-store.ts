/**
 * What both backends do the same way, written once: checking append() input and queueing it for group commit, the
 * seq-range reads and their paging, the lookups by many ids (one incident's row included), the checkpoint's argument
 * checks and the open/closed guard. A backend supplies its transaction (`commitGroup`) and its queries; each may answer
 * synchronously (better-sqlite3) or with a promise (pg).
 */
import type { StoredEvent } from '../../protocol/events';
import { gridRangeOf, type GridRange } from './area';
import { checkLimit, checkLiveAt, checkSeq, prepareBatch, type PreparedEvent } from './append-input';
import { StoreClosedError, StoreInputError } from './errors';
import type { AppendResult, EventToAppend, IncidentRow, SeqRangeStreamOptions, StoredEventRef } from './event-store';
import { GroupCommitQueue, type CallOutcome } from './group-commit';

/** Events per page of `streamSeqRange` unless the caller asks otherwise. */
const DEFAULT_PAGE_SIZE = 5000;

type MaybePromise<T> = T | Promise<T>;

export abstract class BaseEventStore {
  protected closed = false;
  protected initialised = false;
  private readonly queue: GroupCommitQueue<PreparedEvent[], AppendResult[]>;

  /**
   * @param maxGroupEvents the most events one group transaction takes on (see GroupCommitQueue's limits)
   * @param description how errors name this store, e.g. `the event store at data/events.sqlite`
   */
  constructor(
    maxGroupEvents: number,
    private readonly description: string,
  ) {
    this.queue = new GroupCommitQueue<PreparedEvent[], AppendResult[]>((calls) => this.commitGroup(calls), {
      maxWeight: maxGroupEvents,
      weigh: (call) => call.length,
    });
  }

  /** Writes one group of append() calls in one transaction; each call is all-or-nothing on its own. */
  protected abstract commitGroup(calls: PreparedEvent[][]): MaybePromise<CallOutcome<AppendResult[]>[]>;
  /** The highest committed seq (0 when empty). */
  protected abstract readHead(): MaybePromise<number>;
  /** Events with from < seq ≤ to in seq order, within `range` when given, at most `limit`. */
  protected abstract seqPage(from: number, to: number, range: GridRange | undefined, limit: number | undefined): MaybePromise<StoredEvent[]>;
  /** Seq and grid of the stored events among `ids` (already checked). */
  protected abstract eventRefs(ids: string[]): MaybePromise<StoredEventRef[]>;
  /** Projection rows, with lastSeq, of the stored incidents among `ids` (already checked). */
  protected abstract incidentRows(ids: string[]): MaybePromise<IncidentRow[]>;
  /** Ids, ascending, of the incidents live at `at` (see EventStore.incidentsLiveAt), within `range` and among `ids` when given (already checked). */
  protected abstract liveIds(at: number, endedSince: number, range: GridRange | undefined, ids: string[] | undefined): MaybePromise<string[]>;

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

  async findEvents(ids: readonly string[]): Promise<Map<string, StoredEventRef>> {
    this.assertOpen();
    const refs = ids.length === 0 ? [] : await this.eventRefs(checkIds(ids));
    return new Map(refs.map((ref) => [ref.id, ref]));
  }

  /** One incident's projection row, with `lastSeq`: the many-id lookup for a single id. */
  async getIncident(id: string): Promise<IncidentRow | undefined> {
    this.assertOpen();
    const [row] = await this.incidentRows([id]);
    return row;
  }

  async getIncidents(ids: readonly string[]): Promise<Map<string, IncidentRow>> {
    this.assertOpen();
    const rows = ids.length === 0 ? [] : await this.incidentRows(checkIds(ids));
    return new Map(rows.map((row) => [row.id, row]));
  }

  async incidentsLiveAt(at: number, endedSince: number, area: string, among?: readonly string[]): Promise<string[]> {
    this.assertOpen();
    checkLiveAt(at, endedSince);
    const range = gridRangeOf(area);
    const ids = among === undefined ? undefined : checkIds(among, 'among');
    return ids?.length === 0 ? [] : this.liveIds(at, endedSince, range, ids);
  }

  /** Checks saveCheckpoint's arguments against the head; the backend then writes `seq` and the returned bytes. */
  protected async checkCheckpoint(seq: number, state: Uint8Array): Promise<Buffer> {
    this.assertOpen();
    checkSeq(seq, 'seq');
    if (!(state instanceof Uint8Array)) throw new StoreInputError([{ field: 'state', reason: 'must be a Uint8Array' }]);
    const head = await this.readHead();
    if (seq > head) throw new StoreInputError([{ field: 'seq', reason: `must not be beyond the head of the log (${head})` }]);
    return Buffer.from(state.buffer, state.byteOffset, state.byteLength);
  }

  /** Marks the store closed and waits for every queued append to commit; the backend then releases its handle. */
  protected async closeQueue(): Promise<boolean> {
    if (this.closed) return false;
    this.closed = true;
    await this.queue.drain();
    return true;
  }

  protected assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
    if (!this.initialised) throw new Error(`${this.description} is not initialised: call init() first`);
  }
}

/** Ids for a many-id lookup: an array of non-empty strings, each named by its index when it is not. */
function checkIds(ids: readonly string[], field = 'ids'): string[] {
  if (!Array.isArray(ids)) throw new StoreInputError([{ field, reason: 'must be an array of ids' }]);
  const bad = ids.flatMap((id, i) => (typeof id === 'string' && id.length > 0 ? [] : [{ field: `${field}[${i}]`, reason: 'must be a non-empty string' }]));
  if (bad.length > 0) throw new StoreInputError(bad);
  return [...new Set(ids)];
}
