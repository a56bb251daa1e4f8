/**
 * Who is calling: resolves a principal from an HTTP request or a Socket.IO handshake (bearer screen token, the
 * SCREEN_TOKEN, or an officer session cookie), checks the ingest key, and keeps officer sessions.
 *
 * On a loopback bind a caller with no credentials is the whole-city screen, so the demo just runs; credentials,
 * when presented, always win (a scoped token on loopback stays scoped). Bad credentials are refused, never
 * downgraded to anonymous.
 */
import type { Request } from 'express';
import { newToken, secretsEqual, tokenFingerprint } from './secrets';
import { LOCAL_SCREEN, type Principal } from './scope';
import type { UserDirectory } from './users';

export const SESSION_COOKIE = 'gw_session';

export interface AccessOptions {
  ingestKey: string;
  users: UserDirectory;
  screenToken: string | undefined;
  /** Anonymous screens allowed (loopback bind). */
  anonymousScreens: boolean;
  sessionHours: number;
}

/** The outcome of authenticating: a principal, nobody (no credentials given), or refused credentials. */
export type Authentication = { kind: 'principal'; principal: Principal } | { kind: 'anonymous' } | { kind: 'invalid'; reason: string };

interface Session {
  principal: Principal;
  expiresAt: number;
}

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
    this.sessions.set(tokenFingerprint(token), { principal, expiresAt });
    return { token, expiresAt };
  }

  endSession(token: string): void {
    this.sessions.delete(tokenFingerprint(token));
  }

  /** Resolves the caller from a bearer token or session cookie. */
  authenticate(authorization: string | undefined, cookieHeader: string | undefined, now = Date.now()): Authentication {
    const token = bearer(authorization);
    if (token !== undefined) return this.fromToken(token);
    const session = readCookie(cookieHeader, SESSION_COOKIE);
    if (session !== undefined) {
      const found = this.sessions.get(tokenFingerprint(session));
      if (!found || found.expiresAt <= now) return { kind: 'invalid', reason: 'the session has expired; log in again' };
      return { kind: 'principal', principal: found.principal };
    }
    return { kind: 'anonymous' };
  }

  /** Resolves a socket handshake: `auth.token`, else the Authorization header or session cookie. */
  authenticateHandshake(auth: unknown, headers: Record<string, string | string[] | undefined>): Authentication {
    const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    if (token !== undefined && token !== null && token !== '') {
      if (typeof token !== 'string') return { kind: 'invalid', reason: 'auth.token must be a string' };
      return this.fromToken(token);
    }
    const authorization = typeof headers.authorization === 'string' ? headers.authorization : undefined;
    const cookie = typeof headers.cookie === 'string' ? headers.cookie : undefined;
    return this.authenticate(authorization, cookie);
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

  private fromToken(token: string): Authentication {
    if (this.options.screenToken !== undefined && secretsEqual(token, this.options.screenToken)) {
      return { kind: 'principal', principal: { name: 'screen-token', role: 'screen', scope: ['city'] } };
    }
    const principal = this.options.users.authenticateToken(token);
    if (principal) return { kind: 'principal', principal };
    return { kind: 'invalid', reason: 'unknown token' };
  }

  private pruneSessions(now: number): void {
    for (const [key, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(key);
  }
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
