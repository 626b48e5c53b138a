import { z } from 'zod';
import { ConflictError } from '../../domain/errors.js';
import { knowledgeProviderSchema, type KnowledgeBase, type NewKnowledgeBase } from '../../domain/knowledge/knowledge-base.js';
import type { KnowledgeBaseRepository } from '../../domain/knowledge/knowledge-base-repository.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';
import { listPageNewestFirst } from './top-n-paging.js';

const CONTAINER = 'knowledge-bases';

const knowledgeBaseDocument = z.object({
  id: z.string(),
  type: z.literal('knowledgeBase'),
  projectId: z.string(),
  orgId: z.string(),
  name: z.string(),
  provider: knowledgeProviderSchema,
  fileSlots: z.array(z.object({ fileId: z.string(), reservedAt: z.string() })),
  deletingSince: z.string().optional(),
  created: z.string(),
  updated: z.string(),
  _etag: z.string(),
});

function toKnowledgeBase(document: unknown): KnowledgeBase {
  const { _etag, type: _type, ...d } = parseDocument(knowledgeBaseDocument, document, CONTAINER);
  return { ...d, etag: _etag };
}

function toDocument(base: NewKnowledgeBase) {
  return {
    id: base.id,
    type: 'knowledgeBase',
    projectId: base.projectId,
    orgId: base.orgId,
    name: base.name,
    provider: base.provider,
    fileSlots: base.fileSlots,
    deletingSince: base.deletingSince,
    created: base.created,
    updated: base.updated,
  };
}

/** The WHERE clause of the list: the partition key first (see CountedContainer.query), bases being deleted left out. */
const LIST_WHERE = "c.projectId = @projectId AND c.type = 'knowledgeBase' AND NOT IS_DEFINED(c.deletingSince)";

/**
 * Knowledge bases, partitioned by project: reads and lists never leave the caller's project. The base document also
 * holds its file slots, so the per-base file limit is one conditional write.
 */
export class CosmosKnowledgeBaseRepository implements KnowledgeBaseRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(projectId: string, baseId: string): Promise<KnowledgeBase | undefined> {
    const document = await this.container.read(baseId, projectId);
    // A point read names the partition, but the check keeps isolation independent of the server honouring it.
    if (document === undefined || document.projectId !== projectId) return undefined;
    return toKnowledgeBase(document);
  }

  async list(projectId: string, page: PageRequest): Promise<Page<KnowledgeBase>> {
    const parameters = [{ name: '@projectId', value: projectId }];
    return listPageNewestFirst(
      this.container,
      { where: LIST_WHERE, parameters, partitionKey: projectId, orderBy: 'created', page },
      toKnowledgeBase,
    );
  }

  async listDeletingIds(projectId: string): Promise<string[]> {
    const rows = await this.container.query(
      {
        query: "SELECT c.id FROM c WHERE c.projectId = @projectId AND c.type = 'knowledgeBase' AND IS_DEFINED(c.deletingSince)",
        parameters: [{ name: '@projectId', value: projectId }],
      },
      projectId,
    );
    return rows.map((row) => z.object({ id: z.string() }).parse(row).id);
  }

  async create(base: NewKnowledgeBase): Promise<KnowledgeBase> {
    try {
      return toKnowledgeBase(await this.container.create(toDocument(base)));
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The knowledge base already exists.');
      throw err;
    }
  }

  async replace(base: KnowledgeBase): Promise<KnowledgeBase> {
    return toKnowledgeBase(await this.container.replace(base.id, base.projectId, toDocument(base), base.etag));
  }

  async delete(projectId: string, baseId: string, expectedEtag?: string): Promise<void> {
    await this.container.delete(baseId, projectId, expectedEtag);
  }
}
