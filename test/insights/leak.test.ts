import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { calculateLeak, resolveLeakInputs } from '../../src/insights/leak.ts';
import { runCli } from '../helpers/cli.ts';

/** No database: `leak` from flags alone needs none. */
const env = { KINETIC_DEMO: '0', KINETIC_DATA_DIR: '/nonexistent-kinetic-leak-test' };

const seedArgs = ['--inquiries-per-month', '100', '--answer-rate', '0.71', '--not-booked-rate', '0.35', '--followed-up-rate', '0.40', '--recovery-rate', '0.15', '--avg-ticket', '600'];

describe('revenue leak calculator', () => {
  test('seed 000: ~180 unworked leads, 27 bookings, $16,200 (exact CLI contract)', async () => {
    const r = await runCli(env, process.cwd(), ['leak', ...seedArgs, '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.followUpGap.unworkedLeadsPerYear, 179);
    assert.equal(j.followUpGap.recoveredBookingsPerYear, 27);
    assert.equal(j.followUpGap.recoveredRevenuePerYear, 16200);
    assert.equal(j.inputs.answerRate, 0.71);
    assert.match(j.followUpGap.arithmetic, /178\.9 ≈ 179/);
    // A whole number is not shown as approximately itself ("168 ≈ 168").
    const whole = calculateLeak(resolveLeakInputs({ inquiriesPerMonth: 100, answerRate: 0.5, notBookedRate: 0.5, followedUpRate: 0.5 }).inputs, []);
    assert.match(whole.followUpGap.arithmetic, /\) = 150 unworked leads\/year/);
    // The missed-call leak: 29% of 1,200 inquiries, recovered at the stated voice rate.
    assert.equal(j.missedCalls.unansweredCallsPerYear, 348);
    assert.equal(j.missedCalls.voiceRecoveryRate, 0.25);
    assert.equal(j.missedCalls.recoveredBookingsPerYear, 87);
    assert.equal(j.missedCalls.recoveredRevenuePerYear, 52200);
    assert.deepEqual(j.defaultsUsed, ['voiceRecoveryRate', 'dormantContacts', 'dormantResponseRate', 'dormantBookingRate']);
  });

  test('seed 000 dormant database: 347 contacts → 52 replied → 31 booked', () => {
    const { inputs, defaultsUsed } = resolveLeakInputs({ dormantContacts: 347, avgTicket: '2200' });
    const r = calculateLeak(inputs, defaultsUsed);
    assert.equal(r.dormantDatabase.replied, 52);
    assert.equal(r.dormantDatabase.booked, 31);
    assert.equal(r.dormantDatabase.recoveredRevenue, 31 * 2200);
    assert.equal(r.totalRecoverableRevenuePerYear, r.followUpGap.recoveredRevenuePerYear + r.missedCalls.recoveredRevenuePerYear + r.dormantDatabase.recoveredRevenue);
    assert.ok(!defaultsUsed.includes('dormantContacts'));
  });

  test('a readable table without --json', async () => {
    const r = await runCli(env, process.cwd(), ['leak', ...seedArgs, '--dormant-contacts', '347']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Unworked leads per year\s+179/);
    assert.match(r.out, /Recovered revenue per year\s+\$16,200/);
    assert.match(r.out, /Booked\s+31/);
    assert.match(r.out, /voiceRecoveryRate\s+0\.25\s+\(default\)/);
    assert.match(r.out, /Note: Inputs marked \(default\) were not given/);
    assert.doesNotMatch(r.out, /defaultsUsed/, 'the table does not speak of JSON fields');
  });

  test('bad numbers exit 2 naming the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--answer-rate', '1.2'], /--answer-rate: must be between 0 and 1/],
      [['--avg-ticket', '-5'], /--avg-ticket: must not be negative/],
      [['--recovery-rate', 'abc'], /--recovery-rate: must be a number/],
      [['--dormant-contacts', '-1', '--from-data'], /--dormant-contacts: must not be negative/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(env, process.cwd(), ['leak', ...args, '--json']);
      assert.equal(r.code, 2, `${args}: ${r.err}`);
      assert.match(r.err, message);
      assert.equal(r.out, '');
    }
  });
});
