import { app } from '@azure/functions';
import { SESSION_EVENTS_QUEUE } from '../shared/adapters/queues.js';
import { sessionSweepSchedule } from '../shared/config.js';
import { sessionMediaEventSchema } from '../shared/domain/session-media-event.js';
import { servicesForTriggers } from '../shared/trigger-services.js';

/**
 * The owner of session state for everything outside the text runtime: `started`, `activity` and `closed` events from
 * the activity call and from an external media tier (the README documents the message). Repeats and reordering are
 * harmless: transitions are monotonic and active time is the span from the start to the close.
 */
app.storageQueue('session-events', {
  queueName: SESSION_EVENTS_QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const event = sessionMediaEventSchema.safeParse(message);
    if (!event.success) {
      // It would fail the same way on every try.
      context.error('a session event is malformed; dropped', { fields: event.error.issues.map((i) => i.path.join('.') || '(root)') });
      return;
    }
    const services = await servicesForTriggers();
    const outcome = await services.sessionLifecycle.applyEvent(event.data);
    context.log('session event', { sessionId: event.data.sessionId, type: event.data.type, eventId: event.data.eventId, outcome });
  },
});

/**
 * Warns idle sessions (avatar_connection_warning 60, 30, 10 s before the close) and closes what is due: a token never
 * used (connection_timeout), an idle session (idle_timeout), one past its maximum (session_expired). Every five
 * seconds unless SESSION_SWEEP_SCHEDULE says otherwise; a run is idempotent, so overlaps and misses do no harm.
 */
app.timer('session-sweeper', {
  schedule: sessionSweepSchedule(),
  handler: async (_timer, context) => {
    const services = await servicesForTriggers();
    const swept = await services.sessionLifecycle.sweep();
    if (swept.warned + swept.closed > 0) context.log('session sweep', swept);
  },
});
