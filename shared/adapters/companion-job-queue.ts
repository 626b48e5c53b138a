import type { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { companionJobMessageSchema, type CompanionJobKind, type CompanionJobMessage, type CompanionJobQueue } from '../domain/companion-jobs.js';
import { sendJsonMessage } from './queue-send.js';
import { AVATAR_GENERATION_QUEUE, VOICE_PROFILE_QUEUE } from './queues.js';

const QUEUE_OF: Readonly<Record<CompanionJobKind, string>> = {
  avatarGeneration: AVATAR_GENERATION_QUEUE,
  voiceProfile: VOICE_PROFILE_QUEUE,
};

/** A storage queue keeps a message invisible for at most 7 days. */
const MAX_DELAY_SECONDS = 7 * 24 * 60 * 60;

/**
 * The `avatar-generation` and `voice-profile` storage queues.
 */
export class StorageCompanionJobQueue implements CompanionJobQueue {
  private readonly queues: Readonly<Record<CompanionJobKind, QueueClient>>;

  constructor(service: QueueServiceClient) {
    this.queues = {
      avatarGeneration: service.getQueueClient(QUEUE_OF.avatarGeneration),
      voiceProfile: service.getQueueClient(QUEUE_OF.voiceProfile),
    };
  }

  async enqueue(kind: CompanionJobKind, message: CompanionJobMessage, options: { readonly delaySeconds?: number } = {}): Promise<void> {
    const delay = options.delaySeconds === undefined ? undefined : Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(options.delaySeconds)));
    await sendJsonMessage(this.queues[kind], companionJobMessageSchema.parse(message), delay === undefined ? {} : { visibilityTimeoutSeconds: delay });
  }
}
