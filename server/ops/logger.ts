/**
 * Structured logs (pino). Request bodies, tokens, keys and passwords are never logged: the redact list below
 * removes them should a caller pass them by mistake.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Creates the server logger. `silent` for tests. */
export function createLogger(level: string = 'info'): Logger {
  return pino({
    level,
    base: { service: 'gridwatch' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'headers.cookie',
        'password',
        'token',
        'key',
        'body',
        '*.password',
        '*.token',
        '*.key',
        '*.body',
      ],
      censor: '[redacted]',
    },
  });
}
