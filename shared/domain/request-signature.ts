import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature the platform puts on every request it makes to a customer's endpoint (webhooks and explicit
 * functions), as API.md describes for webhooks: `X-Webhook-Timestamp` (Unix seconds) and
 * `X-Webhook-Signature: v1=<hex HMAC-SHA256 of "timestamp.body">` under the endpoint's signing secret. The timestamp
 * is inside the signed text, so a receiver that refuses old timestamps also refuses replays.
 */
export const SIGNATURE_TIMESTAMP_HEADER = 'X-Webhook-Timestamp';
export const SIGNATURE_HEADER = 'X-Webhook-Signature';

/** How far a receiver should let the timestamp be from its own clock (what `verifyRequestSignature` allows). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function requestSignatureOf(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

/** The two headers for a body signed now. */
export function signedRequestHeaders(secret: string, body: string, now: Date): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    [SIGNATURE_TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: requestSignatureOf(secret, timestamp, body),
  };
}

/**
 * What a receiver does: recompute the signature over the raw body and compare in constant time, and refuse a
 * timestamp too far from its clock. Any `v1=` entry of a comma-separated header may match (a receiver keeps working
 * while a secret is rotated).
 */
export function verifyRequestSignature(
  secret: string,
  headers: { readonly timestamp: string | undefined; readonly signature: string | undefined },
  body: string,
  now: Date,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  if (headers.timestamp === undefined || headers.signature === undefined || !/^\d{1,12}$/.test(headers.timestamp)) return false;
  const timestamp = Number(headers.timestamp);
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(requestSignatureOf(secret, timestamp, body));
  return headers.signature
    .split(',')
    .map((part) => Buffer.from(part.trim()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}
