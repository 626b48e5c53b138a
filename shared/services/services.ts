import type { ApiKeyLookupRepository } from '../domain/api-key-lookup-repository.js';
import type { ApiKeyRepository } from '../domain/api-key-repository.js';
import type { Clock } from '../domain/clock.js';
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
    health: new HealthService(ports.healthProbes, ports.logger),
    bootstrap: new LocalBootstrap({ ...ports, organizationService: organizations, apiKeyService: apiKeys }),
  };
}
