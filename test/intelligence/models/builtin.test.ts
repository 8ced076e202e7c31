import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Scope } from '../../../src/context.ts';
import { createContact } from '../../../src/crm/contacts/contacts.ts';
import { contactScores, listModels, retrainDueModels, retrainModel } from '../../../src/intelligence/models/builtin.ts';
import { loadHistory } from '../../../src/intelligence/models/builtin-history.ts';
import { forEachDialect, makeBusiness } from '../../helpers/db.ts';
import { forEachDemoDialect } from '../../helpers/demo-snapshot.ts';

forEachDialect('built-in models on a new business (too little history)', (world) => {
  let scope: Scope;
  let contactId: string;
  before(async () => {
    scope = await makeBusiness(world().ctx);
    contactId = (await createContact(world().ctx, scope, { name: 'Fresh Lead', phone: '512-555-0101', source: 'google_ads' })).id;
  });

  test('before any training every model is a prior, and the API says so', async () => {
    const models = await listModels(world().ctx, scope);
    assert.deepEqual(models.map((m) => [m.model, m.version, m.prior]), [['lead_conversion', 0, true], ['churn', 0, true], ['deal_stall', 0, true]]);
    const scores = (await contactScores(world().ctx, scope, contactId)).data;
    const lead = scores.find((s) => s.model === 'lead_conversion');
    assert.ok(lead, JSON.stringify(scores));
    assert.equal(lead.prior, true);
    assert.ok(lead.probability > 0 && lead.probability < 1);
  });

  test('retraining with too little history stores a prior version with a note', async () => {
    const info = await retrainModel(world().ctx, scope, 'lead_conversion');
    assert.equal(info.prior, true);
    assert.equal(info.version, 1);
    assert.match(String(info.metrics?.note), /prior model: 0 examples \(0 positive\)/);
    await assert.rejects(contactScores(world().ctx, scope, '00000000-0000-7000-8000-000000000000'), /contact .* was not found/);
  });
});

forEachDemoDialect('built-in models on the demo business history', (world) => {
  let scope: Scope;
  before(() => {
    scope = { businessId: world().demo.businessId, actor: { type: 'system', id: null } };
  });

  test('lead conversion, churn and deal stall train on the history with a time-based split; versions count up', async () => {
    const first = await retrainDueModels(world().ctx, scope);
    assert.deepEqual(first.map((m) => m.model), ['lead_conversion', 'churn', 'deal_stall']);
    const byName = Object.fromEntries(first.map((m) => [m.model, m]));
    for (const name of ['lead_conversion', 'churn', 'deal_stall']) {
      const m = byName[name];
      assert.equal(m.prior, false, name);
      assert.equal((m.metrics as { split: { kind: string } }).split.kind, 'time');
      assert.ok(Number(m.metrics?.auc) > 0.6, `${name} AUC ${m.metrics?.auc}`);
      assert.ok(Number(m.metrics?.brier) < 0.25, `${name} Brier ${m.metrics?.brier}`);
    }
    assert.deepEqual(await retrainDueModels(world().ctx, scope), [], 'nothing is due right after training');
    world().clock.advance(8 * 86_400_000);
    const again = await retrainDueModels(world().ctx, scope);
    assert.deepEqual(again.map((m) => m.version), [2, 2, 2]);
    const listed = await listModels(world().ctx, scope);
    assert.deepEqual(listed.map((m) => [m.version, m.prior]), [[2, false], [2, false], [2, false]]);
    assert.ok(listed.every((m) => m.trainedAt === world().clock.now().toISOString()));
  });

  test('a contact is scored by every model that applies, with reasons in words', async () => {
    const h = await loadHistory(world().ctx, scope);
    const customer = h.contacts.find((c) => c.stage === 'customer')!;
    const scores = (await contactScores(world().ctx, scope, customer.id)).data;
    const churn = scores.find((s) => s.model === 'churn');
    assert.ok(churn, JSON.stringify(scores));
    assert.equal(churn.prior, false);
    assert.ok(churn.reasons.length > 0 && churn.reasons.every((r) => /\((raises|lowers) the score\)$/.test(r)), JSON.stringify(churn.reasons));
    // In words, not column names: "last job 13 months ago", never "days since last job is 401.3".
    assert.ok(churn.reasons.every((r) => !/_| is \d/.test(r)), JSON.stringify(churn.reasons));
    assert.ok(!/_| is \d/.test(churn.explanation), churn.explanation);
    const withDeal = h.deals.find((d) => d.status === 'open' && d.contactId)!;
    const dealScores = (await contactScores(world().ctx, scope, withDeal.contactId!)).data.filter((s) => s.model === 'deal_stall');
    assert.ok(dealScores.some((s) => s.dealId === withDeal.id && s.prior === false), JSON.stringify(dealScores));
  });
}, { seed: 1 });
