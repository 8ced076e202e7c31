import type { Kysely } from 'kysely';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * The numbers each business receives texts and calls on (its phone and
 * settings.phoneNumbers, in E.164), so an inbound webhook finds its business
 * by an index instead of reading every business. A separate table rather than
 * a column: a business can have several numbers.
 */
export function businessNumbers(dialect: Dialect) {
  const t = columnTypes(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('business_numbers')
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('business_numbers_pk', ['number', 'business_id'])
        .execute();
      await db.schema.createIndex('business_numbers_business_idx').on('business_numbers').column('business_id').execute();

      // Existing businesses. The normalisation is written out here (not imported) so this migration
      // keeps doing what it did when it shipped; it matches receivingNumbers() in crm/businesses.
      const rows = (await db.selectFrom('businesses').select(['id', 'phone', 'settings', 'created_at']).execute()) as Array<{ id: string; phone: string | null; settings: string | null; created_at: unknown }>;
      for (const r of rows) {
        let settings: Record<string, unknown> = {};
        try {
          settings = r.settings ? (JSON.parse(r.settings) as Record<string, unknown>) : {};
        } catch {
          settings = {};
        }
        const country = typeof settings.defaultCountry === 'string' ? settings.defaultCountry.toUpperCase() : 'US';
        const extra = Array.isArray(settings.phoneNumbers) ? settings.phoneNumbers.filter((n): n is string => typeof n === 'string') : [];
        const numbers = new Set<string>();
        for (const raw of [r.phone, ...extra]) {
          const trimmed = raw?.trim();
          if (!trimmed) continue;
          const parsed = parsePhoneNumberFromString(trimmed, country as CountryCode);
          numbers.add(parsed?.isValid() ? parsed.number : trimmed);
        }
        if (numbers.size) {
          await db
            .insertInto('business_numbers')
            .values([...numbers].map((number) => ({ number, business_id: r.id, created_at: r.created_at })))
            .execute();
        }
      }
    },
  };
}
