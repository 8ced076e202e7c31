import { createHash } from 'node:crypto';
import { REVIEW_BODIES } from './catalog.ts';

/**
 * How the demo's customers and technicians answer what Kinetic sends them.
 * Pure: each decision is drawn from a hash of the seed and what the message
 * was (who, which playbook, which step, the how-many-th), never from ids or
 * the order rows come back in, so a seed always gives the same replies.
 */
export class ReactionDraw {
  private readonly words: number[];
  private next = 0;

  constructor(seed: number, key: string) {
    const h = createHash('sha256').update(`${seed}:${key}`).digest();
    this.words = Array.from({ length: 8 }, (_, i) => h.readUInt32BE(i * 4));
  }

  float(): number {
    return this.words[this.next++ % this.words.length] / 2 ** 32;
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  between(a: number, b: number): number {
    return a + (b - a) * this.float();
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }
}

const MINUTE = 60_000;

export type Reaction =
  | { kind: 'reply'; afterMs: number; body: string }
  /** They reply yes and the office books them (a tune-up, or a repair they had put off). */
  | { kind: 'reply_and_book'; afterMs: number; body: string; bookAfterMs: number; serviceType: 'tune_up' | 'ac_repair' | 'furnace_repair' }
  /** They leave the review on Google; the office records it. */
  | { kind: 'google_review'; afterMs: number; rating: number; body: string }
  | { kind: 'none' };

/** A rating drawn like real review sites: mostly five stars, a few unhappy customers. */
function rating(d: ReactionDraw): number {
  const r = d.float() * 100;
  return r < 70 ? 5 : r < 88 ? 4 : r < 93 ? 3 : r < 96 ? 2 : 1;
}

const fill = (template: string, tech: string) => template.replace(/\{tech\}/g, tech);

/** What a customer does with a text from a playbook (`step`: its index in the automation; `nth`: their how-many-th from it). */
export function customerReaction(seed: number, m: { contactKey: string; playbook: string | null; step: number | null; nth: number; variant: string | null; month: number; tech: string }): Reaction {
  const d = new ReactionDraw(seed, `${m.contactKey}:${m.playbook}:${m.step}:${m.nth}`);
  const soon = (a: number, b: number) => Math.round(d.between(a, b) * MINUTE);
  switch (m.playbook) {
    case 'speed-to-lead':
      if (d.chance(m.nth === 1 ? 0.22 : 0.07)) return { kind: 'reply', afterMs: soon(2, 90), body: d.pick(['Yes please, can someone come out this week?', 'Thanks! What does a service call cost?', 'Can you do Thursday afternoon?', 'Yes, still need help. Please call me.']) };
      return { kind: 'none' };
    case 'missed-call-text-back':
      if (d.chance(0.35)) return { kind: 'reply', afterMs: soon(1, 40), body: d.pick(['Yes please call me back', 'Sorry, I called about my AC. Call me when you can', 'Need someone to look at the furnace, call back please']) };
      return { kind: 'none' };
    case 'appointment-reminders':
      if (m.step !== null && m.step <= 3 && d.chance(0.45)) return { kind: 'reply', afterMs: soon(5, 180), body: d.pick(['C', 'C', 'Confirmed, thanks', 'Yes see you then']) };
      return { kind: 'none' };
    case 'review-request': {
      const first = m.nth === 1;
      if (d.chance(first ? 0.3 : 0.12)) {
        const r = rating(d);
        return { kind: 'reply', afterMs: soon(10, 600), body: `${r} stars. ${fill(d.pick(REVIEW_BODIES[r]), m.tech)}` };
      }
      if (first && d.chance(0.12)) {
        const r = rating(d);
        return { kind: 'google_review', afterMs: soon(60, 2 * 24 * 60), rating: r, body: fill(d.pick(REVIEW_BODIES[r]), m.tech) };
      }
      return { kind: 'none' };
    }
    case 'quote-follow-up':
      if (d.chance(0.18)) return { kind: 'reply', afterMs: soon(20, 300), body: d.pick(['Can you walk me through the financing options?', 'Still thinking it over, is the price firm?', 'We are comparing one more quote, will let you know']) };
      return { kind: 'none' };
    case 'dormant-reactivation':
    case 'maintenance-reminder': {
      const replies = m.playbook === 'dormant-reactivation' && m.variant === 'b' ? 0.14 : 0.1;
      if (d.chance(replies)) {
        const repair = d.chance(0.25);
        // A repair they had put off: AC in the warm months, the furnace in the cold ones.
        const serviceType = repair ? (m.month >= 4 && m.month <= 10 ? 'ac_repair' : 'furnace_repair') : 'tune_up';
        return { kind: 'reply_and_book', afterMs: soon(10, 240), body: d.pick(['YES', 'Yes please, we are due', 'Yes! Mornings are best for us']), bookAfterMs: soon(30, 180), serviceType };
      }
      return { kind: 'none' };
    }
    default:
      return { kind: 'none' };
  }
}

/** The on-call technician takes an emergency page by replying OK within a few minutes. */
export function pageAnswer(seed: number, key: string): { afterMs: number; body: string } {
  const d = new ReactionDraw(seed, `page:${key}`);
  return { afterMs: Math.round(d.between(1, 7) * MINUTE), body: d.pick(['OK', '1', 'OK on my way']) };
}

/** A price for a booked visit, near the service's average ticket. */
export function visitPrice(seed: number, key: string, avgCents: number): number {
  const d = new ReactionDraw(seed, `price:${key}`);
  return Math.max(8_900, Math.round((avgCents * d.between(0.7, 1.35)) / 500) * 500);
}
