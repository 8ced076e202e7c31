import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { Config } from '../config.ts';
import type { CliIo } from './io.ts';
import { defaultIo } from './io.ts';

type Register = (program: Command, config: () => Config, io: CliIo) => void;

/**
 * Every command module, in the order `kinetic --help` lists them. Each is
 * loaded only when one of its commands runs: a module pulls in what its
 * commands need (the server, Twilio, the model engine, the demo generator),
 * and `kinetic --help` or `kinetic contact list` should not pay for the rest.
 */
const commandModules: Array<() => Promise<Register>> = [
  async () => (await import('./commands/start.ts')).registerStartCommand,
  async () => (await import('./commands/data.ts')).registerDataCommands,
  async () => (await import('./commands/access.ts')).registerAccessCommands,
  async () => (await import('./commands/number.ts')).registerNumberCommands,
  async () => (await import('./commands/sms.ts')).registerSmsCommands,
  async () => (await import('./commands/csv.ts')).registerCsvCommands,
  async () => (await import('./commands/automation.ts')).registerAutomationCommands,
  async () => (await import('./commands/booking.ts')).registerBookingCommands,
  async () => (await import('./commands/insights.ts')).registerInsightCommands,
  async () => (await import('./commands/playbook.ts')).registerPlaybookCommands,
  async () => (await import('./commands/call.ts')).registerCallCommands,
  async () => (await import('./commands/classify.ts')).registerClassifyCommand,
  async () => (await import('./commands/model.ts')).registerModelCommands,
];

/** A top-level command as the compiled build recorded it: which module registers it and how help lists it. */
export interface CommandEntry {
  name: string;
  aliases: string[];
  module: number;
  term: string;
  description: string;
}

/**
 * Written next to the compiled main.js by the build (scripts/server-build.mjs),
 * from the modules themselves; absent when running from src/ through tsx,
 * where every module is loaded as before.
 */
function readManifest(): CommandEntry[] | null {
  const url = new URL('./commands.json', import.meta.url);
  if (url.protocol !== 'file:' || !existsSync(url)) return null;
  try {
    return JSON.parse(readFileSync(url, 'utf8')) as CommandEntry[];
  } catch {
    return null;
  }
}

function newProgram(io: CliIo): Command {
  return new Command('kinetic')
    .description('Kinetic: the AI business operating system for local service businesses')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError();
}

/** The top-level commands of every module, for the build's manifest. */
export async function commandManifest(io: CliIo = defaultIo): Promise<CommandEntry[]> {
  const program = newProgram(io);
  const { loadConfig } = await import('../config.ts');
  const config = () => loadConfig(io.env, io.cwd);
  const help = program.createHelp();
  const entries: CommandEntry[] = [];
  for (const [module, load] of commandModules.entries()) {
    const before = program.commands.length;
    (await load())(program, config, io);
    for (const cmd of program.commands.slice(before)) entries.push({ name: cmd.name(), aliases: cmd.aliases(), module, term: help.subcommandTerm(cmd), description: cmd.description() });
  }
  return entries;
}

/** Runs the `kinetic` CLI; resolves to the process exit code (0 ok, 2 bad input, 1 internal error). */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const program = newProgram(io);
  const manifest = readManifest();
  const asked = argv.slice(2).find((a) => !a.startsWith('-'));
  const entry = asked === undefined ? undefined : manifest?.find((e) => e.name === asked || e.aliases.includes(asked));
  try {
    if (manifest && asked === undefined) {
      // `kinetic --help`: the listing the build recorded, with no command module (nor its dependencies) loaded.
      const terms = new Map(manifest.map((e) => [e.name, e.term]));
      for (const e of manifest) program.command(e.name).aliases(e.aliases).description(e.description);
      const standard = program.createHelp();
      program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? standard.subcommandTerm(cmd) });
    } else {
      const { loadConfig } = await import('../config.ts');
      const config = () => loadConfig(io.env, io.cwd);
      // `kinetic <command> …`: only the module that has it. From src/ (no manifest), or for a command the
      // manifest does not know (commander then suggests the nearest), every module.
      if (entry) (await commandModules[entry.module]())(program, config, io);
      else for (const load of commandModules) (await load())(program, config, io);
    }
    await program.parseAsync(argv);
    return io.exitCode ?? 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return 0;
      return 2;
    }
    const { AppError, fromDatabaseError } = await import('../lib/errors.ts');
    const known = err instanceof AppError ? err : fromDatabaseError(err);
    if (known) {
      io.err(`error: ${known.message}\n`);
      return known.exitCode;
    }
    io.err(`error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
