/**
 * The desk's words for a refusal come from the server's stable codes, in the page's language: every state-machine
 * refusal code and every 401 cause has its own text in both catalogues, and the English server wording never
 * reaches a Chinese page for a refusal it can name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AUTH_CAUSES } from '../../protocol/events';
import { applyEvent, createState } from '../../protocol/reducer';
import { REFUSAL_CODES, transition } from '../../protocol/transition';
import { DeskApiError } from '../../client/desk/desk-api';
import { deskErrorText, refusalText } from '../../client/desk/error-text';
import { setLanguage } from '../../client/i18n/index';
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

  it('answers by status where there is no code, keeps field reasons it cannot word, and reports an unreachable server', () => {
    expect(deskErrorText(new DeskApiError(403, 'incident in grid 530103… is outside your scope'))).toBe('超出您的权限或管辖范围');
    expect(deskErrorText(new DeskApiError(409, 'conflict'))).toMatch(/他人更新/);
    expect(deskErrorText(new DeskApiError(429, 'Too many login attempts; wait a minute'))).toMatch(/稍后/);
    expect(deskErrorText(new DeskApiError(503, 'store_unavailable'))).toMatch(/服务器暂时/);
    expect(deskErrorText(new DeskApiError(400, 'Malformed action', [{ field: 'departments', reason: 'is required' }]))).toBe('提交内容有误：departments is required');
    expect(deskErrorText(new TypeError('Failed to fetch'))).toBe('无法连接服务器，请检查网络');
  });
});
