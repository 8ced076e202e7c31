import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import { numberCheckFor } from '../../channels/number-check.ts';
import { addNumber, listNumbers, removeNumber, type BusinessNumber } from '../../crm/businesses/numbers.ts';
import { resolveBusiness, withContext } from '../context.ts';
import { printJson, type CliIo } from '../io.ts';

/** `kinetic number add|list|remove`: the numbers a business texts and is called on (same rules as the API). */
export function registerNumberCommands(program: Command, config: () => Config, io: CliIo): void {
  const number = program.command('number').description("A business's phone numbers: verified on its Twilio account, one business per number");
  const line = (n: BusinessNumber) =>
    `${n.number}  ${n.verified ? 'verified' : 'unverified'}  ${n.source}${n.checkError && !n.verified ? `  (${n.checkError})` : ''}  last in: ${n.lastInboundAt ?? '—'}  last out: ${n.lastOutbound ? `${n.lastOutbound.at} (${n.lastOutbound.state})` : '—'}\n`;
  number
    .command('add <number>')
    .description("Add a number; with Twilio it must be on the business's account")
    .option('--business <id|slug>', 'business (default: the only one)')
    .option('--json', 'print JSON')
    .action((raw: string, opts: { business?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const scope = await resolveBusiness(ctx, opts.business);
        const added = await addNumber(ctx, scope, { number: raw }, await numberCheckFor(ctx.db.kysely, ctx.config, scope.businessId));
        if (opts.json) printJson(io, added);
        else io.out(`Added ${added.number} (${added.verified ? 'verified on the Twilio account' : 'unverified: the dev outbox accepts any number'}).\n`);
      }),
    );
  number
    .command('list')
    .description("The business's numbers with their last message in and out")
    .option('--business <id|slug>')
    .option('--json', 'print JSON')
    .action((opts: { business?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const numbers = await listNumbers(ctx, await resolveBusiness(ctx, opts.business));
        if (opts.json) return printJson(io, numbers);
        if (!numbers.length) io.out('No numbers yet: add one with `kinetic number add +15125550100`.\n');
        for (const n of numbers) io.out(line(n));
      }),
    );
  number
    .command('remove <number>')
    .description('Remove a number from the business (not its main phone)')
    .option('--business <id|slug>')
    .option('--json', 'print JSON')
    .action((raw: string, opts: { business?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const removed = await removeNumber(ctx, await resolveBusiness(ctx, opts.business), raw);
        if (opts.json) printJson(io, removed);
        else io.out(`Removed ${removed.removed}.\n`);
      }),
    );
}
