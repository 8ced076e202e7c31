import { appendEvents, event } from '../events/record.ts';
import { acknowledgeCall } from './acknowledge.ts';
import type { OnCallPerson, VoiceCall } from './calls.ts';
import type { IntakeClassification, IntakeClassifier } from './classifier.ts';
import {
  callbackDue,
  createCallbackTask,
  logCall,
  offerBooking,
  onCallChain,
  teamWithPhones,
  technicianText,
  textStaff,
  upsertCaller,
  type Effects,
} from './outcomes.ts';
import { callbackNumberOf, intakeSummary, routeIntake, spokenNumber } from './script.ts';
import { spokenWhen } from './slots.ts';
import { hangup, say, type VoiceVerb } from './twiml.ts';
import { hazardOf, safetyAdvice } from '../intelligence/intake/safety.ts';

/**
 * The safety step for the caller's hazard, as the receptionist says it (the same advice an emergency
 * text gets). `orHangUp`: with nobody reached, the generic advice tells them to hang up and call.
 */
function spokenSafety(problem: string | null | undefined, orHangUp = false): string {
  const hazard = hazardOf(problem ?? '');
  const advice = hazard === 'other' ? (orHangUp ? 'If anyone is in danger, hang up and call 911.' : '') : safetyAdvice(hazard);
  return advice.replace(/\b911\b/g, '9 1 1').replace(/\bCO\b/g, 'carbon monoxide');
}

const recordingCallback = (e: Effects) => `${e.ctx.config.publicUrl.replace(/\/+$/, '')}/webhooks/twilio/voice/recording`;

/**
 * The end of an intake: classify what the caller said, route it (emergency →
 * page the on-call technician; routine → booking by text; unclear or "a
 * person, please" → a callback task), and log the call on the timeline.
 */
export async function finishIntake(e: Effects, call: VoiceCall, classifier: IntakeClassifier, onCallAction: string): Promise<VoiceVerb[]> {
  const intake = call.state.intake;
  const classification = intake.problem ? classifier.classify(intake.problem) : null;
  const { route, reason } = routeIntake(intake, classification);
  const summary = intakeSummary(intake, classification);
  call.contactId = await upsertCaller(e, intake);
  call.decision = { route, reason, classification, classifier: classification ? classifier.name : null, summary };
  call.stage = 'finished';
  const callback = callbackNumberOf(intake);
  const atNumber = callback ? ` at ${spokenNumber(callback)}` : '';
  const bye = `Thanks for calling ${e.business.name}. Goodbye.`;
  let verbs: VoiceVerb[];

  if (route === 'emergency') {
    const chain = await onCallChain(e);
    call.decision.onCall = { chain, attempt: 0, answeredBy: null, exhausted: chain.length === 0 };
    if (chain.length) {
      call.decision.outboxIds = [await textStaff(e, call.callSid, chain[0], technicianText(e.business, intake, classification), 'on-call')];
      call.stage = 'dialing_on_call';
      verbs = [
        say(`Help is on the way. ${spokenSafety(intake.problem)} I'm connecting you with our on-call technician, ${chain[0].name.split(' ')[0]}, now. If we get cut off, they will call you back${atNumber}.`),
        { kind: 'dial', numbers: [chain[0].phone], action: onCallAction, timeout: e.settings.onCallRingSeconds, record: e.settings.recordCalls ? recordingCallback(e) : null, callerId: call.to || e.business.phone, note: `paging on-call ${chain[0].name} (${chain[0].phone})` },
      ];
    } else {
      verbs = [...(await noTechnicianReached(e, call)), hangup];
    }
  } else if (route === 'routine') {
    const offer = await offerBooking(e, call, call.contactId);
    Object.assign(call.decision, offer.decision);
    if (classification?.urgency === 'urgent') {
      call.decision.taskId = await createCallbackTask(e, call.contactId, `Urgent: call back ${intake.name ?? callback ?? 'caller'} first thing`, summary, call.callSid, callbackDue(e));
    }
    verbs = [say(`Thank you${intake.name ? `, ${intake.name.split(' ')[0]}` : ''}. ${offer.spoken} ${bye}`), hangup];
  } else {
    const due = callbackDue(e);
    call.decision.taskId = await createCallbackTask(e, call.contactId, `Call back ${intake.name ?? callback ?? 'caller'}: ${intake.askedForPerson ? 'asked for a person' : 'unclear request'}`, summary, call.callSid, due);
    verbs = [say(`I've passed your details to the team. Someone will call you back ${spokenWhen(due, e.now, e.business.timeZone)}${atNumber}. ${bye}`), hangup];
  }
  call.interactionId = call.interactionId ?? (await logCall(e, call, call.contactId, 'completed', 'receptionist'));
  // Automations can react to the decision (e.g. an emergency playbook, or routing by service type).
  await appendEvents(e.trx, e.business.id, { type: 'system', id: null }, e.now.toISOString(), [
    event('call.intake_completed', { contactId: call.contactId, interactionId: call.interactionId, route, urgency: classification?.urgency ?? null, intent: classification?.intent ?? null, serviceType: classification?.serviceType ?? null }),
  ]);
  return verbs;
}

