import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { EmbeddingClient } from '../domain/knowledge/embeddings.js';
import type { KnowledgeFileRepository } from '../domain/knowledge/knowledge-file-repository.js';
import type { KnowledgeIndex } from '../domain/knowledge/knowledge-index.js';
import type { KnowledgePassage } from '../domain/knowledge/knowledge-passage.js';
import type { Logger } from '../domain/logger.js';
import type { KnowledgeBaseService } from './knowledge-base-service.js';

export interface KnowledgeSearchServiceDeps {
  readonly knowledgeFiles: KnowledgeFileRepository;
  readonly knowledgeIndex: KnowledgeIndex;
  readonly embeddings: EmbeddingClient | undefined;
  readonly bases: KnowledgeBaseService;
  readonly logger: Logger;
}

export interface KnowledgeSearchRequest {
  readonly query: string;
  readonly top: number;
}

/**
 * `POST /public/knowledge-bases/{id}/search`: the passages of the base that best answer a query, ranked by the
 * knowledge index (lexical, fused with vector similarity when an embedding deployment embeds the query).
 */
export class KnowledgeSearchService {
  constructor(private readonly deps: KnowledgeSearchServiceDeps) {}

  async search(principal: ApiKeyPrincipal, baseId: string, request: KnowledgeSearchRequest): Promise<{ results: KnowledgePassage[] }> {
    // Every read names the caller's project, so they can all run while the base itself is checked: a base that is
    // not the project's fails the search before anything read is used.
    const projectId = principal.projectId;
    const files = this.deps.knowledgeFiles.listAll(projectId, baseId);
    const hits = this.embedQuery(request.query).then((queryEmbedding) =>
      this.deps.knowledgeIndex.search({ projectId, baseId, query: request.query, queryEmbedding, top: request.top }),
    );
    files.catch(() => undefined);
    hits.catch(() => undefined);
    await this.deps.bases.baseOf(projectId, baseId);
    const [fileList, hitList] = await Promise.all([files, hits]);
    // A file being deleted may still have chunks for a moment; it is already gone for clients.
    const names = new Map(fileList.filter((f) => f.deletingSince === undefined).map((f) => [f.id, f.originalName]));
    const results: KnowledgePassage[] = [];
    for (const hit of hitList) {
      const fileName = names.get(hit.fileId);
      if (fileName === undefined) continue;
      results.push({ fileId: hit.fileId, fileName, text: hit.text, score: hit.score, page: hit.page, section: hit.section });
    }
    return { results };
  }

  /** The query's vector, or undefined: without an embedding deployment, or when it fails, the search is lexical. */
  private async embedQuery(query: string): Promise<readonly number[] | undefined> {
    const { embeddings } = this.deps;
    if (embeddings === undefined) return undefined;
    try {
      return (await embeddings.embed([query]))[0];
    } catch (err) {
      this.deps.logger.warn('a knowledge search query could not be embedded; the search is lexical only', { err });
      return undefined;
    }
  }
}
