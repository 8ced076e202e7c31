/**
 * Small builders for the steps playbooks repeat. They return plain
 * automation-document JSON, validated by the engine's schema at install.
 */
type Json = Record<string, unknown>;

export interface Message {
  sms: string;
  emailSubject: string;
  email: string;
}

/**
 * The channel the customer uses: email when they last wrote to us by email (and have an address),
 * else a text when they have a number, else email.
 */
export function toContact(m: Message, opts: { purpose?: 'marketing' | 'transactional'; channel?: 'auto' | 'sms' | 'email' } = {}): Json {
  const purpose = opts.purpose ? { purpose: opts.purpose } : {};
  const sms = { type: 'send_sms', body: m.sms, ...purpose };
  const email = { type: 'send_email', subject: m.emailSubject, body: m.email, ...purpose };
  if (opts.channel === 'sms') return sms;
  if (opts.channel === 'email') return email;
  return {
    type: 'branch',
    if: { all: [{ field: 'contact.preferredChannel', op: 'eq', value: 'email' }, { field: 'contact.email', op: 'exists' }] },
    then: [email],
    else: [{ type: 'branch', if: { field: 'contact.phone', op: 'exists' }, then: [sms], else: [email] }],
  };
}

/** Same, with A/B variants on each channel. */
export function variantsToContact(variants: Array<{ id: string; sms: string; emailSubject: string; email: string }>): Json {
  return {
    type: 'branch',
    if: { field: 'contact.phone', op: 'exists' },
    then: [{ type: 'send_sms', variants: variants.map((v) => ({ id: v.id, body: v.sms })) }],
    else: [{ type: 'send_email', variants: variants.map((v) => ({ id: v.id, subject: v.emailSubject, body: v.email })) }],
  };
}

export const replied = { field: 'vars.waitResult', op: 'eq', value: 'event' } as const;
export const timedOut = { field: 'vars.waitResult', op: 'eq', value: 'timeout' } as const;
