/**
 * Stateless checks of one incoming event: schema (zod), CRS conversion and department codes. The stateful checks
 * (grid, duplicate id, state machine) are the ingestor's. Every problem is a FieldError whose path starts with the
 * event's place in the batch, e.g. `events[3].incident.location[1]`.
 */
import {
  EVENT_TYPES,
  IncomingEventSchema,
  SUMMONED_LEVEL,
  toFieldErrors,
  type CanonicalEvent,
  type Crs,
  type FieldError,
  type WhistleType,
} from '../../protocol/events';
import { REPORT_LIMIT_MINUTES } from '../../protocol/transition';
import type { DepartmentProperties } from '../geodata/types';
import { toWgs84 } from './crs';

/** What the ingest needs to know about the city's departments. */
export type DepartmentDirectory = ReadonlyMap<string, Pick<DepartmentProperties, 'code' | 'level' | 'jurisdiction'>>;

export type EventCheck = { ok: true; event: CanonicalEvent } | { ok: false; id: string | null; errors: FieldError[] };

/** How far ahead of the server clock an event's `at` may lie (clock skew of feeding systems). */
export const MAX_FUTURE_MS = 15 * 60_000;

/**
 * Validates one raw event and converts it to its canonical form: WGS84, and a whistle with its 报到时限.
 * @param prefix the event's path in the request, e.g. `events[3]`
 * @param reportMinutes the 报到时限 by whistle type written into a whistle that names none (WHISTLE_REPORT_MINUTES)
 */
export function checkEvent(
  raw: unknown,
  batchCrs: Crs | undefined,
  prefix: string,
  departments: DepartmentDirectory,
  now: number,
  reportMinutes: Readonly<Record<WhistleType, number>> = REPORT_LIMIT_MINUTES,
): EventCheck {
  const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : null;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, id, errors: [{ field: prefix, reason: 'must be an event object', code: 'wrong_type', params: { expected: 'object' } }] };
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    return {
      ok: false,
      id,
      errors: [{ field: `${prefix}.type`, reason: `must be one of ${EVENT_TYPES.join(', ')}`, code: 'not_one_of', params: { values: EVENT_TYPES.join(', ') } }],
    };
  }
  const parsed = IncomingEventSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, id, errors: toFieldErrors(parsed.error, prefix, raw) };

  const { crs, ...rest } = parsed.data;
  const event = rest as CanonicalEvent;
  const errors: FieldError[] = [];
  if (Date.parse(event.at) > now + MAX_FUTURE_MS) {
    errors.push({
      field: `${prefix}.at`,
      reason: `must not be more than ${MAX_FUTURE_MS / 60_000} minutes in the future`,
      code: 'too_far_ahead',
      params: { minutes: String(MAX_FUTURE_MS / 60_000) },
    });
  }

  if (event.type === 'incident.reported') {
    const from = crs ?? batchCrs ?? 'wgs84';
    const wgs84 = toWgs84(event.incident.location, from);
    if (!Number.isFinite(wgs84[0]) || !Number.isFinite(wgs84[1])) {
      errors.push({ field: `${prefix}.incident.location`, reason: `cannot be converted from ${from} to WGS84`, code: 'not_convertible', params: { crs: from } });
    }
    event.incident = { ...event.incident, location: wgs84 };
  } else if (event.type === 'incident.dispatched') {
    event.departments.forEach((code, j) => {
      if (!departments.has(code)) errors.push(unknownDepartment(`${prefix}.departments[${j}]`, code));
    });
  } else if (event.type === 'incident.whistled') {
    // Written into the stored event: a later change of the configured limits does not rewrite past whistles.
    if (event.reportWithinMinutes === undefined) event.reportWithinMinutes = reportMinutes[event.whistleType];
    const level = SUMMONED_LEVEL[event.tier];
    event.departments.forEach((code, j) => {
      const department = departments.get(code);
      if (!department) errors.push(unknownDepartment(`${prefix}.departments[${j}]`, code));
      else if (department.level !== level) {
        errors.push({
          field: `${prefix}.departments[${j}]`,
          reason: `"${code}" is a ${department.level}-level department; a ${event.tier} whistle summons ${level}-level departments`,
          code: 'wrong_department_level',
          params: { department: code, level: department.level, tier: event.tier, summoned: level },
        });
      }
    });
  } else if (event.type === 'department.reported') {
    if (!departments.has(event.department)) {
      errors.push(unknownDepartment(`${prefix}.department`, event.department));
    }
  }
  return errors.length > 0 ? { ok: false, id, errors } : { ok: true, event };
}

function unknownDepartment(field: string, code: string): FieldError {
  return { field, reason: `unknown department "${code}"`, code: 'unknown_department', params: { department: code } };
}
