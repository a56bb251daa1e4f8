/**
 * The user directory in DATA_DIR/users.json: officers and admins log in with a password (scrypt-hashed); screens
 * present a random token (stored as its SHA-256, which is enough for a 192-bit random token and keeps the socket
 * handshake cheap). The file is rewritten atomically (temp file + rename) and created with mode 0600.
 *
 * A screen may carry an expiry (`expiresAt`): after it, its token (and any password) is refused with the reason.
 * A running server notices changes to the file (`npm run users -- …`) at the next authentication: a removed or
 * expired user is refused at once, without a restart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AreaCodeSchema } from '../../protocol/events';
import { hashSecret, newToken, tokenFingerprint, verifySecret } from './secrets';
import { ROLES, type Principal, type Role } from './scope';

const UserSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits or _ . -'),
  role: z.enum(ROLES),
  scope: z.array(AreaCodeSchema).min(1, 'must name at least one area'),
  passwordHash: z.string().optional(),
  tokenSha256: z.string().optional(),
  createdAt: z.string(),
  /** ISO time after which the user (a screen's token) is refused; absent = no expiry. */
  expiresAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
});
export type UserRecord = z.infer<typeof UserSchema>;
const UsersFileSchema = z.object({ version: z.literal(1), users: z.array(UserSchema) });

export const USERS_FILE = 'users.json';

/** The outcome of checking a screen token. */
export type TokenCheck =
  | { kind: 'valid'; principal: Principal }
  | { kind: 'expired'; name: string; expiresAt: string }
  | { kind: 'unknown' };

/** Reads, checks and changes the user directory. */
export class UserDirectory {
  private users: UserRecord[] = [];
  private byToken = new Map<string, UserRecord>();
  /** identity of the file last read (inode, size, mtime), to notice changes made by the CLI */
  private seen = '';

  constructor(readonly file: string) {
    this.reload();
  }

  /** Opens the directory of a data dir. */
  static open(dataDir: string): UserDirectory {
    return new UserDirectory(path.join(dataDir, USERS_FILE));
  }

