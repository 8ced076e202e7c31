import { FOLLOW_UP_TEXTS, INQUIRY_SUMMARIES, NOT_BOOKED_REASONS, serviceByKey } from './catalog.ts';
import type { InquirySlot, JobDraft, OutboundTouch } from './inquiries.ts';
import type { ContactDraft } from './people.ts';
import { DemoRandom, formatAppointment } from './random.ts';
import type { DemoInteraction, DemoUser } from './types.ts';

/** An interaction before keys and ISO times: `contact` indexes the contact drafts, `at` is epoch ms. */
export type InteractionDraft = Omit<DemoInteraction, 'contactKey' | 'occurredAt'> & { contact: number; at: number };

export const when = formatAppointment;
const fill = (template: string, values: Record<string, string>): string => template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');

/**
 * The interactions behind each inquiry: the inbound call, form or text; the
 * office's reply; the follow-up of an unbooked lead (and the customer's text
 * back); the callback of a missed call.
 */
export function inquiryInteractions(rng: DemoRandom, slots: InquirySlot[], contacts: ContactDraft[], users: DemoUser[]): InteractionDraft[] {
  const staffName = new Map(users.map((u) => [u.key, u.name.split(' ')[0]]));
  const out: InteractionDraft[] = [];
  for (const s of slots) {
    const c = contacts[s.contact];
    const service = serviceByKey.get(s.service)!;
    const summary = rng.pick(INQUIRY_SUMMARIES[s.service]);
    const reason = rng.pick(NOT_BOOKED_REASONS);
    const booking = (job: JobDraft | null) => (job ? `Booked ${service.name.toLowerCase()} for ${when(job.start)}.` : '');
    const base = { contact: s.contact, subject: null, outcome: null, durationSeconds: null } as const;
    const metadata = {
      inquiry: true,
      service: s.service,
      urgency: s.emergency ? 'emergency' : 'routine',
      afterHours: s.afterHours,
      booked: s.booked,
      bookedOnFirstContact: s.bookedNow,
      newContact: s.isNew,
    };
    const decided = s.bookedNow ? booking(s.job) : s.answered ? `Not booked: ${reason}.` : '';
    if (s.channel === 'call') {
      const body = s.answered ? `${summary}. ${decided}` : s.outcome === 'voicemail' ? `Voicemail: ${summary.toLowerCase()}, please call back.` : null;
      out.push({ ...base, kind: 'call', direction: 'inbound', channel: 'phone', body, outcome: s.outcome, durationSeconds: s.durationSeconds, userKey: s.handledBy, metadata, at: s.at });
    } else if (s.channel === 'web') {
      const body = `${summary}. Best time to reach me: ${rng.pick(['mornings', 'afternoons', 'after 5pm', 'anytime'])}.`;
      out.push({ ...base, kind: 'email', direction: 'inbound', channel: 'web', subject: `Website request: ${service.name}`, body, userKey: null, metadata, at: s.at });
    } else {
      out.push({ ...base, kind: 'sms', direction: 'inbound', channel: 'sms', body: `Hi, ${summary.toLowerCase()}. Can someone come out?`, userKey: null, metadata, at: s.at });
    }
    if (s.response) {
      const text = s.bookedNow ? `Thanks ${c.firstName}! ${decided}` : `Thanks ${c.firstName}, we can help with that. ${decided}`;
      out.push(outbound(rng, s.response, c, s.channel === 'sms', text, { response: true, service: s.service }, s.bookedNow));
    }
    if (s.followUp) {
      const f = s.followUp;
      const text = fill(rng.pick(FOLLOW_UP_TEXTS), { first: c.firstName, agent: staffName.get(f.userKey) ?? 'the office', service: service.name.toLowerCase() });
      const callText = f.converted ? `Follow-up call. ${booking(s.job)}` : f.reached ? `Follow-up call: still ${reason}.` : 'Follow-up call, left a voicemail.';
      const msg = outbound(rng, f, c, false, f.kind === 'sms' && c.smsAllowed ? text : callText, { followUp: true, service: s.service }, f.reached);
      out.push(msg);
      if (msg.kind === 'sms' && f.replyAt !== null) {
        const reply = f.converted ? 'Yes please, that works for us' : 'Not right now, thanks';
        out.push({ ...base, kind: 'sms', direction: 'inbound', channel: 'sms', body: reply, userKey: null, metadata: { reply: true }, at: f.replyAt });
      }
    }
    if (s.callback) {
      const cb = s.callback;
      const text = cb.converted ? `Returned missed call. ${booking(s.job)}` : cb.reached ? `Returned missed call: ${reason}.` : 'Returned missed call, no answer.';
      out.push(outbound(rng, cb, c, false, text, { callback: true, service: s.service }, cb.reached));
    }
  }
  return out;
}

/** An outbound touch; texts only go to contacts who agreed to texts (or who texted us first). */
function outbound(
  rng: DemoRandom,
  t: OutboundTouch,
  c: ContactDraft,
  textedUs: boolean,
  body: string,
  metadata: InteractionDraft['metadata'],
  reached: boolean,
): InteractionDraft {
  const kind = t.kind === 'sms' && !(c.smsAllowed || textedUs) ? 'call' : t.kind;
  const common = { contact: c.index, body, userKey: t.userKey, metadata, at: t.at, subject: null };
  if (kind === 'call') {
    return { ...common, kind, direction: 'outbound', channel: 'phone', outcome: reached ? 'answered' : 'no_answer', durationSeconds: reached ? Math.round(rng.between(45, 360)) : null };
  }
  if (kind === 'email') {
    return { ...common, kind, direction: 'outbound', channel: 'email', subject: 'Your Comfort Pro HVAC request', outcome: null, durationSeconds: null };
  }
  return { ...common, kind, direction: 'outbound', channel: 'sms', outcome: null, durationSeconds: null };
}
