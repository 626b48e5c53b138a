import {
  AvatarJobRejectedError,
  avatarJobIdOf,
  companionOfAvatarJob,
  type AvatarEngine,
  type AvatarEngineCallback,
  type AvatarJob,
  type RenderedAvatar,
} from '../domain/avatar-engine.js';
import type { Clock } from '../domain/clock.js';
import type { AvatarViewAsset, AvatarViewName, Companion, CompanionWarning } from '../domain/companion.js';
import { avatarViewBlobPath } from '../domain/companion-asset-paths.js';
import type { CompanionAssetStore } from '../domain/companion-asset-store.js';
import type { CompanionJobMessage, CompanionJobQueue } from '../domain/companion-jobs.js';
import { GENERATION_FAILURE_CODES, boundedMessage, mediaReadiness, mergeWarnings } from '../domain/companion-lifecycle.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import { NotFoundError } from '../domain/errors.js';
import type { EventPublisher } from '../domain/event-publisher.js';
import type { Logger } from '../domain/logger.js';
import { CompanionProgress } from './companion-progress.js';

export interface AvatarGenerationDeps {
  readonly companions: CompanionRepository;
  readonly assetStore: CompanionAssetStore;
  readonly avatarEngine: AvatarEngine;
  readonly companionJobs: CompanionJobQueue;
  readonly events: EventPublisher;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a remote engine may take before the companion fails; default REMOTE_JOB_TIMEOUT_MS. */
  readonly remoteJobTimeoutMs?: number;
}

/** A remote render longer than this is taken as lost: the companion fails instead of staying pending. */
export const REMOTE_JOB_TIMEOUT_MS = 30 * 60 * 1000;

/** What a generation message led to; returned for logs and tests. */
export type AvatarGenerationOutcome =
  | 'companionGone'
  | 'notThisOrganization'
  | 'alreadyFailed'
  | 'waitingForMedia'
  | 'mediaRejected'
  | 'submittedToEngine'
  | 'awaitingEngine'
  | 'engineTimedOut'
  | 'rejectedByEngine'
  | 'advanced';

export type AvatarCallbackOutcome = 'applied' | 'alreadyApplied';

const absentWarningCode = (view: AvatarViewName): string => `${view[0]!.toUpperCase()}${view.slice(1)}ViewUnavailable`;

/**
 * Avatar generation per companion (issue 3, part 4): the `avatar-generation` queue job, the remote engine's
 * completion callback, and the poison-queue fallback. The job reads the companion and does only what is still
 * missing, so repeated and late messages are harmless.
 */
export class AvatarGenerationService {
  private readonly progress: CompanionProgress;
  private readonly timeoutMs: number;

  constructor(private readonly deps: AvatarGenerationDeps) {
    this.progress = new CompanionProgress(deps);
    this.timeoutMs = deps.remoteJobTimeoutMs ?? REMOTE_JOB_TIMEOUT_MS;
  }

  async generate(message: CompanionJobMessage): Promise<AvatarGenerationOutcome> {
    const companion = await this.deps.companions.get(message.projectId, message.companionId);
    if (companion === undefined) return 'companionGone';
    if (companion.orgId !== message.orgId) {
      this.deps.logger.warn('an avatar generation message names another organization than its companion; ignored', {
        companionId: companion.id,
        projectId: companion.projectId,
      });
      return 'notThisOrganization';
    }
    if (companion.status === 'failed') return 'alreadyFailed';
    if (companion.status !== 'pending') {
      await this.progress.advance(companion);
      return 'advanced';
    }
    const media = mediaReadiness(companion);
    // The intake enqueues once everything is accepted and fails the companion itself on a rejection.
    if (media === 'waiting') return 'waitingForMedia';
    if (media === 'rejected') return 'mediaRejected';

    const job = avatarJobOf(companion);
    if (this.deps.avatarEngine.kind === 'remote') return this.submitToRemoteEngine(companion, job, message);

    let stored: Companion | undefined;
    try {
      const started = await this.deps.avatarEngine.start(job);
      if (started.kind !== 'rendered') throw new Error('the local avatar engine answered without views');
      stored = await this.storeViews(companion, started.avatar);
    } catch (err) {
      if (err instanceof AvatarJobRejectedError) return this.rejected(companion, err);
      throw err;
    }
    if (stored !== undefined) await this.progress.advance(stored);
    return 'advanced';
  }

  /**
   * A remote engine's signed report. The signature is verified before anything is looked up, so an unsigned caller
   * learns nothing; a report for a job the companion is not waiting for is not found; a repeated report changes
   * nothing.
   */
  async completeRemoteJob(jobId: string, callback: AvatarEngineCallback): Promise<AvatarCallbackOutcome> {
    const completion = await this.deps.avatarEngine.readCompletion(jobId, callback);
    const ids = companionOfAvatarJob(jobId);
    const companion = ids === undefined ? undefined : await this.deps.companions.get(ids.projectId, ids.companionId);
    if (companion === undefined || companion.avatar.job?.id !== jobId) throw new NotFoundError('Avatar job');
    if (companion.status !== 'pending') return 'alreadyApplied';

    if (!completion.ok) {
      const { changed } = await this.progress.fail(
        companion,
        GENERATION_FAILURE_CODES.avatar,
        {
          code: 'AvatarEngineFailed',
          message: boundedMessage(`The avatar rendering service could not render this avatar (${completion.code}): ${completion.message}`),
        },
        (c) => c.status === 'pending',
      );
      return changed ? 'applied' : 'alreadyApplied';
    }
    const stored = await this.storeViews(companion, completion.avatar);
    if (stored === undefined) return 'alreadyApplied';
    await this.progress.advance(stored);
    return 'applied';
  }

