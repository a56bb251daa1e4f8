/**
 * The connection badge's words for why the server refuses the wall its feed (LiveSocketController.refusedFor): its
 * socket's credentials (the connect_error's `data.cause`, one of `AUTH_CAUSES`: a screen token's fault, a session's
 * end, or no credentials offered) or its area (`area_forbidden`), in the page's language.
 *
 * @example
 * ```ts
 * connectionRefusalLabel('token_expired'); // '屏幕令牌被拒'
 * connectionRefusalText('token_expired'); // '服务器拒绝了屏幕令牌（已过期或无效），请管理员重新签发；恢复后自动重连'
 * ```
 */
import type { LiveRefusal } from '../live/live-socket-controller';
import { t, type MessageKey } from '../i18n/index';

type Kind = 'token' | 'session' | 'credentials' | 'area';

const KINDS: Record<LiveRefusal, Kind> = {
  area_forbidden: 'area',
  token_expired: 'token',
  unknown_token: 'token',
  malformed_token: 'token',
  not_logged_in: 'credentials',
  bad_credentials: 'credentials',
  session_expired: 'session',
  session_idle: 'session',
  user_removed: 'session',
};

/** The whole sentence: what was refused, what to do, and that the wall comes back by itself (the tooltip). */
export function connectionRefusalText(cause: LiveRefusal): string {
  return t(`conn.refused.${KINDS[cause]}` satisfies MessageKey);
}

/** A few words for the badge itself, readable across a room where nobody hovers ('Token refused'). */
export function connectionRefusalLabel(cause: LiveRefusal): string {
  return t(`conn.refusedShort.${KINDS[cause]}` satisfies MessageKey);
}
