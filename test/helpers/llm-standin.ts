import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the two LLM HTTP APIs Kinetic speaks, over real HTTP:
 * OpenAI-compatible `POST /v1/chat/completions` (Bearer auth) and Anthropic
 * `POST /v1/messages` (x-api-key + anthropic-version), answering in each
 * provider's response and error shapes. What the "model" says is up to the
 * test (`reply`); it can also hang (timeouts) or answer garbage.
 */
export type StandinProvider = 'openai' | 'anthropic';

export interface RecordedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The system prompt and the user message, whichever API shape carried them. */
  system: string;
  user: string;
}

/** What the stand-in does for one request: the assistant's text, a raw HTTP answer, or never answering. */
export type StandinBehaviour = { text: string } | { raw: { status: number; body: string } } | { hang: true };

export interface LlmStandin {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Decides each answer; replace it per test. */
  reply: (req: RecordedRequest) => StandinBehaviour;
  close(): Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

export async function startLlmStandin(provider: StandinProvider, apiKey: string): Promise<LlmStandin> {
  const standin: LlmStandin = {
    baseUrl: '',
    requests: [],
    reply: () => ({ text: '{"body":"Thanks for your message!"}' }),
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const expectedPath = provider === 'openai' ? '/v1/chat/completions' : '/v1/messages';
      if (req.method !== 'POST' || path !== expectedPath) {
        return json(res, 404, provider === 'openai' ? { error: { message: `Invalid URL (${req.method} ${path})`, type: 'invalid_request_error', code: null } } : { type: 'error', error: { type: 'not_found_error', message: 'Not found' } });
      }
      if (provider === 'openai' && req.headers.authorization !== `Bearer ${apiKey}`) {
        return json(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
      }
      if (provider === 'anthropic') {
        if (req.headers['x-api-key'] !== apiKey) return json(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
        if (!req.headers['anthropic-version']) return json(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return json(res, 400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error' } });
      }
      const messages = (body.messages ?? []) as Array<{ role: string; content: string }>;
      const recorded: RecordedRequest = {
        path,
        headers: req.headers,
        body,
        system: provider === 'openai' ? (messages.find((m) => m.role === 'system')?.content ?? '') : String(body.system ?? ''),
        user: messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n'),
      };
      standin.requests.push(recorded);
      if (typeof body.model !== 'string' || !Array.isArray(body.messages) || (provider === 'anthropic' && typeof body.max_tokens !== 'number')) {
        return json(res, 400, provider === 'openai' ? { error: { message: 'model and messages are required', type: 'invalid_request_error' } } : { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
      }
      const b = standin.reply(recorded);
      if ('hang' in b) return; // never answers; close() ends the socket
      if ('raw' in b) {
        res.writeHead(b.raw.status, { 'content-type': 'application/json' });
        return res.end(b.raw.body);
      }
      if (provider === 'openai') {
        return json(res, 200, {
          id: `chatcmpl-${standin.requests.length}`,
          object: 'chat.completion',
          created: 1_700_000_000,
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: b.text, refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
        });
      }
      return json(res, 200, {
        id: `msg_${standin.requests.length}`,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [{ type: 'text', text: b.text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 100, output_tokens: 20 },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  // OpenAI clients take a base URL that includes /v1; Anthropic's is the host root.
  standin.baseUrl = provider === 'openai' ? `http://127.0.0.1:${port}/v1` : `http://127.0.0.1:${port}`;
  standin.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return standin;
}
