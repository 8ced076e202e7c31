import type { Role } from './users.ts';

/**
 * What each role may do, as data: one row per action, one column per role.
 * `all` grants the action on every row of the business, `own` only on the rows
 * that are the person's own (a technician's jobs, the contacts on them, their
 * tasks), and a missing entry refuses it. The HTTP layer maps every route to
 * one action (src/api/permissions.ts) and checks it in one hook; rules that
 * depend on who the target is (managers manage only people below them, only
 * owners manage owners) live with the users in access/users.ts.
 */
export const actions = [
  'contacts.read',
  'contacts.create',
  'contacts.update',
  'contacts.delete',
  'contacts.merge',
  'companies.read',
  'companies.create',
  'companies.update',
  'companies.delete',
  'interactions.read',
  'interactions.create',
  'interactions.update',
  'interactions.delete',
  'jobs.read',
  'jobs.create',
  'jobs.update',
  'jobs.delete',
  'deals.read',
  'deals.create',
  'deals.update',
  'deals.delete',
  'tasks.read',
  'tasks.create',
  'tasks.update',
  'tasks.delete',
  'reviews.read',
  'reviews.create',
  'reviews.update',
  'reviews.delete',
  /** Bulk reads of the whole record: the event log, CSV imports (which can rewrite many contacts). */
  'records.export',
  'records.import',
  /** The live event stream the dashboard listens on. */
  'events.stream',
  'audit.read',
  /** Replies typed by a person, and approving a drafted reply. */
  'messages.send',
  /** Classifications and drafts: correct, edit, discard. */
  'intake.review',
  'outbox.read',
  'outbox.control',
  'automations.read',
  'automations.manage',
  'enrollments.control',
  /** Taking an on-call page (everyone who can be paged). */
  'enrollments.ack',
  'approvals.read',
  'approvals.decide',
  'bookings.create',
  'booking.read',
  'booking.manage',
  'insights.read',
  'alerts.manage',
  'exceptions.read',
  'exceptions.dismiss',
  'intelligence.read',
  'models.retrain',
  'webhooks.manage',
  'users.read',
  /** Adding, changing, disabling people and sending them a reset link: only people below the caller (access/users.ts). */
  'users.manage',
  /** Creating owners, promoting to owner, changing or disabling an owner. */
  'owners.manage',
  'business.read',
  /** Hours, services, on-call, compliance, integrations: the settings that change how the whole business runs. */
  'business.settings',
  'apikeys.manage',
] as const;
export type Action = (typeof actions)[number];

export type Grant = 'all' | 'own';

const every = (...list: Action[]): Partial<Record<Action, Grant>> => Object.fromEntries(list.map((a) => [a, 'all']));
const crud = (resource: 'contacts' | 'companies' | 'interactions' | 'jobs' | 'deals' | 'tasks' | 'reviews', ...verbs: Array<'read' | 'create' | 'update' | 'delete'>): Action[] =>
  verbs.map((v) => `${resource}.${v}` as Action);

const everything = every(...actions);
const manager = every(...actions.filter((a) => a !== 'owners.manage'));

/** Agents work the inbox, contacts and tasks: no deleting, merging, exporting, automations or settings. */
const agent = every(
  ...crud('contacts', 'read', 'create', 'update'),
  ...crud('companies', 'read', 'create', 'update'),
  ...crud('interactions', 'read', 'create', 'update'),
  ...crud('jobs', 'read', 'create', 'update'),
  ...crud('deals', 'read', 'create', 'update'),
  ...crud('tasks', 'read', 'create', 'update'),
  ...crud('reviews', 'read', 'create', 'update'),
  'events.stream',
  'messages.send',
  'intake.review',
  'outbox.read',
  'automations.read',
  'enrollments.ack',
  'approvals.read',
  'bookings.create',
  'booking.read',
  'exceptions.read',
  'exceptions.dismiss',
  'intelligence.read',
  'users.read',
  'business.read',
);

/** Technicians see their own jobs and the contacts on them, write notes on those contacts, and update their jobs and tasks. */
const technician: Partial<Record<Action, Grant>> = {
  'jobs.read': 'own',
  'jobs.update': 'own',
  'contacts.read': 'own',
  'interactions.create': 'own',
  'tasks.read': 'own',
  'tasks.update': 'own',
  'enrollments.ack': 'all',
  'booking.read': 'all',
  'users.read': 'all',
  'business.read': 'all',
};

export const permissionTable: Record<Role, Partial<Record<Action, Grant>>> = { owner: everything, manager, agent, technician };

/** The grant a role has for an action, or null when it has none. */
export const grantOf = (role: Role, action: Action): Grant | null => permissionTable[role][action] ?? null;

/** Every action a role may take (with `own` ones marked), for the dashboard to show only what works. */
export const permissionsOf = (role: Role): Record<string, Grant> => ({ ...permissionTable[role] }) as Record<string, Grant>;

/** Ranks for "manages people below them": an owner outranks a manager, who outranks technicians and agents. */
export const roleRank: Record<Role, number> = { owner: 3, manager: 2, technician: 1, agent: 1 };
