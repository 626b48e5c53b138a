import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import { NotFoundError } from '../domain/errors.js';
import type { KnowledgeFile } from '../domain/knowledge/knowledge-file.js';
import type { KnowledgeFileRepository } from '../domain/knowledge/knowledge-file-repository.js';
import type { KnowledgeFileStore } from '../domain/knowledge/knowledge-file-store.js';
import type { KnowledgeIndex } from '../domain/knowledge/knowledge-index.js';
import { knowledgeFilePrefix } from '../domain/knowledge/knowledge-paths.js';
import { knowledgeFileViewOf, type KnowledgeFileView } from '../domain/knowledge/knowledge-views.js';
import { mapPage, type Page, type PageRequest } from '../domain/page.js';
import type { KnowledgeBaseService } from './knowledge-base-service.js';
import type { KnowledgeFileRecords } from './knowledge-file-records.js';
import type { KnowledgeFileSlots } from './knowledge-file-slots.js';
import { checkIfMatch } from './optimistic-concurrency.js';

export interface KnowledgeFileServiceDeps {
  readonly knowledgeFiles: KnowledgeFileRepository;
  readonly knowledgeStore: KnowledgeFileStore;
  readonly knowledgeIndex: KnowledgeIndex;
  readonly bases: KnowledgeBaseService;
  readonly records: KnowledgeFileRecords;
  readonly slots: KnowledgeFileSlots;
  readonly clock: Clock;
}

/** The files of a knowledge base of the API key's project: list, read, delete, and the summary override. */
export class KnowledgeFileService {
  constructor(private readonly deps: KnowledgeFileServiceDeps) {}

  async list(principal: ApiKeyPrincipal, baseId: string, page: PageRequest): Promise<Page<KnowledgeFileView>> {
    await this.deps.bases.baseOf(principal.projectId, baseId);
    return mapPage(await this.deps.knowledgeFiles.list(principal.projectId, baseId, page), knowledgeFileViewOf);
  }

  async get(principal: ApiKeyPrincipal, baseId: string, fileId: string): Promise<KnowledgeFileView> {
    return knowledgeFileViewOf(await this.fileOf(principal, baseId, fileId));
  }

  /** Replaces the summary; an override is kept when the file is ingested again (a re-upload). */
  async setSummary(principal: ApiKeyPrincipal, baseId: string, fileId: string, summary: string, ifMatch: string | undefined): Promise<KnowledgeFileView> {
    const start = await this.fileOf(principal, baseId, fileId);
    const { file } = await this.deps.records.update(
      { projectId: principal.projectId, baseId, fileId },
      (current) => {
        if (current.deletingSince !== undefined) throw new NotFoundError('Knowledge file');
        checkIfMatch(ifMatch, current.etag);
        return current.summary === summary && current.summarySource === 'override' ? undefined : { ...current, summary, summarySource: 'override' };
      },
      start,
    );
    if (file === undefined) throw new NotFoundError('Knowledge file');
    return knowledgeFileViewOf(file);
  }

  /**
   * Deletes a file with its chunks and blobs. The file is marked first: it is gone for clients at once, an ingest
   * still running finds the mark when it records its outcome and removes what it wrote, and a DELETE retried after a
   * failure part-way finishes the job. The slot is given back last, so the limit never admits a file too many.
   */
  async delete(principal: ApiKeyPrincipal, baseId: string, fileId: string, ifMatch: string | undefined): Promise<void> {
    await this.deps.bases.baseOf(principal.projectId, baseId);
    const ids = { projectId: principal.projectId, baseId, fileId };
    const { file } = await this.deps.records.update(ids, (current) => {
      if (current.deletingSince !== undefined) return undefined;
      checkIfMatch(ifMatch, current.etag);
      return { ...current, deletingSince: this.deps.clock.now().toISOString() };
    });
    if (file === undefined) throw new NotFoundError('Knowledge file');
    await this.deps.knowledgeIndex.deleteFile(file.projectId, file.baseId, file.id);
    await this.deps.knowledgeStore.deleteFolder(knowledgeFilePrefix(file.projectId, file.baseId, file.id));
    await this.deps.knowledgeFiles.delete(file.projectId, file.baseId, file.id);
    await this.deps.slots.release(file.projectId, file.baseId, file.id);
  }

  private async fileOf(principal: ApiKeyPrincipal, baseId: string, fileId: string): Promise<KnowledgeFile> {
    await this.deps.bases.baseOf(principal.projectId, baseId);
    const file = await this.deps.knowledgeFiles.get(principal.projectId, baseId, fileId);
    if (file === undefined || file.deletingSince !== undefined) throw new NotFoundError('Knowledge file');
    return file;
  }
}
