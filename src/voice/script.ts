import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { keywordClassifier, type IntakeClassification } from './classifier.ts';

/**
 * The receptionist's intake script as a pure state machine: given what has
 * been gathered so far and what the caller just said (null: silence), it
 * returns the new state and what to say next. Persisted as JSON per call, so
 * any process can take the next turn. Bounded: each question is re-asked at
 * most `maxReprompts` times and the whole intake at most `maxTurns` turns.
 */
export type IntakeStage = 'name' | 'confirm_number' | 'number' | 'address' | 'problem' | 'done';

export interface TranscriptLine {
  who: 'receptionist' | 'caller';
  text: string;
}

export interface IntakeState {
  stage: IntakeStage;
  /** Re-asks of the current question so far. */
  reprompts: number;
  /** Caller turns so far (answers and silences). */
  turns: number;
  callerNumber: string;
  name: string | null;
  callbackNumber: string | null;
  address: string | null;
  problem: string | null;
  askedForPerson: boolean;
  /** Why the intake ended early, if it did. */
  cutShort: 'turn_limit' | null;
  transcript: TranscriptLine[];
}

export interface ScriptOptions {
  maxReprompts: number;
  maxTurns: number;
  defaultCountry: string;
}

export interface TurnResult {
  state: IntakeState;
  /** What the receptionist says next (a question, or nothing when the intake is done). */
  say: string | null;
}

export function newIntake(callerNumber: string): IntakeState {
  return { stage: 'name', reprompts: 0, turns: 0, callerNumber, name: null, callbackNumber: null, address: null, problem: null, askedForPerson: false, cutShort: null, transcript: [] };
}

