/**
 * Playback's loader keeps the server's refusal as a DeskApiError (status, cause, field codes), so the timeline bar
 * words it in the page's language, as the desk does; the message keeps what failed and the server's own reason.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeskApiError } from '../../client/desk/desk-api';
import { deskErrorText } from '../../client/desk/error-text';
import { loadAggregate, loadHistory } from '../../client/playback/history-loader';

afterEach(() => vi.unstubAllGlobals());

const range = { from: 0, to: 3_600_000, area: '530102', origin: 'http://gridwatch.invalid' };

describe('playback load failures', () => {
  it('a refusal carries its status and the server’s reason, and reads in the page’s language', async () => {
    vi.stubGlobal('fetch', async () =>
      new Response(JSON.stringify({ error: { code: 'forbidden', message: 'area 530102 is outside your scope (530103)' } }), {
        status: 403,
        headers: { 'content-type': 'application/json' },
      }));
    const refused = await loadAggregate(range).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DeskApiError);
    expect((refused as DeskApiError).status).toBe(403);
    expect((refused as DeskApiError).message).toBe('history aggregate: area 530102 is outside your scope (530103)');
    expect(deskErrorText(refused)).toBe('超出您的权限或管辖范围');
  });

  it('a session that ended says so, and a server out of reach says that', async () => {
    vi.stubGlobal('fetch', async () =>
      new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'the session has expired; log in again', cause: 'session_expired' } }), { status: 401 }));
    expect(deskErrorText(await loadHistory(range, () => undefined).catch((error: unknown) => error))).toBe('登录已过期，请重新登录');
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('fetch failed');
    });
    expect(deskErrorText(await loadAggregate(range).catch((error: unknown) => error))).toBe('无法连接服务器，请检查网络');
  });
});
