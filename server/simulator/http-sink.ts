/**
 * A sink that posts event batches to a Gridwatch server's `POST /api/v1/events`, as any integrator would. Transient
 * failures (network errors, 429, 5xx) are retried with back-off, honouring Retry-After, so a batch is never skipped
 * (later events depend on it); a refused key or a malformed request stops the run with the server's message.
 */
import type { IncomingEvent, IngestResponse } from '../../protocol/events';
import type { Sink } from './simulator';

export interface HttpSinkOptions {
  /** server base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** the ingest key */
  key: string;
  /** called for events the server rejected (the simulator emits only legal events, so this means drift) */
  onRejected?: (rejections: Array<{ id: string | null; errors: Array<{ field: string; reason: string }> }>) => void;
  /** called before each retry */
  onRetry?: (reason: string, waitMs: number) => void;
  /** stops retrying (e.g. on Ctrl-C) */
  signal?: AbortSignal;
}

/** A fatal answer from the server: wrong key, malformed request. */
export class IngestRefusedError extends Error {
  constructor(readonly status: number, message: string) {
    super(`the server refused the batch (HTTP ${status}): ${message}`);
    this.name = 'IngestRefusedError';
  }
}

export function httpSink(options: HttpSinkOptions): Sink & { stats: { batches: number; stored: number; rejected: number; retries: number } } {
  const endpoint = new URL('/api/v1/events', options.url).toString();
  const stats = { batches: 0, stored: 0, rejected: 0, retries: 0 };
  const sink = async (events: IncomingEvent[]): Promise<void> => {
    const body = JSON.stringify({ events });
    for (let attempt = 0; ; attempt++) {
      options.signal?.throwIfAborted();
      let waitMs = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7));
      let reason: string;
      try {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${options.key}` },
          body,
          signal: options.signal ?? null,
        });
        if (response.ok) {
          const result = (await response.json()) as IngestResponse;
          stats.batches += 1;
          stats.stored += result.stored;
          stats.rejected += result.rejected;
          if (result.rejected > 0) {
            options.onRejected?.(result.acks.flatMap((ack) => (ack.status === 'rejected' ? [{ id: ack.id, errors: ack.errors }] : [])));
          }
          return;
        }
        const text = await response.text();
        if (response.status !== 429 && response.status < 500) throw new IngestRefusedError(response.status, messageOf(text));
        const retryAfter = Number(response.headers.get('retry-after'));
        if (Number.isFinite(retryAfter) && retryAfter > 0) waitMs = Math.min(60_000, retryAfter * 1000);
        reason = `HTTP ${response.status}: ${messageOf(text)}`;
      } catch (error) {
        if (error instanceof IngestRefusedError || options.signal?.aborted) throw error;
        reason = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
      }
      stats.retries += 1;
      options.onRetry?.(reason, waitMs);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  };
  return Object.assign(sink, { stats });
}

function messageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } };
    return parsed.error?.message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}
