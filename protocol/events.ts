/**
 * The wire contract of Gridwatch: every event type of the incident lifecycle, with a zod schema for each
 * payload. Imported by the server (ingest, store, relay, simulator) and by the client (live and playback).
 *
 * Lifecycle (GB/T 30428.8): 受理 reported → 立案 registered (or 注销 cancelled) → 派遣 dispatched →
 * 处置 started → 反馈 resolved → 核查 verified → 结案 closed, then 评价 rated.
 * Escalation: 吹哨 incident.whistled summons departments of the next tier, which 报到 (department.reported).
 * 督办 incident.supervised marks supervision of an overdue case.
 *
 * @example
 * ```ts
 * const parsed = IncomingEventSchema.safeParse(body.events[0]);
 * if (!parsed.success) return formatIssues(parsed.error);
 * ```
 */
import { z } from 'zod';

// Wherever zod checks input (ingest, officer actions, the /live protocol, configuration), a reason reads like the
// project's own ("is required", "must be a number, not a string", "must be one of …") instead of zod's ("Invalid
// input: expected string, received undefined"). A schema's own message for a field still wins over these.
z.config({ customError: (issue) => describeIssue(issue, issue.input, true)?.reason });

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'an array',
  tuple: 'an array',
  object: 'an object',
  record: 'an object',
};

/** What a JSON value is, in a few words. */
function kindOf(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  switch (typeof input) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isFinite(input) ? 'a number' : String(input);
    case 'boolean':
      return input ? 'true' : 'false';
    case 'object':
      return 'an object';
    default:
      return typeof input;
  }
}

/** Coordinate systems accepted at ingest. Everything is stored and drawn in WGS84 (≈ CGCS2000). */
export const CRS_VALUES = ['wgs84', 'cgcs2000', 'gcj02', 'bd09'] as const;
export const CrsSchema = z.enum(CRS_VALUES);
export type Crs = z.infer<typeof CrsSchema>;

export const EVENT_TYPES = [
  'incident.reported', // 受理
  'incident.registered', // 立案
  'incident.cancelled', // 注销
  'incident.dispatched', // 派遣 (the deadline clock starts here)
  'incident.started', // 处置
  'incident.resolved', // 反馈
  'incident.verified', // 核查 (passed → verified, failed → back to in_progress, 返工)
  'incident.closed', // 结案
  'incident.rated', // 评价
  'incident.whistled', // 吹哨
  'department.reported', // 报到 (acknowledged, then arrived)
  'incident.supervised', // 督办
] as const;
export const EventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventTypeSchema>;

/** Officer actions (`POST /api/v1/actions`) and the event each becomes. `accept` is 受理→立案, the same as `register`. */
export const ACTION_EVENTS = {
  accept: 'incident.registered',
  register: 'incident.registered',
  dispatch: 'incident.dispatched',
  whistle: 'incident.whistled',
  report: 'department.reported',
  start: 'incident.started',
  resolve: 'incident.resolved',
  verify: 'incident.verified',
  close: 'incident.closed',
  rate: 'incident.rated',
  supervise: 'incident.supervised',
  cancel: 'incident.cancelled',
} as const satisfies Record<string, EventType>;
export type ActionName = keyof typeof ACTION_EVENTS;

/** Incident status after each event. `open` in KPIs means any status but closed and cancelled. */
export const INCIDENT_STATUSES = [
  'reported',
  'registered',
  'dispatched',
  'in_progress',
  'resolved',
  'verified',
  'closed',
  'cancelled',
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const PrioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof PrioritySchema>;

/** Whistle tiers: the level that blows → the level whose departments are summoned. */
export const WHISTLE_TIERS = ['community', 'street', 'district'] as const;
export const WhistleTierSchema = z.enum(WHISTLE_TIERS);
export type WhistleTier = z.infer<typeof WhistleTierSchema>;
/** The department level summoned by each tier: community → street departments, and so on. */
export const SUMMONED_LEVEL: Record<WhistleTier, 'street' | 'district' | 'city'> = {
  community: 'street',
  street: 'district',
  district: 'city',
};

/** 日常哨 routine, 攻坚哨 hard case, 应急哨 emergency. */
export const WHISTLE_TYPES = ['routine', 'hard', 'emergency'] as const;
export const WhistleTypeSchema = z.enum(WHISTLE_TYPES);
export type WhistleType = z.infer<typeof WhistleTypeSchema>;

export const REPORT_STAGES = ['acknowledged', 'arrived'] as const;
export const ReportStageSchema = z.enum(REPORT_STAGES);
export type ReportStage = z.infer<typeof ReportStageSchema>;

export const ACTOR_ROLES = ['system', 'ingest', 'officer', 'department', 'resident', 'admin'] as const;

/** Identifiers from outside systems: letters, digits and `_ . : -`, 1–128 characters. */
export const IdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'may hold only letters, digits and _ . : -');

