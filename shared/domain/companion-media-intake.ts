import { z } from 'zod';
import {
  companionBlobPrefix,
  mediaKindSchema,
  type Companion,
  type CompanionMedia,
  type CompanionWarning,
  type MediaKind,
} from './companion.js';
import { ID_PATTERN } from './ids.js';
import { PICTURE_FAILURE_CODES, VIDEO_FAILURE_CODES, VOICE_SAMPLE_FAILURE_CODES } from './media/media-checks.js';
import { PICTURE_LIMITS, VIDEO_LIMITS, VOICE_SAMPLE_LIMITS } from './media/media-limits.js';

/**
 * The rules of the media intake (issue 3, part 3): where fetched and uploaded files land, which files a companion
 * expects, how a check's outcome changes the companion, and when the generation jobs are due. Everything here is a
 * pure function of the companion, so each step can be re-decided from a fresh read after a lost race or a retry.
 */

/** Fetched and uploaded files wait here for their check: `<projectId>/<companionId>/incoming/<kind>/<uploadId>`. */
export function incomingMediaPath(projectId: string, companionId: string, kind: MediaKind, uploadId: string): string {
  return `${companionBlobPrefix(projectId, companionId)}incoming/${kind}/${uploadId}`;
}

/** Where the checked file is kept, the one the generation jobs read: `<projectId>/<companionId>/media/<kind>.<ext>`. */
export function acceptedMediaPath(projectId: string, companionId: string, kind: MediaKind, extension: string): string {
  return `${companionBlobPrefix(projectId, companionId)}media/${kind}.${extension}`;
}

/**
 * The upload id of a file fetched from its URL. It is fixed, so a repeated fetch message overwrites the same blob
 * (a new version that the check treats like any other) instead of adding a second file.
 */
export const URL_FETCH_UPLOAD_ID = 'url';

/** Client uploads get `upl_` and random characters; `url` is the fetcher's. Nothing else names an incoming file. */
export const uploadIdSchema = z.string().regex(/^(?:url|upl_[A-Za-z0-9_-]{16,64})$/, 'is not an upload id');

/** The names a blob trigger binds from an incoming file's path. */
export const incomingMediaRefSchema = z.object({
  projectId: z.string().regex(ID_PATTERN),
  companionId: z.string().regex(ID_PATTERN),
  kind: mediaKindSchema,
  uploadId: uploadIdSchema,
});
export type IncomingMediaRef = z.infer<typeof incomingMediaRefSchema>;

/** Splits a blob name of the media container into an incoming file's names, or undefined for any other blob. */
export function incomingMediaRefOf(blobName: string): IncomingMediaRef | undefined {
  const parts = blobName.split('/');
  if (parts.length !== 5 || parts[2] !== 'incoming') return undefined;
  const parsed = incomingMediaRefSchema.safeParse({ projectId: parts[0], companionId: parts[1], kind: parts[3], uploadId: parts[4] });
  return parsed.success ? parsed.data : undefined;
}

/** The largest file of each kind (media-limits.ts): the fetcher's cap and the upload request's limit. */
export const MEDIA_MAX_BYTES: Readonly<Record<MediaKind, number>> = {
  picture: PICTURE_LIMITS.maxBytes,
  video: VIDEO_LIMITS.maxBytes,
  voice: VOICE_SAMPLE_LIMITS.maxBytes,
};

/** The code a file over its kind's limit fails with, whether it was fetched, declared or uploaded. */
export const MEDIA_TOO_LARGE_CODE: Readonly<Record<MediaKind, string>> = {
  picture: 'PictureTooLarge',
  video: 'VideoTooLarge',
  voice: 'VoiceSampleTooLarge',
};

/**
 * How long one fetch of a media URL may take, body included. A slow 100 MB video needs minutes; a picture does not,
 * and a short deadline keeps a stalled server from holding a worker.
 */
export const MEDIA_FETCH_TIMEOUT_MS: Readonly<Record<MediaKind, number>> = {
  picture: 30_000,
  voice: 60_000,
  video: 180_000,
};

