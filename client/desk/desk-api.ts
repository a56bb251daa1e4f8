/**
 * The officer's desk over HTTP: area detail, the area's desk view, search, one case with its events, the session,
 * login/logout and officer actions. Every call takes an AbortSignal (so a stale lookup is dropped) and throws a
 * `DeskApiError` carrying the server's status, message, field reasons and codes; the panels word it in the page's
 * language with `deskErrorText` (error-text.ts), the English message stays on the error for logs.
 *
 * @example
 * ```ts
 * const desk = await deskApi.areaDesk('530102001001005', signal);
 * try { await deskApi.act({ action: 'close', incidentId: 'c1' }); }
 * catch (e) { show(deskErrorText(e)); } // "未能办理：案件当前状态为「派遣」，不能执行「结案」"
 * ```
 */
import { SIGNED_IN_COOKIE, type AuthCause, type ErrorBody, type FieldError, type StoredEvent } from '../../protocol/events';
import type { IncidentRecord } from '../../protocol/transition';
import type { StaffMember, ServiceCentreProperties, AreaLevel } from '../../server/geodata/types';

export class DeskApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: FieldError[] = [],
    /** the server's stable code (`ErrorBody.error.code`) */
    readonly code?: string,
    /** a 401's refinement (`ErrorBody.error.cause`): why, so the desk can say it in its own language */
    readonly authCause?: AuthCause,
  ) {
    super(message);
    this.name = 'DeskApiError';
  }

  /** A refusal from its status and the server's ErrorBody (when it sent one): `fallback` is the message without one. */
  static of(status: number, error: Partial<ErrorBody['error']> | undefined, fallback: string, prefix = ''): DeskApiError {
    return new DeskApiError(status, `${prefix}${error?.message ?? fallback}`, error?.fields ?? [], error?.code, error?.cause);
  }
}

export interface AreaDetail {
  code: string;
  name: string;
  level: AreaLevel | 'city';
  parent: string | null;
  chain: Array<{ code: string; name: string; level: string }>;
  households?: number;
  population?: number;
  bbox?: [number, number, number, number];
  serviceCentres?: Array<ServiceCentreProperties & { position: number[] }>;
  staff?: StaffMember[];
}

export interface AreaDeskView {
  code: string;
  /** the instant the view describes (epoch ms): now, or the playback instant asked for */
  at: number;
  open: IncidentRecord[];
  closed: IncidentRecord[];
  /** 部门报到: the departments summoned to the area over the last day, the most often late first */
  departments: Array<{ department: string; summoned: number; arrived: number; late: number; pending: number; meanReportMinutes: number | null }>;
  /** how many departments were summoned over the last day (more than `departments` lists when it is cut) */
  departmentsSummoned: number;
  serviceCentres: Array<ServiceCentreProperties & { position: number[]; distanceM: number; own: boolean }>;
  board: {
    topics: Array<{ category: string; name: string; count: number }>;
    reports: Array<{ incidentId: string; category: string; title: string | null; status: IncidentRecord['status']; reportedAt: number }>;
    echoes: Array<{ incidentId: string; category: string; title: string | null; closedAt: number; satisfaction: number | null; minutes: number }>;
  };
}

export type SearchHit =
  | { kind: 'area'; code: string; name: string; level: AreaLevel; path: string[]; match: string }
  | { kind: 'incident'; id: string; grid: string; title: string | null; address: string | null; category: string; status: string; match: string };

export interface CaseDetail {
  incident: IncidentRecord;
  events: StoredEvent[];
}

export interface Officer {
  name: string;
  role: 'screen' | 'officer' | 'admin';
  scope: string[];
}

/** True when an area code (or `city`) lies inside the officer's scope; the server checks the same (prefix) rule. */
export function officerCovers(officer: Officer, area: string): boolean {
  return officer.scope.some((allowed) => allowed === 'city' || (area !== 'city' && area.startsWith(allowed)));
}

