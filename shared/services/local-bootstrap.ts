import { hashApiKeySecret, displayPrefixOf, isAcceptableApiKeySecret, last4Of } from '../domain/api-key.js';
import type { ApiKeyLookupRepository } from '../domain/api-key-lookup-repository.js';
import type { ApiKeyRepository } from '../domain/api-key-repository.js';
import type { Clock } from '../domain/clock.js';
import { ConflictError, ValidationError } from '../domain/errors.js';
import { DEV_ADMIN_USER_ID } from '../domain/identity.js';
import type { Logger } from '../domain/logger.js';
import type { Member } from '../domain/member.js';
import type { MemberRosterRepository } from '../domain/member-roster-repository.js';
import type { MembershipIndex } from '../domain/membership-index.js';
import { DEFAULT_ORGANIZATION_SETTINGS, type Organization } from '../domain/organization.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';
import type { Project } from '../domain/project.js';
import type { ProjectRepository } from '../domain/project-repository.js';
import type { ApiKeyService } from './api-key-service.js';
import { indexMember } from './membership-indexing.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';
import type { OrganizationService } from './organization-service.js';

/** Fixed ids make the bootstrap idempotent: a restart finds what the first start created instead of duplicating it. */
export const LOCAL_BOOTSTRAP_IDS = {
  organization: 'org_local',
  project: 'proj_local',
  apiKey: 'key_local',
} as const;

export interface LocalBootstrapInput {
  /** The user id the dev admin token signs in as; `dev-admin` unless a test says otherwise. */
  readonly devAdminUserId?: string;
  /** The bootstrap key's secret (COMPANION_BOOTSTRAP_API_KEY or a generated one); 20-200 URL-safe characters. */
  readonly apiKeySecret: string;
}

export interface LocalBootstrapResult {
  readonly org: Organization;
  readonly project: Project;
  readonly apiKeyId: string;
}

export interface LocalBootstrapDeps {
  readonly organizationService: OrganizationService;
  readonly apiKeyService: ApiKeyService;
  readonly organizations: OrganizationRepository;
  readonly rosters: MemberRosterRepository;
  readonly membershipIndex: MembershipIndex;
  readonly projects: ProjectRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly apiKeyLookups: ApiKeyLookupRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Finishes the deletion of a project marked deleting (ProjectDataDeletion.deleteProject): a Default project deleted
   * just before a restart is still marked, as its queue message waits for the host that is not running yet.
   */
  readonly finishProjectDeletion?: (orgId: string, projectId: string) => Promise<void>;
}

/**
 * Local first start: the "Local" organization, its "Default" project, the dev admin as admin, and one hosted-LLM
 * API key with the given secret. Every step is "ensure": safe to repeat after a restart or a crash part-way.
 */
export class LocalBootstrap {
  constructor(private readonly deps: LocalBootstrapDeps) {}

  async ensureLocalBootstrap(input: LocalBootstrapInput): Promise<LocalBootstrapResult> {
    if (!isAcceptableApiKeySecret(input.apiKeySecret)) {
      throw new ValidationError([{ path: 'apiKeySecret', message: 'must be 20-200 URL-safe characters' }]);
    }
    const devAdminUserId = input.devAdminUserId ?? DEV_ADMIN_USER_ID;
    const org = await this.ensureOrganization(devAdminUserId);
    await this.ensureAdmin(org.id, devAdminUserId);
    const project = await this.ensureProject(org.id);
    await this.ensureApiKey(project, input.apiKeySecret);
    return { org, project, apiKeyId: LOCAL_BOOTSTRAP_IDS.apiKey };
  }

