/**
 * Domain errors: what went wrong in terms a client can act on. Each has a stable PascalCase `code` that clients
 * may branch on; the HTTP layer maps the class to a status in one table (shared/http/problem.ts). Messages are
 * written for clients and must never carry internals (stack traces, SDK messages, secrets).
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** One problem with one input field; `path` is a dotted path such as `llm.endpoint` (empty for the whole input). */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

export class ValidationError extends DomainError {
  readonly code = 'ValidationFailed';

  constructor(
    readonly problems: readonly FieldProblem[],
    message = 'The request is not valid; see errors for each problem.',
  ) {
    super(message);
  }
}

export class MalformedJsonError extends DomainError {
  readonly code = 'MalformedJson';

  constructor(message = 'The request body is not valid JSON.') {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NotFound';

  /** `resource` names what was looked for, e.g. "Project"; never echo ids of other tenants' data in it. */
  constructor(readonly resource: string) {
    super(`${resource} not found.`);
  }
}

export class ConflictError extends DomainError {
  constructor(
    message: string,
    readonly code: string = 'Conflict',
  ) {
    super(message);
  }
}

export class PreconditionFailedError extends DomainError {
  readonly code = 'PreconditionFailed';

  constructor(message = 'The resource has changed since it was read (If-Match does not match its ETag).') {
    super(message);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(
    readonly code: string = 'Unauthorized',
    message = 'Authentication is required.',
  ) {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(
    message = 'You do not have permission to do this.',
    readonly code: string = 'Forbidden',
  ) {
    super(message);
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'PayloadTooLarge';

  constructor(readonly limitBytes: number) {
    super(`The request body is larger than the limit of ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'UnsupportedMediaType';

  constructor(readonly expected: string) {
    super(`The request body must be ${expected}.`);
  }
}

/** A request that is well-formed but refers to something the service refuses (e.g. `UrlNotAllowed`). */
export class BadRequestError extends DomainError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class RateLimitedError extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    readonly code: string = 'RequestRateLimitExceeded',
    message = 'Too many requests; retry after the time given in Retry-After.',
  ) {
    super(message);
  }
}

/** A dependency the request needs is unavailable; the client may retry later. */
export class ServiceUnavailableError extends DomainError {
  constructor(
    readonly code: string = 'ServiceUnavailable',
    message = 'The service is temporarily unavailable; retry later.',
  ) {
    super(message);
  }
}
