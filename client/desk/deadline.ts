/**
 * The deadline clock of a case as the desk shows it: green while most of the time is left, amber in the last
 * quarter (or the last hour, whichever is longer), red once overdue, with the time left or the time over.
 *
 * @example
 * ```ts
 * deadlineState({ dispatchedAt: 0, deadline: 4 * 3_600_000 }, 3.5 * 3_600_000); // { tone: 'amber', leftMs: 1_800_000 }
 * ```
 */
export type DeadlineTone = 'green' | 'amber' | 'red' | 'none';

export interface DeadlineState {
  tone: DeadlineTone;
  /** ms until the deadline; negative once overdue; null without a deadline */
  leftMs: number | null;
}

const HOUR = 3_600_000;

export function deadlineState(incident: { dispatchedAt?: number | undefined; deadline?: number | undefined; resolvedAt?: number | undefined }, now: number): DeadlineState {
  if (incident.deadline === undefined) return { tone: 'none', leftMs: null };
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
