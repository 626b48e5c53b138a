import { z } from 'zod';
import type { ApiKey, NewApiKey } from '../../domain/api-key.js';
import type { ApiKeyRepository } from '../../domain/api-key-repository.js';
import { ConflictError } from '../../domain/errors.js';
import { storedLlmConfigSchema } from '../../domain/llm-config.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { CountedContainer, StoredDocument } from './counted-container.js';
import { parseDocument } from './document-parsing.js';
import { pageSlice, topNeededFor } from './top-n-paging.js';

const CONTAINER = 'api-keys';

const apiKeyDocument = z.object({
  id: z.string(),
  type: z.literal('apiKey'),
  projectId: z.string(),
  orgId: z.string(),
  name: z.string(),
  prefix: z.string(),
  last4: z.string(),
  secretHash: z.string().regex(/^[0-9a-f]{64}$/),
  llm: storedLlmConfigSchema,
  createdAt: z.string(),
  _etag: z.string(),
});

/**
 * Last use lives in its own small document beside the key, written blind (upsert, no read, no ETag), so recording
 * use is one operation and never conflicts with changes to the key itself.
 */
const usageDocument = z.object({
  id: z.string(),
  type: z.literal('apiKeyUsage'),
  keyId: z.string(),
  lastUsedAt: z.string(),
});

const usageDocumentId = (keyId: string): string => `${keyId}.lastUsed`;

function toApiKey(document: StoredDocument, lastUsedAt: string | undefined): ApiKey {
  const d = parseDocument(apiKeyDocument, document, CONTAINER);
  return {
    id: d.id,
    projectId: d.projectId,
    orgId: d.orgId,
    name: d.name,
    prefix: d.prefix,
    last4: d.last4,
    secretHash: d.secretHash,
    llm: d.llm,
    createdAt: d.createdAt,
    lastUsedAt,
    etag: d._etag,
  };
}

function toDocument(key: NewApiKey) {
  return {
    id: key.id,
    type: 'apiKey',
    projectId: key.projectId,
    orgId: key.orgId,
    name: key.name,
    prefix: key.prefix,
    last4: key.last4,
    secretHash: key.secretHash,
    llm: key.llm,
    createdAt: key.createdAt,
  };
}

/** API key records of a project, partitioned by project. */
export class CosmosApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(projectId: string, keyId: string): Promise<ApiKey | undefined> {
    const [document, usage] = await Promise.all([
      this.container.read(keyId, projectId),
      this.container.read(usageDocumentId(keyId), projectId),
    ]);
    if (document === undefined) return undefined;
    return toApiKey(document, usage === undefined ? undefined : parseDocument(usageDocument, usage, CONTAINER).lastUsedAt);
  }

  async listByProject(projectId: string, page: PageRequest): Promise<Page<ApiKey>> {
    const [rows, total] = await Promise.all([
      this.container.query(
        {
          query: "SELECT TOP @top * FROM c WHERE c.projectId = @projectId AND c.type = 'apiKey' ORDER BY c.createdAt",
          parameters: [
            { name: '@projectId', value: projectId },
            { name: '@top', value: topNeededFor(page) },
          ],
        },
        projectId,
      ),
      this.container.count(
        {
          query: "SELECT VALUE COUNT(1) FROM c WHERE c.projectId = @projectId AND c.type = 'apiKey'",
          parameters: [{ name: '@projectId', value: projectId }],
        },
        projectId,
      ),
    ]);
    const pageRows = pageSlice(rows, page);
    const lastUsed = await this.lastUsedOf(
      projectId,
      pageRows.map((row) => String(row.id)),
    );
    return {
      items: pageRows.map((row) => toApiKey(row, lastUsed.get(String(row.id)))),
      filteredCount: total,
      totalCount: total,
      pageIndex: page.pageIndex,
      pageSize: page.pageSize,
    };
  }

  async listIdsByProject(projectId: string): Promise<string[]> {
    const rows = await this.container.query(
      {
        query: "SELECT c.id FROM c WHERE c.projectId = @projectId AND c.type = 'apiKey'",
        parameters: [{ name: '@projectId', value: projectId }],
      },
      projectId,
    );
    return rows.map((row) => String(row.id));
  }

  async create(key: NewApiKey): Promise<ApiKey> {
    try {
      return toApiKey(await this.container.create(toDocument(key)), undefined);
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The API key already exists.');
      throw err;
    }
  }

  async replace(key: ApiKey): Promise<ApiKey> {
    const saved = await this.container.replace(key.id, key.projectId, toDocument(key), key.etag);
    return toApiKey(saved, key.lastUsedAt);
  }

  async delete(projectId: string, keyId: string): Promise<void> {
    await this.container.delete(keyId, projectId);
    await this.container.delete(usageDocumentId(keyId), projectId);
  }

  async recordLastUsed(projectId: string, keyId: string, at: string): Promise<void> {
    await this.container.upsert({ id: usageDocumentId(keyId), type: 'apiKeyUsage', projectId, keyId, lastUsedAt: at });
  }

  private async lastUsedOf(projectId: string, keyIds: string[]): Promise<Map<string, string>> {
    if (keyIds.length === 0) return new Map();
    const rows = await this.container.query(
      {
        query: "SELECT * FROM c WHERE c.projectId = @projectId AND c.type = 'apiKeyUsage' AND ARRAY_CONTAINS(@keyIds, c.keyId)",
        parameters: [
          { name: '@projectId', value: projectId },
          { name: '@keyIds', value: keyIds },
        ],
      },
      projectId,
    );
    const result = new Map<string, string>();
    for (const row of rows) {
      const usage = parseDocument(usageDocument, row, CONTAINER);
      result.set(usage.keyId, usage.lastUsedAt);
    }
    return result;
  }
}
