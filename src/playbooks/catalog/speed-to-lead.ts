import { z } from 'zod';
import { toContact } from '../blocks.ts';
import { definePlaybook } from '../types.ts';

const duration = z.string().min(2).max(40);

const params = z
  .object({
    /** Lead sources this playbook leaves alone (missed calls get their own text-back). */
    excludeSources: z.array(z.string().max(60)).default(['inbound_call']),
    first: z
      .object({ sms: z.string(), emailSubject: z.string(), email: z.string() })
      .default({
        sms: 'Hi {{ contact.firstName | default: "there" }}, thanks for reaching out to {{ business.name }}! What can we help you with? You can also book a time here: {{ links.booking }}',
        emailSubject: 'Thanks for contacting {{ business.name }}',
        email: 'Hi {{ contact.firstName | default: "there" }},\n\nThanks for reaching out to {{ business.name }}. Reply to this email with what you need, or book a visit here: {{ links.booking }}\n\n{{ business.name }}',
      }),
    /** Each follow-up waits after the previous message: a duration and/or until a local time, then until the business is open. */
    followUps: z
      .array(z.object({ after: duration.optional(), at: z.string().regex(/^\d\d:\d\d$/).optional(), sms: z.string(), emailSubject: z.string(), email: z.string() }).strict())
      .max(10)
      .default([
        { after: 'PT1H', sms: 'Hi {{ contact.firstName | default: "there" }}, just checking you saw our text. Reply here or pick a time: {{ links.booking }}', emailSubject: 'Still need a hand?', email: 'Just checking in. Reply here or pick a time: {{ links.booking }}' },
        { at: '09:00', sms: 'Good morning from {{ business.name }}! Still looking for help? We have openings today: {{ links.booking }}', emailSubject: 'Openings today at {{ business.name }}', email: 'Good morning! We have openings today: {{ links.booking }}' },
        { after: 'P2D', sms: '{{ business.name }} here. Happy to answer any questions, just reply. Book anytime: {{ links.booking }}', emailSubject: 'Any questions?', email: 'Happy to answer any questions. Book anytime: {{ links.booking }}' },
        { after: 'P4D', sms: 'Hi {{ contact.firstName | default: "there" }}, do you still need help? Reply YES and we will call you.', emailSubject: 'Do you still need help?', email: 'Do you still need help? Reply and we will call you.' },
        { after: 'P7D', sms: 'Last check-in from {{ business.name }}: whenever you are ready, book here: {{ links.booking }}', emailSubject: 'Whenever you are ready', email: 'Whenever you are ready, book here: {{ links.booking }}' },
      ]),
    taskTitle: z.string().default('Lead replied: answer {{ contact.name }}'),
    priority: z.number().int().min(0).max(100).default(80),
  })
  .strict();

export const speedToLead = definePlaybook({
  name: 'speed-to-lead',
  title: 'Speed to lead',
  description:
    'A new lead from any source gets a text within a minute (an email when there is no mobile number), then follow-ups at about +1 hour, the next morning, +3, +7 and +14 days, each in business hours. It stops the moment they reply, book or opt out, or when their message is an emergency (on-call has it); a reply gives a person a task to answer it.',
  params,
  enabledInDemo: true,
  build: (p) => ({
    name: 'Speed to lead',
    description: 'First response within a minute, then a follow-up sequence until the lead replies, books or opts out.',
    trigger: { type: 'event', event: 'lead.created', ...(p.excludeSources.length ? { filter: { field: 'contact.source', op: 'not_in', value: p.excludeSources } } : {}) },
    // Answering someone who just asked for help: transactional (quiet hours still apply).
    purpose: 'transactional',
    priority: p.priority,
    // An emergency is on-call's: no "still looking for help?" follow-ups to someone whose house smells of gas.
    exitOn: ['replied', 'booked', 'opted_out', 'emergency'],
    handoff: { on: ['replied'], title: p.taskTitle, kind: 'lead_replied', assignee: { rule: 'contact_owner', fallbackRole: 'owner' }, dueIn: 'PT1H' },
    steps: [
      toContact(p.first),
      ...p.followUps.flatMap((f) => [
        { type: 'wait', ...(f.after ? { duration: f.after } : {}), ...(f.at ? { until: { time: f.at, zone: 'business' } } : {}), businessHours: true },
        toContact(f),
      ]),
    ],
  }),
});
