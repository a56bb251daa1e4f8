/**
 * The user directory in DATA_DIR/users.json: officers and admins log in with a password (scrypt-hashed); screens
 * present a random token (stored as its SHA-256, which is enough for a 192-bit random token and keeps the socket
 * handshake cheap). The file is rewritten atomically (temp file + rename) and created with mode 0600.
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
});
export type UserRecord = z.infer<typeof UserSchema>;
const UsersFileSchema = z.object({ version: z.literal(1), users: z.array(UserSchema) });

export const USERS_FILE = 'users.json';

/** Reads, checks and changes the user directory. */
export class UserDirectory {
  private users: UserRecord[] = [];
  private byToken = new Map<string, UserRecord>();

  constructor(readonly file: string) {
    this.reload();
  }

  /** Opens the directory of a data dir. */
  static open(dataDir: string): UserDirectory {
    return new UserDirectory(path.join(dataDir, USERS_FILE));
  }

  /** Re-reads the file (missing = empty). A corrupt file is an error naming it, never silently emptied. */
  reload(): void {
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

  list(): readonly UserRecord[] {
    return this.users;
  }

  get(name: string): UserRecord | undefined {
    return this.users.find((u) => u.name === name);
  }

  /** True when any user could authenticate a screen (used by the non-loopback start check). */
  hasScreenCredentials(): boolean {
    return this.users.length > 0;
  }

  /**
   * Adds or replaces a user. Officers and admins need a password; screens get a fresh token, returned once.
   * @returns the screen token when one was generated
   */
  upsert(input: { name: string; role: Role; scope: string[]; password?: string }): { token?: string } {
    let token: string | undefined;
    const record: UserRecord = UserSchema.parse({
      name: input.name,
      role: input.role,
      scope: input.scope,
      createdAt: new Date().toISOString(),
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
  authenticatePassword(name: string, password: string): Principal | undefined {
    const user = this.get(name);
    if (!user?.passwordHash) {
      // Spend the same time as a real check so names cannot be probed by timing.
      verifySecret(password, 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
      return undefined;
    }
    return verifySecret(password, user.passwordHash) ? toPrincipal(user) : undefined;
  }

  /** The principal for a screen token, or undefined. */
  authenticateToken(token: string): Principal | undefined {
    const user = this.byToken.get(tokenFingerprint(token));
    return user ? toPrincipal(user) : undefined;
  }

  private save(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify({ version: 1, users: this.users }, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    this.byToken = new Map(this.users.filter((u) => u.tokenSha256).map((u) => [u.tokenSha256 as string, u]));
  }
}

function toPrincipal(user: UserRecord): Principal {
  return { name: user.name, role: user.role, scope: [...user.scope] };
}
