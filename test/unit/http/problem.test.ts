import { describe, expect, it } from 'vitest';
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
} from '../../../shared/domain/errors.js';
import { INTERNAL_ERROR_DETAIL, toProblem } from '../../../shared/http/problem.js';

describe('problem mapping', () => {
  it.each([
    [new ValidationError([{ path: 'name', message: 'required' }]), 400, 'ValidationFailed'],
    [new MalformedJsonError(), 400, 'MalformedJson'],
    [new BadRequestError('UrlNotAllowed', 'no'), 400, 'UrlNotAllowed'],
    [new UnauthorizedError('InvalidApiKey'), 401, 'InvalidApiKey'],
    [new ForbiddenError(), 403, 'Forbidden'],
    [new ForbiddenError('suspended', 'SubscriptionNotActive'), 403, 'SubscriptionNotActive'],
    [new NotFoundError('Project'), 404, 'NotFound'],
    [new ConflictError('x'), 409, 'Conflict'],
    [new ConflictError('x', 'LastAdmin'), 409, 'LastAdmin'],
    [new PreconditionFailedError(), 412, 'PreconditionFailed'],
    [new PayloadTooLargeError(10), 413, 'PayloadTooLarge'],
    [new UnsupportedMediaTypeError('application/json'), 415, 'UnsupportedMediaType'],
    [new RateLimitedError(2), 429, 'RequestRateLimitExceeded'],
    [new ServiceUnavailableError(), 503, 'ServiceUnavailable'],
  ])('%s maps to %i with code %s', (error, status, code) => {
    const { problem, expected } = toProblem(error);
    expect(expected).toBe(true);
    expect(problem).toMatchObject({ status, code, type: `urn:companion:problem:${code}`, detail: error.message });
    expect(problem.title).toEqual(expect.any(String));
  });

  it('includes each field problem for validation errors', () => {
    const { problem } = toProblem(new ValidationError([{ path: 'a', message: 'm' }, { path: 'b.c', message: 'n' }]));
    expect(problem.errors).toEqual([
      { path: 'a', message: 'm' },
      { path: 'b.c', message: 'n' },
    ]);
  });

  it('sets Retry-After for rate limiting, rounded up to whole seconds', () => {
    expect(toProblem(new RateLimitedError(1.2)).headers).toEqual({ 'Retry-After': '2' });
  });

  it.each([new Error('Cosmos says: AccountKey=secret at 10.0.0.4'), new TypeError('x is undefined'), 'a string', undefined])(
    'an unknown error (%s) becomes 500 Internal without internals',
    (error) => {
      const { problem, expected } = toProblem(error);
      expect(expected).toBe(false);
      expect(problem).toEqual({
        type: 'urn:companion:problem:Internal',
        title: 'Internal server error',
        status: 500,
        detail: INTERNAL_ERROR_DETAIL,
        code: 'Internal',
      });
    },
  );
});
