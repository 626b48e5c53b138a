import type { AgentFunctionRepository } from '../domain/agent-function-repository.js';
import type { AgentRepository } from '../domain/agent-repository.js';
import type { AgentSlotRepository } from '../domain/agent-slot-repository.js';
import type { ApiKeyLookupRepository } from '../domain/api-key-lookup-repository.js';
import type { ApiKeyRepository } from '../domain/api-key-repository.js';
import type { BlobStore } from '../domain/blob-store.js';
import type { Clock } from '../domain/clock.js';
import type { AvatarEngine } from '../domain/avatar-engine.js';
import type { CompanionAssetStore } from '../domain/companion-asset-store.js';
import type { CompanionJobQueue } from '../domain/companion-jobs.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import type { DigitalTwinClaimRepository } from '../domain/digital-twin-claim-repository.js';
import type { EventPublisher } from '../domain/event-publisher.js';
import type { FaqRepository } from '../domain/faq-repository.js';
import type { FunctionNameClaimRepository } from '../domain/function-name-claim-repository.js';
import type { HealthProbe } from '../domain/health-probe.js';
import type { JsonSchemaChecker } from '../domain/json-schema-checker.js';
import type { ManageTokenVerifier } from '../domain/identity.js';
import type { Logger } from '../domain/logger.js';
import { noMetrics, type Metrics } from '../domain/metrics.js';
import { recordClosedSessionMetrics } from './session-metrics.js';
import type { MediaFetchQueue } from '../domain/media-fetch-job.js';
import type { MediaIntakeStore } from '../domain/media-intake-store.js';
import type { AvatarViewRenderer } from '../domain/media/avatar-views.js';
import type { MediaInspector } from '../domain/media/media-inspector.js';
import type { MemberRosterRepository } from '../domain/member-roster-repository.js';
import type { MembershipIndex } from '../domain/membership-index.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';
import type { ProjectRepository } from '../domain/project-repository.js';
import type { GuardedFetcher } from '../domain/outbound.js';
import type { DocumentExtractor } from '../domain/knowledge/extraction.js';
import type { EmbeddingClient } from '../domain/knowledge/embeddings.js';
import type { KnowledgeBaseRepository } from '../domain/knowledge/knowledge-base-repository.js';
import type { KnowledgeFileFetchQueue } from '../domain/knowledge/knowledge-file-fetch-job.js';
import type { KnowledgeFileRepository } from '../domain/knowledge/knowledge-file-repository.js';
import type { KnowledgeFileStore } from '../domain/knowledge/knowledge-file-store.js';
import type { KnowledgeIndex } from '../domain/knowledge/knowledge-index.js';
import type { Summarizer } from '../domain/knowledge/summarizer.js';
import type { SecretSealer } from '../domain/secret-sealer.js';
import type { SessionRepository } from '../domain/session.js';
import type { VoiceEngine } from '../domain/voice-engine.js';
import { AgentFunctionService } from './agent-function-service.js';
import { AgentService } from './agent-service.js';
import { ApiKeyLastUsedRecorder } from './api-key-last-used.js';
import { ApiKeyService } from './api-key-service.js';
import { AvatarGenerationService } from './avatar-generation-service.js';
import { CompanionAssetService } from './companion-asset-service.js';
import { CompanionCatalogService } from './companion-catalog-service.js';
import { CompanionMediaFetch } from './companion-media-fetch.js';
import { CompanionMediaIntake } from './companion-media-intake.js';
import { CompanionMediaRecords } from './companion-media-records.js';
import { CompanionMediaUploads } from './companion-media-uploads.js';
import { CompanionService } from './companion-service.js';
import { DigitalTwinConsentService } from './digital-twin-consent-service.js';
import { DigitalTwinService } from './digital-twin-service.js';
import { FaqMatcher } from './faq-matcher.js';
import { FaqService } from './faq-service.js';
import { HealthService } from './health-service.js';
import { KnowledgeBaseService } from './knowledge-base-service.js';
import { KnowledgeFileFetch } from './knowledge-file-fetch.js';
import { KnowledgeFileIntake } from './knowledge-file-intake.js';
import { KnowledgeFileRecords } from './knowledge-file-records.js';
import { KnowledgeFileService } from './knowledge-file-service.js';
import { KnowledgeFileSlots } from './knowledge-file-slots.js';
import { KnowledgeIngest } from './knowledge-ingest.js';
import { KnowledgeSearchService } from './knowledge-search-service.js';
import { KnowledgeUploadExpiry } from './knowledge-upload-expiry.js';
import { LocalBootstrap } from './local-bootstrap.js';
import { DashboardAccess } from './dashboard-access.js';
import { ManageAuthentication } from './manage-authentication.js';
import { MemberService } from './member-service.js';
import { OrganizationAccess } from './organization-access.js';
import { OrganizationService } from './organization-service.js';
import { ProjectService } from './project-service.js';
import { PublicProjectService } from './public-project-service.js';
import { VoiceProfileService } from './voice-profile-service.js';
import { SessionService, type FunctionCallTimeouts } from './session-service.js';
import { FunctionInvoker } from './function-invoker.js';
import { SessionLifecycleService } from './session-lifecycle-service.js';
import { SessionWriter } from './session-writer.js';
import { SessionAdmission } from './session-admission-service.js';
import type { ConnectionRateLimiter, SessionSlotStore } from '../domain/session-admission.js';
import type { SessionEventQueue } from '../domain/session-media-event.js';
import { DEFAULT_FUNCTION_TIMEOUT_MS } from '../domain/agent-function.js';
import type { GuardedWebSocketCaller } from '../domain/outbound.js';
import type { RealtimeMinter } from '../domain/realtime.js';
import type { SessionTokens } from './session-tokens.js';
import { TurnEngine, type ChatModelResolver } from './session-turns.js';
import type { WebhookDeliveryRepository, WebhookRepository } from '../domain/webhook-repository.js';
import type { WebhookRetryQueue, WebhookRetrySchedule } from '../domain/webhook-delivery.js';
import { WebhookDeliveryService } from './webhook-delivery-service.js';
import { WebhookService } from './webhook-service.js';
import type { ClientMemoryRepository, MemoryExtractionQueue } from '../domain/client-memory.js';
import type { MemoryExtractor } from '../domain/memory-extraction.js';
import { ClientMemoryService } from './client-memory-service.js';
import { createUsageServices, type UsagePorts, type UsageServices } from './usage-services.js';
import { MarketplaceDataRetention } from './marketplace-data-retention.js';
import type { ProjectDeletionQueue } from '../domain/project-deletion.js';
import { ProjectDataDeletion } from './project-data-deletion.js';
import { MarketplaceFulfillmentService, type MarketplacePorts } from './marketplace-fulfillment-service.js';
import { SubscriptionGate } from './marketplace-subscription-gate.js';

