/**
 * Request guards shared by the routes: who may read (and which areas), who may act, and query parsing that names
 * the bad parameter.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { toFieldErrors } from '../../protocol/events';
import { refusalOf, sessionCookie, type Access, type Authentication } from '../auth/access';
import { areaInScope, type Principal, type Role } from '../auth/scope';
import { badRequest, forbidden, HttpError, unauthorized } from './errors';

/**
 * Tells the browser to drop a session cookie that is no longer valid (idle, expired, logged out elsewhere, user
 * removed): the request itself is still refused as before (never downgraded), but the next page load and socket
 * handshake come without the dead cookie, so a wall on a loopback bind reads again as the anonymous screen.
 */
export function clearDeadSessionCookie(access: Access): RequestHandler {
  return (req, res, next) => {
    if (access.hasDeadSession(req.headers.cookie)) {
      res.append('Set-Cookie', sessionCookie('', 0, req.secure));
    }
    next();
  };
}

/** The 401 for a caller let in as nobody: refused credentials keep their reason and cause, none at all reads `whenNone`. */
export function unauthenticated(auth: Authentication, whenNone: string): HttpError {
  const { reason, cause } = refusalOf(auth, whenNone);
  return unauthorized(reason, cause);
}

/** Resolves the reader of a request into `res.locals.principal`, or answers 401. */
export function requireReader(access: Access): RequestHandler {
  return (req, res, next) => {
    const auth = access.authenticateRequest(req);
    const principal = access.readerOf(auth);
    if (!principal) {
      next(unauthenticated(auth, 'a screen token or an officer login is required'));
      return;
    }
    res.locals.principal = principal;
    next();
  };
}

/** Requires a logged-in principal with one of `roles` (officer actions). */
export function requireRole(access: Access, roles: readonly Role[]): RequestHandler {
  return (req, res, next) => {
    const auth = access.authenticateRequest(req);
    if (auth.kind !== 'principal') {
      next(unauthenticated(auth, 'log in first (POST /api/v1/login)'));
      return;
    }
    if (!roles.includes(auth.principal.role)) {
      next(forbidden(`the ${auth.principal.role} role may not do this; it needs ${roles.join(' or ')}`));
      return;
    }
    res.locals.principal = auth.principal;
    next();
  };
}

/** The principal put there by a guard. */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new HttpError(500, 'internal', 'no principal on a guarded route');
  return principal;
}

/** Throws 403 unless the area is inside the principal's scope. */
export function assertInScope(principal: Principal, area: string, what = 'area'): void {
  if (!areaInScope(principal.scope, area)) throw forbidden(`${what} ${area} is outside your scope (${principal.scope.join(', ')})`);
}

/** Parses `req.query` with a zod schema; 400 naming the parameter otherwise. */
export function parseQuery<T extends z.ZodType>(req: Request, schema: T): z.infer<T> {
  const parsed = schema.safeParse(req.query);
  if (!parsed.success) {
    const fields = toFieldErrors(parsed.error, '', req.query);
    throw badRequest(`Bad query: ${fields.map((f) => `${f.field} ${f.reason}`).join('; ')}`, fields);
  }
  return parsed.data;
}
