import { app } from '@azure/functions';
import { FUNCTION_CALL_TIMEOUTS_QUEUE } from '../shared/adapters/queues.js';
import { functionCallTimeoutCheckSchema } from '../shared/domain/function-call-timeout-check.js';
import { servicesForTriggers } from '../shared/trigger-services.js';

/**
 * A turn waiting for implicit function outputs is checked again at its last deadline: calls still unanswered become
 * `function_call_timeout`, the model is told, and the turn's reply is recorded. Repeated or late messages change nothing.
 */
app.storageQueue('function-call-timeouts', {
  queueName: FUNCTION_CALL_TIMEOUTS_QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    const check = functionCallTimeoutCheckSchema.safeParse(message);
    if (!check.success) {
      context.error('a function-call timeout message is malformed; dropped');
      return;
    }
    const services = await servicesForTriggers();
    await services.sessions.settleWait(check.data);
    context.log('function-call wait checked', { sessionId: check.data.sessionId, pendingTurnId: check.data.pendingTurnId });
  },
});
