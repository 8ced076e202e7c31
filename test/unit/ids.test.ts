import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from '../../src/lib/ids.ts';

test('ids are RFC 9562 version-7 UUIDs, unique, and sort in the order they were made', () => {
  const ids = Array.from({ length: 20_000 }, () => newId());
  for (const id of ids.slice(0, 50)) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(ids).size, ids.length);
  // Thousands are made within one millisecond here: they must still count up.
  assert.deepEqual([...ids].sort(), ids);
});

test('the time part of an id is the moment it was made', () => {
  const before = Date.now();
  const id = newId();
  const after = Date.now();
  const msecs = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
  assert.ok(msecs >= before && msecs <= after + 1, `${msecs} not within ${before}..${after}`);
});
