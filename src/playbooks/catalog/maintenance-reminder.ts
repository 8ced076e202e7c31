import { z } from 'zod';
import { toContact } from '../blocks.ts';
import { definePlaybook } from '../types.ts';

const params = z
  .object({
    /** Days since the last completed job (any service type) before a reminder: 11 months. */
    days: z.number().int().min(30).max(3650).default(335),
    /** Different intervals per service type, e.g. { "maintenance": 170 } for twice-yearly tune-ups. */
    perServiceType: z.record(z.string(), z.number().int().min(30).max(3650)).default({}),
    message: z
      .object({ sms: z.string(), emailSubject: z.string(), email: z.string() })
      .default({
        sms: 'Hi {{ contact.firstName | default: "there" }}, it has been about a year since your last {{ job.serviceName | default: "service" }} with {{ business.name }}. Time for a seasonal tune-up? Book in a minute: {{ links.booking }}',
        emailSubject: 'Time for your seasonal tune-up',
        email: 'Hi {{ contact.firstName | default: "there" }},\n\nIt has been about a year since your last {{ job.serviceName | default: "service" }} with {{ business.name }}. A seasonal tune-up keeps your system efficient and catches problems early.\n\nBook a time: {{ links.booking }}',
      }),
    sendAt: z.string().regex(/^\d\d:\d\d$/).default('10:00'),
    priority: z.number().int().min(0).max(100).default(40),
  })
  .strict();

export const maintenanceReminder = definePlaybook({
  name: 'maintenance-reminder',
  title: 'Maintenance reminder',
  description: 'Customers whose last service was more than 11 months ago (configurable, per service type) get a seasonal reminder with their booking link, on a weekday morning. Booking or opting out stops it.',
  params,
  enabledInDemo: false,
  build: (p) => ({
    name: 'Maintenance reminder',
    description: 'Seasonal reminder when the last service is getting old.',
    trigger: { type: 'segment', segment: { kind: 'last_job_older_than', days: p.days, ...(Object.keys(p.perServiceType).length ? { perServiceType: p.perServiceType } : {}) } },
    purpose: 'marketing',
    priority: p.priority,
    exitOn: ['replied', 'booked', 'opted_out'],
    handoff: { on: ['replied'], title: 'Maintenance reminder reply from {{ contact.name }}', kind: 'maintenance_reply', assignee: { rule: 'contact_owner', fallbackRole: 'owner' }, dueIn: 'PT4H' },
    steps: [{ type: 'wait', until: { time: p.sendAt, zone: 'business', weekdaysOnly: true } }, toContact(p.message)],
  }),
});
