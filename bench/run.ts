// `npm run bench`: prints the numbers; copy them into bench/RESULTS.md with the date and machine.
import os from 'node:os';
import { benchContactList } from './contact-list.ts';
import { benchCsvImport } from './csv-import.ts';
import { benchImportJobs } from './import-jobs.ts';
import { benchDueSteps, benchLeadRates } from './engine.ts';
import { benchModelTraining } from './models.ts';
import { benchReferenceModels } from './reference-models.ts';
import { benchVoiceWebhooks } from './voice.ts';
import { benchMetrics } from './metrics.ts';
import { benchStartup } from './startup.ts';

const only = (process.env.BENCH_ONLY ?? 'startup,import,importjobs,list,engine,voice,metrics').split(',');
console.log(`Kinetic benchmarks — ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
if (only.includes('startup')) for (const line of await benchStartup()) console.log(line);
if (only.includes('import')) for (const line of await benchCsvImport()) console.log(line);
if (only.includes('importjobs')) for (const line of await benchImportJobs()) console.log(line);
if (only.includes('list')) for (const d of ['sqlite', 'postgres'] as const) for (const line of await benchContactList(d)) console.log(line);
if (only.includes('engine')) {
  await benchLeadRates();
  console.log(await benchDueSteps('sqlite', 1));
  console.log(await benchDueSteps('postgres', 1));
  console.log(await benchDueSteps('postgres', 4));
}
if (only.includes('models')) for (const line of benchModelTraining()) console.log(line);
if (only.includes('models') || only.includes('references')) for (const line of await benchReferenceModels()) console.log(line);
if (only.includes('voice')) for (const d of ['sqlite', 'postgres'] as const) console.log(await benchVoiceWebhooks(d));
if (only.includes('metrics')) for (const d of ['sqlite', 'postgres'] as const) for (const line of await benchMetrics(d)) console.log(line);
process.exit(0);
