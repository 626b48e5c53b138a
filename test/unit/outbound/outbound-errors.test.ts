import { describe, expect, it } from 'vitest';
import { RemoteFileTooLargeError, UrlFetchTimedOutError, UrlNotAllowedError, UrlUnreachableError } from '../../../shared/domain/outbound.js';
import { toProblem } from '../../../shared/http/problem.js';

describe('outbound errors', () => {
  it.each([
    [new UrlNotAllowedError('the address is a private address'), 'UrlNotAllowed'],
    [new RemoteFileTooLargeError(1024), 'RemoteFileTooLarge'],
    [new UrlFetchTimedOutError(5000), 'UrlFetchTimedOut'],
    [new UrlUnreachableError('the connection was refused', new Error('connect ECONNREFUSED 10.0.0.1:443')), 'UrlUnreachable'],
  ])('answers %s as a 400 problem with code %s', (error, code) => {
    const { problem, expected } = toProblem(error);
    expect(expected).toBe(true);
    expect(problem).toMatchObject({ status: 400, code, detail: error.message });
  });

  it('keeps the low-level cause for logs but out of the client message', () => {
    const error = new UrlUnreachableError('the connection was refused', new Error('connect ECONNREFUSED 10.0.0.1:443'));
    expect(error.cause).toBeInstanceOf(Error);
    expect(toProblem(error).problem.detail).toBe('The URL could not be fetched: the connection was refused.');
  });
});
