import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import { AppError } from '../../lib/errors.ts';
import { installPlaybook, listPlaybooks } from '../../playbooks/install.ts';
import { resolveBusiness, withContext } from '../context.ts';
import { printJson, type CliIo } from '../io.ts';

function readParams(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new AppError('BAD_REQUEST', `cannot read parameters from ${file}: ${(err as Error).message}`);
  }
}

export function registerPlaybookCommands(program: Command, config: () => Config, io: CliIo): void {
  const playbook = program.command('playbook').description('Ready-made automations for service businesses');
  playbook
    .command('list')
    .description('The playbooks, and which are installed and on')
    .option('--business <id|slug>', 'business (default: the only one)')
    .option('--json')
    .action((opts: { business?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const { data } = await listPlaybooks(ctx, await resolveBusiness(ctx, opts.business));
        if (opts.json) return printJson(io, data);
        for (const p of data) io.out(`${p.name.padEnd(24)} ${(p.installed ? (p.enabled ? 'enabled' : 'installed') : '-').padEnd(10)} ${p.automationId ?? ''.padEnd(36)}  ${p.title}\n`);
      }),
    );
  playbook
    .command('install <name>')
    .description('Install a playbook as an automation (disabled unless --enable)')
    .option('--business <id|slug>', 'business (default: the only one)')
    .option('--enable', 'turn it on now')
    .option('--params <file.json>', 'parameters (timings, channels, wording) as JSON')
    .option('--json')
    .action((name: string, opts: { business?: string; enable?: boolean; params?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const a = await installPlaybook(ctx, await resolveBusiness(ctx, opts.business), name, { enable: Boolean(opts.enable), params: readParams(opts.params) });
        if (opts.json) return printJson(io, a);
        io.out(`Installed "${a.name}" as automation ${a.id} (${a.status}). Inspect or edit it with: kinetic automation show ${a.id}\n`);
      }),
    );
}
