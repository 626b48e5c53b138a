import {
  AvatarJobRejectedError,
  type AvatarEngine,
  type AvatarJob,
  type AvatarJobCompletion,
  type RenderedAvatar,
} from '../../domain/avatar-engine.js';
import type { CompanionWarning } from '../../domain/companion.js';
import type { CompanionAssetStore } from '../../domain/companion-asset-store.js';
import { NotFoundError } from '../../domain/errors.js';
import type { AvatarViewRenderer } from '../../domain/media/avatar-views.js';

/** The portrait request's own limit; a longer description only adds detail the drawing does not use. */
const PORTRAIT_DESCRIPTION_LIMIT = 4000;

export const LOCAL_ENGINE_WARNINGS = {
  portraitGenerated: {
    code: 'AvatarPortraitGenerated',
    message:
      'No picture was given, so the avatar views were cut from a generated, stylised portrait drawn from the description, gender and ethnicity; it is not a likeness of anyone.',
  },
  videoNotUsed: {
    code: 'AvatarVideoNotUsed',
    message:
      'The local avatar engine cannot decode video frames, so the video was not used: the avatar views were cut from a generated, stylised portrait drawn from the description, gender and ethnicity, not from the person in the video. Configure a rendering service (AVATAR_ENGINE_URL) to render avatars from video.',
  },
} as const satisfies Record<string, CompanionWarning>;

export interface LocalAvatarEngineDeps {
  readonly renderer: AvatarViewRenderer;
  readonly assets: CompanionAssetStore;
}

/**
 * The avatar engine that needs no rendering service: views are cut from the accepted picture with sharp; without a
 * usable picture they are cut from a generated portrait (the same one for the same companion, so a retried job
 * writes the same bytes).
 */
export function createLocalAvatarEngine({ renderer, assets }: LocalAvatarEngineDeps): AvatarEngine {
  async function fromPicture(blobPath: string): Promise<RenderedAvatar> {
    const picture = await assets.read(blobPath);
    // The intake records the picture as accepted only after storing it; missing now means a race, so retry.
    if (picture === undefined) throw new Error('the accepted picture is not in storage');
    let derived;
    try {
      derived = await renderer.deriveViews(picture.bytes);
    } catch (err) {
      // It passed the picture check; if it cannot be decoded now, another try will not decode it either.
      throw new AvatarJobRejectedError('AvatarPictureUnreadable', `The accepted picture could not be decoded for the avatar views (${(err as Error).message}).`);
    }
    return { views: derived.views, absent: derived.absent, warnings: [] };
  }

  async function fromPortrait(job: AvatarJob, warning: CompanionWarning): Promise<RenderedAvatar> {
    const portrait = await renderer.generatePortrait({
      description: job.profile.description.slice(0, PORTRAIT_DESCRIPTION_LIMIT),
      gender: job.profile.gender,
      ethnicity: job.profile.ethnicity,
      seed: job.companionId,
    });
    const derived = await renderer.deriveViews(portrait.bytes);
    return { views: derived.views, absent: derived.absent, warnings: [warning] };
  }

  return {
    kind: 'local',
    async start(job) {
      if (job.source?.kind === 'picture') return { kind: 'rendered', avatar: await fromPicture(job.source.blobPath) };
      const warning = job.source?.kind === 'video' ? LOCAL_ENGINE_WARNINGS.videoNotUsed : LOCAL_ENGINE_WARNINGS.portraitGenerated;
      return { kind: 'rendered', avatar: await fromPortrait(job, warning) };
    },
    async readCompletion(): Promise<AvatarJobCompletion> {
      // The local engine renders in the job itself and is never called back.
      throw new NotFoundError('Avatar job');
    },
  };
}
