import { SignJWT, jwtVerify } from 'jose';
import { z } from 'zod';
import { UnauthorizedError } from '../domain/errors.js';

/**
 * Session tokens: HS256 JWTs that authorize the runtime calls of one session (API.md "Session runtime"). Short-lived
 * on purpose: the token is handed to a browser or device, and a leaked one must stop working soon.
 */

const ISSUER = 'companion-sessions';
const AUDIENCE = 'session-runtime';

export interface SessionTokenClaims {
  readonly sessionId: string;
  readonly projectId: string;
  readonly orgId: string;
}

const claimsSchema = z.object({ sessionId: z.string().min(1), projectId: z.string().min(1), orgId: z.string().min(1) });

export function invalidSessionToken(): UnauthorizedError {
  return new UnauthorizedError('InvalidSessionToken', 'The session token is missing, invalid, expired or for another session.');
}

export class SessionTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    if (secret.length < 32) throw new RangeError('the session token secret must have at least 32 characters');
    this.key = new TextEncoder().encode(secret);
  }

  async issue(claims: SessionTokenClaims, now: Date): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = new Date((issuedAt + this.ttlSeconds) * 1000);
    const token = await new SignJWT({ sessionId: claims.sessionId, projectId: claims.projectId, orgId: claims.orgId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /** The token's claims, or 401 InvalidSessionToken; the reason is not told (it would help only a forger). */
  async verify(token: string | undefined, now: Date): Promise<SessionTokenClaims> {
    if (token === undefined || token === '') throw invalidSessionToken();
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: now,
      });
      const parsed = claimsSchema.safeParse(payload);
      if (!parsed.success) throw invalidSessionToken();
      return parsed.data;
    } catch {
      throw invalidSessionToken();
    }
  }
}
