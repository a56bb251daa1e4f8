/** The actions the desk offers first for a case, by its status (the server's state machine has the last word). */
import type { IncidentRecord } from '../../protocol/transition';
import type { ActionRequest } from './desk-api';

export type ActionName = ActionRequest['action'];

/** The next steps of a case in its current status, in the order an officer takes them. */
export function nextActions(incident: IncidentRecord): ActionName[] {
  const pendingReport = incident.whistles.some((w) => w.departments.some((d) => w.reports[d]?.arrivedAt === undefined));
  switch (incident.status) {
    case 'reported':
      return ['accept', 'cancel'];
    case 'registered':
      return ['dispatch', 'cancel'];
    case 'dispatched':
      return ['start', 'whistle', ...(pendingReport ? (['report'] as const) : [])];
    case 'in_progress':
      return ['resolve', 'whistle', ...(pendingReport ? (['report'] as const) : [])];
    case 'resolved':
      return ['verify'];
    case 'verified':
      return ['close'];
    case 'closed':
      return incident.satisfaction === undefined ? ['rate'] : [];
    default:
      return [];
  }
}
