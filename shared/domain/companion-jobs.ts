import { z } from 'zod';
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

export type CompanionJobKind = 'avatarGeneration' | 'voiceProfile';

/** Enqueues companion jobs (storage queues in production). */
export interface CompanionJobQueue {
  /** `delaySeconds` keeps the message invisible that long: a check scheduled for later. */
  enqueue(kind: CompanionJobKind, message: CompanionJobMessage, options?: { readonly delaySeconds?: number }): Promise<void>;
}
