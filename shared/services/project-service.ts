import type { ApiKeyLookupRepository } from '../domain/api-key-lookup-repository.js';
import type { ApiKeyRepository } from '../domain/api-key-repository.js';
import type { Clock } from '../domain/clock.js';
import { NotFoundError } from '../domain/errors.js';
import type { ManagePrincipal } from '../domain/identity.js';
import { newId } from '../domain/ids.js';
import type { Page, PageRequest } from '../domain/page.js';
import type { Project, ProjectChanges } from '../domain/project.js';
import type { ProjectRepository } from '../domain/project-repository.js';
import { revokeAllApiKeysOfProject } from './api-key-revocation.js';
import { checkIfMatch, withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';
import type { OrganizationAccess } from './organization-access.js';

export interface NewProjectInput {
  readonly name: string;
  readonly description?: string | undefined;
}

export interface ProjectServiceDeps {
  readonly access: OrganizationAccess;
  readonly projects: ProjectRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly apiKeyLookups: ApiKeyLookupRepository;
  readonly clock: Clock;
}

/** Projects of an organization: members view them; admins create, edit and delete them. */
export class ProjectService {
  constructor(private readonly deps: ProjectServiceDeps) {}

  async list(principal: ManagePrincipal, orgId: string, page: PageRequest): Promise<Page<Project>> {
    await this.deps.access.requireMember(principal, orgId);
    return this.deps.projects.listByOrganization(orgId, page);
  }

  async get(principal: ManagePrincipal, orgId: string, projectId: string): Promise<Project> {
    await this.deps.access.requireMember(principal, orgId);
    return this.projectOf(orgId, projectId);
  }

  async create(principal: ManagePrincipal, orgId: string, input: NewProjectInput): Promise<Project> {
    await this.deps.access.requireAdmin(principal, orgId);
    const now = this.deps.clock.now().toISOString();
    return this.deps.projects.create({
      id: newId('proj'),
      orgId,
      name: input.name,
      description: input.description ?? '',
      createdAt: now,
      updatedAt: now,
    });
  }

  async update(
    principal: ManagePrincipal,
    orgId: string,
    projectId: string,
    changes: ProjectChanges,
    ifMatch: string | undefined,
  ): Promise<Project> {
    await this.deps.access.requireAdmin(principal, orgId);
    return withOptimisticRetry(async () => {
      const current = await this.projectOf(orgId, projectId);
      checkIfMatch(ifMatch, current.etag);
      const next: Project = {
        ...current,
        name: changes.name ?? current.name,
        description: changes.description ?? current.description,
        updatedAt: this.deps.clock.now().toISOString(),
      };
      return writeOrRetry(() => this.deps.projects.replace(next));
    });
  }

  /**
   * Deletes a project and revokes its keys. Keys are revoked before the project goes (a crash in between leaves a
   * project without keys, never live keys of a deleted project), and once more after, for a key created concurrently
   * (key creation re-checks the project afterwards as well).
   */
  async delete(principal: ManagePrincipal, orgId: string, projectId: string, ifMatch: string | undefined): Promise<void> {
    await this.deps.access.requireAdmin(principal, orgId);
    const current = await this.projectOf(orgId, projectId);
    checkIfMatch(ifMatch, current.etag);
    await revokeAllApiKeysOfProject(this.deps, projectId);
    await this.deps.projects.delete(projectId, ifMatch === undefined ? undefined : current.etag);
    await revokeAllApiKeysOfProject(this.deps, projectId);
  }

  /** A project is addressed under its organization; one of another organization is simply not found. */
  private async projectOf(orgId: string, projectId: string): Promise<Project> {
    const project = await this.deps.projects.get(projectId);
    if (project === undefined || project.orgId !== orgId) throw new NotFoundError('Project');
    return project;
  }
}
