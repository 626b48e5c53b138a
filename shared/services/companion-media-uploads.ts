import { randomBytes } from 'node:crypto';
import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import type { MediaKind } from '../domain/companion.js';
import {
  MEDIA_INTAKE_FAILURE_CODES,
  MEDIA_MAX_BYTES,
  MEDIA_TOO_LARGE_CODE,
  UPLOAD_GRACE_MS,
  awaitsUploadUntil,
  incomingMediaPath,
  mediaKindProblem,
  uploadDeadlineOf,
  uploadRefusal,
  withUploadAwaited,
  withUploadExpired,
} from '../domain/companion-media-intake.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { describeBytes } from '../domain/media/media-checks.js';
import type { Logger } from '../domain/logger.js';
import type { MediaFetchQueue, MediaUploadDeadlineJob } from '../domain/media-fetch-job.js';
import type { MediaIntakeStore } from '../domain/media-intake-store.js';
import { findStockCompanion } from '../domain/stock-companions.js';
import type { CompanionMediaRecords } from './companion-media-records.js';

export interface CompanionMediaUploadsDeps {
  readonly companions: CompanionRepository;
  readonly records: CompanionMediaRecords;
  readonly mediaStore: MediaIntakeStore;
  /** Where each upload's deadline check is sent, hidden until the deadline (the `companion-media-fetch` queue). */
  readonly mediaFetchQueue: MediaFetchQueue;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** What a deadline check did; returned for logs and tests. */
export type UploadDeadlineOutcome =
  /** The medium still awaited its file after the deadline: rejected with UploadExpired. */
  | 'expired'
  /** Its deadline is later (an upload URL issued since, or a message delivered early): a later check decides. */
  | 'notDue'
  /** The medium does not await an upload (its file came, it was decided or replaced by URL): nothing to do. */
  | 'notAwaited'
  | 'companionGone';

/** `POST /public/companions/{id}/uploads`. The file name and type are the client's word: the check sniffs the bytes. */
export interface UploadRequest {
  readonly kind: MediaKind;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
}

export interface UploadTicket {
  /** A secret until it expires: whoever holds it can write the file. Never logged. */
  readonly uploadUrl: string;
  readonly method: 'PUT';
  /** Headers the PUT must carry: Blob Storage needs the blob type, and the content type is stored with the file. */
  readonly headers: { readonly 'x-ms-blob-type': 'BlockBlob'; readonly 'content-type': string };
  readonly expiresAt: string;
  readonly kind: MediaKind;
  readonly uploadId: string;
}

/** Long enough to send 100 MB over a slow uplink, short enough that a leaked URL is soon useless. */
export const UPLOAD_URL_LIFETIME_MS = 15 * 60 * 1000;

const KIND_NOUN: Readonly<Record<MediaKind, string>> = { picture: 'picture', video: 'video', voice: 'voice sample' };

/**
 * Upload URLs, the alternative to media URLs: a short-lived, write-only URL for exactly one incoming file. What the
 * client then sends is checked by the same blob-triggered check as a fetched file.
 */
export class CompanionMediaUploads {
  constructor(private readonly deps: CompanionMediaUploadsDeps) {}

