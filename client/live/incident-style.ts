/**
 * How an incident looks on the wall: colour by status (overdue overrides), size by priority. Shared by the point
 * buffers, the legend and the ticker so that the same case has the same colour everywhere.
 */
import type { IncidentStatus, Priority, WhistleTier } from '../../protocol/events';

export type Rgba = [number, number, number, number];

export const STATUS_COLOURS: Record<IncidentStatus | 'overdue', Rgba> = {
  reported: [56, 189, 248, 255],
  registered: [96, 165, 250, 255],
  dispatched: [250, 204, 21, 255],
  in_progress: [251, 146, 60, 255],
  resolved: [52, 211, 153, 230],
  verified: [34, 197, 94, 200],
  closed: [100, 116, 139, 120],
  cancelled: [71, 85, 105, 90],
  overdue: [239, 68, 68, 255],
};

/** Point radius in CSS pixels at 1080p; scaled with the wall's height. */
export const PRIORITY_RADIUS_PX: Record<Priority, number> = { low: 2.5, normal: 3.5, high: 5, urgent: 7 };

export const TIER_COLOURS: Record<WhistleTier, Rgba> = {
  community: [34, 211, 238, 255],
  street: [250, 176, 5, 255],
  district: [244, 63, 94, 255],
};

export function cssColour([r, g, b, a]: Rgba): string {
  return `rgba(${r}, ${g}, ${b}, ${(a / 255).toFixed(2)})`;
}
