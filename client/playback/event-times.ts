/**
 * The `at` and grid of every event of a range, kept per streamed chunk (6 bytes an event while the stream's grid
 * table is under 65,536 grids, 8 above; small typed arrays per chunk, so no allocation grows with the range): what
 * "step to the next / previous event" needs when a range is too large to keep its events (windowed playback,
 * protocol/history-api.ts), in the whole range or in the area the desk is on (a `GridFilter` over the stream's grid
 * table). The detailed timeline answers the same questions from its
 * chunks with `nextAtAfter` and `previousAtBefore`.
 *
 * @example
 * ```ts
 * const times = new EventTimes();
 * await loadHistory(range, (chunk, tables) => { times.add(chunk); grids = tables.grids; }, { details: false });
 * const next = times.nextEventAfter(t);
 * const previous = times.previousEventBefore(t, gridsIn(grids, '530102'));
 * ```
 */
import type { HistoryChunk } from '../../protocol/history-codec';

/** The part of a chunk that times need: its base, per-event offsets and grids, and bounds. */
export type ChunkTimes = Pick<HistoryChunk, 'count' | 'baseAt' | 'atOffset' | 'minAt' | 'maxAt'> & { readonly grid: Uint16Array | Uint32Array };

/** Which events a step may land on, by the index of the event's grid in the stream's grid table. */
export type GridFilter = (gridIndex: number) => boolean;

/** The events in `area` (a code prefix): each grid of the table is tested once. */
export function gridsIn(grids: readonly string[], area: string): GridFilter {
  const known: boolean[] = [];
  return (i) => (known[i] ??= grids[i]?.startsWith(area) ?? false);
}

/** The first event time after t among the chunks (of an event `accept` takes), or undefined when there is none. */
export function nextAtAfter(chunks: Iterable<ChunkTimes>, t: number, accept?: GridFilter): number | undefined {
  let next = Number.POSITIVE_INFINITY;
  for (const chunk of chunks) {
    if (chunk.maxAt <= t || chunk.minAt >= next) continue;
    for (let i = 0; i < chunk.count; i++) {
      const at = chunk.baseAt + chunk.atOffset[i]!;
      if (at > t && at < next && (!accept || accept(chunk.grid[i]!))) next = at;
    }
  }
  return Number.isFinite(next) ? next : undefined;
}

/** The last event time before t among the chunks (of an event `accept` takes), or undefined when there is none. */
export function previousAtBefore(chunks: Iterable<ChunkTimes>, t: number, accept?: GridFilter): number | undefined {
  let previous = Number.NEGATIVE_INFINITY;
  for (const chunk of chunks) {
    if (chunk.minAt >= t || chunk.maxAt <= previous) continue;
    for (let i = 0; i < chunk.count; i++) {
      const at = chunk.baseAt + chunk.atOffset[i]!;
      if (at < t && at > previous && (!accept || accept(chunk.grid[i]!))) previous = at;
    }
  }
  return Number.isFinite(previous) ? previous : undefined;
}

export class EventTimes {
  private readonly chunks: ChunkTimes[] = [];
  /** events added */
  count = 0;

  /**
   * Keeps the chunk's `at` column (its own buffer: the rest of the chunk can be collected) and its grid column, in 16
   * bits when every index fits (a city's grids number in the thousands).
   */
  add(chunk: HistoryChunk): void {
    const grid = chunk.grid.every((i) => i < 65_536) ? Uint16Array.from(chunk.grid) : chunk.grid;
    this.chunks.push({ count: chunk.count, baseAt: chunk.baseAt, atOffset: chunk.atOffset, grid, minAt: chunk.minAt, maxAt: chunk.maxAt });
    this.count += chunk.count;
  }

  nextEventAfter(t: number, accept?: GridFilter): number | undefined {
    return nextAtAfter(this.chunks, t, accept);
  }

  previousEventBefore(t: number, accept?: GridFilter): number | undefined {
    return previousAtBefore(this.chunks, t, accept);
  }

  /** Bytes of the kept columns. */
  get bytes(): number {
    return this.chunks.reduce((n, c) => n + c.atOffset.byteLength + c.grid.byteLength, 0);
  }
}
