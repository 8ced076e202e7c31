/**
 * Inbound-message keywords (CTIA / carrier practice, as Twilio applies them):
 * a message that is exactly one keyword changes consent; plain-language
 * revocations ("please stop texting me") count as opt-outs too (FCC 2024
 * revocation rule: any reasonable way of saying no). "Can you stop by at 3?"
 * is not an opt-out.
 */
export type KeywordIntent = 'opt_out' | 'opt_in' | 'help' | null;

export const OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'] as const;
export const OPT_IN_KEYWORDS = ['START', 'UNSTOP', 'YES'] as const;
export const HELP_KEYWORDS = ['HELP', 'INFO'] as const;

const revocationPatterns: RegExp[] = [
  /\b(stop|quit|cease|no more)\s+(texting|texts?|messaging|messages?|contacting|calling|sending|spamming|sms)\b/,
  /\bdo\s*n[o']?t\s+(text|message|contact|call|sms|email)\s+(me|us)\b/,
  /\b(remove|take|delete)\s+(me|my number|us)\s+(off|from)\b/,
  /\bunsubscribe\b/,
  /\bopt\s*(me\s*)?out\b/,
  /\bleave me alone\b/,
  /\bnot interested,? (please )?stop\b/,
  /^stop[\s.!]*(please|pls|now|it)?[\s.!]*$/,
  /^(please|pls)\s+stop[\s.!]*$/,
];

/** Normalises a message body the way carriers compare keywords: trimmed, upper-cased, trailing punctuation dropped. */
const keywordForm = (body: string): string => body.trim().replace(/[.!?\s]+$/g, '').replace(/^[\s"'“”]+|[\s"'“”]+$/g, '').toUpperCase();

export function classifyKeyword(body: string): KeywordIntent {
  const word = keywordForm(body);
  if ((OPT_OUT_KEYWORDS as readonly string[]).includes(word) || word === 'OPT OUT' || word === 'STOP ALL') return 'opt_out';
  if ((OPT_IN_KEYWORDS as readonly string[]).includes(word)) return 'opt_in';
  if ((HELP_KEYWORDS as readonly string[]).includes(word)) return 'help';
  const text = body.toLowerCase().replace(/\s+/g, ' ').trim();
  if (text.length <= 160 && revocationPatterns.some((p) => p.test(text))) return 'opt_out';
  return null;
}
