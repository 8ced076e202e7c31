import type { Kysely } from 'kysely';

/**
 * Settings of the installation rather than of a business: today the public
 * address the running server uses in links, so a `kinetic` command run from
 * another shell (without the server's environment) prints the same links.
 */
export function installSettings() {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('install_settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
