/**
 * Typed application errors. Every failure a user can cause maps to one code,
 * and each code maps once to an HTTP status and a CLI exit code.
 */
export const errorCodes = {
  VALIDATION_FAILED: { http: 400, exit: 2 },
  BAD_REQUEST: { http: 400, exit: 2 },
  UNAUTHENTICATED: { http: 401, exit: 2 },
  FORBIDDEN: { http: 403, exit: 2 },
  NOT_FOUND: { http: 404, exit: 2 },
  CONFLICT: { http: 409, exit: 2 },
  PAYLOAD_TOO_LARGE: { http: 413, exit: 2 },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, exit: 2 },
  RATE_LIMITED: { http: 429, exit: 2 },
  CONFIG_INVALID: { http: 500, exit: 2 },
  INTERNAL: { http: 500, exit: 1 },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export interface FieldIssue {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details ?? null;
  }

  get httpStatus(): number {
    return errorCodes[this.code].http;
  }

  get exitCode(): number {
    return errorCodes[this.code].exit;
  }

  toJSON(): { error: { code: ErrorCode; message: string; details: unknown } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const notFound = (entity: string, id?: string): AppError =>
  new AppError('NOT_FOUND', id ? `${entity} ${id} was not found` : `${entity} was not found`, id ? { id } : null);

export const validationError = (issues: FieldIssue[], message?: string): AppError =>
  new AppError(
    'VALIDATION_FAILED',
    message ?? issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; '),
    { issues },
  );

/** Turns a zod error into field issues named with dotted paths ("phones.0.number"). */
export function zodIssues(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: string[] }> }, prefix = ''): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    const base = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      for (const key of issue.keys) out.push({ field: base ? `${base}.${key}` : key, message: 'unknown field' });
    } else {
      out.push({ field: base, message: issue.message });
    }
  }
  return out;
}

/**
 * A unique-constraint violation from either database (two requests racing to
 * create the same thing) is a conflict, not an internal error.
 */
export function fromDatabaseError(err: unknown): AppError | null {
  const e = err as { code?: string; constraint?: string; message?: string } | null;
  if (!e || typeof e !== 'object') return null;
  if (e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new AppError('CONFLICT', 'this conflicts with a record that already exists (a duplicate of a unique value)');
  }
  return null;
}
