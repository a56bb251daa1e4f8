/**
 * `npm run users -- <command>`: manages the user directory in DATA_DIR.
 *
 *   add <name> --role screen|officer|admin --scope <area>[,<area>…] [--password <pw>]
 *       officers and admins need --password (≥ 8 characters); a screen gets a token, printed once
 *   remove <name>
 *   list
 *
 * Changes take effect on the next server start.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AreaCodeSchema } from '../../protocol/events';
import { ConfigError, loadConfig } from '../config';
import { ROLES, type Role } from './scope';
import { UserDirectory } from './users';

const USAGE = `usage:
  npm run users -- add <name> --role screen|officer|admin --scope <area>[,<area>…] [--password <pw>]
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
    options: { role: { type: 'string' }, scope: { type: 'string' }, password: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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
        const { token } = users.upsert({ name, role, scope, ...(values.password ? { password: values.password } : {}) });
        console.log(`added ${role} ${name} (scope ${scope.join(', ')}) to ${users.file}`);
        if (token) console.log(`screen token (shown once; pass as Socket.IO auth.token or Authorization: Bearer): ${token}`);
      } catch (err) {
        if (err instanceof z.ZodError) fail(`add: ${err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        fail(`add: ${(err as Error).message}`);
      }
      return;
    }
    case 'remove':
      if (!name) fail('remove: a user name is required');
      if (!users.remove(name)) fail(`remove: no user ${name}`);
      console.log(`removed ${name}`);
      return;
    case 'list':
      for (const user of users.list()) console.log(`${user.name}\t${user.role}\t${user.scope.join(',')}\t${user.createdAt}`);
      return;
    default:
      fail(command ? `unknown command "${command}"` : 'a command is required');
  }
}

run(process.argv.slice(2));
