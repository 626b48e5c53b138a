import type { VoiceProfileRef } from '../../domain/companion.js';
import { voiceProfileBlobPath } from '../../domain/companion-asset-paths.js';
import type { CompanionAssetStore } from '../../domain/companion-asset-store.js';
import type { VoiceEngine } from '../../domain/voice-engine.js';

/** The sample's extension as the intake named it (`media/voice.wav`), else a neutral one. */
function extensionOf(blobPath: string): string {
  const match = /\.([A-Za-z0-9]{1,5})$/.exec(blobPath);
  return match?.[1]?.toLowerCase() ?? 'bin';
}

/**
 * The voice engine that needs no speech service: the checked voice sample itself is the profile, copied to
 * `voice/profile.<ext>` so that it stays the twin's voice whatever later happens to the uploaded media. It keeps nothing
 * outside the twin's blob prefix, so deleting the twin (which removes that prefix) deletes the profile too.
 */
export function createLocalVoiceEngine(assets: CompanionAssetStore): VoiceEngine {
  return {
    kind: 'local',
    async createProfile(job): Promise<VoiceProfileRef> {
      const sample = await assets.read(job.sample.blobPath);
      // The intake marks the voice accepted only after storing it; missing now is a race, so the job retries.
      if (sample === undefined) throw new Error('the accepted voice sample is not in storage');
      const blobPath = voiceProfileBlobPath(job.projectId, job.companionId, extensionOf(job.sample.blobPath));
      await assets.write(blobPath, sample.bytes, sample.contentType);
      return { engine: 'local', blobPath, contentType: sample.contentType };
    },
    // The profile is a file under the twin's own prefix, which deleting the twin removes; nothing lives elsewhere.
    async deleteProfile(): Promise<void> {},
    async deleteUnrecordedProfile(): Promise<void> {},
  };
}
