/**
 * Follows the shared event log, for several server nodes on one PostgreSQL store. Each node applies every event
 * of the log, whichever node ingested it, in seq order, to its live state and relays it to its screens. Its own
 * commits poke the follower so that they are relayed without waiting for the next poll.
 *
 * This relies on the store's guarantee that seq order is commit order with no gap (the PostgreSQL store takes a
 * lock on the seq counter inside the transaction), so reading `seq > cursor` can never skip an event that commits
 * later with a lower seq.
 */
import type { StoredEvent } from '../../protocol/events';
import type { Logger } from '../ops/logger';
import type { EventStore } from '../store/event-store';

const PAGE = 5_000;

export interface LogFollowerDeps {
  store: EventStore;
  /** Poll interval when nothing pokes it, ms. */
  intervalMs: number;
  /** Receives each page of new events, in seq order. */
  apply(events: StoredEvent[]): void;
  logger: Logger;
}

/** Polls the log for events after its cursor. */
export class LogFollower {
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly deps: LogFollowerDeps) {}

  /** Starts following after `fromSeq`. */
  start(fromSeq: number): void {
    this.cursor = fromSeq;
    this.timer = setInterval(() => this.poke(), this.deps.intervalMs);
    this.timer.unref();
  }

  /** The last seq applied. */
  get position(): number {
    return this.cursor;
  }

  /** Reads now (or right after the read in progress). */
  poke(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err: unknown) => this.deps.logger.error({ err }, 'log follower read failed; retrying'))
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Stops polling after a last read, so that everything committed so far is applied. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    this.again = false;
    await this.drain().catch((err: unknown) => this.deps.logger.error({ err }, 'final log read failed'));
  }

  private async drain(): Promise<void> {
    for (;;) {
      this.again = false;
      const page = await this.deps.store.readSeqRange(this.cursor, undefined, undefined, PAGE);
      const last = page[page.length - 1];
      if (last) {
        this.cursor = last.seq;
        this.deps.apply(page);
      }
      if (page.length < PAGE && !this.again) return;
    }
  }
}
