import { z } from 'zod';
import { ConflictError } from '../../domain/errors.js';
import { KNOWLEDGE_FAILURE_CODES, KNOWLEDGE_FILE_TYPES } from '../../domain/knowledge/file-types.js';
import { knowledgeFileStatusSchema, type KnowledgeFile, type NewKnowledgeFile } from '../../domain/knowledge/knowledge-file.js';
import type { KnowledgeFileRepository } from '../../domain/knowledge/knowledge-file-repository.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';
import { listPageNewestFirst } from './top-n-paging.js';

const CONTAINER = 'knowledge-files';

const knowledgeFileDocument = z.object({
  id: z.string(),
  type: z.literal('knowledgeFile'),
  projectId: z.string(),
  orgId: z.string(),
  baseId: z.string(),
  originalName: z.string(),
  contentType: z.string(),
  size: z.number().int().nonnegative(),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('url'), url: z.string() }),
    z.object({ kind: z.literal('multipart') }),
    z.object({ kind: z.literal('uploadUrl') }),
  ]),
  status: knowledgeFileStatusSchema,
  failureReason: z.enum(KNOWLEDGE_FAILURE_CODES).optional(),
  failureMessage: z.string().optional(),
  fileType: z.enum(KNOWLEDGE_FILE_TYPES).optional(),
  pageCount: z.number().int().nonnegative().optional(),
  chunkCount: z.number().int().nonnegative(),
  summary: z.string().optional(),
  summarySource: z.enum(['generated', 'override']).optional(),
  embeddingModel: z.string().optional(),
  sourceEtag: z.string().optional(),
  deletingSince: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  _etag: z.string(),
});

function toKnowledgeFile(document: unknown): KnowledgeFile {
  const { _etag, type: _type, fileType, ...d } = parseDocument(knowledgeFileDocument, document, CONTAINER);
  return { ...d, type: fileType, etag: _etag };
}

/** `type` names the document kind in every container, so the file's format is stored as `fileType`. */
function toDocument(file: NewKnowledgeFile) {
  return {
    id: file.id,
    type: 'knowledgeFile',
    projectId: file.projectId,
    orgId: file.orgId,
    baseId: file.baseId,
    originalName: file.originalName,
    contentType: file.contentType,
    size: file.size,
    source: file.source,
    status: file.status,
    failureReason: file.failureReason,
    failureMessage: file.failureMessage,
    fileType: file.type,
    pageCount: file.pageCount,
    chunkCount: file.chunkCount,
    summary: file.summary,
    summarySource: file.summarySource,
    embeddingModel: file.embeddingModel,
    sourceEtag: file.sourceEtag,
    deletingSince: file.deletingSince,
    createdAt: file.createdAt,
    updatedAt: file.updatedAt,
  };
}

/** The partition key first (see CountedContainer.query), then the project: a base id alone never reaches another tenant. */
const BASE_WHERE = "c.baseId = @baseId AND c.projectId = @projectId AND c.type = 'knowledgeFile'";
const LIST_WHERE = `${BASE_WHERE} AND NOT IS_DEFINED(c.deletingSince)`;

/** Files partitioned by their base: a base's files (at most a few dozen) are one partition, listed in one query. */
export class CosmosKnowledgeFileRepository implements KnowledgeFileRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(projectId: string, baseId: string, fileId: string): Promise<KnowledgeFile | undefined> {
    const document = await this.container.read(fileId, baseId);
    if (document === undefined || document.projectId !== projectId || document.baseId !== baseId) return undefined;
    return toKnowledgeFile(document);
  }

  async list(projectId: string, baseId: string, page: PageRequest): Promise<Page<KnowledgeFile>> {
    const parameters = [
      { name: '@baseId', value: baseId },
      { name: '@projectId', value: projectId },
    ];
    return listPageNewestFirst(
      this.container,
      { where: LIST_WHERE, parameters, partitionKey: baseId, orderBy: 'createdAt', page },
      toKnowledgeFile,
    );
  }

  async listAll(projectId: string, baseId: string): Promise<KnowledgeFile[]> {
    const rows = await this.container.query(
      {
        query: `SELECT * FROM c WHERE ${BASE_WHERE}`,
        parameters: [
          { name: '@baseId', value: baseId },
          { name: '@projectId', value: projectId },
        ],
      },
      baseId,
    );
    return rows.map(toKnowledgeFile);
  }

  async listUploadingCreatedBefore(createdBefore: string): Promise<KnowledgeFile[]> {
    const rows = await this.container.query(
      {
        query:
          "SELECT * FROM c WHERE c.type = 'knowledgeFile' AND c.status = 'uploading' AND c.createdAt < @createdBefore AND NOT IS_DEFINED(c.deletingSince)",
        parameters: [{ name: '@createdBefore', value: createdBefore }],
      },
      undefined,
    );
    return rows.map(toKnowledgeFile);
  }

  async create(file: NewKnowledgeFile): Promise<KnowledgeFile> {
    try {
      return toKnowledgeFile(await this.container.create(toDocument(file)));
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The knowledge file already exists.');
      throw err;
    }
  }

  async replace(file: KnowledgeFile): Promise<KnowledgeFile> {
    return toKnowledgeFile(await this.container.replace(file.id, file.baseId, toDocument(file), file.etag));
  }

  /** Services reach this only for a file they read from the caller's project (the base id alone does not say whose). */
  async delete(_projectId: string, baseId: string, fileId: string, expectedEtag?: string): Promise<void> {
    await this.container.delete(fileId, baseId, expectedEtag);
  }
}
