import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../access/auth.ts';
import { createUser, roles } from '../../access/users.ts';
import { AppError } from '../../lib/errors.ts';
import { resolveBusiness, withContext } from '../context.ts';
import { printJson, type CliIo } from '../io.ts';

export function registerAccessCommands(program: Command, config: () => Config, io: CliIo): void {
  const user = program.command('user').description('Team members');
  user
    .command('create')
    .description('Add a team member who can log in')
    .requiredOption('--email <email>')
    .requiredOption('--name <name>')
    .option('--role <role>', `one of ${roles.join(', ')}`, 'agent')
    .option('--password <password>', 'login password (or set KINETIC_USER_PASSWORD)')
    .option('--phone <phone>')
    .option('--business <id|slug>', 'business (default: the only one)')
    .option('--json', 'print JSON')
    .action((opts: { email: string; name: string; role: string; password?: string; phone?: string; business?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const scope = await resolveBusiness(ctx, opts.business);
        const password = opts.password ?? io.env.KINETIC_USER_PASSWORD;
        if (!password) throw new AppError('BAD_REQUEST', 'give a password with --password or KINETIC_USER_PASSWORD');
        const u = await createUser(ctx, scope, { email: opts.email, name: opts.name, role: opts.role, password, phone: opts.phone });
        if (opts.json) printJson(io, u);
        else io.out(`Created ${u.role} ${u.name} <${u.email}> (id ${u.id}).\n`);
      }),
    );

  const apikey = program.command('apikey').description('API keys (one business each, stored hashed)');
  apikey
    .command('create')
    .description('Create an API key; the secret is printed once')
    .requiredOption('--name <name>', 'what the key is for, e.g. "zapier"')
    .option('--business <id|slug>', 'business (default: the only one)')
    .option('--json', 'print JSON')
    .action((opts: { name: string; business?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const scope = await resolveBusiness(ctx, opts.business);
        const key = await createApiKey(ctx, scope, { name: opts.name });
        if (opts.json) printJson(io, key);
        else io.out(`${key.key}\n(key ${key.id}, "${key.name}"; store it now, it is not shown again)\n`);
      }),
    );
  apikey
    .command('list')
    .description('List API keys')
    .option('--business <id|slug>')
    .option('--json', 'print JSON')
    .action((opts: { business?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const keys = await listApiKeys(ctx, await resolveBusiness(ctx, opts.business));
        if (opts.json) return printJson(io, keys);
        for (const k of keys) io.out(`${k.id}  ${k.prefix}…  ${k.name}  ${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}\n`);
      }),
    );
  apikey
    .command('revoke <id>')
    .description('Revoke an API key')
    .option('--business <id|slug>')
    .action((id: string, opts: { business?: string }) =>
      withContext(config, async (ctx) => {
        await revokeApiKey(ctx, await resolveBusiness(ctx, opts.business), id);
        io.out(`Revoked ${id}.\n`);
      }),
    );
}
