import type { ApiKeyLookupRepository } from '../domain/api-key-lookup-repository.js';
import type { ApiKeyRepository } from '../domain/api-key-repository.js';
import type { BlobStore } from '../domain/blob-store.js';
import type { Clock } from '../domain/clock.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import type { DigitalTwinClaimRepository } from '../domain/digital-twin-claim-repository.js';
import type { EventPublisher } from '../domain/event-publisher.js';
import type { HealthProbe } from '../domain/health-probe.js';
import type { ManageTokenVerifier } from '../domain/identity.js';
import type { Logger } from '../domain/logger.js';
import type { MemberRosterRepository } from '../domain/member-roster-repository.js';
import type { MembershipIndex } from '../domain/membership-index.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';
import type { ProjectRepository } from '../domain/project-repository.js';
import type { SecretSealer } from '../domain/secret-sealer.js';
import { ApiKeyLastUsedRecorder } from './api-key-last-used.js';
import { ApiKeyService } from './api-key-service.js';
import { CompanionCatalogService } from './companion-catalog-service.js';
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
    companions: new CompanionService(ports),
    digitalTwins: new DigitalTwinService({ ...ports, consent: digitalTwinConsent }),
    digitalTwinConsent,
    catalog: new CompanionCatalogService(),
    health: new HealthService(ports.healthProbes, ports.logger),
    bootstrap: new LocalBootstrap({ ...ports, organizationService: organizations, apiKeyService: apiKeys }),
  };
}
