import { ServiceUnavailableError } from '../errors.js';

/**
 * The embedding deployment did not answer after the adapter's retries, or refused the request. Clients see a 503
 * (retry later); the ingest pipeline uses `retryable` to choose between trying the file again and failing it.
 */
export class EmbeddingFailedError extends ServiceUnavailableError {
  constructor(
    /** True for rate limits, 5xx, timeouts and lost connections; false for refusals (bad input, auth, no deployment). */
    readonly retryable: boolean,
    /** The last HTTP status, when the service answered. */
    readonly status: number | undefined,
    readonly attempts: number,
  ) {
    super('EmbeddingServiceUnavailable', 'The embedding service is unavailable; retry later.');
  }
}
