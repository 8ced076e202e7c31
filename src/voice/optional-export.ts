import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A function exported by a module the receptionist can work without (booking
 * links, the intake classifier, the LLM provider), looked up once per process.
 * `modulePath` is relative to src/voice. Resolves to null when the module is
 * not installed, fails to load, or has no such function: a broken optional
 * module must not take the phones down.
 */
export function optionalExport<F>(modulePath: string, name: string): () => Promise<F | null> {
  let loaded: Promise<F | null> | null = null;
  return () =>
    (loaded ??= (async () => {
      // Compiled (dist/, see scripts/server-build.mjs): the module is the .js file in the same place.
      const url = new URL(import.meta.url.endsWith('.js') ? modulePath.replace(/\.ts$/, '.js') : modulePath, import.meta.url);
      if (!existsSync(fileURLToPath(url))) return null;
      try {
        const fn = ((await import(url.href)) as Record<string, unknown>)[name];
        return typeof fn === 'function' ? (fn as F) : null;
      } catch {
        return null;
      }
    })());
}
