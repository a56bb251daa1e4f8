/**
 * Playback's loader keeps the server's refusal as a DeskApiError (status, cause, field codes), so the timeline bar
 * words it in the page's language, as the desk does; the message keeps what failed and the server's own reason.
 * A stream cut off mid-frame, a range too long to record and a failed recording are worded in that language too.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeskApiError } from '../../client/desk/desk-api';
import { deskErrorText } from '../../client/desk/error-text';
import { setLanguage } from '../../client/i18n/index';
import { loadAggregate, loadHistory } from '../../client/playback/history-loader';
import { playbackErrorText, webmRangeProblem } from '../../client/playback/playback-errors';
import { ExportError, WEBM_MAX_MS } from '../../client/playback/playback-export';
import { HISTORY_COLUMNS_TYPE, HistoryEncoder, HistoryStreamError } from '../../protocol/history-codec';
import type { StoredEvent } from '../../protocol/events';

afterEach(() => {
  vi.unstubAllGlobals();
  setLanguage('zh-CN');
});

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

describe('playback failures of its own', () => {
  const reported = (seq: number): StoredEvent => ({
    seq,
    id: `e${seq}`,
    type: 'incident.reported',
    at: new Date(1_000 * seq).toISOString(),
    grid: '530102001001001',
    recordedAt: 1_000 * seq,
    incident: { id: `i${seq}`, location: [102.7, 25.04], category: 'other', channel: 'other' },
  });

  it('a stream cut off inside a frame is a HistoryStreamError, worded as a broken stream', async () => {
    const frame = new HistoryEncoder().encodeFrame([reported(1), reported(2), reported(3)]);
    vi.stubGlobal('fetch', async () => new Response(frame.slice(0, frame.length - 5).buffer as ArrayBuffer, { status: 200, headers: { 'content-type': HISTORY_COLUMNS_TYPE } }));
    const broken = await loadHistory(range, () => undefined).catch((error: unknown) => error);
    expect(broken).toBeInstanceOf(HistoryStreamError);
    expect((broken as Error).message).toMatch(/ended inside frame 1/);
    expect(playbackErrorText(broken)).toBe('回放数据不完整或已损坏，请重新加载该范围');
    // the whole frame loads: the cut, not the stub, is what failed
    vi.stubGlobal('fetch', async () => new Response(frame.slice().buffer as ArrayBuffer, { status: 200, headers: { 'content-type': HISTORY_COLUMNS_TYPE } }));
    expect((await loadHistory(range, () => undefined)).events).toBe(3);
  });

  it('a refusal reads as the desk words it; a failed recording by its kind', () => {
    expect(playbackErrorText(new DeskApiError(403, 'history: forbidden'))).toBe('超出您的权限或管辖范围');
    expect(playbackErrorText(new ExportError('webm', 'empty', 'WebM export: the recorder produced no data'))).toBe('导出视频：录制结果为空，请重试或降低倍速');
    expect(playbackErrorText(new ExportError('webm', 'unsupported', 'x'))).toBe('导出视频：此浏览器不支持录制 WebM 视频');
    expect(playbackErrorText(new ExportError('png', 'empty', 'PNG export: the browser produced no image'))).toBe('截图：浏览器未能生成图片，请重试');
  });

  it('a range that cannot be recorded names the field and the reason, in either language', () => {
    const view = { from: 0, to: 6 * 3_600_000 };
    expect(webmRangeProblem(view, 0, 3_600_000, 60)).toBeNull();
    expect(webmRangeProblem(view, 0, 6 * 3_600_000, 1)).toBe(`导出视频：按 1× 录制需 360 分钟；请提高倍速或缩短范围（最长 ${WEBM_MAX_MS / 60_000} 分钟）`);
    expect(webmRangeProblem(view, 0, 1_000, 60)).toBe('导出视频：按 60× 录制仅 17 毫秒；请降低倍速或延长范围（至少 0.5 秒）');
    expect(webmRangeProblem(view, -1, 1_000, 1)).toBe('导出视频：开始时间须在当前回放范围内');
    expect(webmRangeProblem(view, 2_000, 1_000, 1)).toBe('导出视频：结束时间须晚于开始时间，且在当前回放范围内');
    expect(webmRangeProblem(view, 0, 1_000, 0)).toBe('导出视频：倍速须为正数');
    setLanguage('en');
    expect(webmRangeProblem(view, 0, 6 * 3_600_000, 1)).toMatch(/^Video export: at 1× this range would record for 360 min; choose a faster speed or a shorter range/);
  });
});
