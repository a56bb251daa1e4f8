/**
 * Who is calling: resolves a principal from an HTTP request or a Socket.IO handshake (bearer screen token, the
 * SCREEN_TOKEN, or an officer session cookie), checks the ingest key, and keeps officer sessions.
 *
 * On a loopback bind a caller with no credentials is the whole-city screen, so the demo just runs; credentials,
 * when presented, always win (a scoped token on loopback stays scoped). Bad credentials are refused, never
 * downgraded to anonymous.
 */
import type { Request } from 'express';
import { SIGNED_IN_COOKIE, type AuthCause } from '../../protocol/events';
import { newToken, secretsEqual, tokenFingerprint } from './secrets';
import { LOCAL_SCREEN, type Principal } from './scope';
import type { UserDirectory } from './users';

export const SESSION_COOKIE = 'gw_session';

/**
 * The `Set-Cookie` values for a session: the session cookie with `token` and the page-readable SIGNED_IN_COOKIE,
 * both for `maxAgeSeconds`; '' with 0 clears both. The session cookie comes first.
 */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): [string, string] {
  const attributes = `SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
  return [`${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; ${attributes}`, `${SIGNED_IN_COOKIE}=${token ? '1' : ''}; Path=/; ${attributes}`];
}

export interface AccessOptions {
  ingestKey: string;
  users: UserDirectory;
  screenToken: string | undefined;
  /** Anonymous screens allowed (loopback bind). */
  anonymousScreens: boolean;
  sessionHours: number;
  /** Idle timeout: a session unused this many minutes is refused; each authenticated use slides it. Unset = none. */
  sessionIdleMinutes?: number;
}

/** What authenticating does to a session: `touch` (a request: slides the idle timeout) or `peek` (a check only). */
export type SessionUse = 'touch' | 'peek';

/** The outcome of authenticating: a principal, nobody (no credentials given), or refused credentials. */
export type Authentication =
  | { kind: 'principal'; principal: Principal }
  | { kind: 'anonymous' }
  | { kind: 'invalid'; reason: string; cause: AuthCause };

/**
 * Why a caller who has no reader was refused: refused credentials keep their reason and cause; none at all (or an
 * anonymous caller where anonymous screens are off) reads `whenNone`, cause `not_logged_in`. Shared by the HTTP
 * guards, the /live handshake and the socket guard.
 */
export function refusalOf(auth: Authentication, whenNone: string): { reason: string; cause: AuthCause } {
  return auth.kind === 'invalid' ? { reason: auth.reason, cause: auth.cause } : { reason: whenNone, cause: 'not_logged_in' };
}

interface Session {
  /** the officer's name: each use takes the user as the directory holds it then */
  name: string;
  /** absolute end: login + SESSION_HOURS */
  expiresAt: number;
  /** the last authenticated use; the idle timeout counts from here */
  lastUsedAt: number;
}

export const SESSION_EXPIRED = 'the session has expired; log in again';

/** Authentication and sessions for one server. */
export class Access {
  private readonly sessions = new Map<string, Session>();

  constructor(readonly options: AccessOptions) {}

  /** True when the header carries the ingest key. */
  isIngestKey(authorization: string | undefined): boolean {
    const token = bearer(authorization);
    return token !== undefined && secretsEqual(token, this.options.ingestKey);
  }

  /** Starts an officer session; returns the cookie value and its expiry. */
  createSession(principal: Principal, now = Date.now()): { token: string; expiresAt: number } {
    this.pruneSessions(now);
    const token = newToken(32);
    const expiresAt = now + this.options.sessionHours * 3_600_000;
    this.sessions.set(tokenFingerprint(token), { name: principal.name, expiresAt, lastUsedAt: now });
    return { token, expiresAt };
  }

  endSession(token: string): void {
    this.sessions.delete(tokenFingerprint(token));
  }

  /**
   * Resolves the caller from a bearer token or session cookie. A session is refused once SESSION_HOURS have passed
   * since login, once it has gone unused for SESSION_IDLE_MINUTES, or once its user is removed; a `touch` (the
   * default: a request) slides the idle timeout, a `peek` (the socket sweep) does not.
   */
  authenticate(authorization: string | undefined, cookieHeader: string | undefined, now = Date.now(), use: SessionUse = 'touch'): Authentication {
    const token = bearer(authorization);
    if (token !== undefined) return this.fromToken(token, now);
    const session = readCookie(cookieHeader, SESSION_COOKIE);
    if (session !== undefined) return this.fromSession(session, now, use);
    return { kind: 'anonymous' };
  }

  /** Resolves a socket handshake: `auth.token`, else the Authorization header or session cookie. */
  authenticateHandshake(auth: unknown, headers: Record<string, string | string[] | undefined>, now = Date.now(), use: SessionUse = 'touch'): Authentication {
    const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    if (token !== undefined && token !== null && token !== '') {
      if (typeof token !== 'string') return { kind: 'invalid', reason: 'auth.token must be a string', cause: 'malformed_token' };
      return this.fromToken(token, now);
    }
    const authorization = typeof headers.authorization === 'string' ? headers.authorization : undefined;
    const cookie = typeof headers.cookie === 'string' ? headers.cookie : undefined;
    return this.authenticate(authorization, cookie, now, use);
  }

  /** True when the Cookie header carries a session cookie that is no longer valid (checked without sliding it). */
  hasDeadSession(cookieHeader: string | undefined, now = Date.now()): boolean {
    const session = readCookie(cookieHeader, SESSION_COOKIE);
    return session !== undefined && this.fromSession(session, now, 'peek').kind === 'invalid';
  }

  /** The principal for a request that only reads; throws nothing, the caller maps the outcome to 401. */
  readerOf(result: Authentication): Principal | undefined {
    if (result.kind === 'principal') return result.principal;
    if (result.kind === 'anonymous' && this.options.anonymousScreens) return LOCAL_SCREEN;
    return undefined;
  }

  /** Reads the caller of an Express request. */
  authenticateRequest(req: Request): Authentication {
    return this.authenticate(req.headers.authorization, req.headers.cookie);
  }

  private fromToken(token: string, now: number): Authentication {
    if (this.options.screenToken !== undefined && secretsEqual(token, this.options.screenToken)) {
      return { kind: 'principal', principal: { name: 'screen-token', role: 'screen', scope: ['city'] } };
    }
    const found = this.options.users.checkToken(token, now);
    if (found.kind === 'valid') return { kind: 'principal', principal: found.principal };
    if (found.kind === 'expired') {
      return {
        kind: 'invalid',
        reason: `the screen token of ${found.name} expired at ${found.expiresAt}; issue a new one (npm run users -- rotate ${found.name})`,
        cause: 'token_expired',
      };
    }
    return { kind: 'invalid', reason: 'unknown token', cause: 'unknown_token' };
  }

  private fromSession(cookie: string, now: number, use: SessionUse): Authentication {
    // Refused sessions stay in the map (pruned at the next login) so that every check tells the same reason.
    const found = this.sessions.get(tokenFingerprint(cookie));
    if (!found || found.expiresAt <= now) return { kind: 'invalid', reason: SESSION_EXPIRED, cause: 'session_expired' };
    const idleMinutes = this.options.sessionIdleMinutes;
    if (idleMinutes !== undefined && now - found.lastUsedAt >= idleMinutes * 60_000) {
      return { kind: 'invalid', reason: `the session was idle for more than ${formatMinutes(idleMinutes)}; log in again`, cause: 'session_idle' };
    }
    // The user as the directory holds it now: a removed user's sessions end, a narrowed scope applies at once.
    const user = this.options.users.principalOf(found.name, now);
    if (!user) return { kind: 'invalid', reason: `user ${found.name} was removed or has expired; the session has ended`, cause: 'user_removed' };
    if (use === 'touch') found.lastUsedAt = now;
    return { kind: 'principal', principal: user };
  }

  private pruneSessions(now: number): void {
    const idleMs = (this.options.sessionIdleMinutes ?? Infinity) * 60_000;
    for (const [key, session] of this.sessions) {
      if (session.expiresAt <= now || now - session.lastUsedAt >= idleMs) this.sessions.delete(key);
    }
  }
}

function formatMinutes(minutes: number): string {
  if (minutes >= 1 && Number.isInteger(minutes)) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const seconds = Math.round(minutes * 600) / 10;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearer(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

/** One cookie's value from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
