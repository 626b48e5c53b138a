import type { Clock } from '../domain/clock.js';
import type { Companion } from '../domain/companion.js';
import type { CompanionAssetStore } from '../domain/companion-asset-store.js';
import type { CompanionJobMessage } from '../domain/companion-jobs.js';
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
  | 'ready';

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
    await this.progress.update(
      companion,
      (c) => {
        if (c.status === 'failed' || (c.voice !== undefined && c.voice.status !== 'pending')) return undefined;
        const withVoice: Companion = { ...c, voice: { status: 'ready', profile } };
        return mayComplete(withVoice) ? { ...withVoice, status: 'completed' } : withVoice;
      },
      true,
    );
    return 'ready';
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
