import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveMapping, suggestMapping } from '../../src/crm/csv/mapping.ts';
import type { ImportEntity } from '../../src/crm/csv/fields.ts';

describe('suggestMapping (automatic column mapping)', () => {
  const cases: Array<[ImportEntity, string, string | null]> = [
    ['contacts', 'First Name', 'firstName'],
    ['contacts', 'firstname', 'firstName'],
    ['contacts', 'Given Name', 'firstName'],
    ['contacts', 'first_name', 'firstName'],
    ['contacts', 'Last Name', 'lastName'],
    ['contacts', 'Surname', 'lastName'],
    ['contacts', 'Full Name', 'name'],
    ['contacts', 'Name', 'name'],
    ['contacts', 'Customer Name', 'name'],
    ['contacts', 'Phone', 'phone'],
    ['contacts', 'Mobile', 'phone'],
    ['contacts', 'Cell', 'phone'],
    ['contacts', 'Phone Number', 'phone'],
    ['contacts', 'Telephone', 'phone'],
    ['contacts', 'E-mail', 'email'],
    ['contacts', 'Email Address', 'email'],
    ['contacts', 'EMAIL', 'email'],
    ['contacts', 'Address', 'addressLine1'],
    ['contacts', 'Street', 'addressLine1'],
    ['contacts', 'Address Line 1', 'addressLine1'],
    ['contacts', 'address_line1', 'addressLine1'],
    ['contacts', 'City', 'city'],
    ['contacts', 'State', 'region'],
    ['contacts', 'Province', 'region'],
    ['contacts', 'Region', 'region'],
    ['contacts', 'ZIP', 'postalCode'],
    ['contacts', 'Postal Code', 'postalCode'],
    ['contacts', 'Zip Code', 'postalCode'],
    ['contacts', 'Source', 'source'],
    ['contacts', 'Lead Source', 'source'],
    ['contacts', 'Stage', 'lifecycleStage'],
    ['contacts', 'Status', 'lifecycleStage'],
    ['contacts', 'Lifecycle', 'lifecycleStage'],
    ['contacts', 'lifecycle_stage', 'lifecycleStage'],
    ['contacts', 'Tags', 'tags'],
    ['contacts', 'Notes', 'notes'],
    ['contacts', 'SMS Consent', 'consent.sms'],
    ['contacts', 'custom.unit_model', 'custom.unit_model'],
    ['contacts', 'Custom: Gate Code', 'custom.Gate Code'],
    ['contacts', 'Favourite Colour', null],
    ['contacts', 'id', null],
    ['jobs', 'Service Type', 'serviceType'],
    ['jobs', 'Customer Phone', 'phone'],
    ['jobs', 'contact_id', 'contactId'],
    ['jobs', 'Status', 'status'],
    ['jobs', 'Scheduled Start', 'scheduledStart'],
    ['jobs', 'Completed At', 'completedAt'],
    ['jobs', 'Amount', 'amount'],
    ['jobs', 'Technician', 'technician'],
    ['jobs', 'Job #', 'externalId'],
    ['jobs', 'Job ID', 'externalId'],
    ['interactions', 'Type', 'kind'],
    ['interactions', 'Direction', 'direction'],
    ['interactions', 'Occurred At', 'occurredAt'],
    ['interactions', 'Duration', 'duration'],
    ['interactions', 'Message', 'body'],
    ['interactions', 'Agent', 'user'],
  ];
  for (const [entity, header, field] of cases) {
    test(`${entity}: "${header}" → ${field ?? '(unmapped)'}`, () => {
      const { mapping, unmapped } = suggestMapping(entity, [header]);
      if (field === null) {
        assert.deepEqual(mapping, {});
        assert.deepEqual(unmapped, [header]);
      } else {
        assert.deepEqual(mapping, { [header]: field });
        assert.deepEqual(unmapped, []);
      }
    });
  }

  test('a second phone or email column goes to phones/emails; a second name column is left unmapped', () => {
    const { mapping, unmapped } = suggestMapping('contacts', ['Mobile', 'Home Phone', 'Work Phone', 'Email', 'Email 2', 'First Name', 'Given Name']);
    assert.deepEqual(mapping, { Mobile: 'phone', 'Home Phone': 'phones', 'Work Phone': 'phones', Email: 'email', 'Email 2': 'emails', 'First Name': 'firstName' });
    assert.deepEqual(unmapped, ['Given Name']);
  });

  test('blank headers are reported by position', () => {
    assert.deepEqual(suggestMapping('contacts', ['Name', '']), { mapping: { Name: 'name' }, unmapped: ['(column 2)'] });
  });
});

describe('resolveMapping (explicit override)', () => {
  test('an explicit mapping wins over the automatic one, and can ignore or map to custom fields', () => {
    const plan = resolveMapping('contacts', ['Cust', 'Cell', 'Phone', 'Gate'], { Cust: 'name', Phone: 'ignore', Gate: 'custom.gate_code' });
    assert.deepEqual(plan.mapping, { Cust: 'name', Cell: 'phone', Gate: 'custom.gate_code' });
    assert.deepEqual(plan.unmapped, []);
  });

  test('field names in a mapping may be written as header synonyms', () => {
    assert.deepEqual(resolveMapping('contacts', ['A', 'B'], { A: 'Zip Code', B: 'e-mail' }).mapping, { A: 'postalCode', B: 'email' });
  });

  test('an automatic match never takes a field the override asked for', () => {
    const plan = resolveMapping('contacts', ['Phone', 'Best Number'], { 'Best Number': 'phone' });
    assert.deepEqual(plan.mapping, { 'Best Number': 'phone', Phone: 'phones' });
  });

  const errors: Array<[string, ImportEntity, string[], Record<string, string> | undefined, string, RegExp]> = [
    ['unknown column in the mapping', 'contacts', ['Name'], { Nmae: 'name' }, 'VALIDATION_FAILED', /"Nmae".*not in the file.*Name/],
    ['unknown field in the mapping', 'contacts', ['Name'], { Name: 'fullname2' }, 'VALIDATION_FAILED', /not a contacts field.*firstName/],
    ['two columns mapped to one field', 'contacts', ['A', 'B'], { A: 'firstName', B: 'firstName' }, 'VALIDATION_FAILED', /both "A" and "B"/],
    ['duplicate headers', 'contacts', ['Name', 'Phone', 'name'], undefined, 'BAD_REQUEST', /column "name" twice \(columns 1 and 3\)/],
    ['no mappable columns', 'contacts', ['Foo', 'Bar'], undefined, 'BAD_REQUEST', /none of the columns \(Foo, Bar\)/],
    ['contacts without name, phone or email', 'contacts', ['City', 'Tags'], undefined, 'VALIDATION_FAILED', /no column holds a name, phone or email/],
    ['jobs without a contact column', 'jobs', ['Service', 'Amount'], undefined, 'VALIDATION_FAILED', /contact_id, phone or email/],
    ['jobs without a service type', 'jobs', ['Phone', 'Amount'], undefined, 'VALIDATION_FAILED', /service type/],
    ['interactions without a kind', 'interactions', ['Phone', 'Body'], undefined, 'VALIDATION_FAILED', /kind of each interaction/],
    ['empty header row', 'contacts', ['', ''], undefined, 'BAD_REQUEST', /no header row/],
  ];
  for (const [name, entity, headers, override, code, message] of errors) {
    test(`rejects: ${name}`, () => {
      assert.throws(() => resolveMapping(entity, headers, override), (err: Error & { code?: string }) => {
        assert.equal(err.code, code);
        assert.match(err.message, message);
        return true;
      });
    });
  }
});
