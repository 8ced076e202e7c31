import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { grantOf, type Action } from '../access/permissions.ts';
import { ownContact, ownJob, ownTask } from '../access/visibility.ts';
import { AppError, notFound } from '../lib/errors.ts';

/**
 * Which action of the permission table (access/permissions.ts) each route is.
 * `own` says how a role with an `own` grant is held to its own rows: a path id
 * that must be theirs, a list narrowed to theirs, or a body that must point at
 * theirs. A route not listed here needs `business.settings` (owners and
 * managers): a new route is closed until someone decides who may use it.
 */
export type OwnRule =
  | { kind: 'job' | 'contact' | 'task'; param: string }
  | { kind: 'list'; query: string }
  | { kind: 'note-on-contact' }
  /** Their own task, or any task they take by assigning it to themselves (an on-call technician taking the urgent task). */
  | { kind: 'task-or-take'; param: string };

export interface RouteRule {
  action: Action;
  own?: OwnRule;
}

/** Needs no login (or carries its own credential: a Twilio signature, a signed link, a reset token). */
export const publicRoutes = new Set([
  'GET /',
  'GET /app',
  'GET /app/*',
  'GET /health',
  'GET /openapi.json',
  'POST /auth/login',
  'POST /auth/password-reset',
]);
// The website widget: its script and stylesheet, and the endpoints it calls from any site (a business slug, a chat token).
const publicPrefixes = ['/docs', '/webhooks/', '/unsubscribe/', '/book/', '/widget.js', '/widget.css', '/widget/'];

/** Any logged-in caller, about themselves or about nothing tenant-specific. */
export const selfRoutes = new Set(['GET /me', 'POST /auth/logout', 'POST /auth/password', 'GET /events/catalog']);

const id = (kind: 'job' | 'contact' | 'task'): OwnRule => ({ kind, param: 'id' });
const rule = (action: Action, own?: OwnRule): RouteRule => (own ? { action, own } : { action });

function resourceRules(path: string, resource: 'companies' | 'interactions' | 'jobs' | 'deals' | 'tasks' | 'reviews', own: Partial<Record<'list' | 'item' | 'create', OwnRule>> = {}): Record<string, RouteRule> {
  return {
    [`GET ${path}`]: rule(`${resource}.read`, own.list),
    [`POST ${path}`]: rule(`${resource}.create`, own.create),
    [`GET ${path}/:id`]: rule(`${resource}.read`, own.item),
    [`PATCH ${path}/:id`]: rule(`${resource}.update`, own.item),
    [`DELETE ${path}/:id`]: rule(`${resource}.delete`, own.item),
  };
}

