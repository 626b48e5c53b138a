import type { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { companionJobMessageSchema, type CompanionJobKind, type CompanionJobMessage, type CompanionJobQueue } from '../domain/companion-jobs.js';
import { AVATAR_GENERATION_QUEUE, VOICE_PROFILE_QUEUE } from './queues.js';

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { statusCode } = err as { statusCode?: unknown };
  return typeof statusCode === 'number' ? statusCode : undefined;
}

const QUEUE_OF: Readonly<Record<CompanionJobKind, string>> = {
  avatarGeneration: AVATAR_GENERATION_QUEUE,
  voiceProfile: VOICE_PROFILE_QUEUE,
};

/** A storage queue keeps a message invisible for at most 7 days. */
const MAX_DELAY_SECONDS = 7 * 24 * 60 * 60;

/**
 * The `avatar-generation` and `voice-profile` storage queues. Messages are JSON, base64-encoded because host.json
 * sets `messageEncoding: base64` for queue triggers; a queue is created on first need (locally and in a fresh
 * account; in Azure the deployment creates it).
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
    const queue = this.queues[kind];
    const text = Buffer.from(JSON.stringify(companionJobMessageSchema.parse(message)), 'utf8').toString('base64');
    const delay = options.delaySeconds === undefined ? undefined : Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(options.delaySeconds)));
    const send = () => queue.sendMessage(text, delay === undefined ? {} : { visibilityTimeout: delay });
    try {
      await send();
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      await queue.createIfNotExists();
      await send();
    }
  }
}
