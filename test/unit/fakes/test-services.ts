import type { Clock } from '../../../shared/domain/clock.js';
import type { HealthProbe } from '../../../shared/domain/health-probe.js';
import type { ManagePrincipal, ManageTokenVerifier } from '../../../shared/domain/identity.js';
import type { Logger } from '../../../shared/domain/logger.js';
import type { EmbeddingClient } from '../../../shared/domain/knowledge/embeddings.js';
import type { DocumentExtractor } from '../../../shared/domain/knowledge/extraction.js';
import type { Summarizer } from '../../../shared/domain/knowledge/summarizer.js';
import { createAjvJsonSchemaChecker } from '../../../shared/adapters/json-schema/ajv-json-schema-checker.js';
import { createLibraryMediaInspector } from '../../../shared/adapters/media/library-media-inspector.js';
import { createGuardedWebSocketCaller } from '../../../shared/adapters/outbound/guarded-websocket-caller.js';
import { createGuardedFetcher } from '../../../shared/adapters/outbound/guarded-fetcher.js';
import { createLocalAvatarEngine } from '../../../shared/adapters/avatar/local-avatar-engine.js';
import { createLocalAvatarViews } from '../../../shared/adapters/media/local-avatar-views.js';
import { createLocalVoiceEngine } from '../../../shared/adapters/voice/local-voice-engine.js';
import { createServices, type Services } from '../../../shared/services/services.js';
import { SessionTokens } from '../../../shared/services/session-tokens.js';
import {
  InMemoryConnectionRateLimiter,
  InMemorySessionRepository,
  InMemorySessionSlotStore,
  RecordingFunctionCallTimeouts,
  RecordingSessionEventQueue,
} from './in-memory-session-repository.js';
import {
  InMemoryAgentFunctionRepository,
  InMemoryAgentRepository,
  InMemoryAgentSlotRepository,
  InMemoryFunctionNameClaimRepository,
} from './in-memory-agent-ports.js';
import { InMemoryCompanionAssetStore } from './in-memory-generation-ports.js';
import { InMemoryClientMemoryRepository, RecordingMemoryExtractionQueue } from './in-memory-client-memory.js';
import { extractiveMemoryExtractor } from '../../../shared/domain/extractive-memory.js';
import type { MemoryExtractor } from '../../../shared/domain/memory-extraction.js';
import { InMemoryFaqRepository } from './in-memory-faq-repository.js';
import {
  InMemoryBlobStore,
  InMemoryCompanionRepository,
  InMemoryDigitalTwinClaimRepository,
  RecordingEventPublisher,
} from './in-memory-companion-ports.js';
import { InMemoryWebhookDeliveryRepository, InMemoryWebhookRepository, RecordingWebhookRetryQueue } from './in-memory-webhook-ports.js';
import { InMemoryMediaIntakeStore, RecordingCompanionJobQueue, RecordingMediaFetchQueue } from './in-memory-media-intake-ports.js';
import {
  InMemoryKnowledgeBaseRepository,
  InMemoryKnowledgeFileRepository,
  InMemoryKnowledgeFileStore,
  InMemoryKnowledgeIndex,
  RecordingKnowledgeFetchQueue,
  plainTextExtractor,
} from './in-memory-knowledge-ports.js';
import {
  InMemoryApiKeyLookupRepository,
  InMemoryApiKeyRepository,
  InMemoryMemberRosterRepository,
  InMemoryMembershipIndex,
  InMemoryOrganizationRepository,
  InMemoryProjectRepository,
  RecordingProjectDeletionQueue,
  ReversibleTestSealer,
} from './in-memory-ports.js';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(private current = new Date('2025-01-01T00:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Collects log lines so tests can assert what was (and was not) logged. */
export class RecordingLogger implements Logger {
  readonly lines: { level: 'warn' | 'error'; message: string; properties: Record<string, unknown> | undefined }[] = [];
  warn(message: string, properties?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, properties });
  }
  error(message: string, properties?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, properties });
  }
}

