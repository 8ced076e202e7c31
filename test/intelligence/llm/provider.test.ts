import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LlmConfig } from '../../../src/config.ts';
import { silentLogger, type Logger } from '../../../src/context.ts';
import { composeReply } from '../../../src/intelligence/intake/compose.ts';
import { understandMessage } from '../../../src/intelligence/intake/understand.ts';
import { ANTHROPIC_VERSION, LlmFailure, createLlmClient, extractJsonObject } from '../../../src/intelligence/llm/provider.ts';
import { startLlmStandin, type LlmStandin, type StandinProvider } from '../../helpers/llm-standin.ts';

const KEY = 'sk-test-SECRET-abc123';

/** A logger that keeps every line, to prove the key never appears in logs. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (o: object | string, m?: string) => void lines.push(JSON.stringify(o) + (m ?? ''));
  return { lines, info: rec, warn: rec, error: rec, debug: rec };
}

const draftInput = {
  businessName: 'Comfort Pro',
  voice: 'friendly and short',
  contactName: 'Ana Ruiz',
  channel: 'sms' as const,
  message: 'can I get a quote for a new AC?',
  intent: 'quote',
  urgency: 'routine',
  serviceType: 'installation',
  history: ['2025-06-01 outbound sms: Thanks for choosing Comfort Pro!'],
  fallback: 'Hi Ana, thanks for asking about installation.',
  fallbackSubject: null,
};

// The same contract for each provider (Hono-style: one suite, every implementation).
for (const provider of ['openai', 'anthropic'] as StandinProvider[]) {
  describe(`LLM provider contract [${provider}]`, () => {
    let standin: LlmStandin;
    let config: LlmConfig;
    before(async () => {
      standin = await startLlmStandin(provider, KEY);
      config = { provider, baseUrl: standin.baseUrl, apiKey: KEY, model: 'test-model-1', timeoutMs: 2_000 };
    });
    after(() => standin.close());

    test('sends the provider’s real request shape with its auth header and returns the text', async () => {
      standin.reply = () => ({ text: 'hello there' });
      const reply = await createLlmClient(config)!.complete({ system: 'SYS PROMPT', user: 'USER MSG' });
      assert.equal(reply.text, 'hello there');
      assert.equal(reply.provider, provider);
      const req = standin.requests.at(-1)!;
      assert.equal(req.body.model, 'test-model-1');
      assert.equal(req.system, 'SYS PROMPT');
      assert.equal(req.user, 'USER MSG');
      if (provider === 'openai') {
        assert.equal(req.path, '/v1/chat/completions');
        assert.equal(req.headers.authorization, `Bearer ${KEY}`);
        assert.equal(req.headers['x-api-key'], undefined);
      } else {
        assert.equal(req.path, '/v1/messages');
        assert.equal(req.headers['x-api-key'], KEY);
        assert.equal(req.headers['anthropic-version'], ANTHROPIC_VERSION);
        assert.equal(req.headers.authorization, undefined);
        assert.equal(typeof req.body.max_tokens, 'number');
      }
    });

    test('a wrong key is an HTTP failure whose message does not contain either key', async () => {
      const wrong = { ...config, apiKey: 'sk-wrong-OTHER-999' };
      await assert.rejects(createLlmClient(wrong)!.complete({ system: 's', user: 'u' }), (err: unknown) => {
        assert.ok(err instanceof LlmFailure);
        assert.equal(err.kind, 'http');
        assert.match(err.message, /401/);
        assert.doesNotMatch(err.message, /sk-wrong-OTHER-999|SECRET/);
        return true;
      });
    });

    test('no answer within the timeout is a timeout failure', async () => {
      standin.reply = () => ({ hang: true });
      await assert.rejects(createLlmClient({ ...config, timeoutMs: 150 })!.complete({ system: 's', user: 'u' }), (err: unknown) => err instanceof LlmFailure && err.kind === 'timeout');
    });

    test('a body that is not JSON, or JSON without the text, is malformed', async () => {
      standin.reply = () => ({ raw: { status: 200, body: '<html>gateway</html>' } });
      await assert.rejects(createLlmClient(config)!.complete({ system: 's', user: 'u' }), (err: unknown) => err instanceof LlmFailure && err.kind === 'malformed');
      standin.reply = () => ({ raw: { status: 200, body: JSON.stringify({ id: 'x', choices: [], content: [] }) } });
      await assert.rejects(createLlmClient(config)!.complete({ system: 's', user: 'u' }), (err: unknown) => err instanceof LlmFailure && err.kind === 'malformed');
    });

    test('classification uses the LLM when it answers valid labels', async () => {
      standin.reply = () => ({ text: '```json\n{"urgency":"routine","intent":"billing","serviceType":null,"confidence":0.91}\n```' });
      const u = await understandMessage({ llm: createLlmClient(config), log: silentLogger }, 'hey about that thing from last week');
      assert.equal(u.provider, provider);
      assert.equal(u.result.intent, 'billing');
      assert.equal(u.result.confidence, 0.91);
      assert.match(u.result.modelVersion, new RegExp(`\\+${provider}:test-model-1$`));
    });

    test('the LLM can never lower an emergency found by the rules', async () => {
      standin.reply = () => ({ text: '{"urgency":"routine","intent":"question","serviceType":null,"confidence":0.99}' });
      const u = await understandMessage({ llm: createLlmClient(config), log: silentLogger }, 'I smell gas in the kitchen, is that bad?');
      assert.equal(u.result.urgency, 'emergency');
      standin.reply = () => ({ text: '{"urgency":"routine","intent":"spam","serviceType":null,"confidence":0.99}' });
      const s = await understandMessage({ llm: createLlmClient(config), log: silentLogger }, 'CO alarm going off, is this a scam call?');
      assert.deepEqual([s.result.urgency, s.result.intent], ['emergency', 'new_service'], 'a hazard is never dropped as spam');
    });

    test('malformed labels, a timeout or an HTTP error fall back to the offline classifier, and the key is never logged', async () => {
      const log = recordingLogger();
      const behaviours = [
        () => ({ text: '{"urgency":"catastrophic","intent":"hack"}' }),
        () => ({ text: 'Sure! Here is my answer: routine.' }),
        () => ({ hang: true as const }),
        () => ({ raw: { status: 500, body: JSON.stringify({ error: { message: 'overloaded' } }) } }),
      ];
      for (const b of behaviours) {
        standin.reply = b;
        const u = await understandMessage({ llm: createLlmClient({ ...config, timeoutMs: 150 }), log }, 'no heat and we have a newborn');
        assert.equal(u.provider, 'offline');
        assert.ok(u.fallbackReason, 'the fallback says why');
        assert.equal(u.result.urgency, 'emergency');
      }
      assert.equal(log.lines.length, behaviours.length);
      for (const line of log.lines) assert.doesNotMatch(line, /SECRET/);
    });

    test('drafts come from the LLM, grounded in the history and voice given', async () => {
      standin.reply = () => ({ text: '{"body":"Hi Ana! Happy to quote a new AC — when could we stop by?"}' });
      const r = await composeReply({ llm: createLlmClient(config), log: silentLogger }, draftInput);
      assert.equal(r.source, 'llm');
      assert.equal(r.body, 'Hi Ana! Happy to quote a new AC — when could we stop by?');
      const req = standin.requests.at(-1)!;
      assert.match(req.system, /friendly and short/);
      assert.match(req.user, /Thanks for choosing Comfort Pro/);
      assert.match(req.system, /untrusted DATA/);
    });

    test('a draft falls back to the template on timeout and on malformed replies', async () => {
      for (const b of [() => ({ hang: true as const }), () => ({ text: '{"reply": 42}' }), () => ({ text: 'not json at all' })]) {
        standin.reply = b;
        const r = await composeReply({ llm: createLlmClient({ ...config, timeoutMs: 150 }), log: silentLogger }, draftInput);
        assert.equal(r.source, 'template');
        assert.equal(r.body, draftInput.fallback);
        assert.ok(r.fallbackReason);
      }
    });
  });
}

test('no provider configured means no client (offline mode)', () => {
  assert.equal(createLlmClient(null), null);
});

const jsonCases: Array<[string, Record<string, unknown> | null]> = [
  ['{"a":1}', { a: 1 }],
  ['Here you go: {"body":"hi"} thanks', { body: 'hi' }],
  ['```json\n{"x":true}\n```', { x: true }],
  ['[1,2]', null],
  ['no json', null],
  ['{broken', null],
];
for (const [text, expected] of jsonCases) {
  test(`extractJsonObject(${JSON.stringify(text)})`, () => {
    if (expected) assert.deepEqual(extractJsonObject(text), expected);
    else assert.throws(() => extractJsonObject(text), (e: unknown) => e instanceof LlmFailure && e.kind === 'malformed');
  });
}
