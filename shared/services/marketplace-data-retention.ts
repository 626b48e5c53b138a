import type { Clock } from '../domain/clock.js';
import type { Logger } from '../domain/logger.js';
import { isDataDeletionDue, UNSUBSCRIBED_DATA_RETENTION_MS, type MarketplaceRetentionQuery } from '../domain/marketplace-subscription.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';
import type { PageRequest } from '../domain/page.js';
import type { ProjectRepository } from '../domain/project-repository.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';
import type { ProjectDataDeletion } from './project-data-deletion.js';

export interface MarketplaceDataRetentionDeps {
  readonly retention: MarketplaceRetentionQuery | undefined;
  readonly organizations: OrganizationRepository;
  readonly projects: ProjectRepository;
  /** Deletes one project's data, keys and document (the same cascade as a project deleted by its admin). */
  readonly projectDeletion: Pick<ProjectDataDeletion, 'deleteProject'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RetentionSweepResult {
  readonly organizations: number;
  readonly projects: number;
}

/** Organizations handled per run; the rest wait for the next run (hourly). */
const ORGANIZATIONS_PER_RUN = 10;
const PAGE: PageRequest = { pageIndex: 0, pageSize: 100 };
/** A project holds at most a few thousand of anything; this bounds a loop that a failing delete could otherwise spin. */
const MAX_ROUNDS = 1000;

/**
 * Deletes the data of organizations whose Marketplace subscription was cancelled at least 7 days ago
 * (UNSUBSCRIBED_DATA_RETENTION_MS): per project (those an admin was already deleting too), ProjectDataDeletion's
 * cascade (sessions, agents, functions, FAQs, knowledge bases, companions, the webhook configuration), then its API keys
 * and the project.
 *
 * Kept: the organization document (with its subscription state and `dataDeletedAt`), its member roster and membership
 * index, the subscription claim, webhook delivery records (they expire from the list as the project is gone but are
 * not deleted yet), client-memory documents of sessions already deleted earlier by their owners, and usage records
 * (billing history). A run is idempotent: a failure part-way leaves the organization due, and the next run finishes.
 */
export class MarketplaceDataRetention {
  constructor(private readonly deps: MarketplaceDataRetentionDeps) {}

  async sweep(): Promise<RetentionSweepResult> {
    if (this.deps.retention === undefined) return { organizations: 0, projects: 0 };
    const now = this.deps.clock.now();
    const due = await this.deps.retention.listUnsubscribedBefore(new Date(now.getTime() - UNSUBSCRIBED_DATA_RETENTION_MS), ORGANIZATIONS_PER_RUN);
    let organizations = 0;
    let projects = 0;
    for (const orgId of due) {
      try {
        const deleted = await this.deleteOrganizationData(orgId, now);
        if (deleted !== undefined) {
          organizations += 1;
          projects += deleted;
        }
      } catch (err) {
        this.deps.logger.error('deleting the data of a cancelled subscription failed; the next run retries', { orgId, err });
      }
    }
    return { organizations, projects };
  }

  /** Deletes one organization's project data when it is due; returns how many projects went, or undefined if not due. */
  async deleteOrganizationData(orgId: string, now: Date): Promise<number | undefined> {
    const org = await this.deps.organizations.get(orgId);
    if (org === undefined || !isDataDeletionDue(org.marketplace, now)) return undefined;
    let count = 0;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const { items } = await this.deps.projects.listByOrganization(orgId, PAGE, { includeDeleting: true });
      if (items.length === 0) break;
      for (const project of items) {
        await this.deps.projectDeletion.deleteProject(orgId, project.id, 'no_credits_left');
        count += 1;
      }
    }
    await withOptimisticRetry(async () => {
      const current = await this.deps.organizations.get(orgId);
      if (current?.marketplace === undefined || current.marketplace.dataDeletedAt !== undefined) return;
      const at = this.deps.clock.now().toISOString();
      await writeOrRetry(() =>
        this.deps.organizations.replace({ ...current, marketplace: { ...current.marketplace!, dataDeletedAt: at, updatedAt: at }, updatedAt: at }),
      );
    });
    return count;
  }
}
