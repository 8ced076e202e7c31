import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import { findAvailability } from '../../booking/find-slots.ts';
import { bookingUrl } from '../../booking/links.ts';
import { getBusiness } from '../../crm/businesses/businesses.ts';
import { getContact } from '../../crm/contacts/contacts.ts';
import { recordedPublicUrl } from '../../db/install-settings.ts';
import { formatWhen } from '../../booking/confirm.ts';
import { resolveBusiness, withContext } from '../context.ts';
import { printJson, type CliIo } from '../io.ts';

export function registerBookingCommands(program: Command, config: () => Config, io: CliIo): void {
  const booking = program.command('booking').description('Online booking: signed per-contact links and free slots');
  booking
    .command('link <contactId>')
    .description("Print the contact's signed booking link (no login; valid 30 days)")
    .option('--business <id|slug>', 'business (default: the only one)')
    .option('--json')
    .action((contactId: string, opts: { business?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const scope = await resolveBusiness(ctx, opts.business);
        const contact = await getContact(ctx, scope, contactId);
        // Without KINETIC_PUBLIC_URL here, the address the server recorded when it started; else localhost, said so.
        if (!ctx.config.publicUrlConfigured) {
          const recorded = await recordedPublicUrl(ctx.db.kysely);
          if (recorded) ctx.config.publicUrl = recorded;
          else io.err(`Note: no public address is configured and no server has recorded one; the link points at ${ctx.config.publicUrl}. Set KINETIC_PUBLIC_URL to the address customers reach.\n`);
        }
        const url = bookingUrl(ctx, scope.businessId, contact.id);
        if (opts.json) return printJson(io, { url });
        io.out(`${url}\n`);
      }),
    );
  booking
    .command('slots')
    .description('Free slots for a service (default: from now over the booking horizon)')
    .requiredOption('--service <key>', 'service key, e.g. ac_repair')
    .option('--from <iso>', 'start of the range (ISO-8601)')
    .option('--to <iso>', 'end of the range (ISO-8601, at most 31 days after --from)')
    .option('--technician <userId>', 'only this technician')
    .option('--business <id|slug>', 'business (default: the only one)')
    .option('--json')
    .action((opts: { service: string; from?: string; to?: string; technician?: string; business?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const scope = await resolveBusiness(ctx, opts.business);
        const slots = await findAvailability(ctx, scope, { serviceType: opts.service, from: opts.from, to: opts.to, technicianId: opts.technician });
        if (opts.json) return printJson(io, { data: slots });
        const { timeZone } = await getBusiness(ctx, scope.businessId);
        if (slots.length === 0) io.out('No free slots in that range.\n');
        for (const s of slots) io.out(`${formatWhen(s.start, timeZone).padEnd(30)} ${s.start}  ${s.technicianId}\n`);
      }),
    );
}
