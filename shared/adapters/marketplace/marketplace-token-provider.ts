import type { TokenCredential } from '@azure/identity';
import { z } from 'zod';
import type { MarketplaceSettings } from '../../config.js';

/**
 * Access tokens for the Marketplace APIs (SaaS Fulfillment and Metering share one resource: the Marketplace's
 * application id). With a client secret, the publisher's Entra application asks the v2.0 token endpoint for client
 * credentials; without one, the managed identity asks. A token is reused until five minutes before it expires.
 */
export interface MarketplaceTokenProvider {
  getToken(): Promise<string>;
  /** Drops the cached token (the API answered 401 to it). */
  invalidate(): void;
}

const tokenResponse = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });

const REFRESH_MARGIN_MS = 5 * 60_000;
const TOKEN_TIMEOUT_MS = 10_000;

export class MarketplaceTokenError extends Error {
  constructor(readonly status: number | undefined) {
    super(`Marketplace token request failed${status === undefined ? '' : ` with HTTP ${status}`}`);
    this.name = 'MarketplaceTokenError';
  }
}

export function createMarketplaceTokenProvider(
  settings: Pick<MarketplaceSettings, 'authorityUrl' | 'tenantId' | 'clientId' | 'clientSecret' | 'appId'>,
  credential: () => TokenCredential,
): MarketplaceTokenProvider {
  const scope = `${settings.appId}/.default`;
  let cached: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  const fetchWithSecret = async (secret: string): Promise<{ token: string; expiresAt: number }> => {
    const response = await fetch(`${settings.authorityUrl}/${encodeURIComponent(settings.tenantId)}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: settings.clientId, client_secret: secret, scope }).toString(),
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
    if (!response.ok) throw new MarketplaceTokenError(response.status);
    const parsed = tokenResponse.safeParse(await response.json());
    if (!parsed.success) throw new MarketplaceTokenError(response.status);
    return { token: parsed.data.access_token, expiresAt: Date.now() + parsed.data.expires_in * 1000 };
  };

  const fetchWithIdentity = async (): Promise<{ token: string; expiresAt: number }> => {
    const access = await credential().getToken(scope);
    if (access === null) throw new MarketplaceTokenError(undefined);
    return { token: access.token, expiresAt: access.expiresOnTimestamp };
  };

  return {
    async getToken() {
      if (cached !== undefined && cached.refreshAt > Date.now()) return cached.token;
      inFlight ??= (async () => {
        const { token, expiresAt } =
          settings.clientSecret !== undefined ? await fetchWithSecret(settings.clientSecret) : await fetchWithIdentity();
        cached = { token, refreshAt: Math.max(Date.now(), expiresAt - REFRESH_MARGIN_MS) };
        return token;
      })().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
