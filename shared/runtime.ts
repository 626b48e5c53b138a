import type { Database } from '@azure/cosmos';
import { getConfig, type Config } from './config.js';
import { systemClock, type Clock } from './domain/clock.js';
import type { EventPublisher } from './domain/event-publisher.js';
import type { ManageTokenVerifier } from './domain/identity.js';
import type { Logger } from './domain/logger.js';
import type { Metrics } from './domain/metrics.js';
import { structuredLogger, structuredMetrics } from './adapters/observability/structured-log.js';
import { createServices, type Services } from './services/services.js';

/** Everything the functions use, built once per process from the configuration. */
export interface Runtime {
  readonly config: Config;
  readonly services: Services;
  /** The Cosmos database the repositories use (for the local host's snapshot and for benchmarks). */
  readonly cosmosDatabase: Database;
  /** The blob service's address: browsers PUT uploads to SAS URLs there (the dashboard's CSP allows its origin). */
  readonly blobServiceUrl: string;
  /** Creates the Cosmos database and containers when missing (local start-up and tests; in Azure the deployment does it). */
  ensureContainers(): Promise<void>;
  /** Closes the SDK clients (graceful shutdown of the local host, end of a test file). */
  dispose(): Promise<void>;
}

export interface RuntimeOptions {
  readonly logger?: Logger;
  /** Replaces the structured-log metrics (tests that assert what was recorded). */
  readonly metrics?: Metrics;
  /** Replaces the Entra ID verifier built from MANAGE_AUTH_* (tests that sign their own tokens). */
  readonly manageTokenVerifier?: ManageTokenVerifier;
  /** Replaces the webhook-events queue publisher (tests that assert the events of one runtime alone). */
  readonly events?: EventPublisher;
  /** Replaces the system clock of the services (tests that move time forward instead of waiting). */
  readonly clock?: Clock;
}

