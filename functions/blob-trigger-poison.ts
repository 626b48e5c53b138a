import { app } from '@azure/functions';
import { z } from 'zod';
import { BLOB_TRIGGER_POISON_QUEUE } from '../shared/adapters/queues.js';
import { COMPANION_MEDIA_CONTAINER } from '../shared/domain/companion.js';
import { KNOWLEDGE_CONTAINER } from '../shared/domain/knowledge/knowledge-paths.js';
import { servicesForTriggers } from '../shared/trigger-services.js';
import { COMPANION_MEDIA_CHECK_FUNCTION } from './companion-media-check.js';
import { KNOWLEDGE_FILE_INGEST_FUNCTION } from './knowledge-file-ingest.js';

/** The report the Functions host queues for a blob whose function failed on every try (poisonBlobThreshold). */
const poisonReportSchema = z.object({
  FunctionId: z.string(),
  ContainerName: z.string(),
  BlobName: z.string(),
  ETag: z.string().optional(),
});

/**
 * The app's one consumer of the blob-trigger poison queue, which the host shares among all blob-triggered functions:
 * each report goes to the function it names. A blob-triggered function that must not leave its resource waiting
 * adds its entry here.
 */
app.storageQueue('blob-trigger-poison', {
  queueName: BLOB_TRIGGER_POISON_QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const report = poisonReportSchema.safeParse(message);
    if (!report.success) {
      context.error('a blob-trigger poison report is malformed; dropped');
      return;
    }
    const { FunctionId, ContainerName, BlobName, ETag } = report.data;
    if (FunctionId === `Host.Functions.${COMPANION_MEDIA_CHECK_FUNCTION}` && ContainerName === COMPANION_MEDIA_CONTAINER) {
      const services = await servicesForTriggers();
      const rejected = await services.mediaIntake.abandonCheck(BlobName, ETag);
      context.log('media check abandoned', { blob: BlobName, rejected });
      return;
    }
    if (FunctionId === `Host.Functions.${KNOWLEDGE_FILE_INGEST_FUNCTION}` && ContainerName === KNOWLEDGE_CONTAINER) {
      const services = await servicesForTriggers();
      const failed = await services.knowledgeIngest.abandonIngest(BlobName, ETag);
      context.log('knowledge ingest abandoned', { blob: BlobName, failed });
      return;
    }
    context.error('a blob-trigger poison report names a function without a poison handler; dropped', { functionId: FunctionId, container: ContainerName });
  },
});
