/** The labelled intake messages that ship with Kinetic (JSONL, one message per line). */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { INTENTS, URGENCIES, VERTICALS, type IntakeLabel } from './labels.ts';

const row = z.object({
  text: z.string().min(1),
  urgency: z.enum(URGENCIES),
  intent: z.enum(INTENTS),
  serviceType: z.string().nullable(),
  channel: z.enum(['sms', 'email', 'voicemail', 'call', 'web']).optional(),
  vertical: z.enum(VERTICALS).optional(),
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

/**
 * `train`: what the shipped model learns from. `test`: the original held-out set.
 * `verticals`: a second held-out set written for every vertical the product names (HVAC, plumbing,
 * electrical, dental, med spa, law, plus spam and injection), each row tagged with its vertical;
 * written before the model's errors on it were looked at and not edited after.
 */
export type DatasetSplit = 'train' | 'test' | 'verticals';

const FILES: Record<DatasetSplit, string> = { train: 'train.jsonl', test: 'test.jsonl', verticals: 'verticals-test.jsonl' };
const cache = new Map<string, IntakeLabel[]>();
export function loadDataset(split: DatasetSplit): IntakeLabel[] {
  let rows = cache.get(split);
  if (!rows) {
    rows = parseJsonl(readFileSync(new URL(`./data/${FILES[split]}`, import.meta.url), 'utf8'), FILES[split]);
    cache.set(split, rows);
  }
  return rows;
}
