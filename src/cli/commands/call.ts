import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import { getBusiness } from '../../crm/businesses/businesses.ts';
import { normalizePhone } from '../../crm/contacts/normalize.ts';
import { parseSimulationTime, simulateCall } from '../../voice/simulate.ts';
import { resolveBusiness, withContext } from '../context.ts';
import type { CliIo } from '../io.ts';

/** Lines the caller says: io.input when a test provides one, else stdin (prompted only on a terminal). */
type CallIo = CliIo & { input?: AsyncIterable<string> };

function lineReader(io: CallIo): { next(): Promise<string | null>; close(): void; echo: boolean } {
  const tty = !io.input && Boolean(process.stdin.isTTY);
  const rl = io.input ? null : createInterface({ input: process.stdin, terminal: false });
  const it = (io.input ?? rl!)[Symbol.asyncIterator]();
  return {
    echo: !tty,
    async next() {
      if (tty) io.out('caller> ');
      const r = await it.next();
      return r.done ? null : String(r.value);
    },
    close: () => rl?.close(),
  };
}

export function registerCallCommands(program: Command, config: () => Config, io: CallIo): void {
  const call = program.command('call').description('Phone calls and the voice receptionist');
  call
    .command('simulate')
    .description('Talk to the receptionist in the terminal (one line per caller turn; reads stdin when piped). Nothing is saved or sent.')
    .option('--business <id|slug>', 'business (default: the only one)')
    .option('--at <time>', 'when the call happens, in the business time zone: 21:00, "2026-03-03 02:00" or an ISO instant (default: now)')
    .option('--from <number>', 'the caller\'s number', '+12025550143')
    .action((opts: { business?: string; at?: string; from: string }) =>
      withContext(config, async (ctx) => {
        const scope = await resolveBusiness(ctx, opts.business);
        const business = await getBusiness(ctx, scope.businessId);
        const at = parseSimulationTime(opts.at, business.timeZone, ctx.clock.now());
        const from = normalizePhone(opts.from, business.settings.defaultCountry, 'from');
        const lines = lineReader(io);
        try {
          await simulateCall(ctx, business, { at, from }, {
            say: (line) => io.out(`${line}\n`),
            listen: async () => {
              const heard = await lines.next();
              if (heard !== null && lines.echo) io.out(`caller> ${heard}\n`);
              return heard;
            },
          });
        } finally {
          lines.close();
        }
      }),
    );
}
