import type { ApiKeyLookupRepository } from '../domain/api-key-lookup-repository.js';
import type { ApiKeyRepository } from '../domain/api-key-repository.js';
import type { Clock } from '../domain/clock.js';
import { NotFoundError } from '../domain/errors.js';
import type { ManagePrincipal } from '../domain/identity.js';
import { newId } from '../domain/ids.js';
import type { Logger } from '../domain/logger.js';
import type { Page, PageRequest } from '../domain/page.js';
import type { Project, ProjectChanges } from '../domain/project.js';
import type { ProjectDeletionQueue } from '../domain/project-deletion.js';
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
  /** The `project-deletions` queue: a deleted project's data is deleted there (ProjectDataDeletion). */
  readonly projectDeletions: ProjectDeletionQueue;
  readonly clock: Clock;
  readonly logger: Logger;
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
   * Deletes a project: at once for clients, in the background for its data. Deleting everything a project owns takes
   * many writes (sessions, agents, knowledge files, media...), more than a request should wait for, and a process that
   * dies part-way must not lose the rest. So the request only:
   *
   * 1. revokes the project's keys (the lookups first, so they stop working at once). A project left with no keys by a
   *    crash (or by an If-Match that fails at step 2 after a concurrent change) is still there, and a retried DELETE
   *    finishes; live keys of a project being deleted never happen;
   * 2. marks the project `deletingSince` with a conditional replace (If-Match as for any change). From then on the
   *    project is not found anywhere it is read: the repository's `get` and lists leave it out, so the management
   *    routes, `requireProjectMember` (dashboard access), key creation's re-check and `/public/project` answer 404 or
   *    401. This mark is what makes the deletion durable;
   * 3. revokes the keys again, for one created between 1 and 2 (key creation re-checks the project afterwards as well);
   * 4. queues `{orgId, projectId}` on `project-deletions`, whose function deletes the data and then the project
   *    (ProjectDataDeletion). If this send fails, or the message is lost or fails on every try, the hourly sweep finds
   *    the marked project and finishes it; so a failed send is logged and the answer is still 204.
   */
  async delete(principal: ManagePrincipal, orgId: string, projectId: string, ifMatch: string | undefined): Promise<void> {
    await this.deps.access.requireAdmin(principal, orgId);
    checkIfMatch(ifMatch, (await this.projectOf(orgId, projectId)).etag);
    await revokeAllApiKeysOfProject(this.deps, projectId);
    await withOptimisticRetry(async () => {
      const current = await this.projectOf(orgId, projectId);
      checkIfMatch(ifMatch, current.etag);
      const now = this.deps.clock.now().toISOString();
      return writeOrRetry(() => this.deps.projects.replace({ ...current, deletingSince: now, updatedAt: now }));
    });
    await revokeAllApiKeysOfProject(this.deps, projectId);
    try {
      await this.deps.projectDeletions.enqueue({ orgId, projectId });
    } catch (err) {
      this.deps.logger.warn('queueing a project deletion failed; the project-deletion sweep finishes it', { orgId, projectId, err });
    }
  }

  /** A project is addressed under its organization; one of another organization is simply not found. */
  private async projectOf(orgId: string, projectId: string): Promise<Project> {
    const project = await this.deps.projects.get(projectId);
    if (project === undefined || project.orgId !== orgId) throw new NotFoundError('Project');
    return project;
  }
}
