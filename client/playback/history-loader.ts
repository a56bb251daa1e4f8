/**
 * Streams a history range from `GET /api/v1/history?format=columns` and hands each decoded chunk over as soon as its
 * frame is complete, so the first frame draws before the last byte arrives. The aggregate (timeline histogram and
 * per-grid counts, and the range's total, from which playback picks its mode) comes from
 * `GET /api/v1/history/aggregate`; the server's state at t for windowed playback from `GET /api/v1/history/state`.
 *
 * @example
 * ```ts
 * await loadHistory({ from, to, area: 'city', signal }, (chunk, tables) => timeline.add(chunk, tables));
 * ```
 */
import type { ErrorBody } from '../../protocol/events';
import type { HistoryAggregate, HistoryCount, HistoryStateAnswer } from '../../protocol/history-api';
import { HistoryDecoder, HISTORY_COLUMNS_TYPE, type HistoryChunk, type HistoryTables } from '../../protocol/history-codec';
import { DeskApiError } from '../desk/desk-api';

export type { HistoryAggregate } from '../../protocol/history-api';

export interface HistoryRange {
  /** epoch ms, inclusive */
  from: number;
  /** epoch ms, inclusive */
  to: number;
  area: string;
  /** screen token (not needed on a loopback server) */
  token?: string | null;
  signal?: AbortSignal;
  /** the server's origin (default: the page's own, for tests and tools outside a page) */
  origin?: string;
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

/**
 * The server's refusal as a DeskApiError: its status, cause and field codes let the bar word it in the page's
 * language (desk/error-text.ts); the message keeps `what` and the server's own reason, for logs.
 */
async function failure(res: Response, what: string): Promise<DeskApiError> {
  let error: Partial<ErrorBody['error']> | undefined;
  try {
    error = ((await res.json()) as Partial<ErrorBody>).error;
  } catch {
    // not JSON: keep the status line
  }
  return DeskApiError.of(res.status, error, `${res.status} ${res.statusText}`, `${what}: `);
}

export interface LoadOptions {
  /**
   * Ask for the events' details and keep the incident ids (default true). Windowed playback sets it false: the
   * stream then carries the columns only, and the decoder keeps no id strings.
   */
  details?: boolean;
}

/** Streams the range; `onChunk` runs once per frame, in order. Rejects with the server's reason on a refusal. */
export async function loadHistory(range: HistoryRange, onChunk: (chunk: HistoryChunk, tables: HistoryTables) => void, options: LoadOptions = {}): Promise<LoadResult> {
  const details = options.details ?? true;
  // carry=1: the cases open when the range starts, and the counters of its first day, come first (server: carriedIn)
  const query = new URLSearchParams({ from: String(range.from), to: String(range.to), area: range.area, format: 'columns', carry: '1' });
  if (!details) query.set('details', '0');
  const res = await fetch(`${range.origin ?? ''}/api/v1/history?${query}`, { headers: headers(range.token, HISTORY_COLUMNS_TYPE), ...(range.signal ? { signal: range.signal } : {}) });
  if (!res.ok || !res.body) throw await failure(res, 'history');
  const decoder = new HistoryDecoder({ incidentIds: details });
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

/** GET a JSON answer of the history API; a refusal throws with the server's reason, naming `what`. */
async function getJson<T>(range: HistoryRange, path: string, query: URLSearchParams, what: string): Promise<T> {
  const res = await fetch(`${range.origin ?? ''}${path}?${query}`, { headers: headers(range.token, 'application/json'), ...(range.signal ? { signal: range.signal } : {}) });
  if (!res.ok) throw await failure(res, what);
  return (await res.json()) as T;
}

/** The histogram and per-grid counts of a range. */
export function loadAggregate(range: HistoryRange, bucketMs?: number): Promise<HistoryAggregate> {
  const query = new URLSearchParams({ from: String(range.from), to: String(range.to), area: range.area });
  if (bucketMs !== undefined) query.set('bucket', String(bucketMs));
  return getJson(range, '/api/v1/history/aggregate', query, 'history aggregate');
}

/** The server's reducer state at `at` (folded from `range.from`, the cases open then carried in) and the events of the `windowMs` after it. */
export function loadHistoryState(range: HistoryRange, at: number, windowMs: number): Promise<HistoryStateAnswer> {
  const query = new URLSearchParams({ from: String(range.from), at: String(at), area: range.area, window: String(Math.max(0, Math.floor(windowMs))), carry: '1' });
  return getJson(range, '/api/v1/history/state', query, 'history state');
}

/** At most how many events the carried-in range holds (the server sums per-day rollups and adds the carried-in events). */
export function loadCount(range: HistoryRange): Promise<HistoryCount> {
  const query = new URLSearchParams({ from: String(range.from), to: String(range.to), area: range.area, carry: '1' });
  return getJson(range, '/api/v1/history/count', query, 'history count');
}