  /**
   * The poison-queue fallback: the job failed on every try. A companion whose avatar is not ready yet fails with a
   * reason instead of staying pending; one that got further is left as it is.
   */
  async failAfterRetries(message: CompanionJobMessage): Promise<boolean> {
    const companion = await this.deps.companions.get(message.projectId, message.companionId);
    if (companion === undefined || companion.orgId !== message.orgId) return false;
    const { changed } = await this.progress.fail(
      companion,
      GENERATION_FAILURE_CODES.avatar,
      {
        code: GENERATION_FAILURE_CODES.avatar,
        message: 'Avatar generation failed on every attempt (the job was retried and gave up); create the companion again to retry.',
      },
      (c) => c.status === 'pending' || c.status === 'generationCompleted',
    );
    return changed;
  }

  private async submitToRemoteEngine(companion: Companion, job: AvatarJob, message: CompanionJobMessage): Promise<AvatarGenerationOutcome> {
    const submittedAt = companion.avatar.job?.id === job.id ? companion.avatar.job.submittedAt : undefined;
    if (submittedAt !== undefined) {
      if (this.deps.clock.now().getTime() - Date.parse(submittedAt) < this.timeoutMs) return 'awaitingEngine';
      await this.progress.fail(
        companion,
        GENERATION_FAILURE_CODES.avatar,
        {
          code: 'AvatarEngineTimedOut',
          message: `The avatar rendering service did not report back within ${Math.round(this.timeoutMs / 60_000)} minutes.`,
        },
        (c) => c.status === 'pending',
      );
      return 'engineTimedOut';
    }

    // Recorded before submitting: the engine's callback may arrive before the submission call returns.
    const recorded = await this.progress.update(
      companion,
      (c) => (c.status === 'pending' && c.avatar.job?.id !== job.id ? { ...c, avatar: { ...c.avatar, job: { id: job.id } } } : undefined),
      false,
    );
    if (recorded.companion === undefined) return 'companionGone';
    try {
      await this.deps.avatarEngine.start(job);
    } catch (err) {
      if (err instanceof AvatarJobRejectedError) return this.rejected(recorded.companion, err);
      throw err;
    }
    const now = this.deps.clock.now().toISOString();
    await this.progress.update(
      recorded.companion,
      (c) =>
        c.status === 'pending' && c.avatar.job?.id === job.id && c.avatar.job.submittedAt === undefined
          ? { ...c, avatar: { ...c.avatar, job: { id: job.id, submittedAt: now } } }
          : undefined,
      false,
    );
    // A later look at the job: if the engine never calls back, that message fails the companion.
    await this.deps.companionJobs.enqueue('avatarGeneration', message, { delaySeconds: Math.ceil(this.timeoutMs / 1000) + 60 });
    return 'submittedToEngine';
  }

  private async rejected(companion: Companion, err: AvatarJobRejectedError): Promise<AvatarGenerationOutcome> {
    await this.progress.fail(
      companion,
      GENERATION_FAILURE_CODES.avatar,
      { code: err.code, message: boundedMessage(err.detail) },
      (c) => c.status === 'pending',
    );
    return 'rejectedByEngine';
  }

  /**
   * Writes the views to their fixed paths (a repeat overwrites the same files), then records them and moves the
   * companion to `generationCompleted`, unless another run got there first. Returns the companion to advance from.
   */
  private async storeViews(companion: Companion, avatar: RenderedAvatar): Promise<Companion | undefined> {
    const views: Partial<Record<AvatarViewName, AvatarViewAsset>> = {};
    for (const [name, image] of Object.entries(avatar.views) as [AvatarViewName, RenderedAvatar['views'][AvatarViewName]][]) {
      if (image === undefined) continue;
      const blobPath = avatarViewBlobPath(companion.projectId, companion.id, name, image.mimeType);
      await this.deps.assetStore.write(blobPath, image.bytes, image.mimeType);
      views[name] = { blobPath, contentType: image.mimeType, width: image.width, height: image.height };
    }
    if (Object.keys(views).length === 0) {
      throw new AvatarJobRejectedError(GENERATION_FAILURE_CODES.avatar, 'The avatar engine produced no views.');
    }
    const warnings: CompanionWarning[] = [
      ...avatar.warnings,
      ...(Object.entries(avatar.absent) as [AvatarViewName, string][]).map(([view, reason]) => ({ code: absentWarningCode(view), message: reason })),
    ];
    const { companion: updated } = await this.progress.update(
      companion,
      (c) =>
        c.status === 'pending'
          ? { ...c, status: 'generationCompleted', avatar: { ...c.avatar, views }, warnings: mergeWarnings(c.warnings, warnings) }
          : undefined,
      true,
    );
    return updated;
  }
}

/** The job for the companion's current media: the likeness its avatar version uses, if it has one. */
function avatarJobOf(companion: Companion): AvatarJob {
  const likeness = companion.version === 'v2' ? companion.media.video : companion.media.picture;
  return {
    id: avatarJobIdOf(companion.projectId, companion.id),
    companionId: companion.id,
    projectId: companion.projectId,
    version: companion.version,
    profile: { description: companion.description, gender: companion.gender, ethnicity: companion.ethnicity },
    source:
      likeness?.blobPath === undefined
        ? undefined
        : { kind: companion.version === 'v2' ? 'video' : 'picture', blobPath: likeness.blobPath },
  };
}
