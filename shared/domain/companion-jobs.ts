import { z } from 'zod';
import type { Companion, VoiceProfileRef } from './companion.js';
import { ID_PATTERN } from './ids.js';

/**
 * The message of the companion job queues (`avatar-generation`, `voice-profile`): which companion to work on. The
 * media intake enqueues it once the companion's media is accepted; the jobs read everything else from the
 * companion itself, so a repeated or late message finds the current state and does only what is still missing.
 */
export const companionJobMessageSchema = z.object({
  companionId: z.string().regex(ID_PATTERN),
  projectId: z.string().regex(ID_PATTERN),
  orgId: z.string().regex(ID_PATTERN),
});
export type CompanionJobMessage = z.infer<typeof companionJobMessageSchema>;

const speechResourceIdSchema = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$/);

const voiceProfileRefSchema = z.discriminatedUnion('engine', [
  z.object({ engine: z.literal('local'), blobPath: z.string().min(1).max(1024), contentType: z.string().min(1).max(200) }),
  z.object({
    engine: z.literal('azurePersonalVoice'),
    personalVoiceId: speechResourceIdSchema,
    speakerProfileId: z.string().min(1).max(200),
    consentId: speechResourceIdSchema,
    speechProjectId: speechResourceIdSchema,
  }),
]) satisfies z.ZodType<VoiceProfileRef>;

/**
 * Deleting a deleted twin's voice profile (on the `voice-profile` queue, told apart by `job`). The companion record is
 * gone by the time it runs, so the message carries what the record said: the profile when one was recorded, none
 * when the twin was deleted while its voice was still being made or after that failed (the engine then removes
 * whatever it made under the twin's ids). `round` counts the times the message went through the poison queue and
 * was sent again later, so that a long outage of the speech service delays the deletion but never drops it.
 */
export const voiceProfileDeletionMessageSchema = companionJobMessageSchema.extend({
  job: z.literal('deleteVoiceProfile'),
  profile: voiceProfileRefSchema.optional(),
  round: z.number().int().min(0).max(10_000).default(0),
});
export type VoiceProfileDeletionMessage = z.input<typeof voiceProfileDeletionMessageSchema>;

/** What the `voice-profile` queue carries: a profile to make (the plain job message) or one to delete. */
export type VoiceProfileQueueMessage =
  | { readonly job: 'createVoiceProfile'; readonly message: CompanionJobMessage }
  | { readonly job: 'deleteVoiceProfile'; readonly message: z.output<typeof voiceProfileDeletionMessageSchema> };

/** Reads a `voice-profile` queue message; undefined when it is neither kind. */
export function parseVoiceProfileQueueMessage(value: unknown): VoiceProfileQueueMessage | undefined {
  const deletion = voiceProfileDeletionMessageSchema.safeParse(value);
  if (deletion.success) return { job: 'deleteVoiceProfile', message: deletion.data };
  // A message that says it is a deletion but is malformed must not be taken for a creation.
  if (typeof value === 'object' && value !== null && 'job' in value) return undefined;
  const creation = companionJobMessageSchema.safeParse(value);
  return creation.success ? { job: 'createVoiceProfile', message: creation.data } : undefined;
}

/**
 * The voice profile deletion a twin's deletion must leave behind, or undefined when its voice engine never got to
 * make anything: a recorded profile, or (voice job handed off but no profile recorded) whatever the engine may have
 * made meanwhile.
 */
export function voiceProfileDeletionOf(companion: Companion): VoiceProfileDeletionMessage | undefined {
  if (companion.personaType !== 'digitalTwin') return undefined;
  const ids = { companionId: companion.id, projectId: companion.projectId, orgId: companion.orgId, job: 'deleteVoiceProfile' as const };
  const profile = companion.voice?.profile;
  if (profile !== undefined) return { ...ids, profile };
  return companion.mediaHandOff?.voiceProfile !== undefined ? ids : undefined;
}

export type CompanionJobKind = 'avatarGeneration' | 'voiceProfile' | 'voiceProfileDeletion';

/** The message each kind of job takes. */
export interface CompanionJobMessages {
  readonly avatarGeneration: CompanionJobMessage;
  readonly voiceProfile: CompanionJobMessage;
  readonly voiceProfileDeletion: VoiceProfileDeletionMessage;
}

/** Enqueues companion jobs (storage queues in production). */
export interface CompanionJobQueue {
  /** `delaySeconds` keeps the message invisible that long: a check scheduled for later. */
  enqueue<K extends CompanionJobKind>(kind: K, message: CompanionJobMessages[K], options?: { readonly delaySeconds?: number }): Promise<void>;
}
