import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { AppContext, Scope } from '../../src/context.ts';
import { createContact, updateContact } from '../../src/crm/contacts/contacts.ts';
import { createAutomation } from '../../src/engine/automations.ts';
import { evaluate, readField } from '../../src/engine/conditions.ts';
import { scoreFieldProblem, type Condition } from '../../src/engine/definition.ts';
import { enroll } from '../../src/engine/enroll.ts';
import { signalEvidence, signalFieldsIn, signalsFrom, type Facts, type Signals } from '../../src/engine/facts.ts';
import { runDueEnrollments } from '../../src/engine/runner.ts';
import { runSegmentTriggers } from '../../src/engine/segments.ts';
import { contactScores, loadScorers, retrainDueModels, scoreIndexed, type ContactScore } from '../../src/intelligence/models/builtin.ts';
import { indexHistory } from '../../src/intelligence/models/builtin-features.ts';
import { loadHistory } from '../../src/intelligence/models/builtin-history.ts';
import { contactSignalsComputed } from '../../src/intelligence/models/contact-signals.ts';
import { client, makeApi, makeTenant } from '../helpers/api.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';
import { forEachDemoDialect } from '../helpers/demo-snapshot.ts';

const cond = (field: string, op: string, value?: unknown) => ({ field, op, value }) as Condition;

describe('score fields: which names a condition may use (table)', () => {
  const cases: Array<[string, boolean]> = [
    ['contact.scores.leadConversion', true],
    ['contact.scores.churn', true],
    ['contact.scores.dealStall', true],
    ['contact.scores.prior', true],
    ['contact.relationship.strength', true],
    ['contact.relationship.cooling', true],
    ['contact.tags', true],
    ['contact.customFields.leadScore', true],
    ['event.score', true],
    ['vars.scores.churn', true],
    ['contact.scores.leadScore', false],
    ['contact.scores.churn.value', false],
    ['contact.scores', false],
    ['contact.Scores.churn', false],
    ['contact.score', false],
    ['contact.leadScore', false],
    ['contact.relationship', false],
    ['contact.relationships.strength', false],
  ];
  for (const [field, ok] of cases) {
    test(`${field} → ${ok ? 'accepted' : 'rejected'}`, () => {
      const problem = scoreFieldProblem(field);
      if (ok) assert.equal(problem, null);
      else assert.match(String(problem), new RegExp(`^${field.replace(/\./g, '\\.')} is not a score field; use one of contact\\.scores\\.leadConversion, .*contact\\.relationship\\.cooling$`));
    });
  }
});

describe('signalFieldsIn: the score fields a condition reads (table)', () => {
  const cases: Array<[string, Array<Condition | undefined>, string[]]> = [
    ['none', [cond('contact.tags', 'contains', 'vip')], []],
    ['undefined filter', [undefined], []],
    ['one', [cond('contact.scores.churn', 'gte', 0.6)], ['contact.scores.churn']],
    ['nested and deduplicated', [{ all: [cond('contact.scores.churn', 'gte', 0.6), { not: { any: [cond('contact.scores.prior', 'contains', 'churn'), cond('contact.scores.churn', 'lt', 0.9)] } }] }], ['contact.scores.churn', 'contact.scores.prior']],
    ['across conditions', [cond('contact.relationship.strength', 'gt', 50), cond('contact.scores.leadConversion', 'exists')], ['contact.relationship.strength', 'contact.scores.leadConversion']],
  ];
  for (const [name, conds, expected] of cases) test(name, () => assert.deepEqual(signalFieldsIn(...conds), expected));
});

