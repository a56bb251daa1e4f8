/**
 * Group commit. Every append() call that arrives within one turn of the event loop (or while the previous commit
 * is still in flight) joins one transaction; each call resolves only after that transaction has committed. One
 * fsync then covers many callers, which is what makes "ack only after durable" affordable under load.
 *
 * Each call keeps its own all-or-nothing guarantee: the backend writes each call inside a savepoint, so one bad
 * call is rolled back and rejected while the others in the same group commit.
 */

/** What a backend's commit reports for one call of the group. */
export type CallOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Writes a group of calls in one transaction and answers each call's outcome once it has committed. */
export type CommitGroup<T, R> = (calls: T[]) => Promise<CallOutcome<R>[]> | CallOutcome<R>[];

interface Pending<T, R> {
  call: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

export interface GroupLimits<T> {
  /** The most work one transaction takes on (a call heavier than this still commits, alone). */
  maxWeight: number;
  /** The weight of one call, e.g. its number of events. */
  weigh: (call: T) => number;
}

export class GroupCommitQueue<T, R> {
  private queue: Pending<T, R>[] = [];
  private scheduled = false;
  private inFlight: Promise<void> | undefined;

  /**
   * @param limits caps a group: a synchronous backend (better-sqlite3) blocks the event loop for the whole
   *   transaction, so under a flood the group is split and other work runs between the parts.
   */
  constructor(
    private readonly commitGroup: CommitGroup<T, R>,
    private readonly limits?: GroupLimits<T>,
  ) {}

  /** Queues one call; resolves with its result after the commit that carried it. */
  submit(call: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ call, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once every call submitted so far has been committed (or rejected). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight || this.scheduled) {
      if (this.inFlight) await this.inFlight;
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    // setImmediate, not a microtask: it lets every append() of the current turn, including those issued from
    // I/O callbacks in the same poll phase, join this group.
    setImmediate(() => {
      this.scheduled = false;
      this.inFlight = this.flush().finally(() => {
        this.inFlight = undefined;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private takeGroup(): Pending<T, R>[] {
    if (!this.limits) return this.queue.splice(0);
    let weight = 0;
    let count = 0;
    for (const pending of this.queue) {
      weight += this.limits.weigh(pending.call);
      if (count > 0 && weight > this.limits.maxWeight) break;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async flush(): Promise<void> {
    const group = this.takeGroup();
    if (group.length === 0) return;
    let outcomes: CallOutcome<R>[];
    try {
      outcomes = await this.commitGroup(group.map((p) => p.call));
    } catch (error) {
      // The group transaction itself failed (connection lost, disk full): nothing of it committed.
      for (const pending of group) pending.reject(error);
      return;
    }
    group.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (!outcome) pending.reject(new Error('group commit returned no outcome for a call'));
      else if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }
}
