import type { TokenCredential } from '@azure/identity';
import type { QueueServiceClient } from '@azure/storage-queue';
import type { ManagedAppMeteringSettings, MarketplaceSettings } from '../../config.js';
import { usageEventMessageSchema, type UsageEventMessage, type UsageEventQueue } from '../../domain/usage.js';
import type { MeteringSettings } from '../../services/metering-submission.js';
import type { UsagePorts } from '../../services/usage-services.js';
import type { CountedContainer } from '../cosmos/counted-container.js';
import { CosmosMeteringBatchRepository, CosmosMeteringEventRepository, CosmosMeteringReconciliationRepository } from '../cosmos/metering-repositories.js';
import { CosmosUsageContributionRepository, CosmosUsageHourRepository, CosmosUsageSessionSource } from '../cosmos/usage-repositories.js';
import { createMarketplaceTokenProvider } from '../marketplace/marketplace-token-provider.js';
import { sendJsonMessage } from '../queue-send.js';
import { USAGE_EVENTS_QUEUE } from '../queues.js';
import { ArmManagedApplicationBilling, identityMeteringTokens } from './managed-application-billing.js';
import { MarketplaceMeteringClient } from './marketplace-metering-client.js';

/** The `usage-events` storage queue. */
export class StorageQueueUsageEventQueue implements UsageEventQueue {
  constructor(private readonly queues: QueueServiceClient) {}

  async send(message: UsageEventMessage): Promise<void> {
    await sendJsonMessage(this.queues.getQueueClient(USAGE_EVENTS_QUEUE), usageEventMessageSchema.parse(message));
  }
}

export function createUsagePorts(
  config: {
    readonly marketplace: MarketplaceSettings | undefined;
    readonly metering?: MeteringSettings | undefined;
    readonly managedAppMetering?: ManagedAppMeteringSettings | undefined;
  },
  storage: { readonly queues: QueueServiceClient },
  container: (id: string) => CountedContainer,
  credential: () => TokenCredential,
): UsagePorts {
  const marketplace = config.marketplace;
  const managedApp = config.managedAppMetering;
  return {
    usageContributions: new CosmosUsageContributionRepository(container('usage-contributions')),
    usageHours: new CosmosUsageHourRepository(container('usage-hours')),
    usageQueue: new StorageQueueUsageEventQueue(storage.queues),
    usageSessions: new CosmosUsageSessionSource(container('sessions')),
    meteringEvents: new CosmosMeteringEventRepository(container('metering-events')),
    meteringBatches: new CosmosMeteringBatchRepository(container('metering-batches')),
    meteringReconciliations: new CosmosMeteringReconciliationRepository(container('metering-reconciliations')),
    // A managed-application install: the identity's own tokens, and all usage billed to the application.
    meteringApi:
      managedApp !== undefined
        ? new MarketplaceMeteringClient({ apiUrl: managedApp.apiUrl, tokens: identityMeteringTokens(credential, managedApp.appId) })
        : marketplace === undefined
          ? undefined
          : new MarketplaceMeteringClient({ apiUrl: marketplace.apiUrl, tokens: createMarketplaceTokenProvider(marketplace, credential) }),
    managedApplication:
      managedApp === undefined
        ? undefined
        : new ArmManagedApplicationBilling({ managementUrl: managedApp.managementUrl, resourceGroupId: managedApp.resourceGroupId, credential }),
    meteringSettings: config.metering,
  };
}
