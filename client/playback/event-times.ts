/**
 * The `at` of every event of a range, kept per streamed chunk (4 bytes an event, one small typed array per chunk, so
 * no allocation grows with the range): what "step to the next / previous event" needs when a range is too large to
 * keep its events (windowed playback, protocol/history-api.ts). The detailed timeline answers the same questions from
 * its chunks with `nextAtAfter` and `previousAtBefore`.
 *
 * @example
 * ```ts
 * const times = new EventTimes();
 * await loadHistory(range, (chunk) => times.add(chunk), { details: false });
 * const next = times.nextEventAfter(t);
 * const previous = times.previousEventBefore(t);
 * ```
 */
import type { HistoryChunk } from '../../protocol/history-codec';

/** The part of a chunk that times need: its base, per-event offsets and bounds. */
export type ChunkTimes = Pick<HistoryChunk, 'count' | 'baseAt' | 'atOffset' | 'minAt' | 'maxAt'>;

/** The first event time after t among the chunks, or undefined when there is none. */
export function nextAtAfter(chunks: Iterable<ChunkTimes>, t: number): number | undefined {
  let next = Number.POSITIVE_INFINITY;
  for (const chunk of chunks) {
    if (chunk.maxAt <= t || chunk.minAt >= next) continue;
    for (let i = 0; i < chunk.count; i++) {
      const at = chunk.baseAt + chunk.atOffset[i]!;
      if (at > t && at < next) next = at;
    }
  }
  return Number.isFinite(next) ? next : undefined;
}

/** The last event time before t among the chunks, or undefined when there is none. */
export function previousAtBefore(chunks: Iterable<ChunkTimes>, t: number): number | undefined {
  let previous = Number.NEGATIVE_INFINITY;
  for (const chunk of chunks) {
    if (chunk.minAt >= t || chunk.maxAt <= previous) continue;
    for (let i = 0; i < chunk.count; i++) {
      const at = chunk.baseAt + chunk.atOffset[i]!;
      if (at < t && at > previous) previous = at;
    }
  }
  return Number.isFinite(previous) ? previous : undefined;
}

export class EventTimes {
  private readonly chunks: ChunkTimes[] = [];
  /** events added */
  count = 0;

  /** Keeps the chunk's `at` column (its own buffer: the rest of the chunk can be collected). */
  add(chunk: HistoryChunk): void {
    this.chunks.push({ count: chunk.count, baseAt: chunk.baseAt, atOffset: chunk.atOffset, minAt: chunk.minAt, maxAt: chunk.maxAt });
    this.count += chunk.count;
  }

  nextEventAfter(t: number): number | undefined {
    return nextAtAfter(this.chunks, t);
  }

  previousEventBefore(t: number): number | undefined {
    return previousAtBefore(this.chunks, t);
  }

  /** Bytes of the kept columns. */
  get bytes(): number {
    return this.chunks.reduce((n, c) => n + c.atOffset.byteLength, 0);
  }
}
