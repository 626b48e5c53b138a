import type { TokenCredential } from '@azure/identity';
import type { MarketplaceSettings } from '../../config.js';
import type { Logger } from '../../domain/logger.js';
import type { MarketplacePorts } from '../../services/marketplace-fulfillment-service.js';
import type { CountedContainer } from '../cosmos/counted-container.js';
import { CosmosMarketplaceRetentionQuery, CosmosMarketplaceSubscriptionClaims } from './cosmos-marketplace-store.js';
import { HttpMarketplaceFulfillment } from './fulfillment-client.js';
import { createMarketplaceTokenProvider } from './marketplace-token-provider.js';
import { createMarketplaceWebhookAuthenticator } from './webhook-authenticator.js';

/** The Marketplace adapters from MARKETPLACE_* settings: the Fulfillment API client, the webhook check and the stores. */
export function createMarketplacePorts(
  settings: MarketplaceSettings,
  container: (id: string) => CountedContainer,
  credential: () => TokenCredential,
  logger: Logger,
): MarketplacePorts {
  return {
    fulfillment: new HttpMarketplaceFulfillment({ apiUrl: settings.apiUrl, tokens: createMarketplaceTokenProvider(settings, credential) }),
    webhookAuthenticator: createMarketplaceWebhookAuthenticator(settings, logger),
    claims: new CosmosMarketplaceSubscriptionClaims(container('marketplace-subscriptions')),
    retention: new CosmosMarketplaceRetentionQuery(container('organizations')),
  };
}
