import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import { num } from '../../intelligence/models/report.ts';
import { checkScoringColumns, readCsvTable, readModelFile, writeModelFile, writeScoresCsv } from '../../intelligence/models/csv.ts';
import { predictTable } from '../../intelligence/models/model.ts';
import { formatTrainingReport } from '../../intelligence/models/report.ts';
import { trainModel } from '../../intelligence/models/train.ts';
import { builtinNames, listModels, retrainModel, type ModelInfo } from '../../intelligence/models/builtin.ts';
import { loadHistory } from '../../intelligence/models/builtin-history.ts';
import { resolveBusiness, withContext } from '../context.ts';
import { printJson, type CliIo } from '../io.ts';
import { validationError } from '../../lib/errors.ts';

/** `kinetic model train|score`: the model engine on any CSV, no database needed. */
export function registerModelCommands(program: Command, config: () => Config, io: CliIo): void {
  const model = program.command('model').description('Train and apply prediction models on any CSV');
  const abs = (f: string) => path.resolve(io.cwd, f);
  model
    .command('train')
    .description('Learn a yes/no label from every other column of a CSV; prints held-out metrics and saves the model')
    .requiredOption('--csv <file>', 'training data (header row required)')
    .requiredOption('--label <column>', 'the column to predict')
    .option('--positive <value>', 'the label value that counts as positive (not needed for Yes/No, true/false, 1/0)')
    .option('--id <column>', 'an identifier column: not learned from, copied into scores')
    .option('--exclude <columns>', 'comma-separated columns not to learn from')
    .requiredOption('--out <model.json>', 'where to save the model')
    .option('--folds <k>', 'cross-validation folds for choosing the model, 2–10 (default 5; 3 above 20,000 training rows)')
    .action(async (o: { csv: string; label: string; positive?: string; id?: string; exclude?: string; out: string; folds?: string }) => {
      const folds = o.folds === undefined ? undefined : Number(o.folds);
      if (folds !== undefined && !(Number.isInteger(folds) && folds >= 2 && folds <= 10))
        throw validationError([{ field: 'folds', message: `--folds must be a whole number from 2 to 10 (got "${o.folds}")` }]);
      const table = await readCsvTable(abs(o.csv));
      const exclude = (o.exclude ?? '').split(',').map((c) => c.trim()).filter(Boolean);
      const m = trainModel(table, { label: o.label, positive: o.positive ?? null, id: o.id ?? null, exclude, folds });
      writeModelFile(abs(o.out), m);
      io.out(formatTrainingReport(m));
      io.out(`Saved model to ${o.out} (trained in ${m.trainSeconds.toFixed(1)} s)\n`);
    });
  model
    .command('score')
    .description('Score every row of a CSV with a saved model: probability and reasons, in input order')
    .requiredOption('--model <model.json>', 'a model saved by `kinetic model train`')
    .requiredOption('--csv <file>', 'rows to score (the label column may be absent)')
    .requiredOption('--out <scores.csv>', 'where to write the scores')
    .action(async (o: { model: string; csv: string; out: string }) => {
      const m = readModelFile(abs(o.model));
      const table = await readCsvTable(abs(o.csv));
      checkScoringColumns(m, table);
      const predictions = predictTable(m, table);
      const idIndex = m.idColumn ? table.columns.indexOf(m.idColumn) : -1;
      const header = [...(idIndex >= 0 ? [m.idColumn!] : []), 'probability', 'reasons'];
      const rows = predictions.map((p, i) => [...(idIndex >= 0 ? [table.rows[i][idIndex] as string] : []), p.probability.toFixed(4), p.text]);
      writeScoresCsv(abs(o.out), header, rows);
      io.out(`Scored ${rows.length} rows into ${o.out}\n`);
    });

  const table = (models: ModelInfo[]) => {
    io.out('model            version  kind      trained at                 examples  AUC    Brier\n');
    for (const m of models) {
      const met = (m.metrics ?? {}) as { auc?: number | null; brier?: number };
      io.out(`${m.model.padEnd(16)} ${String(m.version).padStart(7)}  ${(m.prior ? 'prior' : m.algorithm).padEnd(8)}  ${(m.trainedAt ?? 'never').padEnd(25)}  ${String(m.rows).padStart(8)}  ${num(met.auc).padEnd(5)}  ${num(met.brier)}\n`);
    }
  };
  model
    .command('list')
    .description("The business's built-in models (lead conversion, churn, deal stall): version, training time, held-out metrics, prior or trained")
    .option('--business <idOrSlug>', 'the business (needed when there are several)')
    .option('--json', 'print JSON')
    .action((o: { business?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const models = await listModels(ctx, await resolveBusiness(ctx, o.business));
        if (o.json) printJson(io, models);
        else table(models);
      }),
    );
  model
    .command('retrain')
    .description("Retrain the built-in models now on the business's history (the worker does this weekly)")
    .option('--business <idOrSlug>', 'the business (needed when there are several)')
    .option('--json', 'print JSON')
    .action((o: { business?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const scope = await resolveBusiness(ctx, o.business);
        const history = await loadHistory(ctx, scope);
        const models: ModelInfo[] = [];
        for (const name of builtinNames) models.push(await retrainModel(ctx, scope, name, history));
        if (o.json) printJson(io, models);
        else table(models);
      }),
    );
}
