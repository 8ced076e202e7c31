import { z } from 'zod';
import { toContact, variantsToContact } from '../blocks.ts';
import { definePlaybook } from '../types.ts';

const variant = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,20}$/), sms: z.string(), emailSubject: z.string(), email: z.string() }).strict();

const params = z
  .object({
    perDay: z.number().int().min(1).max(10_000).default(50),
    variants: z
      .array(variant)
      .min(2)
      .max(5)
      .default([
        { id: 'a', sms: 'Hi {{ contact.firstName | default: "there" }}, it has been a while! {{ business.name }} has tune-up openings this month. Want one? Book here: {{ links.booking }} (Reply STOP to opt out)', emailSubject: 'It has been a while, {{ contact.firstName | default: "friend" }}', email: 'Hi {{ contact.firstName | default: "there" }},\n\nIt has been a while! We have tune-up openings this month. Book here: {{ links.booking }}' },
        { id: 'b', sms: '{{ contact.firstName | default: "Hi" }}, {{ business.name }} here. Returning customers get priority scheduling this month. Reply YES and we will find you a time, or book: {{ links.booking }} (Reply STOP to opt out)', emailSubject: 'Priority scheduling for returning customers', email: 'Returning customers get priority scheduling this month. Reply YES, or book here: {{ links.booking }}' },
      ]),
    followUpAfter: z.string().default('P4D'),
    followUp: z
      .object({ sms: z.string(), emailSubject: z.string(), email: z.string() })
      .default({ sms: 'Last call from {{ business.name }}: our openings this month are filling up. Book here: {{ links.booking }} (Reply STOP to opt out)', emailSubject: 'Openings are filling up', email: 'Our openings this month are filling up. Book here: {{ links.booking }}' }),
    priority: z.number().int().min(0).max(100).default(30),
  })
  .strict();

export const dormantReactivation = definePlaybook({
  name: 'dormant-reactivation',
  title: 'Dormant reactivation campaign',
  description:
    'Wins back dormant customers: the dormant segment is sent in throttled daily batches (default 50 a day), in business hours and within quiet hours, with A/B message variants assigned per contact and recorded on each message for the funnel (sent, delivered, replied, booked, revenue). A reply gives a person a task; booking or opting out stops it.',
  params,
  enabledInDemo: false,
  build: (p) => ({
    name: 'Dormant reactivation',
    description: 'Win back dormant customers in daily batches with A/B variants.',
    trigger: { type: 'segment', segment: { kind: 'lifecycle_stage', stage: 'dormant' }, throttle: { perDay: p.perDay } },
    purpose: 'marketing',
    priority: p.priority,
    reenroll: false,
    exitOn: ['replied', 'booked', 'opted_out'],
    handoff: { on: ['replied'], title: 'Dormant customer replied: {{ contact.name }}', kind: 'reactivation_reply', assignee: { rule: 'contact_owner', fallbackRole: 'owner' }, dueIn: 'PT2H' },
    steps: [{ type: 'wait', businessHours: true }, variantsToContact(p.variants), { type: 'wait', duration: p.followUpAfter, businessHours: true }, toContact(p.followUp)],
  }),
});
