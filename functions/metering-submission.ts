import { app } from '@azure/functions';
import { meteringReconciliationSchedule, meteringSchedule } from '../shared/config.js';
import { servicesForTriggers } from '../shared/trigger-services.js';

/**
 * Submits closed hours to the Azure Marketplace Metering API (METERING_SCHEDULE, five minutes past each hour by
 * default): unanswered batches first, then the hours not yet settled, then the open events in batches of 25. A run
 * is safe to repeat or to die in: every step is recorded before the next (README, Usage and metering).
 */
app.timer('metering-submission', {
  schedule: meteringSchedule(),
  handler: async (_timer, context) => {
    const services = await servicesForTriggers();
    if (services.usage === undefined) return;
    const summary = await services.usage.submission.run();
    context.log('metering submission', summary);
  },
});

/** Daily: yesterday's accepted usage against the Marketplace's usage report; differences are recorded and logged. */
app.timer('metering-reconciliation', {
  schedule: meteringReconciliationSchedule(),
  handler: async (_timer, context) => {
    const services = await servicesForTriggers();
    if (services.usage === undefined) return;
    const result = await services.usage.reconciler.reconcile();
    context.log('metering reconciliation', { day: result.day, differences: result.differences.length });
  },
});
