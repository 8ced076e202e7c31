/**
 * A minimal client for the two LLM HTTP APIs Kinetic speaks: OpenAI-compatible
 * `POST {base}/chat/completions` (Bearer auth) and Anthropic
 * `POST {base}/v1/messages` (x-api-key + anthropic-version). Plain fetch, not
 * the vendor SDKs: one non-streaming call each, and we want exactly one
 * attempt under a hard timeout (callers fall back to templates and the
 * offline classifier), no hidden retries, and no extra dependencies.
 * The API key is only ever placed in the request header; it is never logged
 * or included in errors.
 */
import type { LlmConfig } from '../../config.ts';

export const ANTHROPIC_VERSION = '2023-06-01';

export type LlmFailureKind = 'timeout' | 'http' | 'network' | 'malformed';

export class LlmFailure extends Error {
  readonly kind: LlmFailureKind;
  constructor(kind: LlmFailureKind, message: string) {
    super(message);
    this.name = 'LlmFailure';
    this.kind = kind;
  }
}

export interface LlmRequest {
  system: string;
  user: string;
  maxTokens?: number;
}

export interface LlmReply {
  text: string;
  provider: LlmConfig['provider'];
  model: string;
}

export interface LlmClient {
  readonly provider: LlmConfig['provider'];
  readonly model: string;
  complete(req: LlmRequest): Promise<LlmReply>;
}

async function post(url: string, headers: Record<string, string>, body: unknown, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new LlmFailure('timeout', `no answer within ${timeoutMs} ms`);
    throw new LlmFailure('network', `could not reach the LLM endpoint (${(err as Error).message})`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    const name = (err as Error).name;
    throw new LlmFailure(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network', `reading the LLM response failed (${name})`);
  }
  if (!res.ok) {
    let detail = '';
    try {
      const j = JSON.parse(text) as { error?: { message?: unknown } | string };
      detail = typeof j.error === 'string' ? j.error : typeof j.error?.message === 'string' ? j.error.message : '';
    } catch {
      /* not JSON: status alone */
    }
    throw new LlmFailure('http', `LLM endpoint answered HTTP ${res.status}${detail ? `: ${detail.slice(0, 200)}` : ''}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new LlmFailure('malformed', 'LLM endpoint answered with something that is not JSON');
  }
}

/** How one provider's API is called and read: the only part that differs between them. */
interface WireFormat {
  path: string;
  headers(apiKey: string | null): Record<string, string>;
  body(model: string, req: LlmRequest): unknown;
  /** The reply's text; throws LlmFailure('malformed') when it has none. */
  text(json: unknown): string;
}

const wireFormats: Record<LlmConfig['provider'], WireFormat> = {
  openai: {
    path: '/chat/completions',
    headers: (apiKey): Record<string, string> => (apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    body: (model, req) => ({
      model,
      messages: [
        { role: 'system', content: req.system },
        { role: 'user', content: req.user },
      ],
      temperature: 0.2,
      max_tokens: req.maxTokens ?? 600,
      response_format: { type: 'json_object' },
    }),
    text(json) {
      const content = (json as { choices?: Array<{ message?: { content?: unknown } }> })?.choices?.[0]?.message?.content;
      if (typeof content !== 'string' || !content.trim()) throw new LlmFailure('malformed', 'chat completion has no choices[0].message.content');
      return content;
    },
  },
  anthropic: {
    path: '/v1/messages',
    headers: (apiKey) => ({ ...(apiKey ? { 'x-api-key': apiKey } : {}), 'anthropic-version': ANTHROPIC_VERSION }),
    body: (model, req) => ({ model, max_tokens: req.maxTokens ?? 600, system: req.system, messages: [{ role: 'user', content: req.user }], temperature: 0.2 }),
    text(json) {
      const blocks = (json as { content?: Array<{ type?: unknown; text?: unknown }> })?.content;
      const text = Array.isArray(blocks) ? blocks.filter((b) => b?.type === 'text' && typeof b.text === 'string').map((b) => b.text as string).join('') : '';
      if (!text.trim()) throw new LlmFailure('malformed', 'message has no text content block');
      return text;
    },
  },
};

/** The configured client, or null when no provider is configured (offline mode). */
export function createLlmClient(config: LlmConfig | null): LlmClient | null {
  if (!config) return null;
  const wire = wireFormats[config.provider];
  return {
    provider: config.provider,
    model: config.model,
    async complete(req) {
      const json = await post(`${config.baseUrl}${wire.path}`, wire.headers(config.apiKey), wire.body(config.model, req), config.timeoutMs);
      return { text: wire.text(json), provider: config.provider, model: config.model };
    },
  };
}

/**
 * The first JSON object in a model's reply (models sometimes wrap JSON in
 * prose or ``` fences). Throws LlmFailure('malformed') when there is none.
 */
export function extractJsonObject(text: string): Record<string, unknown> {
  const fenced = text.match(/```(?:json)?\s*([\s\S]*?)```/);
  const candidate = fenced ? fenced[1] : text;
  const start = candidate.indexOf('{');
  const end = candidate.lastIndexOf('}');
  if (start < 0 || end <= start) throw new LlmFailure('malformed', 'reply holds no JSON object');
  try {
    const v = JSON.parse(candidate.slice(start, end + 1)) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new LlmFailure('malformed', 'reply holds no valid JSON object');
}