/** Every port the services need; the composition root (shared/runtime.ts) or a test supplies them. */
export interface ServicePorts {
  readonly organizations: OrganizationRepository;
  readonly rosters: MemberRosterRepository;
  readonly membershipIndex: MembershipIndex;
  readonly projects: ProjectRepository;
  /** The `project-deletions` queue: deleted projects whose data the queue function deletes. */
  readonly projectDeletions: ProjectDeletionQueue;
  readonly apiKeys: ApiKeyRepository;
  readonly apiKeyLookups: ApiKeyLookupRepository;
  readonly sealer: SecretSealer;
  readonly companions: CompanionRepository;
  readonly twinClaims: DigitalTwinClaimRepository;
  readonly blobs: BlobStore;
  readonly events: EventPublisher;
  /** The avatar-generation and voice-profile queues. */
  readonly companionJobs: CompanionJobQueue;
  /** Media intake: the one way to reach tenants' URLs, the media checks, the media container and the fetch queue. */
  readonly fetcher: GuardedFetcher;
  readonly mediaInspector: MediaInspector;
  readonly mediaStore: MediaIntakeStore;
  readonly mediaFetchQueue: MediaFetchQueue;
  /** Avatar generation, voice profiles and asset serving: generated files, the engines, the stock portraits. */
  readonly assetStore: CompanionAssetStore;
  readonly avatarEngine: AvatarEngine;
  readonly voiceEngine: VoiceEngine;
  readonly portraits: AvatarViewRenderer;
  /**
   * Knowledge bases: their records, the knowledge container and fetch queue, the index, text extraction, and the
   * platform's embedding and chat deployments when configured (undefined: lexical retrieval, extractive summaries).
   */
  readonly knowledgeBases: KnowledgeBaseRepository;
  readonly knowledgeFiles: KnowledgeFileRepository;
  readonly knowledgeStore: KnowledgeFileStore;
  readonly knowledgeFetchQueue: KnowledgeFileFetchQueue;
  readonly knowledgeIndex: KnowledgeIndex;
  readonly documentExtractor: DocumentExtractor;
  readonly embeddings: EmbeddingClient | undefined;
  /** FAQ collections; their questions are embedded with `embeddings` when it is configured. */
  readonly faqs: FaqRepository;
  readonly summarizer: Summarizer | undefined;
  /**
   * Functions (tools) with their name claims, agents and the organizations' agent slots; agents also answer which
   * companions are in use. Function parameters are checked as JSON Schema by `jsonSchemaChecker`.
   */
  readonly agentFunctions: AgentFunctionRepository;
  readonly functionNameClaims: FunctionNameClaimRepository;
  readonly agents: AgentRepository;
  readonly agentSlots: AgentSlotRepository;
  readonly jsonSchemaChecker: JsonSchemaChecker;
  /** Sessions, the tokens that authorize their runtime calls, and the chat model of each session's API key. */
  readonly sessions: SessionRepository;
  readonly sessionTokens: SessionTokens;
  readonly chatModels: ChatModelResolver;
  /** Realtime client secrets for audio sessions whose key has a realtime deployment. */
  readonly realtime: RealtimeMinter;
  /** Explicit functions with a wss:// endpoint are called through it; implicit calls are checked again at their deadline. */
  readonly webSockets: GuardedWebSocketCaller;
  readonly functionCallTimeouts: FunctionCallTimeouts;
  /** The session-events queue: the activity call writes to it, as an external media tier does. */
  readonly sessionEvents: SessionEventQueue;
  /** The connection rate per key and the open-session slots per organization and channel type. */
  readonly rateLimiter: ConnectionRateLimiter;
  readonly sessionSlots: SessionSlotStore;
  /** Project webhooks, their delivery records, and the retry queue with its waits (the default schedule when absent). */
  readonly webhooks: WebhookRepository;
  readonly webhookDeliveries: WebhookDeliveryRepository;
  readonly webhookRetries: WebhookRetryQueue;
  readonly webhookRetrySchedule?: WebhookRetrySchedule | undefined;
  /** Memory of externalClientIds: the records, the `session-memory` queue, and the extractor (chat model or extractive). */
  readonly clientMemories: ClientMemoryRepository;
  readonly memoryQueue: MemoryExtractionQueue;
  readonly memoryExtractor: MemoryExtractor;
  /** Usage records, the usage-events queue and Marketplace metering; absent in unit tests that do not need them. */
  readonly usage?: UsagePorts | undefined;
  /** Azure Marketplace SaaS fulfillment; absent without MARKETPLACE_TENANT_ID / MARKETPLACE_CLIENT_ID (and in unit tests). */
  readonly marketplace?: MarketplacePorts | undefined;
  /** Local-only COMPANION_ALLOW_PRIVATE_URLS: media URLs may point to loopback HTTP. */
  readonly allowPrivateUrls: boolean;
  readonly healthProbes: readonly HealthProbe[];
  readonly manageTokenVerifier: ManageTokenVerifier | undefined;
  readonly devAdminToken: string | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Session minutes and ingestion times for operators (README "Operations"); none recorded when absent. */
  readonly metrics?: Metrics | undefined;
}

