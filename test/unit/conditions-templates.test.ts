import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate } from '../../src/engine/conditions.ts';
import type { Condition } from '../../src/engine/definition.ts';
import { compile } from '../../src/engine/definition.ts';
import { renderTemplate, validateTemplate } from '../../src/engine/templates.ts';

const facts = {
  contact: { source: 'Google_Ads', tags: ['vip', 'furnace'], lifecycleStage: 'lead', customFields: { systemAgeYears: 14 } },
  event: { serviceType: 'ac_repair', amountCents: 45000 },
  vars: { urgency: 'emergency' },
};
const cases: Array<[string, Condition, boolean]> = [
  ['eq ignores case', { field: 'contact.source', op: 'eq', value: 'google_ads' }, true],
  ['in', { field: 'event.serviceType', op: 'in', value: ['ac_repair', 'furnace_repair'] }, true],
  ['not_in', { field: 'event.serviceType', op: 'not_in', value: ['maintenance'] }, true],
  ['tag membership', { field: 'contact.tags', op: 'contains', value: 'VIP' }, true],
  ['missing tag', { field: 'contact.tags', op: 'contains', value: 'commercial' }, false],
  ['numeric gt', { field: 'contact.customFields.systemAgeYears', op: 'gt', value: 10 }, true],
  ['lt on cents', { field: 'event.amountCents', op: 'lt', value: 50000 }, true],
  ['exists', { field: 'vars.urgency', op: 'exists' }, true],
  ['not_exists on missing', { field: 'deal.stage', op: 'not_exists' }, true],
  ['all', { all: [{ field: 'vars.urgency', op: 'eq', value: 'emergency' }, { field: 'contact.lifecycleStage', op: 'eq', value: 'lead' }] }, true],
  ['any', { any: [{ field: 'vars.urgency', op: 'eq', value: 'routine' }, { field: 'contact.lifecycleStage', op: 'eq', value: 'customer' }] }, false],
  ['not', { not: { field: 'contact.source', op: 'eq', value: 'referral' } }, true],
  ['type mismatch is false, not an error', { field: 'contact.source', op: 'gt', value: 5 }, false],
];
for (const [name, cond, expected] of cases) test(`condition: ${name}`, () => assert.equal(evaluate(cond, facts), expected));

test('compile flattens nested branches into jumps', () => {
  const program = compile([
    { type: 'send_sms', body: 'a' },
    { type: 'branch', if: { field: 'vars.x', op: 'exists' }, then: [{ type: 'send_sms', body: 'then' }], else: [{ type: 'send_sms', body: 'else' }] },
    { type: 'stop' },
  ]);
  assert.deepEqual(program.map((i) => i.op), ['step', 'branch', 'step', 'jump', 'step', 'step']);
  assert.equal((program[1] as { elseTarget: number }).elseTarget, 4);
  assert.equal((program[3] as { target: number }).target, 5);
});

test('templates render with fallbacks and refuse unknown filters', () => {
  assert.equal(renderTemplate('Hi {{ contact.firstName | default: "there" }}, {{ business.name }} here.', { contact: {}, business: { name: 'Comfort Pro' } }), 'Hi there, Comfort Pro here.');
  assert.equal(renderTemplate('Hi {{ contact.firstName | default: "there" }}', { contact: { firstName: 'Ana' } }), 'Hi Ana');
  assert.throws(() => validateTemplate('{{ contact.firstName | shout }}', 'steps.0.body'), /steps.0.body/);
  assert.throws(() => validateTemplate('{% if %}', 'steps.0.body'), /template error/);
});
