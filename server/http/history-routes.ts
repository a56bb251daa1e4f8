/**
 * History for playback and integrators, with the same scope rules as live (a reader sees only its areas):
 *
 * - `GET /api/v1/history?from&to&area` — the events of a range:
 *   - `format=columns` (or `Accept: application/vnd.gridwatch.history`): the binary columnar stream of
 *     protocol/history-codec.ts, written one frame per store page, so the first frame leaves before the store has
 *     read the last page. The whole range, no paging; `limit` caps it.
 *   - `format=arrow`: one Arrow IPC stream per page (server/http/history-format.ts), paged with `afterSeq`.
 *   - JSON (default): small ranges and integrators, paged with `afterSeq` / `nextAfterSeq`.
 * - `GET /api/v1/history/aggregate?from&to&area&bucket` — counts per time bucket (the timeline histogram) and per
 *   grid (the cumulative choropleth), computed by one pass over the range.
 */
import { Router, type Request, type Response } from 'express';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { z } from 'zod';
import { AreaCodeSchema, type StoredEvent } from '../../protocol/events';
import { HistoryEncoder, HISTORY_COLUMNS_TYPE } from '../../protocol/history-codec';
import type { Access } from '../auth/access';
import type { EventStore } from '../store/event-store';
import { badRequest } from './errors';
import { ARROW_STREAM_TYPE, encodeHistory } from './history-format';
import { assertInScope, parseQuery, principalOf, requireReader } from './guards';

/** An instant: ISO 8601 or epoch ms. */
const Instant = z.union([
  z.string().regex(/^\d{1,15}$/).transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
], { message: 'must be an ISO 8601 time with offset or epoch milliseconds' });

const WholeNumber = z.string().regex(/^\d{1,15}$/, 'must be a whole number').transform(Number);

export const HistoryQuery = z
  .object({
    from: Instant,
    to: Instant,
    area: AreaCodeSchema.default('city'),
    afterSeq: WholeNumber.optional(),
    limit: WholeNumber.optional(),
    /** `json` (default), `arrow` (paged Arrow IPC) or `columns` (the chunked binary stream) */
    format: z.enum(['json', 'arrow', 'columns'], { message: 'must be json, arrow or columns' }).optional(),
  })
  .refine((q) => q.from <= q.to, { message: 'must not be after `to`', path: ['from'] });

export const HistoryAggregateQuery = z
  .object({
    from: Instant,
    to: Instant,
    area: AreaCodeSchema.default('city'),
    /** bucket width in ms (default: the range split into 240 buckets) */
    bucket: WholeNumber.pipe(z.number().min(1_000, 'must be ≥ 1000 ms')).optional(),
  })
  .refine((q) => q.from <= q.to, { message: 'must not be after `to`', path: ['from'] })
  .refine((q) => (q.to - q.from) / (q.bucket ?? Math.max(1_000, Math.ceil((q.to - q.from + 1) / 240))) <= 10_000, {
    message: 'must make at most 10000 buckets over the range',
    path: ['bucket'],
  });

/** JSON and Arrow pages: at most this many events (the columns stream has no page limit). */
export const HISTORY_DEFAULT_LIMIT = 10_000;
export const HISTORY_MAX_PAGE = 50_000;
/** Events per frame of the columns stream (one store page). */
export const HISTORY_FRAME_EVENTS = 5_000;
const gzipAsync = promisify(gzip);

/** Per time bucket and per grid: how many incidents were reported, closed, whistled in the range. */
export interface HistoryAggregate {
  from: number;
  to: number;
  area: string;
  bucketMs: number;
  /** per bucket i (starting at from + i·bucketMs): every event, and reports */
  events: number[];
  reported: number[];
  /** per grid code: reported, closed, cancelled, whistles, ratings and their sum of satisfaction (mean = sum / ratings) */
  grids: Record<string, { reported: number; closed: number; cancelled: number; whistles: number; ratings: number; satisfactionSum: number }>;
}

export interface HistoryRouteDeps {
  access: Access;
  store: EventStore;
}

/** Pages through a time range in seq order without holding it all. */
async function* pages(store: EventStore, query: { from: number; to: number; area: string }, pageSize: number, max = Number.POSITIVE_INFINITY, startAfterSeq?: number): AsyncGenerator<StoredEvent[]> {
  let afterSeq = startAfterSeq;
  let left = max;
  while (left > 0) {
    const limit = Math.min(pageSize, left);
    const page = await store.readTimeRange({ ...query, ...(afterSeq !== undefined ? { afterSeq } : {}), limit });
    if (page.length === 0) return;
    yield page;
    left -= page.length;
    if (page.length < limit) return;
    afterSeq = page[page.length - 1]!.seq;
  }
}

