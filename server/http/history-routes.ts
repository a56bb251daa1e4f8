/**
 * History for playback and integrators, with the same scope rules as live (a reader sees only its areas):
 *
 * - `GET /api/v1/history?from&to&area` — the events of a range:
 *   - `format=columns` (or `Accept: application/vnd.gridwatch.history`): the binary columnar stream of
 *     protocol/history-codec.ts, written one frame per store page, so the first frame leaves before the store has
 *     read the last page. The whole range, no paging; `limit` caps it.
 *   - `format=arrow`: one Arrow IPC stream per page (server/http/history-format.ts), paged with `afterSeq`.
 *   - JSON (default): small ranges and integrators, paged with `afterSeq` / `nextAfterSeq`.
 *   `details=0` leaves the events' detail JSON out (windowed playback needs the columns only). Gzipped when the
 *   client accepts it: one gzip stream, flushed (Z_SYNC_FLUSH) after every frame, so each frame still leaves
 *   whole as soon as it is encoded.
 * - `GET /api/v1/history/aggregate?from&to&area&bucket` — counts per time bucket (the timeline histogram) and per
 *   grid (the cumulative choropleth), and the range's total (playback picks its mode from it), computed by one pass
 *   over the range.
 * - `GET /api/v1/history/count?from&to&area` — at most how many events the range holds, from the per-day rollups of
 *   the days it touches (no pass over the events): playback picks its mode from it before it loads anything.
 * - `GET /api/v1/history/state?from&at&area&window` — the reducer's state at `at` folded by the server, and the
 *   window of events after it (history-state.ts, protocol/history-api.ts): windowed playback of a large range.
 */
import { Router, type Request, type Response } from 'express';
import { promisify } from 'node:util';
import { constants as zlibConstants, createGzip, gzip, type Gzip } from 'node:zlib';
import { z } from 'zod';
import { AreaCodeSchema, refinementCode, type FieldError, type StoredEvent } from '../../protocol/events';
import { HistoryEncoder, HISTORY_COLUMNS_TYPE } from '../../protocol/history-codec';
import { defaultBucketMs, HISTORY_STATE_MAX_WINDOW_MS, type GridAggregate, type HistoryAggregate, type HistoryCount } from '../../protocol/history-api';
import type { Access } from '../auth/access';
import type { EventStore } from '../store/event-store';
import { rollupDayOf } from '../store/rollup-day';
import { badRequest } from './errors';
import { ARROW_STREAM_TYPE, encodeHistory } from './history-format';
import { assertInScope, parseQuery, principalOf, requireReader } from './guards';
import { CarryCache, carriedIn, HistoryStateFolder, pages, type CarrySource } from './history-state';

export type { HistoryAggregate } from '../../protocol/history-api';

/** An instant: ISO 8601 or epoch ms. */
export const Instant = z.union([
  z.string().regex(/^\d{1,15}$/).transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
], { message: 'must be an ISO 8601 time with offset or epoch milliseconds' });

/** The query of a view that can be read as it stood at a past instant (the desk, a case): `at`, or now without it. */
export const AtQuery = z.object({ at: Instant.optional() });

/** How far ahead of the server's clock a `?at=` may be (a screen's clock runs a little fast): it reads as now. */
export const AT_SKEW_MS = 60_000;

/**
 * A `?at=` instant (the desk, search and a case as they stood then) as a past one: a little ahead of the server's
 * clock reads as now; further ahead is refused, naming the field.
 */
export function pastInstant(at: number, now = Date.now()): number {
  if (at > now + AT_SKEW_MS) {
    throw badRequest('at: must not be in the future', [
      { field: 'at', reason: 'must not be in the future', code: 'too_far_ahead', params: { minutes: String(AT_SKEW_MS / 60_000) } },
    ]);
  }
  return Math.min(at, now);
}

/** A `0` / `1` query switch. */
const Flag = z.enum(['0', '1'], { message: 'must be 0 or 1' });

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
    /** columns stream only: `0` leaves the events' details out */
    details: Flag.optional(),
    /** columns stream only: `1` carries in what the state at `from` needs (see carriedIn) */
    carry: Flag.optional(),
  })
  .refine((q) => q.from <= q.to, { message: 'must not be after `to`', path: ['from'], ...refinementCode('not_after', { other: 'to' }) })
  .refine((q) => q.carry !== '1' || (q.afterSeq === undefined && q.limit === undefined), { message: 'cannot be combined with afterSeq or limit', path: ['carry'], ...refinementCode('exclusive_with', { other: 'afterSeq, limit' }) });

