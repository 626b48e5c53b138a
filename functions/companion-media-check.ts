import { app } from '@azure/functions';
import { z } from 'zod';
import { COMPANION_MEDIA_CONTAINER } from '../shared/domain/companion.js';
import { incomingMediaRefSchema } from '../shared/domain/companion-media-intake.js';
import { servicesForTriggers } from '../shared/trigger-services.js';

/** The function name; the blob-trigger poison report names it as `Host.Functions.<name>`. */
export const COMPANION_MEDIA_CHECK_FUNCTION = 'companion-media-check';

/** The names bound from the path, and the ETag of the version whose bytes the host delivered. */
const triggerMetadataSchema = incomingMediaRefSchema.extend({
  blobTrigger: z.string(),
  properties: z.object({ eTag: z.string().min(1) }),
});

app.storageBlob(COMPANION_MEDIA_CHECK_FUNCTION, {
  path: `${COMPANION_MEDIA_CONTAINER}/{projectId}/{companionId}/incoming/{kind}/{uploadId}`,
  // Event Grid delivers new blobs in seconds, where container scans can take minutes on a busy account.
  source: 'EventGrid',
  connection: 'AzureWebJobsStorage',
  handler: async (blob, context) => {
    const metadata = triggerMetadataSchema.safeParse(context.triggerMetadata ?? {});
    if (!metadata.success) {
      // Only the service writes incoming paths, so this is a stray file; it would fail the same way on every try.
      context.warn('a blob in an incoming path does not name an incoming media file; ignored', {
        blob: typeof context.triggerMetadata?.['blobTrigger'] === 'string' ? context.triggerMetadata['blobTrigger'] : undefined,
      });
      return;
    }
    if (!Buffer.isBuffer(blob)) throw new Error('the blob trigger delivered no bytes');
    const { projectId, companionId, kind, uploadId, properties } = metadata.data;
    const services = await servicesForTriggers();
    const outcome = await services.mediaIntake.checkIncomingMedia({ projectId, companionId, kind, uploadId, bytes: blob, etag: properties.eTag });
    context.log('media check', { companionId, kind, uploadId, outcome });
  },
});
