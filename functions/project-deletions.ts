import { app } from '@azure/functions';
import type { z } from 'zod';
import { poisonQueueOf, PROJECT_DELETIONS_QUEUE } from '../shared/adapters/queues.js';
import { projectDeletionMessageSchema } from '../shared/domain/project-deletion.js';
import { servicesForTriggers } from '../shared/trigger-services.js';

/** Hourly, at minute 37 (apart from the other hourly timers): a lost deletion is finished within about two hours. */
const PROJECT_DELETION_SWEEP_SCHEDULE = '0 37 * * * *';

const issuePaths = (error: z.ZodError) => error.issues.map((issue) => issue.path.join('.') || '(root)');

/**
 * Deletes the data of a project an admin deleted (`DELETE /manage/orgs/{orgId}/projects/{projectId}` marked it and
 * revoked its keys), then the project: see ProjectDataDeletion. A failure throws, so the host tries again; every try
 * continues where the last one stopped, and a repeated message finds the project gone and does nothing.
 */
app.storageQueue('project-deletions', {
  queueName: PROJECT_DELETIONS_QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const parsed = projectDeletionMessageSchema.safeParse(message);
    if (!parsed.success) {
      // It would fail the same way on every try; a marked project is still finished by the sweep.
      context.error('a project deletion message is malformed; dropped', { fields: issuePaths(parsed.error) });
      return;
    }
    const services = await servicesForTriggers();
    const outcome = await services.projectDeletion.finishDeletion(parsed.data);
    context.log('project deletion', { ...parsed.data, outcome });
  },
});

/**
 * A deletion that failed on every try (a store down, a step failing every time): logged for the operators. The project
 * stays marked `deletingSince`, invisible to clients, and the hourly sweep below tries again until it is gone.
 */
app.storageQueue('project-deletions-poison', {
  queueName: poisonQueueOf(PROJECT_DELETIONS_QUEUE),
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const parsed = projectDeletionMessageSchema.safeParse(message);
    if (!parsed.success) {
      context.error('a poisoned project deletion message is malformed; dropped', { fields: issuePaths(parsed.error) });
      return;
    }
    context.error('a project deletion failed on every try; the project stays marked and the hourly sweep retries', parsed.data);
  },
});

/** Finishes projects marked deleting over an hour ago: a lost message, or one that failed on every try. */
app.timer('project-deletion-sweep', {
  schedule: PROJECT_DELETION_SWEEP_SCHEDULE,
  handler: async (_timer, context) => {
    const services = await servicesForTriggers();
    const swept = await services.projectDeletion.sweep();
    if (swept.projects + swept.failed > 0) context.log('project deletion sweep', swept);
  },
});
