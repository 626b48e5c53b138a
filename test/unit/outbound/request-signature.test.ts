import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requestSignatureOf, signedRequestHeaders, verifyRequestSignature } from '../../../shared/domain/request-signature.js';

describe('request signatures (X-Webhook-Timestamp / X-Webhook-Signature)', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  const body = '{"callId":"c1"}';

  it('is v1= and the hex HMAC-SHA256 of "timestamp.body", as a receiver computes it', () => {
    const headers = signedRequestHeaders('secret-1', body, now);
    const timestamp = Math.floor(now.getTime() / 1000);
    expect(headers['X-Webhook-Timestamp']).toBe(String(timestamp));
    expect(headers['X-Webhook-Signature']).toBe(`v1=${createHmac('sha256', 'secret-1').update(`${timestamp}.${body}`).digest('hex')}`);
  });

  it('verifies only the right secret, the same body and a recent timestamp', () => {
    const headers = signedRequestHeaders('secret-1', body, now);
    const given = { timestamp: headers['X-Webhook-Timestamp'], signature: headers['X-Webhook-Signature'] };
    expect(verifyRequestSignature('secret-1', given, body, now)).toBe(true);
    expect(verifyRequestSignature('secret-2', given, body, now)).toBe(false);
    expect(verifyRequestSignature('secret-1', given, `${body} `, now)).toBe(false);
    expect(verifyRequestSignature('secret-1', given, body, new Date(now.getTime() + 301_000))).toBe(false);
    expect(verifyRequestSignature('secret-1', { ...given, signature: undefined }, body, now)).toBe(false);
    expect(verifyRequestSignature('secret-1', { ...given, timestamp: 'soon' }, body, now)).toBe(false);
    // A receiver accepts any listed v1 entry (rotation).
    const other = requestSignatureOf('secret-0', Number(given.timestamp), body);
    expect(verifyRequestSignature('secret-1', { ...given, signature: `${other}, ${given.signature}` }, body, now)).toBe(true);
  });
});
