/** The labelled intake messages that ship with Kinetic (JSONL, one message per line). */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { INTENTS, URGENCIES, type IntakeLabel } from './labels.ts';

const row = z.object({
  text: z.string().min(1),
  urgency: z.enum(URGENCIES),
  intent: z.enum(INTENTS),
  serviceType: z.string().nullable(),
  channel: z.enum(['sms', 'email', 'voicemail', 'call', 'web']).optional(),
});

export function parseJsonl(source: string, name: string): IntakeLabel[] {
  return source
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line.length > 0)
    .map(([line, n]) => {
      const parsed = row.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${name}:${n}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return parsed.data;
    });
}

const cache = new Map<string, IntakeLabel[]>();
export function loadDataset(split: 'train' | 'test'): IntakeLabel[] {
  let rows = cache.get(split);
  if (!rows) {
    rows = parseJsonl(readFileSync(new URL(`./data/${split}.jsonl`, import.meta.url), 'utf8'), `${split}.jsonl`);
    cache.set(split, rows);
  }
  return rows;
}