export function historyRoutes({ access, store }: HistoryRouteDeps): Router {
  const router = Router();
  const reader = requireReader(access);

  router.get('/api/v1/history/aggregate', reader, async (req, res) => {
    const query = parseQuery(req, HistoryAggregateQuery);
    assertInScope(principalOf(res), query.area);
    const bucketMs = query.bucket ?? Math.max(1_000, Math.ceil((query.to - query.from + 1) / 240));
    const buckets = Math.floor((query.to - query.from) / bucketMs) + 1;
    const aggregate: HistoryAggregate = { from: query.from, to: query.to, area: query.area, bucketMs, events: new Array<number>(buckets).fill(0), reported: new Array<number>(buckets).fill(0), grids: {} };
    for await (const page of pages(store, query, HISTORY_FRAME_EVENTS)) {
      for (const event of page) {
        const bucket = Math.floor((Date.parse(event.at) - query.from) / bucketMs);
        aggregate.events[bucket] = (aggregate.events[bucket] ?? 0) + 1;
        const grid = (aggregate.grids[event.grid] ??= { reported: 0, closed: 0, cancelled: 0, whistles: 0, ratings: 0, satisfactionSum: 0 });
        if (event.type === 'incident.reported') {
          aggregate.reported[bucket] = (aggregate.reported[bucket] ?? 0) + 1;
          grid.reported += 1;
        } else if (event.type === 'incident.closed') grid.closed += 1;
        else if (event.type === 'incident.cancelled') grid.cancelled += 1;
        else if (event.type === 'incident.whistled') grid.whistles += 1;
        else if (event.type === 'incident.rated') {
          grid.ratings += 1;
          grid.satisfactionSum += event.satisfaction;
        }
      }
    }
    res.json(aggregate);
  });

  router.get('/api/v1/history', reader, async (req: Request, res: Response) => {
    const query = parseQuery(req, HistoryQuery);
    assertInScope(principalOf(res), query.area);
    const wanted = query.format ?? (req.accepts(['application/json', ARROW_STREAM_TYPE, HISTORY_COLUMNS_TYPE]) || 'json');
    if (wanted === 'columns' || wanted === HISTORY_COLUMNS_TYPE) {
      await streamColumns(store, query, res);
      return;
    }
    const limit = query.limit ?? HISTORY_DEFAULT_LIMIT;
    if (limit < 1 || limit > HISTORY_MAX_PAGE) throw badRequest(`limit: must be 1–${HISTORY_MAX_PAGE} for a JSON or Arrow page`, [{ field: 'limit', reason: `must be 1–${HISTORY_MAX_PAGE} for a JSON or Arrow page` }]);
    const events = await store.readTimeRange({ from: query.from, to: query.to, area: query.area, ...(query.afterSeq !== undefined ? { afterSeq: query.afterSeq } : {}), limit });
    const last = events[events.length - 1];
    const nextAfterSeq = events.length === limit && last ? last.seq : null;
    const gzipWanted = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    res.set('Vary', 'Accept, Accept-Encoding');
    if (wanted === 'arrow' || wanted === ARROW_STREAM_TYPE) {
      const bytes = encodeHistory(events);
      res.set('X-Next-After-Seq', nextAfterSeq === null ? '' : String(nextAfterSeq));
      res.type(ARROW_STREAM_TYPE);
      if (gzipWanted) {
        res.set('Content-Encoding', 'gzip');
        res.send(await gzipAsync(bytes));
      } else res.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return;
    }
    const body = JSON.stringify({
      from: new Date(query.from).toISOString(),
      to: new Date(query.to).toISOString(),
      area: query.area,
      events,
      /** pass as `afterSeq` for the next page; null when this was the last */
      nextAfterSeq,
    });
    res.type('application/json');
    if (gzipWanted) {
      res.set('Content-Encoding', 'gzip');
      res.send(await gzipAsync(body));
    } else res.send(body);
  });
  return router;
}

/**
 * Writes the range as GWHC frames, one per store page, waiting for the socket to drain between frames. Not gzipped
 * (yet): gzip would cut the wire about 5× (bench/results/history.json) but must flush per frame to keep the first
 * frame early.
 */
async function streamColumns(store: EventStore, query: z.infer<typeof HistoryQuery>, res: Response): Promise<void> {
  const encoder = new HistoryEncoder();
  res.status(200);
  res.type(HISTORY_COLUMNS_TYPE);
  res.set('Vary', 'Accept');
  res.set('Cache-Control', 'no-store');
  res.flushHeaders();
  let aborted = false;
  res.on('close', () => {
    aborted = !res.writableEnded;
  });
  const range = { from: query.from, to: query.to, area: query.area };
  for await (const page of pages(store, range, HISTORY_FRAME_EVENTS, query.limit, query.afterSeq)) {
    if (aborted) return;
    const frame = encoder.encodeFrame(page);
    if (!res.write(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength))) {
      await new Promise<void>((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
    }
  }
  res.end();
}
