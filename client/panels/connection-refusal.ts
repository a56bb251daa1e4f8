/**
 * The connection badge's words for why the server refused the wall's socket (its connect_error's `data.cause`, one of
 * `AUTH_CAUSES`): a screen token's fault, a session's end, or no credentials offered, in the page's language.
 *
 * @example
 * ```ts
 * connectionRefusalText('token_expired'); // '服务器拒绝了屏幕令牌（已过期或无效），请管理员重新签发；恢复后自动重连'
 * ```
 */
import type { AuthCause } from '../../protocol/events';
import { t, type MessageKey } from '../i18n/index';

const KEYS: Record<AuthCause, MessageKey> = {
  token_expired: 'conn.refused.token',
  unknown_token: 'conn.refused.token',
  malformed_token: 'conn.refused.token',
  not_logged_in: 'conn.refused.credentials',
  bad_credentials: 'conn.refused.credentials',
  session_expired: 'conn.refused.session',
  session_idle: 'conn.refused.session',
  user_removed: 'conn.refused.session',
};

export function connectionRefusalText(cause: AuthCause): string {
  return t(KEYS[cause]);
}
