/** One broken rule, as every API names it: the field (dotted path), the rule and a message. */
export interface FieldProblem {
  field: string | null;
  rule: string;
  message: string;
}

/**
 * An API's refusal, with its status and the fields and rules it named. The console shows the field
 * problems beside their inputs and the rest as one message; it never shows a raw body.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problems: FieldProblem[],
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }

  /** The problems of one field (matching `field` or one of its sub-fields). */
  problemsOf(field: string): FieldProblem[] {
    return this.problems.filter((p) => p.field === field || (p.field ?? '').startsWith(`${field}.`));
  }
}

function problemsOf(body: unknown): { problems: FieldProblem[]; code?: string; message: string } {
  if (!body || typeof body !== 'object') return { problems: [], message: '' };
  const b = body as { errors?: unknown; field?: unknown; rule?: unknown; message?: unknown; code?: unknown };
  const message = Array.isArray(b.message) ? b.message.join('; ') : typeof b.message === 'string' ? b.message : '';
  const problems: FieldProblem[] = Array.isArray(b.errors)
    ? b.errors
        .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
        .map((e) => ({ field: typeof e['field'] === 'string' ? e['field'] : null, rule: String(e['rule'] ?? ''), message: String(e['message'] ?? '') }))
    : typeof b.field === 'string'
      ? [{ field: b.field, rule: String(b.rule ?? ''), message }]
      : [];
  return { problems, code: typeof b.code === 'string' ? b.code : undefined, message };
}

/**
 * The data of an openapi-fetch result, or an ApiError. Use it in TanStack Query's queryFn and
 * mutationFn: `unwrap(await api.query.GET('/api/v1/...', { params }))`.
 */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.error === undefined) return result.data as T;
  const { problems, code, message } = problemsOf(result.error);
  throw new ApiError(result.response.status, problems, code, message || `HTTP ${result.response.status}`);
}
