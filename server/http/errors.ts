/**
 * Typed HTTP errors and the one error middleware. Handlers throw; Express 5 forwards rejected promises here; the
 * answer is always the JSON ErrorBody of protocol/events.ts, never a stack trace.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { AuthCause, ErrorBody, FieldError } from '../../protocol/events';
import type { Logger } from '../ops/logger';

/** An error with an HTTP status, a stable machine code and optional per-field reasons. */
export class HttpError extends Error {
  /** A 401's refinement (ErrorBody `cause`). */
  authCause?: AuthCause;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, fields?: FieldError[]) => new HttpError(400, 'bad_request', message, fields);
/** A 401; `cause` says why, for clients that word it in their own language. */
export function unauthorized(message: string, cause: AuthCause): HttpError {
  const error = new HttpError(401, 'unauthorized', message);
  error.authCause = cause;
  return error;
}
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const notFound = (message: string) => new HttpError(404, 'not_found', message);

/** The JSON body for an error. */
export function errorBody(code: string, message: string, fields?: FieldError[], cause?: AuthCause): ErrorBody {
  return { error: { code, message, ...(cause !== undefined ? { cause } : {}), ...(fields && fields.length > 0 ? { fields } : {}) } };
}

/**
 * JSON 404 for anything no route answered; mounted last but one (also under `/api`, so the message names the path
 * as requested, `originalUrl`, not the part after the mount point).
 */
export const notFoundHandler: RequestHandler = (req, res) => {
  const requested = req.originalUrl.split('?')[0] ?? req.path;
  res.status(404).json(errorBody('not_found', `No route for ${req.method} ${requested}`));
};

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/** The one error middleware: typed errors keep their status; body-parser errors are translated; the rest is 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof HttpError) {
      res.status(err.status).json(errorBody(err.code, err.message, err.fields, err.authCause));
      return;
    }
    const parserError = err as BodyParserError;
    if (parserError.type === 'entity.too.large') {
      res
        .status(413)
        .json(errorBody('payload_too_large', `The body exceeds the limit of ${parserError.limit ?? '?'} bytes`, [
          { field: '(body)', reason: `must be at most ${parserError.limit ?? '?'} bytes`, code: 'too_large', params: { maximum: String(parserError.limit ?? '?') } },
        ]));
      return;
    }
    if (parserError.type === 'entity.parse.failed') {
      res.status(400).json(errorBody('malformed_json', 'The body is not valid JSON', [{ field: '(body)', reason: 'must be valid JSON', code: 'bad_format', params: {} }]));
      return;
    }
    if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported') {
      res.status(415).json(errorBody('unsupported_encoding', 'The body encoding is not supported'));
      return;
    }
    if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      res.status(parserError.status).json(errorBody('bad_request', 'The request could not be read'));
      return;
    }
    logger.error({ err, method: req.method, path: req.path }, 'request failed');
    res.status(500).json(errorBody('internal', 'Internal server error'));
  };
}
