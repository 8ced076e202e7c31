import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { silentLogger, type AppContext } from '../../src/context.ts';
import { dropSchema, openDatabase, type Db } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { VirtualClock } from '../../src/lib/clock.ts';
import { pgSchemaUrl, runCli } from '../helpers/cli.ts';
import { makeBusiness, PG_URL, runsOn, testConfig } from '../helpers/db.ts';
import { recorder, seedMetricsFixture } from './fixture.ts';

interface Target {
  name: 'sqlite' | 'postgres';
  open(): Promise<{ db: Db; env: NodeJS.ProcessEnv }>;
  cleanup(): Promise<void>;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'kinetic-insights-cli-'));
const schema = `ki_${process.pid}_${randomBytes(3).toString('hex')}`;
const targets: Target[] = [
  {
    name: 'sqlite',
    open: async () => ({ db: await openDatabase({ kind: 'sqlite', file: path.join(dir, 'kinetic.db') }), env: { KINETIC_DATA_DIR: dir, KINETIC_DEMO: '0' } }),
    cleanup: async () => {},
  },
  {
    name: 'postgres',
    open: async () => ({
      db: await openDatabase({ kind: 'postgres', url: PG_URL }, { schema, poolSize: 2 }),
      env: { DATABASE_URL: pgSchemaUrl(schema), KINETIC_DEMO: '0' },
    }),
    cleanup: () => dropSchema(PG_URL, schema),
  },
];

for (const target of targets.filter((t) => runsOn(t.name))) {
  describe(`kinetic metrics and leak [${target.name}]`, () => {
    after(() => target.cleanup());

    test('metrics as JSON and as a table; leak from the data; bad input exits 2', async () => {
      const { db, env } = await target.open();
      let slug: string;
      try {
        await migrateToLatest(db);
        const ctx: AppContext = { config: testConfig(), db, clock: new VirtualClock('2026-02-20T00:00:00Z'), log: silentLogger };
        const scope = await makeBusiness(ctx, { name: 'Cli Cooling', slug: `cli-cooling-${target.name}` });
        await seedMetricsFixture(ctx, scope);
        await recorder(ctx, scope).contact('Dora', { lifecycleStage: 'dormant' });
        await makeBusiness(ctx, { name: 'Other Business' });
        slug = `cli-cooling-${target.name}`;
      } finally {
        await db.close();
      }

      const json = await runCli(env, os.tmpdir(), ['metrics', '--business', slug, '--from', '2026-03-01T00:00:00Z', '--to', '2026-03-08T00:00:00Z', '--json']);
      assert.equal(json.code, 0, json.err);
      const report = JSON.parse(json.out);
      assert.equal(report.metrics.answerRate.value, 0.5);
      assert.equal(report.metrics.bookingConversion.value, 0.4);
      assert.equal(report.metrics.reactivation.revenueCents, 30000);

      const table = await runCli(env, os.tmpdir(), ['metrics', '--business', slug, '--from', '2026-03-01T00:00:00Z', '--to', '2026-03-08T00:00:00Z']);
      assert.equal(table.code, 0, table.err);
      assert.match(table.out, /answerRate\s+50%\s+100%/);
      assert.match(table.out, /automationRevenue\s+\$300/);
      // Speed to lead is the median over leads not answered live; the median over all of them follows.
      assert.match(table.out, /speedToLead\s+30 min/);
      assert.match(table.out, /incl\. answered live\s+3 min/);

      const many = await runCli(env, os.tmpdir(), ['metrics', '--json']);
      assert.equal(many.code, 2);
      assert.match(many.err, /--business/);
      const bad = await runCli(env, os.tmpdir(), ['metrics', '--business', slug, '--from', 'last tuesday']);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /from/);

      const leak = await runCli(env, os.tmpdir(), ['leak', '--from-data', '--business', slug, '--recovery-rate', '0.2', '--json']);
      assert.equal(leak.code, 0, leak.err);
      const l = JSON.parse(leak.out);
      assert.equal(l.source, 'data');
      assert.equal(l.inputs.dormantContacts, 1);
      assert.ok(l.measured.includes('dormantContacts'));
      assert.equal(l.inputs.recoveryRate, 0.2);
      assert.ok(typeof l.followUpGap.unworkedLeadsPerYear === 'number');
      assert.equal(l.dormantDatabase.dormantContacts, 1);

      const leakTable = await runCli(env, os.tmpdir(), ['leak', '--from-data', '--business', slug]);
      assert.equal(leakTable.code, 0, leakTable.err);
      assert.match(leakTable.out, /from the business's last 12 months/);
      const badLeak = await runCli(env, os.tmpdir(), ['leak', '--from-data', '--business', slug, '--followed-up-rate', '7']);
      assert.equal(badLeak.code, 2);
      assert.match(badLeak.err, /--followed-up-rate: must be between 0 and 1/);
    });
  });
}
