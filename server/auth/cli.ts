/**
 * `npm run users -- <command>`: manages the user directory in DATA_DIR.
 *
 *   add <name> --role screen|officer|admin --scope <area>[,<area>…] [--password <pw>] [--expires 90d|<ISO date>]
 *       officers and admins need --password (≥ 8 characters); a screen gets a token, printed once, valid until
 *       --expires (a duration such as 90d, 12h, 2w, or an ISO date; default: no expiry)
 *   rotate <name> [--expires 90d|<ISO date>]
 *       a screen's new token (printed once) replaces the old one at once; role and scope stay
 *   remove <name>
 *   list
 *
 * A running server notices the change at its next authentication: removed, rotated and expired screens are refused
 * at once and their open sockets closed within seconds.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AreaCodeSchema } from '../../protocol/events';
import { ConfigError, loadConfig } from '../config';
import { ROLES, type Role } from './scope';
import { parseExpiry, UserDirectory } from './users';

const USAGE = `usage:
  npm run users -- add <name> --role screen|officer|admin --scope <area>[,<area>…] [--password <pw>] [--expires 90d|<ISO date>]
  npm run users -- rotate <name> [--expires 90d|<ISO date>]
  npm run users -- remove <name>
  npm run users -- list`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function run(argv: string[]): void {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      scope: { type: 'string' },
      password: { type: 'string' },
      expires: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  let dataDir: string;
  try {
    dataDir = loadConfig().dataDir;
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const users = UserDirectory.open(dataDir);
  const [command, name] = positionals;
  let expiresAt: Date | undefined;
  if (values.expires !== undefined) {
    try {
      expiresAt = parseExpiry(values.expires);
    } catch (err) {
      fail((err as Error).message);
    }
  }
  const printToken = (token: string | undefined) => {
    if (token) console.log(`screen token (shown once; pass as Socket.IO auth.token or Authorization: Bearer): ${token}`);
  };
  const until = expiresAt ? `, expires ${expiresAt.toISOString()}` : '';
  switch (command) {
    case 'add': {
      if (!name) fail('add: a user name is required');
      const role = values.role as Role | undefined;
      if (!role || !(ROLES as readonly string[]).includes(role)) fail(`--role: must be one of ${ROLES.join(', ')}`);
      const scope = (values.scope ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (scope.length === 0) fail('--scope: name at least one area (`city` or a district/street/community/grid code)');
      for (const area of scope) {
        const ok = AreaCodeSchema.safeParse(area);
        if (!ok.success) fail(`--scope: "${area}" ${ok.error.issues[0]?.message ?? 'is not an area code'}`);
      }
      try {
        const { token } = users.upsert({
          name,
          role,
          scope,
          ...(values.password ? { password: values.password } : {}),
          ...(expiresAt ? { expiresAt } : {}),
        });
        console.log(`added ${role} ${name} (scope ${scope.join(', ')}${until}) to ${users.file}`);
        printToken(token);
      } catch (err) {
        if (err instanceof z.ZodError) fail(`add: ${err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        fail(`add: ${(err as Error).message}`);
      }
      return;
    }
    case 'rotate': {
      if (!name) fail('rotate: a user name is required');
      const user = users.get(name);
      if (!user) fail(`rotate: no user ${name}`);
      if (user.role !== 'screen') fail(`rotate: ${name} is an ${user.role}; only screens have tokens (change a password with add)`);
      try {
        const { token } = users.upsert({ name, role: 'screen', scope: user.scope, ...(expiresAt ? { expiresAt } : {}) });
        console.log(`rotated the token of screen ${name} (scope ${user.scope.join(', ')}${until}); the old token is refused from now on`);
        printToken(token);
      } catch (err) {
        fail(`rotate: ${(err as Error).message}`);
      }
      return;
    }
    case 'remove':
      if (!name) fail('remove: a user name is required');
      if (!users.remove(name)) fail(`remove: no user ${name}`);
      console.log(`removed ${name}`);
      return;
    case 'list':
      for (const user of users.list()) {
        console.log(`${user.name}\t${user.role}\t${user.scope.join(',')}\t${user.createdAt}\t${user.expiresAt ? `expires ${user.expiresAt}` : 'no expiry'}`);
      }
      return;
    default:
      fail(command ? `unknown command "${command}"` : 'a command is required');
  }
}

run(process.argv.slice(2));
