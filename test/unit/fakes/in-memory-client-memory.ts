import { randomUUID } from 'node:crypto';
import {
  clientMemoryId,
  type ClientMemoryKey,
  type ClientMemoryRecord,
  type ClientMemoryRepository,
  type MemoryExtractionJob,
  type MemoryExtractionQueue,
  type NewClientMemoryRecord,
} from '../../../shared/domain/client-memory.js';
import { PreconditionFailedError } from '../../../shared/domain/errors.js';

/** Memory records in a map keyed like the Cosmos documents, with create-only and ETag-conditional writes. */
export class InMemoryClientMemoryRepository implements ClientMemoryRepository {
  readonly records = new Map<string, ClientMemoryRecord>();
  writes = 0;

  private keyOf(key: ClientMemoryKey): string {
    return `${key.projectId}/${clientMemoryId(key.companionId, key.externalClientId)}`;
  }

  async get(key: ClientMemoryKey): Promise<ClientMemoryRecord | undefined> {
    const record = this.records.get(this.keyOf(key));
    return record === undefined ? undefined : structuredClone(record);
  }

  async put(record: NewClientMemoryRecord, expectedEtag: string | undefined): Promise<ClientMemoryRecord> {
    const key = this.keyOf(record);
    const current = this.records.get(key);
    if (expectedEtag === undefined ? current !== undefined : current?.etag !== expectedEtag) throw new PreconditionFailedError();
    const { etag: _ignored, ...fields } = record as NewClientMemoryRecord & { etag?: string };
    const stored: ClientMemoryRecord = { ...structuredClone(fields), etag: randomUUID() };
    this.records.set(key, stored);
    this.writes += 1;
    return structuredClone(stored);
  }

  async delete(key: ClientMemoryKey, expectedEtag: string): Promise<void> {
    const current = this.records.get(this.keyOf(key));
    if (current === undefined) return;
    if (current.etag !== expectedEtag) throw new PreconditionFailedError();
    this.records.delete(this.keyOf(key));
    this.writes += 1;
  }
}

/** The memory extraction jobs a test world queued. */
export class RecordingMemoryExtractionQueue implements MemoryExtractionQueue {
  readonly sent: MemoryExtractionJob[] = [];

  async send(job: MemoryExtractionJob): Promise<void> {
    this.sent.push(job);
  }
}
