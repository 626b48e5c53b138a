import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import { NotFoundError } from '../domain/errors.js';
import type { KnowledgeBaseRepository } from '../domain/knowledge/knowledge-base-repository.js';
import type { Logger } from '../domain/logger.js';
import type { Page, PageRequest } from '../domain/page.js';
import { PROJECT_DELETION_SWEEP_AFTER_MS, type ProjectDeletionMessage } from '../domain/project-deletion.js';
import type { ProjectRepository } from '../domain/project-repository.js';
import type { CloseReason } from '../domain/session-lifecycle.js';
import type { WebhookRepository } from '../domain/webhook-repository.js';
import type { AgentFunctionService } from './agent-function-service.js';
import type { AgentService } from './agent-service.js';
import { revokeAllApiKeysOfProject, type ApiKeyRevocationDeps } from './api-key-revocation.js';
import type { CompanionService } from './companion-service.js';
import type { FaqService } from './faq-service.js';
import type { KnowledgeBaseService } from './knowledge-base-service.js';
import type { SessionLifecycleService } from './session-lifecycle-service.js';
import type { UsageRecorder } from './usage-recorder.js';

export interface ProjectDataDeletionDeps extends ApiKeyRevocationDeps {
  readonly projects: ProjectRepository;
  readonly webhooks: Pick<WebhookRepository, 'delete'>;
  readonly sessionLifecycle: Pick<SessionLifecycleService, 'list' | 'close' | 'delete'>;
  /** Records a session's usage before it goes (its usage-events message would find it gone); absent without usage ports. */
  readonly usageRecorder?: Pick<UsageRecorder, 'record'> | undefined;
  readonly agents: Pick<AgentService, 'list' | 'delete'>;
  readonly agentFunctions: Pick<AgentFunctionService, 'list' | 'delete'>;
  readonly faqs: Pick<FaqService, 'list' | 'delete'>;
  readonly knowledgeBases: Pick<KnowledgeBaseService, 'list' | 'delete'>;
  /** Bases whose own deletion stopped part-way are marked and no longer listed: they are found here and finished. */
  readonly knowledgeBaseRecords: Pick<KnowledgeBaseRepository, 'listDeletingIds'>;
  readonly companions: Pick<CompanionService, 'list' | 'delete'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** What handling a `project-deletions` message did. */
export type ProjectDeletionOutcome = 'deleted' | 'alreadyDeleted' | 'notMarked';

const PAGE: PageRequest = { pageIndex: 0, pageSize: 100 };
/** A project holds at most a few thousand of anything; this bounds a loop that a failing delete could otherwise spin. */
const MAX_ROUNDS = 1000;
/** Projects the sweep finishes per run; the rest wait for the next run (hourly). */
const PROJECTS_PER_SWEEP = 10;

/**
 * Deletes everything a project owns, through the same services the public API deletes with, so that each deletion
 * cascades as it does there. In an order where nothing still refers to what goes next:
 *
 * 1. sessions (open ones closed first, and each one's usage recorded before it goes): transcripts, and the memory
 *    taken from them;
 * 2. agents (and their agent slots);
 * 3. functions (and their name claims);
 * 4. FAQ collections;
 * 5. knowledge bases with their files, chunks and stored documents (bases marked deleting by an earlier failed
 *    deletion too);
 * 6. companions and digital twins with their media and generated assets, their externalClientId claims and (queued)
 *    their personal voices;
 * 7. the project's webhook configuration.
 *
 * Used by the Marketplace retention sweep and by `DELETE /manage/orgs/{orgId}/projects/{projectId}` (through the
 * `project-deletions` queue and the hourly sweep of projects marked deleting). Idempotent: deleting what is already
 * gone succeeds, so a run after a failure part-way (or a second, concurrent one) finishes the job.
 */
export class ProjectDataDeletion {
  constructor(private readonly deps: ProjectDataDeletionDeps) {}

