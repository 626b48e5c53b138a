import type { BlobStore } from '../domain/blob-store.js';
import type { Clock } from '../domain/clock.js';
import { COMPANION_MEDIA_CONTAINER, companionBlobPrefix, type Companion } from '../domain/companion.js';
import type { CompanionAssetStore } from '../domain/companion-asset-store.js';
import {
  voiceProfileDeletionMessageSchema,
  type CompanionJobMessage,
  type CompanionJobQueue,
  type VoiceProfileDeletionMessage,
} from '../domain/companion-jobs.js';
import { GENERATION_FAILURE_CODES, boundedMessage, mayComplete } from '../domain/companion-lifecycle.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import type { EventPublisher } from '../domain/event-publisher.js';
import type { Logger } from '../domain/logger.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';
import { VoiceProfileRejectedError, type VoiceEngine } from '../domain/voice-engine.js';
import { CompanionProgress } from './companion-progress.js';

export interface VoiceProfileDeps {
  readonly companions: CompanionRepository;
  readonly organizations: OrganizationRepository;
  readonly assetStore: CompanionAssetStore;
  readonly voiceEngine: VoiceEngine;
  /** Where the deletion of a deleted twin's profile is queued, and the sweep of files a late job wrote for it. */
  readonly companionJobs: CompanionJobQueue;
  readonly blobs: BlobStore;
  readonly events: EventPublisher;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type VoiceProfileOutcome =
  | 'companionGone'
  | 'notThisOrganization'
  | 'notADigitalTwin'
  | 'alreadyFailed'
  | 'alreadyReady'
  | 'waitingForVoiceSample'
  | 'rejectedByEngine'
  | 'ready'
  | 'companionDeletedMeanwhile';

export type VoiceProfileDeletionOutcome = 'deleted' | 'nothingRecorded';

export type VoiceProfileDeletionRetryOutcome = 'scheduled' | 'companionStillExists';

/** The companion of a deletion message still exists: its deletion has not happened (yet), so its voice must stay. */
export class CompanionNotYetDeletedError extends Error {
  constructor(companionId: string) {
    super(`companion ${companionId} still exists; its voice profile is deleted once the companion is`);
    this.name = 'CompanionNotYetDeletedError';
  }
}

/**
 * After the queue's own tries (host.json maxDequeueCount, a couple of minutes), a deletion waits this long before the
 * next round, doubling each round up to the cap: a speech service that is down for hours still gets the deletion.
 */
const DELETION_RETRY_BASE_SECONDS = 5 * 60;
const DELETION_RETRY_MAX_SECONDS = 6 * 60 * 60;

export function deletionRetryDelaySeconds(round: number): number {
  return Math.min(DELETION_RETRY_MAX_SECONDS, DELETION_RETRY_BASE_SECONDS * 2 ** Math.min(round, 16));
}

/** Voice profiles for digital twins (issue 3, part 5): the `voice-profile` queue job and its poison-queue fallback. */
export class VoiceProfileService {
  private readonly progress: CompanionProgress;

  constructor(private readonly deps: VoiceProfileDeps) {
    this.progress = new CompanionProgress(deps);
  }

