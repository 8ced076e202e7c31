/**
 * What a customer's reply means for the sequence waiting on it: confirm,
 * reschedule or cancel an appointment, a 1–5 rating, and whether it reads as
 * unhappy. Pure and table-tested; deliberately simple keyword rules that work
 * with no AI key (an LLM classifier can replace it later).
 */
export type ReplyIntent = 'confirm' | 'reschedule' | 'cancel' | 'other';

export interface ReplyReading {
  text: string;
  intent: ReplyIntent;
  /** 1–5 when the reply carries a rating ("5", "4 stars", "3/5", "10/10" → 5). */
  rating: number | null;
  /** Unhappy words, or a rating of 3 or less. */
  negative: boolean;
}

const CONFIRM = /^(c|y|yes|yep|yeah|yup|ok|okay|confirm(ed)?|sure|sounds good|see you( then)?|we'?ll be (there|home)|i'?ll be (there|home)|perfect|great|👍)\b/i;
const RESCHEDULE = /\b(r|reschedule|re-schedule|change (the )?(time|date|day)|another (time|day)|different (time|day)|move (it|the appointment)|can'?t make it|cannot make it|won'?t make it|push (it )?back)\b/i;
const CANCEL = /^(cancel|cancel it|please cancel)\b|\bcancel (the|my) appointment\b/i;
const NEGATIVE = /\b(bad|terrible|awful|horrible|worst|poor|rude|late|never showed|no show|disappointed|disappointing|unhappy|not happy|angry|upset|overcharged|rip ?off|scam|broke|broken|still (not|doesn'?t|isn'?t) working|didn'?t (fix|work)|not (fixed|working)|waste|unprofessional|dirty|mess|complain(t)?)\b/i;

function readRating(text: string): number | null {
  const t = text.trim();
  const outOf = t.match(/\b(\d{1,2})\s*(?:\/|out of)\s*(5|10)\b/i);
  if (outOf) {
    const n = Number(outOf[1]);
    const scale = Number(outOf[2]);
    if (n >= 0 && n <= scale) return Math.max(1, Math.round((n / scale) * 5));
  }
  const stars = t.match(/\b([1-5])\s*(?:stars?|⭐)/i) ?? t.match(/^([1-5])(?:\s*[!.]*)?(?:\s|$)/);
  if (stars) return Number(stars[1]);
  const starEmoji = [...t].filter((ch) => ch === '⭐' || ch === '★').length;
  if (starEmoji >= 1 && starEmoji <= 5) return starEmoji;
  return null;
}

export function readReply(raw: string): ReplyReading {
  const text = raw.trim().slice(0, 2000);
  const rating = readRating(text);
  const intent: ReplyIntent = CANCEL.test(text) ? 'cancel' : RESCHEDULE.test(text) ? 'reschedule' : CONFIRM.test(text) ? 'confirm' : 'other';
  const negative = (rating !== null && rating <= 3) || NEGATIVE.test(text);
  return { text, intent, rating, negative };
}