/** An ISO 8601 time with an offset or Z, e.g. 2026-11-22T09:30:00+08:00. */
export const IsoTimeSchema = z.iso.datetime({
  offset: true,
  error: (issue) => (issue.input === undefined ? 'is required' : 'must be an ISO 8601 time with offset or Z'),
});

/** Area codes: 6 (district), 9 (street), 12 (community) or 15 (grid) digits, or `city`. */
export const AreaCodeSchema = z.union([
  z.literal('city'),
  z.string().regex(/^(\d{6}|\d{9}|\d{12}|\d{15})$/, 'must be `city` or a 6, 9, 12 or 15 digit area code'),
]);
export type AreaCode = z.infer<typeof AreaCodeSchema>;

export const GridCodeSchema = z.string().regex(/^\d{15}$/, 'must be a 15 digit grid code');

/** [lon, lat] with finite numbers in range. The ingest converts from the declared CRS to WGS84. */
export const LocationSchema = z.tuple([
  z.number().finite('longitude must be finite').min(-180, 'longitude must be ≥ -180').max(180, 'longitude must be ≤ 180'),
  z.number().finite('latitude must be finite').min(-90, 'latitude must be ≥ -90').max(90, 'latitude must be ≤ 90'),
]);
export type Location = z.infer<typeof LocationSchema>;

const ShortText = (max: number) => z.string().max(max, `must be at most ${max} characters`);

export const ActorSchema = z.object({
  id: IdSchema,
  name: ShortText(64).optional(),
  role: z.enum(ACTOR_ROLES).optional(),
});
export type Actor = z.infer<typeof ActorSchema>;

/** The new incident carried by `incident.reported`. `category` and `channel` come from the published catalogues. */
export const NewIncidentSchema = z.object({
  id: IdSchema,
  location: LocationSchema,
  category: z.string().min(1).max(64),
  channel: z.string().min(1).max(64),
  priority: PrioritySchema.optional(),
  title: ShortText(200).optional(),
  description: ShortText(4000).optional(),
  address: ShortText(200).optional(),
});
export type NewIncident = z.infer<typeof NewIncidentSchema>;

const base = {
  id: IdSchema,
  at: IsoTimeSchema,
  crs: CrsSchema.optional(),
  actor: ActorSchema.optional(),
  note: ShortText(2000).optional(),
};
const lifecycleBase = { ...base, incidentId: IdSchema };

const DepartmentCodes = z
  .array(IdSchema)
  .min(1, 'must name at least one department')
  .max(32, 'must name at most 32 departments')
  .refine((codes) => new Set(codes).size === codes.length, { message: 'must not repeat a department', ...refinementCode('repeated') });

export const IncidentReportedSchema = z.object({ ...base, type: z.literal('incident.reported'), incident: NewIncidentSchema });
export const IncidentRegisteredSchema = z.object({ ...lifecycleBase, type: z.literal('incident.registered') });
export const IncidentCancelledSchema = z.object({
  ...lifecycleBase,
  type: z.literal('incident.cancelled'),
  reason: ShortText(500).min(1, 'must give a reason'),
});
export const IncidentDispatchedSchema = z.object({
  ...lifecycleBase,
  type: z.literal('incident.dispatched'),
  departments: DepartmentCodes,
  /** Explicit deadline; by default `at` + the category's SLA hours. */
  deadline: IsoTimeSchema.optional(),
});
/**
 * The limits on a deadline an officer sets at dispatch through the actions API (`deadline` or `deadlineHours`):
 * at least half an hour and at most 30 days after the dispatch. Integrators' events are bound only by the state
 * machine (after the dispatch time).
 */
