/** Connection settings shared by the PostgreSQL store and its tools. */
import os from 'node:os';

/**
 * Like libpq (psql): a URL that names no user connects as PGUSER or else the OS user. node-postgres would use
 * $USER, which is empty under many service managers and containers.
 */
export function withDefaultUser(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return connectionString; // not a URL (key=value form): left to node-postgres as written
  }
  if (url.username !== '') return connectionString;
  url.username = encodeURIComponent(process.env.PGUSER || process.env.USER || os.userInfo().username);
  return url.toString();
}
