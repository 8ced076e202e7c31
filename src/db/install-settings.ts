import type { Executor } from './database.ts';
import './types-install.ts';

/** Remembers the public address the server serves links at (kinetic start writes it once listening). */
export async function recordPublicUrl(db: Executor, url: string, now: string): Promise<void> {
  await db
    .insertInto('install_settings')
    .values({ key: 'public_url', value: url, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: url, updated_at: now }))
    .execute();
}

/** The public address the last started server used, or null when none has started on this database. */
export async function recordedPublicUrl(db: Executor): Promise<string | null> {
  const row = await db.selectFrom('install_settings').select('value').where('key', '=', 'public_url').executeTakeFirst();
  return row?.value ?? null;
}
