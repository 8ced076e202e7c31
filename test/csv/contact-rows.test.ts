import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Business } from '../../src/crm/businesses/schema.ts';
import { normalizeEmail, normalizePhone } from '../../src/crm/contacts/normalize.ts';
import { prepareNewContact } from '../../src/crm/contacts/prepare.ts';
import type { ContactInput } from '../../src/crm/contacts/schema.ts';
import type { ContactDraft } from '../../src/crm/csv/contact-draft.ts';
import { buildNewContact } from '../../src/crm/csv/contact-rows.ts';

const business = { id: 'biz', timeZone: 'America/Chicago', settings: { defaultCountry: 'US' } } as unknown as Business;

function draftOf(input: ContactInput): ContactDraft {
  const phones = [input.phone, ...(input.phones ?? [])].filter((p): p is string => typeof p === 'string' && p !== '').map((p) => normalizePhone(p, 'US', 'phone'));
  const emails = [input.email, ...(input.emails ?? [])].filter((e): e is string => typeof e === 'string' && e !== '').map((e) => normalizeEmail(e, 'email'));
  return {
    line: 2,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    name: input.name ?? null,
    phones: [...new Set(phones)],
    emails: [...new Set(emails)],
    address: input.address ?? {},
    timeZone: input.timeZone ?? null,
    source: input.source ?? null,
    lifecycleStage: input.lifecycleStage ?? null,
    tags: input.tags ?? [],
    customFields: (input.customFields ?? {}) as Record<string, string>,
    consent: {},
    notes: [],
  };
}

describe('buildNewContact matches prepareNewContact', () => {
  const inputs: ContactInput[] = [
    { firstName: 'Dana', lastName: 'Reyes', phone: '(310) 555-0142', email: 'Dana@Example.com', tags: ['vip', 'furnace'] },
    { name: 'Sam', phone: '+1 512 555 0100', phones: ['737-555-0101'], address: { line1: '1 Main', city: 'Austin', region: 'TX', postalCode: '78701' } },
    { email: 'only@example.com', source: 'website', lifecycleStage: 'customer', customFields: { unit: 'Trane' } },
    { phone: '808-555-0100' },
    { name: 'Zoned', phone: '212-555-0100', address: { region: 'CA' } },
    { lastName: 'Solo', emails: ['a@example.com', 'b@example.com'], address: { postalCode: '10001', country: 'US' } },
  ];
  for (const input of inputs) {
    test(JSON.stringify(input), async () => {
      const expected = await prepareNewContact(business, input, 'c1', '2026-03-02T15:00:00.000Z');
      const actual = await buildNewContact(business, draftOf(input), 'c1', '2026-03-02T15:00:00.000Z');
      assert.deepEqual(actual.row, expected.row);
      assert.deepEqual(actual.identities, expected.identities);
      assert.deepEqual([...actual.tags].sort(), [...expected.tags].sort());
    });
  }

  test('a time zone column that agrees with the evidence keeps the derived source; one that differs is explicit', async () => {
    const agreeing = await buildNewContact(business, { ...draftOf({ phone: '(310) 555-0142' }), timeZone: 'America/Los_Angeles' }, 'c2', '2026-03-02T15:00:00.000Z');
    assert.deepEqual([agreeing.row.time_zone, agreeing.row.time_zone_source], ['America/Los_Angeles', 'phone']);
    const differing = await buildNewContact(business, { ...draftOf({ phone: '(310) 555-0142' }), timeZone: 'America/Denver' }, 'c3', '2026-03-02T15:00:00.000Z');
    assert.deepEqual([differing.row.time_zone, differing.row.time_zone_source], ['America/Denver', 'explicit']);
  });
});
