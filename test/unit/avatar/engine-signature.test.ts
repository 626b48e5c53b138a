import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkEngineSignature, engineSignature } from '../../../shared/adapters/avatar/engine-signature.js';

const SECRET = 'engine-secret-0123456789-0123456789';
const body = Buffer.from('{"jobId":"avjob_x","status":"failed"}');
const now = 1_750_000_000;

describe('avatar engine signatures', () => {
  it('are v1=<hex HMAC-SHA256 of "timestamp.body">', () => {
    const expected = createHmac('sha256', SECRET).update(`${now}.${body.toString()}`).digest('hex');
    expect(engineSignature(SECRET, now, body)).toBe(`v1=${expected}`);
  });

  it('accept a good signature, also among several (secret rotation)', () => {
    const good = engineSignature(SECRET, now, body);
    expect(checkEngineSignature(SECRET, String(now), good, body, now + 10)).toBe('valid');
    expect(checkEngineSignature(SECRET, String(now), `v1=${'0'.repeat(64)}, ${good}`, body, now)).toBe('valid');
  });

  it('refuse another secret, a changed body, a changed timestamp and missing headers', () => {
    const good = engineSignature(SECRET, now, body);
    expect(checkEngineSignature(SECRET, String(now), engineSignature(`${SECRET}x`, now, body), body, now)).toBe('mismatch');
    expect(checkEngineSignature(SECRET, String(now), good, Buffer.from(`${body.toString()} `), now)).toBe('mismatch');
    expect(checkEngineSignature(SECRET, String(now + 1), good, body, now)).toBe('mismatch');
    expect(checkEngineSignature(SECRET, 'soon', good, body, now)).toBe('mismatch');
    expect(checkEngineSignature(SECRET, undefined, good, body, now)).toBe('missing');
    expect(checkEngineSignature(SECRET, String(now), undefined, body, now)).toBe('missing');
  });

  it('refuse timestamps more than five minutes away, either way', () => {
    const old = now - 301;
    expect(checkEngineSignature(SECRET, String(old), engineSignature(SECRET, old, body), body, now)).toBe('stale');
    const future = now + 301;
    expect(checkEngineSignature(SECRET, String(future), engineSignature(SECRET, future, body), body, now)).toBe('stale');
    const edge = now - 300;
    expect(checkEngineSignature(SECRET, String(edge), engineSignature(SECRET, edge, body), body, now)).toBe('valid');
  });
});