  async requestUpload(principal: ApiKeyPrincipal, companionId: string, request: UploadRequest): Promise<UploadTicket> {
    if (findStockCompanion(companionId) !== undefined) throw new ForbiddenError('Stock companions are read-only.');
    const companion = await this.deps.companions.get(principal.projectId, companionId);
    if (companion === undefined) throw new NotFoundError('Companion');
    const { kind } = request;
    const kindProblem = mediaKindProblem(companion, kind);
    if (kindProblem !== undefined) throw new ValidationError([{ path: 'kind', message: kindProblem }]);
    const limit = MEDIA_MAX_BYTES[kind];
    if (request.size > limit) {
      throw new BadRequestError(
        MEDIA_TOO_LARGE_CODE[kind],
        `The ${KIND_NOUN[kind]} "${request.fileName}" is ${describeBytes(request.size)}; it must be at most ${describeBytes(limit)}.`,
      );
    }
    const refused = (reason: string) => new ConflictError(`No ${KIND_NOUN[kind]} can be uploaded now: ${reason}.`, 'MediaUploadNotAccepted');
    const refusal = uploadRefusal(companion, kind);
    if (refusal !== undefined) throw refused(refusal);

    const uploadId = `upl_${randomBytes(18).toString('base64url')}`;
    const now = this.deps.clock.now().getTime();
    const expiresAt = new Date(now + UPLOAD_URL_LIFETIME_MS);
    const uploadUrl = await this.deps.mediaStore.uploadUrl(incomingMediaPath(companion.projectId, companion.id, kind, uploadId), expiresAt);

    // The medium waits for this file until the URL's lifetime and a grace period have passed. The deadline check is
    // queued before the deadline is recorded, so a recorded deadline always has its check on the way; a check whose
    // record was never written finds an earlier deadline, or nothing awaited, and does what that says.
    const uploadDeadline = new Date(expiresAt.getTime() + UPLOAD_GRACE_MS).toISOString();
    const ids = { companionId: companion.id, projectId: companion.projectId, orgId: companion.orgId };
    await this.deps.mediaFetchQueue.scheduleUploadDeadline({ ...ids, kind, uploadDeadline }, (Date.parse(uploadDeadline) - now) / 1000);

    // Decided again on the fresh read: a check may have finished meanwhile. A medium that already awaited an upload
    // (declared at creation, or an earlier URL) only has its deadline moved, which clients do not see.
    const entry = companion.media[kind];
    const alreadyAwaited = entry?.source === 'upload' && entry.status === 'awaiting';
    const { companion: updated } = await this.deps.records.update(
      { projectId: companion.projectId, companionId: companion.id },
      (c) => {
        const reason = uploadRefusal(c, kind);
        if (reason !== undefined) throw refused(reason);
        return awaitsUploadUntil(c, kind, uploadDeadline) ? undefined : withUploadAwaited(c, kind, uploadDeadline);
      },
      { start: companion, visible: !alreadyAwaited },
    );
    if (updated === undefined) throw new NotFoundError('Companion');
    // Lifting a media failure can make another medium's job due (a twin's accepted voice).
    await this.deps.records.handOff(updated);
    return {
      uploadUrl,
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': request.contentType },
      expiresAt: expiresAt.toISOString(),
      kind,
      uploadId,
    };
  }

  /**
   * The deadline check of a medium awaiting its upload (a `companion-media-fetch` message hidden until then): still
   * awaited after its deadline, it is rejected with UploadExpired and the companion fails with that reason, which
   * lets the client upload a replacement. Decided from a fresh read and written conditionally, so a repeated or late
   * message, or one for a medium whose file came meanwhile, changes nothing.
   */
  async expireUpload(job: MediaUploadDeadlineJob): Promise<UploadDeadlineOutcome> {
    const companion = await this.deps.companions.get(job.projectId, job.companionId);
    if (companion === undefined) return 'companionGone';
    if (companion.orgId !== job.orgId) {
      this.deps.logger.warn('an upload deadline message names another organization than its companion; ignored', {
        companionId: companion.id,
        projectId: companion.projectId,
      });
      return 'notAwaited';
    }
    const deadline = uploadDeadlineOf(companion, job.kind, job.uploadDeadline);
    if (deadline === undefined) return 'notAwaited';
    const now = this.deps.clock.now();
    if (now.getTime() < deadline) {
      // A later upload URL sent its own check; this one is early only if it carries the recorded deadline (a
      // clock ahead of ours, a delay the queue capped): then it comes back when that deadline is due.
      if (Date.parse(job.uploadDeadline) >= deadline) {
        await this.deps.mediaFetchQueue.scheduleUploadDeadline(job, (deadline - now.getTime()) / 1000);
      }
      return 'notDue';
    }
    const { companion: latest, changed } = await this.deps.records.update(
      { projectId: job.projectId, companionId: job.companionId },
      (c) => (c.orgId === job.orgId ? withUploadExpired(c, job.kind, job.uploadDeadline, now) : undefined),
      { start: companion, visible: true },
    );
    if (latest === undefined) return 'companionGone';
    if (!changed) return 'notAwaited';
    this.deps.logger.warn(`a companion's ${job.kind} upload never came; the medium is rejected with ${MEDIA_INTAKE_FAILURE_CODES.uploadExpired}`, {
      companionId: job.companionId,
      projectId: job.projectId,
      kind: job.kind,
    });
    return 'expired';
  }
}
