import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { TokenRejectedError, type ManagePrincipal, type ManageTokenVerifier } from '../../domain/identity.js';

export interface EntraVerifierOptions {
  /** The v2.0 issuer, e.g. `https://login.microsoftonline.com/<tenant>/v2.0`. */
  readonly issuer: string;
  /** Other issuers accepted for the same keys, e.g. the v1.0 `https://sts.windows.net/<tenant>/` of app-only tokens. */
  readonly additionalIssuers?: readonly string[];
  /** The application (client) id or App ID URI the tokens are issued for. */
  readonly audience: string;
  /** JWKS address; found through the issuer's OpenID configuration when absent. */
  readonly jwksUrl?: string | undefined;
  /** Extra checks on the verified claims (tenant, calling application); return a reason to reject. */
  readonly checkClaims?: (claims: JWTPayload) => string | undefined;
  /** Least time between two key-set fetches triggered by unknown key ids. */
  readonly refetchCooldownMs?: number;
}

const openIdConfiguration = z.object({ jwks_uri: z.url(), issuer: z.string() });

const userClaims = z.object({
  oid: z.string().min(1),
  preferred_username: z.string().optional(),
  email: z.string().optional(),
  upn: z.string().optional(),
  name: z.string().optional(),
});

async function discoverJwksUrl(issuer: string): Promise<string> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`OpenID configuration at ${url} answered ${response.status}`);
  return openIdConfiguration.parse(await response.json()).jwks_uri;
}

/**
 * Validates Entra ID access tokens: RS256 signature against the issuer's published keys (fetched once, refreshed
 * when an unknown key id appears, as after a key rotation), issuer, audience, lifetime with a small clock skew.
 */
export function createEntraTokenVerifier(options: EntraVerifierOptions): ManageTokenVerifier & {
  verifyClaims(token: string): Promise<JWTPayload>;
} {
  let keySet: ReturnType<typeof createRemoteJWKSet> | undefined;
  let keySetPromise: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

  const getKeySet = async (): Promise<ReturnType<typeof createRemoteJWKSet>> => {
    if (keySet) return keySet;
    keySetPromise ??= (async () => {
      const jwksUrl = options.jwksUrl ?? (await discoverJwksUrl(options.issuer));
      keySet = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: options.refetchCooldownMs ?? 30_000, cacheMaxAge: 24 * 3600_000 });
      return keySet;
    })().catch((err: unknown) => {
      keySetPromise = undefined;
      throw err;
    });
    return keySetPromise;
  };

  const verifyClaims = async (token: string): Promise<JWTPayload> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await getKeySet(), {
        issuer: options.additionalIssuers === undefined ? options.issuer : [options.issuer, ...options.additionalIssuers],
        audience: options.audience,
        algorithms: ['RS256'],
        clockTolerance: 60,
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) throw new TokenRejectedError(err.code);
      throw err;
    }
    const reason = options.checkClaims?.(payload);
    if (reason !== undefined) throw new TokenRejectedError(reason);
    return payload;
  };

  return {
    verifyClaims,
    async verify(token: string): Promise<ManagePrincipal> {
      const parsed = userClaims.safeParse(await verifyClaims(token));
      if (!parsed.success) throw new TokenRejectedError('missing oid claim');
      const c = parsed.data;
      return {
        userId: c.oid,
        email: (c.email ?? c.preferred_username ?? c.upn)?.toLowerCase(),
        name: c.name,
        kind: 'entra',
      };
    },
  };
}
