import { Migrator, type Migration, type MigrationResultSet } from 'kysely';
import { AppError } from '../lib/errors.ts';
import type { Db } from './database.ts';
import { foundation } from './migrations/0001_foundation.ts';
import { engine } from './migrations/0002_engine.ts';
import { lookupIndexes } from './migrations/0003_lookup_indexes.ts';
import { campaigns } from './migrations/0004_campaigns.ts';
import { booking } from './migrations/0005_booking.ts';
import { insights } from './migrations/0006_insights.ts';
import { intelligence } from './migrations/0007_intelligence.ts';
import { intake } from './migrations/0008_intake.ts';
import { voice } from './migrations/0009_voice.ts';
import { playbooks } from './migrations/0010_playbooks.ts';
import { bookingCalendar } from './migrations/0011_booking_calendar.ts';
import { exceptionDismissals } from './migrations/0012_exception_dismissals.ts';
import { businessNumbers } from './migrations/0013_business_numbers.ts';
import { companyIndexes } from './migrations/0014_company_indexes.ts';
import { accessControl } from './migrations/0016_access_control.ts';
import { messagingIdentity } from './migrations/0015_messaging_identity.ts';
import { outboundOnRecord } from './migrations/0025_outbound_on_record.ts';
import { installSettings } from './migrations/0035_install_settings.ts';
import { importJobs } from './migrations/0026_import_jobs.ts';
import { webWidget } from './migrations/0036_web_widget.ts';

/** Numbered migrations, in order. Never edit one that has shipped; add the next number. */
function migrations(db: Db): Record<string, Migration> {
  return {
    '0001_foundation': foundation(db.dialect),
    '0002_engine': engine(db.dialect),
    '0003_lookup_indexes': lookupIndexes(),
    '0004_campaigns': campaigns(),
    '0005_booking': booking(db.dialect),
    '0006_insights': insights(db.dialect),
    '0007_intelligence': intelligence(db.dialect),
    '0008_intake': intake(db.dialect),
    '0009_voice': voice(db.dialect),
    '0010_playbooks': playbooks(),
    '0011_booking_calendar': bookingCalendar(),
    '0012_exception_dismissals': exceptionDismissals(db.dialect),
    '0013_business_numbers': businessNumbers(db.dialect),
    '0014_company_indexes': companyIndexes(),
    '0016_access_control': accessControl(db.dialect),
    '0015_messaging_identity': messagingIdentity(db.dialect),
    '0025_outbound_on_record': outboundOnRecord(),
    '0035_install_settings': installSettings(),
    '0026_import_jobs': importJobs(db.dialect),
    '0036_web_widget': webWidget(db.dialect),
  };
}

export interface MigrationReport {
  applied: string[];
  total: number;
}

/** Applies every pending migration (idempotent; safe to run at each start-up and from several processes). */
export async function migrateToLatest(db: Db, opts: { upTo?: string } = {}): Promise<MigrationReport> {
  // upTo: stop after that migration (tests that reproduce a database from before a later one).
  const every = migrations(db);
  const all = opts.upTo ? Object.fromEntries(Object.entries(every).filter(([name]) => name <= opts.upTo!)) : every;
  const migrator = new Migrator({
    db: db.kysely,
    provider: { getMigrations: async () => all },
    migrationTableName: 'kinetic_migrations',
    migrationLockTableName: 'kinetic_migrations_lock',
    // Each migration only adds its own tables, columns and indexes, so one that arrives with a
    // lower number than some already applied (parallel branches) is applied rather than refused.
    allowUnorderedMigrations: true,
    // Without a schema, Kysely looks for its tables in every schema of the database and
    // can mistake another schema's tables (another tenant database, a test) for its own.
    ...(db.schema ? { migrationTableSchema: db.schema } : {}),
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new AppError('INTERNAL', `Migration ${failed?.migrationName ?? '(unknown)'} failed: ${(result.error as Error).message}`);
  }
  return {
    applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
    total: Object.keys(all).length,
  };
}
