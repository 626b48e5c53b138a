import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signatures between the service and a remote avatar engine, both ways: HMAC-SHA256 with the shared secret over
 * `<timestamp>.<body>`, sent as `X-Engine-Timestamp: <unix seconds>` and `X-Engine-Signature: v1=<hex>` (several
 * comma-separated `v1=` values are accepted, so the secret can be rotated without downtime).
 */
export const ENGINE_TIMESTAMP_HEADER = 'x-engine-timestamp';
export const ENGINE_SIGNATURE_HEADER = 'x-engine-signature';

/** Older (or further in the future) than this, a signed message is refused, so a captured one cannot be replayed later. */
export const MAX_SIGNATURE_AGE_SECONDS = 5 * 60;

export function engineSignature(secret: string, timestamp: number, body: Uint8Array | string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `v1=${mac}`;
}

export type SignatureCheck = 'valid' | 'missing' | 'stale' | 'mismatch';

export function checkEngineSignature(
  secret: string,
  timestampHeader: string | undefined,
  signatureHeader: string | undefined,
  body: Uint8Array,
  nowSeconds: number,
): SignatureCheck {
  if (timestampHeader === undefined || signatureHeader === undefined) return 'missing';
  if (!/^\d{1,12}$/.test(timestampHeader.trim())) return 'mismatch';
  const timestamp = Number(timestampHeader.trim());
  if (Math.abs(nowSeconds - timestamp) > MAX_SIGNATURE_AGE_SECONDS) return 'stale';
  const expected = Buffer.from(engineSignature(secret, timestamp, body), 'utf8');
  const matches = signatureHeader
    .split(',')
    .map((candidate) => Buffer.from(candidate.trim(), 'utf8'))
    // timingSafeEqual needs equal lengths; a length difference reveals nothing about the secret.
    .some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  return matches ? 'valid' : 'mismatch';
}
