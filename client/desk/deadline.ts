/**
 * The deadline clock of a case as the desk shows it: green while most of the time is left, amber in the last
 * quarter (or the last hour, whichever is longer), red once overdue, with the time left or the time over. The clock
 * stops when the case is resolved (反馈), as the overdue count and the on-time rate do: `met` with the time it had to
 * spare, or `late` with the time it ran over. A rework (核查未通过) sends the case back, and its clock runs again.
 *
 * @example
 * ```ts
 * deadlineState({ dispatchedAt: 0, deadline: 4 * 3_600_000 }, 3.5 * 3_600_000); // { tone: 'amber', leftMs: 1_800_000 }
 * deadlineState({ status: 'resolved', dispatchedAt: 0, deadline: 4 * 3_600_000, resolvedAt: 3_600_000 }, 9e9); // { tone: 'met', leftMs: 10_800_000 }
 * ```
 */
import type { IncidentStatus } from '../../protocol/events';
import { isResolvedStatus } from '../../protocol/transition';

export type DeadlineTone = 'green' | 'amber' | 'red' | 'met' | 'late' | 'none';

export interface DeadlineState {
  tone: DeadlineTone;
  /** ms until the deadline (at the resolution, once resolved); negative once overdue; null without a deadline */
  leftMs: number | null;
}

const HOUR = 3_600_000;

export function deadlineState(
  incident: { status?: IncidentStatus | undefined; dispatchedAt?: number | undefined; deadline?: number | undefined; resolvedAt?: number | undefined },
  now: number,
): DeadlineState {
  if (incident.deadline === undefined) return { tone: 'none', leftMs: null };
  if (incident.status !== undefined && (isResolvedStatus(incident.status) || incident.status === 'cancelled')) {
    // resolved, verified or closed: the clock stopped at the (last) resolution; a cancelled case has none
    if (incident.resolvedAt === undefined) return { tone: 'none', leftMs: null };
    const leftMs = incident.deadline - incident.resolvedAt;
    return { tone: leftMs >= 0 ? 'met' : 'late', leftMs };
  }
  const leftMs = incident.deadline - now;
  if (leftMs <= 0) return { tone: 'red', leftMs };
  const span = incident.dispatchedAt !== undefined ? incident.deadline - incident.dispatchedAt : leftMs;
  const amberFrom = Math.max(span / 4, Math.min(HOUR, span / 2));
  return { tone: leftMs <= amberFrom ? 'amber' : 'green', leftMs };
}

/** "2:05:09" or "45:09" for a duration in ms (its absolute value). */
export function clockText(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${m}:${ss}`;
}
