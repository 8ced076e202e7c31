import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDataset } from '../../../src/intelligence/intake/dataset.ts';
import { evaluateIntake } from '../../../src/intelligence/intake/evaluate.ts';
import { INTENTS, URGENCIES } from '../../../src/intelligence/intake/labels.ts';
import { normalizeText } from '../../../src/intelligence/intake/features.ts';

/** Floors the shipped model must hold on the held-out test set. Emergency recall is the one that matters most. */
const FLOORS = { emergencyRecall: 0.95, urgency: 0.85, intent: 0.8, serviceType: 0.85 };

test('held-out evaluation meets the stated floors', () => {
  const e = evaluateIntake();
  assert.ok(e.emergency.support >= 20, `enough emergencies in the test set to measure recall (${e.emergency.support})`);
  assert.ok(e.emergency.recall >= FLOORS.emergencyRecall, `emergency recall ${e.emergency.recall}; missed: ${e.emergency.missed.join(' | ')}`);
  assert.ok(e.accuracy.urgency >= FLOORS.urgency, `urgency accuracy ${e.accuracy.urgency}`);
  assert.ok(e.accuracy.intent >= FLOORS.intent, `intent accuracy ${e.accuracy.intent}`);
  assert.ok(e.accuracy.serviceType >= FLOORS.serviceType, `service type accuracy ${e.accuracy.serviceType}`);
  assert.ok(e.emergency.precision > 0.5, `emergency precision ${e.emergency.precision}`);
});

/** Floors on the vertical-tagged held-out set (HVAC, plumbing, electrical, dental, med spa, law, spam). */
const VERTICAL_FLOORS = { emergencyRecall: 0.98, urgency: 0.92, intent: 0.92 };
test('vertical-tagged held-out set: recall and accuracy floors, every vertical finds its emergencies and holds the urgency floor, no false page', () => {
  const e = evaluateIntake(loadDataset('verticals'));
  assert.ok(e.emergency.recall >= VERTICAL_FLOORS.emergencyRecall, `emergency recall ${e.emergency.recall}; missed: ${e.emergency.missed.join(' | ')}`);
  assert.ok(e.accuracy.urgency >= VERTICAL_FLOORS.urgency, `urgency accuracy ${e.accuracy.urgency}`);
  assert.ok(e.accuracy.intent >= VERTICAL_FLOORS.intent, `intent accuracy ${e.accuracy.intent}`);
  for (const v of ['hvac', 'plumbing', 'electrical', 'dental', 'med_spa', 'law']) {
    assert.ok(e.byVertical[v]?.emergency.support >= 3, `${v}: emergencies in the set`);
    assert.equal(e.byVertical[v].emergency.recall, 1, `${v} missed: ${e.byVertical[v].emergency.missed.join(' | ')}`);
    assert.ok(e.byVertical[v].accuracy.urgency >= VERTICAL_FLOORS.urgency, `${v} urgency accuracy ${e.byVertical[v].accuracy.urgency}: ${e.byVertical[v].errors.join(' | ')}`);
  }
  assert.deepEqual(e.paging.falsePages, [], 'no non-emergency would page on-call');
  const seen = new Set(loadDataset('train').map((r) => normalizeText(r.text).trim()));
  assert.deepEqual(loadDataset('verticals').filter((r) => seen.has(normalizeText(r.text).trim())).map((r) => r.text), [], 'no overlap with training');
});

test('the labelled sets are large, cover every label, and do not overlap', () => {
  const train = loadDataset('train');
  const held = loadDataset('test');
  assert.ok(train.length >= 240, `train size ${train.length}`);
  assert.ok(held.length >= 90, `test size ${held.length}`);
  for (const set of [train, held]) {
    for (const u of URGENCIES) assert.ok(set.some((r) => r.urgency === u), `urgency ${u} present`);
    for (const i of INTENTS) assert.ok(set.some((r) => r.intent === i), `intent ${i} present`);
  }
  const seen = new Set(train.map((r) => normalizeText(r.text).trim()));
  const leaked = held.filter((r) => seen.has(normalizeText(r.text).trim()));
  assert.deepEqual(leaked.map((r) => r.text), [], 'no test message also appears in the training set');
});

test('a model that ignores the rules would miss emergencies the rules catch', () => {
  // Sanity: the evaluation can fail — an empty test set of emergencies only scored as routine has recall 0.
  const e = evaluateIntake([{ text: 'hello there', urgency: 'emergency', intent: 'question', serviceType: null }]);
  assert.equal(e.emergency.recall, 0);
  assert.deepEqual(e.emergency.missed, ['hello there']);
});
