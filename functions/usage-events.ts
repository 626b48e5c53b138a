import { app } from '@azure/functions';
import { USAGE_EVENTS_QUEUE } from '../shared/adapters/queues.js';
import { usageSnapshotSchedule } from '../shared/config.js';
import { usageEventMessageSchema } from '../shared/domain/usage.js';
import { servicesForTriggers } from '../shared/trigger-services.js';

/**
 * Records a session's usage: `{projectId, sessionId, reason}` from its close, or from the hourly snapshot while it is
 * open. The session as stored decides the figures (its start, close and active seconds), so a repeated, late or
 * reordered message writes nothing new; a partial hour is replaced by the final one, never added to it.
 */
app.storageQueue('usage-events', {
  queueName: USAGE_EVENTS_QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const parsed = usageEventMessageSchema.safeParse(message);
    if (!parsed.success) {
      // It would fail the same way on every try.
      context.error('a usage message is malformed; dropped', { fields: parsed.error.issues.map((i) => i.path.join('.') || '(root)') });
      return;
    }
    const services = await servicesForTriggers();
    if (services.usage === undefined) return;
    const outcome = await services.usage.recorder.record(parsed.data);
    context.log('usage', { projectId: parsed.data.projectId, sessionId: parsed.data.sessionId, reason: parsed.data.reason, outcome });
  },
});

/** Just after each UTC hour: queues every open session, so the hour that ended shows its time before the session closes. */
app.timer('usage-snapshot', {
  schedule: usageSnapshotSchedule(),
  handler: async (_timer, context) => {
    const services = await servicesForTriggers();
    if (services.usage === undefined) return;
    const queued = await services.usage.recorder.snapshotOpenSessions();
    if (queued > 0) context.log('usage snapshot', { queued });
  },
});
