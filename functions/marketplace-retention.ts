import { app } from '@azure/functions';
import { marketplaceRetentionSchedule } from '../shared/config.js';
import { servicesForTriggers } from '../shared/trigger-services.js';

/**
 * Deletes the project data of organizations whose Marketplace subscription was cancelled at least 7 days ago (see
 * MarketplaceDataRetention for what goes and what stays). Hourly unless MARKETPLACE_RETENTION_SCHEDULE says otherwise;
 * a run is idempotent, and an organization whose deletion failed part-way is taken up again by the next run.
 */
app.timer('marketplace-retention', {
  schedule: marketplaceRetentionSchedule(),
  handler: async (_timer, context) => {
    const services = await servicesForTriggers();
    const swept = await services.marketplaceRetention.sweep();
    if (swept.organizations > 0) context.log('marketplace retention sweep', swept);
  },
});
