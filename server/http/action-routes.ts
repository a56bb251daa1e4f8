/**
 * Officer login and officer actions. An action is turned into the lifecycle event it stands for and goes through
 * the SAME ingest queue and validation as any integrator's event; the role and the incident's area are checked
 * on the server first.
 */
import express, { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  ACTION_EVENTS,
  DISPATCH_DEADLINE_MAX_HOURS,
  DISPATCH_DEADLINE_MIN_HOURS,
  IdSchema,
  IsoTimeSchema,
  toFieldErrors,
  type ActionName,
  type FieldError,
} from '../../protocol/events';
import { readCookie, SESSION_COOKIE, sessionCookie, type Access } from '../auth/access';
import type { UserDirectory } from '../auth/users';
import type { Ingestor } from '../ingest/ingestor';
import { badRequest, errorBody, HttpError, notFound, unauthorized } from './errors';
import { assertInScope, principalOf, requireRole, unauthenticated } from './guards';

export const ActionEnvelopeSchema = z
  .object({
    action: z.enum(Object.keys(ACTION_EVENTS) as [ActionName, ...ActionName[]], {
      message: `must be one of ${Object.keys(ACTION_EVENTS).join(', ')}`,
    }),
    incidentId: IdSchema,
    /** optional client-chosen event id, so a retried action is idempotent */
    id: IdSchema.optional(),
  })
  .loose();

export const LoginSchema = z.object({
  name: z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
  password: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters'),
});

const HOUR_MS = 3_600_000;

/**
 * The deadline an officer sets at dispatch: `deadlineHours` (hours from now, e.g. 2, 4, 24) or `deadline` (an ISO
 * time with offset), one or neither (the category's SLA), within DISPATCH_DEADLINE_MIN_HOURS…MAX_HOURS of `now`.
 * Answers the ISO deadline to store, or undefined; throws a 400 naming the field otherwise. Any other action given
 * a deadline is refused too, rather than the field being dropped without a word.
 *
 * @example
 * ```ts
 * dispatchDeadline('dispatch', { deadlineHours: 4 }, Date.parse('2026-11-22T01:00:00Z')); // '2026-11-22T05:00:00.000Z'
 * dispatchDeadline('dispatch', { deadlineHours: 0.1 }, now); // throws: deadlineHours must be between 0.5 and 720 hours…
 * ```
 */
export function dispatchDeadline(action: ActionName, fields: Record<string, unknown>, now: number): string | undefined {
  const refuse = (field: string, reason: string, code?: Pick<FieldError, 'code' | 'params'>) =>
    badRequest(`Bad dispatch deadline: ${field} ${reason}`, [{ field, reason, ...code }]);
  const outOfRange = { code: 'deadline_out_of_range', params: { minimum: String(DISPATCH_DEADLINE_MIN_HOURS), maximum: String(DISPATCH_DEADLINE_MAX_HOURS) } } satisfies Pick<FieldError, 'code' | 'params'>;
  const { deadline, deadlineHours } = fields;
  if (deadline === undefined && deadlineHours === undefined) return undefined;
  const field = deadlineHours !== undefined ? 'deadlineHours' : 'deadline';
  if (action !== 'dispatch') throw refuse(field, `is taken only by a dispatch, not by ${action}`, { code: 'not_for_action', params: { action } });
  if (deadline !== undefined && deadlineHours !== undefined) {
    throw refuse('deadlineHours', 'and deadline were both given; give one of them', { code: 'exclusive_with', params: { other: 'deadline' } });
  }
  const range = `between ${DISPATCH_DEADLINE_MIN_HOURS} and ${DISPATCH_DEADLINE_MAX_HOURS} hours (${DISPATCH_DEADLINE_MAX_HOURS / 24} days) after now`;
  let at: number;
  if (deadlineHours !== undefined) {
    if (typeof deadlineHours !== 'number' || !Number.isFinite(deadlineHours)) throw refuse('deadlineHours', `must be a number of hours, got ${JSON.stringify(deadlineHours)}`, { code: 'wrong_type', params: { expected: 'number' } });
    if (deadlineHours < DISPATCH_DEADLINE_MIN_HOURS || deadlineHours > DISPATCH_DEADLINE_MAX_HOURS) {
      throw refuse('deadlineHours', `must be between ${DISPATCH_DEADLINE_MIN_HOURS} and ${DISPATCH_DEADLINE_MAX_HOURS} hours, got ${deadlineHours}`, outOfRange);
    }
    at = now + deadlineHours * HOUR_MS;
  } else {
    const parsed = IsoTimeSchema.safeParse(deadline);
    if (!parsed.success) throw refuse('deadline', parsed.error.issues[0]?.message ?? 'must be an ISO 8601 time', { code: 'bad_format', params: {} });
    at = Date.parse(parsed.data);
    if (!Number.isFinite(at)) throw refuse('deadline', `${parsed.data} is not a valid time`, { code: 'bad_format', params: {} });
    const hours = (at - now) / HOUR_MS;
    if (hours < DISPATCH_DEADLINE_MIN_HOURS || hours > DISPATCH_DEADLINE_MAX_HOURS) {
      throw refuse('deadline', `must be ${range}; ${parsed.data} is ${hours < 0 ? 'in the past' : `${hours.toFixed(2)} hours ahead`}`, outOfRange);
    }
  }
  return new Date(at).toISOString();
}

