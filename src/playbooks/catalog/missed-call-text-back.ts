import { z } from 'zod';
import { definePlaybook } from '../types.ts';

const params = z
  .object({
    sms: z
      .string()
      .default('Hi, this is {{ business.name }}. Sorry we missed your call! Reply here and we will call you right back, or book a time online: {{ links.booking }}'),
    /** When nobody has replied or booked by then, someone calls back. */
    callbackTaskAfter: z.string().default('PT15M'),
    priority: z.number().int().min(0).max(100).default(90),
  })
  .strict();

export const missedCallTextBack = definePlaybook({
  name: 'missed-call-text-back',
  title: 'Missed-call text-back',
  description: 'A missed or abandoned call gets a text within a minute offering a callback or a booking link. A reply gives a person a task; with no reply or booking, a callback task follows.',
  params,
  enabledInDemo: true,
  build: (p) => ({
    name: 'Missed-call text-back',
    description: 'Text back every missed call within a minute.',
    trigger: { type: 'event', event: 'call.missed' },
    purpose: 'transactional',
    priority: p.priority,
    exitOn: ['replied', 'booked', 'opted_out'],
    handoff: { on: ['replied'], title: 'Missed caller replied: answer {{ contact.name }}', kind: 'missed_call_reply', assignee: { rule: 'contact_owner', fallbackRole: 'owner' }, dueIn: 'PT30M' },
    steps: [
      { type: 'send_sms', body: p.sms },
      { type: 'wait', duration: p.callbackTaskAfter, businessHours: true },
      { type: 'create_task', title: 'Call back {{ contact.name }} (missed call)', kind: 'missed_call', assignee: { rule: 'contact_owner', fallbackRole: 'owner' }, due: { in: 'PT1H' } },
    ],
  }),
});
