import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import { simulateInboundText } from '../../engine/simulate-inbound.ts';
import { resolveBusiness, withContext } from '../context.ts';
import { printJson, type CliIo } from '../io.ts';

/** `kinetic sms receive`: feed a text through the real inbound path without Twilio (dev outbox only). */
export function registerSmsCommands(program: Command, config: () => Config, io: CliIo): void {
  const sms = program.command('sms').description('Texts without Twilio (dev outbox)');
  sms
    .command('receive')
    .description("Receive a text as if it arrived from Twilio at one of the business's numbers (refused when Twilio is configured)")
    .requiredOption('--from <number>', 'who sent it')
    .requiredOption('--body <text>', 'what it says')
    .option('--to <number>', "which of the business's numbers (default: its first)")
    .option('--business <id|slug>', 'business (default: the only one)')
    .option('--json', 'print JSON')
    .action((opts: { from: string; body: string; to?: string; business?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const scope = await resolveBusiness(ctx, opts.business);
        const r = await simulateInboundText(ctx, scope, { from: opts.from, body: opts.body, ...(opts.to ? { to: opts.to } : {}) });
        if (opts.json) return printJson(io, r);
        io.out(`Received from ${r.from}${r.to ? ` at ${r.to}` : ''} (${r.handledAs === 'staff' ? 'a team member' : `contact ${r.contactId}`}).\n`);
        if (r.reply) io.out(`Answered at once: ${r.reply}\n`);
        io.out('The worker classifies it, drafts a reply or routes an emergency; see `kinetic outbox list`.\n');
      }),
    );
}
