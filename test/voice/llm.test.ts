import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../src/config.ts';
import type { AppContext } from '../../src/context.ts';
import { applyReading } from '../../src/voice/llm-turn.ts';
import { newIntake, openIntake, takeTurn } from '../../src/voice/script.ts';
import { forEachDialect } from '../helpers/db.ts';
import { TUESDAY_2AM, voiceApp, voiceBusiness, voiceContext } from './setup.ts';
import { SimulatedCall } from './twilio-caller.ts';

/**
 * An OpenAI-compatible endpoint over real HTTP that reads utterances the way
 * a model would, plus one that never answers in time and one that answers
 * nonsense: the receptionist must use the first and fall back to the script
 * for the others.
 */
const READINGS: Record<string, object> = {
  "Hi, I'm Dana Whitfield at 12 Oak Street, and I can smell gas in the kitchen": { name: 'Dana Whitfield', callbackNumber: null, address: '12 Oak Street', problem: 'smells gas in the kitchen', wantsPerson: false },
};

async function startLlmStandin(): Promise<{ baseUrl: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const pending = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const payload = JSON.parse(body) as { messages: Array<{ role: string; content: string }> };
      const utterance = (JSON.parse(payload.messages[1].content) as { utterance: string }).utterance;
      requests.push(utterance);
      if (utterance.includes('slow')) {
        pending.add(res); // answers only when the server closes: far beyond any turn budget
        return;
      }
      const content = utterance.includes('nonsense') ? 'I am not sure what you mean.' : JSON.stringify(READINGS[utterance] ?? { name: null, callbackNumber: null, address: null, problem: null, wantsPerson: false });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      for (const res of pending) res.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('applying an LLM reading to a turn (pure)', () => {
  const opts = { maxReprompts: 2, maxTurns: 10, defaultCountry: 'US' };
  const start = openIntake(newIntake('+15125550123'), 'Hi.').state;
  test('several answers in one sentence skip the questions they answer', () => {
    const turn = takeTurn(start, 'Dana at 12 Oak Street, my number is 512 555 0177, no heat', opts);
    const r = applyReading(turn, { name: 'Dana', callbackNumber: '512 555 0177', address: '12 Oak Street', problem: 'no heat' }, 'US');
    assert.equal(r.state.stage, 'done');
    assert.equal(r.state.callbackNumber, '+15125550177');
    assert.equal(r.say, null);
  });
  test('a partial reading moves to the first unanswered question and says it', () => {
    const turn = takeTurn(start, 'Dana, 9 Elm Road', opts);
    const r = applyReading(turn, { name: 'Dana', address: '9 Elm Road' }, 'US');
    assert.equal(r.state.stage, 'confirm_number');
    const withNumber = applyReading(turn, { name: 'Dana', address: '9 Elm Road', callbackNumber: '+15125550177' }, 'US');
    assert.equal(withNumber.state.stage, 'problem');
    assert.match(withNumber.say!, /what is wrong/);
    assert.equal(withNumber.state.transcript.at(-1)?.text, withNumber.say);
  });
  test('never overwrites what the script already has, and a request for a person ends the intake', () => {
    const turn = takeTurn(start, 'Dana Whitfield', opts);
    assert.equal(applyReading(turn, { name: 'Someone Else' }, 'US').state.name, 'Dana Whitfield');
    const person = applyReading(turn, { wantsPerson: true }, 'US');
    assert.equal(person.state.stage, 'done');
    assert.equal(person.state.askedForPerson, true);
  });
});

forEachDialect('voice receptionist with an LLM', (world) => {
  let ctx: AppContext;
  let app: FastifyInstance;
  let llm: Awaited<ReturnType<typeof startLlmStandin>>;
  before(async () => {
    llm = await startLlmStandin();
    const base = voiceContext(world().ctx);
    ctx = { ...base, config: { ...base.config, llm: { provider: 'openai', baseUrl: llm.baseUrl, apiKey: null, model: 'standin', timeoutMs: 10_000 } } as Config };
    app = await voiceApp(ctx);
  });
  after(async () => {
    await app?.close();
    await llm?.close();
  });

  test('one free sentence fills name, address and problem; the emergency is routed after the number is confirmed', async () => {
    world().clock.set(TUESDAY_2AM);
    const b = await voiceBusiness(ctx);
    const call = new SimulatedCall(app, '+15125550160', b.number);
    await call.start();
    await call.say("Hi, I'm Dana Whitfield at 12 Oak Street, and I can smell gas in the kitchen");
    assert.match(call.find('Gather').prompt, /^Is 5 1 2, 5 5 5, 0 1 6 0 the best number|Thanks, Dana\. Is 5 1 2/);
    await call.say('yes');
    assert.match(call.find('Say').text, /^Help is on the way/);
    assert.deepEqual(call.find('Dial').numbers, [b.tech1.phone]);
    assert.ok(llm.requests.includes("Hi, I'm Dana Whitfield at 12 Oak Street, and I can smell gas in the kitchen"));
    const contact = await world().db.kysely.selectFrom('contacts').selectAll().where('business_id', '=', b.scope.businessId).where('phone', '=', '+15125550160').executeTakeFirstOrThrow();
    assert.equal(contact.address_line1, '12 Oak Street');
  });

  test('a model that does not answer within the turn budget, or answers nonsense, leaves the script in charge', async () => {
    world().clock.set(TUESDAY_2AM);
    const b = await voiceBusiness(ctx, { llmTurnBudgetMs: 300 });
    const call = new SimulatedCall(app, '+15125550161', b.number);
    await call.start();
    await call.say('Sam slow');
    assert.match(call.find('Gather').prompt, /Thanks, Sam\. Is 5 1 2/);
    await call.say('nonsense yes');
    // The script did not understand "nonsense yes" either: it re-asks, as it would without an LLM.
    assert.match(call.find('Gather').prompt, /^Sorry, was that a yes or a no\?/);
    assert.ok(llm.requests.includes('Sam slow') && llm.requests.includes('nonsense yes'));
  });
});
