/**
 * Builders of stored events for reducer tests: a tiny DSL that keeps scenarios readable.
 */
import type { StoredEvent } from '../../protocol/events';

export const GRID_A = '530102001001001';
export const GRID_B = '530102001002001';
export const GRID_C = '530103002001004';
/** 2026-11-22 00:00 Asia/Shanghai */
export const DAY0 = Date.parse('2026-11-22T00:00:00+08:00');
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

type Body = Record<string, unknown>;

/** Makes stored events with increasing seq and unique ids. */
export class EventLog {
  seq = 0;
  readonly events: StoredEvent[] = [];
  private readonly grids = new Map<string, string>();

  private push(type: string, incidentId: string, at: number, body: Body): StoredEvent {
    this.seq += 1;
    const grid = this.grids.get(incidentId) ?? GRID_A;
    const event = {
      id: `e${this.seq}`,
      type,
      at: new Date(at).toISOString(),
      incidentId,
      ...body,
      seq: this.seq,
      recordedAt: at,
      grid,
    } as unknown as StoredEvent;
    this.events.push(event);
    return event;
  }

  reported(id: string, at: number, options: { grid?: string; category?: string; channel?: string } = {}): StoredEvent {
    const grid = options.grid ?? GRID_A;
    this.grids.set(id, grid);
    this.seq += 1;
    const event = {
      id: `e${this.seq}`,
      type: 'incident.reported',
      at: new Date(at).toISOString(),
      incident: { id, location: [102.7, 25.04], category: options.category ?? 'env.litter', channel: options.channel ?? 'grid-patrol' },
      seq: this.seq,
      recordedAt: at,
      grid,
    } as StoredEvent;
    this.events.push(event);
    return event;
  }
  registered(id: string, at: number) { return this.push('incident.registered', id, at, {}); }
  cancelled(id: string, at: number) { return this.push('incident.cancelled', id, at, { reason: 'duplicate' }); }
  dispatched(id: string, at: number, deadline?: number, departments = ['d-um-1']) {
    return this.push('incident.dispatched', id, at, { departments, ...(deadline === undefined ? {} : { deadline: new Date(deadline).toISOString() }) });
  }
  started(id: string, at: number) { return this.push('incident.started', id, at, {}); }
  resolved(id: string, at: number) { return this.push('incident.resolved', id, at, {}); }
  verified(id: string, at: number, passed = true) { return this.push('incident.verified', id, at, { passed }); }
  closed(id: string, at: number) { return this.push('incident.closed', id, at, {}); }
  rated(id: string, at: number, satisfaction: number) { return this.push('incident.rated', id, at, { satisfaction }); }
  whistled(id: string, at: number, whistleId: string, tier = 'community', departments = ['s-ps-1', 's-um-1']) {
    return this.push('incident.whistled', id, at, { whistleId, tier, whistleType: 'routine', departments });
  }
  departmentReported(id: string, at: number, whistleId: string, department: string, stage: 'acknowledged' | 'arrived') {
    return this.push('department.reported', id, at, { whistleId, department, stage });
  }
  supervised(id: string, at: number) { return this.push('incident.supervised', id, at, { level: 'district' }); }

  /** The whole happy path of one incident, starting at `t0`, minutes apart. */
  lifecycle(id: string, t0: number, options: { grid?: string; rating?: number } = {}): void {
    this.reported(id, t0, options);
    this.registered(id, t0 + 5 * MINUTE);
    this.dispatched(id, t0 + 10 * MINUTE);
    this.started(id, t0 + 30 * MINUTE);
    this.resolved(id, t0 + 90 * MINUTE);
    this.verified(id, t0 + 100 * MINUTE);
    this.closed(id, t0 + 110 * MINUTE);
    if (options.rating !== undefined) this.rated(id, t0 + 120 * MINUTE, options.rating);
  }
}
