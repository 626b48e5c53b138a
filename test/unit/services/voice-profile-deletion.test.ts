import { describe, expect, it } from 'vitest';
import type { Companion, VoiceProfileRef } from '../../../shared/domain/companion.js';
import { parseVoiceProfileQueueMessage, voiceProfileDeletionOf } from '../../../shared/domain/companion-jobs.js';
import type { VoiceEngine, VoiceProfileOwner } from '../../../shared/domain/voice-engine.js';
import { CompanionNotYetDeletedError, VoiceProfileService, deletionRetryDelaySeconds } from '../../../shared/services/voice-profile-service.js';
import { createTestWorld } from '../fakes/test-services.js';

/** A voice engine that records what it was asked to delete. */
class RecordingVoiceEngine implements VoiceEngine {
  readonly kind = 'azurePersonalVoice' as const;
  readonly deleted: VoiceProfileRef[] = [];
  readonly unrecorded: VoiceProfileOwner[] = [];
  failing = false;
  async createProfile(): Promise<VoiceProfileRef> {
    throw new Error('not used here');
  }
  async deleteProfile(ref: VoiceProfileRef): Promise<void> {
    if (this.failing) throw new Error('the speech service answered 503 ServiceUnavailable');
    this.deleted.push(ref);
  }
  async deleteUnrecordedProfile(owner: VoiceProfileOwner): Promise<void> {
    if (this.failing) throw new Error('the speech service answered 503 ServiceUnavailable');
    this.unrecorded.push(owner);
  }
}

const profile: VoiceProfileRef = {
  engine: 'azurePersonalVoice',
  personalVoiceId: 'comp_twin1-voice',
  speakerProfileId: 'speaker-1',
  consentId: 'comp_twin1-consent',
  speechProjectId: 'companion-proj_one',
};

function twin(overrides: Partial<Companion> = {}): Omit<Companion, 'etag'> {
  const now = '2026-01-01T00:00:00.000Z';
  return {
    id: 'comp_twin1',
    projectId: 'proj_one',
    orgId: 'org_one',
    personaType: 'digitalTwin',
    firstName: 'Sarah',
    lastName: 'Johnson',
    description: 'VP of Customer Success',
    headline: '',
    version: 'v1',
    tags: {},
    status: 'completed',
    avatar: { views: {} },
    voice: { status: 'ready', profile },
    media: {},
    mediaHandOff: { voiceProfile: now },
    created: now,
    updated: now,
    ...overrides,
  };
}

function world() {
  const w = createTestWorld();
  const engine = new RecordingVoiceEngine();
  return { ...w, engine, voiceProfiles: new VoiceProfileService({ ...w, voiceEngine: engine }) };
}

const message = { companionId: 'comp_twin1', projectId: 'proj_one', orgId: 'org_one', job: 'deleteVoiceProfile' as const, profile };

describe('deleting the voice profile of a deleted twin', () => {
  it('what a twin’s deletion queues: its recorded profile; for a voice handed off but never recorded, its ids alone; nothing for a plain companion or a voice never handed off', () => {
    expect(voiceProfileDeletionOf({ ...twin(), etag: 'e' })).toEqual(message);
    const { profile: _none, ...unrecorded } = message;
    expect(voiceProfileDeletionOf({ ...twin({ status: 'failed', voice: { status: 'failed', failureReason: 'VoiceProfileRejected' } }), etag: 'e' })).toEqual(unrecorded);
    expect(voiceProfileDeletionOf({ ...twin({ voice: { status: 'pending' }, mediaHandOff: undefined }), etag: 'e' })).toBeUndefined();
    expect(voiceProfileDeletionOf({ ...twin({ personaType: 'companion', voice: undefined }), etag: 'e' })).toBeUndefined();
  });

  it('the voice-profile queue tells a deletion from a creation; a malformed deletion is neither', () => {
    const ids = { companionId: 'comp_twin1', projectId: 'proj_one', orgId: 'org_one' };
    expect(parseVoiceProfileQueueMessage(ids)).toEqual({ job: 'createVoiceProfile', message: ids });
    expect(parseVoiceProfileQueueMessage(message)).toEqual({ job: 'deleteVoiceProfile', message: { ...message, round: 0 } });
    expect(parseVoiceProfileQueueMessage({ ...message, profile: { engine: 'azurePersonalVoice', personalVoiceId: '../x' } })).toBeUndefined();
    expect(parseVoiceProfileQueueMessage({ ...ids, job: 'somethingElse' })).toBeUndefined();
  });

  it('while the companion still exists, the job refuses (the queue retries it) and deletes nothing', async () => {
    const w = world();
    await w.companions.create(twin());
    await expect(w.voiceProfiles.deleteProfile(message)).rejects.toBeInstanceOf(CompanionNotYetDeletedError);
    expect(w.engine.deleted).toEqual([]);
  });

  it('once the companion is gone, the recorded profile is deleted, or what was made under the twin’s ids when none was recorded', async () => {
    const w = world();
    expect(await w.voiceProfiles.deleteProfile(message)).toBe('deleted');
    expect(w.engine.deleted).toEqual([profile]);
    const { profile: _none, ...unrecorded } = message;
    expect(await w.voiceProfiles.deleteProfile(unrecorded)).toBe('nothingRecorded');
    expect(w.engine.unrecorded).toEqual([{ companionId: 'comp_twin1', projectId: 'proj_one' }]);
  });

  it('when every try failed, the poison fallback sends the deletion back for a later round, waiting longer each round', async () => {
    const w = world();
    expect(await w.voiceProfiles.retryDeletionLater(message)).toBe('scheduled');
    expect(await w.voiceProfiles.retryDeletionLater({ ...message, round: 3 })).toBe('scheduled');
    expect(w.companionJobs.messages).toEqual([
      { kind: 'voiceProfileDeletion', message: { ...message, round: 1 }, delaySeconds: 300 },
      { kind: 'voiceProfileDeletion', message: { ...message, round: 4 }, delaySeconds: 2_400 },
    ]);
    expect(deletionRetryDelaySeconds(50)).toBe(6 * 60 * 60);
  });

  it('when the companion still exists at the poison fallback (its DELETE failed), the deletion is dropped and the voice kept', async () => {
    const w = world();
    await w.companions.create(twin());
    expect(await w.voiceProfiles.retryDeletionLater(message)).toBe('companionStillExists');
    expect(w.companionJobs.messages).toEqual([]);
  });
});
