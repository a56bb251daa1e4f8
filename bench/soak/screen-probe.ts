/**
 * One soak screen: a real socket.io client on `/live` that records which seqs it received (a bitmap, so a 30-minute
 * run at 500 events/s stays small), duplicates, gaps in the batch chain, delivery latency, and the time each
 * resume takes after a simulated network drop.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, EventBatch, ServerToClientEvents, Snapshot } from '../../protocol/live';
import { LatencyHistogram } from './latency-histogram';

export interface ScreenTally {
  area: string;
  received: number;
  duplicates: number;
  /** batches whose fromSeq was not the previous toSeq + 1 */
  chainBreaks: number;
  /** snapshots after the first (an overflow or a resume that came too late): each one may hide a gap */
  extraSnapshots: number;
  /** why each extra snapshot came: `overflow` (a slow screen), `resume-too-old`, `subscribe` */
  extraSnapshotReasons: Record<string, number>;
  reconnects: number;
  /** subscribe acks that were not ok */
  refusedSubscribes: number;
}

/** A screen; `head()` tells it the highest acknowledged seq, so it can time how long a resume takes to catch up. */
export class ScreenProbe {
  readonly tally: ScreenTally;
  position = 0;
  private seen: Uint8Array;
  private socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private snapshots = 0;
  private resume: { startedAt: number; target: number } | undefined;
  private ready: Promise<void>;

  constructor(
    url: string,
    readonly area: string,
    private readonly latency: LatencyHistogram,
    private readonly resumeLatency: LatencyHistogram,
    private readonly head: () => number,
    expectedEvents: number,
  ) {
    this.tally = { area, received: 0, duplicates: 0, chainBreaks: 0, extraSnapshots: 0, extraSnapshotReasons: {}, reconnects: 0, refusedSubscribes: 0 };
    this.seen = new Uint8Array(Math.max(1024, expectedEvents));
    this.socket = io(`${url}/live`, { transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket.on('snapshot', (snapshot) => this.onSnapshot(snapshot));
    this.socket.on('events', (batch) => this.onBatch(batch));
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect_error', reject);
      this.socket.once('snapshot', () => resolve());
    });
    this.socket.on('connect', () => this.subscribe());
  }

  /** Resolves once the first snapshot arrived. */
  subscribed(): Promise<void> {
    return this.ready;
  }

  /** True when this seq was received. */
  has(seq: number): boolean {
    return seq < this.seen.length && this.seen[seq] === 1;
  }

  /** A network drop: the socket goes away for `ms`, then reconnects and resumes from its position. */
  drop(ms: number): Promise<void> {
    this.socket.disconnect();
    return new Promise((resolve) => {
      setTimeout(() => {
        this.tally.reconnects++;
        this.resume = { startedAt: Date.now(), target: this.head() };
        this.socket.connect();
        resolve();
      }, ms);
    });
  }

  close(): void {
    this.socket.close();
  }

  private subscribe(): void {
    // After the first snapshot, position 0 (an empty log) is a position like any other: resume from it.
    const request = this.snapshots > 0 ? { area: this.area, sinceSeq: this.position } : { area: this.area };
    this.socket.emit('subscribe', request, (result) => {
      if (!result.ok) this.tally.refusedSubscribes++;
    });
  }

  private onSnapshot(snapshot: Snapshot): void {
    this.snapshots++;
    if (this.snapshots > 1) {
      this.tally.extraSnapshots++;
      this.tally.extraSnapshotReasons[snapshot.reason] = (this.tally.extraSnapshotReasons[snapshot.reason] ?? 0) + 1;
    }
    this.position = snapshot.seq;
  }

  private onBatch(batch: EventBatch): void {
    const now = Date.now();
    if (batch.fromSeq !== this.position + 1) this.tally.chainBreaks++;
    for (const event of batch.events) {
      this.grow(event.seq);
      if (this.seen[event.seq] === 1) {
        this.tally.duplicates++;
        continue;
      }
      this.seen[event.seq] = 1;
      this.tally.received++;
      this.latency.record(now - Date.parse(event.at));
    }
    this.position = Math.max(this.position, batch.toSeq);
    if (this.resume && this.position >= this.resume.target) {
      this.resumeLatency.record(now - this.resume.startedAt);
      this.resume = undefined;
    }
  }

  private grow(seq: number): void {
    if (seq < this.seen.length) return;
    const bigger = new Uint8Array(Math.max(seq + 1, this.seen.length * 2));
    bigger.set(this.seen);
    this.seen = bigger;
  }
}
