/**
 * First-start credentials in DATA_DIR: the ingest key and an admin password, generated once, written with mode
 * 0600. Their location is reported to the caller exactly once (when created) and never logged afterwards.
 * INGEST_KEY in the environment overrides the key file.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { isLoopbackHost } from '../config';
import { newToken } from './secrets';
import { UserDirectory } from './users';

export const CREDENTIALS_DIR = 'credentials';
export const INGEST_KEY_FILE = 'ingest.key';
export const ADMIN_PASSWORD_FILE = 'admin-password.txt';

export interface Credentials {
  ingestKey: string;
  users: UserDirectory;
  /** Files created by this call (print their location once). */
  created: string[];
}

/** Thrown when the server would expose screens to a network without credentials. */
export class AccessConfigError extends Error {
  override name = 'AccessConfigError';
}

/** Loads or generates the credentials, and refuses a non-loopback bind without screen credentials. */
export function ensureCredentials(config: Pick<Config, 'dataDir' | 'ingestKey' | 'host' | 'screenToken'>): Credentials {
  const dir = path.join(config.dataDir, CREDENTIALS_DIR);
  const created: string[] = [];
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });

  let ingestKey = config.ingestKey;
  if (!ingestKey) {
    const keyFile = path.join(dir, INGEST_KEY_FILE);
    if (fs.existsSync(keyFile)) {
      ingestKey = fs.readFileSync(keyFile, 'utf8').trim();
      if (ingestKey.length < 16) throw new Error(`${keyFile}: the ingest key must be at least 16 characters`);
    } else {
      ingestKey = newToken();
      fs.writeFileSync(keyFile, `${ingestKey}\n`, { mode: 0o600 });
      created.push(keyFile);
    }
  }

  const users = UserDirectory.open(config.dataDir);
  if (!users.list().some((u) => u.role === 'admin')) {
    const password = newToken(12);
    users.upsert({ name: 'admin', role: 'admin', scope: ['city'], password });
    const passwordFile = path.join(dir, ADMIN_PASSWORD_FILE);
    fs.writeFileSync(passwordFile, `admin\n${password}\n`, { mode: 0o600 });
    created.push(passwordFile);
  }

  if (!isLoopbackHost(config.host)) {
    const screenCredentials = config.screenToken !== undefined || users.list().some((u) => u.role !== 'admin');
    if (!screenCredentials) {
      throw new AccessConfigError(
        `HOST=${config.host} is not a loopback address and no screen credentials are configured. ` +
          'Set SCREEN_TOKEN, or add users with `npm run users -- add <name> --role screen --scope <area>`, ' +
          'or bind HOST=127.0.0.1.',
      );
    }
  }
  return { ingestKey, users, created };
}
