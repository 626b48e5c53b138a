import type { Clock } from '../domain/clock.js';
import type { KnowledgeFile } from '../domain/knowledge/knowledge-file.js';
import { withUploadExpired } from '../domain/knowledge/knowledge-file-lifecycle.js';
import type { KnowledgeFileRepository } from '../domain/knowledge/knowledge-file-repository.js';
import type { KnowledgeFileStore } from '../domain/knowledge/knowledge-file-store.js';
import { SHORTEST_LANDING_WAIT_MS, landingDeadlineOf } from '../domain/knowledge/knowledge-landing-deadlines.js';
import { knowledgeFilePrefix, knowledgeSourcePath } from '../domain/knowledge/knowledge-paths.js';
import type { Logger } from '../domain/logger.js';
import type { KnowledgeFileRecords } from './knowledge-file-records.js';
import type { KnowledgeFileSlots } from './knowledge-file-slots.js';

export interface KnowledgeUploadExpiryDeps {
  readonly knowledgeFiles: KnowledgeFileRepository;
  readonly knowledgeStore: KnowledgeFileStore;
  readonly records: KnowledgeFileRecords;
  readonly slots: KnowledgeFileSlots;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** What one file's check came to. */
export type UploadExpiryOutcome =
  /** Failed with UploadExpired; its slot given back and anything under its folder removed. */
  | 'expired'
  /** Its bytes are in storage: the blob-triggered ingest owns the file now. */
  | 'landed'
  /** Its deadline (which depends on how the bytes arrive) has not passed yet. */
  | 'notDue'
  /** Changed by someone else meanwhile (the ingest took it, it was deleted): left alone. */
  | 'unchanged'
  /** The check failed; the next sweep tries again. */
  | 'error';

export type UploadExpirySweep = Readonly<Record<UploadExpiryOutcome, number>>;

/** Files checked at once: each check is a blob read, a conditional write, a base write and a folder listing. */
const CONCURRENCY = 8;

/**
 * The timer-triggered sweep of knowledge files whose bytes never came: an upload URL that expired unused, a URL whose
 * fetch messages were lost, a request that died before it wrote what it was sent. Such a file would stay `uploading`
 * and hold one of its base's 30 slots for good; once its landing deadline (the URL's lifetime or the fetch's or
 * request's window, plus a grace period) has passed with nothing in storage, it fails with UploadExpired, its slot is
 * given back and its folder emptied.
 *
 * Safe to repeat and to race with a late blob trigger: a file whose bytes landed is left to the trigger; the failure is
 * an ETag-conditional write decided from a fresh read, so a file the trigger moved to `processing` (or `ready`) first
 * is left alone; and a trigger that comes after the failure finds the file expired and deletes the bytes instead of
 * ingesting them (see landingDecision). The slot is given back only after the failure is recorded, so the limit never
 * admits a file too many; if that step is lost, the slot reservation reclaims it when the base is full.
 */
export class KnowledgeUploadExpiry {
  constructor(private readonly deps: KnowledgeUploadExpiryDeps) {}

  async sweep(): Promise<UploadExpirySweep> {
    const now = this.deps.clock.now();
    const candidates = await this.deps.knowledgeFiles.listUploadingCreatedBefore(new Date(now.getTime() - SHORTEST_LANDING_WAIT_MS).toISOString());
    const counts: Record<UploadExpiryOutcome, number> = { expired: 0, landed: 0, notDue: 0, unchanged: 0, error: 0 };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < candidates.length) {
        const file = candidates[next] as KnowledgeFile;
        next += 1;
        counts[await this.checkOne(file, now)] += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, candidates.length) }, worker));
    return counts;
  }

  private async checkOne(file: KnowledgeFile, now: Date): Promise<UploadExpiryOutcome> {
    const ids = { projectId: file.projectId, baseId: file.baseId, fileId: file.id };
    try {
      if (now.getTime() < landingDeadlineOf(file)) return 'notDue';
      if ((await this.deps.knowledgeStore.landedVersion(knowledgeSourcePath(ids.projectId, ids.baseId, ids.fileId))) !== undefined) {
        // The trigger normally takes a landed file within seconds; still waiting this late means its events are lost.
        this.deps.logger.warn('a knowledge file landed but its ingest has not started; check the blob trigger (Event Grid subscription)', {
          ...ids,
          createdAt: file.createdAt,
        });
        return 'landed';
      }
      const { changed } = await this.deps.records.update(ids, (current) => withUploadExpired(current, now), file);
      if (!changed) return 'unchanged';
      await this.deps.slots.release(ids.projectId, ids.baseId, ids.fileId);
      // Bytes that landed after the check above: the trigger would refuse them too, but they need not wait for it.
      await this.deps.knowledgeStore.deleteFolder(knowledgeFilePrefix(ids.projectId, ids.baseId, ids.fileId));
      this.deps.logger.warn('a knowledge file never received its bytes; it fails with UploadExpired', { ...ids, source: file.source.kind });
      return 'expired';
    } catch (err) {
      this.deps.logger.error('a knowledge file could not be checked for an expired upload; the next sweep retries', { ...ids, err });
      return 'error';
    }
  }
}
