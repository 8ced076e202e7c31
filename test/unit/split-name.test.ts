import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitFullName } from '../../src/crm/contacts/prepare.ts';

test('a full name alone is split into first and last name; explicit parts win', () => {
  const cases: Array<[Parameters<typeof splitFullName>[0], ReturnType<typeof splitFullName>]> = [
    [{ name: 'Dana Reyes' }, { firstName: 'Dana', lastName: 'Reyes' }],
    [{ name: '  Mary  Ann   de la Cruz ' }, { firstName: 'Mary', lastName: 'Ann de la Cruz' }],
    [{ name: 'Cher' }, { firstName: 'Cher', lastName: null }],
    [{ name: 'Dana Reyes', firstName: 'D.' }, { firstName: 'D.', lastName: null }],
    [{ name: 'Dana Reyes', lastName: 'Reyes-Ortiz' }, { firstName: null, lastName: 'Reyes-Ortiz' }],
    [{ name: '   ' }, { firstName: null, lastName: null }],
    [{}, { firstName: null, lastName: null }],
  ];
  for (const [input, expected] of cases) assert.deepEqual(splitFullName(input), expected, JSON.stringify(input));
});
