import { randomBytes } from 'node:crypto';
import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import type { MediaKind } from '../domain/companion.js';
import {
  MEDIA_MAX_BYTES,
  MEDIA_TOO_LARGE_CODE,
  incomingMediaPath,
  mediaKindProblem,
  uploadRefusal,
  withUploadAwaited,
} from '../domain/companion-media-intake.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { describeBytes } from '../domain/media/media-checks.js';
import type { MediaIntakeStore } from '../domain/media-intake-store.js';
import { findStockCompanion } from '../domain/stock-companions.js';
import type { CompanionMediaRecords } from './companion-media-records.js';

export interface CompanionMediaUploadsDeps {
  readonly companions: CompanionRepository;
  readonly records: CompanionMediaRecords;
  readonly mediaStore: MediaIntakeStore;
  readonly clock: Clock;
}

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
    const expiresAt = new Date(this.deps.clock.now().getTime() + UPLOAD_URL_LIFETIME_MS);
    const uploadUrl = await this.deps.mediaStore.uploadUrl(incomingMediaPath(companion.projectId, companion.id, kind, uploadId), expiresAt);

    // Decided again on the fresh read: a check may have finished meanwhile.
    const { companion: updated } = await this.deps.records.update(
      { projectId: companion.projectId, companionId: companion.id },
      (c) => {
        const reason = uploadRefusal(c, kind);
        if (reason !== undefined) throw refused(reason);
        const entry = c.media[kind];
        return entry?.source === 'upload' && entry.status === 'awaiting' ? undefined : withUploadAwaited(c, kind);
      },
      { start: companion, visible: true },
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
}
