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
import type { HealthProbe } from '../domain/health-probe.js';
import type { ManageTokenVerifier } from '../domain/identity.js';
import type { Logger } from '../domain/logger.js';
import type { MediaFetchQueue } from '../domain/media-fetch-job.js';
import type { MediaIntakeStore } from '../domain/media-intake-store.js';
import type { AvatarViewRenderer } from '../domain/media/avatar-views.js';
import type { MediaInspector } from '../domain/media/media-inspector.js';
import type { MemberRosterRepository } from '../domain/member-roster-repository.js';
import type { MembershipIndex } from '../domain/membership-index.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';
import type { ProjectRepository } from '../domain/project-repository.js';
import type { GuardedFetcher } from '../domain/outbound.js';
import type { SecretSealer } from '../domain/secret-sealer.js';
import type { VoiceEngine } from '../domain/voice-engine.js';
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
import { HealthService } from './health-service.js';
import { LocalBootstrap } from './local-bootstrap.js';
import { ManageAuthentication } from './manage-authentication.js';
import { MemberService } from './member-service.js';
import { OrganizationAccess } from './organization-access.js';
import { OrganizationService } from './organization-service.js';
import { ProjectService } from './project-service.js';
import { PublicProjectService } from './public-project-service.js';
import { VoiceProfileService } from './voice-profile-service.js';

/** Every port the services need; the composition root (shared/runtime.ts) or a test supplies them. */
export interface ServicePorts {
  readonly organizations: OrganizationRepository;
  readonly rosters: MemberRosterRepository;
  readonly membershipIndex: MembershipIndex;
  readonly projects: ProjectRepository;
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
  /** Local-only COMPANION_ALLOW_PRIVATE_URLS: media URLs may point to loopback HTTP. */
  readonly allowPrivateUrls: boolean;
  readonly healthProbes: readonly HealthProbe[];
  readonly manageTokenVerifier: ManageTokenVerifier | undefined;
  readonly devAdminToken: string | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface Services {
  readonly manageAuthentication: ManageAuthentication;
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
}

export function createServices(ports: ServicePorts): Services {
  const access = new OrganizationAccess(ports);
  const organizations = new OrganizationService({ ...ports, access });
  const apiKeys = new ApiKeyService({
    ...ports,
    access,
    lastUsed: new ApiKeyLastUsedRecorder(ports.apiKeys, ports.clock, ports.logger),
  });
  const digitalTwinConsent = new DigitalTwinConsentService({ ...ports, access });
  const mediaRecords = new CompanionMediaRecords(ports);
  const mediaIntake = new CompanionMediaIntake({ ...ports, records: mediaRecords });
  return {
    manageAuthentication: new ManageAuthentication({
      devAdminToken: ports.devAdminToken,
      verifier: ports.manageTokenVerifier,
      logger: ports.logger,
    }),
    access,
    organizations,
    members: new MemberService({ ...ports, access }),
    projects: new ProjectService({ ...ports, access }),
    apiKeys,
    publicProject: new PublicProjectService(ports),
    companions: new CompanionService({ ...ports, mediaIntake }),
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
    bootstrap: new LocalBootstrap({ ...ports, organizationService: organizations, apiKeyService: apiKeys }),
  };
}