export interface TestWorld {
  readonly services: Services;
  readonly clock: ManualClock;
  readonly logger: RecordingLogger;
  readonly organizations: InMemoryOrganizationRepository;
  readonly rosters: InMemoryMemberRosterRepository;
  readonly membershipIndex: InMemoryMembershipIndex;
  readonly projects: InMemoryProjectRepository;
  readonly projectDeletions: RecordingProjectDeletionQueue;
  readonly apiKeys: InMemoryApiKeyRepository;
  readonly apiKeyLookups: InMemoryApiKeyLookupRepository;
  readonly sealer: ReversibleTestSealer;
  readonly companions: InMemoryCompanionRepository;
  readonly twinClaims: InMemoryDigitalTwinClaimRepository;
  readonly blobs: InMemoryBlobStore;
  readonly events: RecordingEventPublisher;
  readonly companionJobs: RecordingCompanionJobQueue;
  readonly mediaStore: InMemoryMediaIntakeStore;
  readonly mediaFetchQueue: RecordingMediaFetchQueue;
  readonly assetStore: InMemoryCompanionAssetStore;
  readonly knowledgeBases: InMemoryKnowledgeBaseRepository;
  readonly knowledgeFiles: InMemoryKnowledgeFileRepository;
  readonly knowledgeStore: InMemoryKnowledgeFileStore;
  readonly knowledgeFetchQueue: RecordingKnowledgeFetchQueue;
  readonly knowledgeIndex: InMemoryKnowledgeIndex;
  readonly faqs: InMemoryFaqRepository;
  readonly agentFunctions: InMemoryAgentFunctionRepository;
  readonly functionNameClaims: InMemoryFunctionNameClaimRepository;
  readonly agents: InMemoryAgentRepository;
  readonly agentSlots: InMemoryAgentSlotRepository;
  readonly webhooks: InMemoryWebhookRepository;
  readonly webhookDeliveries: InMemoryWebhookDeliveryRepository;
  readonly webhookRetries: RecordingWebhookRetryQueue;
  readonly clientMemories: InMemoryClientMemoryRepository;
  readonly memoryQueue: RecordingMemoryExtractionQueue;
}

export interface TestWorldOptions {
  readonly devAdminToken?: string;
  readonly verifier?: ManageTokenVerifier;
  readonly healthProbes?: HealthProbe[];
  readonly allowPrivateUrls?: boolean;
  /** Knowledge: the extractor (txt and md by default), and the optional Azure OpenAI deployments. */
  readonly documentExtractor?: DocumentExtractor;
  readonly embeddings?: EmbeddingClient;
  readonly summarizer?: Summarizer;
  /** Memory extraction; the extractive one (no model) by default. */
  readonly memoryExtractor?: MemoryExtractor;
}

