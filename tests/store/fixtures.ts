/**
 * Builders for store tests: realistic lifecycle events with their grid and projection row, so each test states
 * only what it is about.
 */
import type { CanonicalEvent } from '../../protocol/events';
import type { EventToAppend } from '../../server/store/event-store';

/** Grids of two districts of Kunming (530102 五华区, 530103 盘龙区), two streets in the first. */
export const GRIDS = {
  wuhuaA: '530102001001001',
  wuhuaB: '530102001002003',
  wuhuaOtherStreet: '530102004001001',
  panlong: '530103002001001',
} as const;

const BASE_AT = Date.parse('2026-11-22T09:00:00+08:00');

/** `incident.reported` for a new incident, minutes after 09:00 CST on 2026-11-22. */
export function reported(incidentId: string, grid: string, minutes = 0, id = `${incidentId}-reported`): EventToAppend {
  const at = BASE_AT + minutes * 60_000;
  const event: CanonicalEvent = {
    id,
    type: 'incident.reported',
    at: new Date(at).toISOString(),
    actor: { id: 'hotline-12345', role: 'ingest' },
    incident: {
      id: incidentId,
      location: [102.7, 25.04],
      category: 'other',
      channel: '12345',
      priority: 'normal',
      title: '占道经营',
      description: '路口有流动摊贩占道经营，影响通行。',
    },
  };
  return { event, grid, projection: { id: incidentId, grid, status: 'reported', updatedAt: at, doc: { status: 'reported', at } } };
}

/** A lifecycle event without extra fields (registered, started, resolved, closed) that moves the status. */
export function lifecycle(
  type: 'incident.registered' | 'incident.started' | 'incident.resolved' | 'incident.closed',
  incidentId: string,
  grid: string,
  minutes: number,
  status: string,
  id = `${incidentId}-${type}`,
): EventToAppend {
  const at = BASE_AT + minutes * 60_000;
  const event: CanonicalEvent = { id, type, incidentId, at: new Date(at).toISOString() };
  return { event, grid, projection: { id: incidentId, grid, status, updatedAt: at, doc: { status, at } } };
}

/** `incident.cancelled`. */
export function cancelled(incidentId: string, grid: string, minutes: number): EventToAppend {
  const at = BASE_AT + minutes * 60_000;
  const event: CanonicalEvent = { id: `${incidentId}-cancelled`, type: 'incident.cancelled', incidentId, at: new Date(at).toISOString(), reason: '重复上报' };
  return { event, grid, projection: { id: incidentId, grid, status: 'cancelled', updatedAt: at, doc: { status: 'cancelled', at } } };
}

/** epoch ms of `minutes` after 09:00 CST on 2026-11-22 (the fixtures' clock). */
export function fixtureTime(minutes: number): number {
  return BASE_AT + minutes * 60_000;
}
