import type { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import {
  companionJobMessageSchema,
  voiceProfileDeletionMessageSchema,
  type CompanionJobKind,
  type CompanionJobMessages,
  type CompanionJobQueue,
} from '../domain/companion-jobs.js';
import { sendJsonMessage } from './queue-send.js';
import { AVATAR_GENERATION_QUEUE, VOICE_PROFILE_QUEUE } from './queues.js';

/** Voice profile deletions share the `voice-profile` queue and its function; their `job` field tells them apart. */
const QUEUE_OF: Readonly<Record<CompanionJobKind, string>> = {
  avatarGeneration: AVATAR_GENERATION_QUEUE,
  voiceProfile: VOICE_PROFILE_QUEUE,
  voiceProfileDeletion: VOICE_PROFILE_QUEUE,
};

/** What goes on the queue for each kind, checked before sending. */
const SCHEMA_OF = {
  avatarGeneration: companionJobMessageSchema,
  voiceProfile: companionJobMessageSchema,
  voiceProfileDeletion: voiceProfileDeletionMessageSchema,
} as const;

/** A storage queue keeps a message invisible for at most 7 days. */
const MAX_DELAY_SECONDS = 7 * 24 * 60 * 60;

/**
 * The `avatar-generation` and `voice-profile` storage queues.
 */
export class StorageCompanionJobQueue implements CompanionJobQueue {
  private readonly queues: Readonly<Record<string, QueueClient>>;

  constructor(service: QueueServiceClient) {
    this.queues = {
      [AVATAR_GENERATION_QUEUE]: service.getQueueClient(AVATAR_GENERATION_QUEUE),
      [VOICE_PROFILE_QUEUE]: service.getQueueClient(VOICE_PROFILE_QUEUE),
    };
  }

  async enqueue<K extends CompanionJobKind>(kind: K, message: CompanionJobMessages[K], options: { readonly delaySeconds?: number } = {}): Promise<void> {
    const delay = options.delaySeconds === undefined ? undefined : Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(options.delaySeconds)));
    await sendJsonMessage(this.queues[QUEUE_OF[kind]]!, SCHEMA_OF[kind].parse(message), delay === undefined ? {} : { visibilityTimeoutSeconds: delay });
  }
}
