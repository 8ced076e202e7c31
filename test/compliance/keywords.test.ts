import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyKeyword } from '../../src/compliance/keywords.ts';

const cases: Array<[string, ReturnType<typeof classifyKeyword>]> = [
  ['STOP', 'opt_out'], ['stop', 'opt_out'], [' Stop. ', 'opt_out'], ['STOPALL', 'opt_out'], ['unsubscribe', 'opt_out'],
  ['Cancel', 'opt_out'], ['END', 'opt_out'], ['quit', 'opt_out'], ['REVOKE', 'opt_out'], ['optout', 'opt_out'], ['opt out', 'opt_out'],
  ['Please stop texting me', 'opt_out'], ['stop sending me these', 'opt_out'], ["Don't text me again", 'opt_out'],
  ['remove me from your list', 'opt_out'], ['Take me off this list please', 'opt_out'], ['stop please', 'opt_out'], ['please stop!', 'opt_out'],
  ['no more texts', 'opt_out'], ['leave me alone', 'opt_out'],
  ['START', 'opt_in'], ['unstop', 'opt_in'], ['Yes', 'opt_in'],
  ['HELP', 'help'], ['info', 'help'],
  ['Can you stop by at 3?', null], ['The AC stopped working', null], ['Is the end of the week ok?', null],
  ['Yes, Tuesday works', null], ['I need help with my furnace', null], ['cancel my appointment on friday', null], ['', null],
];
for (const [body, intent] of cases) {
  test(`keyword ${JSON.stringify(body)} → ${intent}`, () => assert.equal(classifyKeyword(body), intent));
}