describe('signalsFrom: what conditions see from the models (table)', () => {
  const score = (model: ContactScore['model'], probability: number, extra: Partial<ContactScore> = {}): ContactScore => ({ model, probability, reasons: [], explanation: '', prior: false, version: 3, ...extra });
  const cases: Array<[string, Parameters<typeof signalsFrom>, Signals]> = [
    [
      'a customer: churn applies, lead and deal do not',
      [{ scores: [score('churn', 0.81)], relationship: null }],
      {
        'contact.scores.leadConversion': { value: null, model: 'lead_conversion' },
        'contact.scores.churn': { value: 0.81, model: 'churn', version: 3, prior: false },
        'contact.scores.dealStall': { value: null, model: 'deal_stall' },
        'contact.scores.prior': { value: [] },
      },
    ],
    [
      'prior models are listed; the enrolment deal wins over a riskier one',
      [{ scores: [score('lead_conversion', 0.35, { prior: true, version: 0 }), score('deal_stall', 0.9, { dealId: 'd1', prior: true, version: 1 }), score('deal_stall', 0.4, { dealId: 'd2', prior: true, version: 1 })], relationship: null }, 'd2'],
      {
        'contact.scores.leadConversion': { value: 0.35, model: 'lead_conversion', version: 0, prior: true },
        'contact.scores.churn': { value: null, model: 'churn' },
        'contact.scores.dealStall': { value: 0.4, model: 'deal_stall', version: 1, prior: true },
        'contact.scores.prior': { value: ['leadConversion', 'dealStall'] },
      },
    ],
    [
      'without an enrolment deal: the riskiest open deal',
      [{ scores: [score('deal_stall', 0.4, { dealId: 'd1' }), score('deal_stall', 0.7, { dealId: 'd2' })], relationship: null }, 'other'],
      {
        'contact.scores.leadConversion': { value: null, model: 'lead_conversion' },
        'contact.scores.churn': { value: null, model: 'churn' },
        'contact.scores.dealStall': { value: 0.7, model: 'deal_stall', version: 3, prior: false },
        'contact.scores.prior': { value: [] },
      },
    ],
    ['relationship only', [{ scores: null, relationship: { strength: 64, cooling: true } }], { 'contact.relationship.strength': { value: 64 }, 'contact.relationship.cooling': { value: true } }],
  ];
  for (const [name, args, expected] of cases) test(name, () => assert.deepEqual(signalsFrom(...args), expected));
});

describe('conditions on score fields (table)', () => {
  const facts = {
    contact: { id: 'c1', tags: ['vip'] },
    signals: signalsFrom({ scores: [{ model: 'lead_conversion', probability: 0.35, reasons: [], explanation: '', prior: true, version: 0 }], relationship: { strength: 12, cooling: false } }),
  } as unknown as Facts;
  const cases: Array<[Condition, boolean]> = [
    [cond('contact.scores.leadConversion', 'gte', 0.3), true],
    [cond('contact.scores.leadConversion', 'gte', 0.5), false],
    [cond('contact.scores.leadConversion', 'lt', '0.5'), true],
    [cond('contact.scores.prior', 'contains', 'leadConversion'), true],
    [cond('contact.scores.prior', 'contains', 'churn'), false],
    // A model that does not apply reads as blank: no comparison holds, so a "not" of one does.
    [cond('contact.scores.churn', 'exists'), false],
    [cond('contact.scores.churn', 'not_exists'), true],
    [cond('contact.scores.churn', 'gte', 0), false],
    [cond('contact.scores.churn', 'lt', 1), false],
    [{ not: cond('contact.scores.churn', 'gte', 0.6) }, true],
    [cond('contact.relationship.strength', 'lt', 30), true],
    [cond('contact.relationship.cooling', 'eq', false), true],
    [{ all: [cond('contact.tags', 'contains', 'vip'), cond('contact.relationship.strength', 'gt', 10)] }, true],
  ];
  for (const [c, expected] of cases) test(`${JSON.stringify(c)} → ${expected}`, () => assert.equal(evaluate(c, facts), expected));

  test('the log records each score field a branch read, with its model version', () => {
    assert.deepEqual(signalEvidence({ any: [cond('contact.scores.leadConversion', 'gte', 0.5), cond('contact.tags', 'contains', 'vip')] }, facts), {
      scores: [{ field: 'contact.scores.leadConversion', value: 0.35, model: 'lead_conversion', version: 0, prior: true }],
    });
    assert.deepEqual(signalEvidence(cond('contact.tags', 'contains', 'vip'), facts), {});
  });

  test('a score field the loader was not asked for is an error, not a blank', () => {
    assert.throws(() => readField({ contact: {} }, 'contact.scores.churn'), /contact\.scores\.churn was not computed/);
    assert.throws(() => evaluate({ not: cond('contact.scores.churn', 'gte', 0.6) }, { contact: {} }), /was not computed/);
  });
});

const winBack = (threshold: number) => ({
  name: 'Win-back offer',
  trigger: { type: 'manual' },
  steps: [
    {
      type: 'branch',
      id: 'likely_to_churn',
      if: { all: [{ field: 'contact.scores.churn', op: 'gte', value: threshold }, { not: { field: 'contact.scores.prior', op: 'contains', value: 'churn' } }] },
      then: [{ type: 'update', addTags: ['win-back-offer'] }],
      else: [{ type: 'update', addTags: ['nurture'] }],
    },
  ],
});

