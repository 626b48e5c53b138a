import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, backoffMs, isRetryableStatus, retryAfterMsOf } from '../../../shared/adapters/openai/openai-retry.js';

const headers = (entries: Record<string, string>) => new Headers(entries);

describe('the Azure OpenAI retry policy', () => {
  it("prefers Azure's retry-after-ms, then Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMsOf(headers({ 'retry-after-ms': '1500.5', 'retry-after': '9' }))).toBe(1500.5);
    expect(retryAfterMsOf(headers({ 'retry-after': '2' }))).toBe(2000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMsOf(headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMsOf(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMsOf(headers({}))).toBeUndefined();
    expect(retryAfterMsOf(undefined)).toBeUndefined();
  });

  it('retries rate limits, timeouts, conflicts and server errors, not refusals', () => {
    expect([408, 409, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 422].some(isRetryableStatus)).toBe(false);
  });

  it('backs off exponentially with jitter between half and all of the step, capped', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffMs(1, policy, () => 0)).toBe(50);
    expect(backoffMs(1, policy, () => 1)).toBe(100);
    expect(backoffMs(3, policy, () => 1)).toBe(400);
    expect(backoffMs(10, policy, () => 1)).toBe(1000);
  });
});
