import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { optionalExport } from './optional-export.ts';
import { extractName, extractPhone, question, type IntakeStage, type IntakeState, type TurnResult } from './script.ts';

/**
 * Optional: with an LLM configured, each caller turn is also read by the LLM,
 * which may pick out several answers from one sentence. The script keeps the
 * questions, the routing and the bounds; the LLM only fills gaps, and gets at
 * most a fixed time budget per turn. Any failure leaves the script's turn as is.
 */
interface LlmLike {
  readonly model: string;
  complete(req: { system: string; user: string; maxTokens?: number }): Promise<{ text: string }>;
}

type CreateClient = (config: unknown) => LlmLike | null;

const loadProvider = optionalExport<CreateClient>('../intelligence/llm/provider.ts', 'createLlmClient');

/** The configured LLM client, or null in offline mode (no provider configured or installed). */
export async function voiceLlm(ctx: AppContext): Promise<LlmLike | null> {
  const config = (ctx.config as { llm?: unknown }).llm;
  if (!config) return null;
  const create = await loadProvider();
  return create ? create(config) : null;
}

const readingSchema = z.object({
  name: z.string().trim().min(1).max(80).nullable().optional(),
  callbackNumber: z.string().trim().max(40).nullable().optional(),
  address: z.string().trim().min(3).max(200).nullable().optional(),
  problem: z.string().trim().min(3).max(1000).nullable().optional(),
  wantsPerson: z.boolean().nullable().optional(),
});
export type TurnReading = z.infer<typeof readingSchema>;

const SYSTEM = [
  'You read one thing a caller said to a home-services company\'s phone receptionist.',
  'Reply with one JSON object only: {"name": string|null, "callbackNumber": string|null, "address": string|null, "problem": string|null, "wantsPerson": boolean}.',
  'Fill a field only when the caller clearly said it in this utterance: their own name, a phone number to call back, the service address, what is wrong or what they need.',
  'wantsPerson is true only when they ask to speak to a human. Never invent anything.',
].join(' ');

function firstJsonObject(text: string): unknown {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  try {
    return JSON.parse(text.slice(start, end + 1));
  } catch {
    return null;
  }
}

/** Asks the LLM to read one utterance; null on timeout, error or an unusable answer. */
export async function readTurn(llm: LlmLike, state: IntakeState, speech: string, budgetMs: number): Promise<TurnReading | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), budgetMs);
  });
  try {
    const reply = await Promise.race([llm.complete({ system: SYSTEM, user: JSON.stringify({ question: question(state), utterance: speech }), maxTokens: 300 }), timeout]);
    if (!reply) return null;
    const parsed = readingSchema.safeParse(firstJsonObject(reply.text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

const answered = (s: IntakeState, stage: IntakeStage): boolean =>
  stage === 'name' ? Boolean(s.name) : stage === 'confirm_number' || stage === 'number' ? Boolean(s.callbackNumber) : stage === 'address' ? Boolean(s.address) : stage === 'problem' ? Boolean(s.problem) : false;

const stages: IntakeStage[] = ['name', 'confirm_number', 'number', 'address', 'problem', 'done'];

/**
 * Adds what the LLM read to the script's turn: fills empty fields only, skips
 * questions that are now answered, and re-asks nothing. Pure.
 */
export function applyReading(turn: TurnResult, reading: TurnReading, defaultCountry: string): TurnResult {
  if (turn.state.stage === 'done') return turn;
  let s: IntakeState = { ...turn.state };
  if (reading.wantsPerson) return { state: { ...s, askedForPerson: true, stage: 'done' }, say: null };
  if (!s.name && reading.name) s.name = extractName(reading.name);
  if (!s.callbackNumber && reading.callbackNumber) s.callbackNumber = extractPhone(reading.callbackNumber, defaultCountry);
  if (!s.address && reading.address) s.address = reading.address;
  if (!s.problem && reading.problem) s.problem = reading.problem;
  let stage = s.stage;
  while (stage !== 'done' && answered(s, stage)) stage = stages[stages.indexOf(stage) + 1];
  // Both number questions are settled by one known number; "confirm" is only skipped when the caller gave one.
  if (stage === 'number' && s.callbackNumber) stage = 'address';
  while (stage !== 'done' && answered(s, stage)) stage = stages[stages.indexOf(stage) + 1];
  if (stage === s.stage) return { state: s, say: turn.say };
  s = { ...s, stage, reprompts: 0 };
  const transcript = turn.say ? s.transcript.slice(0, -1) : s.transcript; // replace the question the script was about to ask
  if (stage === 'done') return { state: { ...s, transcript }, say: null };
  const say = question(s);
  return { state: { ...s, transcript: [...transcript, { who: 'receptionist', text: say }] }, say };
}
