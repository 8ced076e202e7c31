// The entities a business's records are exported as: a list with no imports, so `kinetic export --help` reads it without loading the database.

/**
 * Every record of a business, out: one CSV and one JSON file per entity. The
 * contacts, jobs and interactions CSVs are the importable exports (the same
 * as `kinetic export contacts`); every other CSV, and every JSON file, holds
 * the table's rows as stored, JSON columns parsed in the JSON files.
 * Credentials never leave: sessions, API keys, password hashes, channel
 * secrets and unsubscribe tokens are not exported.
 */
export interface ExportedTable {
  entity: string;
  table: string;
  /** Keyset column (unique, sortable); tables without one are paged by their key columns. */
  key: string[];
  omit?: string[];
}

export const exportedTables: readonly ExportedTable[] = [
  { entity: 'contacts', table: 'contacts', key: ['id'], omit: ['search_text'] },
  { entity: 'contact_tags', table: 'contact_tags', key: ['contact_id', 'tag'] },
  { entity: 'consents', table: 'consents', key: ['id'] },
  { entity: 'companies', table: 'companies', key: ['id'], omit: ['search_text'] },
  { entity: 'contact_companies', table: 'contact_companies', key: ['contact_id', 'company_id'] },
  { entity: 'interactions', table: 'interactions', key: ['id'] },
  { entity: 'jobs', table: 'jobs', key: ['id'] },
  { entity: 'deals', table: 'deals', key: ['id'] },
  { entity: 'tasks', table: 'tasks', key: ['id'] },
  { entity: 'reviews', table: 'reviews', key: ['id'] },
  { entity: 'users', table: 'users', key: ['id'], omit: ['password_hash'] },
  { entity: 'automations', table: 'automations', key: ['id'] },
  { entity: 'enrollments', table: 'enrollments', key: ['id'] },
  { entity: 'approvals', table: 'approvals', key: ['id'] },
  { entity: 'outbox', table: 'outbox', key: ['id'] },
  { entity: 'voice_calls', table: 'voice_calls', key: ['call_sid'] },
  { entity: 'alert_rules', table: 'alert_rules', key: ['id'] },
  { entity: 'events', table: 'events', key: ['seq'] },
  { entity: 'audit_log', table: 'audit_log', key: ['seq'] },
];

export const exportEntities = exportedTables.map((t) => t.entity);