const tagOnly = {
  name: 'VIP check',
  trigger: { type: 'manual' },
  steps: [{ type: 'branch', if: { field: 'contact.tags', op: 'contains', value: 'vip' }, then: [{ type: 'update', addTags: ['vip-seen'] }], else: [{ type: 'update', addTags: ['regular'] }] }],
};

async function enrollNow(ctx: AppContext, scope: Scope, automation: { id: string; version: number }, contactId: string): Promise<string> {
  const id = await ctx.db.transaction((trx) =>
    enroll(trx, { businessId: scope.businessId, automationId: automation.id, version: automation.version, contactId, occurrenceKey: `test:${contactId}`, triggerEventId: null, at: ctx.clock.now().toISOString(), reason: 'test' }),
  );
  assert.ok(id);
  return id;
}

async function tagsOf(ctx: AppContext, contactId: string): Promise<string[]> {
  return (await ctx.db.kysely.selectFrom('contact_tags').select('tag').where('contact_id', '=', contactId).orderBy('tag').execute()).map((r) => r.tag);
}

async function branchLog(ctx: AppContext, enrollmentId: string) {
  const rows = await ctx.db.kysely.selectFrom('enrollment_log').select(['outcome', 'detail']).where('enrollment_id', '=', enrollmentId).where('step_type', '=', 'branch').orderBy('seq').execute();
  return rows.map((r) => ({ outcome: r.outcome, detail: JSON.parse(r.detail) as { path: string; scores?: Array<Record<string, unknown>> } }));
}

