import type { VoiceProfileRef } from './companion.js';

/** A twin's voice profile to create from the accepted, checked voice sample. */
export interface VoiceProfileJob {
  readonly companionId: string;
  readonly projectId: string;
  readonly sample: { readonly blobPath: string };
  /** The person's name, as the consent statement in the recording says it. */
  readonly talentName: string;
  /** The organization that will use the voice, as the consent statement names it. */
  readonly companyName: string;
}

/** The twin a voice profile was (or was being) made for. */
export interface VoiceProfileOwner {
  readonly companionId: string;
  readonly projectId: string;
}

/**
 * Makes the voice profile an agent speaks with, and removes it when its twin is deleted. Creating the profile for the
 * same job twice yields the same one; deleting one that is already gone succeeds, so every step may be repeated.
 */
export interface VoiceEngine {
  readonly kind: 'local' | 'azurePersonalVoice';
  createProfile(job: VoiceProfileJob): Promise<VoiceProfileRef>;
  /** Deletes the profile and everything the engine keeps for it outside the twin's own files (consent included). */
  deleteProfile(ref: VoiceProfileRef): Promise<void>;
  /**
   * Deletes whatever the engine made for a twin whose profile was never recorded (deleted while its voice was being
   * made, or after that failed): the resources `createProfile` would have made for it.
   */
  deleteUnrecordedProfile(owner: VoiceProfileOwner): Promise<void>;
}

/** The engine refused the sample for good (e.g. the consent statement was not recognised): the voice fails now. */
export class VoiceProfileRejectedError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'VoiceProfileRejectedError';
  }
}