/** Failures of the intake itself, as opposed to a check that refused the file (media-checks.ts). */
export const MEDIA_INTAKE_FAILURE_CODES = {
  /** The URL points somewhere the guarded fetcher refuses (found when fetching: DNS may have changed since creation). */
  urlNotAllowed: 'UrlNotAllowed',
  /** The server could not be reached, answered with an error, or reset the connection, also after retries. */
  urlUnreachable: 'UrlUnreachable',
  urlFetchTimedOut: 'UrlFetchTimedOut',
  /** Fetching failed on every try for a reason of our own (storage or database unavailable). */
  fetchFailed: 'MediaFetchFailed',
  /** Checking the stored file failed on every try for a reason of our own. */
  checkFailed: 'MediaCheckFailed',
  /** The fetch or generation job could not be queued when the companion was created. */
  intakeUnavailable: 'MediaIntakeUnavailable',
  /** A medium declared as an upload (or opened for one) received no file before its deadline. */
  uploadExpired: 'UploadExpired',
} as const;

/** How long a medium declared as an upload at creation waits for its first upload URL and file. */
export const UPLOAD_FIRST_WAIT_MS = 30 * 60 * 1000;

/**
 * How long after an upload URL expires its medium still waits (a PUT that started in time may still be landing, and
 * its check be starting), as knowledge files' UploadExpired allows: the URL's 15 minutes plus these 15.
 */
export const UPLOAD_GRACE_MS = 15 * 60 * 1000;

const MEDIA_FAILURE_CODES: ReadonlySet<string> = new Set<string>([
  ...VOICE_SAMPLE_FAILURE_CODES,
  ...PICTURE_FAILURE_CODES,
  ...VIDEO_FAILURE_CODES,
  ...Object.values(MEDIA_INTAKE_FAILURE_CODES),
]);

/** Whether a companion's `failureReason` is a rejected medium, the only failure the intake may undo. */
export function isMediaFailureCode(code: string | undefined): boolean {
  return code !== undefined && MEDIA_FAILURE_CODES.has(code);
}

/** The media kinds a companion takes: the likeness its avatar model uses, and a voice for a digital twin. */
export function mediaKindProblem(companion: Companion, kind: MediaKind): string | undefined {
  if (kind === 'voice') {
    return companion.personaType === 'digitalTwin' ? undefined : 'voice is taken by digital twins only';
  }
  if (kind === 'picture' && companion.version !== 'v1') return 'picture is for version v1; this companion is v2 and takes video';
  if (kind === 'video' && companion.version !== 'v2') return 'video is for version v2; this companion is v1 and takes picture';
  return undefined;
}

/** Whether the job that consumes `kind` was already handed the companion's media: then that medium is fixed. */
function consumedByQueuedJob(companion: Companion, kind: MediaKind): boolean {
  return kind === 'voice' ? companion.mediaHandOff?.voiceProfile !== undefined : companion.mediaHandOff?.avatarGeneration !== undefined;
}

/**
 * Why an upload of `kind` cannot be taken now, or undefined. An upload supplies a medium the companion still waits
 * for, or replaces one whose check rejected it; a medium being fetched, checked or already accepted is fixed, as is
 * anything the generation jobs were already given (a companion created without any media goes to avatar generation
 * at once, from its description).
 */
export function uploadRefusal(companion: Companion, kind: MediaKind): string | undefined {
  if (companion.status !== 'pending' && !(companion.status === 'failed' && isMediaFailureCode(companion.failureReason))) {
    return `the companion is ${companion.status}; its media can no longer change`;
  }
  if (consumedByQueuedJob(companion, kind)) return `the ${kind} was already handed to generation`;
  const entry = companion.media[kind];
  if (entry === undefined || entry.status === 'rejected') return undefined;
  if (entry.status === 'accepted') return `the ${kind} was already accepted`;
  if (entry.source === 'url') return `the ${kind} is being fetched from its URL`;
  if (entry.status === 'checking') return `the ${kind} upload is being checked`;
  return undefined;
}

/**
 * The companion's status after its media changed: failed with the first rejected medium's code while any is
 * rejected, pending again once none is. Only a status the intake owns is touched: `pending`, or `failed` for a media
 * reason; the generation jobs own every other.
 */
function withMediaStatus(companion: Companion): Companion {
  const ownsStatus = companion.status === 'pending' || (companion.status === 'failed' && isMediaFailureCode(companion.failureReason));
  if (!ownsStatus) return companion;
  const rejected = (['voice', 'picture', 'video'] as const)
    .map((kind) => companion.media[kind])
    .find((entry): entry is CompanionMedia => entry?.status === 'rejected');
  if (rejected !== undefined) {
    if (companion.status === 'failed' && companion.failureReason !== undefined && isRejectedCode(companion, companion.failureReason)) {
      // The first reason stays: a second rejection does not rewrite what the client may already have acted on.
      return companion;
    }
    return { ...companion, status: 'failed', failureReason: rejected.failureCode };
  }
  return { ...companion, status: 'pending', failureReason: undefined };
}

