/**
 * The `/live` Socket.IO protocol between the relay and screens. Third-party screens rely on it: keep it stable
 * and documented in README.md.
 *
 * 1. Connect to namespace `/live` with `auth: { token }` (no token needed on a loopback bind).
 * 2. Emit `subscribe` with `{ area, sinceSeq? }` and an ack callback.
 *    - Without `sinceSeq` (or when it is too old to replay) the server sends one `snapshot`, then `events`.
 *    - With `sinceSeq` it sends exactly the events after it, as `events` batches, then live batches.
 * 3. `events` batches arrive every ~50–100 ms. `fromSeq`/`toSeq` is the range of the global log the batch covers;
 *    `events` holds those of the range inside the subscribed area (possibly none). Keep `toSeq` as your position and
 *    send it as `sinceSeq` on reconnect: you get every missed event exactly once.
 * 4. A screen that falls too far behind gets a fresh `snapshot` instead of its backlog.
 */
import type { RecentChange } from './recent-changes';
import { z } from 'zod';
import { AreaCodeSchema, type StoredEvent } from './events';

export const SubscribeSchema = z.object({
  area: AreaCodeSchema,
  sinceSeq: z.number().int('must be a whole number').min(0, 'must be ≥ 0').optional(),
});
export type SubscribeRequest = z.infer<typeof SubscribeSchema>;

export interface EventBatch {
  fromSeq: number;
  toSeq: number;
  events: StoredEvent[];
}

/** `state` is the reducer's serialised state for the area, as of `seq` (see protocol/reducer.ts). */
export interface Snapshot<State = unknown> {
  area: string;
  seq: number;
  /** Server time, epoch ms, when the snapshot was taken (clients use it to estimate clock skew). */
  serverTime: number;
  reason: 'subscribe' | 'resume-too-old' | 'overflow';
  state: State;
  /**
   * The latest changes in the area that led to `state`, latest first (at most TICKER_LENGTH,
   * protocol/recent-changes.ts): each event with the case as it left it, so a freshly loaded wall's ticker starts
   * with events, as it would have shown them, rather than with each case's latest state. Fewer, or none, right after
   * the server started or when the area is quiet.
   */
  recent?: RecentChange[];
}

/** The ack type of every client → server event, as in socket.io's basic-crud `Response<T>`. */
export type Response<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string; field?: string } };

export interface SubscribeResult {
  area: string;
  /** `snapshot` when a snapshot follows, `resume` when missed events follow. */
  mode: 'snapshot' | 'resume';
  /** The head seq of the log at subscribe time. */
  headSeq: number;
}

export interface ServerToClientEvents {
  snapshot: (snapshot: Snapshot) => void;
  events: (batch: EventBatch) => void;
}

export interface ClientToServerEvents {
  subscribe: (request: SubscribeRequest, ack: (response: Response<SubscribeResult>) => void) => void;
}

export const LIVE_NAMESPACE = '/live';