export const routeRules: Record<string, RouteRule> = {
  'GET /summary': rule('insights.read'),
  'GET /business': rule('business.read'),
  'PATCH /business': rule('business.settings'),
  'GET /integrations': rule('business.settings'),
  // The business's own numbers and sender (Twilio account, Messaging Service): settings of the whole business.
  'GET /numbers': rule('business.settings'),
  'POST /numbers': rule('business.settings'),
  'DELETE /numbers/:number': rule('business.settings'),
  'POST /numbers/verify': rule('business.settings'),
  'GET /business/channels': rule('business.settings'),
  'PATCH /business/channels': rule('business.settings'),
  'POST /integrations/test-send': rule('business.settings'),
  'GET /users': rule('users.read'),
  'POST /users': rule('users.manage'),
  'GET /users/:id': rule('users.read'),
  'PATCH /users/:id': rule('users.manage'),
  'POST /users/:id/password-reset': rule('users.manage'),
  'GET /api-keys': rule('apikeys.manage'),
  'POST /api-keys': rule('apikeys.manage'),
  'DELETE /api-keys/:id': rule('apikeys.manage'),

  'GET /contacts': rule('contacts.read', { kind: 'list', query: 'technicianUserId' }),
  'POST /contacts': rule('contacts.create'),
  'GET /contacts/duplicates': rule('contacts.merge'),
  'POST /contacts/merge': rule('contacts.merge'),
  'GET /contacts/:id': rule('contacts.read', id('contact')),
  'PATCH /contacts/:id': rule('contacts.update'),
  'DELETE /contacts/:id': rule('contacts.delete'),
  'GET /contacts/:id/timeline': rule('contacts.read', id('contact')),
  'GET /contacts/:id/consent': rule('contacts.read', id('contact')),
  'POST /contacts/:id/consent': rule('contacts.update'),
  'GET /contacts/:id/companies': rule('contacts.read', id('contact')),
  'PUT /contacts/:id/companies/:companyId': rule('contacts.update'),
  'DELETE /contacts/:id/companies/:companyId': rule('contacts.update'),
  'POST /imports/contacts': rule('records.import'),
  'POST /imports': rule('records.import'),
  'GET /imports': rule('records.import'),
  'GET /imports/:id': rule('records.import'),
  'GET /imports/:id/errors.csv': rule('records.import'),
  'POST /imports/:id/cancel': rule('records.import'),
  'POST /contacts/:id/replies': rule('messages.send'),
  'POST /contacts/:id/chat-replies': rule('messages.send'),
  'POST /contacts/:id/booking-link': rule('bookings.create'),
  'POST /contacts/:id/bookings': rule('bookings.create'),
  'GET /contacts/:id/automations': rule('automations.read'),
  'GET /contacts/:id/scores': rule('intelligence.read'),
  'GET /contacts/:id/relationship': rule('intelligence.read'),
  'GET /contacts/:id/send-time': rule('intelligence.read'),

  ...resourceRules('/companies', 'companies'),
  ...resourceRules('/interactions', 'interactions', { create: { kind: 'note-on-contact' } }),
  ...resourceRules('/jobs', 'jobs', { list: { kind: 'list', query: 'technicianUserId' }, item: id('job') }),
  ...resourceRules('/deals', 'deals'),
  'GET /pipeline/totals': rule('deals.read'),
  ...resourceRules('/tasks', 'tasks', { list: { kind: 'list', query: 'assigneeUserId' }, item: id('task') }),
  'PATCH /tasks/:id': rule('tasks.update', { kind: 'task-or-take', param: 'id' }),
  ...resourceRules('/reviews', 'reviews'),

  'GET /events': rule('records.export'),
  'GET /exports': rule('records.export'),
  'GET /events/stream': rule('events.stream'),
  'GET /audit': rule('audit.read'),
  'POST /inbound/email': rule('records.import'),

  'GET /automations': rule('automations.read'),
  'POST /automations': rule('automations.manage'),
  'POST /automations/validate': rule('automations.manage'),
  'GET /automations/:id': rule('automations.read'),
  'PUT /automations/:id': rule('automations.manage'),
  'POST /automations/:id/enable': rule('automations.manage'),
  'POST /automations/:id/disable': rule('automations.manage'),
  'DELETE /automations/:id': rule('automations.manage'),
  'POST /automations/:id/simulate': rule('automations.manage'),
  'GET /playbooks': rule('automations.read'),
  'POST /playbooks/:name/install': rule('automations.manage'),
  'GET /enrollments': rule('automations.read'),
  'GET /enrollments/:id': rule('automations.read'),
  'POST /enrollments/:id/retry': rule('enrollments.control'),
  'POST /enrollments/:id/cancel': rule('enrollments.control'),
  'POST /enrollments/:id/ack': rule('enrollments.ack'),
  'GET /approvals': rule('approvals.read'),
  'POST /approvals/:id/decide': rule('approvals.decide'),
  'GET /outbox': rule('outbox.read'),
  'POST /outbox/:id/retry': rule('outbox.control'),
  'POST /outbox/:id/cancel': rule('outbox.control'),

  'GET /webhook-subscriptions': rule('webhooks.manage'),
  'POST /webhook-subscriptions': rule('webhooks.manage'),
  'GET /webhook-subscriptions/:id': rule('webhooks.manage'),
  'POST /webhook-subscriptions/:id/enable': rule('webhooks.manage'),
  'POST /webhook-subscriptions/:id/disable': rule('webhooks.manage'),
  'DELETE /webhook-subscriptions/:id': rule('webhooks.manage'),
  'GET /webhook-subscriptions/signing-secret': rule('webhooks.manage'),

  'POST /classify': rule('intake.review'),
  'GET /classifications': rule('intake.review'),
  'GET /classifications/:id': rule('intake.review'),
  'POST /classifications/:id/correct': rule('intake.review'),
  'GET /drafts': rule('intake.review'),
  'GET /drafts/:id': rule('intake.review'),
  'PATCH /drafts/:id': rule('intake.review'),
  'POST /drafts/:id/approve': rule('messages.send'),
  'POST /drafts/:id/discard': rule('intake.review'),

  'GET /availability': rule('booking.read'),
  'GET /users/:id/schedule': rule('booking.read'),
  'PUT /users/:id/schedule': rule('booking.manage'),
  'GET /booking/settings': rule('booking.read'),
  'PUT /booking/settings': rule('booking.manage'),

  'GET /insights/metrics': rule('insights.read'),
  'GET /insights/series': rule('insights.read'),
  'GET /insights/leak': rule('insights.read'),
  'GET /insights/funnel': rule('insights.read'),
  'GET /exceptions': rule('exceptions.read'),
  'POST /exceptions/:kind/:id/dismiss': rule('exceptions.dismiss'),
  'DELETE /exceptions/:kind/:id/dismiss': rule('exceptions.dismiss'),
  'GET /alert-rules': rule('insights.read'),
  'POST /alert-rules': rule('alerts.manage'),
  'GET /alert-rules/:id': rule('insights.read'),
  'PATCH /alert-rules/:id': rule('alerts.manage'),
  'DELETE /alert-rules/:id': rule('alerts.manage'),

  'GET /queue': rule('intelligence.read'),
  'GET /relationships/intro': rule('intelligence.read'),
  'GET /models': rule('intelligence.read'),
  'POST /models/retrain': rule('models.retrain'),
};

