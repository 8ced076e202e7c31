import { z } from 'zod';
import { definePlaybook } from '../types.ts';

const params = z
  .object({
    /** How long the on-call person has to reply 1 or OK before the next one is paged. */
    escalateAfterMinutes: z.number().int().min(1).max(60).default(5),
    priority: z.number().int().min(0).max(100).default(100),
  })
  .strict();

/**
 * An emergency that arrives by text or email gets what an emergency call
 * gets: the on-call technician is paged (and the next one after the window,
 * until someone replies 1 or OK), with an urgent callback task. The customer
 * has already been sent the safety message for their hazard by the intake
 * step that read the message (intelligence/intake/emergency.ts).
 */
export const emergencyMessages = definePlaybook({
  name: 'emergency-messages',
  title: 'Emergencies by text and email',
  description: 'A text or email read as an emergency pages the on-call technician at once and escalates down the on-call chain until someone replies 1 or OK, with an urgent callback task. The customer has already had the safety message for their hazard.',
  params,
  enabledInDemo: true,
  build: (p) => ({
    name: 'Emergencies by text and email',
    description: 'Page on-call for an emergency that arrives by text or email.',
    trigger: { type: 'event', event: 'intake.emergency' },
    purpose: 'transactional',
    priority: p.priority,
    // A customer's "ok thanks" must not stop the paging: only an acknowledgement (or an opt-out) does.
    exitOn: ['opted_out'],
    // The task first: the route step stays on its step, escalating, until someone takes the page.
    steps: [
      { type: 'create_task', title: 'Call {{ contact.name }} back now: emergency {{ event.channel }}', description: '{{ event.excerpt }}', kind: 'emergency', assignee: { rule: 'on_call' }, due: { in: 'PT15M' } },
      {
        type: 'route',
        mode: 'on_call',
        escalateAfterMinutes: p.escalateAfterMinutes,
        message: '{{ business.name }} EMERGENCY {{ event.channel }} from {{ contact.name }}{% if contact.phone != contact.name %} {{ contact.phone }}{% endif %}: "{{ event.excerpt }}". Call them now. Reply 1 or OK to take it.',
      },
    ],
  }),
});
