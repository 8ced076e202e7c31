import type { AppContext, Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import { notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { churnExamples, churnRecord, dealExamples, dealRecord, indexHistory, leadExamples, leadMoments, leadRecord, type Examples, type FeatureRecord, type Indexed } from './builtin-features.ts';
import { loadHistory, type History } from './builtin-history.ts';
import { predictPrior, priors } from './builtin-priors.ts';
import { metricsOf } from './metrics.ts';
import { predictRecords, type Prediction, type SavedModel } from './model.ts';
import type { Table } from './schema.ts';
import { trainModelOffThread } from './off-thread.ts';

/** The models every business gets, trained on its own history. */
export const builtinModels = {
  lead_conversion: { title: 'Lead conversion', description: 'Will this lead book a job within 14 days of the inquiry?', examples: leadExamples },
  churn: { title: 'Churn / dormancy risk', description: 'Will this customer go 12 months without another job?', examples: churnExamples },
  deal_stall: { title: 'Deal stall risk', description: 'Will this open deal fail to close as won in the next 45 days?', examples: dealExamples },
} as const;
export type BuiltinModel = keyof typeof builtinModels;
export const builtinNames = Object.keys(builtinModels) as BuiltinModel[];

/** Below this much history a prior model is used instead of a trained one. */
export const minTrainingRows = 150;
export const minRowsPerClass = 20;

export interface ModelInfo {
  model: BuiltinModel;
  title: string;
  description: string;
  version: number;
  trainedAt: string | null;
  prior: boolean;
  algorithm: string;
  rows: number;
  metrics: Record<string, unknown> | null;
}

export function examplesTable(ex: Examples): Table {
  const columns = [...new Set(ex.records.flatMap((r) => Object.keys(r)))];
  return { columns: [...columns, 'label'], rows: ex.records.map((r, i) => [...columns.map((c) => r[c] ?? null), ex.labels[i]]) };
}

/** Trains one built-in model on the business's history (or falls back to its prior) and stores it as the next version. */
export async function retrainModel(ctx: AppContext, scope: Scope, name: BuiltinModel, history?: History): Promise<ModelInfo> {
  const ix = indexHistory(history ?? (await loadHistory(ctx, scope)));
  const ex = builtinModels[name].examples(ix);
  const pos = ex.labels.filter((l) => l === 1).length;
  const neg = ex.labels.length - pos;
  let saved: SavedModel | null = null;
  if (ex.labels.length >= minTrainingRows && pos >= minRowsPerClass && neg >= minRowsPerClass) {
    // In a worker thread, so the server keeps answering while it learns. GBDT and logistic regression only: a forest's file is
    // large to keep per version and retrain every week.
    saved = await trainModelOffThread(examplesTable(ex), { label: 'label', timeColumn: 'as_of', seed: 7, algorithms: ['gbdt', 'logistic'] });
    if (saved.metrics.test.auc === null) saved = null;
  }
  let metrics: Record<string, unknown>;
  if (saved) metrics = { ...saved.metrics.test, split: saved.split, candidates: saved.metrics.candidates, importance: saved.importance.slice(0, 8) };
  else {
    // How the prior does on whatever history there is (often nothing yet).
    const p = ex.records.map((r) => predictPrior(priors[name], r).probability);
    metrics = { ...metricsOf(ex.labels, p), note: `prior model: ${ex.labels.length} examples (${pos} positive); training needs ${minTrainingRows} with ${minRowsPerClass} of each outcome` };
  }
  const now = ctx.clock.now().toISOString();
  const row = await ctx.db.transaction(async (trx) => {
    const last = await trx.selectFrom('model_versions').select((eb) => eb.fn.max('version').as('v')).where('business_id', '=', scope.businessId).where('model', '=', name).executeTakeFirst();
    const version = Number(last?.v ?? 0) + 1;
    const values = {
      id: newId(),
      business_id: scope.businessId,
      model: name,
      version,
      prior: saved ? 0 : 1,
      algorithm: saved ? saved.algorithm : 'prior',
      rows: ex.labels.length,
      metrics: JSON.stringify(metrics),
      artifact: saved ? JSON.stringify(saved) : null,
      trained_at: now,
    };
    await trx.insertInto('model_versions').values(values).execute();
    return values;
  });
  return toInfo(row);
}

type VersionRow = { model: string; version: number; prior: number; algorithm: string; rows: number; metrics: string; trained_at: string };
const toInfo = (r: VersionRow): ModelInfo => {
  const def = builtinModels[r.model as BuiltinModel];
  return { model: r.model as BuiltinModel, title: def.title, description: def.description, version: r.version, trainedAt: r.trained_at, prior: r.prior === 1, algorithm: r.algorithm, rows: r.rows, metrics: JSON.parse(r.metrics) };
};

async function latestRows(db: Executor, businessId: string) {
  const rows = await db
    .selectFrom('model_versions')
    .select(['id', 'model', 'version', 'prior', 'algorithm', 'rows', 'metrics', 'trained_at'])
    .where('business_id', '=', businessId)
    .where('version', '=', (eb) => eb.selectFrom('model_versions as mv').select((e) => e.fn.max('mv.version').as('v')).whereRef('mv.business_id', '=', 'model_versions.business_id').whereRef('mv.model', '=', 'model_versions.model'))
    .execute();
  return new Map(rows.map((r) => [r.model, r]));
}

/** The built-in models with their current version, training time, metrics and whether a prior is in use. */
export async function listModels(ctx: AppContext, scope: Scope): Promise<ModelInfo[]> {
  const latest = await latestRows(ctx.db.kysely, scope.businessId);
  return builtinNames.map((name) => {
    const r = latest.get(name);
    if (r) return toInfo(r);
    const def = builtinModels[name];
    return { model: name, title: def.title, description: def.description, version: 0, trainedAt: null, prior: true, algorithm: 'prior', rows: 0, metrics: null };
  });
}

export interface Scorer {
  model: BuiltinModel;
  version: number;
  prior: boolean;
  score(records: FeatureRecord[]): Prediction[];
}

const artifactCache = new Map<string, SavedModel>();

/** The current predictor of each built-in model: the newest trained version, or the prior. */
export async function loadScorers(ctx: AppContext, scope: Scope): Promise<Record<BuiltinModel, Scorer>> {
  return loadScorersFrom(ctx.db.kysely, scope.businessId);
}

/** The same, through a given executor (an automation run's transaction). */
export async function loadScorersFrom(db: Executor, businessId: string): Promise<Record<BuiltinModel, Scorer>> {
  const latest = await latestRows(db, businessId);
  const out = {} as Record<BuiltinModel, Scorer>;
  for (const name of builtinNames) {
    const r = latest.get(name);
    let saved: SavedModel | null = null;
    if (r && r.prior === 0) {
      saved = artifactCache.get(r.id) ?? null;
      if (!saved) {
        const a = await db.selectFrom('model_versions').select('artifact').where('business_id', '=', businessId).where('id', '=', r.id).executeTakeFirst();
        saved = a?.artifact ? (JSON.parse(a.artifact) as SavedModel) : null;
        if (saved) artifactCache.set(r.id, saved);
      }
    }
    const trained = saved;
    out[name] = {
      model: name,
      version: r?.version ?? 0,
      prior: !trained,
      score: (records) => (trained ? predictRecords(trained, records) : records.map((rec) => predictPrior(priors[name], rec))),
    };
  }
  return out;
}

export interface ContactScore {
  model: BuiltinModel;
  probability: number;
  reasons: string[];
  explanation: string;
  prior: boolean;
  version: number;
  dealId?: string;
}

const reasonStrings = (p: Prediction) => p.reasons.map((r) => `${r.text} (${r.effect} the score)`);

/** Scores one contact with every built-in model that applies to them now. */
export function scoreIndexed(ix: Indexed, scorers: Record<BuiltinModel, Scorer>, contactId: string): ContactScore[] {
  const now = ix.h.now;
  const c = ix.contacts.get(contactId);
  if (!c) return [];
  const out: ContactScore[] = [];
  const push = (s: Scorer, record: FeatureRecord, extra: { dealId?: string } = {}) => {
    const [p] = s.score([record]);
    out.push({ model: s.model, probability: Number(p.probability.toFixed(4)), reasons: reasonStrings(p), explanation: p.text, prior: s.prior, version: s.version, ...extra });
  };
  const moments = leadMoments(ix).filter((m) => m.contactId === contactId && m.at <= now);
  const latest = moments.sort((a, b) => b.at - a.at)[0];
  if (latest && (c.stage === 'lead' || now - latest.at <= 30 * 86_400_000)) push(scorers.lead_conversion, leadRecord(ix, latest, now));
  const churn = churnRecord(ix, contactId, now);
  if (churn) push(scorers.churn, churn);
  for (const d of ix.h.deals) if (d.contactId === contactId && d.status === 'open') push(scorers.deal_stall, dealRecord(ix, d, now), { dealId: d.id });
  return out;
}

/** GET /contacts/:id/scores. */
export async function contactScores(ctx: AppContext, scope: Scope, contactId: string): Promise<{ data: ContactScore[] }> {
  const exists = await ctx.db.kysely.selectFrom('contacts').select('id').where('business_id', '=', scope.businessId).where('id', '=', contactId).executeTakeFirst();
  if (!exists) throw notFound('contact', contactId);
  const [h, scorers] = await Promise.all([loadHistory(ctx, scope, { contactId }), loadScorers(ctx, scope)]);
  return { data: scoreIndexed(indexHistory(h), scorers, contactId) };
}

/** Retrains every built-in model whose newest version is older than `maxAgeDays` (or missing). Returns what was trained. */
export async function retrainDueModels(ctx: AppContext, scope: Scope, maxAgeDays = 7): Promise<ModelInfo[]> {
  const latest = await latestRows(ctx.db.kysely, scope.businessId);
  const cutoff = ctx.clock.now().getTime() - maxAgeDays * 86_400_000;
  const due = builtinNames.filter((n) => !latest.get(n) || Date.parse(latest.get(n)!.trained_at) < cutoff);
  if (!due.length) return [];
  const h = await loadHistory(ctx, scope);
  const out: ModelInfo[] = [];
  for (const name of due) out.push(await retrainModel(ctx, scope, name, h));
  return out;
}
