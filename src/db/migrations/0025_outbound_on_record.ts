import type { Kysely } from 'kysely';

/**
 * `outbox.user_id` names a team member the message is *to* (an on-call page,
 * an alert). Replies typed in the inbox and approved drafts used to put the
 * person who sent them there, so they counted as team messages: they did not
 * clear "reply waiting", were left out of response-time metrics, and were not
 * cancelled when the customer opted out. They are customer messages: clear it.
 * (The person who sent one is on its interaction and in the audit log.)
 */
export function outboundOnRecord() {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db
        .updateTable('outbox')
        .set({ user_id: null })
        .where('contact_id', 'is not', null)
        .where((eb) => eb.or([eb('idempotency_key', 'like', 'reply:%'), eb('idempotency_key', 'like', 'draft:%')]))
        .execute();
    },
  };
}
