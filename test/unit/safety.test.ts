import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hazardOf, safetyMessage } from '../../src/intelligence/intake/safety.ts';

test('hazardOf: the one safety step each emergency calls for, across verticals', () => {
  const cases: Array<[string, ReturnType<typeof hazardOf>]> = [
    ['I smell gas in the kitchen, strong rotten eggs smell', 'gas'],
    ['Loud banging from the furnace and a burning smell', 'fire_electrical'],
    ['sparks coming out of the outlet behind the fridge', 'fire_electrical'],
    ['CO detector is going off and my wife has a headache', 'carbon_monoxide'],
    ['pipe burst under the sink, water everywhere', 'water'],
    ['sewage backing up into the basement', 'water'],
    ['My son knocked out his front tooth playing hockey', 'dental'],
    ['face swelling from an abscess, it hurts to swallow', 'dental'],
    ['after my lip filler yesterday the area is white and blotchy', 'cosmetic_complication'],
    ['my dad is having chest pain after the fall', 'medical'],
    ['no heat and we have a newborn, house is freezing', 'no_heat'],
    ['AC died, grandma is 92 and it is 98 degrees inside', 'no_cooling'],
    ['EMERGENCY please call', 'other'],
  ];
  for (const [text, want] of cases) assert.equal(hazardOf(text), want, text);
});

test('safetyMessage: names the business, says what happens next, gives the step', () => {
  const gas = safetyMessage('Comfort Pro HVAC', 'I smell gas', true);
  assert.match(gas.body, /^Comfort Pro HVAC: we got your message — we are paging our on-call technician now/);
  assert.match(gas.body, /leave the building now.*gas utility/);
  const unpaged = safetyMessage('Bright Smile Dental', 'tooth knocked out', false);
  assert.match(unpaged.body, /our team has been alerted/);
  assert.match(unpaged.body, /keep it moist/);
  assert.ok(gas.body.length < 320, 'fits in two text segments');
});
