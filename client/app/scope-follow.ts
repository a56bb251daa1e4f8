/**
 * A wall follows its reader's scope: a page whose live area lies outside what its screen token or officer may see
 * (a district's token on the default `area=city`, or a scope an admin has since narrowed) would only be refused its
 * feed (`forbidden`) and wait. Instead it moves to the first area of the scope, keeping every other parameter, as
 * the desk does for an officer who logs in (`scopedLocation`).
 *
 * @example
 * ```ts
 * // a page opened with ?wall=1&token=… (a token scoped to 530102) and no area
 * await locationInScope('?wall=1&token=…', '…'); // '?wall=1&token=…&area=530102'
 * ```
 */
import { deskApi } from '../desk/desk-api';
import { scopedLocation } from '../desk/desk-url';

/**
 * The page's query string moved into the reader's scope, or null when its area is already covered, nobody is
 * signed in or the server cannot be asked (then the socket's refusal stands and its retries go on).
 */
export async function locationInScope(search: string, token: string | null, signal?: AbortSignal): Promise<string | null> {
  try {
    const reader = token ? await deskApi.reader(token, signal) : (await deskApi.session({ peek: true, ...(signal ? { signal } : {}) })).officer;
    return reader ? scopedLocation(search, reader) : null;
  } catch {
    return null;
  }
}
