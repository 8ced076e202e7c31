import assert from 'node:assert/strict';
import { test } from 'node:test';
import { automationDefinitionSchema, compile } from '../../src/engine/definition.ts';
import { readReply } from '../../src/engine/reply-intent.ts';
import { sendsMarketingNext, variantIndex } from '../../src/engine/steps/contention.ts';
import { relativeMoment } from '../../src/engine/steps/flow.ts';

test('reply reading: intent, rating and unhappiness', () => {
  const cases: Array<[string, string, number | null, boolean]> = [
    ['C', 'confirm', null, false],
    ['yes', 'confirm', null, false],
    ['Confirmed, see you then', 'confirm', null, false],
    ['R', 'reschedule', null, false],
    ["can't make it thursday", 'reschedule', null, false],
    ['Can we do a different day?', 'reschedule', null, false],
    ['cancel', 'cancel', null, false],
    ['5', 'other', 5, false],
    ['4 stars', 'other', 4, false],
    ['8/10', 'other', 4, false],
    ['3 out of 5', 'other', 3, true],
    ['2 - the tech was late', 'other', 2, true],
    ['⭐⭐⭐⭐⭐', 'other', 5, false],
    ['Honestly disappointed, I felt overcharged', 'other', null, true],
    ['the AC is still not working', 'other', null, true],
    ['Great job, thank you!', 'confirm', null, false],
    ['what time will the tech arrive?', 'other', null, false],
  ];
  for (const [text, intent, rating, negative] of cases) {
    const r = readReply(text);
    assert.deepEqual({ intent: r.intent, rating: r.rating, negative: r.negative }, { intent, rating, negative }, text);
  }
});

test('A/B assignment is a function of automation and contact, and splits contacts about evenly', () => {
  assert.equal(variantIndex('auto-1', 'contact-1', 2), variantIndex('auto-1', 'contact-1', 2));
  const counts = [0, 0];
  for (let i = 0; i < 1000; i++) counts[variantIndex('auto-1', `contact-${i}`, 2)]++;
  assert.ok(counts[0] > 430 && counts[1] > 430, `split ${counts.join('/')}`);
});

test('a relative moment is a time field plus a signed offset; an empty field has none', () => {
  const facts = { job: { scheduledStart: '2026-03-05T20:00:00.000Z', scheduledEnd: null } };
  assert.equal(relativeMoment(facts, 'job.scheduledStart', '-PT24H')?.toISOString(), '2026-03-04T20:00:00.000Z');
  assert.equal(relativeMoment(facts, 'job.scheduledStart', 'P1D')?.toISOString(), '2026-03-06T20:00:00.000Z');
  assert.equal(relativeMoment(facts, 'job.scheduledStart', undefined)?.toISOString(), '2026-03-05T20:00:00.000Z');
  assert.equal(relativeMoment(facts, 'job.scheduledEnd', '-PT2H'), null);
});

test('whether an enrolment is about to send a marketing message looks through branches', () => {
  const def = automationDefinitionSchema.parse({
    name: 'x',
    trigger: { type: 'manual' },
    purpose: 'marketing',
    steps: [
      { type: 'wait', duration: 'PT1H' },
      { type: 'branch', if: { field: 'contact.phone', op: 'exists' }, then: [{ type: 'send_sms', body: 'hi' }], else: [{ type: 'send_email', subject: 's', body: 'b' }] },
      { type: 'send_sms', body: 'thanks', purpose: 'transactional' },
    ],
  });
  const program = compile(def.steps);
  assert.equal(sendsMarketingNext(program, 0, 'marketing'), false, 'a wait');
  assert.equal(sendsMarketingNext(program, 1, 'marketing'), true, 'a branch to two marketing messages');
  assert.equal(sendsMarketingNext(program, program.length - 1, 'marketing'), false, 'a step marked transactional');
  assert.equal(sendsMarketingNext(program, 1, 'transactional'), false, 'a transactional automation');
});

test('the new document parts are validated with messages a person can act on', () => {
  const base = { name: 'x', trigger: { type: 'manual' } };
  const bad = (steps: unknown[], extra: Record<string, unknown> = {}) => {
    const r = automationDefinitionSchema.safeParse({ ...base, ...extra, steps });
    assert.equal(r.success, false, JSON.stringify(steps));
    return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  };
  assert.match(bad([{ type: 'send_sms', variants: [{ id: 'a', body: 'x' }] }]), /variants/);
  assert.match(bad([{ type: 'send_sms', variants: [{ id: 'a', body: 'x' }, { id: 'a', body: 'y' }] }]), /unique/);
  assert.match(bad([{ type: 'send_sms', body: 'x', variants: [{ id: 'a', body: 'x' }, { id: 'b', body: 'y' }] }]), /a body or variants/);
  assert.match(bad([{ type: 'send_email', body: 'x' }]), /subject and body/);
  assert.match(bad([{ type: 'wait', at: { field: 'job.start time' } }]), /job\.scheduledStart/);
  assert.match(bad([{ type: 'wait', at: { field: 'job.scheduledStart', offset: 'yesterday' } }]), /negative/);
  assert.match(bad([{ type: 'wait', forEvent: { event: 'message.received' } }]), /forEvent needs a timeout/);
  assert.match(bad([{ type: 'update_job' }]), /confirm or status/);
  assert.match(bad([{ type: 'create_task', title: 't', kind: 'Cold Lead', assignee: { rule: 'role', role: 'owner' } }]), /snake_case/);
  assert.match(bad([{ type: 'stop' }], { handoff: { title: 't', assignee: { rule: 'user', userId: 'u' } } }), /handoff/);
  assert.match(bad([{ type: 'stop' }], { trigger: { type: 'segment', segment: { kind: 'lifecycle_stage', stage: 'dormant' }, throttle: { perDay: 0 } } }), /throttle\.perDay/);
  const ok = automationDefinitionSchema.safeParse({
    ...base,
    handoff: { title: 'Answer {{ contact.name }}', kind: 'lead_replied', assignee: { rule: 'contact_owner' } },
    steps: [
      { type: 'wait', at: { field: 'job.scheduledStart', offset: '-PT24H', ifPast: 'skip_next' }, forEvent: { event: 'message.received' } },
      { type: 'send_sms', variants: [{ id: 'a', body: 'A' }, { id: 'b', body: 'B' }], purpose: 'transactional' },
      { type: 'update_job', confirm: true },
      { type: 'request_review' },
      { type: 'record_review' },
    ],
  });
  assert.ok(ok.success, JSON.stringify(ok.error?.issues));
  assert.deepEqual(ok.data!.handoff!.on, ['replied']);
});
