import {
  MEDIA_FETCH_TIMEOUT_MS,
  MEDIA_INTAKE_FAILURE_CODES,
  MEDIA_MAX_BYTES,
  MEDIA_TOO_LARGE_CODE,
  URL_FETCH_UPLOAD_ID,
  incomingMediaPath,
  withMediaRejected,
  withUrlMediaChecking,
} from '../domain/companion-media-intake.js';
import type { Companion } from '../domain/companion.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import type { Logger } from '../domain/logger.js';
import type { MediaFetchJob } from '../domain/media-fetch-job.js';
import type { MediaIntakeStore } from '../domain/media-intake-store.js';
import {
  RemoteFileTooLargeError,
  UrlFetchTimedOutError,
  UrlNotAllowedError,
  UrlUnreachableError,
  type GuardedFetcher,
  type GuardedResponse,
} from '../domain/outbound.js';
import type { CompanionMediaRecords } from './companion-media-records.js';

export interface CompanionMediaFetchDeps {
  readonly companions: CompanionRepository;
  readonly records: CompanionMediaRecords;
  readonly fetcher: GuardedFetcher;
  readonly mediaStore: MediaIntakeStore;
  readonly logger: Logger;
}

/** Which delivery of the message this is: the last one turns a passing fault into the medium's rejection. */
export interface FetchAttempt {
  readonly dequeueCount: number;
  readonly maxAttempts: number;
}

/** What a fetch message did; returned for logs and tests. */
export type MediaFetchOutcome = 'stored' | 'rejected' | 'companionGone' | 'notAwaited';

/** A fault worth another try: the server or the network may recover. */
class PassingFetchFault extends Error {
  constructor(
    readonly code: string,
    cause: unknown,
  ) {
    super(`the media URL could not be fetched (${code}); the message is retried`, { cause });
    this.name = 'PassingFetchFault';
  }
}

const CONTENT_TYPE = /^[A-Za-z0-9][\w.+-]{0,63}\/[A-Za-z0-9][\w.+-]{0,63}$/;

/** The type the server declared, kept for reference only (the check sniffs the bytes); junk is not stored. */
function declaredType(response: GuardedResponse): string {
  const declared = response.headers['content-type']?.split(';')[0]?.trim() ?? '';
  return CONTENT_TYPE.test(declared) ? declared : 'application/octet-stream';
}

/** 4xx answers other than "timeout" and "too many requests" will not change on a retry. */
function lastingHttpFailure(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/**
 * Fetches a new companion's media URLs (the `companion-media-fetch` queue job) through the guarded fetcher into the
 * incoming path, where the blob-triggered check takes over. A refusal that will not change (an address that is not
 * allowed, a file over the limit, a 404) rejects the medium at once; passing faults are retried by the queue, and
 * the last try rejects the medium with its code, so the companion never stays pending.
 */
export class CompanionMediaFetch {
  constructor(private readonly deps: CompanionMediaFetchDeps) {}

  async fetch(job: MediaFetchJob, attempt: FetchAttempt): Promise<MediaFetchOutcome> {
    const companion = await this.deps.companions.get(job.projectId, job.companionId);
    if (companion === undefined) return 'companionGone';
    if (companion.orgId !== job.orgId) {
      this.deps.logger.warn('a media fetch message names another organization than its companion; ignored', {
        companionId: companion.id,
        projectId: companion.projectId,
      });
      return 'notAwaited';
    }
    if (!awaitsFetch(companion, job)) return 'notAwaited';

    let response: GuardedResponse;
    try {
      response = await this.deps.fetcher.fetch(job.url, { maxBytes: MEDIA_MAX_BYTES[job.kind], timeoutMs: MEDIA_FETCH_TIMEOUT_MS[job.kind] });
      if (response.status < 200 || response.status > 299) {
        if (lastingHttpFailure(response.status)) return await this.reject(companion, job, MEDIA_INTAKE_FAILURE_CODES.urlUnreachable);
        throw new PassingFetchFault(MEDIA_INTAKE_FAILURE_CODES.urlUnreachable, new UrlUnreachableError(`the server answered ${response.status}`));
      }
    } catch (err) {
      if (err instanceof UrlNotAllowedError) return this.reject(companion, job, MEDIA_INTAKE_FAILURE_CODES.urlNotAllowed);
      if (err instanceof RemoteFileTooLargeError) return this.reject(companion, job, MEDIA_TOO_LARGE_CODE[job.kind]);
      const passing =
        err instanceof PassingFetchFault
          ? err
          : err instanceof UrlFetchTimedOutError
            ? new PassingFetchFault(MEDIA_INTAKE_FAILURE_CODES.urlFetchTimedOut, err)
            : err instanceof UrlUnreachableError
              ? new PassingFetchFault(MEDIA_INTAKE_FAILURE_CODES.urlUnreachable, err)
              : undefined;
      if (passing === undefined) throw err;
      if (attempt.dequeueCount >= attempt.maxAttempts) return this.reject(companion, job, passing.code);
      throw passing;
    }

    await this.deps.mediaStore.write(
      incomingMediaPath(job.projectId, job.companionId, job.kind, URL_FETCH_UPLOAD_ID),
      response.body,
      declaredType(response),
    );
    // Only a medium still waiting moves: the check may already have run on the stored file and decided.
    await this.deps.records.update(
      { projectId: job.projectId, companionId: job.companionId },
      (c) => withUrlMediaChecking(c, job.kind, job.url),
      { visible: false },
    );
    return 'stored';
  }

  /**
   * The queue gave up on the message (every try failed for a reason of our own, e.g. storage down): a medium still
   * waiting for it is rejected with MediaFetchFailed. One already fetched is left to its check.
   */
  async abandon(job: MediaFetchJob): Promise<boolean> {
    const { companion, changed } = await this.deps.records.update(
      { projectId: job.projectId, companionId: job.companionId },
      (c) => (c.orgId === job.orgId && awaitsFetch(c, job) ? withMediaRejected(c, job.kind, MEDIA_INTAKE_FAILURE_CODES.fetchFailed) : undefined),
      { visible: true },
    );
    if (companion !== undefined && changed) {
      this.deps.logger.error('a media URL could not be fetched on any try; the medium is rejected', {
        companionId: job.companionId,
        projectId: job.projectId,
        kind: job.kind,
      });
    }
    return changed;
  }

  private async reject(companion: Companion, job: MediaFetchJob, code: string): Promise<MediaFetchOutcome> {
    const { changed } = await this.deps.records.update(
      { projectId: job.projectId, companionId: job.companionId },
      (c) => (awaitsFetch(c, job) ? withMediaRejected(c, job.kind, code) : undefined),
      { start: companion, visible: true },
    );
    return changed ? 'rejected' : 'notAwaited';
  }
}

/** The medium still waits for this very URL; anything else means the message is stale or repeated. */
function awaitsFetch(companion: Companion, job: MediaFetchJob): boolean {
  const entry = companion.media[job.kind];
  return entry?.source === 'url' && entry.url === job.url && entry.status === 'awaiting';
}
