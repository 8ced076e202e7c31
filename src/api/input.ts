import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validationError } from '../lib/errors.ts';
import { findNulCharacter } from '../lib/nul.ts';
import { findLoneSurrogate } from '../lib/text-input.ts';

/**
 * HTTP input rules that hold for every route, before the domain sees the request:
 * only JSON bodies (no text/plain parser, so other types get 415), and no NUL
 * characters anywhere in path, query or body. PostgreSQL cannot store NUL in text,
 * so without this an id like "abc%00" or a name with \u0000 ends in a 500.
 */
export function registerInputRules(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
  app.addHook('preValidation', async (request: FastifyRequest) => {
    for (const part of [request.params, request.query, request.body]) {
      const field = findNulCharacter(part);
      if (field !== null) throw validationError([{ field, message: 'must not contain the NUL character (\\u0000)' }]);
      const broken = findLoneSurrogate(part);
      if (broken !== null) throw validationError([{ field: broken, message: 'is not valid Unicode text (a lone UTF-16 surrogate, half of a character)' }]);
    }
  });
}
