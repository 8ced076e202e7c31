import { z } from 'zod';
import { definePlaybook } from '../types.ts';

const params = z
  .object({
    days: z.number().int().min(1).max(365).default(10),
    /** Leads quiet for longer than this are old history, not today's exceptions. */
    maxDays: z.number().int().min(2).max(3650).default(60),
    priority: z.number().int().min(0).max(100).default(10),
  })
  .strict();

export const coldLeadFlag = definePlaybook({
  name: 'cold-lead-flag',
  title: 'Cold lead flag',
  description: 'A lead with no contact for 10 days is surfaced as an exception: a task (kind cold_lead) for the lead owner and a cold-lead tag, instead of quietly disappearing.',
  params,
  enabledInDemo: true,
  build: (p) => ({
    name: 'Cold lead flag',
    description: 'Leads untouched for a while become a task for a person.',
    trigger: { type: 'segment', segment: { kind: 'no_interaction_for', days: p.days, maxDays: p.maxDays, lifecycleStage: 'lead' } },
    purpose: 'transactional',
    priority: p.priority,
    exitOn: ['replied', 'booked', 'opted_out'],
    steps: [
      {
        type: 'create_task',
        title: 'Cold lead: {{ contact.name }} has had no contact for ' + p.days + '+ days',
        description: 'Source: {{ contact.source | default: "unknown" }}. Call or text them, or mark them lost.',
        kind: 'cold_lead',
        assignee: { rule: 'contact_owner', fallbackRole: 'owner' },
        due: { next: 'business_day', at: '09:00' },
      },
      { type: 'update', addTags: ['cold-lead'] },
    ],
  }),
});
