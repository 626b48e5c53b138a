import { app } from '@azure/functions';
import { z } from 'zod';
import { KNOWLEDGE_CONTAINER, knowledgeFileRefSchema } from '../shared/domain/knowledge/knowledge-paths.js';
import { servicesForTriggers } from '../shared/trigger-services.js';

/** The function name; the blob-trigger poison report names it as `Host.Functions.<name>`. */
export const KNOWLEDGE_FILE_INGEST_FUNCTION = 'knowledge-file-ingest';

/** The names bound from the path, and the ETag of the version whose bytes the host delivered. */
const triggerMetadataSchema = knowledgeFileRefSchema.extend({
  blobTrigger: z.string(),
  properties: z.object({ eTag: z.string().min(1) }),
});

app.storageBlob(KNOWLEDGE_FILE_INGEST_FUNCTION, {
  path: `${KNOWLEDGE_CONTAINER}/{projectId}/{baseId}/{fileId}/source`,
  // Event Grid delivers new blobs in seconds, where container scans can take minutes on a busy account.
  source: 'EventGrid',
  connection: 'AzureWebJobsStorage',
  handler: async (blob, context) => {
    const metadata = triggerMetadataSchema.safeParse(context.triggerMetadata ?? {});
    if (!metadata.success) {
      // Only the service and its upload URLs write these paths, so this is a stray file; it would fail the same way on every try.
      context.warn('a blob in a knowledge landing path does not name a knowledge file; ignored', {
        blob: typeof context.triggerMetadata?.['blobTrigger'] === 'string' ? context.triggerMetadata['blobTrigger'] : undefined,
      });
      return;
    }
    if (!Buffer.isBuffer(blob)) throw new Error('the blob trigger delivered no bytes');
    const { projectId, baseId, fileId, properties } = metadata.data;
    const services = await servicesForTriggers();
    const outcome = await services.knowledgeIngest.ingest({ projectId, baseId, fileId, bytes: blob, etag: properties.eTag });
    context.log('knowledge ingest', { baseId, fileId, bytes: blob.byteLength, outcome });
  },
});
