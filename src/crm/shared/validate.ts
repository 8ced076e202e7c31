import type { z } from 'zod';
import { validationError, zodIssues } from '../../lib/errors.ts';
import { findNulCharacter } from '../../lib/nul.ts';

/** Parses input with a zod schema; failures become a 400 that names each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const nulAt = findNulCharacter(input);
  if (nulAt !== null) throw validationError([{ field: [prefix, nulAt].filter(Boolean).join('.'), message: 'must not contain the NUL character (\\u0000)' }]);
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(zodIssues(result.error, prefix));
  return result.data;
}