  /** The cascade (1–7 above), without the project's keys and document. */
  async deleteProjectData(orgId: string, projectId: string, closeReason: CloseReason = 'connection_closed'): Promise<void> {
    // The services act for a principal of the project; no key is involved and no service reads more than these fields.
    const principal: ApiKeyPrincipal = { keyId: 'project-deletion', projectId, orgId, hosting: 'hosted' };
    await this.drain('sessions', (page) => this.deps.sessionLifecycle.list(principal, {}, page), async (session) => {
      if (session.status === 'pending' || session.status === 'started') {
        await this.deps.sessionLifecycle.close(projectId, session.id, closeReason);
      }
      await this.deps.usageRecorder?.record({ projectId, sessionId: session.id });
      await this.deps.sessionLifecycle.delete(principal, session.id);
    });
    await this.drain('agents', (page) => this.deps.agents.list(principal, page), (agent) => this.deps.agents.delete(principal, agent.id, undefined));
    await this.drain('functions', (page) => this.deps.agentFunctions.list(principal, page), (fn) => this.deps.agentFunctions.delete(principal, fn.id, undefined));
    await this.drain('faqs', (page) => this.deps.faqs.list(principal, page), (faq) => this.deps.faqs.delete(principal, faq.id, undefined));
    await this.drain('knowledge bases', (page) => this.deps.knowledgeBases.list(principal, page), (base) =>
      this.deps.knowledgeBases.delete(principal, base.id, undefined),
    );
    for (const baseId of await this.deps.knowledgeBaseRecords.listDeletingIds(projectId)) {
      await ignoreNotFound(() => this.deps.knowledgeBases.delete(principal, baseId, undefined));
    }
    await this.drain('companions', (page) => this.deps.companions.list(principal, {}, page), (companion) =>
      this.deps.companions.delete(principal, companion.id, undefined),
    );
    await this.deps.webhooks.delete(projectId);
  }

  /**
   * The project's keys (lookups first, so they stop working at once), its data, then the project document, and the
   * keys once more for one created meanwhile. The document goes last: as long as it is there (marked), the deletion is
   * found again by the sweep.
   */
  async deleteProject(orgId: string, projectId: string, closeReason: CloseReason = 'connection_closed'): Promise<void> {
    await revokeAllApiKeysOfProject(this.deps, projectId);
    await this.deleteProjectData(orgId, projectId, closeReason);
    await this.deps.projects.delete(projectId);
    await revokeAllApiKeysOfProject(this.deps, projectId);
  }

  /**
   * A `project-deletions` message: finishes the deletion of a project marked deleting. A project that is not marked
   * (or of another organization) is left alone: only the management API's DELETE decides that a project goes.
   */
  async finishDeletion(message: ProjectDeletionMessage): Promise<ProjectDeletionOutcome> {
    const project = await this.deps.projects.getIncludingDeleting(message.projectId);
    if (project === undefined) return 'alreadyDeleted';
    if (project.orgId !== message.orgId || project.deletingSince === undefined) return 'notMarked';
    await this.deleteProject(project.orgId, project.id);
    return 'deleted';
  }

  /**
   * The hourly sweep: finishes projects marked deleting over an hour ago, whose message was lost or failed on every
   * try. One failure is logged and left for the next run; the others go on.
   */
  async sweep(): Promise<{ readonly projects: number; readonly failed: number }> {
    const before = new Date(this.deps.clock.now().getTime() - PROJECT_DELETION_SWEEP_AFTER_MS).toISOString();
    const due = await this.deps.projects.listDeletingBefore(before, PROJECTS_PER_SWEEP);
    let projects = 0;
    let failed = 0;
    for (const project of due) {
      try {
        if ((await this.finishDeletion({ orgId: project.orgId, projectId: project.id })) === 'deleted') projects += 1;
      } catch (err) {
        failed += 1;
        this.deps.logger.error('finishing a project deletion failed; the next sweep retries', { orgId: project.orgId, projectId: project.id, err });
      }
    }
    return { projects, failed };
  }

  /**
   * Deletes the first page until the list is empty; a page that does not shrink is an error (and the run is retried).
   * An item already gone (a concurrent or earlier run deleted it) is fine.
   */
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
      for (const item of page.items) await ignoreNotFound(() => remove(item));
    }
    throw new Error(`deleting ${what} did not finish`);
  }
}

async function ignoreNotFound(remove: () => Promise<void>): Promise<void> {
  try {
    await remove();
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}