/**
 * The composition root: SDK clients, repositories and services. The SDK adapters are imported here, on first use,
 * so that importing the function modules (cold start) does not load the Cosmos, Storage and Identity SDKs.
 */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  // JSON lines with the invocation's ids, which Application Insights keeps as traces (README "Operations").
  const logger = options.logger ?? structuredLogger();
  const [
    { createAzureCredential },
    { createCosmosClient },
    { ensureContainers },
    { CountedContainer },
    { CosmosOrganizationRepository },
    { CosmosMemberRosterRepository },
    { CosmosMembershipIndex },
    { CosmosProjectRepository },
    { CosmosApiKeyRepository },
    { CosmosApiKeyLookupRepository },
    { CosmosCompanionRepository },
    { CosmosDigitalTwinClaimRepository },
    { createStorageClients },
    { QueueEventPublisher },
    { AzureBlobStore },
    { WEBHOOK_EVENTS_QUEUE },
    { createCosmosHealthProbe },
    { createStorageHealthProbe },
    { LocalKeyFileSealer },
  ] = await Promise.all([
    import('./adapters/azure-credential.js'),
    import('./adapters/cosmos/client.js'),
    import('./adapters/cosmos/containers.js'),
    import('./adapters/cosmos/counted-container.js'),
    import('./adapters/cosmos/organization-repository.js'),
    import('./adapters/cosmos/member-roster-repository.js'),
    import('./adapters/cosmos/membership-index.js'),
    import('./adapters/cosmos/project-repository.js'),
    import('./adapters/cosmos/api-key-repository.js'),
    import('./adapters/cosmos/api-key-lookup-repository.js'),
    import('./adapters/cosmos/companion-repository.js'),
    import('./adapters/cosmos/digital-twin-claim-repository.js'),
    import('./adapters/storage.js'),
    import('./adapters/queue-event-publisher.js'),
    import('./adapters/blob-store.js'),
    import('./adapters/queues.js'),
    import('./adapters/health/cosmos-health-probe.js'),
    import('./adapters/health/storage-health-probe.js'),
    import('./adapters/secrets/local-key-file-sealer.js'),
  ]);

  // One credential for every client that uses the managed identity; created only if one does.
  let credential: ReturnType<typeof createAzureCredential> | undefined;
  const sharedCredential = () => (credential ??= createAzureCredential(config));

  const cosmos = createCosmosClient(config, sharedCredential);
  const database = cosmos.database(config.cosmos.database);
  const container = (id: string) => new CountedContainer(database.container(id));
  const storage = createStorageClients(config, sharedCredential);
  const { createMediaIntakePorts } = await import('./adapters/media-intake-ports.js');
  const { createCompanionGenerationPorts } = await import('./adapters/companion-generation-ports.js');
  const { createPlatformOpenAI } = await import('./adapters/openai/platform-openai.js');
  const { createKnowledgeIndex } = await import('./adapters/knowledge/knowledge-index-factory.js');
  const { CosmosFaqRepository } = await import('./adapters/cosmos/faq-repository.js');
  const { createKnowledgePorts } = await import('./adapters/knowledge/knowledge-ports.js');
  const { createAgentPorts } = await import('./adapters/agent-ports.js');
  const { createSessionPorts } = await import('./adapters/session-ports.js');
  const { createWebhookPorts } = await import('./adapters/webhook-ports.js');
  // The platform's Azure OpenAI resource (undefined without AZURE_OPENAI_ENDPOINT): embeddings for knowledge and FAQs,
  // and the client that chat-based adapters (summaries, vision) build on.
  const platformOpenAI = createPlatformOpenAI(config, sharedCredential);
  const { CosmosSessionRepository } = await import('./adapters/cosmos/session-repository.js');
  const { SessionTokens } = await import('./services/session-tokens.js');
  const { createChatModelResolver } = await import('./adapters/openai/chat-model-resolver.js');
  const { DEFAULT_AZURE_OPENAI_API_VERSION } = await import('./config.js');
  let sessionTokenSecret = config.sessionTokenSecret;
  if (sessionTokenSecret === undefined) {
    const { localSessionTokenSecret } = await import('./adapters/secrets/local-session-token-secret.js');
    sessionTokenSecret = await localSessionTokenSecret(config.dataDir);
  }
  const apiKeyRepository = new CosmosApiKeyRepository(container('api-keys'));
  // Secrets at rest: the Key Vault key when configured (required in Azure, where every instance must open what another
  // sealed), else the local key file.
  const sealer =
    config.keyVaultKeyId !== undefined
      ? new (await import('./adapters/secrets/key-vault-sealer.js')).KeyVaultSealer(config.keyVaultKeyId, sharedCredential())
      : new LocalKeyFileSealer(config.secretKeyFile);

  let manageTokenVerifier = options.manageTokenVerifier;
  if (manageTokenVerifier === undefined && config.manageAuth !== undefined) {
    const { createEntraTokenVerifier } = await import('./adapters/entra/jwt-verifier.js');
    manageTokenVerifier = createEntraTokenVerifier({
      issuer: config.manageAuth.issuer,
      audience: config.manageAuth.audience,
      jwksUrl: config.manageAuth.jwksUrl,
    });
  }

  // The chat model of each session's key: its turns, and the extraction of its memory once it closes.
  const chatModels = createChatModelResolver({
    platform: platformOpenAI,
    apiKeys: apiKeyRepository,
    sealer,
    defaultApiVersion: config.openai?.apiVersion ?? DEFAULT_AZURE_OPENAI_API_VERSION,
    allowPrivateUrls: config.allowPrivateUrls,
    tokenCredential: sharedCredential,
  });
  const { createMemoryPorts } = await import('./adapters/memory-ports.js');
  const { createRealtimeMinter } = await import('./adapters/openai/realtime-minter.js');
  const realtime = createRealtimeMinter({
    platform: platformOpenAI,
    apiKeys: apiKeyRepository,
    sealer,
    defaultApiVersion: config.openai?.apiVersion ?? DEFAULT_AZURE_OPENAI_API_VERSION,
    allowPrivateUrls: config.allowPrivateUrls,
    tokenCredential: sharedCredential,
    logger,
  });

  // Azure Marketplace SaaS fulfillment, when MARKETPLACE_TENANT_ID and MARKETPLACE_CLIENT_ID are set.
  const marketplace =
    config.marketplace === undefined
      ? undefined
      : (await import('./adapters/marketplace/marketplace-ports.js')).createMarketplacePorts(config.marketplace, container, sharedCredential, logger);

  const services = createServices({
    organizations: new CosmosOrganizationRepository(container('organizations')),
    rosters: new CosmosMemberRosterRepository(container('member-rosters')),
    membershipIndex: new CosmosMembershipIndex(container('memberships')),
    projects: new CosmosProjectRepository(container('projects')),
    projectDeletions: new (await import('./adapters/project-deletion-queue.js')).StorageQueueProjectDeletionQueue(
      storage.queues.getQueueClient((await import('./adapters/queues.js')).PROJECT_DELETIONS_QUEUE),
    ),
    apiKeys: apiKeyRepository,
    apiKeyLookups: new CosmosApiKeyLookupRepository(container('api-key-lookups')),
    sealer,
    companions: new CosmosCompanionRepository(container('companions')),
    twinClaims: new CosmosDigitalTwinClaimRepository(container('companion-claims')),
    blobs: new AzureBlobStore(storage.blobs),
    events: options.events ?? new QueueEventPublisher(storage.queues.getQueueClient(WEBHOOK_EVENTS_QUEUE)),
    allowPrivateUrls: config.allowPrivateUrls,
    ...createMediaIntakePorts(config, storage),
    ...createCompanionGenerationPorts(config, storage, sharedCredential, systemClock),
    knowledgeIndex: createKnowledgeIndex(config.knowledgeIndex, {
      chunks: container('knowledge-chunks'),
      versions: container('knowledge-index-state'),
    }),
    embeddings: platformOpenAI?.embeddings,
    faqs: new CosmosFaqRepository(container('faqs')),
    ...createKnowledgePorts(storage, container, platformOpenAI),
    ...createAgentPorts(container),
    sessions: new CosmosSessionRepository(container('sessions')),
    ...createWebhookPorts(container, storage, config),
    ...createSessionPorts(config, storage, container, options.clock ?? systemClock),
    sessionTokens: new SessionTokens(sessionTokenSecret, config.sessionTokenTtlSeconds),
    chatModels,
    realtime,
    ...createMemoryPorts(container, storage, { chatModels, logger }),
    usage: (await import('./adapters/metering/usage-ports.js')).createUsagePorts(config, storage, container, sharedCredential),
    marketplace,
    healthProbes: [createStorageHealthProbe(storage.blobs), createCosmosHealthProbe(database)],
    manageTokenVerifier,
    devAdminToken: config.devAdminToken,
    clock: options.clock ?? systemClock,
    logger,
    metrics: options.metrics ?? structuredMetrics(),
  });

  return {
    config,
    services,
    cosmosDatabase: database,
    blobServiceUrl: storage.blobs.url,
    async ensureContainers() {
      if (config.knowledgeIndex === 'cosmos') {
        // First, with its vector and full-text policies: the generic pass below would create it without them.
        const { ensureKnowledgeChunksContainer } = await import('./adapters/cosmos/knowledge-chunks-container.js');
        await ensureKnowledgeChunksContainer(database, config.openai?.embeddingDimensions);
      }
      await ensureContainers(database);
    },
    async dispose() {
      cosmos.dispose();
    },
  };
}

let current: Promise<Runtime> | undefined;

/** The process's runtime, built from `getConfig()` on first use. A failed build is retried on the next call. */
export function getRuntime(): Promise<Runtime> {
  current ??= createRuntime(getConfig()).catch((err: unknown) => {
    current = undefined;
    throw err;
  });
  return current;
}

/** Installs a runtime built elsewhere (tests with fakes, or a host that built it with options), or clears it. */
export function setRuntime(runtime: Runtime | undefined): void {
  current = runtime === undefined ? undefined : Promise.resolve(runtime);
}
