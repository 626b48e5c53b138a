import { z } from 'zod';
import type { KnowledgeIndexVersions } from '../knowledge/knowledge-chunk-store.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';

const CONTAINER = 'knowledge-index-state';

const stateDocument = z.object({ id: z.string(), projectId: z.string(), _etag: z.string() });

/**
 * One small document per knowledge base (`/id` = the base id) whose ETag is the base's index version: every upsert
 * gives it a new ETag, so a bump needs no read and cannot lose a race, and reading the version is one point read.
 */
export class CosmosKnowledgeIndexVersions implements KnowledgeIndexVersions {
  constructor(private readonly container: CountedContainer) {}

  async read(baseId: string): Promise<string | undefined> {
    const document = await this.container.read(baseId, baseId);
    return document === undefined ? undefined : parseDocument(stateDocument, document, CONTAINER)._etag;
  }

  async bump(projectId: string, baseId: string): Promise<void> {
    await this.container.upsert({ id: baseId, projectId, changedAt: new Date().toISOString() });
  }

  async remove(baseId: string): Promise<void> {
    await this.container.delete(baseId, baseId);
  }
}
