/**
 * Relationship strength from the touches between two parties: recency,
 * frequency, reciprocity (they reply / they initiate) and channel depth; and
 * going-cold detection against the relationship's own rhythm. Pure.
 */
export interface Touch {
  at: number;
  direction: 'inbound' | 'outbound' | null;
  channel: string;
}

export interface Strength {
  /** 0–100. */
  strength: number;
  touches: number;
  lastTouchAt: string | null;
  daysSinceLastTouch: number | null;
  touchesLast180Days: number;
  /** Share of two-way touches that came from the contact (0–1). */
  theyInitiate: number;
  channels: string[];
  /** The relationship's usual gap between touches (median, days); null with fewer than three touches. */
  usualGapDays: number | null;
  cooling: boolean;
  parts: { recency: number; frequency: number; reciprocity: number; depth: number };
}

const DAY = 86_400_000;
/** Face-to-face and voice carry more than a text or an email. */
const channelWeight: Record<string, number> = { in_person: 1, site_visit: 1, meeting: 1, phone: 0.8, call: 0.8, sms: 0.5, email: 0.4, web: 0.3 };

export function relationshipStrength(touches: Touch[], now: number): Strength {
  const past = touches.filter((t) => t.at <= now && Number.isFinite(t.at)).sort((a, b) => a.at - b.at);
  if (!past.length) {
    return { strength: 0, touches: 0, lastTouchAt: null, daysSinceLastTouch: null, touchesLast180Days: 0, theyInitiate: 0, channels: [], usualGapDays: null, cooling: false, parts: { recency: 0, frequency: 0, reciprocity: 0, depth: 0 } };
  }
  const last = past[past.length - 1].at;
  const since = (now - last) / DAY;
  const recent = past.filter((t) => t.at > now - 180 * DAY).length;
  const inbound = past.filter((t) => t.direction === 'inbound').length;
  const outbound = past.filter((t) => t.direction === 'outbound').length;
  const twoWay = inbound + outbound;
  const theyInitiate = twoWay ? inbound / twoWay : 0;
  const channels = [...new Set(past.map((t) => t.channel))].sort();
  const recency = Math.exp(-since / 90);
  const frequency = 1 - Math.exp(-(recent + 0.25 * (past.length - recent)) / 6);
  // Balanced (they reply and reach out as much as we do) is strongest; one-way is weakest.
  const reciprocity = twoWay ? 1 - Math.abs(0.5 - theyInitiate) * 2 * 0.8 : 0.2;
  const depth = Math.min(1, channels.reduce((s, c) => s + (channelWeight[c] ?? 0.3), 0) / 2);
  const strength = Math.round(100 * (0.35 * recency + 0.3 * frequency + 0.2 * reciprocity + 0.15 * depth));
  const gaps = past.slice(1).map((t, i) => (t.at - past[i].at) / DAY).filter((g) => g > 0.5);
  const usualGapDays = gaps.length >= 2 ? median(gaps) : null;
  // Cold: silent for well over its own usual rhythm (and at least three weeks), after being a real relationship.
  const cooling = usualGapDays !== null && since > Math.max(2 * usualGapDays, 21) && since < 3 * 365;
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return {
    strength,
    touches: past.length,
    lastTouchAt: new Date(last).toISOString(),
    daysSinceLastTouch: Math.round(since),
    touchesLast180Days: recent,
    theyInitiate: r2(theyInitiate),
    channels,
    usualGapDays: usualGapDays === null ? null : Math.round(usualGapDays),
    cooling,
    parts: { recency: r2(recency), frequency: r2(frequency), reciprocity: r2(reciprocity), depth: r2(depth) },
  };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