  private async ensureOrganization(devAdminUserId: string): Promise<Organization> {
    const existing = await this.deps.organizations.get(LOCAL_BOOTSTRAP_IDS.organization);
    if (existing !== undefined) return existing;
    try {
      return await this.deps.organizationService.create({
        id: LOCAL_BOOTSTRAP_IDS.organization,
        name: 'Local',
        firstAdmin: { userId: devAdminUserId, name: 'Dev admin' },
      });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    // A crash after the roster and before the organization leaves the roster; finish what it started.
    const now = this.deps.clock.now().toISOString();
    try {
      return await this.deps.organizations.create({
        id: LOCAL_BOOTSTRAP_IDS.organization,
        name: 'Local',
        settings: DEFAULT_ORGANIZATION_SETTINGS,
        createdAt: now,
        updatedAt: now,
      });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const org = await this.deps.organizations.get(LOCAL_BOOTSTRAP_IDS.organization);
      if (org === undefined) throw err;
      return org;
    }
  }

  /** The dev admin stays a member; a role someone changed on purpose is left alone. */
  private async ensureAdmin(orgId: string, devAdminUserId: string): Promise<void> {
    const member = await withOptimisticRetry(async () => {
      const roster = await this.deps.rosters.get(orgId);
      if (roster === undefined) throw new Error(`bootstrap: organization ${orgId} has no member roster`);
      const existing = roster.members.find((m) => m.userId === devAdminUserId);
      if (existing !== undefined) return existing;
      const now = this.deps.clock.now().toISOString();
      const admin: Member = {
        id: 'mem_localadmin',
        userId: devAdminUserId,
        email: undefined,
        name: 'Dev admin',
        role: 'admin',
        createdAt: now,
        updatedAt: now,
      };
      await writeOrRetry(() =>
        this.deps.rosters.replace({ ...roster, members: [...roster.members.filter((m) => m.id !== admin.id), admin] }),
      );
      return admin;
    });
    // Repeated on every start: repairs an index entry lost to a crash.
    await indexMember(this.deps.membershipIndex, this.deps.logger, orgId, member);
  }

  private async ensureProject(orgId: string): Promise<Project> {
    const existing = await this.deps.projects.get(LOCAL_BOOTSTRAP_IDS.project);
    if (existing !== undefined) return existing;
    // Deleted through the API, and its data not yet gone: finish that first, then the Default project starts afresh.
    const deleting = await this.deps.projects.getIncludingDeleting(LOCAL_BOOTSTRAP_IDS.project);
    if (deleting?.deletingSince !== undefined && this.deps.finishProjectDeletion !== undefined) {
      this.deps.logger.warn('the Default project was being deleted; its deletion is finished before it is made again', { projectId: deleting.id });
      await this.deps.finishProjectDeletion(deleting.orgId, deleting.id);
    }
    const now = this.deps.clock.now().toISOString();
    try {
      return await this.deps.projects.create({
        id: LOCAL_BOOTSTRAP_IDS.project,
        orgId,
        name: 'Default',
        description: 'Created by the local bootstrap.',
        createdAt: now,
        updatedAt: now,
      });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const project = await this.deps.projects.get(LOCAL_BOOTSTRAP_IDS.project);
      if (project === undefined) throw err;
      return project;
    }
  }

  /**
   * The bootstrap key always answers to the configured secret: if the secret changed since the last start, the old
   * one is revoked and the key record takes the new one.
   */
  private async ensureApiKey(project: Project, secret: string): Promise<void> {
    const secretHash = hashApiKeySecret(secret);
    const existing = await this.deps.apiKeys.get(project.id, LOCAL_BOOTSTRAP_IDS.apiKey);
    if (existing === undefined) {
      try {
        await this.deps.apiKeyService.store({
          keyId: LOCAL_BOOTSTRAP_IDS.apiKey,
          projectId: project.id,
          orgId: project.orgId,
          name: 'Local bootstrap key',
          secret,
          llm: { hosting: 'hosted' },
        });
        return;
      } catch (err) {
        // A concurrent start created it first; fall through to the checks below.
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    const key = existing ?? (await this.deps.apiKeys.get(project.id, LOCAL_BOOTSTRAP_IDS.apiKey));
    if (key === undefined) throw new Error('bootstrap: API key vanished while being created');
    if (key.secretHash !== secretHash) {
      await this.deps.apiKeyLookups.delete(key.secretHash);
      await this.deps.apiKeys.replace({
        ...key,
        secretHash,
        prefix: displayPrefixOf(secret),
        last4: last4Of(secret),
      });
    }
    await this.ensureLookup({ secretHash, keyId: key.id, projectId: key.projectId, orgId: key.orgId });
  }

  private async ensureLookup(lookup: { secretHash: string; keyId: string; projectId: string; orgId: string }): Promise<void> {
    const existing = await this.deps.apiKeyLookups.find(lookup.secretHash);
    if (existing !== undefined) {
      if (existing.keyId !== lookup.keyId || existing.projectId !== lookup.projectId) {
        throw new ConflictError('The bootstrap API key secret is already the secret of another key.', 'Conflict');
      }
      return;
    }
    await this.deps.apiKeyLookups.create({ ...lookup, hosting: 'hosted', status: 'active' });
  }
}