function isRejectedCode(companion: Companion, code: string): boolean {
  return Object.values(companion.media).some((entry) => entry.status === 'rejected' && entry.failureCode === code);
}

/** A twin's voice profile cannot be made from a rejected recording; it fails with the same code. */
function withVoiceStatus(companion: Companion, kind: MediaKind): Companion {
  if (kind !== 'voice' || companion.personaType !== 'digitalTwin') return companion;
  const entry = companion.media.voice;
  if (entry?.status === 'rejected') return { ...companion, voice: { ...companion.voice, status: 'failed', failureReason: entry.failureCode } };
  if (companion.voice?.status === 'failed' && isMediaFailureCode(companion.voice.failureReason)) {
    return { ...companion, voice: { ...companion.voice, status: 'pending', failureReason: undefined } };
  }
  return companion;
}

function withEntry(companion: Companion, kind: MediaKind, entry: CompanionMedia): Companion {
  const changed = { ...companion, media: { ...companion.media, [kind]: entry } };
  return withVoiceStatus(withMediaStatus(changed), kind);
}

/** The medium is refused with `code`: the companion fails (API.md), and a twin's voice too when it is the voice. */
export function withMediaRejected(companion: Companion, kind: MediaKind, code: string): Companion {
  const entry = companion.media[kind];
  return withEntry(companion, kind, {
    source: entry?.source ?? 'upload',
    url: entry?.url,
    status: 'rejected',
    failureCode: code,
  });
}

export interface AcceptedMedia {
  readonly blobPath: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly durationSeconds?: number | undefined;
  readonly width?: number | undefined;
  readonly height?: number | undefined;
}

/** The medium passed its check and is stored at `accepted.blobPath`; its warnings replace earlier ones of that code. */
export function withMediaAccepted(
  companion: Companion,
  kind: MediaKind,
  accepted: AcceptedMedia,
  warnings: readonly CompanionWarning[],
): Companion {
  const entry = companion.media[kind];
  const next = withEntry(companion, kind, {
    source: entry?.source ?? 'upload',
    url: entry?.url,
    status: 'accepted',
    ...accepted,
  });
  return { ...next, warnings: withWarnings(companion.warnings, kind, warnings) };
}

/** The warnings a check of `kind` may record; a new check of that kind replaces them, so a better file clears them. */
const WARNING_CODES_OF_KIND: Readonly<Record<MediaKind, readonly string[]>> = {
  picture: ['PictureCroppedTo16x9'],
  video: [],
  voice: [],
};

function withWarnings(
  existing: readonly CompanionWarning[] | undefined,
  kind: MediaKind,
  added: readonly CompanionWarning[],
): CompanionWarning[] | undefined {
  const kept = (existing ?? []).filter((warning) => !WARNING_CODES_OF_KIND[kind].includes(warning.code));
  const all = [...kept, ...added.map((warning) => ({ code: warning.code, message: warning.message }))];
  return all.length === 0 ? undefined : all;
}

/**
 * An upload was granted: the medium waits for the client's file until `uploadDeadline` (never earlier than a deadline
 * it already had, which an earlier upload URL may still be racing towards), and a failure it caused is lifted.
 */
export function withUploadAwaited(companion: Companion, kind: MediaKind, uploadDeadline: string): Companion {
  const entry = companion.media[kind];
  const earlier = entry?.source === 'upload' && entry.status === 'awaiting' ? entry.uploadDeadline : undefined;
  const deadline = earlier !== undefined && Date.parse(earlier) > Date.parse(uploadDeadline) ? earlier : uploadDeadline;
  return withEntry(companion, kind, { source: 'upload', status: 'awaiting', uploadDeadline: deadline });
}

/** Whether the medium waits for a client's upload until at least `uploadDeadline` (then a grant changes nothing). */
export function awaitsUploadUntil(companion: Companion, kind: MediaKind, uploadDeadline: string): boolean {
  const entry = companion.media[kind];
  if (entry?.source !== 'upload' || entry.status !== 'awaiting' || entry.uploadDeadline === undefined) return false;
  return Date.parse(entry.uploadDeadline) >= Date.parse(uploadDeadline);
}

