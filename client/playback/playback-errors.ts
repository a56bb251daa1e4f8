/**
 * What playback says when something fails, in the page's language: a WebM range that cannot be recorded, a
 * recording or picture the browser could not make, a history stream that arrived broken, or a server's refusal (worded as the
 * desk words it). The English detail stays on the error itself, for the console and logs.
 *
 * @example
 * ```ts
 * webmRangeProblem(view, from, to, 1); // "导出视频：按 1× 录制需 120 分钟；请提高倍速或缩短范围（最长 10 分钟）"
 * catch (error) { this.error = playbackErrorText(error); }
 * ```
 */
import { HistoryStreamError } from '../../protocol/history-codec';
import { deskErrorText } from '../desk/error-text';
import { t } from '../i18n/index';
import { ExportError, WEBM_MAX_MS } from './playback-export';

/**
 * Why a WebM export of [from, to] at `speed` cannot run, in the page's language (the field and the reason), or
 * null when it can.
 */
export function webmRangeProblem(view: { from: number; to: number }, from: number, to: number, speed: number): string | null {
  if (!Number.isFinite(from) || from < view.from || from >= view.to) return t('playback.webm.fromOutside');
  if (!Number.isFinite(to) || to <= from || to > view.to) return t('playback.webm.toOutside');
  if (!Number.isFinite(speed) || speed <= 0) return t('playback.webm.badSpeed');
  const ms = (to - from) / speed;
  if (ms > WEBM_MAX_MS) return t('playback.webm.tooLong', { speed, minutes: Math.ceil(ms / 60_000), max: WEBM_MAX_MS / 60_000 });
  if (ms < 500) return t('playback.webm.tooShort', { speed, ms: Math.round(ms) });
  return null;
}

/**
 * What the timeline bar says about a failure of playback's own (a history load, a broken stream, a recording), in
 * the page's language: a server's refusal as the desk words it, a broken stream or a failed export by its kind.
 */
export function playbackErrorText(error: unknown): string {
  if (error instanceof HistoryStreamError) return t('playback.error.stream');
  if (error instanceof ExportError) {
    if (error.format === 'webm') return t(`playback.webm.${error.failure}`);
    return t(error.failure === 'empty' ? 'playback.png.empty' : 'playback.png.no_canvas');
  }
  return deskErrorText(error);
}
