import { app, type InvocationContext } from '@azure/functions';
import { AVATAR_GENERATION_QUEUE, VOICE_PROFILE_QUEUE, poisonQueueOf } from '../shared/adapters/queues.js';
import { companionJobMessageSchema, type CompanionJobMessage } from '../shared/domain/companion-jobs.js';
import type { Services } from '../shared/services/services.js';
import { servicesForTriggers } from '../shared/trigger-services.js';

/**
 * The queue-triggered generation jobs (issue 3, parts 4, 5 and 7): avatar generation and voice profiles per
 * companion, and their poison queues, where the host moves a message after its last failed try (host.json
 * maxDequeueCount) and the companion is marked failed instead of staying pending.
 */

/** The host hands over JSON messages parsed; a message that is not JSON arrives as text and is parsed here. */
function jobMessageOf(message: unknown, context: InvocationContext): CompanionJobMessage | undefined {
  let value = message;
  if (typeof message === 'string') {
    try {
      value = JSON.parse(message);
    } catch {
      value = undefined;
    }
  }
  const parsed = companionJobMessageSchema.safeParse(value);
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

companionJobTrigger('avatar-generation', AVATAR_GENERATION_QUEUE, (services, job) => services.avatarGeneration.generate(job));
companionJobTrigger('avatar-generation-poison', poisonQueueOf(AVATAR_GENERATION_QUEUE), (services, job) =>
  services.avatarGeneration.failAfterRetries(job),
);
companionJobTrigger('voice-profile', VOICE_PROFILE_QUEUE, (services, job) => services.voiceProfiles.createProfile(job));
companionJobTrigger('voice-profile-poison', poisonQueueOf(VOICE_PROFILE_QUEUE), (services, job) => services.voiceProfiles.failAfterRetries(job));
