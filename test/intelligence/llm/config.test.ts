import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';

const cwd = '/tmp';

test('no KINETIC_LLM_PROVIDER: offline only', () => {
  assert.equal(loadConfig({}, cwd).llm, null);
});

test('openai with a key gets the hosted defaults; the key is kept only in config', () => {
  const c = loadConfig({ KINETIC_LLM_PROVIDER: 'openai', KINETIC_LLM_API_KEY: 'sk-1' }, cwd).llm!;
  assert.deepEqual(c, { provider: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-1', model: 'gpt-4o-mini', timeoutMs: 15_000 });
});

test('anthropic with a base URL, model and timeout', () => {
  const c = loadConfig({ KINETIC_LLM_PROVIDER: 'anthropic', KINETIC_LLM_BASE_URL: 'http://127.0.0.1:9999/', KINETIC_LLM_API_KEY: 'k', KINETIC_LLM_MODEL: 'claude-x', KINETIC_LLM_TIMEOUT_MS: '2500' }, cwd).llm!;
  assert.deepEqual(c, { provider: 'anthropic', baseUrl: 'http://127.0.0.1:9999', apiKey: 'k', model: 'claude-x', timeoutMs: 2500 });
});

test('a local OpenAI-compatible server may need no key', () => {
  assert.equal(loadConfig({ KINETIC_LLM_PROVIDER: 'openai', KINETIC_LLM_BASE_URL: 'http://127.0.0.1:11434/v1' }, cwd).llm!.apiKey, null);
});

const bad: Array<[Record<string, string>, RegExp]> = [
  [{ KINETIC_LLM_PROVIDER: 'gemini' }, /KINETIC_LLM_PROVIDER/],
  [{ KINETIC_LLM_PROVIDER: 'anthropic' }, /KINETIC_LLM_API_KEY is required/],
  [{ KINETIC_LLM_PROVIDER: 'openai', KINETIC_LLM_API_KEY: 'k', KINETIC_LLM_BASE_URL: 'not a url' }, /KINETIC_LLM_BASE_URL/],
  [{ KINETIC_LLM_PROVIDER: 'openai', KINETIC_LLM_API_KEY: 'k', KINETIC_LLM_TIMEOUT_MS: '5' }, /KINETIC_LLM_TIMEOUT_MS/],
];
for (const [env, message] of bad) {
  test(`invalid LLM config ${JSON.stringify(env)} names the variable`, () => {
    assert.throws(() => loadConfig(env, cwd), (e: { code?: string; message?: string }) => e.code === 'CONFIG_INVALID' && message.test(e.message ?? ''));
  });
}