export const DISPATCH_DEADLINE_MIN_HOURS = 0.5;
export const DISPATCH_DEADLINE_MAX_HOURS = 720;

export const IncidentStartedSchema = z.object({ ...lifecycleBase, type: z.literal('incident.started') });
export const IncidentResolvedSchema = z.object({ ...lifecycleBase, type: z.literal('incident.resolved') });
export const IncidentVerifiedSchema = z.object({
  ...lifecycleBase,
  type: z.literal('incident.verified'),
  /** false sends the case back to in_progress (返工). */
  passed: z.boolean(),
});
export const IncidentClosedSchema = z.object({ ...lifecycleBase, type: z.literal('incident.closed') });
export const IncidentRatedSchema = z.object({
  ...lifecycleBase,
  type: z.literal('incident.rated'),
  /** 1 very dissatisfied … 5 very satisfied; ≥ 4 counts as satisfied in 满意率. */
  satisfaction: z.number().int('must be a whole number').min(1, 'must be 1–5').max(5, 'must be 1–5'),
});
/**
 * The limits on a whistle's 报到时限 (`reportWithinMinutes`): at least 5 minutes, at most 7 days after the whistle.
 */
export const REPORT_WITHIN_MIN_MINUTES = 5;
export const REPORT_WITHIN_MAX_MINUTES = 7 * 24 * 60;
export const IncidentWhistledSchema = z.object({
  ...lifecycleBase,
  type: z.literal('incident.whistled'),
  whistleId: IdSchema,
  tier: WhistleTierSchema,
  whistleType: WhistleTypeSchema,
  departments: DepartmentCodes,
  /**
   * 报到时限: minutes after the whistle by which every summoned department must have arrived. Absent, the server
   * writes in the limit it is configured with for the whistle type (WHISTLE_REPORT_MINUTES), so a stored whistle
   * keeps the limit in force when it was blown.
   */
  reportWithinMinutes: z
    .number()
    .int('must be a whole number of minutes')
    .min(REPORT_WITHIN_MIN_MINUTES, `must be at least ${REPORT_WITHIN_MIN_MINUTES} minutes`)
    .max(REPORT_WITHIN_MAX_MINUTES, `must be at most ${REPORT_WITHIN_MAX_MINUTES} minutes (7 days)`)
    .optional(),
});
export const DepartmentReportedSchema = z.object({
  ...lifecycleBase,
  type: z.literal('department.reported'),
  whistleId: IdSchema,
  department: IdSchema,
  stage: ReportStageSchema,
});
export const IncidentSupervisedSchema = z.object({
  ...lifecycleBase,
  type: z.literal('incident.supervised'),
  level: z.enum(['street', 'district', 'city']).optional(),
});

/** Any event as an integrator or officer sends it (before the server assigns seq and grid). */
export const IncomingEventSchema = z.discriminatedUnion('type', [
  IncidentReportedSchema,
  IncidentRegisteredSchema,
  IncidentCancelledSchema,
  IncidentDispatchedSchema,
  IncidentStartedSchema,
  IncidentResolvedSchema,
  IncidentVerifiedSchema,
  IncidentClosedSchema,
  IncidentRatedSchema,
  IncidentWhistledSchema,
  DepartmentReportedSchema,
  IncidentSupervisedSchema,
]);
export type IncomingEvent = z.infer<typeof IncomingEventSchema>;
export type IncomingEventOf<T extends EventType> = Extract<IncomingEvent, { type: T }>;

/** The limits on one ingest batch. */
export const MAX_BATCH_EVENTS = 1000;

export const IngestBatchSchema = z.object({
  /** Default CRS for events in this batch that carry no `crs` of their own. */
  crs: CrsSchema.optional(),
  events: z.array(z.unknown()).min(1, 'must hold at least one event').max(MAX_BATCH_EVENTS, `must hold at most ${MAX_BATCH_EVENTS} events`),
});

/** Omit over each member of a union, keeping the discriminant usable. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An incoming event without `crs`: validated and converted to WGS84, ready to store. */
export type CanonicalEvent = DistributiveOmit<IncomingEvent, 'crs'>;

/**
 * An event as stored and relayed: the incoming event with its location in WGS84 (`crs` is dropped), plus the
 * server-assigned fields.
 */