export const HistoryAggregateQuery = z
  .object({
    from: Instant,
    to: Instant,
    area: AreaCodeSchema.default('city'),
    /** bucket width in ms (default: the range split into 240 buckets) */
    bucket: WholeNumber.pipe(z.number().min(1_000, 'must be ≥ 1000 ms')).optional(),
  })
  .refine((q) => q.from <= q.to, { message: 'must not be after `to`', path: ['from'], ...refinementCode('not_after', { other: 'to' }) })
  .refine((q) => (q.to - q.from) / (q.bucket ?? defaultBucketMs(q.from, q.to)) <= 10_000, {
    message: 'must make at most 10000 buckets over the range',
    path: ['bucket'],
    ...refinementCode('too_many', { maximum: '10000' }),
  });

export const HistoryCountQuery = z
  .object({
    from: Instant,
    to: Instant,
    area: AreaCodeSchema.default('city'),
    /** `1`: also count the events a carried-in stream adds before the range's first day (carriedEvents) */
    carry: Flag.optional(),
  })
  .refine((q) => q.from <= q.to, { message: 'must not be after `to`', path: ['from'], ...refinementCode('not_after', { other: 'to' }) });

export const HistoryStateQuery = z
  .object({
    from: Instant,
    at: Instant,
    area: AreaCodeSchema.default('city'),
    /** how far after `at` the window of events reaches, in ms (default 0: none; at most 31 days) */
    window: WholeNumber.pipe(z.number().max(HISTORY_STATE_MAX_WINDOW_MS, 'must be at most 31 days in ms')).default(0),
    /** `1`: the state carries in the cases open at `from`, as the columns stream's `carry=1` (carriedIn) */
    carry: Flag.optional(),
  })
  .refine((q) => q.from <= q.at, { message: 'must not be after `at`', path: ['from'], ...refinementCode('not_after', { other: 'at' }) });

/** JSON and Arrow pages: at most this many events (the columns stream has no page limit). */
export const HISTORY_DEFAULT_LIMIT = 10_000;
export const HISTORY_MAX_PAGE = 50_000;
/** Events per frame of the columns stream (one store page). */
export const HISTORY_FRAME_EVENTS = 5_000;
const gzipAsync = promisify(gzip);
const acceptsGzip = (req: Request) => /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');

/** Sends a whole body, gzipped when the client accepts it. */
async function sendMaybeGzipped(req: Request, res: Response, body: string | Buffer): Promise<void> {
  if (acceptsGzip(req)) {
    res.set('Content-Encoding', 'gzip');
    res.send(await gzipAsync(body));
  } else res.send(body);
}

export interface HistoryRouteDeps {
  access: Access;
  store: EventStore;
  /** the carried-in cases, shared with the desk's past views (server/http/search-routes.ts) */
  carry: CarryCache;
}

