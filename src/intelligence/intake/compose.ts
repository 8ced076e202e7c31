/**
 * Writes the reply draft: from the LLM when configured (grounded in the
 * contact's history and the business's voice), from the intent's template
 * otherwise or whenever the LLM fails. Never called inside a transaction.
 */
import { z } from 'zod';
import type { Logger } from '../../context.ts';
import { LlmFailure, extractJsonObject, type LlmClient } from '../llm/provider.ts';
import { draftPrompt, type DraftContext } from '../llm/prompts.ts';

export interface ComposedReply {
  body: string;
  subject: string | null;
  source: 'llm' | 'template';
  provider: string | null;
  model: string | null;
  fallbackReason: string | null;
}

export async function composeReply(deps: { llm: LlmClient | null; log: Logger }, d: DraftContext & { fallbackSubject: string | null }): Promise<ComposedReply> {
  const template: ComposedReply = { body: d.fallback, subject: d.fallbackSubject, source: 'template', provider: null, model: null, fallbackReason: null };
  if (!deps.llm) return template;
  const schema = z.object({ body: z.string().trim().min(1).max(d.channel === 'sms' ? 640 : 5000), subject: z.string().trim().min(1).max(200).optional() });
  try {
    const reply = await deps.llm.complete(draftPrompt(d));
    const parsed = schema.safeParse(extractJsonObject(reply.text));
    if (!parsed.success) throw new LlmFailure('malformed', 'reply has no usable "body"');
    return {
      body: parsed.data.body,
      subject: d.channel === 'email' ? (parsed.data.subject ?? d.fallbackSubject) : null,
      source: 'llm',
      provider: reply.provider,
      model: reply.model,
      fallbackReason: null,
    };
  } catch (err) {
    const reason = err instanceof LlmFailure ? `${err.kind}: ${err.message}` : `error: ${(err as Error).message}`;
    deps.log.warn({ provider: deps.llm.provider, reason }, 'LLM draft failed; using the template');
    return { ...template, fallbackReason: reason };
  }
}