export interface Services {
  readonly manageAuthentication: ManageAuthentication;
  /** The dashboard's access to a project's `/public` routes with a `/manage` token (members read and play, admins write). */
  readonly dashboardAccess: DashboardAccess;
  readonly access: OrganizationAccess;
  readonly organizations: OrganizationService;
  readonly members: MemberService;
  readonly projects: ProjectService;
  readonly apiKeys: ApiKeyService;
  readonly publicProject: PublicProjectService;
  readonly companions: CompanionService;
  readonly digitalTwins: DigitalTwinService;
  readonly digitalTwinConsent: DigitalTwinConsentService;
  readonly catalog: CompanionCatalogService;
  readonly mediaIntake: CompanionMediaIntake;
  readonly mediaFetch: CompanionMediaFetch;
  readonly mediaUploads: CompanionMediaUploads;
  readonly avatarGeneration: AvatarGenerationService;
  readonly voiceProfiles: VoiceProfileService;
  readonly companionAssets: CompanionAssetService;
  readonly health: HealthService;
  readonly bootstrap: LocalBootstrap;
  readonly faqs: FaqService;
  /** Finds the FAQ pair that answers a question (the conversation runtime's FAQ step). */
  readonly faqMatcher: FaqMatcher;
  readonly knowledgeBases: KnowledgeBaseService;
  readonly knowledgeFiles: KnowledgeFileService;
  readonly knowledgeIntake: KnowledgeFileIntake;
  readonly knowledgeFetch: KnowledgeFileFetch;
  readonly knowledgeIngest: KnowledgeIngest;
  readonly knowledgeSearch: KnowledgeSearchService;
  /** The timer-triggered sweep that fails knowledge files whose bytes never came (UploadExpired). */
  readonly knowledgeUploadExpiry: KnowledgeUploadExpiry;
  readonly agentFunctions: AgentFunctionService;
  readonly agents: AgentService;
  readonly sessions: SessionService;
  /** Closes, activity, the session-events queue, the sweeper, lists, deletion, token renewal and the event stream. */
  readonly sessionLifecycle: SessionLifecycleService;
  readonly sessionTokens: SessionTokens;
  /** Project webhooks (admins) and the delivery of the `webhook-events` queue. */
  readonly webhooks: WebhookService;
  readonly webhookDelivery: WebhookDeliveryService;
  /** Memory of the person behind an externalClientId: extraction after a close, reads for assembly, forgetting a session. */
  readonly memory: ClientMemoryService;
  /** Usage per billing resource, project and hour, the usage API, and the Marketplace submission (undefined without usage ports). */
  readonly usage: UsageServices | undefined;
  /** The Marketplace landing page and webhook, and the deletion of cancelled subscriptions' data after 7 days. */
  readonly marketplace: MarketplaceFulfillmentService;
  readonly marketplaceRetention: MarketplaceDataRetention;
  /** Deletes a project's data and then the project: the `project-deletions` queue, its hourly sweep, and the retention. */
  readonly projectDeletion: ProjectDataDeletion;
}