export function historyRoutes({ access, store, carry }: HistoryRouteDeps): Router {
  const router = Router();
  const reader = requireReader(access);
  // A playback asks for its count, then its stream (and, windowed, its states) carried in from the same day: the
  // carried-in cases are read once and brought up to date from the log after that.
  const folder = new HistoryStateFolder(store, { carried: carry.carried });

  router.get('/api/v1/history/aggregate', reader, async (req, res) => {
    const query = parseQuery(req, HistoryAggregateQuery);
    assertInScope(principalOf(res), query.area);
    const bucketMs = query.bucket ?? defaultBucketMs(query.from, query.to);
    const buckets = Math.floor((query.to - query.from) / bucketMs) + 1;
    const aggregate: HistoryAggregate = { from: query.from, to: query.to, area: query.area, bucketMs, total: 0, events: new Array<number>(buckets).fill(0), reported: new Array<number>(buckets).fill(0), grids: {} };
    for await (const page of pages(store, query, HISTORY_FRAME_EVENTS)) {
      aggregate.total += page.length;
      for (const event of page) {
        const bucket = Math.floor((Date.parse(event.at) - query.from) / bucketMs);
        aggregate.events[bucket] = (aggregate.events[bucket] ?? 0) + 1;
        const grid: GridAggregate = (aggregate.grids[event.grid] ??= { reported: 0, closed: 0, cancelled: 0, whistles: 0, ratings: 0, satisfactionSum: 0 });
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

  router.get('/api/v1/history/count', reader, async (req, res) => {
    const query = parseQuery(req, HistoryCountQuery);
    assertInScope(principalOf(res), query.area);
    const rows = await store.rollups(query.area, rollupDayOf(query.from), rollupDayOf(query.to));
    const carried = query.carry === '1' ? (await carry.carried(query.from, query.area)).earlier.length : 0;
    const answer: HistoryCount = { from: query.from, to: query.to, area: query.area, atMost: rows.reduce((n, row) => n + row.count, 0) + carried };
    res.json(answer);
  });

  router.get('/api/v1/history/state', reader, async (req, res) => {
    const query = parseQuery(req, HistoryStateQuery);
    assertInScope(principalOf(res), query.area);
    const answer = await folder.answer({ from: query.from, at: query.at, area: query.area, windowMs: query.window, carry: query.carry === '1' });
    const body = JSON.stringify(answer);
    res.set('Vary', 'Accept-Encoding');
    res.set('Cache-Control', 'no-store');
    res.type('application/json');
    await sendMaybeGzipped(req, res, body);
  });

  router.get('/api/v1/history', reader, async (req: Request, res: Response) => {
    const query = parseQuery(req, HistoryQuery);
    assertInScope(principalOf(res), query.area);
    const wanted = query.format ?? (req.accepts(['application/json', ARROW_STREAM_TYPE, HISTORY_COLUMNS_TYPE]) || 'json');
    if (wanted === 'columns' || wanted === HISTORY_COLUMNS_TYPE) {
      await streamColumns(store, query, acceptsGzip(req), res, carry.carried);
      return;
    }
    if (query.carry === '1') {
      throw badRequest('carry: only the columns format carries in', [
        { field: 'carry', reason: 'only the columns format carries in', code: 'needs_other', params: { other: 'format=columns' } },
      ]);
    }
    const limit = query.limit ?? HISTORY_DEFAULT_LIMIT;
    if (limit < 1 || limit > HISTORY_MAX_PAGE) {
      const code: Pick<FieldError, 'code' | 'params'> = limit < 1 ? { code: 'too_small', params: { minimum: '1' } } : { code: 'too_large', params: { maximum: String(HISTORY_MAX_PAGE) } };
      throw badRequest(`limit: must be 1–${HISTORY_MAX_PAGE} for a JSON or Arrow page`, [{ field: 'limit', reason: `must be 1–${HISTORY_MAX_PAGE} for a JSON or Arrow page`, ...code }]);
    }
    const events = await store.readTimeRange({ from: query.from, to: query.to, area: query.area, ...(query.afterSeq !== undefined ? { afterSeq: query.afterSeq } : {}), limit });
    const last = events[events.length - 1];
    const nextAfterSeq = events.length === limit && last ? last.seq : null;
    res.set('Vary', 'Accept, Accept-Encoding');
    if (wanted === 'arrow' || wanted === ARROW_STREAM_TYPE) {
      const bytes = encodeHistory(events);
      res.set('X-Next-After-Seq', nextAfterSeq === null ? '' : String(nextAfterSeq));
      res.type(ARROW_STREAM_TYPE);
      await sendMaybeGzipped(req, res, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
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
    await sendMaybeGzipped(req, res, body);
  });
  return router;
}

/**
 * Writes the range as GWHC frames, one per store page, waiting for the socket to drain between frames. Gzipped (one
 * gzip stream for the whole response) when the client accepts it, with a Z_SYNC_FLUSH after every frame: the
 * compressor would otherwise hold a frame's tail until its window filled, and the first frame would no longer arrive
 * early. (Gzipping each frame on its own would make a multi-member gzip body, which browsers stop decoding after
 * the first member.) Content-Encoding is set before the headers are flushed, and there is no Content-Length.
 */
async function streamColumns(store: EventStore, query: z.infer<typeof HistoryQuery>, gzipWanted: boolean, res: Response, carried: CarrySource): Promise<void> {
  const encoder = new HistoryEncoder();
  res.status(200);
  res.type(HISTORY_COLUMNS_TYPE);
  res.set('Vary', 'Accept, Accept-Encoding');
  res.set('Cache-Control', 'no-store');
  let gzipStream: Gzip | undefined;
  if (gzipWanted) {
    res.set('Content-Encoding', 'gzip');
    gzipStream = createGzip({ level: 6 });
    gzipStream.pipe(res);
  }
  res.flushHeaders();
  const sink = gzipStream ?? res;
  let closed = false;
  const whenClosed = new Promise<void>((resolve) =>
    res.once('close', () => {
      closed = true;
      gzipStream?.destroy();
      resolve();
    }),
  );
  // A destroyed compressor never calls back: every wait also ends when the response closes.
  const drained = () => Promise.race([new Promise<void>((resolve) => sink.once('drain', resolve)), whenClosed]);
  const flushed = (compressor: Gzip) => Promise.race([new Promise<void>((resolve) => compressor.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve())), whenClosed]);
  const details = query.details !== '0';
  try {
    const frames = query.carry === '1'
      ? await carriedIn(store, query, carried)
      : pages(store, { from: query.from, to: query.to, area: query.area }, HISTORY_FRAME_EVENTS, query.limit, query.afterSeq);
    for await (const page of frames) {
      if (closed) return;
      const frame = encoder.encodeFrame(page, { details });
      sink.write(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
      if (gzipStream) await flushed(gzipStream);
      // Asked now, not from write()'s answer: the drain may have come while the flush ran.
      if (sink.writableNeedDrain && !closed) await drained();
    }
  } catch (error) {
    // The status line has left: all that can be said is to cut the response short, which the decoder reports.
    res.destroy(error as Error);
    return;
  }
  if (!closed) sink.end();
}
