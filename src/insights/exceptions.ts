import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { activeDismissals, dismissalFields, dismissalOf, type DismissalFields } from './exception-dismissals.ts';
import { recentlyResolved, type ResolvedException } from './exception-resolutions.ts';
import { exceptionKinds, exceptionSources, type ExceptionItem, type ExceptionKind, type Severity } from './exception-sources.ts';

export { draftWaitingStatuses, EXCEPTION_WINDOWS, exceptionKinds, OCCURRENCE, type ExceptionItem, type ExceptionKind, type Severity } from './exception-sources.ts';
export { RESOLVED_WINDOW_HOURS, type ResolvedException } from './exception-resolutions.ts';
export { dismissException, restoreException, type Dismissal, type DismissalFields } from './exception-dismissals.ts';

export type ListedException = ExceptionItem & DismissalFields;

const PER_KIND = 100;
const severityOrder: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export const exceptionsQuerySchema = z
  .object({
    kind: z.enum(exceptionKinds).optional(),
    /** Dismissed and snoozed items are left out unless asked for. */
    includeDismissed: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(false),
    /** `resolved`: also list, under `resolved`, the items that resolved by themselves in the last day, with when and why. */
    include: z.enum(['resolved']).optional(),
  })
  .strict();

/**
 * "What needs a human today": one list of everything the system could not or should not decide alone.
 * Items dismissed for the business (and still the same occurrence, and not past a snooze) are left out,
 * or with `includeDismissed` shown with who dismissed them, when, until when and why. With
 * `include=resolved`, the items whose cause went away in the last day (the team replied, the job was
 * booked, the page was taken) are listed apart under `resolved`, with when and why.
 */
export async function listExceptions(ctx: AppContext, scope: Scope, query: unknown = {}): Promise<{ data: ListedException[]; resolved?: ResolvedException[] }> {
  const q = parseInput(exceptionsQuerySchema, query ?? {});
  const db = ctx.db.kysely;
  const now = ctx.clock.now().toISOString();
  const dismissals = await activeDismissals(db, scope.businessId, now, q.kind);
  const kinds: readonly ExceptionKind[] = q.kind ? [q.kind] : exceptionKinds;
  const items: ListedException[] = [];
  for (const kind of kinds) {
    // Dismissed items still come back from the query: ask for enough rows that PER_KIND remain without them.
    const hidden = q.includeDismissed ? 0 : [...dismissals.values()].filter((d) => d.kind === kind).length;
    const rows = await exceptionSources[kind](db, scope.businessId, now, { limit: PER_KIND + hidden });
    let kept = 0;
    for (const item of rows) {
      if (kept === PER_KIND) break;
      const dismissal = dismissalOf(item, dismissals);
      if (dismissal && !q.includeDismissed) continue;
      items.push({ ...item, ...dismissalFields(dismissal) });
      kept++;
    }
  }
  items.sort((a, b) => severityOrder[a.severity] - severityOrder[b.severity] || b.createdAt.localeCompare(a.createdAt));
  if (q.include === 'resolved') return { data: items, resolved: await recentlyResolved(db, scope.businessId, now, q.kind) };
  return { data: items };
}