  async createProfile(message: CompanionJobMessage): Promise<VoiceProfileOutcome> {
    const companion = await this.deps.companions.get(message.projectId, message.companionId);
    if (companion === undefined) return 'companionGone';
    if (companion.orgId !== message.orgId) {
      this.deps.logger.warn('a voice profile message names another organization than its companion; ignored', {
        companionId: companion.id,
        projectId: companion.projectId,
      });
      return 'notThisOrganization';
    }
    if (companion.personaType !== 'digitalTwin') return 'notADigitalTwin';
    if (companion.status === 'failed' || companion.voice?.status === 'failed') return 'alreadyFailed';
    if (companion.voice?.status === 'ready') {
      // A repeat after the profile was stored but before the twin completed: finish that step only. The views are
      // the avatar job's to check, so this job never fails over them.
      await this.progress.complete(companion);
      return 'alreadyReady';
    }
    const sample = companion.media.voice;
    if (sample?.status !== 'accepted' || sample.blobPath === undefined) return 'waitingForVoiceSample';

    const organization = await this.deps.organizations.get(companion.orgId);
    let profile;
    try {
      profile = await this.deps.voiceEngine.createProfile({
        companionId: companion.id,
        projectId: companion.projectId,
        sample: { blobPath: sample.blobPath },
        talentName: `${companion.firstName} ${companion.lastName}`.trim(),
        companyName: organization?.name ?? 'the organization',
      });
    } catch (err) {
      if (!(err instanceof VoiceProfileRejectedError)) throw err;
      await this.failVoice(companion, err.code, boundedMessage(err.detail));
      return 'rejectedByEngine';
    }
    // The profile and, when the views are already servable, the twin's completion are one write.
    const { companion: saved } = await this.progress.update(
      companion,
      (c) => {
        if (c.status === 'failed' || (c.voice !== undefined && c.voice.status !== 'pending')) return undefined;
        const withVoice: Companion = { ...c, voice: { status: 'ready', profile } };
        return mayComplete(withVoice) ? { ...withVoice, status: 'completed' } : withVoice;
      },
      true,
    );
    if (saved === undefined) {
      // The twin was deleted while its voice was being made: the deletion could not know this profile, so it goes now.
      // Thrown if it cannot be queued: the retried job finds the twin gone, and the deletion's own message, queued
      // with the twin's deletion, removes the resources under the twin's ids.
      await this.deps.companionJobs.enqueue('voiceProfileDeletion', {
        companionId: companion.id,
        projectId: companion.projectId,
        orgId: companion.orgId,
        job: 'deleteVoiceProfile',
        profile,
      });
      await this.deps.blobs.deleteByPrefix(COMPANION_MEDIA_CONTAINER, companionBlobPrefix(companion.projectId, companion.id));
      return 'companionDeletedMeanwhile';
    }
    return 'ready';
  }

  /**
   * Deletes a deleted twin's voice profile in its engine (the queue job its deletion queued). Refuses, so that the
   * queue tries again later, while the companion still exists: its DELETE may not have finished, or may have failed,
   * in which case the twin keeps its voice. Deleting what is already gone succeeds, so a repeat is harmless.
   */
  async deleteProfile(message: VoiceProfileDeletionMessage): Promise<VoiceProfileDeletionOutcome> {
    if ((await this.deps.companions.get(message.projectId, message.companionId)) !== undefined) {
      throw new CompanionNotYetDeletedError(message.companionId);
    }
    if (message.profile !== undefined) {
      await this.deps.voiceEngine.deleteProfile(message.profile);
      return 'deleted';
    }
    await this.deps.voiceEngine.deleteUnrecordedProfile({ companionId: message.companionId, projectId: message.projectId });
    return 'nothingRecorded';
  }

  /**
   * The poison-queue fallback of a deletion: every try of this round failed (the speech service is down or refuses),
   * so the message goes back on the queue for a later round instead of being dropped. A companion that still exists
   * was not deleted after all (its DELETE failed): nothing is deleted, and a later DELETE queues a deletion of its own.
   */
  async retryDeletionLater(message: VoiceProfileDeletionMessage): Promise<VoiceProfileDeletionRetryOutcome> {
    const parsed = voiceProfileDeletionMessageSchema.parse(message);
    if ((await this.deps.companions.get(parsed.projectId, parsed.companionId)) !== undefined) return 'companionStillExists';
    const delaySeconds = deletionRetryDelaySeconds(parsed.round);
    this.deps.logger.error('deleting a deleted twin\'s voice profile failed on every try; it is tried again later', {
      companionId: parsed.companionId,
      projectId: parsed.projectId,
      round: parsed.round,
      delaySeconds,
    });
    await this.deps.companionJobs.enqueue('voiceProfileDeletion', { ...parsed, round: parsed.round + 1 }, { delaySeconds });
    return 'scheduled';
  }

  /** The poison-queue fallback: the voice job failed on every try, so the twin fails instead of waiting forever. */
  async failAfterRetries(message: CompanionJobMessage): Promise<boolean> {
    const companion = await this.deps.companions.get(message.projectId, message.companionId);
    if (companion === undefined || companion.orgId !== message.orgId || companion.personaType !== 'digitalTwin') return false;
    return this.failVoice(
      companion,
      GENERATION_FAILURE_CODES.voice,
      'Creating the voice profile failed on every attempt (the job was retried and gave up); create the digital twin again to retry.',
    );
  }

  private async failVoice(companion: Companion, code: string, message: string): Promise<boolean> {
    const { changed } = await this.progress.fail(
      companion,
      GENERATION_FAILURE_CODES.voice,
      { code, message },
      (c) => c.voice?.status !== 'ready',
      code,
    );
    return changed;
  }
}
