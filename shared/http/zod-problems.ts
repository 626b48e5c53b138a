import type { z } from 'zod';
import { ValidationError, type FieldProblem } from '../domain/errors.js';

/**
 * Turns zod issues into one problem per field. An unknown field is reported under its own path, so the client sees
 * each one (API.md: unknown fields are rejected, listing each problem).
 */
export function fieldProblemsOf(error: z.ZodError, pathPrefix = ''): FieldProblem[] {
  const join = (path: readonly PropertyKey[]): string =>
    [pathPrefix, ...path.map((segment) => String(segment))].filter((s) => s !== '').join('.');
  return error.issues.flatMap((issue): FieldProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: join([...issue.path, key]), message: 'is not a known field' }));
    }
    return [{ path: join(issue.path), message: issue.message }];
  });
}

/**
 * Parses input at the edge, or throws ValidationError naming every problem. Body fields are reported by their own
 * path (`llm.endpoint`), route parameters under `path.` and query parameters under `query.`.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, pathPrefix = ''): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error, pathPrefix));
  return parsed.data;
}
