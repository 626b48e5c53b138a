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

/** Makes the voice profile an agent speaks with. Creating the profile for the same job twice yields the same one. */
export interface VoiceEngine {
  readonly kind: 'local' | 'azurePersonalVoice';
  createProfile(job: VoiceProfileJob): Promise<VoiceProfileRef>;
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
