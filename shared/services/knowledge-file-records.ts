import type { Clock } from '../domain/clock.js';
import type { KnowledgeFile } from '../domain/knowledge/knowledge-file.js';
import type { KnowledgeFileRepository } from '../domain/knowledge/knowledge-file-repository.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';

export interface KnowledgeFileRecordsDeps {
  readonly knowledgeFiles: KnowledgeFileRepository;
  readonly clock: Clock;
}

/** A change decided from the file as it is now; undefined means there is nothing (left) to do. */
export type KnowledgeFileChange = (current: KnowledgeFile) => KnowledgeFile | undefined;

export interface KnowledgeFileUpdate {
  /** The file after the update; undefined when it was deleted meanwhile. */
  readonly file: KnowledgeFile | undefined;
  readonly changed: boolean;
}

export interface KnowledgeFileIds {
  readonly projectId: string;
  readonly baseId: string;
  readonly fileId: string;
}

/**
 * The writes the intake, fetch, ingest and API steps share. Each is decided from a fresh read and written conditionally
 * on its ETag, so a repeated message or trigger, a deletion or a re-upload racing with it, never get undone.
 */
export class KnowledgeFileRecords {
  constructor(private readonly deps: KnowledgeFileRecordsDeps) {}

  get(ids: KnowledgeFileIds): Promise<KnowledgeFile | undefined> {
    return this.deps.knowledgeFiles.get(ids.projectId, ids.baseId, ids.fileId);
  }

  /** Applies `change` with optimistic concurrency; `start`, when given, saves the first read. */
  async update(ids: KnowledgeFileIds, change: KnowledgeFileChange, start?: KnowledgeFile): Promise<KnowledgeFileUpdate> {
    let first = start;
    return withOptimisticRetry(async (): Promise<KnowledgeFileUpdate> => {
      const current = first ?? (await this.get(ids));
      first = undefined;
      if (current === undefined) return { file: undefined, changed: false };
      const next = change(current);
      if (next === undefined) return { file: current, changed: false };
      const saved = await writeOrRetry(() => this.deps.knowledgeFiles.replace({ ...next, updatedAt: this.deps.clock.now().toISOString() }));
      return { file: saved, changed: true };
    });
  }
}
