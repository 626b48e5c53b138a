import { z } from 'zod';

/**
 * The identity layer (seed `faq.txt`): name, personality, appearance and voice. A digital twin is a companion cloned
 * from a real person (seed `digital-twins.txt`); both share this entity and are told apart by `personaType`.
 */

export const personaTypeSchema = z.enum(['companion', 'digitalTwin']);
export type PersonaType = z.infer<typeof personaTypeSchema>;

export const genderSchema = z.enum(['male', 'female', 'nonBinary']);
export type Gender = z.infer<typeof genderSchema>;

/** Avatar model: v1 generates from a picture (fast), v2 from a video of the person speaking (highest quality). */
export const avatarVersionSchema = z.enum(['v1', 'v2']);
export type AvatarVersion = z.infer<typeof avatarVersionSchema>;
export const DEFAULT_AVATAR_VERSION: AvatarVersion = 'v1';

/** `pending → generationCompleted → readyToUse → completed`, or `failed` with a reason (API.md). */
export const companionStatusSchema = z.enum(['pending', 'generationCompleted', 'readyToUse', 'completed', 'failed']);
export type CompanionStatus = z.infer<typeof companionStatusSchema>;

/** A source file's progress: recorded, then fetched or uploaded and checked by the blob-triggered checks. */
export const mediaStatusSchema = z.enum(['awaiting', 'checking', 'accepted', 'rejected']);
export type MediaStatus = z.infer<typeof mediaStatusSchema>;

export const mediaKindSchema = z.enum(['picture', 'video', 'voice']);
export type MediaKind = z.infer<typeof mediaKindSchema>;

export const voiceProfileStatusSchema = z.enum(['pending', 'ready', 'failed']);
export type VoiceProfileStatus = z.infer<typeof voiceProfileStatusSchema>;

export const avatarViewNameSchema = z.enum(['round', 'rectangle', 'silhouette']);
export type AvatarViewName = z.infer<typeof avatarViewNameSchema>;

export const companionNameSchema = z.string().trim().max(100);
/** A digital twin names a real person, so its names cannot be empty. */
export const personNameSchema = z.string().trim().min(1).max(100);
export const companionDescriptionSchema = z.string().trim().min(1).max(5000);
export const companionHeadlineSchema = z.string().trim().max(200);

/** Your own id for the person a twin represents (seed: employee id, CRM contact id). */
export const externalClientIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -');

/**
 * Tag keys start with a letter or digit, which also keeps `__proto__` out of every map built from them; they hold
 * no `:`, so the list filter `tags=key:value` is unambiguous.
 */
export const TAG_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const MAX_TAGS = 50;
export const tagsSchema = z
  .record(z.string().regex(TAG_KEY_PATTERN, 'tag keys are 1-64 characters of A-Z a-z 0-9 _ . - (starting with a letter or digit)'), z.string().max(256))
  .refine((tags) => Object.keys(tags).length <= MAX_TAGS, { message: `at most ${MAX_TAGS} tags` })
  .describe('key-value string pairs for labeling');
export type Tags = Readonly<Record<string, string>>;

/** One source file of a companion: a public URL to fetch, or a client upload; `blobPath` once it is in storage. */
export interface CompanionMedia {
  readonly source: 'url' | 'upload';
  readonly url?: string | undefined;
  /** Internal: where the file lives in the companion media container. Never shown to clients. */
  readonly blobPath?: string | undefined;
  readonly status: MediaStatus;
  /** Why the check rejected it, e.g. `VoiceSampleTooShort`. */
  readonly failureCode?: string | undefined;
  /** What the check found in an accepted file (internal): its sniffed type, size and, by kind, length or pixels. */
  readonly contentType?: string | undefined;
  readonly sizeBytes?: number | undefined;
  readonly durationSeconds?: number | undefined;
  readonly width?: number | undefined;
  readonly height?: number | undefined;
  /** Internal: an upload still awaited is rejected with UploadExpired once this passes (companion-media-intake.ts). */
  readonly uploadDeadline?: string | undefined;
}

