import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  MalformedJsonError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionFailedError,
  RateLimitedError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  type DomainError,
  type FieldProblem,
} from '../domain/errors.js';

/** RFC 9457 problem details, with the stable `code` clients branch on and, for validation, each field's problem. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly errors?: readonly FieldProblem[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

type ErrorClass = abstract new (...args: never[]) => DomainError;

/** The one table from domain error to HTTP status. Codes come from the error instance (e.g. ConflictError 'LastAdmin'). */
const PROBLEM_TABLE: readonly (readonly [ErrorClass, number, string])[] = [
  [ValidationError, 400, 'Validation failed'],
  [MalformedJsonError, 400, 'Malformed JSON'],
  [BadRequestError, 400, 'Bad request'],
  [UnauthorizedError, 401, 'Unauthorized'],
  [ForbiddenError, 403, 'Forbidden'],
  [NotFoundError, 404, 'Not found'],
  [ConflictError, 409, 'Conflict'],
  [PreconditionFailedError, 412, 'Precondition failed'],
  [PayloadTooLargeError, 413, 'Payload too large'],
  [UnsupportedMediaTypeError, 415, 'Unsupported media type'],
  [RateLimitedError, 429, 'Too many requests'],
  [ServiceUnavailableError, 503, 'Service unavailable'],
];

export const INTERNAL_ERROR_DETAIL =
  'An unexpected error occurred. Quote the X-Request-Id response header when reporting it.';

export function problemTypeOf(code: string): string {
  return `urn:companion:problem:${code}`;
}

export interface MappedProblem {
  readonly problem: ProblemDetails;
  readonly headers: Record<string, string>;
  /** False for errors we did not anticipate: the caller must log them (the client only sees a generic 500). */
  readonly expected: boolean;
}

/** Maps any thrown value to a problem. Only domain errors' own messages reach the client; anything else is a 500. */
export function toProblem(error: unknown): MappedProblem {
  for (const [errorClass, status, title] of PROBLEM_TABLE) {
    if (error instanceof errorClass) {
      const domainError = error as DomainError;
      const headers: Record<string, string> = {};
      if (error instanceof RateLimitedError) headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
      return {
        problem: {
          type: problemTypeOf(domainError.code),
          title,
          status,
          detail: domainError.message,
          code: domainError.code,
          ...(error instanceof ValidationError ? { errors: error.problems } : {}),
        },
        headers,
        expected: true,
      };
    }
  }
  return {
    problem: { type: problemTypeOf('Internal'), title: 'Internal server error', status: 500, detail: INTERNAL_ERROR_DETAIL, code: 'Internal' },
    headers: {},
    expected: false,
  };
}