export type StoredEvent = DistributiveOmit<IncomingEvent, 'crs'> & {
  /** Global, gap-free, monotonically increasing. */
  seq: number;
  /** Server receive time, epoch ms. */
  recordedAt: number;
  /** The 15-digit grid code of the incident; area scoping is a prefix match on it. */
  grid: string;
};
export type StoredEventOf<T extends EventType> = Extract<StoredEvent, { type: T }>;

/** The incident id an event belongs to. */
export function incidentIdOf(event: IncomingEvent | StoredEvent): string {
  return event.type === 'incident.reported' ? event.incident.id : event.incidentId;
}

/** Epoch ms of an event's `at`. */
export function eventTime(event: { at: string }): number {
  return Date.parse(event.at);
}

// ---------------------------------------------------------------------------------------------------------------
// Ingest acks and errors

/** One problem with one input: the JSON path of the field and the reason. */
export interface FieldError {
  /** e.g. `events[3].incident.location[1]` */
  field: string;
  /** in English, for logs and integrators */
  reason: string;
  /**
   * A stable code, and the values the reason names, so that a screen can word the refusal in its own language:
   * the state machine's refusals (protocol/transition.ts `RefusalCode`) and failed checks (`ValidationCode`).
   */
  code?: string;
  params?: Record<string, string>;
}

export type EventAck =
  | { index: number; id: string; status: 'stored'; seq: number; grid: string; duplicate: boolean }
  | { index: number; id: string | null; status: 'rejected'; errors: FieldError[] };

export interface IngestResponse {
  stored: number;
  rejected: number;
  acks: EventAck[];
}

/** Why a 401 refused the caller, for a client that words it in its own language (`ErrorBody.error.cause`). */
export const AUTH_CAUSES = [
  'bad_credentials',
  'not_logged_in',
  'session_expired',
  'session_idle',
  'user_removed',
  'token_expired',
  'unknown_token',
  'malformed_token',
] as const;
export type AuthCause = (typeof AUTH_CAUSES)[number];

/**
 * A cookie the page can read (it holds no secret, only "1"), which the server sets and clears with the HttpOnly
 * session cookie: a page without it has no session to ask about, so an anonymous wall (a kiosk on a loopback bind)
 * loads without a refused `GET /api/v1/session`.
 */
export const SIGNED_IN_COOKIE = 'gw_signed_in';

/** The JSON body of every 4xx/5xx answer. */
export interface ErrorBody {
  /** `cause`: a 401's refinement (AUTH_CAUSES). */
  error: { code: string; message: string; cause?: AuthCause; fields?: FieldError[] };
}

/**
 * Why a field failed its checks, for a client that words it in its own language (`FieldError.code`, with the
 * values it names in `params`): the state machine's refusals have their own codes (transition.ts `REFUSAL_CODES`).
 * - `required`; `wrong_type` (`expected`); `not_one_of` (`values`, comma-separated); `bad_format`;
 * - `too_long` / `too_short` (a string's `maximum` / `minimum` characters), `too_many` / `too_few` (an array's items),
 *   `too_large` / `too_small` (a number's `maximum` / `minimum`);
 * - `deadline_out_of_range` (a dispatch deadline outside `minimum`…`maximum` hours from now);
 * - the ingest's own checks of an event: `too_far_ahead` (its `at` more than `minutes` after the server's clock),
 *   `not_convertible` (a location that `crs` cannot turn into WGS84), `outside_grids` (a WGS84 `lon`, `lat` in no
 *   grid of the city), `unknown_department` (`department`), `wrong_department_level` (a whistle of `tier` summons
 *   `summoned`-level departments; `department` is `level`);
 * - an officer's action: `not_for_action` (a field that `action` does not take), `exclusive_with` (a field given
 *   together with `other`, of which only one may be), `needs_other` (a field that only `other` gives a meaning);
 * - `repeated` (a list that names an item twice), `not_after` (an instant after `other`, which it may not pass).
 */
export const VALIDATION_CODES = [
  'required',
  'wrong_type',
  'not_one_of',
  'bad_format',
  'too_long',
  'too_short',
  'too_many',
  'too_few',
  'too_large',
  'too_small',
  'deadline_out_of_range',
  'too_far_ahead',
  'not_convertible',
  'outside_grids',
  'unknown_department',
  'wrong_department_level',
  'not_for_action',
  'exclusive_with',
  'needs_other',
  'repeated',
  'not_after',
] as const;
export type ValidationCode = (typeof VALIDATION_CODES)[number];

