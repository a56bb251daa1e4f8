/**
 * Streams a history range from `GET /api/v1/history?format=columns` and hands each decoded chunk over as soon as its
 * frame is complete, so the first frame draws before the last byte arrives. The aggregate (timeline histogram and
 * per-grid counts) comes from `GET /api/v1/history/aggregate`.
 *
 * @example
 * ```ts
 * await loadHistory({ from, to, area: 'city', signal }, (chunk, tables) => timeline.add(chunk, tables));
 * ```
 */
import { HistoryDecoder, HISTORY_COLUMNS_TYPE, type HistoryChunk, type HistoryTables } from '../../protocol/history-codec';

export interface HistoryRange {
  /** epoch ms, inclusive */
  from: number;
  /** epoch ms, inclusive */
  to: number;
  area: string;
  /** screen token (not needed on a loopback server) */
  token?: string | null;
  signal?: AbortSignal;
}

/** What `GET /api/v1/history/aggregate` answers (server/http/history-routes.ts). */
export interface HistoryAggregate {
  from: number;
  to: number;
  area: string;
  bucketMs: number;
  events: number[];
  reported: number[];
  grids: Record<string, { reported: number; closed: number; cancelled: number; whistles: number; ratings: number; satisfactionSum: number }>;
}

export interface LoadResult {
  events: number;
  /** bytes received (after HTTP decompression) */
  bytes: number;
  chunks: number;
}

function headers(token: string | null | undefined, accept: string): HeadersInit {
  return token ? { accept, authorization: `Bearer ${token}` } : { accept };
}

async function failure(res: Response, what: string): Promise<Error> {
  let reason = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    if (body.error?.message) reason = body.error.message;
  } catch {
    // not JSON: keep the status line
  }
  return new Error(`${what}: ${reason}`);
}

/** Streams the range; `onChunk` runs once per frame, in order. Rejects with the server's reason on a refusal. */
export async function loadHistory(range: HistoryRange, onChunk: (chunk: HistoryChunk, tables: HistoryTables) => void): Promise<LoadResult> {
  const query = new URLSearchParams({ from: String(range.from), to: String(range.to), area: range.area, format: 'columns' });
  const res = await fetch(`/api/v1/history?${query}`, { headers: headers(range.token, HISTORY_COLUMNS_TYPE), ...(range.signal ? { signal: range.signal } : {}) });
  if (!res.ok || !res.body) throw await failure(res, 'history');
  const decoder = new HistoryDecoder();
  const reader = res.body.getReader();
  let events = 0;
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const chunk of decoder.push(value)) {
      events += chunk.count;
      chunks += 1;
      onChunk(chunk, decoder.tables);
    }
  }
  decoder.end();
  return { events, bytes: decoder.bytes, chunks };
}

/** The histogram and per-grid counts of a range. */
export async function loadAggregate(range: HistoryRange, bucketMs?: number): Promise<HistoryAggregate> {
  const query = new URLSearchParams({ from: String(range.from), to: String(range.to), area: range.area });
  if (bucketMs !== undefined) query.set('bucket', String(bucketMs));
  const res = await fetch(`/api/v1/history/aggregate?${query}`, { headers: headers(range.token, 'application/json'), ...(range.signal ? { signal: range.signal } : {}) });
  if (!res.ok) throw await failure(res, 'history aggregate');
  return (await res.json()) as HistoryAggregate;
}
