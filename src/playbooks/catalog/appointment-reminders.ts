import { z } from 'zod';
import { replied, toContact } from '../blocks.ts';
import { definePlaybook } from '../types.ts';

const msg = z.object({ sms: z.string(), emailSubject: z.string(), email: z.string() }).strict();
const when = '{{ job.scheduledStart | date: "%A %b %-d at %-I:%M %p", business.timeZone }}';

const params = z
  .object({
    firstBefore: z.string().default('PT24H'),
    secondBefore: z.string().default('PT2H'),
    dayBefore: msg.default({
      sms: `Hi {{ contact.firstName | default: "there" }}, a reminder of your {{ job.serviceName }} appointment with {{ business.name }} on ${when}. Reply C to confirm or R to reschedule.`,
      emailSubject: 'Your appointment on ' + when,
      email: `Hi {{ contact.firstName | default: "there" }},\n\nA reminder of your {{ job.serviceName }} appointment with {{ business.name }} on ${when}. Reply C to confirm or R to reschedule.`,
    }),
    confirmed: z.string().default('Thanks, you are confirmed for ' + when + '. See you then!'),
    reschedule: z.string().default('No problem. Pick a new time here: {{ links.booking }} or we will call you to sort it out.'),
    twoHoursBefore: msg.default({
      sms: 'See you soon! Your {{ business.name }} technician arrives around ' + when + '.',
      emailSubject: 'See you soon',
      email: 'Your {{ business.name }} technician arrives around ' + when + '.',
    }),
    noShow: msg.default({
      sms: 'Hi {{ contact.firstName | default: "there" }}, we missed you today. Want to pick another time? {{ links.booking }}',
      emailSubject: 'We missed you today',
      email: 'We missed you today. Pick another time here: {{ links.booking }}',
    }),
    /** How long after the appointment a no-show is still followed up. */
    noShowWindow: z.string().default('P1D'),
    priority: z.number().int().min(0).max(100).default(70),
  })
  .strict();

const intent = (value: string | string[]) => ({ field: 'vars.reply.intent', op: Array.isArray(value) ? 'in' : 'eq', value });

export const appointmentReminders = definePlaybook({
  name: 'appointment-reminders',
  title: 'Appointment reminders',
  description:
    'Reminders 24 hours and 2 hours before a scheduled job. Replying C confirms the job; R asks to reschedule (a task for the office and the booking link). A no-show gets a follow-up to rebook. Rescheduling the job moves the reminders; cancelling stops them.',
  params,
  enabledInDemo: true,
  build: (p) => ({
    name: 'Appointment reminders',
    description: 'Cut no-shows: remind, confirm or reschedule by reply, follow up no-shows.',
    trigger: { type: 'event', event: 'job.scheduled' },
    purpose: 'transactional',
    priority: p.priority,
    exitOn: ['opted_out', 'job_cancelled'],
    steps: [
      { type: 'wait', at: { field: 'job.scheduledStart', offset: `-${p.firstBefore}`, ifPast: 'skip_next' } },
      toContact(p.dayBefore),
      { type: 'wait', at: { field: 'job.scheduledStart', offset: `-${p.secondBefore}` }, forEvent: { event: 'message.received' } },
      {
        type: 'branch',
        if: replied,
        then: [
          {
            type: 'branch',
            if: intent('confirm'),
            then: [{ type: 'update_job', confirm: true }, { type: 'send_sms', body: p.confirmed }],
            else: [
              {
                type: 'branch',
                if: intent(['reschedule', 'cancel']),
                then: [
                  { type: 'create_task', title: 'Reschedule {{ contact.name }} ({{ job.serviceName }})', description: 'They replied: "{{ vars.reply.text }}"', kind: 'reschedule', assignee: { rule: 'role', role: 'agent' }, due: { in: 'PT1H' } },
                  { type: 'send_sms', body: p.reschedule },
                ],
                else: [{ type: 'create_task', title: 'Answer {{ contact.name }} about their appointment', description: 'They replied: "{{ vars.reply.text }}"', kind: 'appointment_reply', assignee: { rule: 'role', role: 'agent' }, due: { in: 'PT1H' } }],
              },
            ],
          },
        ],
      },
      { type: 'wait', at: { field: 'job.scheduledStart', offset: `-${p.secondBefore}`, ifPast: 'skip_next' } },
      {
        type: 'branch',
        if: { all: [{ field: 'job.status', op: 'eq', value: 'scheduled' }, { field: 'vars.reply.intent', op: 'not_in', value: ['reschedule', 'cancel'] }] },
        then: [toContact(p.twoHoursBefore)],
      },
      { type: 'wait', at: { field: 'job.scheduledStart', offset: p.noShowWindow }, forEvent: { event: 'job.no_show' } },
      {
        type: 'branch',
        if: { field: 'job.status', op: 'eq', value: 'no_show' },
        then: [toContact(p.noShow), { type: 'create_task', title: 'No-show: rebook {{ contact.name }}', kind: 'no_show', assignee: { rule: 'role', role: 'agent' }, due: { next: 'business_day', at: '09:00' } }],
      },
    ],
  }),
});
