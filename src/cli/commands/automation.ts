import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import { createAutomation, getAutomation, listAutomations, setAutomationStatus, updateAutomation, validateDefinition } from '../../engine/automations.ts';
import { controlEnrollment, controlOutbox, decideApproval, explainContact, listApprovals, listEnrollments, listOutbox } from '../../engine/manage.ts';
import { simulateAutomation } from '../../engine/simulate.ts';
import { AppError } from '../../lib/errors.ts';
import { resolveBusiness, withContext } from '../context.ts';
import { printJson, type CliIo } from '../io.ts';

function readDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AppError('BAD_REQUEST', `cannot read ${file}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('BAD_REQUEST', `${file} is not valid JSON: ${(err as Error).message}`);
  }
}

export function registerAutomationCommands(program: Command, config: () => Config, io: CliIo): void {
  const automation = program.command('automation').description('Automations: create, validate, enable, simulate');
  const biz = (c: Command) => c.option('--business <id|slug>', 'business (default: the only one)');

  biz(automation.command('validate <file>').description('Check an automation document (JSON) without saving it')).action((file: string, opts: { business?: string }) =>
    withContext(config, async (ctx) => {
      const doc = readDocument(file);
      const scope = await resolveBusiness(ctx, opts.business);
      const def = await validateDefinition(ctx.db.kysely, scope.businessId, doc, { allowPrivate: ctx.config.webhooksAllowPrivate });
      io.out(`valid: "${def.name}" (${def.steps.length} steps, trigger ${def.trigger.type === 'event' ? def.trigger.event : def.trigger.type})\n`);
    }),
  );
  biz(automation.command('create <file>').description('Create an automation from a JSON document').option('--enable', 'turn it on now').option('--json')).action(
    (file: string, opts: { business?: string; enable?: boolean; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const definition = readDocument(file);
        const a = await createAutomation(ctx, await resolveBusiness(ctx, opts.business), { definition, enabled: Boolean(opts.enable) });
        if (opts.json) printJson(io, a);
        else io.out(`Created automation ${a.id} "${a.name}" (${a.status}).\n`);
      }),
  );
  biz(automation.command('update <id> <file>').description('Save a new version (enrolments in flight keep theirs)')).action((id: string, file: string, opts: { business?: string }) =>
    withContext(config, async (ctx) => {
      const a = await updateAutomation(ctx, await resolveBusiness(ctx, opts.business), id, { definition: readDocument(file) });
      io.out(`Saved version ${a.version} of "${a.name}".\n`);
    }),
  );
  for (const status of ['enable', 'disable'] as const) {
    biz(automation.command(`${status} <id>`).description(`${status === 'enable' ? 'Turn on' : 'Turn off'} an automation`)).action((id: string, opts: { business?: string }) =>
      withContext(config, async (ctx) => {
        const a = await setAutomationStatus(ctx, await resolveBusiness(ctx, opts.business), id, status === 'enable' ? 'enabled' : 'disabled');
        io.out(`"${a.name}" is ${a.status}.\n`);
      }),
    );
  }
  biz(automation.command('list').description('List automations with enrolment counts').option('--json')).action((opts: { business?: string; json?: boolean }) =>
    withContext(config, async (ctx) => {
      const page = await listAutomations(ctx, await resolveBusiness(ctx, opts.business), { limit: 500 });
      if (opts.json) return printJson(io, page.data);
      for (const a of page.data) io.out(`${a.id}  ${a.status.padEnd(8)}  v${a.version}  ${a.name}  ${JSON.stringify(a.enrollments)}\n`);
      if (page.data.length === 0) io.out('No automations.\n');
    }),
  );
  biz(automation.command('show <id>').description('Print an automation document')).action((id: string, opts: { business?: string }) =>
    withContext(config, async (ctx) => printJson(io, await getAutomation(ctx, await resolveBusiness(ctx, opts.business), id))),
  );
  biz(
    automation
      .command('simulate <id>')
      .description('Replay on past data on a virtual clock and report what would have been sent (sends nothing)')
      .requiredOption('--from <date>', 'start, e.g. 2026-01-01')
      .requiredOption('--to <date>', 'end, e.g. 2026-02-01')
      .option('--json'),
  ).action((id: string, opts: { business?: string; from: string; to: string; json?: boolean }) =>
    withContext(config, async (ctx) => {
      const report = await simulateAutomation(ctx, await resolveBusiness(ctx, opts.business), id, { from: opts.from, to: opts.to });
      if (opts.json) return printJson(io, report);
      io.out(`Simulated ${report.from} → ${report.to}: ${report.enrolled} enrolled, ${report.sends.length} messages would be sent.\n`);
      for (const s of report.sends) io.out(`${s.at}  ${s.channel.padEnd(5)} ${s.audience === 'staff' ? '[staff] ' : ''}${s.to}  ${s.contactName ?? ''}: ${s.body.replace(/\s+/g, ' ').slice(0, 100)}\n`);
      const why = report.decisions.filter((d) => d.outcome === 'skipped' || d.outcome === 'deferred');
      if (why.length) io.out(`\n${why.length} skipped or deferred steps (reasons in --json).\n`);
      io.out(`Outcome: ${JSON.stringify(report.finished)}\n`);
    }),
  );

  const enrollment = program.command('enrollment').description('Enrolments: inspect, retry, stop');
  biz(enrollment.command('list').option('--automation <id>').option('--contact <id>').option('--status <status>').option('--json')).action(
    (opts: { business?: string; automation?: string; contact?: string; status?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const page = await listEnrollments(ctx, await resolveBusiness(ctx, opts.business), { limit: 500, ...(opts.automation && { automationId: opts.automation }), ...(opts.contact && { contactId: opts.contact }), ...(opts.status && { status: opts.status }) });
        if (opts.json) return printJson(io, page.data);
        for (const e of page.data) io.out(`${e.id}  ${e.status.padEnd(9)} step ${e.step}  next ${e.nextRunAt ?? '-'}  ${e.lastError ?? e.exitReason ?? ''}\n`);
      }),
  );
  for (const action of ['retry', 'cancel', 'ack'] as const) {
    biz(enrollment.command(`${action} <id>`)).action((id: string, opts: { business?: string }) =>
      withContext(config, async (ctx) => {
        const e = await controlEnrollment(ctx, await resolveBusiness(ctx, opts.business), id, action);
        io.out(`${e.id}: ${e.status}\n`);
      }),
    );
  }
  biz(enrollment.command('explain <contactId>').description('What ran for a contact, what is next, and why')).action((contactId: string, opts: { business?: string }) =>
    withContext(config, async (ctx) => printJson(io, await explainContact(ctx, await resolveBusiness(ctx, opts.business), contactId))),
  );

  const approval = program.command('approval').description('Approvals waiting for a manager');
  biz(approval.command('list').option('--status <status>', 'pending, approved, rejected, auto_approved', 'pending').option('--json')).action((opts: { business?: string; status: string; json?: boolean }) =>
    withContext(config, async (ctx) => {
      const page = await listApprovals(ctx, await resolveBusiness(ctx, opts.business), { limit: 500, status: opts.status });
      if (opts.json) return printJson(io, page.data);
      for (const a of page.data) io.out(`${a.id}  ${a.status.padEnd(9)} ${a.amountCents != null ? `$${(a.amountCents / 100).toFixed(2)} ` : ''}${a.title}\n`);
      if (page.data.length === 0) io.out(`No ${opts.status} approvals.\n`);
    }),
  );
  for (const decision of ['approve', 'reject'] as const) {
    biz(approval.command(`${decision} <id>`).option('--reason <text>')).action((id: string, opts: { business?: string; reason?: string }) =>
      withContext(config, async (ctx) => {
        const a = await decideApproval(ctx, await resolveBusiness(ctx, opts.business), id, { decision, ...(opts.reason && { reason: opts.reason }) }, null);
        io.out(`${a.id}: ${a.status}\n`);
      }),
    );
  }

  const outbox = program.command('outbox').description('Outbound messages (and, without providers, the dev outbox of what would have been sent)');
  biz(outbox.command('list').option('--state <state>').option('--channel <sms|email>').option('--contact <id>').option('--limit <n>', 'how many', '50').option('--json')).action(
    (opts: { business?: string; state?: string; channel?: string; contact?: string; limit: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const page = await listOutbox(ctx, await resolveBusiness(ctx, opts.business), { limit: opts.limit, ...(opts.state && { state: opts.state }), ...(opts.channel && { channel: opts.channel }), ...(opts.contact && { contactId: opts.contact }) });
        if (opts.json) return printJson(io, page.data);
        for (const m of page.data) io.out(`${m.createdAt}  ${m.state.padEnd(9)} ${m.channel.padEnd(5)} ${m.to}  ${m.body.replace(/\s+/g, ' ').slice(0, 80)}${m.lastError ? `  (${m.lastError})` : ''}\n`);
        if (page.data.length === 0) io.out('The outbox is empty.\n');
      }),
  );
  for (const action of ['retry', 'cancel'] as const) {
    biz(outbox.command(`${action} <id>`)).action((id: string, opts: { business?: string }) =>
      withContext(config, async (ctx) => {
        const m = await controlOutbox(ctx, await resolveBusiness(ctx, opts.business), id, action);
        io.out(`${m.id}: ${m.state}\n`);
      }),
    );
  }
}
