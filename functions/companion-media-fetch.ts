import { app } from '@azure/functions';
import { z } from 'zod';
import { COMPANION_MEDIA_FETCH_QUEUE, poisonQueueOf } from '../shared/adapters/queues.js';
import { isUploadDeadlineJob, mediaFetchQueueMessageSchema } from '../shared/domain/media-fetch-job.js';
import { servicesForTriggers } from '../shared/trigger-services.js';

/**
 * host.json `extensions.queues.maxDequeueCount`: on this try a passing fault rejects the medium with its own code
 * instead of failing the invocation. The poison-queue function below still catches whatever fails on that try too.
 */
const MAX_DEQUEUE_COUNT = 5;

const deliverySchema = z.object({ dequeueCount: z.number().int().positive() });

/** Issue paths only: a message's values include the tenant's URL, which may carry a token. */
const issuePaths = (error: z.ZodError) => error.issues.map((issue) => issue.path.join('.') || '(root)');

/**
 * The queue carries two messages: a media URL to fetch ({companionId, projectId, orgId, kind, url}), and the deadline
 * check of a medium awaiting a client's upload ({companionId, projectId, orgId, kind, uploadDeadline}), sent hidden
 * until that deadline; the check rejects a medium still awaiting its file with UploadExpired and is idempotent.
 */
app.storageQueue('companion-media-fetch', {
  queueName: COMPANION_MEDIA_FETCH_QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const job = mediaFetchQueueMessageSchema.safeParse(message);
    if (!job.success) {
      // It would fail the same way on every try.
      context.error('a media fetch message is malformed; dropped', { fields: issuePaths(job.error) });
      return;
    }
    const services = await servicesForTriggers();
    if (isUploadDeadlineJob(job.data)) {
      const outcome = await services.mediaUploads.expireUpload(job.data);
      context.log('media upload deadline', { companionId: job.data.companionId, kind: job.data.kind, outcome });
      return;
    }
    const { dequeueCount } = deliverySchema.parse(context.triggerMetadata ?? {});
    const outcome = await services.mediaFetch.fetch(job.data, { dequeueCount, maxAttempts: MAX_DEQUEUE_COUNT });
    context.log('media fetch', { companionId: job.data.companionId, kind: job.data.kind, dequeueCount, outcome });
  },
});

app.storageQueue('companion-media-fetch-poison', {
  queueName: poisonQueueOf(COMPANION_MEDIA_FETCH_QUEUE),
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const job = mediaFetchQueueMessageSchema.safeParse(message);
    if (!job.success) {
      context.error('a poisoned media fetch message is malformed; dropped', { fields: issuePaths(job.error) });
      return;
    }
    const services = await servicesForTriggers();
    if (isUploadDeadlineJob(job.data)) {
      // The check failed on every try (the store was down): one more try now; it only ever rejects a medium whose
      // deadline has passed, and a medium left awaiting is still rejected by its next upload URL's check.
      const outcome = await services.mediaUploads.expireUpload(job.data);
      context.log('media upload deadline (poisoned)', { companionId: job.data.companionId, kind: job.data.kind, outcome });
      return;
    }
    const rejected = await services.mediaFetch.abandon(job.data);
    context.log('media fetch abandoned', { companionId: job.data.companionId, kind: job.data.kind, rejected });
  },
});