const ASKS_FOR_PERSON = /\b(real person|a human|human being|representative|operator|(speak|talk) (to|with) (someone|somebody|a person|a human|the owner|a manager|a technician))\b/i;
const YES = /^(yes|yeah|yep|yup|correct|right|that's right|that is right|sure|it is|that's it|that's correct|uh-huh|ok(ay)?)\b/i;
const NO = /^(no|nope|nah|not really|wrong|that's wrong|it's not|use another|different)\b/i;

/** Speaks a phone number digit by digit, grouped like people say them. */
export function spokenNumber(e164: string): string {
  const national = e164.replace(/^\+1(?=\d{10}$)/, '').replace(/\D/g, '');
  const groups = national.length === 10 ? [national.slice(0, 3), national.slice(3, 6), national.slice(6)] : [national];
  return groups.map((g) => g.split('').join(' ')).join(', ');
}

/** "My name is Dana Whitfield." → "Dana Whitfield" */
export function extractName(speech: string): string | null {
  const cleaned = speech
    .replace(/^(hi|hello|hey|yes|yeah)[,.!\s]+/i, '')
    .replace(/^(my name is|my name's|this is|it's|it is|i am|i'm|name's|the name is|call me)\s+/i, '')
    .replace(/[.!?,]+$/g, '')
    .trim();
  if (!cleaned || cleaned.length > 80 || /\d/.test(cleaned)) return null;
  return cleaned
    .split(/\s+/)
    .slice(0, 4)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

const DIGIT_WORDS: Record<string, string> = { zero: '0', oh: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9' };

/** A phone number in speech ("512 555 0199", "five one two …") as E.164, or null. */
export function extractPhone(speech: string, defaultCountry: string): string | null {
  const digits = speech
    .toLowerCase()
    .split(/[\s,.-]+/)
    .map((w) => DIGIT_WORDS[w] ?? w.replace(/[^\d+]/g, ''))
    .join('');
  if (digits.replace(/\D/g, '').length < 7) return null;
  const parsed = parsePhoneNumberFromString(digits, defaultCountry as CountryCode);
  return parsed?.isValid() ? parsed.number : null;
}

function firstName(state: IntakeState): string {
  return state.name ? `, ${state.name.split(' ')[0]}` : '';
}

/** The question asked at a stage. */
export function question(state: IntakeState): string {
  switch (state.stage) {
    case 'name':
      return 'May I have your name, please?';
    case 'confirm_number':
      return `${state.reprompts || !state.name ? '' : `Thanks${firstName(state)}. `}Is ${spokenNumber(state.callerNumber)} the best number to reach you?`;
    case 'number':
      return 'What is the best number to call you back on?';
    case 'address':
      return 'What is the address where you need service?';
    case 'problem':
      return 'And what is going on? Tell me what is wrong.';
    case 'done':
      return '';
  }
}

const order: IntakeStage[] = ['name', 'confirm_number', 'number', 'address', 'problem', 'done'];

/** Caller ID can be withheld ("anonymous") or not a phone number; then the callback number must be asked. */
export const hasCallerId = (state: IntakeState): boolean => /^\+[1-9]\d{6,14}$/.test(state.callerNumber);
const callerIdOrNull = (state: IntakeState): string | null => (hasCallerId(state) ? state.callerNumber : null);

/** The number to call or text the caller back on, if there is one. */
export const callbackNumberOf = (state: IntakeState): string | null => state.callbackNumber ?? callerIdOrNull(state);

function advance(state: IntakeState, to?: IntakeStage): IntakeState {
  let next = to ?? order[order.indexOf(state.stage) + 1];
  if (next === 'confirm_number' && !hasCallerId(state)) next = 'number';
  if (next === 'number' && state.callbackNumber) next = 'address';
  if (next === 'problem' && state.problem) next = 'done';
  return { ...state, stage: next, reprompts: 0 };
}

function ask(state: IntakeState, prefix = ''): TurnResult {
  if (state.stage === 'done') return { state, say: null };
  const say = `${prefix}${question(state)}`;
  return { state: { ...state, transcript: [...state.transcript, { who: 'receptionist', text: say }] }, say };
}

/** The opening line and first question. */
export function openIntake(state: IntakeState, greeting: string): TurnResult {
  return ask(state, `${greeting} `);
}

/** One caller turn: record what they said, move the intake on, say what comes next. */
export function takeTurn(prev: IntakeState, speech: string | null, opts: ScriptOptions): TurnResult {
  if (prev.stage === 'done') return { state: prev, say: null };
  const heard = speech?.trim() ?? '';
  let state: IntakeState = { ...prev, turns: prev.turns + 1, transcript: heard ? [...prev.transcript, { who: 'caller', text: heard }] : prev.transcript };
  const finishIfOverLimit = (s: IntakeState): TurnResult | null => (s.stage !== 'done' && s.turns >= opts.maxTurns ? { state: { ...s, stage: 'done', cutShort: 'turn_limit' }, say: null } : null);

  if (!heard) {
    if (state.reprompts < opts.maxReprompts) {
      return finishIfOverLimit(state) ?? ask({ ...state, reprompts: state.reprompts + 1 }, "Sorry, I didn't catch that. ");
    }
    // Still nothing: move on without the answer (the number we already have is good enough).
    if (state.stage === 'confirm_number' || state.stage === 'number') state = { ...state, callbackNumber: callerIdOrNull(state) };
    state = advance(state);
    return finishIfOverLimit(state) ?? ask(state, "Let's move on. ");
  }
  if (ASKS_FOR_PERSON.test(heard)) {
    return { state: { ...state, askedForPerson: true, problem: state.problem ?? (state.stage === 'problem' ? heard : null), stage: 'done' }, say: null };
  }
  // An emergency blurted out before the problem question ("I smell gas!" when asked for a name) is
  // the problem, not the answer: keep it, reassure, and ask the same question again.
  if (state.stage !== 'problem' && !state.problem && keywordClassifier.classify(heard).urgency === 'emergency') {
    return finishIfOverLimit(state) ?? ask({ ...state, problem: heard.slice(0, 1000) }, "I understand, that sounds urgent, and we'll get help to you right away. ");
  }
  let prefix = '';
  switch (state.stage) {
    case 'name': {
      const name = extractName(heard);
      if (name) state = advance({ ...state, name });
      else if (state.reprompts < opts.maxReprompts) return finishIfOverLimit(state) ?? ask({ ...state, reprompts: state.reprompts + 1 }, 'Sorry, could you tell me just your first and last name? ');
      else state = advance(state);
      break;
    }
    case 'confirm_number': {
      const spoken = extractPhone(heard, opts.defaultCountry);
      if (spoken) state = advance({ ...state, callbackNumber: spoken }, 'address');
      else if (YES.test(heard)) state = advance({ ...state, callbackNumber: callerIdOrNull(state) }, 'address');
      else if (NO.test(heard)) state = advance(state, 'number');
      else if (state.reprompts < opts.maxReprompts) return finishIfOverLimit(state) ?? ask({ ...state, reprompts: state.reprompts + 1 }, 'Sorry, was that a yes or a no? ');
      else state = advance({ ...state, callbackNumber: callerIdOrNull(state) }, 'address');
      break;
    }
    case 'number': {
      const spoken = extractPhone(heard, opts.defaultCountry);
      if (spoken) state = advance({ ...state, callbackNumber: spoken });
      else if (state.reprompts < opts.maxReprompts) return finishIfOverLimit(state) ?? ask({ ...state, reprompts: state.reprompts + 1 }, 'Sorry, I need the full number with the area code. ');
      else state = advance({ ...state, callbackNumber: callerIdOrNull(state) });
      if (spoken) prefix = 'Got it. ';
      break;
    }
    case 'address':
      state = advance({ ...state, address: heard.replace(/^(it's|it is|the address is|i'm at|we're at)\s+/i, '').slice(0, 200) });
      prefix = 'Thank you. ';
      break;
    case 'problem':
      state = advance({ ...state, problem: heard.slice(0, 1000) });
      break;
  }
  return finishIfOverLimit(state) ?? ask(state, prefix);
}

export type IntakeRoute = 'emergency' | 'routine' | 'callback';

/** Where a finished intake goes. Pure, table-tested. */
export function routeIntake(state: IntakeState, c: IntakeClassification | null): { route: IntakeRoute; reason: string } {
  if (c?.urgency === 'emergency') return { route: 'emergency', reason: c.reasons.join('; ') || 'classified as an emergency' };
  if (state.askedForPerson) return { route: 'callback', reason: 'the caller asked for a person' };
  if (!state.problem) return { route: 'callback', reason: 'the caller did not say what is wrong' };
  // Unclear: no idea what they want, or a guess at the intent without knowing which service it is about.
  const unclear = !c || c.intent === 'unknown' || c.intent === 'speak_to_person' || c.confidence < 0.5 || (!c.serviceType && c.confidence < 0.8);
  if (unclear) return { route: 'callback', reason: `unclear request${c ? ` (${c.reasons.join('; ')})` : ''}` };
  return { route: 'routine', reason: `${c.urgency} ${c.intent}${c.serviceType ? ` (${c.serviceType})` : ''}` };
}

/**
 * Everything the caller has said so far (the problem first, then each answer),
 * for classifying a call that ended before the intake did: an emergency given
 * as an answer to another question still counts.
 */
export function callerWords(state: IntakeState): string {
  const lines = state.transcript.filter((l) => l.who === 'caller').map((l) => l.text);
  return [...new Set([state.problem, ...lines].filter((t): t is string => Boolean(t?.trim())))].join('. ');
}

/** The summary a technician or the office reads. */
export function intakeSummary(state: IntakeState, c: IntakeClassification | null): string {
  const parts = [
    `Caller: ${state.name ?? 'name not given'}`,
    `Callback: ${callbackNumberOf(state) ?? 'no number (caller ID withheld)'}`,
    `Address: ${state.address ?? 'not given'}`,
    `Problem: ${state.problem ?? 'not given'}`,
  ];
  if (c) parts.push(`Assessed: ${c.urgency}${c.serviceType ? `, ${c.serviceType.replace(/_/g, ' ')}` : ''}`);
  return parts.join('\n');
}
