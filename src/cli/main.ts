import { Command, CommanderError } from 'commander';
import { loadConfig } from '../config.ts';
import { AppError, fromDatabaseError } from '../lib/errors.ts';
import { registerAccessCommands } from './commands/access.ts';
import { registerAutomationCommands } from './commands/automation.ts';
import { registerBookingCommands } from './commands/booking.ts';
import { registerCsvCommands } from './commands/csv.ts';
import { registerCallCommands } from './commands/call.ts';
import { registerClassifyCommand } from './commands/classify.ts';
import { registerDataCommands } from './commands/data.ts';
import { registerModelCommands } from './commands/model.ts';
import { registerPlaybookCommands } from './commands/playbook.ts';
import { registerStartCommand } from './commands/start.ts';
import { registerInsightCommands } from './commands/insights.ts';
import { registerNumberCommands } from './commands/number.ts';
import type { CliIo } from './io.ts';
import { defaultIo } from './io.ts';

/** Runs the `kinetic` CLI; resolves to the process exit code (0 ok, 2 bad input, 1 internal error). */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const program = new Command('kinetic')
    .description('Kinetic: the AI business operating system for local service businesses')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError();
  const config = () => loadConfig(io.env, io.cwd);
  registerStartCommand(program, config, io);
  registerDataCommands(program, config, io);
  registerAccessCommands(program, config, io);
  registerNumberCommands(program, config, io);
  registerCsvCommands(program, config, io);
  registerAutomationCommands(program, config, io);
  registerBookingCommands(program, config, io);
  registerInsightCommands(program, config, io);
  registerPlaybookCommands(program, config, io);
  registerCallCommands(program, config, io);
  registerClassifyCommand(program, config, io);
  registerModelCommands(program, config, io);
  try {
    await program.parseAsync(argv);
    return io.exitCode ?? 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return 0;
      return 2;
    }
    const known = err instanceof AppError ? err : fromDatabaseError(err);
    if (known) {
      io.err(`error: ${known.message}\n`);
      return known.exitCode;
    }
    io.err(`error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
