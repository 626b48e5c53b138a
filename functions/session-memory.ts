import { app } from '@azure/functions';
import { SESSION_MEMORY_QUEUE } from '../shared/adapters/queues.js';
import { memoryExtractionJobSchema } from '../shared/domain/client-memory.js';
import { servicesForTriggers } from '../shared/trigger-services.js';

/**
 * Memory of the person behind an `externalClientId`: one message per closed session, `{projectId, sessionId}`. The job
 * reads the session, extracts its facts and summary (the key's chat model, else extractively) and merges them into the
 * person's record in place of anything the same session gave before, so a repeated message changes nothing. A failed
 * try is retried by the host and lands in `session-memory-poison` after the last one.
 */
app.storageQueue('session-memory', {
  queueName: SESSION_MEMORY_QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const job = memoryExtractionJobSchema.safeParse(message);
    if (!job.success) {
      // It would fail the same way on every try.
      context.error('a session memory message is malformed; dropped', { fields: job.error.issues.map((i) => i.path.join('.') || '(root)') });
      return;
    }
    const services = await servicesForTriggers();
    const outcome = await services.memory.extract(job.data);
    context.log('session memory', { projectId: job.data.projectId, sessionId: job.data.sessionId, outcome });
  },
});
