/**
 * The retry policy for Azure OpenAI calls that must not fail on a passing rate limit or outage (ingest embeddings):
 * 429, 408, 409 and 5xx answers and lost connections are retried with exponential backoff, and the service's own
 * `retry-after-ms` / `Retry-After` wins over the backoff when it sends one. Kept apart from the client's built-in
 * retries so that the number of tries, the longest wait and the final error are ours and tested.
 */

export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly maxAttempts: number;
  /** The first backoff; each later one doubles, with jitter, up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails at once (a worker is not held for minutes). */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 };

/** What a failed call tells the retry loop. */
export interface CallFailure {
  readonly retryable: boolean;
  readonly status: number | undefined;
  /** The wait the service asked for, in milliseconds. */
  readonly retryAfterMs: number | undefined;
}

interface HeaderSource {
  get(name: string): string | null;
}

/** `retry-after-ms` (Azure's, fractional milliseconds) first, then `Retry-After` as seconds or an HTTP date. */
export function retryAfterMsOf(headers: HeaderSource | undefined, now = Date.now()): number | undefined {
  if (headers === undefined) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const header = headers.get('retry-after');
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so that parallel callers spread out. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return exponential / 2 + random() * (exponential / 2);
}

/**
 * Classifies an error thrown by the `openai` client, or answers undefined for anything else (a bug or a
 * misconfiguration, which surfaces as it is). The client's classes are looked up on the loaded module rather than
 * imported at the top, so that this file does not load `openai` itself (see createAzureOpenAIClient).
 */
export async function classifyOpenAIError(err: unknown): Promise<CallFailure | undefined> {
  const { APIError, APIConnectionError, APIUserAbortError } = await import('openai');
  if (err instanceof APIUserAbortError) return { retryable: false, status: undefined, retryAfterMs: undefined };
  // Connection errors (timeouts included) are APIErrors without a status: the request may never have arrived.
  if (err instanceof APIConnectionError) return { retryable: true, status: undefined, retryAfterMs: undefined };
  if (err instanceof APIError) {
    const status = typeof err.status === 'number' ? err.status : undefined;
    return {
      retryable: status === undefined || isRetryableStatus(status),
      status,
      retryAfterMs: retryAfterMsOf(err.headers),
    };
  }
  return undefined;
}