export function createTestWorld(options: TestWorldOptions = {}): TestWorld {
  const ports = {
    organizations: new InMemoryOrganizationRepository(),
    rosters: new InMemoryMemberRosterRepository(),
    membershipIndex: new InMemoryMembershipIndex(),
    projects: new InMemoryProjectRepository(),
    projectDeletions: new RecordingProjectDeletionQueue(),
    apiKeys: new InMemoryApiKeyRepository(),
    apiKeyLookups: new InMemoryApiKeyLookupRepository(),
    sealer: new ReversibleTestSealer(),
    companions: new InMemoryCompanionRepository(),
    twinClaims: new InMemoryDigitalTwinClaimRepository(),
    blobs: new InMemoryBlobStore(),
    events: new RecordingEventPublisher(),
    companionJobs: new RecordingCompanionJobQueue(),
    mediaStore: new InMemoryMediaIntakeStore(),
    mediaFetchQueue: new RecordingMediaFetchQueue(),
    assetStore: new InMemoryCompanionAssetStore(),
    knowledgeBases: new InMemoryKnowledgeBaseRepository(),
    knowledgeFiles: new InMemoryKnowledgeFileRepository(),
    knowledgeStore: new InMemoryKnowledgeFileStore(),
    knowledgeFetchQueue: new RecordingKnowledgeFetchQueue(),
    knowledgeIndex: new InMemoryKnowledgeIndex(),
    faqs: new InMemoryFaqRepository(),
    agentFunctions: new InMemoryAgentFunctionRepository(),
    functionNameClaims: new InMemoryFunctionNameClaimRepository(),
    agents: new InMemoryAgentRepository(),
    agentSlots: new InMemoryAgentSlotRepository(),
    sessions: new InMemorySessionRepository(),
    functionCallTimeouts: new RecordingFunctionCallTimeouts(),
    webhooks: new InMemoryWebhookRepository(),
    webhookDeliveries: new InMemoryWebhookDeliveryRepository(),
    webhookRetries: new RecordingWebhookRetryQueue(),
    clientMemories: new InMemoryClientMemoryRepository(),
    memoryQueue: new RecordingMemoryExtractionQueue(),
    sessionEvents: new RecordingSessionEventQueue(),
    rateLimiter: new InMemoryConnectionRateLimiter(),
    sessionSlots: new InMemorySessionSlotStore(),
    sessionTokens: new SessionTokens('unit-test-session-token-secret-0123456789', 15 * 60),
    // No language model in unit tests: turns take the retrieval-only path.
    chatModels: { chatModelFor: async () => undefined },
    // No realtime deployment in unit tests: audio sessions get no realtime credentials.
    realtime: { mint: async () => undefined },
    clock: new ManualClock(),
    logger: new RecordingLogger(),
  };
  const portraits = createLocalAvatarViews();
  const services = createServices({
    ...ports,
    healthProbes: options.healthProbes ?? [],
    manageTokenVerifier: options.verifier,
    devAdminToken: options.devAdminToken,
    allowPrivateUrls: options.allowPrivateUrls ?? false,
    // The real fetcher's checkUrl, with names resolving to a public address so that no test touches DNS.
    fetcher: createGuardedFetcher({
      allowPrivateUrls: options.allowPrivateUrls ?? false,
      resolve: async () => [{ address: '93.184.215.14', family: 4 }],
    }),
    webSockets: createGuardedWebSocketCaller({ allowPrivateUrls: options.allowPrivateUrls ?? false }),
    mediaInspector: createLibraryMediaInspector(),
    // The local engines, on the in-memory store: real images, no storage.
    avatarEngine: createLocalAvatarEngine({ renderer: portraits, assets: ports.assetStore }),
    voiceEngine: createLocalVoiceEngine(ports.assetStore),
    portraits,
    documentExtractor: options.documentExtractor ?? plainTextExtractor,
    embeddings: options.embeddings,
    summarizer: options.summarizer,
    memoryExtractor: options.memoryExtractor ?? extractiveMemoryExtractor,
    // The real Ajv check: it is pure computation, and the rules are about what it accepts.
    jsonSchemaChecker: createAjvJsonSchemaChecker(),
  });
  return { ...ports, services };
}

export function entraUser(userId: string, email?: string): ManagePrincipal {
  return { userId, email, name: undefined, kind: 'entra' };
}

/** An organization with an admin, a member and a project, the usual starting point. */
export async function seedOrganization(world: TestWorld, name = 'Acme') {
  const admin = entraUser(`${name.toLowerCase()}-admin`);
  const member = entraUser(`${name.toLowerCase()}-member`);
  const org = await world.services.organizations.create({ name, firstAdmin: { userId: admin.userId } });
  const memberView = await world.services.members.add(admin, org.id, { userId: member.userId, role: 'member' });
  const project = await world.services.projects.create(admin, org.id, { name: `${name} project` });
  return { org, admin, member, memberId: memberView.id, project };
}
