/**
 * Reply templates per intent: what Kinetic drafts with no LLM configured (or
 * when the LLM fails). Plain, safe, no promises about prices or times.
 */
export interface TemplateInput {
  businessName: string;
  firstName: string | null;
  intent: string;
  urgency: string;
  serviceLabel: string | null;
  signature: string | null;
  channel: 'sms' | 'email';
}

const BY_INTENT: Record<string, (i: TemplateInput, about: string) => string> = {
  new_service: (i, about) => `thanks for reaching out about ${about}. We'd be glad to help — what day and time window works best for a visit?`,
  quote: (i, about) => `thanks for asking about ${about}. We'll put an estimate together; a few details (home size, age of the current equipment, photos if handy) help us get it right.`,
  reschedule: () => `no problem, we can move your appointment. What days and times work better for you?`,
  cancel: () => `we've received your request to cancel. We'll confirm shortly — if anything changes, just reply here.`,
  complaint: () => `we're sorry — that's not the experience we want you to have. A manager will look into this today and get back to you personally.`,
  billing: () => `thanks for your message about billing. Our office will look into your account and reply shortly.`,
  question: () => `thanks for your question! We'll get you an answer shortly.`,
};

export function templateReply(i: TemplateInput): { body: string; subject: string | null } {
  const hello = i.firstName ? `Hi ${i.firstName}, ` : 'Hi, ';
  const about = i.serviceLabel ?? 'your request';
  let body: string;
  if (i.urgency === 'emergency') {
    body = `${hello}this is ${i.businessName}. We got your message and are treating it as an emergency — someone will call you right away. If you smell gas, see smoke or sparks, or water is rising, get everyone to safety and call 911 or your utility first.`;
  } else {
    const line = (BY_INTENT[i.intent] ?? BY_INTENT.question)(i, about);
    body = `${hello}${line}${i.urgency === 'urgent' ? ' We know this is time-sensitive and will prioritise it.' : ''} — ${i.businessName}`;
  }
  if (i.signature) body = `${body}\n${i.signature}`;
  const subject = i.channel === 'email' ? `Re: ${i.urgency === 'emergency' ? 'your urgent request' : about}` : null;
  return { body, subject };
}

export const serviceLabel = (key: string | null, services: ReadonlyArray<{ key: string; name: string }> = []): string | null =>
  key ? (services.find((s) => s.key === key)?.name ?? key.replace(/_/g, ' ')) : null;
