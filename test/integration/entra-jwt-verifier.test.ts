import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntraTokenVerifier } from '../../shared/adapters/entra/jwt-verifier.js';
import { TokenRejectedError } from '../../shared/domain/identity.js';
import { startFakeEntraIssuer, type FakeEntraIssuer } from '../fakes/entra-issuer.js';

const AUDIENCE = 'api://companion-manage';

describe('Entra ID token verification against a local issuer', () => {
  let issuer: FakeEntraIssuer;
  beforeAll(async () => {
    issuer = await startFakeEntraIssuer();
  });
  afterAll(async () => {
    await issuer.close();
  });

  it('accepts a token signed by the issuer and maps oid and email to the principal', async () => {
    const verifier = createEntraTokenVerifier({ issuer: issuer.issuer, audience: AUDIENCE });
    const token = await issuer.issueUserToken({ oid: 'user-1', audience: AUDIENCE, email: 'Ada@Example.com', name: 'Ada' });
    await expect(verifier.verify(token)).resolves.toEqual({ userId: 'user-1', email: 'ada@example.com', name: 'Ada', kind: 'entra' });
  });

  it('rejects a wrong audience, a wrong issuer, an expired token and a forged signature', async () => {
    const verifier = createEntraTokenVerifier({ issuer: issuer.issuer, audience: AUDIENCE });
    const wrongAudience = await issuer.issueUserToken({ oid: 'u', audience: 'api://other' });
    const wrongIssuer = await issuer.issueUserToken({ oid: 'u', audience: AUDIENCE, issuer: 'https://evil.example/v2.0' });
    const expired = await issuer.issueUserToken({ oid: 'u', audience: AUDIENCE, expiresInSeconds: -600 });
    const forged = await issuer.issueUserToken({ oid: 'u', audience: AUDIENCE, signWithUnpublishedKey: true });
    for (const token of [wrongAudience, wrongIssuer, expired, forged, 'not-a-jwt']) {
      await expect(verifier.verify(token)).rejects.toBeInstanceOf(TokenRejectedError);
    }
  });

  it('keeps accepting tokens after the issuer rotates its signing key', async () => {
    const verifier = createEntraTokenVerifier({ issuer: issuer.issuer, audience: AUDIENCE, jwksUrl: issuer.jwksUrl, refetchCooldownMs: 10 });
    await verifier.verify(await issuer.issueUserToken({ oid: 'u1', audience: AUDIENCE }));
    await issuer.rotateKey();
    await new Promise((r) => setTimeout(r, 50));
    const afterRotation = await issuer.issueUserToken({ oid: 'u2', audience: AUDIENCE });
    await expect(verifier.verify(afterRotation)).resolves.toMatchObject({ userId: 'u2' });
  });

  it('applies extra claim checks such as the tenant', async () => {
    const verifier = createEntraTokenVerifier({
      issuer: issuer.issuer,
      audience: AUDIENCE,
      checkClaims: (claims) => (claims['tid'] === 'another-tenant' ? undefined : 'wrong tenant'),
    });
    const token = await issuer.issueUserToken({ oid: 'u', audience: AUDIENCE });
    await expect(verifier.verify(token)).rejects.toThrow('wrong tenant');
  });
});
