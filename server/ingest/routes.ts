/**
 * `POST /api/v1/events`: the integrators' door. Bearer ingest key, body-size limit (413 JSON), batch limit (in the
 * batch schema), and a rate limit per key. The answer is 200 with per-event acks whenever the envelope is
 * well-formed, 400 naming the field when it is not.
 */
import express, { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { createHash } from 'node:crypto';
import type { Access } from '../auth/access';
import { bearer } from '../auth/access';
import { errorBody, HttpError } from '../http/errors';
import type { Ingestor } from './ingestor';

export interface IngestRouteOptions {
  ingestor: Ingestor;
  access: Access;
  maxBodyBytes: number;
  rateLimitPerMinute: number;
}

/** The ingest router, mounted at the app root. */
export function ingestRoutes(options: IngestRouteOptions): Router {
  const router = Router();
  const requireKey: express.RequestHandler = (req, _res, next) => {
    if (!req.headers.authorization) {
      next(new HttpError(401, 'unauthorized', 'Ingest needs `Authorization: Bearer <ingest key>`'));
    } else if (!options.access.isIngestKey(req.headers.authorization)) {
      next(new HttpError(403, 'forbidden', 'The ingest key is not valid'));
    } else next();
  };
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: options.rateLimitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Keyed by the key itself (hashed: the limiter's store never holds the secret), so that integrators behind one
    // NAT do not share a budget and one key cannot escape its budget by changing IP.
    keyGenerator: (req) => createHash('sha256').update(bearer(req.headers.authorization) ?? '').digest('hex'),
    handler: (_req, res) => {
      res.status(429).json(errorBody('rate_limited', `More than ${options.rateLimitPerMinute} ingest requests per minute for this key`));
    },
  });
  router.post(
    '/api/v1/events',
    requireKey,
    limiter,
    (req, _res, next) => {
      const type = req.headers['content-type'] ?? '';
      if (!/^application\/(.+\+)?json\b/i.test(type)) {
        next(new HttpError(415, 'unsupported_media_type', 'The body must be application/json', [
          { field: '(content-type)', reason: 'must be application/json', code: 'not_one_of', params: { values: 'application/json' } },
        ]));
      } else next();
    },
    express.json({ limit: options.maxBodyBytes, strict: false }),
    async (req, res) => {
      const response = await options.ingestor.submit(req.body);
      // Not res.json(): it would also hash every answer for an ETag, which no client of a POST can use.
      const body = JSON.stringify(response);
      res.status(200).set({ 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) }).end(body);
    },
  );
  return router;
}
