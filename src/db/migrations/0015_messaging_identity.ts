import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Every business texts, is answered and unsubscribed as itself.
 *
 * - `business_numbers` is rebuilt with the number as its primary key: a number
 *   belongs to at most one business. Where two businesses listed the same
 *   number, the one that claimed it first keeps it (as inbound routing already
 *   chose). New columns say where the claim came from, whether the number was
 *   found on the business's Twilio account, and its Twilio sid.
 * - `business_channels`: one row per business with its own sender settings —
 *   Messaging Service, Twilio subaccount (auth token encrypted), email From and
 *   Reply-To. A Messaging Service and an account belong to one business.
 * - `sms_senders`: which of its numbers a business texts each recipient from
 *   (sticky sender), so a customer always hears from, and answers, one number.
 * - `unsubscribe_tokens`: short random one-click unsubscribe tokens, stored as
 *   SHA-256 hashes, scoped to business + contact + channel + address.
 * - `outbox.is_test`: a test send from Settings, never a customer message.
 */
export function messagingIdentity(dialect: Dialect) {
  const t = columnTypes(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('business_numbers_v2')
        .addColumn('number', 'text', (c) => c.primaryKey())
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('source', 'text', (c) => c.notNull().defaultTo('profile')) // profile | api | install_default
        .addColumn('verified', 'integer', (c) => c.notNull().defaultTo(0)) // 0 | 1: found on the business's Twilio account
        .addColumn('verified_at', t.timestamp)
        .addColumn('provider_sid', 'text') // Twilio PN… sid once verified
        .addColumn('checked_at', t.timestamp) // last attempt to verify (success or not)
        .addColumn('check_error', 'text')
        .addColumn('last_inbound_at', t.timestamp) // last text or call received on it
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .execute();
      const old = (await db.selectFrom('business_numbers').select(['number', 'business_id', 'created_at']).orderBy('created_at').orderBy('business_id').execute()) as Array<{ number: string; business_id: string; created_at: unknown }>;
      const seen = new Set<string>();
      for (const r of old) {
        if (seen.has(r.number)) continue; // a later claim of a number someone already had: dropped, as routing never honoured it
        seen.add(r.number);
        await db.insertInto('business_numbers_v2').values({ number: r.number, business_id: r.business_id, source: 'profile', verified: 0, created_at: r.created_at }).execute();
      }
      await db.schema.dropTable('business_numbers').execute();
      await db.schema.alterTable('business_numbers_v2').renameTo('business_numbers').execute();
      await db.schema.createIndex('business_numbers_owner_idx').on('business_numbers').columns(['business_id', 'created_at']).execute();

      await db.schema
        .createTable('business_channels')
        .addColumn('business_id', 'text', (c) => c.primaryKey().references('businesses.id').onDelete('cascade'))
        .addColumn('messaging_service_sid', 'text')
        .addColumn('twilio_account_sid', 'text')
        .addColumn('twilio_auth_token', 'text') // encrypted with a key derived from KINETIC_SECRET; never returned
        .addColumn('email_from_name', 'text')
        .addColumn('email_from_address', 'text')
        .addColumn('email_reply_to', 'text')
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('business_channels_service_uniq').on('business_channels').column('messaging_service_sid').unique().execute();
      await db.schema.createIndex('business_channels_account_uniq').on('business_channels').column('twilio_account_sid').unique().execute();

      await db.schema
        .createTable('sms_senders')
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('sms_senders_pk', ['business_id', 'address'])
        .execute();

      await db.schema
        .createTable('unsubscribe_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('contact_id', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('used_at', t.timestamp)
        .execute();

      await db.schema.alterTable('outbox').addColumn('is_test', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      // The last message per sender number (Settings → Channels) and the sticky-sender fallback read by from_address.
      await db.schema.createIndex('outbox_from_idx').on('outbox').columns(['business_id', 'from_address', 'created_at']).execute();
      if (dialect === 'postgres') await sql`analyze business_numbers`.execute(db);
    },
  };
}