/** Where an unlisted route lands: owners and managers only. */
export const defaultRule: RouteRule = { action: 'business.settings' };

export type RouteAccess = { kind: 'public' } | { kind: 'self' } | { kind: 'rule'; rule: RouteRule; listed: boolean };

/** How a route (method + Fastify URL pattern) is guarded. HEAD is guarded like its GET. */
export function routeAccess(method: string, url: string): RouteAccess {
  const key = `${method === 'HEAD' ? 'GET' : method} ${url}`;
  if (publicRoutes.has(key) || publicPrefixes.some((p) => url === p || url.startsWith(p.endsWith('/') ? p : `${p}/`))) return { kind: 'public' };
  if (selfRoutes.has(key)) return { kind: 'self' };
  const listed = routeRules[key];
  return { kind: 'rule', rule: listed ?? defaultRule, listed: listed !== undefined };
}

const forbidden = (action: Action) => new AppError('FORBIDDEN', `your role may not do this (${action})`, { action });

/** Holds a caller with an `own` grant to their own rows; throws 404 (like another business's row) when it is not theirs. */
async function enforceOwn(ctx: AppContext, request: FastifyRequest, rule: RouteRule, businessId: string, userId: string): Promise<void> {
  const own = rule.own;
  if (!own) throw forbidden(rule.action);
  if (own.kind === 'list') {
    // The list is narrowed to the caller's own rows whatever filter was asked for.
    (request.query as Record<string, unknown>)[own.query] = userId;
    return;
  }
  if (own.kind === 'note-on-contact') {
    const body = (request.body ?? {}) as { kind?: unknown; contactId?: unknown };
    if (body.kind !== 'note') throw new AppError('VALIDATION_FAILED', 'kind: your role may add notes only ("note")', { issues: [{ field: 'kind', message: 'your role may add notes only ("note")' }] });
    if (typeof body.contactId !== 'string' || !(await ownContact(ctx.db.kysely, businessId, userId, body.contactId))) {
      throw new AppError('VALIDATION_FAILED', 'contactId: not a contact on one of your jobs', { issues: [{ field: 'contactId', message: 'not a contact on one of your jobs' }] });
    }
    return;
  }
  const value = (request.params as Record<string, string>)[own.param];
  if (own.kind === 'task-or-take' && (request.body as { assigneeUserId?: unknown } | null)?.assigneeUserId === userId) return;
  const check = own.kind === 'job' ? ownJob : own.kind === 'contact' ? ownContact : ownTask;
  if (!value || !(await check(ctx.db.kysely, businessId, userId, value))) throw notFound(own.kind, value);
}

/** The one place every authenticated route's permission is checked, for users and API keys alike. */
export function registerPermissions(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('preHandler', async (request) => {
    const url = request.routeOptions.url;
    if (!url) return; // no route matched: the 404 handler answers
    const access = routeAccess(request.method, url);
    if (access.kind === 'public') return;
    const p = request.principal;
    if (!p) throw new AppError('UNAUTHENTICATED', 'log in or send "Authorization: Bearer <api key>"');
    if (access.kind === 'self') return;
    const grant = grantOf(p.role, access.rule.action);
    if (grant === 'all') return;
    if (grant === 'own' && p.user) return enforceOwn(ctx, request, access.rule, p.businessId, p.user.id);
    throw forbidden(access.rule.action);
  });
}