  /** Re-reads the file (missing = empty). A corrupt file is an error naming it, never silently emptied. */
  reload(): void {
    this.seen = fileIdentity(this.file);
    if (!fs.existsSync(this.file)) {
      this.users = [];
    } else {
      let raw: unknown;
      try {
        raw = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      } catch (err) {
        throw new Error(`${this.file}: not valid JSON (${(err as Error).message})`);
      }
      const parsed = UsersFileSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`${this.file}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
      }
      this.users = parsed.data.users;
    }
    this.byToken = new Map(this.users.filter((u) => u.tokenSha256).map((u) => [u.tokenSha256 as string, u]));
  }

  /**
   * Re-reads the file when another process (the users CLI) has changed it since the last read. A file that cannot
   * be read keeps the last good directory (the CLI writes atomically, so this is a hand edit in progress).
   */
  refresh(): void {
    if (fileIdentity(this.file) === this.seen) return;
    try {
      this.reload();
    } catch {
      // reload() throws before it replaces anything but `seen`: the last good directory stays
    }
  }

  list(): readonly UserRecord[] {
    return this.users;
  }

  get(name: string): UserRecord | undefined {
    return this.users.find((u) => u.name === name);
  }

  /** The principal of a user who exists now and has not expired (sessions re-check their user with it). */
  principalOf(name: string, now = Date.now()): Principal | undefined {
    this.refresh();
    const user = this.get(name);
    return user && !isExpired(user, now) ? toPrincipal(user) : undefined;
  }

  /** True when any user could authenticate a screen (used by the non-loopback start check). */
  hasScreenCredentials(): boolean {
    return this.users.length > 0;
  }

  /**
   * Adds or replaces a user. Officers and admins need a password; screens get a fresh token, returned once.
   * @returns the screen token when one was generated
   */
  upsert(input: { name: string; role: Role; scope: string[]; password?: string; expiresAt?: Date }): { token?: string } {
    let token: string | undefined;
    if (input.expiresAt !== undefined) {
      if (input.role !== 'screen') throw new Error('expires: only screen tokens expire (officer sessions end after SESSION_HOURS)');
      if (Number.isNaN(input.expiresAt.getTime())) throw new Error('expires: not a valid date');
      if (input.expiresAt.getTime() <= Date.now()) throw new Error(`expires: ${input.expiresAt.toISOString()} is already past`);
    }
    const record: UserRecord = UserSchema.parse({
      name: input.name,
      role: input.role,
      scope: input.scope,
      createdAt: new Date().toISOString(),
      ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt.toISOString() } : {}),
    });
    if (input.role === 'screen') {
      token = newToken();
      record.tokenSha256 = tokenFingerprint(token);
      if (input.password) record.passwordHash = hashSecret(input.password);
    } else {
      if (!input.password || input.password.length < 8) throw new Error('password: must be at least 8 characters');
      record.passwordHash = hashSecret(input.password);
    }
    this.users = [...this.users.filter((u) => u.name !== input.name), record];
    this.save();
    return token ? { token } : {};
  }

  remove(name: string): boolean {
    const before = this.users.length;
    this.users = this.users.filter((u) => u.name !== name);
    if (this.users.length === before) return false;
    this.save();
    return true;
  }

  /** The principal for a name + password, or undefined. */
  authenticatePassword(name: string, password: string, now = Date.now()): Principal | undefined {
    this.refresh();
    const user = this.get(name);
    if (!user?.passwordHash || isExpired(user, now)) {
      // Spend the same time as a real check so names cannot be probed by timing.
      verifySecret(password, 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
      return undefined;
    }
    return verifySecret(password, user.passwordHash) ? toPrincipal(user) : undefined;
  }

  /** The principal for a screen token that exists and has not expired, or undefined. */
  authenticateToken(token: string, now = Date.now()): Principal | undefined {
    const found = this.checkToken(token, now);
    return found.kind === 'valid' ? found.principal : undefined;
  }

  /** Checks a screen token against the directory as the file holds it now, telling an expired token apart. */
  checkToken(token: string, now = Date.now()): TokenCheck {
    this.refresh();
    const user = this.byToken.get(tokenFingerprint(token));
    if (!user) return { kind: 'unknown' };
    if (isExpired(user, now)) return { kind: 'expired', name: user.name, expiresAt: user.expiresAt as string };
    return { kind: 'valid', principal: toPrincipal(user) };
  }

  private save(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify({ version: 1, users: this.users }, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    this.seen = fileIdentity(this.file);
    this.byToken = new Map(this.users.filter((u) => u.tokenSha256).map((u) => [u.tokenSha256 as string, u]));
  }
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/**
 * The `--expires` of the users CLI: a duration from now (`90d`, `12h`, `30m`, `2w`) or an ISO date or date-time
 * (`2027-03-01`, `2027-03-01T08:00:00+08:00`; a bare date means its start in UTC).
 * @throws Error naming `--expires` and the reason
 */
export function parseExpiry(text: string, now = Date.now()): Date {
  const value = text.trim();
  const duration = /^(\d{1,6})\s*([mhdw])$/i.exec(value);
  if (duration) {
    const amount = Number(duration[1]);
    if (amount === 0) throw new Error('--expires: a duration must be more than 0');
    return new Date(now + amount * UNIT_MS[(duration[2] as string).toLowerCase() as keyof typeof UNIT_MS]);
  }
  const isoDate = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const isoDateTime = z.iso.datetime({ offset: true }).safeParse(value).success;
  if (!isoDate && !isoDateTime) {
    throw new Error(`--expires: "${text}" is neither a duration (90d, 12h, 30m, 2w) nor an ISO date (2027-03-01) or date-time with offset`);
  }
  const at = new Date(value);
  if (Number.isNaN(at.getTime()) || (isoDate && at.toISOString().slice(0, 10) !== value)) {
    throw new Error(`--expires: "${text}" is not a real date`);
  }
  if (at.getTime() <= now) throw new Error(`--expires: ${at.toISOString()} is already past`);
  return at;
}

function isExpired(user: UserRecord, now: number): boolean {
  return user.expiresAt !== undefined && Date.parse(user.expiresAt) <= now;
}

/** Inode, size and mtime: the CLI replaces the file by rename, so any change shows here. */
function fileIdentity(file: string): string {
  try {
    const stat = fs.statSync(file, { bigint: true });
    return `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
  } catch {
    return 'missing';
  }
}

function toPrincipal(user: UserRecord): Principal {
  return { name: user.name, role: user.role, scope: [...user.scope] };
}
