import { z } from 'zod';
import { replied, timedOut, toContact } from '../blocks.ts';
import { definePlaybook } from '../types.ts';

const params = z
  .object({
    delay: z.string().default('PT2H'),
    reminderAfter: z.string().default('P2D'),
    /** How long a reply to the reminder is still read as feedback. */
    listenAfterReminder: z.string().default('P5D'),
    channel: z.enum(['auto', 'sms', 'email']).default('auto'),
    request: z
      .object({ sms: z.string(), emailSubject: z.string(), email: z.string() })
      .default({
        sms: 'Hi {{ contact.firstName | default: "there" }}, thanks for choosing {{ business.name }}! How did we do? Reply with a rating from 1 to 5, and if you have a minute, a review means a lot: {{ links.review }}',
        emailSubject: 'How did we do, {{ contact.firstName | default: "there" }}?',
        email: 'Hi {{ contact.firstName | default: "there" }},\n\nThanks for choosing {{ business.name }}. How did we do? Reply with a rating from 1 to 5, or leave a review here: {{ links.review }}\n\nThank you!',
      }),
    reminder: z
      .object({ sms: z.string(), emailSubject: z.string(), email: z.string() })
      .default({
        sms: 'Hi {{ contact.firstName | default: "there" }}, a quick reminder from {{ business.name }}: we would love your feedback. Reply 1-5 or review us here: {{ links.review }}',
        emailSubject: 'A minute for feedback?',
        email: 'We would love your feedback: reply with 1-5 or leave a review here: {{ links.review }}',
      }),
    alertOwnerBy: z.enum(['sms', 'email']).default('sms'),
    priority: z.number().int().min(0).max(100).default(60),
  })
  .strict();

export const reviewRequest = definePlaybook({
  name: 'review-request',
  title: 'Review request',
  description:
    'Every customer (no review gating) is asked for a review a configurable time after a job is completed (default 2 hours), by text or email, with one reminder. A reply is recorded as a review; a low rating or unhappy words alert the owner and open a task.',
  params,
  enabledInDemo: true,
  build: (p) => ({
    name: 'Review request',
    description: 'Ask every customer for a review after the job; alert the owner to unhappy replies.',
    trigger: { type: 'event', event: 'job.completed' },
    // A request about a service the customer just received; sent to every customer alike.
    purpose: 'transactional',
    priority: p.priority,
    exitOn: ['opted_out', 'reviewed'],
    steps: [
      { type: 'wait', duration: p.delay },
      { type: 'request_review', platform: 'google' },
      toContact(p.request, { channel: p.channel }),
      { type: 'wait', forEvent: { event: 'message.received', timeout: p.reminderAfter } },
      { type: 'branch', if: timedOut, then: [toContact(p.reminder, { channel: p.channel }), { type: 'wait', forEvent: { event: 'message.received', timeout: p.listenAfterReminder } }] },
      {
        type: 'branch',
        if: replied,
        then: [
          { type: 'record_review' },
          {
            type: 'branch',
            if: { field: 'vars.reply.negative', op: 'eq', value: true },
            then: [
              { type: 'notify_staff', to: { role: 'owner' }, channel: p.alertOwnerBy, subject: 'Unhappy customer: {{ contact.name }}', body: 'Unhappy reply from {{ contact.name }} ({{ contact.phone | default: contact.email }}) after their {{ job.serviceName | default: "job" }}: "{{ vars.reply.text }}"' },
              { type: 'create_task', title: 'Unhappy customer: call {{ contact.name }}', description: 'They replied to the review request: "{{ vars.reply.text }}"', kind: 'negative_review', assignee: { rule: 'role', role: 'owner' }, due: { in: 'PT4H' } },
            ],
          },
        ],
      },
    ],
  }),
});
