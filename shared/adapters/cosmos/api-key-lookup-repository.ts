import { z } from 'zod';
import type { ApiKeyLookup } from '../../domain/api-key.js';
import type { ApiKeyLookupRepository } from '../../domain/api-key-lookup-repository.js';
import { ConflictError } from '../../domain/errors.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';

const CONTAINER = 'api-key-lookups';

/** Id and partition key are both the hex SHA-256 of the secret: authentication is one point read. */
const lookupDocument = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  keyId: z.string(),
  projectId: z.string(),
  orgId: z.string(),
  hosting: z.enum(['hosted', 'custom']),
  status: z.literal('active'),
});

export class CosmosApiKeyLookupRepository implements ApiKeyLookupRepository {
  constructor(private readonly container: CountedContainer) {}

  async find(secretHash: string): Promise<ApiKeyLookup | undefined> {
    const document = await this.container.read(secretHash, secretHash);
    if (document === undefined) return undefined;
    const d = parseDocument(lookupDocument, document, CONTAINER);
    return { secretHash: d.id, keyId: d.keyId, projectId: d.projectId, orgId: d.orgId, hosting: d.hosting, status: d.status };
  }

  async create(lookup: ApiKeyLookup): Promise<void> {
    try {
      await this.container.create({
        id: lookup.secretHash,
        type: 'apiKeyLookup',
        keyId: lookup.keyId,
        projectId: lookup.projectId,
        orgId: lookup.orgId,
        hosting: lookup.hosting,
        status: lookup.status,
      });
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('An API key with this secret already exists.');
      throw err;
    }
  }

  async delete(secretHash: string): Promise<void> {
    await this.container.delete(secretHash, secretHash);
  }
}