/** Nobody on call could be reached: alert the owners and managers, and an urgent task due now. */
async function noTechnicianReached(e: Effects, call: VoiceCall): Promise<VoiceVerb[]> {
  const intake = call.state.intake;
  const decision = call.decision!;
  const bosses = (await teamWithPhones(e.trx, e.business.id)).filter((u) => u.role === 'owner' || u.role === 'manager');
  const ids: string[] = [...(decision.outboxIds ?? [])];
  for (const b of bosses) ids.push(await textStaff(e, call.callSid, b, `${technicianText(e.business, intake, decision.classification)} No on-call technician answered.`, 'escalated'));
  decision.outboxIds = ids;
  decision.taskId = await createCallbackTask(e, call.contactId!, `EMERGENCY: call back ${intake.name ?? callbackNumberOf(intake) ?? 'caller'} now`, decision.summary, call.callSid, e.now);
  if (decision.onCall) decision.onCall.exhausted = true;
  return [say(`Help is on the way. I could not get a technician on the line just now, so I've alerted the whole team and someone will call you back${callbackNumberOf(intake) ? ` at ${spokenNumber(callbackNumberOf(intake)!)}` : ''} within minutes. ${spokenSafety(intake.problem, true)}`)];
}

/**
 * The caller described an emergency and hung up before the intake finished.
 * Nobody is on the line to connect, so the on-call chain is paged by text in
 * the usual order: the primary now, each next person one escalation window
 * (business.onCall.escalationMinutes) later, then the owners and managers;
 * and an urgent task due now goes to the on-call person. The later texts wait
 * in the outbox until someone takes the page (acknowledge.ts cancels them).
 */
export async function emergencyAfterHangUp(e: Effects, call: VoiceCall, classification: IntakeClassification, classifier: string): Promise<void> {
  const intake = call.state.intake;
  const summary = intakeSummary(intake, classification);
  const reason = `the caller hung up at the ${intake.stage.replace('_', ' ')} question after describing an emergency: ${classification.reasons.join('; ') || 'classified as an emergency'}`;
  const chain = await onCallChain(e);
  call.decision = { route: 'emergency', reason, classification, classifier, summary, onCall: { chain, attempt: 0, answeredBy: null, exhausted: chain.length === 0 }, paged: [], outboxIds: [] };
  const decision = call.decision;
  const body = `${technicianText(e.business, intake, classification)} They hung up before the call finished.`;
  const windowMs = e.business.onCall.escalationMinutes * 60_000;
  const page = async (person: OnCallPerson, text: string, purpose: 'on-call' | 'escalated', at: Date) => {
    decision.outboxIds!.push(await textStaff(e, call.callSid, person, text, purpose, at));
    decision.paged!.push({ userId: person.userId, name: person.name, at: at.toISOString() });
  };
  for (const [i, person] of chain.entries()) {
    await page(person, i === 0 ? body : `${body} Escalated: ${chain[i - 1].name} was texted ${e.business.onCall.escalationMinutes} min ago.`, 'on-call', new Date(e.now.getTime() + i * windowMs));
  }
  const bosses = (await teamWithPhones(e.trx, e.business.id)).filter((u) => u.role === 'owner' || u.role === 'manager');
  for (const b of bosses) await page(b, `${body} No on-call technician answered.`, 'escalated', new Date(e.now.getTime() + chain.length * windowMs));
  const callback = callbackNumberOf(intake);
  decision.taskId = await createCallbackTask(e, call.contactId!, `EMERGENCY: call back ${intake.name ?? callback ?? 'caller'} now (hung up)`, summary, call.callSid, e.now, chain[0]?.userId ?? null);
}

/** call.intake_completed for an emergency whose caller hung up, once the call is logged: automations react as to any emergency. */
export async function emitEmergencyAfterHangUp(e: Effects, call: VoiceCall): Promise<void> {
  const c = call.decision!.classification!;
  await appendEvents(e.trx, e.business.id, { type: 'system', id: null }, e.now.toISOString(), [
    event('call.intake_completed', { contactId: call.contactId!, interactionId: call.interactionId!, route: 'emergency', urgency: c.urgency, intent: c.intent, serviceType: c.serviceType }),
  ]);
}

/**
 * After an on-call dial: connected is an acknowledgement (the rest of the
 * chain is told who has it); someone who took the page by text meanwhile ends
 * the escalation; else text and dial the next person in the chain.
 */
export async function nextOnCall(e: Effects, call: VoiceCall, answered: boolean, actionFor: (attempt: number) => string): Promise<VoiceVerb[]> {
  const page = call.decision!.onCall!;
  if (answered) {
    const person = page.chain[page.attempt];
    page.answeredBy = person?.userId ?? null;
    call.stage = 'finished';
    if (person) await acknowledgeCall(e.trx, e.business, call, { userId: person.userId, name: person.name }, 'dial', e.now);
    return [hangup];
  }
  const taken = call.decision!.acknowledged;
  if (taken) {
    call.stage = 'finished';
    const callback = callbackNumberOf(call.state.intake);
    return [say(`${taken.userId ? taken.name.split(' ')[0] : 'Our team'} has your details and will call you back${callback ? ` at ${spokenNumber(callback)}` : ''} in a few minutes. If anyone is in danger, hang up and call 9 1 1.`), hangup];
  }
  page.attempt += 1;
  const next = page.chain[page.attempt];
  if (!next) {
    call.stage = 'finished';
    return [...(await noTechnicianReached(e, call)), hangup];
  }
  const intake = call.state.intake;
  call.decision!.outboxIds = [...(call.decision!.outboxIds ?? []), await textStaff(e, call.callSid, next, technicianText(e.business, intake, call.decision!.classification), 'on-call')];
  return [
    say('Still trying. Connecting you with the next technician now.'),
    { kind: 'dial', numbers: [next.phone], action: actionFor(page.attempt), timeout: e.settings.onCallRingSeconds, record: e.settings.recordCalls ? recordingCallback(e) : null, callerId: call.to || e.business.phone, note: `escalating to ${next.name} (${next.phone})` },
  ];
}