export interface ActionRouteDeps {
  access: Access;
  users: UserDirectory;
  ingestor: Ingestor;
}

export function actionRoutes({ access, users, ingestor }: ActionRouteDeps): Router {
  const router = Router();
  const json = express.json({ limit: '64kb' });
  const loginLimiter = rateLimit({
    windowMs: 60_000,
    limit: 20,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => {
      res.status(429).json(errorBody('rate_limited', 'Too many login attempts; wait a minute'));
    },
  });

  router.post('/api/v1/login', loginLimiter, json, (req, res) => {
    const parsed = LoginSchema.safeParse(req.body);
    if (!parsed.success) throw badRequest('Login needs {name, password}', toFieldErrors(parsed.error, '', req.body));
    const principal = users.authenticatePassword(parsed.data.name, parsed.data.password);
    if (!principal) throw unauthorized('unknown name or wrong password', 'bad_credentials');
    const session = access.createSession(principal);
    const maxAge = Math.floor((session.expiresAt - Date.now()) / 1000);
    res.setHeader('Set-Cookie', sessionCookie(session.token, maxAge, req.secure));
    res.json({ name: principal.name, role: principal.role, scope: principal.scope, expiresAt: new Date(session.expiresAt).toISOString() });
  });

  router.post('/api/v1/logout', (req, res) => {
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (token) access.endSession(token);
    res.setHeader('Set-Cookie', sessionCookie('', 0, req.secure));
    res.status(204).end();
  });

  /**
   * Who is logged in (the session cookie is HttpOnly, so the page asks): 200 with the officer, or 401 with the
   * reason. `?peek=1` only checks (the desk's periodic check): it does not slide the idle timeout.
   */
  router.get('/api/v1/session', (req, res) => {
    const auth = req.query.peek === '1' ? access.authenticate(req.headers.authorization, req.headers.cookie, Date.now(), 'peek') : access.authenticateRequest(req);
    if (auth.kind !== 'principal') throw unauthenticated(auth, 'not logged in');
    const { name, role, scope } = auth.principal;
    res.set('Cache-Control', 'no-store');
    res.json({ name, role, scope });
  });

  router.post('/api/v1/actions', requireRole(access, ['officer', 'admin']), json, async (req, res) => {
    const principal = principalOf(res);
    const envelope = ActionEnvelopeSchema.safeParse(req.body);
    if (!envelope.success) throw badRequest('Malformed action', toFieldErrors(envelope.error, '', req.body));
    const { action, incidentId, id, ...fields } = envelope.data;
    const incident = await ingestor.incident(incidentId);
    if (!incident) throw notFound(`No incident ${incidentId}`);
    assertInScope(principal, incident.grid, 'incident in grid');
    // A whistle needs its own id for the departments' reports to refer to; officers' screens need not invent one.
    if (action === 'whistle' && fields.whistleId === undefined) fields.whistleId = `w-${randomUUID()}`;
    const now = Date.now();
    const deadline = dispatchDeadline(action, fields, now);
    delete fields.deadlineHours;
    if (deadline !== undefined) fields.deadline = deadline;
    const event = {
      ...fields,
      id: id ?? `act-${randomUUID()}`,
      type: ACTION_EVENTS[action],
      at: new Date(now).toISOString(),
      actor: { id: principal.name, role: principal.role === 'admin' ? 'admin' : 'officer' },
      incidentId,
    };
    const response = await ingestor.submit({ events: [event] });
    const ack = response.acks[0];
    if (!ack) throw new HttpError(500, 'internal', 'no ack for the action');
    if (ack.status === 'rejected') {
      const errors: FieldError[] = ack.errors.map((e) => ({ ...e, field: e.field.replace(/^events\[0\]\.?/, '') || '(body)' }));
      throw new HttpError(422, 'rejected', `The ${action} was refused: ${errors.map((e) => `${e.field} ${e.reason}`).join('; ')}`, errors);
    }
    res.json({ action, event: { id: ack.id, type: event.type }, ack });
  });
  return router;
}
