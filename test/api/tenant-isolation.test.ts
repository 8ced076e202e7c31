import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { client, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';
import { runDueEnrollments } from '../../src/engine/runner.ts';
import { processInboundMessages } from '../../src/intelligence/intake/inbound.ts';
import { claimNextImport, runImportJob } from '../../src/crm/csv/import-job-run.ts';

/**
 * A key (or a logged-in user) of business A cannot read, list, change or delete
 * business B's rows through any route. Routes are enumerated from the server
 * itself, so a route added later fails the last test until it is covered here
 * (or, if it is public or only about the caller, listed in `publicOrSelf`).
 */

type Method = 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
type Params = Record<string, string>;

const A_NUMBER = '+17375550666';
const B_NUMBER = '+17375550888';
const B_SERVICE = `MG${'be'.repeat(16)}`;

/** Routes that hold no tenant data, or only the caller's own login. */
const publicOrSelf = (url: string): boolean =>
  url === '/' || url === '/app' || url === '/app/*' || url === '/health' || url === '/openapi.json' || url === '/docs' || url.startsWith('/docs/') || url === '/auth/login' || url === '/auth/logout' || url === '/auth/password' || url === '/auth/password-reset' ||
  // Signed by Twilio or by our own unsubscribe token, not by a tenant's key; covered by their own tests.
  url.startsWith('/webhooks/') || url.startsWith('/unsubscribe/') ||
  // The public booking pages: the signed per-contact token is the credential (test/booking/api.test.ts).
  url.startsWith('/book/') ||
  // The website widget: a business slug and the visitor's chat token; the last test below and test/widget/widget-api.test.ts.
  url === '/widget.js' || url === '/widget.css' || url.startsWith('/widget/') ||
  // Installing a playbook names a catalogue entry, not a row, and writes only to the caller's business (test/playbooks/install.test.ts).
  url === '/playbooks/:name/install';

/** Actions whose success depends on the row's state: on A's own row, 409 (found, wrong state) proves the tenant check as well as 2xx. */
const stateful = new Set(['POST /imports/:id/cancel', 'POST /enrollments/:id/retry', 'POST /enrollments/:id/cancel', 'POST /enrollments/:id/ack', 'POST /approvals/:id/decide', 'POST /outbox/:id/retry', 'POST /outbox/:id/cancel', 'PATCH /drafts/:id', 'POST /drafts/:id/approve', 'POST /drafts/:id/discard', 'POST /contacts/:id/bookings', 'POST /exceptions/:kind/:id/dismiss', 'POST /contacts/:id/chat-replies']);

/** An automation that leaves one of everything behind for a new lead: an outbox message, a waiting enrolment, a pending approval. */
const automationDoc = (name: string) => ({
  name,
  trigger: { type: 'event', event: 'lead.created' },
  purpose: 'transactional',
  steps: [
    { type: 'send_sms', body: `Hello from ${name}` },
    { type: 'approval', title: `${name} discount`, amountCents: 90000, approverRole: 'manager' },
  ],
});

/** A valid body for each writing route with path params: the same body on A's own row must succeed. */
const validBodies: Record<string, unknown> = {
  'PATCH /contacts/:id': { name: 'Hijacked' },
  'PATCH /companies/:id': { name: 'Hijacked' },
  'PATCH /interactions/:id': { body: 'hijacked' },
  'PATCH /jobs/:id': { notes: 'hijacked' },
  'PATCH /deals/:id': { title: 'Hijacked' },
  'PATCH /tasks/:id': { title: 'Hijacked' },
  'PATCH /reviews/:id': { body: 'hijacked' },
  'PATCH /users/:id': { name: 'Hijacked' },
  'POST /users/:id/password-reset': {},
  'POST /contacts/:id/consent': { channel: 'sms', status: 'revoked' },
  // Email: the consent route above has just opted A's contact out of texts, which a reply must respect.
  'POST /contacts/:id/replies': { channel: 'email', subject: 'Your visit', body: 'Hello from the inbox' },
  // A's contact never chatted on the website: 409 on A's own row (stateful), 404 on B's.
  'POST /contacts/:id/chat-replies': { body: 'Hello from the inbox' },
  'POST /imports/:id/cancel': {},
  'PUT /contacts/:id/companies/:companyId': { title: 'Hijacked' },
  'PUT /automations/:id': { definition: automationDoc('Hijacked') },
  'POST /automations/:id/enable': {},
  'POST /automations/:id/disable': {},
  'POST /automations/:id/simulate': { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' },
  'POST /enrollments/:id/retry': {},
  'POST /enrollments/:id/cancel': {},
  'POST /enrollments/:id/ack': {},
  'POST /approvals/:id/decide': { decision: 'approve' },
  'POST /outbox/:id/retry': {},
  'POST /outbox/:id/cancel': {},
  'POST /webhook-subscriptions/:id/enable': {},
  'POST /webhook-subscriptions/:id/disable': {},
  'POST /contacts/:id/booking-link': {},
  'POST /contacts/:id/bookings': { serviceType: 'ac_repair', start: '2026-03-04T15:00:00Z' },
  'PUT /users/:id/schedule': { weeklyHours: null, daysOff: ['2026-03-10'] },
  'PATCH /drafts/:id': { body: 'Hijacked reply' },
  'POST /drafts/:id/approve': {},
  'POST /drafts/:id/discard': {},
  'POST /classifications/:id/correct': { intent: 'complaint' },
  'PATCH /alert-rules/:id': { threshold: 0.5 },
  'POST /exceptions/:kind/:id/dismiss': { note: 'hijacked' },
};

interface Who {
  label: string;
  headers: Record<string, string>;
  cookies: Record<string, string>;
}

const fill = (pattern: string, params: Params): string =>
  pattern.replace(/:(\w+)/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for :${name} in ${pattern}`);
    return encodeURIComponent(value);
  });

const hasParams = (url: string) => url.includes(':');

forEachDialect('tenant isolation', (world) => {
  let app: FastifyInstance;
  let a: ApiTenant;
  let b: ApiTenant;
  const routes: Array<{ method: Method; url: string }> = [];
  const exercised = new Set<string>();
  let principalsOfA: Who[] = [];
  /** Ids of business A's rows, by path segment. */
  const aIds: Record<string, string> = {};
  /** Ids of business B's rows, by path segment. */
  const bIds: Record<string, string> = {};
  /** Every id of business B and text only B's rows contain: none may ever appear in a response to A. */
  let bSecrets: string[] = [];
  let bSnapshotBefore: Record<string, unknown>;
  let aKeyId: string;
  let aOwnerId: string;

  /** What A itself sent with each response's request: echoing A's own input back is no leak. */
  const sentBy = new WeakMap<LightMyRequestResponse, string>();

  /** One request as a principal of A, recorded as exercising its route. Never a 500, never a stack trace. */
  async function asA(who: Who, method: Method, pattern: string, params: Params = {}, body?: unknown, query = ''): Promise<LightMyRequestResponse> {
    exercised.add(`${method} ${pattern}`);
    const url = fill(pattern, params) + (query ? `?${query}` : '');
    const res = await app.inject({
      method,
      url,
      headers: { ...who.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      cookies: who.cookies,
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    sentBy.set(res, `${decodeURIComponent(url)} ${JSON.stringify(body ?? null)}`);
    const label = `${who.label}: ${method} ${url}`;
    assert.ok(res.statusCode < 500, `${label} → ${res.statusCode} ${res.body}`);
    assert.doesNotMatch(res.body, /\n\s+at |node_modules/, `${label} leaked a stack trace`);
    return res;
  }

  const assertNoSecretsOfB = (res: LightMyRequestResponse, label: string) => {
    const sent = sentBy.get(res) ?? '';
    for (const secret of bSecrets) {
      if (!sent.includes(secret)) assert.ok(!res.body.includes(secret), `${label} revealed "${secret}" of business B: ${res.body.slice(0, 500)}`);
    }
  };

  const assertNotFound = (res: LightMyRequestResponse, label: string) => {
    assert.equal(res.statusCode, 404, `${label} → ${res.statusCode} ${res.body}`);
    if (res.body) assert.equal(res.json().error.code, 'NOT_FOUND', label);
  };

  /** Everything B can see about itself, through B's own key. */
  async function snapshotOfB(): Promise<Record<string, unknown>> {
    const api = client(app, b.key);
    const urls = [
      `/contacts/${bIds.contacts}`,
      `/contacts/${bIds.contacts2}`,
      `/contacts/${bIds.contacts}/consent`,
      `/contacts/${bIds.contacts}/companies`,
      `/contacts/${bIds.contacts}/timeline`,
      `/companies/${bIds.companies}`,
      `/interactions/${bIds.interactions}`,
      `/jobs/${bIds.jobs}`,
      `/deals/${bIds.deals}`,
      `/tasks/${bIds.tasks}`,
      `/reviews/${bIds.reviews}`,
      `/users/${bIds.users}`,
      '/contacts',
      '/companies',
      '/interactions',
      '/jobs',
      '/deals',
      '/tasks',
      '/reviews',
      '/users',
      '/api-keys',
      '/business',
      '/numbers',
      '/business/channels',
      '/setup',
      '/pipeline/totals?closedAfter=2000-01-01T00:00:00Z',
      '/summary',
      '/contacts/duplicates',
      '/events?limit=1000',
      '/audit?limit=1000',
      '/automations',
      `/automations/${bIds.automations}`,
      '/enrollments',
      `/enrollments/${bIds.enrollments}`,
      '/approvals',
      '/outbox',
      `/contacts/${bIds.contacts}/automations`,
      '/webhook-subscriptions',
      '/webhook-subscriptions/signing-secret',
      '/booking/settings',
      `/users/${bIds.users}/schedule`,
      '/drafts',
      `/drafts/${bIds.drafts}`,
      '/classifications',
      `/classifications/${bIds.classifications}`,
      '/alert-rules',
      `/alert-rules/${bIds['alert-rules']}`,
      '/exceptions',
      '/imports',
      `/imports/${bIds.imports}`,
    ];
    const out: Record<string, unknown> = {};
    for (const url of urls) {
      const res = await api.get(url);
      assert.equal(res.statusCode, 200, `B reading ${url}: ${res.body}`);
      out[url] = res.json();
    }
    return out;
  }

  before(async () => {
    const ctx = world().ctx;
    app = await buildServer(ctx, {
      onRoute: (r) => {
        for (const method of [r.method].flat()) routes.push({ method: method as Method, url: r.url });
      },
    });
    await app.ready();
    a = await makeTenant(ctx, 'Alpha Heating');
    b = await makeTenant(ctx, 'Bravo Plumbing');

    // Business B: one of everything, created through the API with B's key.
    const apiB = client(app, b.key);
    const created = async (res: Promise<LightMyRequestResponse>) => {
      const r = await res;
      assert.ok(r.statusCode === 200 || r.statusCode === 201, r.body);
      return r.json();
    };
    const bAutomation = await created(apiB.post('/automations', { definition: automationDoc('Bravo Secret Flow'), enabled: true }));
    const bTech = await created(apiB.post('/users', { email: 'bravo.tech@example.com', name: 'Bravo Secret Tech', role: 'technician', phone: '512-555-0199' }));
    const bCompany = await created(apiB.post('/companies', { name: 'Bravo Secret Co', domain: 'bravo-secret.example', phone: '512-555-0198' }));
    // Shares phone and email with one of A's contacts: lookups by phone/email must still stay inside A.
    const bContact = await created(
      apiB.post('/contacts', { name: 'Bravo Secret Customer', phone: '512-555-0142', email: 'shared@example.com', tags: ['bravo-secret-tag'], ownerUserId: bTech.id }),
    );
    const bContact2 = await created(apiB.post('/contacts', { name: 'Bravo Secret Second', phone: '512-555-0142' }));
    // Run the automation before the job below is booked (booking ends the sequence).
    await runDueEnrollments(ctx, 'tenant-test');
    await created(apiB.put(`/contacts/${bContact.id}/companies/${bCompany.id}`, { title: 'Bravo Secret Title' }));
    const bInteraction = await created(
      apiB.post('/interactions', { contactId: bContact.id, kind: 'call', direction: 'inbound', outcome: 'answered', userId: bTech.id, body: 'bravo secret call notes' }),
    );
    const bJob = await created(
      apiB.post('/jobs', {
        contactId: bContact.id,
        companyId: bCompany.id,
        serviceType: 'bravo_secret_service',
        scheduledStart: '2026-03-05T15:00:00Z',
        scheduledEnd: '2026-03-05T17:00:00Z',
        technicianUserId: bTech.id,
        amountCents: 50_000,
      }),
    );
    const bDeal = await created(apiB.post('/deals', { contactId: bContact.id, companyId: bCompany.id, title: 'Bravo Secret Deal', amountCents: 120_000, ownerUserId: bTech.id }));
    const bTask = await created(
      apiB.post('/tasks', { title: 'Bravo Secret Task', contactId: bContact.id, dealId: bDeal.id, jobId: bJob.id, assigneeUserId: bTech.id, dueAt: '2026-03-04T15:00:00Z' }),
    );
    const bReview = await created(apiB.post('/reviews', { contactId: bContact.id, jobId: bJob.id, status: 'received', rating: 5, body: 'bravo secret review' }));
    const bConsent = await created(apiB.post(`/contacts/${bContact.id}/consent`, { channel: 'sms', status: 'granted', method: 'web_form', evidence: 'bravo secret form' }));
    const bKey = await created(apiB.post('/api-keys', { name: 'Bravo Secret Integration' }));
    const bHook = await created(apiB.post('/webhook-subscriptions', { url: 'https://93.184.216.34/bravo-secret-hook', eventTypes: ['lead.created'] }));
    const bSigningSecret = (await apiB.get('/webhook-subscriptions/signing-secret')).json().secret as string;
    const bEnrollment = (await apiB.get(`/enrollments?contactId=${bContact.id}`)).json().data[0];
    const bApproval = (await apiB.get('/approvals?status=pending')).json().data[0];
    const bMessage = (await apiB.get(`/outbox?contactId=${bContact.id}`)).json().data[0];
    assert.ok(bEnrollment && bApproval && bMessage, 'B has an enrolment, an approval and an outbox message');
    // An inbound text gets a classification and a reply draft from the intake worker; a classification on request too.
    await created(apiB.post('/interactions', { contactId: bContact.id, kind: 'sms', direction: 'inbound', body: 'bravo secret: the water heater is leaking' }));
    await processInboundMessages(ctx, null);
    const bDraft = (await apiB.get('/drafts?status=pending')).json().data[0];
    const bClassification = await created(apiB.post('/classify', { text: 'bravo secret question about my bill', contactId: bContact.id }));
    assert.ok(bDraft, 'B has a pending draft');
    const bUsers = (await apiB.get('/users')).json().data as Array<{ id: string }>;
    const bKeys = (await apiB.get('/api-keys')).json().data as Array<{ id: string; prefix: string }>;
    Object.assign(bIds, {
      contacts: bContact.id,
      contacts2: bContact2.id,
      companies: bCompany.id,
      interactions: bInteraction.id,
      jobs: bJob.id,
      deals: bDeal.id,
      tasks: bTask.id,
      reviews: bReview.id,
      users: bTech.id,
      'api-keys': bKey.id,
      automations: bAutomation.id,
      enrollments: bEnrollment.id,
      approvals: bApproval.id,
      outbox: bMessage.id,
      'webhook-subscriptions': bHook.id,
      drafts: bDraft.id,
      classifications: bClassification.id,
      'alert-rules': (await created(apiB.post('/alert-rules', { name: 'Bravo Secret Alert', metric: 'answerRate', comparator: 'below', threshold: 0.8 }))).id,
    });
    bSecrets = [
      ...Object.values(bIds),
      b.scope.businessId,
      ...bUsers.map((u) => u.id),
      ...bKeys.flatMap((k) => [k.id, k.prefix]),
      ...(bConsent.data as Array<{ id: string }>).map((c) => c.id),
      b.key,
      bKey.key,
      bHook.secret,
      bSigningSecret,
      'Bravo',
      'bravo',
      b.ownerEmail,
      '5125550199',
      '5125550198',
    ];

    // Business A: its own rows, so lists are not trivially empty.
    const apiA = client(app, a.key);
    await created(apiA.patch('/business', { services: [{ key: 'ac_repair', name: 'AC Repair', durationMinutes: 120, avgTicketCents: 40_000 }] }));
    const aAutomation = await created(apiA.post('/automations', { definition: automationDoc('Alpha Flow'), enabled: true }));
    const aContact = await created(apiA.post('/contacts', { name: 'Alpha Customer', phone: '512-555-0142', email: 'shared@example.com' }));
    const aContact2 = await created(apiA.post('/contacts', { name: 'Alpha Duplicate', phone: '512-555-0142' }));
    await runDueEnrollments(ctx, 'tenant-test');
    const aCompany = await created(apiA.post('/companies', { name: 'Alpha Co' }));
    const aInteraction = await created(apiA.post('/interactions', { contactId: aContact.id, kind: 'note', body: 'alpha note' }));
    const aJob = await created(apiA.post('/jobs', { contactId: aContact.id, serviceType: 'ac_repair', scheduledStart: '2026-03-05T15:00:00Z', scheduledEnd: '2026-03-05T16:00:00Z' }));
    const aDeal = await created(apiA.post('/deals', { contactId: aContact.id, title: 'Alpha Deal', amountCents: 10_000 }));
    const aTask = await created(apiA.post('/tasks', { title: 'Alpha Task', contactId: aContact.id }));
    const aReview = await created(apiA.post('/reviews', { contactId: aContact.id, jobId: aJob.id }));
    aKeyId = ((await apiA.get('/api-keys')).json().data as Array<{ id: string }>)[0].id;
    aOwnerId = ((await apiA.get('/users')).json().data as Array<{ id: string }>)[0].id;
    Object.assign(aIds, {
      contacts: aContact.id,
      contacts2: aContact2.id,
      companies: aCompany.id,
      interactions: aInteraction.id,
      jobs: aJob.id,
      deals: aDeal.id,
      tasks: aTask.id,
      reviews: aReview.id,
      users: aOwnerId,
      'api-keys': aKeyId,
      automations: aAutomation.id,
      enrollments: (await apiA.get(`/enrollments?contactId=${aContact.id}`)).json().data[0].id,
      approvals: (await apiA.get('/approvals?status=pending')).json().data[0].id,
      outbox: (await apiA.get(`/outbox?contactId=${aContact.id}`)).json().data[0].id,
      'webhook-subscriptions': (await created(apiA.post('/webhook-subscriptions', { url: 'https://93.184.216.34/alpha-hook', eventTypes: ['*'] }))).id,
    });
    await created(apiA.post('/interactions', { contactId: aContact.id, kind: 'sms', direction: 'inbound', body: 'can I get a quote for a new AC?' }));
    await processInboundMessages(ctx, null);
    aIds.drafts = (await apiA.get('/drafts?status=pending')).json().data[0].id;
    aIds.classifications = (await created(apiA.post('/classify', { text: 'what are your hours on saturday?' }))).id;
    aIds['alert-rules'] = (await created(apiA.post('/alert-rules', { metric: 'answerRate', comparator: 'below', threshold: 0.8 }))).id;
    aIds.numbers = (await created(apiA.post('/numbers', { number: A_NUMBER }))).number;
    bIds.numbers = B_NUMBER;
    // Imports: A's has run (its one row rejected, so it has an error file and adds no contact); B's waits in the queue.
    const uploadAs = async (key: string, csv: string) => {
      const res = await app.inject({ method: 'POST', url: '/imports?fileName=list.csv', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' }, payload: csv });
      assert.equal(res.statusCode, 202, res.body);
      return res.json().id as string;
    };
    aIds.imports = await uploadAs(a.key, 'Name,Phone\n,not a phone\n');
    const aImport = await claimNextImport(ctx);
    assert.equal(aImport?.id, aIds.imports);
    assert.equal((await runImportJob(ctx, aImport!)).status, 'done');
    bIds.imports = await uploadAs(b.key, 'Name,Phone\nBravo Secret Uploaded,512-555-0111\n');
    bSecrets.push(bIds.imports);

    const login = await client(app, null).post('/auth/login', { email: a.ownerEmail, password: a.password });
    assert.equal(login.statusCode, 200, login.body);
    const session = login.cookies.find((c) => c.name === 'kinetic_session')!.value;
    principalsOfA = [
      { label: "A's API key", headers: { authorization: `Bearer ${a.key}` }, cookies: {} },
      { label: "A's owner session", headers: {}, cookies: { kinetic_session: session } },
    ];

    // B's texting number and Messaging Service, registered before B is photographed.
    const bNumber = await client(app, b.key).post('/numbers', { number: B_NUMBER });
    assert.equal(bNumber.statusCode, 201, bNumber.body);
    const bService = await client(app, b.key).patch('/business/channels', { messagingServiceSid: B_SERVICE });
    assert.equal(bService.statusCode, 200, bService.body);

    bSnapshotBefore = await snapshotOfB();
  });
  after(async () => app?.close());

  /** B's id for each path param of a route: `:id` by the route's first segment, `:companyId` a company; exceptions by their pending approval. */
  function paramsFor(url: string, ids: Record<string, string>): Params {
    const segment = url.split('/')[1];
    const params: Params = {};
    for (const [, name] of url.matchAll(/:(\w+)/g)) {
      const id = segment === 'exceptions' ? (name === 'kind' ? 'approval' : ids.approvals) : name === 'id' ? ids[segment] : name === 'companyId' ? ids.companies : name === 'number' ? ids.numbers : undefined;
      assert.ok(id, `no id of business B known for :${name} in ${url}; add one to the setup of this test`);
      params[name] = id;
    }
    return params;
  }

  test("every route with an id answers 404 to business A for business B's rows, and works on A's own", async () => {
    const withIds = routes.filter((r) => hasParams(r.url) && !publicOrSelf(r.url));
    assert.ok(withIds.some((r) => r.method === 'DELETE' && r.url === '/contacts/:id'), 'route enumeration found the contact routes');
    for (const who of principalsOfA) {
      for (const { method, url } of withIds) {
        const key = `${method} ${url}`;
        const body = method === 'PATCH' || method === 'PUT' || method === 'POST' ? validBodies[key] : undefined;
        if (method !== 'GET' && method !== 'HEAD' && method !== 'DELETE') assert.ok(body !== undefined, `add a valid body for ${key} to validBodies`);
        const onB = paramsFor(url, bIds);
        const res = await asA(who, method, url, onB, body);
        assertNotFound(res, `${who.label}: ${key} on B's row`);
        assertNoSecretsOfB(res, `${who.label}: ${key}`);
        // A route with two ids: one of A's and one of B's is still B's business.
        if (url.includes(':companyId')) {
          for (const mixed of [{ ...onB, id: aIds.contacts }, { ...onB, companyId: aIds.companies }]) {
            assertNotFound(await asA(who, method, url, mixed, body), `${who.label}: ${key} mixing A and B ids`);
          }
        }
        // The same request on A's own row succeeds, so the 404 above is the tenant check, not bad input.
        if (method !== 'DELETE') {
          const own = await asA(who, method, url, paramsFor(url, aIds), body);
          const ok = (own.statusCode >= 200 && own.statusCode < 300) || (stateful.has(key) && own.statusCode === 409);
          assert.ok(ok, `${who.label}: ${key} on A's own row → ${own.statusCode} ${own.body}`);
        }
      }
    }
  });

  /** Filters that point at B's rows, per list route; every list route must be listed here. */
  const listQueries = (): Record<string, string[]> => ({
    '/contacts': [
      '',
      `ownerUserId=${bIds.users}`,
      `companyId=${bIds.companies}`,
      'q=Bravo',
      'phone=512-555-0142',
      'email=shared@example.com',
      'tag=bravo-secret-tag',
      'lifecycleStage=lead,customer',
    ],
    '/contacts/duplicates': [''],
    '/exports': ['', 'entity=contacts', 'entity=contacts&format=json', 'entity=contact_tags', 'entity=companies&format=json', 'entity=jobs', 'entity=deals&format=json', 'entity=audit_log&format=json'],
    '/companies': ['', `contactId=${bIds.contacts}`, 'q=Bravo', 'domain=bravo-secret.example'],
    '/interactions': ['', `contactId=${bIds.contacts}`, `userId=${bIds.users}`, 'q=bravo', 'kind=call'],
    '/jobs': ['', `contactId=${bIds.contacts}`, `technicianUserId=${bIds.users}`, 'serviceType=bravo_secret_service'],
    '/deals': ['', `contactId=${bIds.contacts}`, `companyId=${bIds.companies}`, `ownerUserId=${bIds.users}`, 'q=Bravo'],
    '/tasks': ['', `contactId=${bIds.contacts}`, `dealId=${bIds.deals}`, `assigneeUserId=${bIds.users}`],
    '/reviews': ['', `contactId=${bIds.contacts}`, `jobId=${bIds.jobs}`, 'status=received'],
    '/users': ['', 'role=technician', 'role=owner'],
    '/api-keys': [''],
    '/events': ['', 'limit=1000', `contactId=${bIds.contacts}`, 'type=review.received'],
    '/audit': ['', 'limit=1000', `entityId=${bIds.contacts}`, `entityId=${bIds['api-keys']}`, 'entityType=user'],
    '/business': [''],
    '/numbers': [''],
    '/business/channels': [''],
    '/setup': [''],
    '/pipeline/totals': ['closedAfter=2000-01-01T00:00:00Z'],
    '/imports': ['', 'status=queued', 'limit=500'],
    '/summary': [''],
    '/me': [''],
    '/events/catalog': [''],
    '/automations': ['', 'status=enabled'],
    '/playbooks': [''],
    '/enrollments': ['', `contactId=${bIds.contacts}`, `automationId=${bIds.automations}`, 'status=waiting'],
    '/approvals': ['', 'status=pending'],
    '/outbox': ['', `contactId=${bIds.contacts}`, 'channel=sms'],
    // The catch-up form of the live stream (follow=false ends the response); the live form is tested in test/api/event-stream.test.ts.
    '/events/stream': ['follow=false', 'follow=false&afterSeq=0'],
    '/integrations': [''],
    '/webhook-subscriptions': [''],
    '/webhook-subscriptions/signing-secret': [''],
    '/queue': ['', `userId=${bIds.users}`, `userId=${aOwnerId}`, 'limit=5'],
    '/relationships/intro': [`companyId=${bIds.companies}`, `companyId=${aIds.companies}`],
    '/models': [''],
    '/availability': ['serviceType=ac_repair', 'serviceType=ac_repair&from=2026-03-05T00:00:00Z&to=2026-03-06T00:00:00Z'],
    '/booking/settings': [''],
    '/drafts': ['', 'status=pending', `contactId=${bIds.contacts}`],
    '/classifications': ['', 'status=review', 'status=auto'],
    '/insights/metrics': ['', 'from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z'],
    '/insights/series': ['metric=answerRate&bucket=week', 'metric=automationRevenue&bucket=month&from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z'],
    '/insights/leak': ['', 'fromData=true'],
    '/insights/funnel': ['', `automationId=${bIds.automations}`],
    '/exceptions': ['', 'kind=approval', 'kind=reply_waiting', 'kind=draft_review', 'includeDismissed=true'],
    '/alert-rules': [''],
  });

  test("lists and singletons show business A none of B's rows, even when filtered by B's ids", async () => {
    const lists = routes.filter((r) => (r.method === 'GET' || r.method === 'HEAD') && !hasParams(r.url) && !publicOrSelf(r.url));
    const queries = listQueries();
    for (const who of principalsOfA) {
      for (const { method, url } of lists) {
        assert.ok(queries[url], `add the filters of GET ${url} to listQueries`);
        for (const query of queries[url]) {
          const res = await asA(who, method, url, {}, undefined, query);
          assert.equal(res.statusCode, 200, `${who.label}: ${method} ${url}?${query} → ${res.body}`);
          assertNoSecretsOfB(res, `${who.label}: ${method} ${url}?${query}`);
        }
      }
      // Positive checks: A sees its own rows where it shares a phone and email with B.
      const byPhone = (await asA(who, 'GET', '/contacts', {}, undefined, 'phone=512-555-0142')).json();
      assert.deepEqual(new Set(byPhone.data.map((c: { id: string }) => c.id)), new Set([aIds.contacts, aIds.contacts2]));
      const dupes = (await asA(who, 'GET', '/contacts/duplicates')).json();
      assert.deepEqual(dupes.data.map((g: { contactIds: string[] }) => new Set(g.contactIds)), [new Set([aIds.contacts, aIds.contacts2])]);
      const summary = (await asA(who, 'GET', '/summary')).json();
      assert.equal(Object.values(summary.contactsByStage as Record<string, number>).reduce((s, n) => s + n, 0), 2, 'summary counts only A contacts');
      assert.equal(summary.reviews.received, 0, "B's received review is not in A's summary");
      assert.equal((await asA(who, 'GET', '/business')).json().id, a.scope.businessId);
      assert.equal((await asA(who, 'GET', '/me')).json().business.id, a.scope.businessId);
    }
  });

  test("creating or changing A's rows so they point at B's rows is refused and writes nothing", async () => {
    const who = principalsOfA[0];
    const snapshotOfA = async () => {
      const out: Record<string, unknown> = {};
      for (const url of ['/contacts', '/companies', '/interactions', '/jobs', '/deals', '/tasks', '/reviews', '/users', '/business', `/contacts/${aIds.contacts}/companies`, '/audit?limit=1000']) {
        out[url] = (await client(app, a.key).get(url)).json();
      }
      return out;
    };
    const before = await snapshotOfA();
    const A = aIds;
    const B = bIds;
    const cases: Array<[Method, string, Params, unknown]> = [
      ['POST', '/contacts', {}, { name: 'Alpha New', ownerUserId: B.users }],
      ['POST', '/contacts', {}, { name: 'Alpha New', companyId: B.companies }],
      ['PATCH', '/contacts/:id', { id: A.contacts }, { ownerUserId: B.users }],
      ['PUT', '/contacts/:id/companies/:companyId', { id: A.contacts, companyId: B.companies }, {}],
      ['PUT', '/contacts/:id/companies/:companyId', { id: B.contacts, companyId: A.companies }, {}],
      ['POST', '/contacts/merge', {}, { survivorId: A.contacts, mergeIds: [B.contacts] }],
      ['POST', '/contacts/merge', {}, { survivorId: B.contacts, mergeIds: [A.contacts] }],
      ['POST', '/contacts/merge', {}, { survivorId: A.contacts, mergeIds: [A.contacts2, B.contacts] }],
      ['POST', '/contacts/merge', {}, { survivorId: B.contacts, mergeIds: [B.contacts2] }],
      ['POST', '/interactions', {}, { contactId: B.contacts, kind: 'note', body: 'x' }],
      ['POST', '/interactions', {}, { contactId: A.contacts, kind: 'note', userId: B.users }],
      ['PATCH', '/interactions/:id', { id: A.interactions }, { userId: B.users }],
      ['POST', '/jobs', {}, { serviceType: 'ac_repair', technicianUserId: B.users }],
      ['POST', '/jobs', {}, { serviceType: 'ac_repair', contactId: B.contacts }],
      ['POST', '/jobs', {}, { serviceType: 'ac_repair', companyId: B.companies }],
      ['PATCH', '/jobs/:id', { id: A.jobs }, { technicianUserId: B.users }],
      ['PATCH', '/jobs/:id', { id: A.jobs }, { contactId: B.contacts }],
      ['PATCH', '/jobs/:id', { id: A.jobs }, { companyId: B.companies }],
      ['POST', '/deals', {}, { title: 'x', contactId: B.contacts }],
      ['POST', '/deals', {}, { title: 'x', companyId: B.companies }],
      ['POST', '/deals', {}, { title: 'x', ownerUserId: B.users }],
      ['PATCH', '/deals/:id', { id: A.deals }, { contactId: B.contacts }],
      ['PATCH', '/deals/:id', { id: A.deals }, { companyId: B.companies }],
      ['PATCH', '/deals/:id', { id: A.deals }, { ownerUserId: B.users }],
      ['POST', '/tasks', {}, { title: 'x', contactId: B.contacts }],
      ['POST', '/tasks', {}, { title: 'x', dealId: B.deals }],
      ['POST', '/tasks', {}, { title: 'x', jobId: B.jobs }],
      ['POST', '/tasks', {}, { title: 'x', assigneeUserId: B.users }],
      ['PATCH', '/tasks/:id', { id: A.tasks }, { contactId: B.contacts }],
      ['PATCH', '/tasks/:id', { id: A.tasks }, { dealId: B.deals }],
      ['PATCH', '/tasks/:id', { id: A.tasks }, { jobId: B.jobs }],
      ['PATCH', '/tasks/:id', { id: A.tasks }, { assigneeUserId: B.users }],
      ['POST', '/reviews', {}, { contactId: B.contacts }],
      ['POST', '/reviews', {}, { jobId: B.jobs }],
      ['PATCH', '/reviews/:id', { id: A.reviews }, { contactId: B.contacts }],
      ['PATCH', '/reviews/:id', { id: A.reviews }, { jobId: B.jobs }],
    ];
    for (const [method, url, params, body] of cases) {
      const res = await asA(who, method, url, params, body);
      const label = `${method} ${fill(url, params)} ${JSON.stringify(body)}`;
      assert.ok(res.statusCode === 400 || res.statusCode === 404, `${label} → ${res.statusCode} ${res.body}`);
      assert.ok(['VALIDATION_FAILED', 'NOT_FOUND'].includes(res.json().error.code), label);
      assertNoSecretsOfB(res, label);
    }
    assert.deepEqual(await snapshotOfA(), before, 'refused requests wrote nothing in business A');
  });

  test("business A's on-call rotation cannot name business B's users", async () => {
    const who = principalsOfA[0];
    const before = (await client(app, a.key).get('/business')).json();
    for (const onCall of [{ rotation: [bIds.users] }, { rotation: [aOwnerId], overrides: [{ userId: bIds.users, start: '2026-03-02T00:00:00Z', end: '2026-03-03T00:00:00Z' }] }]) {
      const res = await asA(who, 'PATCH', '/business', {}, { onCall });
      assert.equal(res.statusCode, 400, `PATCH /business ${JSON.stringify({ onCall })} → ${res.statusCode} ${res.body.slice(0, 300)}`);
      assert.equal(res.json().error.code, 'VALIDATION_FAILED');
    }
    assert.deepEqual((await client(app, a.key).get('/business')).json(), before);
  });

  test('what business A creates or changes stays in business A', async () => {
    const who = principalsOfA[1];
    const apiB = client(app, b.key);
    const made: Array<[string, string]> = [];
    const create = async (url: string, body: unknown) => {
      const res = await asA(who, 'POST', url, {}, body);
      assert.equal(res.statusCode, 201, `POST ${url} → ${res.body}`);
      return res.json();
    };
    const contact = await create('/contacts', { name: 'Alpha Later', email: 'alpha.later@example.com' });
    made.push(['/contacts', contact.id]);
    made.push(['/companies', (await create('/companies', { name: 'Alpha Later Co' })).id]);
    made.push(['/interactions', (await create('/interactions', { contactId: contact.id, kind: 'sms', direction: 'outbound', body: 'hi' })).id]);
    made.push(['/jobs', (await create('/jobs', { contactId: contact.id, serviceType: 'tune_up' })).id]);
    made.push(['/deals', (await create('/deals', { contactId: contact.id, title: 'Alpha Later Deal' })).id]);
    made.push(['/tasks', (await create('/tasks', { contactId: contact.id, title: 'Call back' })).id]);
    made.push(['/reviews', (await create('/reviews', { contactId: contact.id })).id]);
    made.push(['/users', (await create('/users', { email: 'alpha.agent@example.com', name: 'Alpha Agent' })).id]);
    const newKey = await create('/api-keys', { name: 'Alpha Zapier' });
    made.push(['/automations', (await create('/automations', { definition: automationDoc('Alpha Later Flow') })).id]);
    made.push(['/webhook-subscriptions', (await create('/webhook-subscriptions', { url: 'https://93.184.216.34/alpha-later', eventTypes: ['deal.won'] })).id]);
    made.push(['/classifications', (await create('/classify', { text: 'no heat and a newborn at home', contactId: contact.id })).id]);
    made.push(['/alert-rules', (await create('/alert-rules', { metric: 'noShowRate', comparator: 'above', threshold: 0.1 })).id]);
    const retrained = await asA(who, 'POST', '/models/retrain', {}, {});
    assert.equal(retrained.statusCode, 200, retrained.body);
    assertNoSecretsOfB(retrained, 'POST /models/retrain');
    const validated = await asA(who, 'POST', '/automations/validate', {}, automationDoc('Alpha Check'));
    assert.equal(validated.statusCode, 200, validated.body);
    await asA(who, 'POST', '/contacts/merge', {}, { survivorId: aIds.contacts, mergeIds: [aIds.contacts2] }).then((r) => assert.equal(r.statusCode, 200, r.body));
    const changed = await asA(who, 'PATCH', '/business', {}, { name: 'Alpha Heating & Air' });
    assert.equal(changed.statusCode, 200, changed.body);
    const settings = await asA(who, 'PUT', '/booking/settings', {}, { bufferMinutes: 15 });
    assert.equal(settings.statusCode, 200, settings.body);
    assert.equal((await apiB.get('/booking/settings')).json().bufferMinutes, 30, "A's booking settings are A's alone");

    for (const [url, id] of made) assertNotFound(await apiB.get(`${url}/${id}`), `B reading A's ${url}/${id}`);
    assert.equal((await apiB.delete(`/api-keys/${newKey.id}`)).statusCode, 404, "B cannot revoke A's new key");
    const seenByNewKey = await client(app, newKey.key).get('/contacts');
    assert.equal(seenByNewKey.statusCode, 200);
    assertNoSecretsOfB(seenByNewKey, "A's new key listing contacts");
    // An email in use in another business is refused without revealing anything of that business.
    const clash = await asA(who, 'POST', '/users', {}, { email: 'bravo.tech@example.com', name: 'Copycat' });
    assert.equal(clash.statusCode, 409, clash.body);
    assertNoSecretsOfB(clash, 'POST /users with an email used in business B');
  });

  test("an email posted with A's key lands in A, even from the address of B's contact", async () => {
    exercised.add('POST /inbound/email');
    const raw = ['From: Shared Person <shared@example.com>', 'To: office@alpha.example', 'Subject: Re: your visit', 'Message-ID: <tenant-test-1@example.com>', 'Content-Type: text/plain; charset=utf-8', '', 'Thanks, see you Tuesday.', ''].join('\r\n');
    const res = await app.inject({ method: 'POST', url: '/inbound/email', headers: { authorization: `Bearer ${a.key}`, 'content-type': 'message/rfc822' }, payload: raw });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().contactId, aIds.contacts, "matched A's contact with that email, not B's");
    assertNoSecretsOfB(res, 'POST /inbound/email');
    const wrongType = await app.inject({ method: 'POST', url: '/inbound/email', headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(wrongType.statusCode, 400);
  });

  test("a CSV imported by A matches only A's contacts, even on B's phone and email", async () => {
    const who = principalsOfA[1];
    const csv = 'Name,Phone,Email\nShared Person,512-555-0142,shared@example.com\nAlpha Imported,512-555-0177,\n';
    const preview = await asA(who, 'POST', '/imports/contacts', {}, { csv, dryRun: true });
    assert.equal(preview.statusCode, 200, preview.body);
    assert.deepEqual([preview.json().merged, preview.json().created], [1, 1], preview.body);
    assertNoSecretsOfB(preview, 'POST /imports/contacts (preview)');
    exercised.add('POST /imports');
    const streamed = await app.inject({ method: 'POST', url: '/imports?dryRun=true', headers: { ...who.headers, 'content-type': 'text/csv' }, cookies: who.cookies, payload: csv });
    assert.equal(streamed.statusCode, 200, streamed.body);
    assert.deepEqual([streamed.json().merged, streamed.json().created], [1, 1], streamed.body);
    assertNoSecretsOfB(streamed, 'POST /imports (preview)');
    const imported = await asA(who, 'POST', '/imports/contacts', {}, { csv });
    assert.equal(imported.statusCode, 200, imported.body);
    assertNoSecretsOfB(imported, 'POST /imports/contacts');
    const b2 = (await client(app, b.key).get(`/contacts/${bIds.contacts}`)).json();
    assert.equal(b2.name, 'Bravo Secret Customer', "A's import did not touch B's contact with the same phone");
    // A test send cannot be aimed at anyone outside A's team: not B's customer, not B's people.
    const atCustomer = await asA(who, 'POST', '/integrations/test-send', {}, { channel: 'sms', to: '512-555-0142' });
    assert.equal(atCustomer.statusCode, 400, atCustomer.body);
    const atB = await asA(who, 'POST', '/integrations/test-send', {}, { channel: 'email', to: b.ownerEmail });
    assert.equal(atB.statusCode, 400, atB.body);
    assertNoSecretsOfB(atB, 'POST /integrations/test-send to B');
    const testSend = await asA(who, 'POST', '/integrations/test-send', {}, { channel: 'email', to: a.ownerEmail });
    assert.equal(testSend.statusCode, 201, testSend.body);
    const inA = (await client(app, a.key).get('/outbox?limit=100')).json().data as Array<{ id: string }>;
    const inB = (await client(app, b.key).get('/outbox?limit=100')).json().data as Array<{ id: string }>;
    assert.ok(inA.some((m) => m.id === testSend.json().id) && !inB.some((m) => m.id === testSend.json().id), "A's test message is in A's outbox only");
  });

  test("A cannot see, claim, remove or borrow B's number or Messaging Service", async () => {
    const who = principalsOfA[0];
    const claim = await asA(who, 'POST', '/numbers', {}, { number: '(737) 555-0888' });
    assert.equal(claim.statusCode, 409, claim.body);
    assertNoSecretsOfB(claim, 'POST /numbers with B\'s number');
    const viaProfile = await asA(who, 'PATCH', '/business', {}, { settings: { phoneNumbers: [B_NUMBER] } });
    assert.equal(viaProfile.statusCode, 409, viaProfile.body);
    const service = await asA(who, 'PATCH', '/business/channels', {}, { messagingServiceSid: B_SERVICE });
    assert.equal(service.statusCode, 409, service.body);
    assertNoSecretsOfB(service, "PATCH /business/channels with B's Messaging Service");
    const removal = await asA(who, 'DELETE', '/numbers/:number', { number: B_NUMBER });
    assert.equal(removal.statusCode, 404, removal.body);
    for (const url of ['/numbers', '/business/channels']) {
      const res = await asA(who, 'GET', url);
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(!res.body.includes(B_NUMBER) && !res.body.includes(B_SERVICE), `${url} shows nothing of B's`);
      assertNoSecretsOfB(res, `GET ${url}`);
    }
    const verify = await asA(who, 'POST', '/numbers/verify');
    assert.equal(verify.statusCode, 200, verify.body);
    assert.ok(!verify.body.includes(B_NUMBER));
    // The dev-outbox simulator takes texts only at A's own numbers.
    const atB = await asA(who, 'POST', '/dev/inbound/sms', {}, { from: '+15125550990', to: B_NUMBER, body: 'hello B?' });
    assert.equal(atB.statusCode, 400, atB.body);
    assertNoSecretsOfB(atB, "POST /dev/inbound/sms to B's number");
    const atA = await asA(who, 'POST', '/dev/inbound/sms', {}, { from: '+15125550990', body: 'hello A' });
    assert.equal(atA.statusCode, 201, atA.body);
    assert.equal((await asA(who, 'GET', '/contacts/:id', { id: atA.json().contactId })).statusCode, 200, "the text made a contact in A");
    // A's own number works the same way.
    const own = await asA(who, 'POST', '/numbers', {}, { number: '+17375550777' });
    assert.equal(own.statusCode, 201, own.body);
    assert.equal((await asA(who, 'DELETE', '/numbers/:number', { number: '+17375550777' })).statusCode, 200);
  });

  test("business B is unchanged and its audit log shows nothing done by A", async () => {
    const after = await snapshotOfB();
    assert.deepEqual(after, bSnapshotBefore);
    const audit = after['/audit?limit=1000'] as { data: Array<{ actor: { type: string; id: string | null } }> };
    assert.ok(audit.data.length > 0);
    for (const entry of audit.data) {
      assert.notEqual(entry.actor.id, aKeyId, 'an audit entry of B names A’s API key');
      assert.notEqual(entry.actor.id, aOwnerId, 'an audit entry of B names A’s owner');
    }
    // B's key still works: A's DELETE /api-keys/<B's key> changed nothing.
    assert.equal((await client(app, b.key).get('/me')).json().business.id, b.scope.businessId);
  });

  test('every registered route was exercised above or is explicitly public', () => {
    const missing = routes.filter((r) => !publicOrSelf(r.url) && !exercised.has(`${r.method} ${r.url}`)).map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(missing, [], `routes not covered by the tenant-isolation test: ${missing.join(', ')}`);
    assert.ok(routes.length > 40, `route enumeration looks incomplete (${routes.length} routes)`);
  });
  test("a visitor's chat token of business B reads and writes nothing through business A's widget, and A cannot answer B's chat", async () => {
    const slugOf = async (key: string) => (await client(app, key).get('/business')).json().slug as string;
    const [slugA, slugB] = [await slugOf(a.key), await slugOf(b.key)];
    const visitor = { remoteAddress: '198.51.100.77', headers: { 'content-type': 'application/json' } };
    const config = await app.inject({ method: 'GET', url: `/widget/config?business=${slugB}`, remoteAddress: visitor.remoteAddress });
    assert.equal(config.statusCode, 200, config.body);
    world().clock.advance(10_000);
    const started = await app.inject({ method: 'POST', url: `/widget/chat?business=${slugB}`, ...visitor, payload: JSON.stringify({ name: 'Bravo Chat Visitor', phone: '512-555-0166', message: 'bravo secret chat: is the plumber coming?', formToken: config.json().formToken }) });
    assert.equal(started.statusCode, 201, started.body);
    const tokenB = started.json().token as string;
    const withToken = { ...visitor, headers: { ...visitor.headers, 'x-chat-token': tokenB } };
    assert.equal((await app.inject({ method: 'GET', url: `/widget/chat/messages?business=${slugB}`, ...withToken })).statusCode, 200);
    const read = await app.inject({ method: 'GET', url: `/widget/chat/messages?business=${slugA}`, ...withToken });
    assertNotFound(read, "B's chat token through A's widget");
    assert.doesNotMatch(read.body, /bravo/i);
    const wrote = await app.inject({ method: 'POST', url: `/widget/chat/messages?business=${slugA}`, ...withToken, payload: JSON.stringify({ body: 'sneaking in' }) });
    assertNotFound(wrote, "writing with B's chat token through A's widget");
    // B's form token is no form token for A's widget either.
    const form = await app.inject({ method: 'POST', url: `/widget/leads?business=${slugA}`, ...visitor, payload: JSON.stringify({ name: 'X', phone: '512-555-0167', formToken: config.json().formToken }) });
    assert.equal(form.statusCode, 400, form.body);
    // The chat's contact is B's: A's key can neither answer it nor see it.
    const bChatContact = ((await client(app, b.key).get('/contacts?phone=512-555-0166')).json().data as Array<{ id: string }>)[0].id;
    for (const who of principalsOfA) {
      assertNotFound(await asA(who, 'POST', '/contacts/:id/chat-replies', { id: bChatContact }, { body: 'hijacked chat' }), `${who.label}: answering B's chat`);
      const listed = await asA(who, 'GET', '/interactions', {}, undefined, `contactId=${bChatContact}&kind=chat`);
      assert.deepEqual(listed.json().data, []);
    }
    const stillThere = await app.inject({ method: 'GET', url: `/widget/chat/messages?business=${slugB}`, ...withToken });
    assert.deepEqual(stillThere.json().messages.map((m: { body: string }) => m.body), ['bravo secret chat: is the plumber coming?']);
  });
});
