import { z } from 'zod';
import { toContact } from '../blocks.ts';
import { definePlaybook } from '../types.ts';

const params = z
  .object({
    /** Discounts below this (in cents) are approved by rule; larger ones wait for a manager. */
    autoApproveDiscountBelowCents: z.number().int().min(0).default(50_000),
    approverRole: z.enum(['owner', 'manager']).default('manager'),
    welcome: z
      .object({ sms: z.string(), emailSubject: z.string(), email: z.string() })
      .default({
        sms: 'Welcome to {{ business.name }}, {{ contact.firstName | default: "friend" }}! Thanks for choosing us for {{ deal.title }}. Your project lead will be in touch within one business day.',
        emailSubject: 'Welcome to {{ business.name }}',
        email: 'Hi {{ contact.firstName | default: "there" }},\n\nThank you for choosing {{ business.name }} for {{ deal.title }}. Your project lead will contact you within one business day to schedule the work and walk you through the paperwork.\n\nWelcome aboard!',
      }),
    tasks: z
      .array(z.object({ title: z.string(), role: z.enum(['owner', 'manager', 'technician', 'agent']), dueIn: z.string() }).strict())
      .default([
        { title: 'Send the contract for {{ deal.title }} to {{ contact.name }}', role: 'manager', dueIn: 'PT4H' },
        { title: 'Schedule the work for {{ deal.title }}', role: 'agent', dueIn: 'P1D' },
        { title: 'Order equipment and parts for {{ deal.title }}', role: 'technician', dueIn: 'P2D' },
      ]),
    priority: z.number().int().min(0).max(100).default(50),
  })
  .strict();

export const dealWonOnboarding = definePlaybook({
  name: 'deal-won-onboarding',
  title: 'Deal won → onboarding',
  description:
    'When a deal is won: its discount is approved by rule when under $500 (configurable), otherwise a manager approves or rejects it; on approval the team gets its onboarding tasks (contract, scheduling, parts) and the customer a welcome message; on rejection the deal owner gets a task to rework the terms.',
  params,
  enabledInDemo: true,
  build: (p) => ({
    name: 'Deal won → onboarding',
    description: 'Approval of the discount, team tasks and a welcome message.',
    trigger: { type: 'event', event: 'deal.won' },
    purpose: 'transactional',
    priority: p.priority,
    exitOn: ['opted_out'],
    steps: [
      {
        type: 'approval',
        title: 'Discount on {{ deal.title }} for {{ contact.name }}',
        amountCents: 'deal.discountCents',
        autoApproveIf: { any: [{ field: 'vars.amountCents', op: 'not_exists' }, { field: 'vars.amountCents', op: 'lt', value: p.autoApproveDiscountBelowCents }] },
        approverRole: p.approverRole,
      },
      {
        type: 'branch',
        if: { field: 'vars.approval.status', op: 'eq', value: 'approved' },
        then: [
          ...p.tasks.map((t) => ({ type: 'create_task', title: t.title, kind: 'onboarding', assignee: { rule: 'role', role: t.role }, due: { in: t.dueIn } })),
          toContact(p.welcome),
        ],
        else: [{ type: 'create_task', title: 'Discount rejected on {{ deal.title }}: agree new terms with {{ contact.name }}', kind: 'discount_rejected', assignee: { rule: 'contact_owner', fallbackRole: 'owner' }, due: { in: 'PT4H' } }],
      },
    ],
  }),
});
