/**
 * The widget's browser code and stylesheet (src/widget/client), read once and
 * trimmed (comments and indentation out). The stylesheet travels inside the
 * script and is applied as a constructed stylesheet in a shadow root, so a
 * page's CSP needs no style-src for it; /widget.css serves the same rules for
 * browsers without constructed stylesheets.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const read = (name: string) => readFileSync(fileURLToPath(new URL(`./client/${name}`, import.meta.url)), 'utf8');

let cached: { js: string; css: string } | null = null;

function load(): { js: string; css: string } {
  if (cached) return cached;
  const css = read('widget.css')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\s*([{};:,>])\s*/g, '$1')
    .trim();
  const js = read('widget.js')
    .replace(/^\s*\/\*[\s\S]*?\*\/\s*$/gm, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n')
    .replace("'__KINETIC_CSS__'", JSON.stringify(css));
  cached = { js, css };
  return cached;
}

/** The script every business pastes; the same bytes for all (it reads its own ?business= and fetches the rest). */
export const widgetScript = (): string => load().js;

/** The stylesheet with the business's accent colour (validated by the settings schema). */
export const widgetStylesheet = (color: string): string => load().css.replaceAll('__ACCENT__', color);
