import type { AvatarVersion, AvatarViewName, CompanionWarning, Gender } from './companion.js';
import type { ImageAsset } from './media/media-inspector.js';

/** What the engine renders from: the accepted, normalised picture (v1) or video (v2) in the media container. */
export interface AvatarSource {
  readonly kind: 'picture' | 'video';
  readonly blobPath: string;
}

/** One companion's avatar rendering. `id` is stable per companion, so a resubmission names the same job. */
export interface AvatarJob {
  readonly id: string;
  readonly companionId: string;
  readonly projectId: string;
  readonly version: AvatarVersion;
  readonly profile: {
    readonly description: string;
    readonly gender?: Gender | undefined;
    readonly ethnicity?: string | undefined;
  };
  /** Absent for a companion created without media: the engine makes a portrait from the profile. */
  readonly source?: AvatarSource | undefined;
}

/** The views an engine made; a view it could not make is absent with the reason, and warnings say what it chose. */
export interface RenderedAvatar {
  readonly views: Partial<Record<AvatarViewName, ImageAsset>>;
  readonly absent: Partial<Record<AvatarViewName, string>>;
  readonly warnings: readonly CompanionWarning[];
}

export type AvatarEngineStart =
  /** A local engine renders at once. */
  | { readonly kind: 'rendered'; readonly avatar: RenderedAvatar }
  /** A remote engine accepted the job and reports back through its callback. */
  | { readonly kind: 'submitted' };

/** A remote engine's report, read from its verified callback. */
export type AvatarJobCompletion =
  | { readonly jobId: string; readonly ok: true; readonly avatar: RenderedAvatar }
  | { readonly jobId: string; readonly ok: false; readonly code: string; readonly message: string };

/** An engine's callback request as it arrived: the signature covers the exact bytes of the body. */
export interface AvatarEngineCallback {
  header(name: string): string | undefined;
  readonly body: Uint8Array;
}

/** Renders avatar views: locally from the picture, or by a remote rendering service. */
export interface AvatarEngine {
  readonly kind: 'local' | 'remote';
  start(job: AvatarJob): Promise<AvatarEngineStart>;
  /**
   * Verifies and reads a remote engine's callback for `jobId`. Rejects with UnauthorizedError when the signature is
   * wrong or stale, ValidationError when the body is not a valid report, NotFoundError when the engine takes none.
   */
  readCompletion(jobId: string, callback: AvatarEngineCallback): Promise<AvatarJobCompletion>;
}

/**
 * The engine refused the job for good (e.g. it cannot use the source). Retrying cannot help, so the companion fails
 * at once with this code instead of after exhausting the queue's retries.
 */
export class AvatarJobRejectedError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'AvatarJobRejectedError';
  }
}

/** Job ids carry the project and companion, so a callback finds its companion with one point read. */
export function avatarJobIdOf(projectId: string, companionId: string): string {
  return `avjob_${Buffer.from(`${projectId}/${companionId}`, 'utf8').toString('base64url')}`;
}

export function companionOfAvatarJob(jobId: string): { projectId: string; companionId: string } | undefined {
  const match = /^avjob_([A-Za-z0-9_-]{1,200})$/.exec(jobId);
  if (match === null) return undefined;
  const [projectId, companionId, ...rest] = Buffer.from(match[1]!, 'base64url').toString('utf8').split('/');
  if (projectId === undefined || companionId === undefined || rest.length > 0 || projectId === '' || companionId === '') return undefined;
  return { projectId, companionId };
}
