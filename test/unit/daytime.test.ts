import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { middayTimeZone } from '../helpers/daytime.ts';

test('middayTimeZone gives a valid zone where it is about noon, at every UTC hour', () => {
  for (let h = 0; h < 24; h++) {
    const at = new Date(Date.UTC(2026, 10, 23, h, 30));
    const zone = middayTimeZone(at);
    const local = DateTime.fromJSDate(at, { zone });
    assert.ok(local.isValid, `${zone} at ${h}:30 UTC`);
    assert.equal(local.hour, 12, `${zone} at ${h}:30 UTC is ${local.toISO()}`);
  }
});