export function createServices(ports: ServicePorts): Services {
  const access = new OrganizationAccess(ports);
  const organizations = new OrganizationService({ ...ports, access });
  // API keys of an organization whose Marketplace subscription is suspended or cancelled answer 403 SubscriptionNotActive.
  const subscriptionGate = new SubscriptionGate(ports);
  const apiKeys = new ApiKeyService({
    ...ports,
    access,
    subscriptionGate,
    lastUsed: new ApiKeyLastUsedRecorder(ports.apiKeys, ports.clock, ports.logger),
  });
  const digitalTwinConsent = new DigitalTwinConsentService({ ...ports, access });
  const mediaRecords = new CompanionMediaRecords(ports);
  const mediaIntake = new CompanionMediaIntake({ ...ports, records: mediaRecords });
  const knowledgeBases = new KnowledgeBaseService(ports);
  const knowledgeRecords = new KnowledgeFileRecords(ports);
  const knowledgeSlots = new KnowledgeFileSlots(ports);
  const faqMatcher = new FaqMatcher(ports);
  const knowledgeSearch = new KnowledgeSearchService({ ...ports, bases: knowledgeBases });
  const functionInvoker = new FunctionInvoker(ports);
  const sessionWriter = new SessionWriter(ports);
  const admission = new SessionAdmission(ports);
  // A closed session gives its slot back at once; a lost release is reclaimed when the organization is full.
  sessionWriter.onClosed((session) => admission.release(session));
  // A session with an externalClientId is remembered: its facts and summary are extracted by a queue job.
  const memory = new ClientMemoryService(ports);
  sessionWriter.onClosed((session) => memory.enqueueExtraction(session));
  // Active seconds and billed minutes by hosting, for the operators' charts.
  sessionWriter.onClosed(recordClosedSessionMetrics(ports.metrics ?? noMetrics));
  // A closed session's minutes are recorded per hour by the usage-events queue function.
  const usage = ports.usage === undefined ? undefined : createUsageServices(ports.usage, { ...ports, access });
  if (usage !== undefined) sessionWriter.onClosed((session) => usage.recorder.enqueueClosed(session));
  const turns = new TurnEngine({
    chatModels: ports.chatModels,
    functions: functionInvoker,
    functionTimeoutMs: async (projectId, functionId) =>
      (await ports.agentFunctions.get(projectId, functionId))?.timeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS,
    faqMatcher,
    // The session's project stands in for a key's: the search reads nothing else of the principal.
    searchKnowledge: async (projectId, baseId, query, top) =>
      (await knowledgeSearch.search({ keyId: '', orgId: '', hosting: 'hosted', projectId }, baseId, { query, top })).results,
    logger: ports.logger,
    now: () => ports.clock.now(),
  });
  const manageAuthentication = new ManageAuthentication({
    devAdminToken: ports.devAdminToken,
    verifier: ports.manageTokenVerifier,
    logger: ports.logger,
  });
  const core = {
    manageAuthentication,
    dashboardAccess: new DashboardAccess({ manageAuthentication, access, subscriptionGate }),
    access,
    organizations,
    members: new MemberService({ ...ports, access }),
    projects: new ProjectService({ ...ports, access }),
    apiKeys,
    publicProject: new PublicProjectService(ports),
    companions: new CompanionService({ ...ports, mediaIntake, companionUsage: ports.agents }),
    digitalTwins: new DigitalTwinService({ ...ports, consent: digitalTwinConsent, mediaIntake }),
    digitalTwinConsent,
    catalog: new CompanionCatalogService(),
    mediaIntake,
    mediaFetch: new CompanionMediaFetch({ ...ports, records: mediaRecords }),
    mediaUploads: new CompanionMediaUploads({ ...ports, records: mediaRecords }),
    avatarGeneration: new AvatarGenerationService(ports),
    voiceProfiles: new VoiceProfileService(ports),
    companionAssets: new CompanionAssetService(ports),
    health: new HealthService(ports.healthProbes, ports.logger),
    faqs: new FaqService(ports),
    faqMatcher,
    knowledgeBases,
    knowledgeFiles: new KnowledgeFileService({ ...ports, bases: knowledgeBases, records: knowledgeRecords, slots: knowledgeSlots }),
    knowledgeIntake: new KnowledgeFileIntake({ ...ports, bases: knowledgeBases, slots: knowledgeSlots }),
    knowledgeFetch: new KnowledgeFileFetch({ ...ports, records: knowledgeRecords }),
    knowledgeIngest: new KnowledgeIngest({ ...ports, records: knowledgeRecords }),
    knowledgeSearch,
    knowledgeUploadExpiry: new KnowledgeUploadExpiry({ ...ports, records: knowledgeRecords, slots: knowledgeSlots }),
    agentFunctions: new AgentFunctionService(ports),
    agents: new AgentService(ports),
    sessions: new SessionService({ ...ports, turns, functions: functionInvoker, writer: sessionWriter, admission, memory }),
    sessionLifecycle: new SessionLifecycleService({ ...ports, writer: sessionWriter, memory }),
    sessionTokens: ports.sessionTokens,
    webhooks: new WebhookService({ ...ports, access }),
    webhookDelivery: new WebhookDeliveryService({ ...ports, retrySchedule: ports.webhookRetrySchedule }),
    memory,
    usage,
  };
  const projectDeletion = new ProjectDataDeletion({
    ...ports,
    sessionLifecycle: core.sessionLifecycle,
    usageRecorder: usage?.recorder,
    agents: core.agents,
    agentFunctions: core.agentFunctions,
    faqs: core.faqs,
    knowledgeBases: core.knowledgeBases,
    knowledgeBaseRecords: ports.knowledgeBases,
    companions: core.companions,
  });
  return {
    ...core,
    marketplace: new MarketplaceFulfillmentService({ ...ports, marketplace: ports.marketplace, sessionLifecycle: core.sessionLifecycle, subscriptionGate }),
    marketplaceRetention: new MarketplaceDataRetention({ ...ports, retention: ports.marketplace?.retention, projectDeletion }),
    projectDeletion,
    bootstrap: new LocalBootstrap({
      ...ports,
      organizationService: organizations,
      apiKeyService: apiKeys,
      finishProjectDeletion: (orgId, projectId) => projectDeletion.deleteProject(orgId, projectId),
    }),
  };
}
