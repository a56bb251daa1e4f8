/**
 * The deadline an officer chooses in the dispatch form, turned into the fields POST /api/v1/actions takes:
 * `deadlineHours` for a preset, `deadline` (ISO) for a date and time, nothing for the category's SLA. The server
 * checks the bounds (protocol/events.ts DISPATCH_DEADLINE_MIN_HOURS…MAX_HOURS) and names the field it refuses.
 *
 * @example
 * ```ts
 * deadlineFields('4', undefined);                  // { deadlineHours: 4 }
 * deadlineFields('at', '2026-11-23T09:30');        // { deadline: '2026-11-23T01:30:00.000Z' }: the city's time, UTC+8
 * deadlineFields('sla', undefined);                // {}
 * ```
 */
import { cityInputTime, fromCityInputTime } from '../panels/format';

/** Deadlines offered at dispatch, in hours from now; "a date and time" covers the rest (the server checks the bounds). */
export const DEADLINE_PRESETS = [2, 4, 8, 24, 72] as const;

/** `YYYY-MM-DDThh:mm` in UTC+8, the city's time (not the PC's), as the form's `<input type="datetime-local">` takes it. */
export function deadlineInputTime(ms: number): string {
  return cityInputTime(ms, 'minutes');
}

/**
 * The deadline fields of a dispatch from the form: `sla` (none: the category's SLA, or the current deadline on a
 * redispatch), a preset number of hours, or `at` with a date-time in the city's time (UTC+8) turned into an ISO time.
 */
export function deadlineFields(choice: string | undefined, cityTime: string | undefined): { deadline?: string; deadlineHours?: number } {
  if (choice === undefined || choice === 'sla') return {};
  if (choice !== 'at') return { deadlineHours: Number(choice) };
  const ms = cityTime ? fromCityInputTime(cityTime) : NaN;
  // an unreadable time still goes to the server, which names the field and the reason
  return { deadline: Number.isFinite(ms) ? new Date(ms).toISOString() : (cityTime ?? '') };
}
