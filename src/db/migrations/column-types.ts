import type { ColumnDefinitionBuilder } from 'kysely';
import type { Dialect } from '../database.ts';

/** Column types that differ between the dialects; everything else is portable SQL. */
export function columnTypes(dialect: Dialect) {
  const serialPk = (c: ColumnDefinitionBuilder) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey());
  return dialect === 'postgres'
    ? ({ timestamp: 'timestamptz', serial: 'bigserial', serialPk } as const)
    : ({ timestamp: 'text', serial: 'integer', serialPk } as const);
}
