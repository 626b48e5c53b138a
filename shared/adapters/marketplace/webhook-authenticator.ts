import type { MarketplaceSettings } from '../../config.js';
import { ForbiddenError, UnauthorizedError } from '../../domain/errors.js';
import { TokenRejectedError } from '../../domain/identity.js';
import type { Logger } from '../../domain/logger.js';
import type { MarketplaceWebhookAuthenticator } from '../../domain/marketplace-fulfillment.js';
import { createEntraTokenVerifier } from '../entra/jwt-verifier.js';

/**
 * The Marketplace calls the webhook with an Entra ID token of its own application. A call is accepted when the token
 * is signed by one of the publisher tenant's published keys, was issued by that tenant (v2.0 or v1.0 issuer), is
 * for our application (`aud`) and is current (401 otherwise), and names the publisher tenant (`tid`) and the
 * Marketplace application (`appid`, or `azp` in v2.0 tokens) as the caller (403 otherwise).
 */
export function createMarketplaceWebhookAuthenticator(
  settings: Pick<MarketplaceSettings, 'authorityUrl' | 'appId' | 'webhook'>,
  logger: Logger,
): MarketplaceWebhookAuthenticator {
  const tenant = settings.webhook.publisherTenantId;
  const verifier = createEntraTokenVerifier({
    issuer: `${settings.authorityUrl}/${tenant}/v2.0`,
    additionalIssuers: [`https://sts.windows.net/${tenant}/`],
    audience: settings.webhook.audience,
    jwksUrl: settings.webhook.jwksUrl,
  });

  return {
    async authenticate(bearerToken) {
      if (bearerToken === undefined || bearerToken === '') throw unauthorized();
      let claims: Record<string, unknown>;
      try {
        claims = await verifier.verifyClaims(bearerToken);
      } catch (err) {
        if (!(err instanceof TokenRejectedError)) throw err;
        logger.warn('marketplace webhook token rejected', { reason: err.reason });
        throw unauthorized();
      }
      if (claims['tid'] !== tenant) {
        logger.warn('marketplace webhook token of another tenant', {});
        throw forbidden();
      }
      const caller = typeof claims['appid'] === 'string' ? claims['appid'] : claims['azp'];
      if (caller !== settings.appId) {
        logger.warn('marketplace webhook token of another application', {});
        throw forbidden();
      }
    },
  };
}

function unauthorized(): UnauthorizedError {
  return new UnauthorizedError('InvalidToken', 'A valid Entra ID bearer token of the Azure Marketplace is required.');
}

function forbidden(): ForbiddenError {
  return new ForbiddenError('Only the Azure Marketplace may call this webhook.');
}