/** The value at `path` inside `input`, or undefined where the path leaves it. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * One zod issue in the project's terms, for both its readers: its stable code and the values it names (a client
 * words it in its own language), and its reason in English (undefined leaves zod's own). `value` is the input at the
 * issue's path, and `known` says whether it is known (a missing field is told apart from one of the wrong type only
 * then). Undefined for issues without a code (a refinement, whose schema words its own message).
 */
function describeIssue(
  issue: z.core.$ZodRawIssue | z.core.$ZodIssue,
  value: unknown,
  known: boolean,
): (Required<Pick<FieldError, 'code' | 'params'>> & { reason?: string }) | undefined {
  const many = (origin: string) => origin === 'array' || origin === 'set';
  const items = (n: number | bigint) => `${n} item${Number(n) === 1 ? '' : 's'}`;
  switch (issue.code) {
    case 'invalid_type':
      return known && value === undefined
        ? { code: 'required', params: {}, reason: 'is required' }
        : { code: 'wrong_type', params: { expected: issue.expected }, reason: `must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${kindOf(value)}` };
    case 'invalid_value': {
      const values = issue.values.map(String).join(', ');
      return { code: 'not_one_of', params: { values }, reason: `must be one of ${values}` };
    }
    case 'invalid_format':
      return { code: 'bad_format', params: {} };
    case 'too_big': {
      const { origin, maximum } = issue;
      const reason =
        origin === 'array' ? `must have at most ${items(maximum)}`
        : origin === 'string' ? `must be at most ${maximum} characters`
        : origin === 'number' || origin === 'int' ? `must be ${issue.inclusive === false ? '<' : '≤'} ${maximum}`
        : undefined;
      return { code: origin === 'string' ? 'too_long' : many(origin) ? 'too_many' : 'too_large', params: { maximum: String(maximum) }, ...(reason && { reason }) };
    }
    case 'too_small': {
      const { origin, minimum } = issue;
      const reason =
        origin === 'array' ? `must have at least ${items(minimum)}`
        : origin === 'string' ? (Number(minimum) === 1 ? 'must not be empty' : `must be at least ${minimum} characters`)
        : origin === 'number' || origin === 'int' ? `must be ${issue.inclusive === false ? '>' : '≥'} ${minimum}`
        : undefined;
      return { code: origin === 'string' ? 'too_short' : many(origin) ? 'too_few' : 'too_small', params: { minimum: String(minimum) }, ...(reason && { reason }) };
    }
    case 'invalid_union':
      // none of the forms the field may take (an instant: ISO 8601 or epoch ms)
      return { code: 'bad_format', params: {} };
    case 'custom': {
      // a refinement names its code and values in its params: `{ params: { code: 'repeated', values: {} } }`
      const declared = (issue as { params?: { code?: unknown; values?: Record<string, string> } }).params;
      return typeof declared?.code === 'string' && (VALIDATION_CODES as readonly string[]).includes(declared.code)
        ? { code: declared.code, params: { ...declared.values } }
        : undefined;
    }
    default:
      return undefined;
  }
}

/** The params of a refinement whose failure answers with `code` (and the `values` its message names). */
export function refinementCode(code: ValidationCode, values: Record<string, string> = {}): { params: { code: ValidationCode; values: Record<string, string> } } {
  return { params: { code, values } };
}

/**
 * Turns zod issues into FieldErrors, prefixing each path with `prefix` (e.g. `events[2]`). Given the `input` that
 * was parsed, a missing field is told apart from one of the wrong type (`required` rather than `wrong_type`).
 */
export function toFieldErrors(error: z.ZodError, prefix = '', input?: unknown): FieldError[] {
  return error.issues.map((issue) => {
    let path = prefix;
    for (const key of issue.path) {
      path += typeof key === 'number' ? `[${key}]` : path === '' ? String(key) : `.${String(key)}`;
    }
    const described = describeIssue(issue, valueAt(input, issue.path), input !== undefined);
    return { field: path === '' ? '(root)' : path, reason: issue.message, ...(described && { code: described.code, params: described.params }) };
  });
}
