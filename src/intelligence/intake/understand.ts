/**
 * Classification for a business: the offline classifier (with the business's
 * services and corrections) always runs; when an LLM is configured it refines
 * intent and service type. Any LLM failure (timeout, HTTP error, malformed
 * reply) falls back to the offline answer. Never called inside a transaction.
 */
import { z } from 'zod';
import type { Logger } from '../../context.ts';
import { LlmFailure, extractJsonObject, type LlmClient } from '../llm/provider.ts';
import { classificationPrompt } from '../llm/prompts.ts';
import { classifyIntake, type IntakeClassification, type IntakeCorrection } from './classify.ts';
import { INTENTS, SERVICE_KEYS, URGENCIES, type Urgency } from './labels.ts';
import type { BusinessService } from './services.ts';

export interface Understanding {
  result: IntakeClassification;
  provider: string;
  fallbackReason: string | null;
}

const severity: Record<Urgency, number> = { routine: 0, urgent: 1, emergency: 2 };

export async function understandMessage(
  deps: { llm: LlmClient | null; log: Logger },
  text: string,
  opts: { services?: readonly BusinessService[]; corrections?: readonly IntakeCorrection[] } = {},
): Promise<Understanding> {
  const offline = classifyIntake(text, { services: opts.services, corrections: opts.corrections });
  if (!deps.llm || !text.trim()) return { result: offline, provider: 'offline', fallbackReason: null };
  // A person already corrected a message like this one: their answer beats any model.
  if (offline.reasons.some((r) => r.startsWith('matches a message this business corrected'))) return { result: offline, provider: 'offline', fallbackReason: null };
  const serviceKeys = [...new Set([...(opts.services ?? []).map((s) => s.key), ...SERVICE_KEYS])];
  const answerSchema = z.object({
    urgency: z.enum(URGENCIES),
    intent: z.enum(INTENTS),
    serviceType: z.string().nullable().optional().transform((v) => (v && serviceKeys.includes(v) ? v : null)),
    confidence: z.number().min(0).max(1).optional(),
  });
  try {
    const prompt = classificationPrompt(text, (opts.services ?? []).map((s) => s.key));
    const reply = await deps.llm.complete({ ...prompt, maxTokens: 200 });
    const parsed = answerSchema.safeParse(extractJsonObject(reply.text));
    if (!parsed.success) throw new LlmFailure('malformed', `reply does not match the label sets (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')})`);
    const a = parsed.data;
    // The LLM may raise urgency but never lower it below the offline answer: emergency rules are the safety net.
    const urgency = severity[a.urgency] >= severity[offline.urgency] ? a.urgency : offline.urgency;
    // A message the rules call an emergency is never thrown away as spam, whoever says so.
    const ruled = offline.reasons.some((r) => r.startsWith('emergency:'));
    const intent = ruled && a.intent === 'spam' ? 'new_service' : a.intent;
    const confidence = Math.min(a.confidence ?? 0.8, 0.99);
    return {
      provider: reply.provider,
      fallbackReason: null,
      result: {
        urgency,
        intent,
        serviceType: a.serviceType ?? offline.serviceType,
        confidence: Math.round(confidence * 1000) / 1000,
        reasons: [...offline.reasons.filter((r) => r.startsWith('emergency:')), `${reply.provider} model ${reply.model}: ${a.urgency} ${intent}`],
        confidences: { urgency: confidence, intent: confidence, serviceType: a.serviceType ? confidence : offline.confidences.serviceType },
        modelVersion: `${offline.modelVersion}+${reply.provider}:${reply.model}`,
      },
    };
  } catch (err) {
    const reason = err instanceof LlmFailure ? `${err.kind}: ${err.message}` : `error: ${(err as Error).message}`;
    deps.log.warn({ provider: deps.llm.provider, reason }, 'LLM classification failed; using the offline classifier');
    return { result: offline, provider: 'offline', fallbackReason: reason };
  }
}
