import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../domain/logger.js';
import { isDataDeletionDue, UNSUBSCRIBED_DATA_RETENTION_MS, type MarketplaceRetentionQuery } from '../domain/marketplace-subscription.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';
import type { Page, PageRequest } from '../domain/page.js';
import type { ProjectRepository } from '../domain/project-repository.js';
import type { WebhookRepository } from '../domain/webhook-repository.js';
import type { AgentFunctionService } from './agent-function-service.js';
import type { AgentService } from './agent-service.js';
import { revokeAllApiKeysOfProject, type ApiKeyRevocationDeps } from './api-key-revocation.js';
import type { CompanionService } from './companion-service.js';
import type { FaqService } from './faq-service.js';
import type { KnowledgeBaseService } from './knowledge-base-service.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';
import type { SessionLifecycleService } from './session-lifecycle-service.js';

export interface MarketplaceDataRetentionDeps extends ApiKeyRevocationDeps {
  readonly retention: MarketplaceRetentionQuery | undefined;
  readonly organizations: OrganizationRepository;
  readonly projects: ProjectRepository;
  readonly webhooks: Pick<WebhookRepository, 'delete'>;
  readonly sessionLifecycle: Pick<SessionLifecycleService, 'list' | 'close' | 'delete'>;
  readonly agents: Pick<AgentService, 'list' | 'delete'>;
  readonly agentFunctions: Pick<AgentFunctionService, 'list' | 'delete'>;
  readonly faqs: Pick<FaqService, 'list' | 'delete'>;
  readonly knowledgeBases: Pick<KnowledgeBaseService, 'list' | 'delete'>;
  readonly companions: Pick<CompanionService, 'list' | 'delete'>;
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
 * (UNSUBSCRIBED_DATA_RETENTION_MS), through the same services the public API deletes with, so that each deletion
 * cascades as it does there. Per project, in an order where nothing still refers to what goes next:
 *
 * 1. sessions (open ones closed first): transcripts, and the memory taken from them;
 * 2. agents (and their agent slots);
 * 3. functions (and their name claims);
 * 4. FAQ collections;
 * 5. knowledge bases with their files, chunks and stored documents;
 * 6. companions and digital twins with their media and generated assets, their externalClientId claims and (queued)
 *    their personal voices;
 * 7. the project's webhook configuration, its API keys (lookups first, so they stop working at once) and the project.
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
      const { items } = await this.deps.projects.listByOrganization(orgId, PAGE);
      if (items.length === 0) break;
      for (const project of items) {
        await this.deleteProject(orgId, project.id);
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

  private async deleteProject(orgId: string, projectId: string): Promise<void> {
    // The services act for a principal of the project; no key is involved and no service reads more than these fields.
    const principal: ApiKeyPrincipal = { keyId: 'marketplace-retention', projectId, orgId, hosting: 'hosted' };
    await this.drain('sessions', (page) => this.deps.sessionLifecycle.list(principal, {}, page), async (session) => {
      if (session.status === 'pending' || session.status === 'started') {
        await this.deps.sessionLifecycle.close(projectId, session.id, 'no_credits_left');
      }
      await this.deps.sessionLifecycle.delete(principal, session.id);
    });
    await this.drain('agents', (page) => this.deps.agents.list(principal, page), (agent) => this.deps.agents.delete(principal, agent.id, undefined));
    await this.drain('functions', (page) => this.deps.agentFunctions.list(principal, page), (fn) => this.deps.agentFunctions.delete(principal, fn.id, undefined));
    await this.drain('faqs', (page) => this.deps.faqs.list(principal, page), (faq) => this.deps.faqs.delete(principal, faq.id, undefined));
    await this.drain('knowledge bases', (page) => this.deps.knowledgeBases.list(principal, page), (base) =>
      this.deps.knowledgeBases.delete(principal, base.id, undefined),
    );
    await this.drain('companions', (page) => this.deps.companions.list(principal, {}, page), (companion) =>
      this.deps.companions.delete(principal, companion.id, undefined),
    );
    await this.deps.webhooks.delete(projectId);
    await revokeAllApiKeysOfProject(this.deps, projectId);
    await this.deps.projects.delete(projectId);
    await revokeAllApiKeysOfProject(this.deps, projectId);
  }

  /** Deletes the first page until the list is empty; a page that does not shrink is an error (and the run is retried). */
  private async drain<T extends { readonly id: string }>(
    what: string,
    list: (page: PageRequest) => Promise<Page<T>>,
    remove: (item: T) => Promise<void>,
  ): Promise<void> {
    let previous = Number.POSITIVE_INFINITY;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const page = await list(PAGE);
      if (page.items.length === 0) return;
      if (page.totalCount >= previous) throw new Error(`deleting ${what} made no progress`);
      previous = page.totalCount;
      for (const item of page.items) await remove(item);
    }
    throw new Error(`deleting ${what} did not finish`);
  }
}
