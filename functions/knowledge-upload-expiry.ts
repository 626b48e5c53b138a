import { app } from '@azure/functions';
import { knowledgeUploadExpirySchedule } from '../shared/config.js';
import { servicesForTriggers } from '../shared/trigger-services.js';

/**
 * Fails knowledge files whose bytes never came (an upload URL that expired unused, a lost fetch), so that they stop
 * holding a slot of their base. Every five minutes unless KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE says otherwise; a run is
 * idempotent, so a missed or repeated occurrence does no harm.
 */
app.timer('knowledge-upload-expiry', {
  schedule: knowledgeUploadExpirySchedule(),
  handler: async (_timer, context) => {
    const services = await servicesForTriggers();
    const swept = await services.knowledgeUploadExpiry.sweep();
    if (swept.expired + swept.landed + swept.error > 0) context.log('knowledge upload expiry', swept);
  },
});
