import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../../lib/config.js';
import { createDb } from '../../schema/db.js';
import { runMigrations } from '../../schema/migrate.js';
import { USER_ROLES, type UserRole } from '../../schema/tables/users.js';
import { ApiError } from '../http/api-error.js';
import { createUserService } from './user-service.js';

const USAGE = `Usage:
  npm run user -- add <email> [--role admin|editor|viewer] [--programs prg_a,prg_b] [--name "Ana"] [--password-stdin]
  npm run user -- reset <email> [--password-stdin]
  npm run user -- remove <email>
  npm run user -- list

Without --password-stdin, add and reset print a one-time link (valid 24 hours) where the user
chooses a password. The database is DATABASE_URL, else the one \`npm start\` runs.`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `npm run user -- …`: manage console users from a shell, e.g. when every admin is locked out. */
export async function runUserCli(argv: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string', default: 'viewer' },
      programs: { type: 'string', default: '' },
      name: { type: 'string', default: '' },
      'password-stdin': { type: 'boolean', default: false },
    },
  });
  const [command, email] = positionals;
  if (!command || (command !== 'list' && !email)) {
    out(USAGE);
    return 2;
  }
  const config = loadConfig();
  const url = config.DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${config.EMBEDDED_POSTGRES_PORT}/referral_hub`;
  const publicUrl = (config.HUB_PUBLIC_URL ?? `http://localhost:${config.HUB_PORT}`).replace(/\/+$/, '');
  const handle = createDb(url, { max: 2 });
  try {
    await runMigrations(url);
    const users = createUserService(handle.db);
    const password = values['password-stdin'] ? await readStdin() : undefined;
    const linkFor = async (userId: string) => `${publicUrl}/setup/${await users.createSetupToken(userId)}`;
    switch (command) {
      case 'add': {
        const role = values.role as UserRole;
        if (!USER_ROLES.includes(role)) throw new ApiError('validation_failed', `--role must be one of ${USER_ROLES.join(', ')}`);
        const programIds = values.programs
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const user = await users.create({ email: email!, role, programIds, name: values.name }, password);
        out(`Added ${user.email} (${user.role}${programIds.length ? `, programs ${programIds.join(', ')}` : ''}).`);
        if (!password) out(`They choose a password at this one-time link (24 hours):\n  ${await linkFor(user.id)}`);
        return 0;
      }
      case 'reset': {
        const user = await users.findByEmail(email!);
        if (!user) throw new ApiError('not_found', `No user ${email}`);
        if (password) {
          await users.setPassword(user.id, password);
          out(`Password of ${user.email} set; their sessions are signed out.`);
        } else out(`${user.email} chooses a new password at this one-time link (24 hours):\n  ${await linkFor(user.id)}`);
        return 0;
      }
      case 'remove': {
        const user = await users.findByEmail(email!);
        if (!user) throw new ApiError('not_found', `No user ${email}`);
        await users.remove(user.id);
        out(`Removed ${user.email}.`);
        return 0;
      }
      case 'list': {
        for (const u of await users.list()) out(`${u.email}\t${u.role}\t${u.programIds.join(',') || 'all programs'}`);
        return 0;
      }
      default:
        out(USAGE);
        return 2;
    }
  } catch (err) {
    if (err instanceof ApiError || err instanceof ConfigError) {
      out(`Error: ${err.message}`);
      return 1;
    }
    if (err && typeof err === 'object' && 'issues' in err) {
      out(
        `Error: ${(err as { issues: { path: unknown[]; message: string }[] }).issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')}`,
      );
      return 1;
    }
    throw err;
  } finally {
    await handle.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runUserCli(process.argv.slice(2));
}
