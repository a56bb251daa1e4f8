/**
 * The desk's words for a refusal come from the server's stable codes, in the page's language: every state-machine
 * refusal code, every failed check of a field and every 401 cause has its own text in both catalogues, and the
 * English server wording never reaches a Chinese page for a refusal it can name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AUTH_CAUSES, IncomingEventSchema, toFieldErrors, VALIDATION_CODES } from '../../protocol/events';
import { applyEvent, createState } from '../../protocol/reducer';
import { REFUSAL_CODES, transition } from '../../protocol/transition';
import { DeskApiError } from '../../client/desk/desk-api';
import { deskErrorText, refusalText, validationText } from '../../client/desk/error-text';
import { setLanguage } from '../../client/i18n/index';
import { connectionRefusalLabel, connectionRefusalText } from '../../client/panels/connection-refusal';
import { en } from '../../client/i18n/en';
import { zhCN } from '../../client/i18n/zh-CN';
import { DAY0, EventLog, GRID_A, HOUR } from '../protocol/builders';

afterEach(() => setLanguage('zh-CN'));

/** Latin letters outside the placeholders' values: what an untranslated English sentence would leave. */
const ENGLISH_WORDS = /\b(?:the|is|not|was|must|already|while|incident)\b/i;

describe('desk error text', () => {
  it('words every refusal code in both languages, with its values filled in', () => {
    for (const code of REFUSAL_CODES) {
      const key = `desk.refusal.${code}` as const;
      expect(zhCN[key], key).toBeTruthy();
      expect(en[key], key).toBeTruthy();
      const field = { field: 'type', reason: 'English reason', code, params: { incident: 'c-1', category: 'x', channel: 'y', department: 'd-1', type: 'incident.closed', status: 'dispatched', last: '2026-11-22T04:00:00.000Z', deadline: '2026-11-22T04:00:00.000Z' } };
      const zh = refusalText(field, (d) => (d === 'd-1' ? '华山城管执法中队' : d)) ?? '';
      expect(zh, code).not.toMatch(/[{}]/);
      expect(zh, code).not.toMatch(ENGLISH_WORDS);
      setLanguage('en');
      expect(refusalText(field) ?? '', code).not.toMatch(/[{}]/);
      setLanguage('zh-CN');
    }
  });

  it('names the refused step and the case’s status the way the desk does, from a real refusal', () => {
    const log = new EventLog();
    log.reported('x', DAY0);
    log.registered('x', DAY0 + HOUR);
    log.dispatched('x', DAY0 + 2 * HOUR);
    const state = createState();
    for (const event of log.events) expect(applyEvent(state, event).ok).toBe(true);
    const prev = state.incidents.get('x');
    const refused = transition(prev, log.closed('x', DAY0 + 3 * HOUR), GRID_A, 99);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    const error = new DeskApiError(422, 'The close was refused: type incident.closed is not allowed …', [
      { field: refused.field, reason: refused.reason, code: refused.code, params: refused.params },
    ]);
    expect(deskErrorText(error)).toBe('未能办理：案件当前状态为「派遣」，不能执行「结案」');
    setLanguage('en');
    expect(deskErrorText(error)).toBe('Not done: The case is “Dispatched”: “Close” is not possible now');
  });

  it('words every failed check of a field in both languages, naming the field as the desk’s forms label it', () => {
    const params = {
      ...{ expected: 'array', values: 'street, district, city', maximum: '2000', minimum: '2' },
      // the ingest's own checks
      ...{ minutes: '15', crs: 'bd09', lon: '102.712000', lat: '25.040000', department: '530102-cg', level: 'district', tier: 'community', summoned: 'street', index: '2' },
      ...{ action: 'close', other: 'deadline' },
    };
    for (const code of VALIDATION_CODES) {
      const key = `desk.invalid.${code}` as const;
      expect(zhCN[key], key).toBeTruthy();
      expect(en[key], key).toBeTruthy();
      const zh = validationText({ field: 'note', reason: 'English reason', code, params }) ?? '';
      expect(zh, code).toMatch(/^「备注」/);
      expect(zh, code).not.toMatch(/[{}]/);
      expect(zh, code).not.toMatch(ENGLISH_WORDS);
      setLanguage('en');
      expect(validationText({ field: 'note', reason: 'English reason', code, params }) ?? '', code).toMatch(/^“Note”/);
      setLanguage('zh-CN');
    }
  });

  it('words what the server’s own checks answer: a note too long, departments missing, a cleared reason', () => {
    const base = { id: 'act-1', at: '2026-11-22T04:00:00Z', incidentId: 'c-1' };
    const refusal = (raw: object) => {
      const parsed = IncomingEventSchema.safeParse(raw);
      if (parsed.success) throw new Error('expected a failed check');
      return new DeskApiError(422, 'The action was refused', toFieldErrors(parsed.error, '', raw));
    };
    expect(deskErrorText(refusal({ ...base, type: 'incident.resolved', note: '备'.repeat(2001) }))).toBe('未能办理：「备注」最多 2000 个字');
    expect(deskErrorText(refusal({ ...base, type: 'incident.dispatched' }))).toBe('未能办理：「部门」必填');
    expect(deskErrorText(refusal({ ...base, type: 'incident.dispatched', departments: ['a', 'b', 'c'].flatMap((x) => Array.from({ length: 11 }, (_, i) => `${x}${i}`)) }))).toBe('未能办理：「部门」最多选 32 项');
    expect(deskErrorText(refusal({ ...base, type: 'incident.cancelled', reason: '' }))).toBe('未能办理：「注销原因」不能为空');
    expect(deskErrorText(refusal({ ...base, type: 'incident.supervised', level: 'province' }))).toBe('未能办理：「督办层级」须为以下之一：street, district, city');
    // the server's deadline check (server/http/action-routes.ts) answers 400 with its own code
    expect(deskErrorText(new DeskApiError(400, 'Bad dispatch deadline', [{ field: 'deadline', reason: 'must be between …', code: 'deadline_out_of_range', params: { minimum: '0.5', maximum: '720' } }]))).toBe('提交内容有误：「办理时限」须在派遣后 0.5–720 小时之内');
    // the ingest's department checks name the department and the levels as the desk does
    const names = (code: string) => ({ 'wh-police': '五华公安分局' })[code] ?? code;
    const wrongLevel = { field: 'departments[0]', reason: '…', code: 'wrong_department_level', params: { department: 'wh-police', level: 'district', tier: 'community', summoned: 'street' } };
    expect(deskErrorText(new DeskApiError(422, 'The action was refused', [wrongLevel]), names)).toBe('未能办理：「部门」：五华公安分局属区级，社区吹哨只能召集街道部门');
    expect(deskErrorText(new DeskApiError(400, 'Bad deadline', [{ field: 'deadlineHours', reason: '…', code: 'not_for_action', params: { action: 'start' } }]))).toMatch(/^提交内容有误：「办理时限」不适用于「.+」$/);
    setLanguage('en');
    expect(deskErrorText(new DeskApiError(422, 'The action was refused', [wrongLevel]), names)).toBe('Not done: “Department”: 五华公安分局 is District level; a Community whistle summons Street level departments');
    setLanguage('zh-CN');
    // a field no form of the desk has keeps its path
    expect(validationText({ field: 'events[0].incident.location[1]', reason: 'latitude must be ≤ 90', code: 'too_large', params: { maximum: '90' } })).toBe('「events[0].incident.location[1]」不能大于 90');
  });

  it('gives every 401 cause its own words, and the session ones say to log in again', () => {
    for (const cause of AUTH_CAUSES) {
      const text = deskErrorText(new DeskApiError(401, 'English message', [], 'unauthorized', cause));
      expect(text, cause).not.toMatch(ENGLISH_WORDS);
      expect(text.length, cause).toBeGreaterThan(0);
    }
    expect(deskErrorText(new DeskApiError(401, 'unknown name or wrong password', [], 'unauthorized', 'bad_credentials'))).toBe('用户名或密码错误');
    expect(deskErrorText(new DeskApiError(401, 'the session was idle …', [], 'unauthorized', 'session_idle'))).toMatch(/重新登录/);
    expect(deskErrorText(new DeskApiError(401, 'user x was removed …', [], 'unauthorized', 'user_removed'))).toMatch(/停用/);
  });

  it("words every cause of a refused /live socket or area for the wall's connection badge, in both languages", () => {
    for (const cause of [...AUTH_CAUSES, 'area_forbidden'] as const) {
      setLanguage('zh-CN');
      const zh = connectionRefusalText(cause);
      expect(zh, cause).not.toMatch(ENGLISH_WORDS);
      expect(zh, cause).toMatch(/自动(重连|恢复)/);
      expect(connectionRefusalLabel(cause).length, cause).toBeLessThanOrEqual(6);
      setLanguage('en');
      expect(connectionRefusalText(cause), cause).toMatch(/^The (server|session)/);
      expect(connectionRefusalLabel(cause), cause).toMatch(/^(Token refused|Session ended|Login needed|Area not allowed)$/);
    }
    setLanguage('zh-CN');
    expect(connectionRefusalText('token_expired')).toMatch(/屏幕令牌/);
    expect(connectionRefusalText('session_idle')).toMatch(/重新登录/);
    expect(connectionRefusalText('not_logged_in')).toMatch(/登录或屏幕令牌/);
    expect(connectionRefusalLabel('token_expired')).toBe('屏幕令牌被拒');
    expect(connectionRefusalLabel('area_forbidden')).toBe('区域无权限');
    expect(connectionRefusalText('area_forbidden')).toMatch(/授权范围/);
  });

  it('answers by status where there is no code, keeps field reasons it cannot word, and reports an unreachable server', () => {
    expect(deskErrorText(new DeskApiError(403, 'incident in grid 530103… is outside your scope'))).toBe('超出您的权限或管辖范围');
    expect(deskErrorText(new DeskApiError(409, 'conflict'))).toMatch(/他人更新/);
    expect(deskErrorText(new DeskApiError(429, 'Too many login attempts; wait a minute'))).toMatch(/稍后/);
    expect(deskErrorText(new DeskApiError(503, 'store_unavailable'))).toMatch(/服务器暂时/);
    expect(deskErrorText(new DeskApiError(400, 'Malformed action', [{ field: 'departments', reason: 'is required' }]))).toBe('提交内容有误：departments is required');
    expect(deskErrorText(new TypeError('Failed to fetch'))).toBe('无法连接服务器，请检查网络');
  });
});