/**
 * When a medium awaiting its upload expires: its recorded deadline (the latest upload URL's), or for a record made
 * before deadlines were recorded, the one the message carries. Undefined when the medium does not await an upload.
 */
export function uploadDeadlineOf(companion: Companion, kind: MediaKind, fallback: string): number | undefined {
  const entry = companion.media[kind];
  if (entry?.source !== 'upload' || entry.status !== 'awaiting') return undefined;
  return Date.parse(entry.uploadDeadline ?? fallback);
}

/**
 * The upload never came: a medium still awaiting it once its deadline passed is rejected with UploadExpired (the
 * companion fails with that reason and, like any rejected medium, takes a replacement upload). Anything else (the
 * file arrived and is checked or decided, a later upload URL moved the deadline, the medium was replaced) is left.
 */
export function withUploadExpired(companion: Companion, kind: MediaKind, fallbackDeadline: string, now: Date): Companion | undefined {
  const deadline = uploadDeadlineOf(companion, kind, fallbackDeadline);
  if (deadline === undefined || Number.isNaN(deadline) || now.getTime() < deadline) return undefined;
  return withMediaRejected(companion, kind, MEDIA_INTAKE_FAILURE_CODES.uploadExpired);
}

/** The URL's file is stored and its check is due. Only a medium still waiting for that URL moves. */
export function withUrlMediaChecking(companion: Companion, kind: MediaKind, url: string): Companion | undefined {
  const entry = companion.media[kind];
  if (entry?.source !== 'url' || entry.url !== url || entry.status !== 'awaiting') return undefined;
  return { ...companion, media: { ...companion.media, [kind]: { ...entry, status: 'checking' } } };
}

/** Whether an incoming file is one the medium waits for: a fetch for a URL medium, an upload for an upload medium. */
export function expectsIncoming(companion: Companion, kind: MediaKind, uploadId: string): boolean {
  const entry = companion.media[kind];
  if (entry === undefined || (entry.status !== 'awaiting' && entry.status !== 'checking')) return false;
  return entry.source === 'url' ? uploadId === URL_FETCH_UPLOAD_ID : uploadId !== URL_FETCH_UPLOAD_ID;
}

/**
 * Avatar generation is due when every medium the companion was given is accepted (v1: the picture, if given; v2: the
 * video; a twin also its voice), or at once for a companion without any media, and it was not queued before.
 */
export function avatarGenerationDue(companion: Companion): boolean {
  if (companion.status !== 'pending' || companion.mediaHandOff?.avatarGeneration !== undefined) return false;
  return Object.values(companion.media).every((entry) => entry.status === 'accepted' && entry.blobPath !== undefined);
}

/**
 * A twin's voice profile is due once its recording is accepted, without waiting for the likeness; not while the twin
 * is failed, so that a profile is only made for a twin that can still become ready (a replaced picture makes it due).
 */
export function voiceProfileDue(companion: Companion): boolean {
  if (companion.personaType !== 'digitalTwin' || companion.status !== 'pending') return false;
  if (companion.mediaHandOff?.voiceProfile !== undefined) return false;
  const voice = companion.media.voice;
  return voice?.status === 'accepted' && voice.blobPath !== undefined;
}

/** The media a new companion awaits as client uploads, each with the deadline its upload must meet. */
export function mediaAwaitingUpload(companion: Companion): { readonly kind: MediaKind; readonly uploadDeadline: string }[] {
  return (['picture', 'video', 'voice'] as const).flatMap((kind) => {
    const entry = companion.media[kind];
    return entry?.source === 'upload' && entry.status === 'awaiting' && entry.uploadDeadline !== undefined
      ? [{ kind, uploadDeadline: entry.uploadDeadline }]
      : [];
  });
}

/** The media kinds a new companion's URLs gave, each waiting to be fetched. */
export function mediaAwaitingFetch(companion: Companion): { readonly kind: MediaKind; readonly url: string }[] {
  return (['picture', 'video', 'voice'] as const).flatMap((kind) => {
    const entry = companion.media[kind];
    return entry?.source === 'url' && entry.status === 'awaiting' && entry.url !== undefined ? [{ kind, url: entry.url }] : [];
  });
}
