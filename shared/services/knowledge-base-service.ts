import type { AgentRepository } from '../domain/agent-repository.js';
import { AGENTS_NAMED_IN_USE, knowledgeBaseInUse } from '../domain/companion-usage.js';
import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import { NotFoundError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import type { KnowledgeBase, KnowledgeProvider } from '../domain/knowledge/knowledge-base.js';
import type { KnowledgeBaseRepository } from '../domain/knowledge/knowledge-base-repository.js';
import type { KnowledgeFileRepository } from '../domain/knowledge/knowledge-file-repository.js';
import type { KnowledgeFileStore } from '../domain/knowledge/knowledge-file-store.js';
import type { KnowledgeIndex } from '../domain/knowledge/knowledge-index.js';
import { knowledgeBasePrefix } from '../domain/knowledge/knowledge-paths.js';
import { knowledgeBaseViewOf, type KnowledgeBaseView } from '../domain/knowledge/knowledge-views.js';
import { mapPage, type Page, type PageRequest } from '../domain/page.js';
import { checkIfMatch, withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';

export interface KnowledgeBaseServiceDeps {
  readonly knowledgeBases: KnowledgeBaseRepository;
  readonly knowledgeFiles: KnowledgeFileRepository;
  readonly knowledgeStore: KnowledgeFileStore;
  readonly knowledgeIndex: KnowledgeIndex;
  /** Answers which agents use a base: one in use cannot be deleted. */
  readonly agents: Pick<AgentRepository, 'agentIdsUsingKnowledgeBase'>;
  readonly clock: Clock;
}

export interface NewKnowledgeBaseInput {
  readonly name: string;
  readonly provider: KnowledgeProvider;
}

/** File documents are deleted this many at a time: quick for 30 files, gentle on the container's throughput. */
const DELETE_CONCURRENCY = 8;

/**
 * Knowledge bases of the API key's project. The project always comes from the key, so another project's base is
 * simply not found.
 */
export class KnowledgeBaseService {
  constructor(private readonly deps: KnowledgeBaseServiceDeps) {}

  async create(principal: ApiKeyPrincipal, input: NewKnowledgeBaseInput): Promise<KnowledgeBaseView> {
    const now = this.deps.clock.now().toISOString();
    const base = await this.deps.knowledgeBases.create({
      id: newId('kb'),
      projectId: principal.projectId,
      orgId: principal.orgId,
      name: input.name,
      provider: input.provider,
      fileSlots: [],
      created: now,
      updated: now,
    });
    return knowledgeBaseViewOf(base);
  }

  async list(principal: ApiKeyPrincipal, page: PageRequest): Promise<Page<KnowledgeBaseView>> {
    return mapPage(await this.deps.knowledgeBases.list(principal.projectId, page), knowledgeBaseViewOf);
  }

  async get(principal: ApiKeyPrincipal, baseId: string): Promise<KnowledgeBaseView> {
    return knowledgeBaseViewOf(await this.baseOf(principal.projectId, baseId));
  }

  /**
   * Deletes a base with its files, chunks and blobs. The base is marked first, so that it is gone for clients and takes
   * no new file, and a DELETE retried after a failure part-way finishes the cascade. File records go before the
   * chunks: an ingest still running then finds its file gone when it records the outcome, and removes what it wrote.
   */
  async delete(principal: ApiKeyPrincipal, baseId: string, ifMatch: string | undefined): Promise<void> {
    const base = await withOptimisticRetry(async () => {
      const current = await this.deps.knowledgeBases.get(principal.projectId, baseId);
      if (current === undefined) throw new NotFoundError('Knowledge base');
      if (current.deletingSince !== undefined) return current;
      checkIfMatch(ifMatch, current.etag);
      const users = await this.deps.agents.agentIdsUsingKnowledgeBase(current.projectId, current.id, AGENTS_NAMED_IN_USE);
      if (users.length > 0) throw knowledgeBaseInUse(users);
      const now = this.deps.clock.now().toISOString();
      return writeOrRetry(() => this.deps.knowledgeBases.replace({ ...current, deletingSince: now, updated: now }));
    });
    const files = await this.deps.knowledgeFiles.listAll(base.projectId, base.id);
    for (let i = 0; i < files.length; i += DELETE_CONCURRENCY) {
      await Promise.all(files.slice(i, i + DELETE_CONCURRENCY).map((file) => this.deps.knowledgeFiles.delete(file.projectId, file.baseId, file.id)));
    }
    await this.deps.knowledgeIndex.deleteBase(base.projectId, base.id);
    await this.deps.knowledgeStore.deleteFolder(knowledgeBasePrefix(base.projectId, base.id));
    await this.deps.knowledgeBases.delete(base.projectId, base.id);
  }

  /** The base of the caller's project, or NotFound (also while it is being deleted). */
  async baseOf(projectId: string, baseId: string): Promise<KnowledgeBase> {
    const base = await this.deps.knowledgeBases.get(projectId, baseId);
    if (base === undefined || base.deletingSince !== undefined) throw new NotFoundError('Knowledge base');
    return base;
  }
}
