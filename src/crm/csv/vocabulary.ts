import type { Executor } from '../../db/database.ts';

/** The comparison key of a vocabulary value: case, accents, spacing, "_" and "-" do not matter ("Google Ads" = "google_ads"). */
export const vocabularyKey = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s_\-]+/g, ' ')
    .trim();

/**
 * Spells imported values the way the business already does, so "Website",
 * "website" and "WEBSITE " are one source in filters and metrics. A value the
 * business has never used keeps the spelling of its first row in the file
 * (with its spacing tidied), and later rows follow it.
 */
export class Vocabulary {
  private constructor(private readonly sources: Map<string, string>) {}

  /** The business's sources, the most used spelling of each. */
  static async load(db: Executor, businessId: string): Promise<Vocabulary> {
    const rows = await db
      .selectFrom('contacts')
      .select((eb) => ['source', eb.fn.countAll<number>().as('n')])
      .where('business_id', '=', businessId)
      .where('source', 'is not', null)
      .groupBy('source')
      .execute();
    const best = new Map<string, { value: string; n: number }>();
    for (const r of rows) {
      if (!r.source) continue;
      const key = vocabularyKey(r.source);
      const n = Number(r.n);
      const seen = best.get(key);
      if (!seen || n > seen.n || (n === seen.n && r.source < seen.value)) best.set(key, { value: r.source, n });
    }
    return new Vocabulary(new Map([...best].map(([k, v]) => [k, v.value])));
  }

  static empty(): Vocabulary {
    return new Vocabulary(new Map());
  }

  source(text: string): string {
    const tidy = text.trim().replace(/\s+/g, ' ');
    const key = vocabularyKey(tidy);
    if (key === '') return tidy;
    const known = this.sources.get(key);
    if (known !== undefined) return known;
    if (this.sources.size < 10_000) this.sources.set(key, tidy);
    return tidy;
  }
}
