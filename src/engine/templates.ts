import { Liquid } from 'liquidjs';
import { AppError } from '../lib/errors.ts';

/**
 * Message templates use Liquid (the language of Shopify and many CRMs):
 * `Hi {{ contact.firstName | default: "there" }}, this is {{ business.name }}.`
 * Strict filters catch typos at validation time; a missing variable renders
 * empty, so `default` is the way to give a fallback.
 */
const engine = new Liquid({ strictFilters: true, strictVariables: false, ownPropertyOnly: true, cache: 500 });

export function validateTemplate(template: string, field: string): void {
  try {
    engine.parse(template);
  } catch (err) {
    throw new AppError('VALIDATION_FAILED', `${field}: template error: ${(err as Error).message.split('\n')[0]}`, { issues: [{ field, message: (err as Error).message.split('\n')[0] }] });
  }
}

export function renderTemplate(template: string, data: Record<string, unknown>): string {
  return engine.parseAndRenderSync(template, data).replace(/[ \t]+\n/g, '\n').trim();
}
