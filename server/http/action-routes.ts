/**
 * Officer login and officer actions. An action is turned into the lifecycle event it stands for and goes through
 * the SAME ingest queue and validation as any integrator's event; the role and the incident's area are checked
 * on the server first.
 */
import express, { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { IdSchema, toFieldErrors, type EventType, type FieldError } from '../../protocol/events';
import { readCookie, SESSION_COOKIE, type Access } from '../auth/access';
import type { UserDirectory } from '../auth/users';
import type { Ingestor } from '../ingest/ingestor';
import { badRequest, errorBody, HttpError, notFound, unauthorized } from './errors';
import { assertInScope, principalOf, requireRole } from './guards';

/** Officer actions and the event each becomes. `accept` is 受理→立案, the same as `register`. */
export const ACTION_EVENTS = {
  accept: 'incident.registered',
  register: 'incident.registered',
  dispatch: 'incident.dispatched',
  whistle: 'incident.whistled',
  report: 'department.reported',
  start: 'incident.started',
  resolve: 'incident.resolved',
  verify: 'incident.verified',
  close: 'incident.closed',
  rate: 'incident.rated',
  supervise: 'incident.supervised',
  cancel: 'incident.cancelled',
} as const satisfies Record<string, EventType>;
export type ActionName = keyof typeof ACTION_EVENTS;

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
    if (!parsed.success) throw badRequest('Login needs {name, password}', toFieldErrors(parsed.error));
    const principal = users.authenticatePassword(parsed.data.name, parsed.data.password);
    if (!principal) throw unauthorized('unknown name or wrong password');
    const session = access.createSession(principal);
    const maxAge = Math.floor((session.expiresAt - Date.now()) / 1000);
    res.setHeader(
      'Set-Cookie',
      `${SESSION_COOKIE}=${encodeURIComponent(session.token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${req.secure ? '; Secure' : ''}`,
    );
    res.json({ name: principal.name, role: principal.role, scope: principal.scope, expiresAt: new Date(session.expiresAt).toISOString() });
  });

  router.post('/api/v1/logout', (req, res) => {
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (token) access.endSession(token);
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${req.secure ? '; Secure' : ''}`);
    res.status(204).end();
  });

  /** Who is logged in (the session cookie is HttpOnly, so the page asks): 200 with the officer, or 401. */
  router.get('/api/v1/session', (req, res) => {
    const auth = access.authenticateRequest(req);
    if (auth.kind !== 'principal') throw unauthorized(auth.kind === 'invalid' ? auth.reason : 'not logged in');
    const { name, role, scope } = auth.principal;
    res.set('Cache-Control', 'no-store');
    res.json({ name, role, scope });
  });

  router.post('/api/v1/actions', requireRole(access, ['officer', 'admin']), json, async (req, res) => {
    const principal = principalOf(res);
    const envelope = ActionEnvelopeSchema.safeParse(req.body);
    if (!envelope.success) throw badRequest('Malformed action', toFieldErrors(envelope.error));
    const { action, incidentId, id, ...fields } = envelope.data;
    const incident = await ingestor.incident(incidentId);
    if (!incident) throw notFound(`No incident ${incidentId}`);
    assertInScope(principal, incident.grid, 'incident in grid');
    // A whistle needs its own id for the departments' reports to refer to; officers' screens need not invent one.
    if (action === 'whistle' && fields.whistleId === undefined) fields.whistleId = `w-${randomUUID()}`;
    const event = {
      ...fields,
      id: id ?? `act-${randomUUID()}`,
      type: ACTION_EVENTS[action],
      at: new Date().toISOString(),
      actor: { id: principal.name, role: principal.role === 'admin' ? 'admin' : 'officer' },
      incidentId,
    };
    const response = await ingestor.submit({ events: [event] });
    const ack = response.acks[0];
    if (!ack) throw new HttpError(500, 'internal', 'no ack for the action');
    if (ack.status === 'rejected') {
      const errors: FieldError[] = ack.errors.map((e) => ({ field: e.field.replace(/^events\[0\]\.?/, '') || '(body)', reason: e.reason }));
      throw new HttpError(422, 'rejected', `The ${action} was refused: ${errors.map((e) => `${e.field} ${e.reason}`).join('; ')}`, errors);
    }
    res.json({ action, event: { id: ack.id, type: event.type }, ack });
  });
  return router;
}
