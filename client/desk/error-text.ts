/**
 * What the desk says when the server refuses an officer: in the page's language, from the stable codes the server
 * answers with (the HTTP status, `ErrorBody.error.cause`, and the state machine's `RefusalCode` per field), never from
 * its English wording. The English message stays on the error (`DeskApiError.message`) for the tooltip and logs.
 *
 * @example
 * ```ts
 * try { await deskApi.act(request); }
 * catch (err) { this.error = deskErrorText(err, (code) => departmentName(code)); } // "案件当前状态为「派遣」，不能执行「结案」"
 * ```
 */
import { ACTION_EVENTS, VALIDATION_CODES, type AuthCause, type FieldError, type ValidationCode } from '../../protocol/events';
import { REFUSAL_CODES, type RefusalCode } from '../../protocol/transition';
import { clockDateTime } from '../panels/format';
import { isMessageKey, t, type MessageKey } from '../i18n/index';
import { DeskApiError } from './desk-api';

const CAUSE_KEYS: Record<AuthCause, MessageKey> = {
  bad_credentials: 'desk.error.badCredentials',
  not_logged_in: 'desk.error.notLoggedIn',
  session_expired: 'desk.error.sessionExpired',
  session_idle: 'desk.error.sessionIdle',
  user_removed: 'desk.error.userRemoved',
  token_expired: 'desk.error.sessionExpired',
  unknown_token: 'desk.error.sessionExpired',
  malformed_token: 'desk.error.sessionExpired',
};

/**
 * The desk's action for each event type, to name a refused step the way the buttons do: the first action that
 * becomes it (`accept`, not its alias `register`).
 */
const STEP_KEYS = new Map<string, MessageKey>();
for (const [action, type] of Object.entries(ACTION_EVENTS)) {
  const key = `desk.action.${action}`;
  if (!STEP_KEYS.has(type) && isMessageKey(key)) STEP_KEYS.set(type, key);
}

function isRefusalCode(code: string | undefined): code is RefusalCode {
  return code !== undefined && (REFUSAL_CODES as readonly string[]).includes(code);
}

function isValidationCode(code: string | undefined): code is ValidationCode {
  return code !== undefined && (VALIDATION_CODES as readonly string[]).includes(code);
}

/** The desk's label of each field its forms send (by the field's own name, without its path or index). */
const FIELD_KEYS: Record<string, MessageKey> = {
  note: 'desk.form.note',
  reason: 'desk.form.reason',
  departments: 'desk.form.department',
  department: 'desk.form.department',
  deadline: 'desk.form.deadline',
  deadlineHours: 'desk.form.deadline',
  tier: 'desk.form.tier',
  whistleType: 'desk.form.whistleType',
  reportWithinMinutes: 'desk.form.reportWithin',
  stage: 'desk.form.stage',
  level: 'desk.form.level',
  passed: 'desk.form.passed',
  satisfaction: 'desk.satisfaction',
  name: 'desk.login.name',
  password: 'desk.login.password',
};

/** A field as the desk labels it (`departments[1]` → 部门), or its path as sent when no form of the desk has it. */
function fieldLabel(field: string): string {
  const name = /([A-Za-z]+)(?:\[\d+\])*$/.exec(field)?.[1];
  const key = name !== undefined && Object.hasOwn(FIELD_KEYS, name) ? FIELD_KEYS[name] : undefined;
  return key !== undefined ? t(key) : field;
}

/** One failed check of a field in the page's language; undefined when the field carries no known code. */
export function validationText(field: FieldError, departmentName: (code: string) => string = (code) => code): string | undefined {
  if (!isValidationCode(field.code)) return undefined;
  const params: Record<string, string> = { ...field.params, field: fieldLabel(field.field) };
  // a string that must not be empty says so, rather than "at least 1 character"
  if (field.code === 'too_short' && field.params?.minimum === '1') return t('desk.invalid.empty', params);
  if (params.department !== undefined) params.department = departmentName(params.department);
  for (const name of ['level', 'summoned'] as const) {
    const key = `level.${params[name] ?? ''}`;
    if (isMessageKey(key)) params[name] = t(key);
  }
  const tier = `tier.${params.tier ?? ''}`;
  if (isMessageKey(tier)) params.tier = t(tier);
  // an action as the desk's buttons name it, another field as its forms label it
  const action = `desk.action.${params.action ?? ''}`;
  params.step = isMessageKey(action) ? t(action) : (params.action ?? '');
  if (params.other !== undefined) params.other = fieldLabel(params.other);
  // the batch's events counted from one, as a person counts them
  if (params.index !== undefined) params.number = String(Number(params.index) + 1);
  return t(`desk.invalid.${field.code}`, params);
}

/** A message key made from a value (an event type, a status), or the value itself when there is none. */
function labelOf(key: MessageKey | undefined, value: string | undefined): string {
  return key !== undefined ? t(key) : (value ?? '');
}

/** A time the server names (ISO 8601) in the city's zone, or the value as it came when it is not one. */
function cityTime(value: string | undefined): string {
  const ms = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isFinite(ms) ? clockDateTime(ms).slice(0, 16) : (value ?? '');
}

/** One state-machine refusal in the page's language; undefined when the field carries no known code. */
export function refusalText(field: FieldError, departmentName: (code: string) => string = (code) => code): string | undefined {
  if (!isRefusalCode(field.code)) return undefined;
  const params = field.params ?? {};
  const status = `status.${params.status ?? ''}`;
  // every code has its message: the template type makes a missing `desk.refusal.<code>` a compile error
  return t(`desk.refusal.${field.code}`, {
    ...params,
    step: labelOf(STEP_KEYS.get(params.type ?? ''), params.type),
    status: labelOf(isMessageKey(status) ? status : undefined, params.status),
    department: params.department !== undefined ? departmentName(params.department) : '',
    last: cityTime(params.last),
    deadline: params.deadline === 'none' ? t('desk.deadline.none') : cityTime(params.deadline),
  });
}

/** Per-field reasons: the localised refusal or check where the server gave a code, else the field and its reason as sent. */
function fieldsText(fields: readonly FieldError[], departmentName?: (code: string) => string): string {
  return fields.map((field) => refusalText(field, departmentName) ?? validationText(field, departmentName) ?? `${field.field} ${field.reason}`).join('；');
}

/**
 * What to tell the officer about a failed desk call, in the page's language. Unknown failures (a programming
 * error, a non-JSON answer) fall back to their own message rather than to nothing.
 */
export function deskErrorText(err: unknown, departmentName?: (code: string) => string): string {
  if (!(err instanceof DeskApiError)) {
    // fetch rejects with a TypeError when the server cannot be reached at all
    return err instanceof TypeError ? t('desk.error.network') : err instanceof Error ? err.message : String(err);
  }
  switch (err.status) {
    case 401:
      return t(err.authCause !== undefined ? CAUSE_KEYS[err.authCause] : 'desk.error.notLoggedIn');
    case 403:
      return t('desk.error.forbidden');
    case 404:
      return t('desk.error.notFound');
    case 409:
      return t('desk.error.conflict');
    case 422:
      return t('desk.error.refused', { detail: fieldsText(err.fields, departmentName) || err.message });
    case 400:
      return t('desk.error.invalid', { detail: err.fields.length > 0 ? fieldsText(err.fields, departmentName) : err.message });
    case 429:
      return t('desk.error.rateLimited');
    default:
      return err.status >= 500 ? t('desk.error.unavailable') : err.message;
  }
}
