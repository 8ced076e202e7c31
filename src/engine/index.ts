import { registerEventHook } from '../events/record.ts';
import { onEvents } from './enroll.ts';
import { enqueueEventDeliveries } from './webhooks/subscriptions.ts';

/**
 * Plugs the execution engine into the event log: from now on, every change
 * that writes events also enrols, resumes and ends enrolments in the same
 * transaction. Called by the composition root (createContext) and tests.
 */
export function installEngine(): void {
  registerEventHook(onEvents);
  registerEventHook(enqueueEventDeliveries);
}
