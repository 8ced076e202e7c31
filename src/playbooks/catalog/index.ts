import type { Playbook } from '../types.ts';
import { appointmentReminders } from './appointment-reminders.ts';
import { coldLeadFlag } from './cold-lead-flag.ts';
import { dealWonOnboarding } from './deal-won-onboarding.ts';
import { dormantReactivation } from './dormant-reactivation.ts';
import { emergencyMessages } from './emergency-messages.ts';
import { maintenanceReminder } from './maintenance-reminder.ts';
import { missedCallTextBack } from './missed-call-text-back.ts';
import { quoteFollowUp } from './quote-follow-up.ts';
import { reviewRequest } from './review-request.ts';
import { speedToLead } from './speed-to-lead.ts';

/** Every playbook, in the order an owner would turn them on. */
export const playbooks: ReadonlyArray<Playbook> = [
  speedToLead,
  missedCallTextBack,
  emergencyMessages,
  quoteFollowUp,
  reviewRequest,
  maintenanceReminder,
  coldLeadFlag,
  dormantReactivation,
  appointmentReminders,
  dealWonOnboarding,
] as ReadonlyArray<Playbook>;

export const playbookNames = playbooks.map((p) => p.name);

export function findPlaybook(name: string): Playbook | undefined {
  return playbooks.find((p) => p.name === name);
}
