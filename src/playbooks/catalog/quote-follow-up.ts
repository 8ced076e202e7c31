import { z } from 'zod';
import { toContact } from '../blocks.ts';
import { definePlaybook } from '../types.ts';

const message = z.object({ after: z.string(), sms: z.string(), emailSubject: z.string(), email: z.string() }).strict();

const params = z
  .object({
    followUps: z
      .array(message)
      .min(1)
      .max(6)
      .default([
        { after: 'P2D', sms: 'Hi {{ contact.firstName | default: "there" }}, {{ business.name }} here. Any questions about your quote for {{ deal.title }}? Reply here, happy to help.', emailSubject: 'Your quote: {{ deal.title }}', email: 'Hi {{ contact.firstName | default: "there" }},\n\nAny questions about your quote for {{ deal.title }}? Just reply.\n\n{{ business.name }}' },
        { after: 'P3D', sms: 'Just checking in on your {{ deal.title }} quote. Want to get it on the calendar? {{ links.booking }}', emailSubject: 'Ready to schedule {{ deal.title }}?', email: 'Ready to get {{ deal.title }} on the calendar? Book here: {{ links.booking }}' },
      ]),
    /** After the last follow-up, a quote still open this long is stalled: the owner gets a task. */
    stalledAfter: z.string().default('P5D'),
    priority: z.number().int().min(0).max(100).default(55),
  })
  .strict();

export const quoteFollowUp = definePlaybook({
  name: 'quote-follow-up',
  title: 'Quote follow-up',
  description: 'When a quote is sent (a deal moves to, or is entered at, quote_sent), the customer gets follow-ups at +2 and +5 days. A reply gives the deal owner a task; a quote still open after that is flagged to the owner as stalled. Winning, losing, booking or opting out stops it.',
  params,
  enabledInDemo: true,
  build: (p) => ({
    name: 'Quote follow-up',
    description: 'Follow up on open quotes; stalled quotes become a task for the owner.',
    // A deal moved to quote_sent, or entered already at quote_sent.
    trigger: {
      type: 'event',
      event: 'deal.stage_changed',
      alsoOn: ['deal.created'],
      filter: { any: [{ field: 'event.to', op: 'eq', value: 'quote_sent' }, { field: 'event.stage', op: 'eq', value: 'quote_sent' }] },
    },
    purpose: 'marketing',
    priority: p.priority,
    exitOn: ['replied', 'booked', 'opted_out', 'deal_won', 'deal_lost'],
    handoff: { on: ['replied'], title: 'Quote question from {{ contact.name }}', kind: 'quote_reply', assignee: { rule: 'contact_owner', fallbackRole: 'owner' }, dueIn: 'PT2H' },
    steps: [
      ...p.followUps.flatMap((f) => [{ type: 'wait', duration: f.after, businessHours: true }, toContact(f)]),
      { type: 'wait', duration: p.stalledAfter, businessHours: true },
      {
        type: 'create_task',
        title: 'Stalled quote: {{ deal.title }} for {{ contact.name }}',
        description: 'No reply after the follow-ups. Call, adjust the quote, or mark it lost.',
        kind: 'quote_stalled',
        assignee: { rule: 'role', role: 'owner' },
        due: { next: 'business_day', at: '09:00' },
      },
    ],
  }),
});