forEachDemoDialect('automations branch on AI scores (trained models on the demo history)', (world) => {
  let scope: Scope;
  let high: ContactScore & { contactId: string };
  let low: ContactScore & { contactId: string };
  let threshold: number;

  before(async () => {
    const { ctx, db } = world();
    scope = { businessId: world().demo.businessId, actor: { type: 'system', id: null } };
    // Only this test's automations run: the demo's playbooks and their enrolments are switched off.
    await db.kysely.updateTable('automations').set({ status: 'disabled' }).where('business_id', '=', scope.businessId).execute();
    await db.kysely.updateTable('enrollments').set({ status: 'exited', exit_reason: 'manual', next_run_at: null }).where('business_id', '=', scope.businessId).where('status', 'in', ['active', 'waiting']).execute();
    await retrainDueModels(ctx, scope);
    const h = await loadHistory(ctx, scope);
    const ix = indexHistory(h);
    const scorers = await loadScorers(ctx, scope);
    const churn = h.contacts
      .filter((c) => !c.tags.length)
      .flatMap((c) => scoreIndexed(ix, scorers, c.id).filter((s) => s.model === 'churn').map((s) => ({ ...s, contactId: c.id })))
      .sort((a, b) => a.probability - b.probability);
    low = churn[0];
    high = churn[churn.length - 1];
    threshold = Number(((low.probability + high.probability) / 2).toFixed(3));
  });

  test('the churn model is trained, and the two customers score far apart', () => {
    assert.equal(high.prior, false);
    assert.ok(high.version >= 1);
    assert.ok(high.probability - low.probability > 0.3, `${low.probability} .. ${high.probability}`);
  });

  test('a high- and a low-scoring customer take different branches; the log says which score and model version decided', async () => {
    const { ctx } = world();
    const automation = await createAutomation(ctx, scope, { definition: winBack(threshold), enabled: true });
    const before = contactSignalsComputed();
    const enHigh = await enrollNow(ctx, scope, automation, high.contactId);
    const enLow = await enrollNow(ctx, scope, automation, low.contactId);
    await runDueEnrollments(ctx, 'w1');
    assert.equal(contactSignalsComputed() - before, 2, 'each contact scored once');
    assert.ok((await tagsOf(ctx, high.contactId)).includes('win-back-offer'));
    assert.ok(!(await tagsOf(ctx, high.contactId)).includes('nurture'));
    assert.ok((await tagsOf(ctx, low.contactId)).includes('nurture'));
    assert.ok(!(await tagsOf(ctx, low.contactId)).includes('win-back-offer'));

    // The same number and version the API shows for the contact.
    for (const [en, who, outcome] of [[enHigh, high, 'then'], [enLow, low, 'else']] as const) {
      const scores = (await contactScores(ctx, scope, who.contactId)).data;
      const api = scores.find((s) => s.model === 'churn')!;
      assert.equal(api.probability, who.probability);
      const priors = [...new Set(scores.filter((s) => s.prior).map((s) => ({ lead_conversion: 'leadConversion', churn: 'churn', deal_stall: 'dealStall' })[s.model]))];
      const [branch] = await branchLog(ctx, en);
      assert.equal(branch.outcome, outcome);
      assert.deepEqual(branch.detail, {
        path: 'steps.0',
        scores: [
          { field: 'contact.scores.churn', value: api.probability, model: 'churn', version: api.version, prior: false },
          { field: 'contact.scores.prior', value: priors },
        ],
      });
    }
  });

  test('an automation that reads no score never computes one', async () => {
    const { ctx } = world();
    const automation = await createAutomation(ctx, scope, { definition: tagOnly, enabled: true });
    const before = contactSignalsComputed();
    const en = await enrollNow(ctx, scope, automation, high.contactId);
    await runDueEnrollments(ctx, 'w1');
    assert.ok((await tagsOf(ctx, high.contactId)).includes('regular'), 'the automation did run');
    assert.equal(contactSignalsComputed(), before);
    const [branch] = await branchLog(ctx, en);
    assert.deepEqual(branch.detail, { path: 'steps.0' });
  });

  test('a trigger filter on a score enrols only the contact who passes it', async () => {
    const { ctx, db } = world();
    const automation = await createAutomation(ctx, scope, {
      definition: {
        name: 'Likely to churn: call them',
        trigger: { type: 'event', event: 'contact.updated', filter: { field: 'contact.scores.churn', op: 'gte', value: threshold } },
        steps: [{ type: 'create_task', title: 'Call {{ contact.name }}', kind: 'churn_risk', assignee: { rule: 'role', role: 'owner' } }],
      },
      enabled: true,
    });
    await updateContact(ctx, scope, high.contactId, { customFields: { checked: 'yes' } });
    await updateContact(ctx, scope, low.contactId, { customFields: { checked: 'yes' } });
    const enrolled = await db.kysely.selectFrom('enrollments').select(['id', 'contact_id']).where('automation_id', '=', automation.id).execute();
    assert.deepEqual(enrolled.map((e) => e.contact_id), [high.contactId]);
    const log = await db.kysely.selectFrom('enrollment_log').select('detail').where('enrollment_id', '=', enrolled[0].id).where('outcome', '=', 'enrolled').executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(log.detail).scores, [{ field: 'contact.scores.churn', value: high.probability, model: 'churn', version: high.version, prior: false }]);
  });

  test('a customer with no completed job has no churn score: comparisons fail, so the else-branch runs', async () => {
    const { ctx } = world();
    const automation = await createAutomation(ctx, scope, { definition: { ...winBack(0), name: 'Win-back for everyone' }, enabled: true });
    const fresh = await createContact(ctx, scope, { name: 'New Lead', phone: '+15125550199' });
    const en = await enrollNow(ctx, scope, automation, fresh.id);
    await runDueEnrollments(ctx, 'w1');
    assert.ok((await tagsOf(ctx, fresh.id)).includes('nurture'));
    const [branch] = await branchLog(ctx, en);
    assert.equal(branch.outcome, 'else');
    assert.deepEqual(branch.detail.scores?.[0], { field: 'contact.scores.churn', value: null, model: 'churn' });
  });
}, { seed: 1 });

