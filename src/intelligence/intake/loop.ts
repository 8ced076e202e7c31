/** The intake drafting loop the worker runs: one pass at a time, on an interval and on demand. */
import type { AppContext } from '../../context.ts';
import { createLlmClient, type LlmClient } from '../llm/provider.ts';
import { processInboundMessages } from './inbound.ts';

export interface IntakeLoop {
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function startIntakeLoop(ctx: AppContext, opts: { llm?: LlmClient | null; intervalMs?: number } = {}): IntakeLoop {
  const llm = opts.llm !== undefined ? opts.llm : createLlmClient(ctx.config.llm);
  let running: Promise<void> | null = null;
  let stopped = false;
  const pass = async (): Promise<void> => {
    if (running) return running;
    running = (async () => {
      try {
        // Drain what is there (bounded), so a burst of messages does not wait several intervals.
        for (let i = 0; i < 20 && !stopped; i++) {
          const done = await processInboundMessages(ctx, llm);
          if (done.length === 0) break;
          const drafted = done.filter((d) => d.outcome !== 'skipped').length;
          if (drafted) ctx.log.info({ drafted, seen: done.length }, 'intake drafts written');
        }
      } catch (err) {
        ctx.log.error({ err }, 'intake drafting pass failed');
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void pass(), opts.intervalMs ?? Math.max(1000, ctx.config.enginePollMs * 5));
  timer.unref();
  return {
    tick: pass,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