/** An action as POST /api/v1/actions takes it: the action name, the case, and the event's own fields. */
export interface ActionRequest {
  action: 'accept' | 'dispatch' | 'whistle' | 'report' | 'start' | 'resolve' | 'verify' | 'close' | 'rate' | 'supervise' | 'cancel';
  incidentId: string;
  [field: string]: unknown;
}

async function call<T>(path: string, init: RequestInit & { signal?: AbortSignal } = {}): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', ...init, headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new DeskApiError(res.status, `${path}: HTTP ${res.status}, not JSON`);
  }
  if (!res.ok) {
    throw DeskApiError.of(res.status, (body as Partial<ErrorBody> | null)?.error, `${path}: HTTP ${res.status}`);
  }
  return body as T;
}

export const deskApi = {
  area: (code: string, signal?: AbortSignal) => call<AreaDetail>(`/api/v1/areas/${encodeURIComponent(code)}`, signal ? { signal } : {}),
  /** `at`: a past instant (playback), the view as it stood then; null or left out, now */
  areaDesk: (code: string, signal?: AbortSignal, at?: number | null) =>
    call<AreaDeskView>(`/api/v1/desk/${encodeURIComponent(code)}${at == null ? '' : `?at=${Math.floor(at)}`}`, signal ? { signal } : {}),
  /** `at`: a past instant (playback), cases matched as they stood then; null or left out, now */
  search: (q: string, signal?: AbortSignal, at?: number | null) =>
    call<{ q: string; hits: SearchHit[] }>(`/api/v1/search?q=${encodeURIComponent(q)}&limit=12${at == null ? '' : `&at=${Math.floor(at)}`}`, signal ? { signal } : {}),
  incident: (id: string, signal?: AbortSignal) => call<CaseDetail>(`/api/v1/incidents/${encodeURIComponent(id)}`, signal ? { signal } : {}),
  /**
   * Who is logged in: the officer, or null with the server's refusal (its `authCause`: expired, idle, user removed,
   * not logged in).
   * `peek` asks without keeping the session alive (`?peek=1` does not slide the idle timeout).
   */
  async session(
    options: { peek?: boolean; signal?: AbortSignal } = {},
  ): Promise<{ officer: Officer; refusal?: undefined } | { officer: null; refusal: DeskApiError | null }> {
    // no SIGNED_IN_COOKIE: nobody logged in from this browser (or the session ended), so there is nothing to ask
    if (!signedInHere()) return { officer: null, refusal: null };
    try {
      return { officer: await call<Officer>(`/api/v1/session${options.peek ? '?peek=1' : ''}`, options.signal ? { signal: options.signal } : {}) };
    } catch (err) {
      if (err instanceof DeskApiError && err.status === 401) return { officer: null, refusal: err };
      throw err;
    }
  },
  /**
   * Who a screen token belongs to (name, role `screen`, scope), or null when the server refuses it (the socket's
   * connect_error says why). Only checks: `?peek=1`.
   */
  async reader(token: string, signal?: AbortSignal): Promise<Officer | null> {
    try {
      return await call<Officer>('/api/v1/session?peek=1', { headers: { authorization: `Bearer ${token}` }, ...(signal ? { signal } : {}) });
    } catch (err) {
      if (err instanceof DeskApiError && err.status === 401) return null;
      throw err;
    }
  },
  login: (name: string, password: string) => call<Officer & { expiresAt: string }>('/api/v1/login', { method: 'POST', body: JSON.stringify({ name, password }) }),
  logout: () => call<void>('/api/v1/logout', { method: 'POST' }),
  act: (request: ActionRequest) => call<{ action: string; event: { id: string; type: string } }>('/api/v1/actions', { method: 'POST', body: JSON.stringify(request) }),
};

/** Whether the server's page-readable SIGNED_IN_COOKIE is set: a session may exist (the session cookie is HttpOnly). */
function signedInHere(): boolean {
  return document.cookie.split(';').some((pair) => pair.trim() === `${SIGNED_IN_COOKIE}=1`);
}
