/**
 * Lets the event loop run (timers, sockets, other requests) before going on.
 * Long synchronous stretches — validating thousands of CSV rows, SQLite
 * writes, which better-sqlite3 makes synchronous — would otherwise hold up
 * every other request of the process, on-call pages and sends included.
 */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Yields once every `every` calls. */
export function yieldEvery(every: number): () => Promise<void> {
  let n = 0;
  return async () => {
    if (++n % every === 0) await yieldToEventLoop();
  };
}
