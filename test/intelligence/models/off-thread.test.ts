import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../../src/lib/errors.ts';
import { trainModelOffThread } from '../../../src/intelligence/models/off-thread.ts';
import { trainModel } from '../../../src/intelligence/models/train.ts';
import type { Table } from '../../../src/intelligence/models/schema.ts';

function table(n: number): Table {
  let s = 3;
  const r = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  return {
    columns: ['a', 'plan', 'label'],
    rows: Array.from({ length: n }, () => {
      const a = r() * 2 - 1;
      const plan = r() < 0.5 ? 'basic' : 'plus';
      return [a.toFixed(3), plan, r() < 1 / (1 + Math.exp(-(2 * a + (plan === 'plus' ? 1 : -1)))) ? 'yes' : 'no'];
    }),
  };
}

test('training in a worker thread gives the same model as in the calling thread, while the event loop keeps turning', async () => {
  const t = table(800);
  const options = { label: 'label', seed: 7, algorithms: ['gbdt', 'logistic'] as Array<'gbdt' | 'logistic'> };
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const off = await trainModelOffThread(t, options);
  clearInterval(timer);
  const here = trainModel(t, options);
  assert.deepEqual({ ...off, trainSeconds: 0 }, { ...here, trainSeconds: 0 });
  assert.ok(ticks > 0, 'timers ran while the thread trained');
});

test('a validation error in the thread comes back as the same AppError', async () => {
  await assert.rejects(trainModelOffThread(table(50), { label: 'nope' }), (err: unknown) => err instanceof AppError && err.code === 'VALIDATION_FAILED' && /no column "nope"/.test(err.message));
});
