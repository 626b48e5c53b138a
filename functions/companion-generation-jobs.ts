import { app, type InvocationContext } from '@azure/functions';
import { AVATAR_GENERATION_QUEUE, VOICE_PROFILE_QUEUE, poisonQueueOf } from '../shared/adapters/queues.js';
import {
  companionJobMessageSchema,
  parseVoiceProfileQueueMessage,
  type CompanionJobMessage,
  type VoiceProfileQueueMessage,
} from '../shared/domain/companion-jobs.js';
import type { Services } from '../shared/services/services.js';
import { servicesForTriggers } from '../shared/trigger-services.js';

/**
 * The queue-triggered generation jobs (issue 3, parts 4, 5 and 7): avatar generation and voice profiles per
 * companion, and their poison queues, where the host moves a message after its last failed try (host.json
 * maxDequeueCount) and the companion is marked failed instead of staying pending. The voice profile queue also
 * deletes the profiles of deleted twins; such a message in the poison queue goes back for a later round.
 */

/** The host hands over JSON messages parsed; a message that is not JSON arrives as text and is parsed here. */
function jsonOf(message: unknown): unknown {
  if (typeof message !== 'string') return message;
  try {
    return JSON.parse(message);
  } catch {
    return undefined;
  }
}

function jobMessageOf(message: unknown, context: InvocationContext): CompanionJobMessage | undefined {
  const parsed = companionJobMessageSchema.safeParse(jsonOf(message));
  if (!parsed.success) {
    // It would fail the same way on every try, and in the poison queue after that.
    context.error('a companion job message is malformed; dropped', { fields: parsed.error.issues.map((i) => i.path.join('.') || '(root)') });
    return undefined;
  }
  return parsed.data;
}

function companionJobTrigger(name: string, queueName: string, run: (services: Services, message: CompanionJobMessage) => Promise<unknown>): void {
  app.storageQueue(name, {
    queueName,
    connection: 'AzureWebJobsStorage',
    handler: async (message, context) => {
      const job = jobMessageOf(message, context);
      if (job === undefined) return;
      const outcome = await run(await servicesForTriggers(), job);
      context.log(name, { companionId: job.companionId, projectId: job.projectId, dequeueCount: context.triggerMetadata?.dequeueCount, outcome });
    },
  });
}

/** The `voice-profile` queue carries profiles to make and, for deleted twins, profiles to delete. */
function voiceProfileTrigger(name: string, queueName: string, run: (services: Services, job: VoiceProfileQueueMessage) => Promise<unknown>): void {
  app.storageQueue(name, {
    queueName,
    connection: 'AzureWebJobsStorage',
    handler: async (message, context) => {
      const job = parseVoiceProfileQueueMessage(jsonOf(message));
      if (job === undefined) {
        context.error('a voice profile message is malformed; dropped');
        return;
      }
      const outcome = await run(await servicesForTriggers(), job);
      const { companionId, projectId } = job.message;
      context.log(name, { job: job.job, companionId, projectId, dequeueCount: context.triggerMetadata?.dequeueCount, outcome });
    },
  });
}

companionJobTrigger('avatar-generation', AVATAR_GENERATION_QUEUE, (services, job) => services.avatarGeneration.generate(job));
companionJobTrigger('avatar-generation-poison', poisonQueueOf(AVATAR_GENERATION_QUEUE), (services, job) =>
  services.avatarGeneration.failAfterRetries(job),
);
voiceProfileTrigger('voice-profile', VOICE_PROFILE_QUEUE, (services, job) =>
  job.job === 'deleteVoiceProfile' ? services.voiceProfiles.deleteProfile(job.message) : services.voiceProfiles.createProfile(job.message),
);
voiceProfileTrigger('voice-profile-poison', poisonQueueOf(VOICE_PROFILE_QUEUE), (services, job) =>
  job.job === 'deleteVoiceProfile' ? services.voiceProfiles.retryDeletionLater(job.message) : services.voiceProfiles.failAfterRetries(job.message),
);
