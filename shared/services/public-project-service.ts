import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import { UnauthorizedError } from '../domain/errors.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';
import type { ProjectRepository } from '../domain/project-repository.js';

export interface KeyProjectView {
  readonly project: { readonly id: string; readonly name: string };
  readonly organization: { readonly id: string; readonly name: string };
}

/** Long enough to make the endpoint one store operation (the key lookup) once warm; a rename shows within it. */
const NAME_CACHE_TTL_MS = 30_000;
const NAME_CACHE_MAX_ENTRIES = 10_000;

export interface PublicProjectServiceDeps {
  readonly projects: ProjectRepository;
  readonly organizations: OrganizationRepository;
  readonly clock: Clock;
}

/**
 * `GET /public/project`: which project and organization an API key belongs to, so a client can check its key.
 * Only the names are cached per process; whether the key is valid is decided by the lookup on every request.
 */
export class PublicProjectService {
  private readonly cache = new Map<string, { view: KeyProjectView; expiresAt: number }>();

  constructor(private readonly deps: PublicProjectServiceDeps) {}

  async describe(principal: ApiKeyPrincipal): Promise<KeyProjectView> {
    const now = this.deps.clock.now().getTime();
    const cached = this.cache.get(principal.projectId);
    if (cached !== undefined && cached.expiresAt > now && cached.view.organization.id === principal.orgId) {
      return cached.view;
    }
    const [project, org] = await Promise.all([
      this.deps.projects.get(principal.projectId),
      this.deps.organizations.get(principal.orgId),
    ]);
    // Only possible while a project deletion is revoking its keys: the key is as good as revoked.
    if (project === undefined || org === undefined || project.orgId !== org.id) {
      throw new UnauthorizedError('InvalidApiKey', 'The API key is missing, unknown or revoked (header X-Api-Key).');
    }
    const view = { project: { id: project.id, name: project.name }, organization: { id: org.id, name: org.name } };
    if (this.cache.size >= NAME_CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(principal.projectId, { view, expiresAt: now + NAME_CACHE_TTL_MS });
    return view;
  }
}
