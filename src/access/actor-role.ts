import type { Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { AppError } from '../lib/errors.ts';
import type { Role } from './users.ts';
import '../db/types-access.ts';

/** The role an actor acts with: a user's role, an API key's role; the CLI and the system act as owners. */
export async function actorRole(trx: Executor, scope: Scope): Promise<Role> {
  if (scope.actor.type === 'user' && scope.actor.id) {
    const row = await trx.selectFrom('users').select('role').where('business_id', '=', scope.businessId).where('id', '=', scope.actor.id).executeTakeFirst();
    if (!row) throw new AppError('FORBIDDEN', 'the acting user is not in this business');
    return row.role as Role;
  }
  if (scope.actor.type === 'api_key' && scope.actor.id) {
    const row = await trx.selectFrom('api_keys').select('role').where('business_id', '=', scope.businessId).where('id', '=', scope.actor.id).executeTakeFirst();
    if (!row) throw new AppError('FORBIDDEN', 'the acting API key is not in this business');
    return row.role as Role;
  }
  return 'owner';
}
