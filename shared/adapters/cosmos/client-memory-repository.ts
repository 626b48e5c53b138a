import { z } from 'zod';
import {
  clientMemoryId,
  type ClientMemoryKey,
  type ClientMemoryRecord,
  type ClientMemoryRepository,
  type NewClientMemoryRecord,
} from '../../domain/client-memory.js';
import { ConflictError, PreconditionFailedError } from '../../domain/errors.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';

const CONTAINER = 'client-memories';

const memoryDocument = z.object({
  id: z.string(),
  type: z.literal('clientMemory'),
  projectId: z.string(),
  companionId: z.string(),
  externalClientId: z.string(),
  facts: z.array(z.object({ text: z.string(), sessionIds: z.array(z.string()).min(1) })),
  summaries: z.array(z.object({ text: z.string(), sessionId: z.string(), at: z.string() })),
  sessions: z.array(z.object({ sessionId: z.string(), at: z.string() })),
  updatedAt: z.string(),
  _etag: z.string(),
});

function toRecord(document: unknown): ClientMemoryRecord {
  const d = parseDocument(memoryDocument, document, CONTAINER);
  return {
    projectId: d.projectId,
    companionId: d.companionId,
    externalClientId: d.externalClientId,
    facts: d.facts,
    summaries: d.summaries,
    sessions: d.sessions,
    updatedAt: d.updatedAt,
    etag: d._etag,
  };
}

function toDocument(record: NewClientMemoryRecord) {
  return {
    id: clientMemoryId(record.companionId, record.externalClientId),
    type: 'clientMemory',
    projectId: record.projectId,
    companionId: record.companionId,
    externalClientId: record.externalClientId,
    facts: record.facts.map((fact) => ({ text: fact.text, sessionIds: [...fact.sessionIds] })),
    summaries: record.summaries.map((summary) => ({ text: summary.text, sessionId: summary.sessionId, at: summary.at })),
    sessions: record.sessions.map((session) => ({ sessionId: session.sessionId, at: session.at })),
    updatedAt: record.updatedAt,
  };
}

/**
 * One document per (companion, externalClientId) in the project's partition, id derived from both: a point read per
 * session assembly, and every write conditional (create-only, or on the ETag read), so concurrent extractions and
 * deletions of the same person's sessions never lose each other's changes.
 */
export class CosmosClientMemoryRepository implements ClientMemoryRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(key: ClientMemoryKey): Promise<ClientMemoryRecord | undefined> {
    const document = await this.container.read(clientMemoryId(key.companionId, key.externalClientId), key.projectId);
    // The hashed id form could in theory be shared; the fields decide.
    if (
      document === undefined ||
      document['projectId'] !== key.projectId ||
      document['companionId'] !== key.companionId ||
      document['externalClientId'] !== key.externalClientId
    ) {
      return undefined;
    }
    return toRecord(document);
  }

  async put(record: NewClientMemoryRecord, expectedEtag: string | undefined): Promise<ClientMemoryRecord> {
    const document = toDocument(record);
    if (expectedEtag !== undefined) return toRecord(await this.container.replace(document.id, record.projectId, document, expectedEtag));
    try {
      return toRecord(await this.container.create(document));
    } catch (err) {
      // Created by another writer since our read: the same "changed since read" as a failed If-Match.
      if (err instanceof ConflictError) throw new PreconditionFailedError();
      throw err;
    }
  }

  async delete(key: ClientMemoryKey, expectedEtag: string): Promise<void> {
    await this.container.delete(clientMemoryId(key.companionId, key.externalClientId), key.projectId, expectedEtag);
  }
}
