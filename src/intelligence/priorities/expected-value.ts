/** Expected value of working an opportunity now: probability × ticket × decay with age. Pure. */
export function decay(ageDays: number, halfLifeDays: number): number {
  return Math.pow(0.5, Math.max(0, ageDays) / halfLifeDays);
}

export function expectedValueCents(probability: number, ticketCents: number, ageDays: number, halfLifeDays: number): number {
  return Math.round(probability * ticketCents * decay(ageDays, halfLifeDays));
}

/** Typical ticket per service type from completed jobs (median), with the business-wide median as the fallback. */
export function typicalTickets(jobs: Array<{ serviceType: string; status: string; amountCents: number | null }>, fallbackCents = 35_000): { byService: Map<string, number>; overall: number } {
  const groups = new Map<string, number[]>();
  const all: number[] = [];
  for (const j of jobs) {
    if (j.status !== 'completed' || !j.amountCents) continue;
    all.push(j.amountCents);
    const list = groups.get(j.serviceType);
    if (list) list.push(j.amountCents);
    else groups.set(j.serviceType, [j.amountCents]);
  }
  const med = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return s[s.length >> 1];
  };
  const overall = all.length ? med(all) : fallbackCents;
  return { byService: new Map([...groups].filter(([, v]) => v.length >= 3).map(([k, v]) => [k, med(v)])), overall };
}

export const dollars = (cents: number) => `$${Math.round(cents / 100).toLocaleString('en-US')}`;
