import { MAX_KNOWLEDGE_FILE_BYTES, type KnowledgeFailureCode } from '../domain/knowledge/file-types.js';
import { knowledgeFailureMessage } from '../domain/knowledge/knowledge-failure-messages.js';
import { nameFromContentDisposition } from '../domain/knowledge/knowledge-file-names.js';
import { awaitsFetch, withFetchFailed } from '../domain/knowledge/knowledge-file-lifecycle.js';
import type { KnowledgeFileFetchJob } from '../domain/knowledge/knowledge-file-fetch-job.js';
import type { KnowledgeFileStore } from '../domain/knowledge/knowledge-file-store.js';
import { knowledgeSourcePath } from '../domain/knowledge/knowledge-paths.js';
import type { Logger } from '../domain/logger.js';
import {
  RemoteFileTooLargeError,
  UrlFetchTimedOutError,
  UrlNotAllowedError,
  UrlUnreachableError,
  type GuardedFetcher,
  type GuardedResponse,
} from '../domain/outbound.js';
import type { KnowledgeFileRecords } from './knowledge-file-records.js';

export interface KnowledgeFileFetchDeps {
  readonly fetcher: GuardedFetcher;
  readonly knowledgeStore: KnowledgeFileStore;
  readonly records: KnowledgeFileRecords;
  readonly logger: Logger;
}

/** Which delivery of the message this is: the last one turns a passing fault into the file's failure. */
export interface KnowledgeFetchAttempt {
  readonly dequeueCount: number;
  readonly maxAttempts: number;
}

/** What a fetch message did; returned for logs and tests. */
export type KnowledgeFetchOutcome = 'stored' | 'failed' | 'fileGone' | 'notAwaited';

/** 50 MB over a slow link; the guarded fetcher aborts the whole exchange at this deadline. */
export const KNOWLEDGE_FETCH_TIMEOUT_MS = 120_000;

/** A fault worth another try: the server or the network may recover. */
class PassingFetchFault extends Error {
  constructor(cause: unknown) {
    super('the knowledge file URL could not be fetched; the message is retried', { cause });
    this.name = 'PassingFetchFault';
  }
}

const CONTENT_TYPE = /^[A-Za-z0-9][\w.+-]{0,63}\/[A-Za-z0-9][\w.+-]{0,63}$/;

/** The type the server declared, kept for reference only (the ingest sniffs the bytes); junk is not stored. */
function declaredType(response: GuardedResponse): string {
  const declared = response.headers['content-type']?.split(';')[0]?.trim() ?? '';
  return CONTENT_TYPE.test(declared) ? declared : 'application/octet-stream';
}

/** 4xx answers other than "timeout" and "too many requests" will not change on a retry. */
function lastingHttpFailure(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/**
 * Fetches a knowledge file's URL (the `knowledge-file-fetch` queue job) through the guarded fetcher into the file's
 * landing blob, where the blob-triggered ingest takes over. A refusal that will not change (an address that is not
 * allowed, a file over the largest limit, a 404) fails the file at once; passing faults are retried by the queue,
 * and the last try fails the file with UrlUnreachable, so it never stays `uploading`.
 */
export class KnowledgeFileFetch {
  constructor(private readonly deps: KnowledgeFileFetchDeps) {}

  async fetch(job: KnowledgeFileFetchJob, attempt: KnowledgeFetchAttempt): Promise<KnowledgeFetchOutcome> {
    const file = await this.deps.records.get(job);
    if (file === undefined || file.deletingSince !== undefined) return 'fileGone';
    if (file.orgId !== job.orgId) {
      this.deps.logger.warn('a knowledge fetch message names another organization than its file; ignored', { fileId: file.id, projectId: file.projectId });
      return 'notAwaited';
    }
    if (!awaitsFetch(file, job.url)) return 'notAwaited';

    let response: GuardedResponse;
    try {
      response = await this.deps.fetcher.fetch(job.url, { maxBytes: MAX_KNOWLEDGE_FILE_BYTES, timeoutMs: KNOWLEDGE_FETCH_TIMEOUT_MS });
      if (response.status < 200 || response.status > 299) {
        if (lastingHttpFailure(response.status)) return await this.fail(job, 'UrlUnreachable');
        throw new PassingFetchFault(new UrlUnreachableError(`the server answered ${response.status}`));
      }
    } catch (err) {
      if (err instanceof UrlNotAllowedError) return this.fail(job, 'UrlNotAllowed');
      if (err instanceof RemoteFileTooLargeError) return this.fail(job, 'FileTooLarge');
      const passing =
        err instanceof PassingFetchFault
          ? err
          : err instanceof UrlFetchTimedOutError || err instanceof UrlUnreachableError
            ? new PassingFetchFault(err)
            : undefined;
      if (passing === undefined) throw err;
      if (attempt.dequeueCount >= attempt.maxAttempts) return this.fail(job, 'UrlUnreachable');
      throw passing;
    }

    const name = nameFromContentDisposition(response.headers['content-disposition']);
    const contentType = declaredType(response);
    // Recorded before the bytes land, so the ingest that follows sees them; a file no longer waiting is left alone.
    const { file: recorded } = await this.deps.records.update(job, (current) =>
      awaitsFetch(current, job.url) ? { ...current, contentType, size: response.body.byteLength, originalName: name ?? current.originalName } : undefined,
    );
    if (recorded === undefined || !awaitsFetch(recorded, job.url)) return recorded === undefined ? 'fileGone' : 'notAwaited';
    await this.deps.knowledgeStore.write(knowledgeSourcePath(job.projectId, job.baseId, job.fileId), response.body, contentType);
    return 'stored';
  }

  /**
   * The queue gave up on the message (every try failed for a reason of our own, e.g. storage down): a file still
   * waiting for it fails with IngestionFailed.
   */
  async abandon(job: KnowledgeFileFetchJob): Promise<boolean> {
    const { changed } = await this.deps.records.update(job, (current) =>
      current.orgId === job.orgId
        ? withFetchFailed(current, job.url, { code: 'IngestionFailed', message: knowledgeFailureMessage('IngestionFailed') })
        : undefined,
    );
    if (changed) {
      this.deps.logger.error('a knowledge file URL could not be fetched on any try; the file fails', {
        projectId: job.projectId,
        baseId: job.baseId,
        fileId: job.fileId,
      });
    }
    return changed;
  }

  private async fail(job: KnowledgeFileFetchJob, code: KnowledgeFailureCode): Promise<KnowledgeFetchOutcome> {
    const facts = code === 'FileTooLarge' ? { limit: MAX_KNOWLEDGE_FILE_BYTES } : {};
    const { changed } = await this.deps.records.update(job, (current) =>
      withFetchFailed(current, job.url, { code, message: knowledgeFailureMessage(code, facts) }),
    );
    return changed ? 'failed' : 'notAwaited';
  }
}