forEachDialect('score conditions on a business too new to train on', (world) => {
  test('a lead is scored by the prior, as the API does, and the condition can tell', async () => {
    const { ctx } = world();
    const scope = await makeBusiness(ctx);
    const lead = await createContact(ctx, scope, { name: 'Fresh Lead', phone: '+15125550101', source: 'google_ads' });
    const automation = await createAutomation(ctx, scope, {
      definition: {
        name: 'Hot leads first',
        trigger: { type: 'manual' },
        steps: [
          {
            type: 'branch',
            if: { field: 'contact.scores.prior', op: 'contains', value: 'leadConversion' },
            then: [{ type: 'update', addTags: ['scored-by-prior'] }],
            else: [{ type: 'branch', if: { field: 'contact.scores.leadConversion', op: 'gte', value: 0.6 }, then: [{ type: 'update', addTags: ['hot'] }], else: [{ type: 'update', addTags: ['nurture'] }] }],
          },
        ],
      },
      enabled: true,
    });
    const en = await enrollNow(ctx, scope, automation, lead.id);
    await runDueEnrollments(ctx, 'w1');
    assert.deepEqual(await tagsOf(ctx, lead.id), ['scored-by-prior']);
    const api = (await contactScores(ctx, scope, lead.id)).data.find((s) => s.model === 'lead_conversion')!;
    assert.equal(api.prior, true);
    const [branch] = await branchLog(ctx, en);
    // Only the models that score this contact: a lead without an open deal has no deal stall score.
    assert.deepEqual(branch.detail.scores, [{ field: 'contact.scores.prior', value: ['leadConversion'] }]);
    assert.equal(api.version, 0);
  });

  test('a segment trigger filtered on a score enrols the likelier lead only, and logs the prior it used', async () => {
    const { ctx, db } = world();
    const scope = await makeBusiness(ctx);
    const referral = await createContact(ctx, scope, { name: 'Referred Lead', phone: '+15125550103', source: 'referral' });
    const ad = await createContact(ctx, scope, { name: 'Ad Lead', phone: '+15125550104', source: 'google_ads' });
    const p = async (id: string) => (await contactScores(ctx, scope, id)).data.find((s) => s.model === 'lead_conversion')!.probability;
    const [pReferral, pAd] = [await p(referral.id), await p(ad.id)];
    assert.ok(pReferral > pAd, `${pReferral} > ${pAd}`);
    const threshold = Number(((pReferral + pAd) / 2).toFixed(3));
    const automation = await createAutomation(ctx, scope, {
      definition: {
        name: 'Likely leads',
        trigger: { type: 'segment', segment: { kind: 'lifecycle_stage', stage: 'lead' }, filter: { field: 'contact.scores.leadConversion', op: 'gte', value: threshold } },
        steps: [{ type: 'update', addTags: ['likely'] }],
      },
      enabled: true,
    });
    assert.equal(await runSegmentTriggers(ctx, { automationId: automation.id }), 1);
    const enrolled = await db.kysely.selectFrom('enrollments').select(['id', 'contact_id']).where('automation_id', '=', automation.id).execute();
    assert.deepEqual(enrolled.map((e) => e.contact_id), [referral.id]);
    const log = await db.kysely.selectFrom('enrollment_log').select('detail').where('enrollment_id', '=', enrolled[0].id).where('outcome', '=', 'enrolled').executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(log.detail).scores, [{ field: 'contact.scores.leadConversion', value: pReferral, model: 'lead_conversion', version: 0, prior: true }]);
  });

  test('relationship strength is a condition field too', async () => {
    const { ctx } = world();
    const scope = await makeBusiness(ctx);
    const c = await createContact(ctx, scope, { name: 'Quiet Customer', phone: '+15125550102' });
    const automation = await createAutomation(ctx, scope, {
      definition: { name: 'Strength', trigger: { type: 'manual' }, steps: [{ type: 'branch', if: { field: 'contact.relationship.strength', op: 'lt', value: 30 }, then: [{ type: 'update', addTags: ['weak-tie'] }] }] },
      enabled: true,
    });
    const en = await enrollNow(ctx, scope, automation, c.id);
    await runDueEnrollments(ctx, 'w1');
    assert.deepEqual(await tagsOf(ctx, c.id), ['weak-tie']);
    assert.deepEqual((await branchLog(ctx, en))[0].detail.scores, [{ field: 'contact.relationship.strength', value: 0 }]);
  });
});

forEachDialect('saving an automation with an unknown score field', (world) => {
  let app: FastifyInstance;
  let api: ReturnType<typeof client>;
  before(async () => {
    const tenant = await makeTenant(world().ctx);
    app = await makeApi(world().ctx);
    api = client(app, tenant.key);
  });

  const doc = (field: string) => ({ name: 'Typo', trigger: { type: 'event', event: 'lead.created', filter: { field, op: 'gte', value: 0.5 } }, steps: [{ type: 'stop' }] });

  for (const route of ['/automations', '/automations/validate']) {
    test(`${route} answers 400 naming the field and the ones that exist`, async () => {
      const res = await api.post(route, route === '/automations' ? { definition: doc('contact.scores.leadScore') } : doc('contact.scores.leadScore'));
      assert.equal(res.statusCode, 400, res.body);
      const body = res.json() as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'VALIDATION_FAILED');
      assert.match(body.error.message, /trigger\.filter\.field: contact\.scores\.leadScore is not a score field; use one of contact\.scores\.leadConversion, contact\.scores\.churn/);
    });
  }

  test('a known score field saves', async () => {
    const res = await api.post('/automations', { definition: doc('contact.scores.leadConversion') });
    assert.equal(res.statusCode, 201, res.body);
    await app.close();
  });
});
