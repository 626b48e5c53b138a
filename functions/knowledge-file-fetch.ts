import { app } from '@azure/functions';
import { z } from 'zod';
import { KNOWLEDGE_FILE_FETCH_QUEUE, poisonQueueOf } from '../shared/adapters/queues.js';
import { knowledgeFileFetchJobSchema } from '../shared/domain/knowledge/knowledge-file-fetch-job.js';
import { servicesForTriggers } from '../shared/trigger-services.js';

/**
 * host.json `extensions.queues.maxDequeueCount`: on this try a passing fault fails the file with UrlUnreachable
 * instead of failing the invocation. The poison-queue function below still catches whatever fails on that try too.
 */
const MAX_DEQUEUE_COUNT = 5;

const deliverySchema = z.object({ dequeueCount: z.number().int().positive() });

/** Issue paths only: a message's values include the tenant's URL, which may carry a token. */
const issuePaths = (error: z.ZodError) => error.issues.map((issue) => issue.path.join('.') || '(root)');

app.storageQueue('knowledge-file-fetch', {
  queueName: KNOWLEDGE_FILE_FETCH_QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const job = knowledgeFileFetchJobSchema.safeParse(message);
    if (!job.success) {
      // It would fail the same way on every try.
      context.error('a knowledge fetch message is malformed; dropped', { fields: issuePaths(job.error) });
      return;
    }
    const { dequeueCount } = deliverySchema.parse(context.triggerMetadata ?? {});
    const services = await servicesForTriggers();
    const outcome = await services.knowledgeFetch.fetch(job.data, { dequeueCount, maxAttempts: MAX_DEQUEUE_COUNT });
    context.log('knowledge fetch', { baseId: job.data.baseId, fileId: job.data.fileId, dequeueCount, outcome });
  },
});

app.storageQueue('knowledge-file-fetch-poison', {
  queueName: poisonQueueOf(KNOWLEDGE_FILE_FETCH_QUEUE),
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const job = knowledgeFileFetchJobSchema.safeParse(message);
    if (!job.success) {
      context.error('a poisoned knowledge fetch message is malformed; dropped', { fields: issuePaths(job.error) });
      return;
    }
    const services = await servicesForTriggers();
    const failed = await services.knowledgeFetch.abandon(job.data);
    context.log('knowledge fetch abandoned', { baseId: job.data.baseId, fileId: job.data.fileId, failed });
  },
});