/**
 * When the media intake queued the generation jobs (internal). Recorded after the message is sent, so a retried check
 * that finds it absent sends again (the jobs tolerate a repeat) and one that finds it present sends nothing.
 */
export interface CompanionMediaHandOff {
  readonly avatarGeneration?: string | undefined;
  readonly voiceProfile?: string | undefined;
}

/** A generated view asset. The blob path is internal; clients get the asset by a short-lived URL or route. */
export interface AvatarViewAsset {
  readonly blobPath: string;
  readonly contentType: string;
  readonly width: number;
  readonly height: number;
}

/**
 * A rendering job handed to a remote avatar engine. It is recorded before the job is submitted, so that the engine's
 * signed callback (which may arrive before the submission call returns) finds the companion waiting for it.
 */
export interface AvatarEngineJob {
  readonly id: string;
  /** When the engine accepted the job; absent while the submission has not been confirmed. */
  readonly submittedAt?: string | undefined;
}

/** Where a twin's voice profile lives: internal, never shown to clients. */
export type VoiceProfileRef =
  | { readonly engine: 'local'; readonly blobPath: string; readonly contentType: string }
  | {
      readonly engine: 'azurePersonalVoice';
      readonly personalVoiceId: string;
      /** What speech synthesis names in SSML (`<mstts:ttsembedding speakerProfileId=...>`). */
      readonly speakerProfileId: string;
      readonly consentId: string;
      readonly speechProjectId: string;
    };

/** Something the service did that the client should know about, e.g. a picture centre-cropped to 16:9. */
export interface CompanionWarning {
  readonly code: string;
  readonly message: string;
}

export interface Companion {
  readonly id: string;
  readonly projectId: string;
  readonly orgId: string;
  readonly personaType: PersonaType;
  readonly firstName: string;
  readonly lastName: string;
  readonly description: string;
  readonly headline: string;
  readonly gender?: Gender | undefined;
  readonly ethnicity?: string | undefined;
  readonly version: AvatarVersion;
  readonly tags: Tags;
  /** Digital twins only; unique per project. */
  readonly externalClientId?: string | undefined;
  readonly status: CompanionStatus;
  readonly failureReason?: string | undefined;
  readonly warnings?: CompanionWarning[] | undefined;
  readonly previewUrl?: string | undefined;
  readonly avatar: {
    readonly views: Partial<Record<AvatarViewName, AvatarViewAsset>>;
    /** Set while a remote avatar engine renders the views. */
    readonly job?: AvatarEngineJob | undefined;
  };
  /** Digital twins: the voice profile cloned from the recording. */
  readonly voice?:
    | {
        readonly status: VoiceProfileStatus;
        readonly failureReason?: string | undefined;
        readonly profile?: VoiceProfileRef | undefined;
      }
    | undefined;
  readonly media: Partial<Record<MediaKind, CompanionMedia>>;
  readonly mediaHandOff?: CompanionMediaHandOff | undefined;
  readonly created: string;
  readonly updated: string;
  readonly etag: string;
}

export type NewCompanion = Omit<Companion, 'etag'>;

/** What may change after creation (API.md: appearance is fixed at creation). `tags` replaces the whole map. */
export interface CompanionChanges {
  readonly headline?: string | undefined;
  readonly description?: string | undefined;
  readonly tags?: Tags | undefined;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
}

/** Fields a client may send at creation but never change afterwards; a PATCH naming one is refused, naming it. */
export const FIELDS_FIXED_AT_CREATION = [
  'gender',
  'ethnicity',
  'pictureUrl',
  'videoUrl',
  'voiceUrl',
  'version',
  'personaType',
  'externalClientId',
] as const;

/** Every file of a companion lives under this prefix of the media container, so deletion can remove them all. */
export const COMPANION_MEDIA_CONTAINER = 'companions';

export function companionBlobPrefix(projectId: string, companionId: string): string {
  return `${projectId}/${companionId}/`;
}

/**
 * A companion of the read-only stock catalog (`GET /public/companions/stock`): the same shape, owned by no project,
 * usable by every project.
 */
export interface StockCompanion extends Omit<Companion, 'projectId' | 'orgId'> {
  readonly stock: true;
}
