/**
 * Keeps `/live` sockets honest after their handshake. A socket was let in by its credentials (a screen token, the
 * SCREEN_TOKEN or an officer's session cookie); those can end while it is connected: the user is removed or rotated
 * (`npm run users -- …`), a screen token expires, a session is logged out, runs past SESSION_HOURS or idles past
 * SESSION_IDLE_MINUTES. The guard re-checks the handshake's credentials
 * - on every message the socket sends: a refused one is answered `unauthorized` with the reason, and the socket is
 *   closed;
 * - every `sweepMs` for every connected socket: refused sockets are closed.
 * Neither slides a session's idle timeout: a wall's auto-tour subscribes every minute, and an unattended page must
 * still be logged out after SESSION_IDLE_MINUTES; only the officer's own HTTP requests count as use.
 * A still valid credential whose scope was narrowed updates the socket's principal; a socket whose subscribed area
 * fell outside it is closed too.
 */
import type { Namespace, Socket } from 'socket.io';
import type { Logger } from '../ops/logger';
import { refusalOf, type Access } from './access';
import { areaInScope, type Principal } from './scope';

/** What the guard needs of a socket's data (the relay's ScreenData). */
interface GuardedData {
  principal: Principal;
  area?: string;
}

export interface LiveGuardOptions {
  /** `/live`, with any event maps: the guard only reads handshakes and socket data. */
  namespace: Namespace<any, any, any, GuardedData>;
  access: Access;
  logger: Logger;
  /** How often every socket is re-checked (ms, default 2,000). */
  sweepMs?: number;
}

/** Starts guarding; `close()` stops the sweep. */
export function guardLiveSockets(options: LiveGuardOptions): { close(): void; sweep(): number } {
  const { namespace, access, logger } = options;

  /** Why the socket may no longer stay, or undefined when it may (its principal refreshed). */
  const recheck = (socket: Socket<never, never, never, GuardedData>): string | undefined => {
    const auth = access.authenticateHandshake(socket.handshake.auth, socket.handshake.headers, Date.now(), 'peek');
    const principal = access.readerOf(auth);
    if (!principal) return refusalOf(auth, 'a token is required').reason;
    const area = socket.data.area;
    if (area !== undefined && !areaInScope(principal.scope, area)) return `area ${area} is now outside this screen's scope`;
    socket.data.principal = principal;
    return undefined;
  };

  const refuse = (socket: Socket<never, never, never, GuardedData>, reason: string) => {
    logger.info({ socket: socket.id, name: socket.data.principal?.name, reason }, 'closing a /live socket whose credentials ended');
    socket.disconnect(true);
  };

  namespace.on('connection', (socket: Socket<never, never, never, GuardedData>) => {
    socket.use((packet, next) => {
      const reason = recheck(socket);
      if (reason === undefined) {
        next();
        return;
      }
      const ack = packet[packet.length - 1];
      if (typeof ack === 'function') (ack as (r: unknown) => void)({ ok: false, error: { code: 'unauthorized', message: `unauthorized: ${reason}` } });
      refuse(socket, reason);
    });
  });

  const sweep = (): number => {
    let closed = 0;
    for (const socket of namespace.sockets.values()) {
      const reason = recheck(socket as Socket<never, never, never, GuardedData>);
      if (reason !== undefined) {
        refuse(socket as Socket<never, never, never, GuardedData>, reason);
        closed++;
      }
    }
    return closed;
  };
  const timer = setInterval(sweep, options.sweepMs ?? 2_000);
  timer.unref();
  return {
    close: () => clearInterval(timer),
    sweep,
  };
}
